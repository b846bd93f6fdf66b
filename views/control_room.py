"""The control room: who has not reported, for coordinators and admins (a desktop page).

``/control`` is the page; ``/control/teams`` the same list of teams as an HTML
fragment, which static/control_room.js fetches every 30 s and swaps in (no
reload, no framework). Calls to teams are logged with a form (CSRF) and kept
as open follow-ups until someone closes them. The figures come from
models/control_room.py; "now" is the request's time, the day is today where
the core team works (MISSION_TIMEZONE) unless ``?day=`` names another.
"""

import re
from datetime import date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms.control_room import OUTCOME_LABELS, CallForm
from models import access, control_room
from models import definitions as checklist_definitions
from models.clock import local_to_utc, to_iso, utc_now
from models.db import get_db
from views.auth import roles_required
from views.dashboard import mission_today

bp = Blueprint("control_room", __name__)
STATE_LABELS = {"late": _l("Late"), "missing": _l("Missing a checklist"),
                "off_area": _l("Off-area"), "on_plan": _l("On plan")}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# How often the page asks for the list again (static/control_room.js reads it).
REFRESH_SECONDS = 30


def _day() -> date:
    raw = request.args.get("day", "").strip()
    if not raw:
        return mission_today()
    try:
        day = date.fromisoformat(raw) if _DAY.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None or not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        abort(400, _("Give the day as a date, for example 2023-03-19."))
    return day


def _polls() -> tuple:
    config = current_app.config
    return (datetime.strptime(config["POLLS_OPEN"], "%H:%M").time(),
            datetime.strptime(config["POLLS_CLOSE"], "%H:%M").time())


def _board(day: date) -> dict:
    """What the page and the fragment show: the teams, and counts by state."""
    config = current_app.config
    teams = control_room.teams_board(
        get_db(), day, utc_now(), polls=_polls(), late_after=config["LATE_AFTER_MINUTES"],
        mission_zone=config["MISSION_TIMEZONE"])
    counts = {state: 0 for state in control_room.STATES}
    for team in teams:
        counts[team["state"]] += 1
    return {"teams": teams, "counts": counts, "day": day, "zone": config["MISSION_TIMEZONE"],
            "checked_utc": to_iso(utc_now())}


def _labels() -> dict:
    return {"state_labels": STATE_LABELS, "outcome_labels": OUTCOME_LABELS,
            "type_titles": {d.type: _(d.title) for d in checklist_definitions.by_type().values()}}


def _page(form: CallForm, status: int = 200):
    day = _day()
    return render_template(
        "control/index.html", board=_board(day), form=form,
        follow_ups=control_room.open_follow_ups(get_db()),
        refresh_url=url_for("control_room.teams", day=day.isoformat()),
        refresh_seconds=REFRESH_SECONDS, **_labels()), status


def _form(formdata=None) -> CallForm:
    db = get_db()
    return CallForm(formdata=formdata, known_team=lambda team: control_room.known_team(db, team))


@bp.route("/control")
@roles_required(*access.COORDINATORS)
def index():
    """Every team with its last contact, plan progress and state; the call log."""
    return _page(_form())


@bp.route("/control/teams")
@roles_required(*access.COORDINATORS)
def teams():
    """The list of teams alone, for the page to swap in without a reload."""
    response = current_app.make_response(render_template(
        "control/_teams.html", board=_board(_day()), **_labels()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/control/calls", methods=["POST"])
@roles_required(*access.COORDINATORS)
def log_call():
    """Record a call to a team ("called 14:05, no answer")."""
    form = _form(request.form)
    if not form.validate():
        return _page(form, 400)
    zone = current_app.config["MISSION_TIMEZONE"]
    called = utc_now() if form.called_at is None else \
        local_to_utc(mission_today(), form.called_at, zone)
    control_room.log_call(get_db(), form.team.data, current_user.id, to_iso(called),
                          form.outcome.data, form.note.data, form.follow_up.data)
    flash(_("Call to %(team)s logged.", team=form.team.data))
    return redirect(url_for("control_room.index"), 303)


@bp.route("/control/calls/<id:call_id>/close", methods=["POST"])
@roles_required(*access.COORDINATORS)
def close_call(call_id: int):
    """Mark a call's follow-up as done."""
    if not control_room.close_call(get_db(), call_id, to_iso(utc_now())):
        abort(404)
    flash(_("Follow-up closed."))
    return redirect(url_for("control_room.index"), 303)
