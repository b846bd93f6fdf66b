"""The coordinator's dashboard: one page of figures, aggregated by models.dashboard."""

import re
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import access, control_room, dashboard
from models import definitions as checklist_definitions
from models.clock import utc_now
from models.db import get_db
from views.auth import roles_required
from views.review_panel import entry_url

bp = Blueprint("dashboard", __name__)
KIND_LABELS = {"checklist": _l("Checklists"), "incident": _l("Incident reports"),
               "interaction": _l("Meeting reports")}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


@lru_cache(maxsize=32)
def _symbols(locale: str) -> tuple[str, str, str, str]:
    """The locale's thousands and decimal separators and what goes around a percentage."""
    parsed = Locale.parse(locale)
    percent = parsed.percent_formats[None]
    return (get_group_symbol(parsed), get_decimal_symbol(parsed), percent.prefix[0],
            percent.suffix[0])


def _digits(value: float, decimals: int) -> str:
    # Babel's format_decimal costs ~40 µs a call and the region table makes
    # hundreds; the locale's symbols are looked up once and applied here.
    group, decimal, _prefix, _suffix = _symbols(str(get_locale()))
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def share(value: float | None) -> str:
    """Jinja filter: a fraction as a percentage with one decimal, '–' when there is no base."""
    if value is None:
        return "–"
    _group, _decimal, prefix, suffix = _symbols(str(get_locale()))
    return prefix + _digits(value * 100, 1) + suffix


def figure(value: int | None) -> str:
    """Jinja filter: a count with the locale's thousands separator."""
    return _digits(value or 0, 0)


def mission_today() -> date:
    """Today's date where the core team works (config MISSION_TIMEZONE)."""
    return utc_now().astimezone(ZoneInfo(current_app.config["MISSION_TIMEZONE"])).date()


def _requested_day(today: date) -> date:
    raw = request.args.get("day", "").strip()
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw) if _DAY.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        abort(400, _("Give the day as a date, for example 2023-03-19."))
    return day


@bp.route("/dashboard")
@roles_required(*access.COORDINATORS)
def index():
    """Received checklists, coverage, negative assessments, review backlog, follow-ups."""
    today = mission_today()
    day = _requested_day(today)
    start, end = dashboard.day_bounds(day, current_app.config["MISSION_TIMEZONE"])
    figures = dashboard.figures(get_db(), list(checklist_definitions.TYPES), start, end,
                                today.isoformat())
    for problem in figures["problems"]:
        problem["url"] = entry_url(problem["kind"], problem["id"])
    for follow_up in figures["follow_ups"]["overdue_list"]:
        follow_up["url"] = entry_url("interaction", follow_up["interaction_id"])
    titles = {d.type: _(d.title) for d in checklist_definitions.by_type().values()}
    return render_template("dashboard/index.html", figures=figures, titles=titles,
                           day=day, today=today, kinds=dashboard.REVIEW_KINDS,
                           kind_labels=KIND_LABELS,
                           plan_coverage=control_room.coverage_by_region(get_db(), day),
                           overdue_url=url_for("meetings.overdue"))
