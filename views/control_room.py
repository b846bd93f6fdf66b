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

from forms.checkin import KIND_LABELS as CHECKIN_LABELS
from forms.control_room import OUTCOME_LABELS, CallForm
from models import access, control_room
from models import definitions as checklist_definitions
from models.clock import local_text, local_to_utc, to_iso, utc_now
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


def _board(day: date, labels: dict) -> dict:
    """What the page and the fragment show: a row per team, and counts by state."""
    config = current_app.config
    now = utc_now()
    teams = control_room.teams_board(
        get_db(), day, now, polls=_polls(), late_after=config["LATE_AFTER_MINUTES"],
        mission_zone=config["MISSION_TIMEZONE"])
    counts = {state: 0 for state in control_room.STATES}
    for team in teams:
        counts[team["state"]] += 1
    zone = config["MISSION_TIMEZONE"]
    return {"rows": [_row(team, labels, zone) for team in teams], "counts": counts, "day": day,
            "zone": zone, "checked": local_text(to_iso(now), zone, "time")}


def _row(team: dict, labels: dict, zone: str) -> dict:
    """One team as the list prints it: every text made here, once, not by the template.

    800 rows every 30 s: Jinja's attribute look-ups and filters per cell cost
    more than the SQL (bench/control_room.py), so the row is plain strings.
    """
    words, states = labels["words"], labels["state_labels"]
    cells = []
    for kind in checklist_definitions.TYPES:
        figures = team["by_type"][kind]
        extra = figures["filed"] - figures["done"]
        if figures["expected"]:
            cells.append((f"{figures['done']}/{figures['expected']}",
                          f"+{extra}" if extra > 0 else ""))
        else:
            cells.append((str(figures["filed"]) if figures["filed"] else "–", ""))
    counted = {"missing": team["overdue"], "off_area": team["off_area"]}
    flags = [(flag, f"{states[flag]} ({counted[flag]})" if flag in counted else states[flag])
             for flag in team["flags"]] or [("on_plan", states["on_plan"])]
    checkin = team["checkin"]
    seen = ""
    if checkin:
        seen = " · ".join(part for part in (
            labels["checkin_labels"][checkin["kind"]],
            words["station"] % {"number": checkin["station_number"]}
            if checkin["station_number"] else "", checkin["note"]) if part)
    call = team["call"]
    return {
        "team": team["team"], "state": team["state"], "flags": flags, "cells": cells,
        "area": " · ".join(filter(None, (team["region"], ", ".join(team["districts"])))),
        "ago": _last_contact(team, words, zone),
        "checkin": seen, "unread": team["unread"], "phones": team["phones"],
        "call": _called(call, labels, zone) if call else "",
        "call_open": bool(call and call["open_follow_ups"])}


# Past a day, "minutes ago" is no longer a figure anyone reads: the moment itself is.
RECENT_MINUTES = 24 * 60


def _last_contact(team: dict, words: dict, zone: str) -> str:
    """"35 min ago" within a day; older, the local date and time (a past day looked at)."""
    if team["minutes_since"] is None:
        return words["never"]
    if team["minutes_since"] < RECENT_MINUTES:
        return words["min_ago"] % {"n": team["minutes_since"]}
    return local_text(team["last_utc"], zone, "datetime")


def _labels() -> dict:
    """The words the list repeats on every row, translated once (not 800 times a request)."""
    words = {"never": _("never"), "min_ago": _("%(n)s min ago"), "log_call": _("Log a call"),
             "called": _("called %(time)s, %(outcome)s"), "station": _("No. %(number)s"),
             "open": _("open")}
    return {"words": words,
            "state_labels": {code: str(label) for code, label in STATE_LABELS.items()},
            "outcome_labels": {code: str(label) for code, label in OUTCOME_LABELS.items()},
            "checkin_labels": {code: str(label) for code, label in CHECKIN_LABELS.items()},
            "type_titles": {d.type: _(d.title) for d in checklist_definitions.by_type().values()}}


def _called(call: dict, labels: dict, zone: str) -> str:
    """"called 14:05, no answer" (the time where the core team works)."""
    return labels["words"]["called"] % {
        "time": local_text(call["called_utc"], zone, "time"),
        "outcome": labels["outcome_labels"][call["outcome"]]}


def _page(form: CallForm, status: int = 200):
    day, labels = _day(), _labels()
    zone = current_app.config["MISSION_TIMEZONE"]
    return render_template(
        "control/index.html", board=_board(day, labels), form=form,
        follow_ups=[{**call, "text": _called(call, labels, zone)}
                    for call in control_room.open_follow_ups(get_db())],
        refresh_url=url_for("control_room.teams", day=day.isoformat()),
        refresh_seconds=REFRESH_SECONDS, **labels), status


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
    labels = _labels()
    response = current_app.make_response(render_template(
        "control/_teams.html", board=_board(_day(), labels), **labels))
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
