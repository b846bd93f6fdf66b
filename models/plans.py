"""The deployment plan: the stations each team is to visit on a day, in order, and why.

A visit is (team, day, position, station, purpose, time): ``purpose`` says
which checklist the team files there (opening at the opening station, voting,
counting at the count station, tabulation at the territorial commission);
``day`` and ``time`` are local to the station. A plan arrives as a CSV file
(``flask --app app import-plan``) or from the editing page (/plans); both are
checked by models/plan_checks.py (``validate``) and written all or nothing: a
(team, day) named gets exactly the visits given, other teams' days keep theirs.

Then ``progress`` says how far a team got (a planned visit is done when the
team filed a checklist of the visit's purpose at that station on that day,
the arrival's local day in the station's zone; each checklist counts for one
visit only), and ``rules``/``expected`` what the plan makes it owe.
"""

import csv
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlite_utils import Database

from models import audit
from models.clock import local_to_utc, to_iso, utc_to_local
from models.db import writing
from models.plan_checks import (  # noqa: F401 - the plan's vocabulary, for views and forms
    COLUMNS,
    MAX_POSITION,
    PURPOSES,
    REQUIRED,
    Visit,
    json_list,
    parse_day,
    parse_time,
    purpose_label,
    validate,
)
from models.teams import Problem


def import_csv(db: Database, path: str, one_team_per_hour: bool,
               by: int | None = None) -> tuple[int, list[Problem]]:
    """Import a plan file, all or nothing. Returns (visits written, problems).

    Each (team, day) the file names gets exactly the file's visits.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            return 0, [Problem(1, "", _("missing column(s): %(columns)s",
                                        columns=", ".join(missing)))]
        records = [(reader.line_num, row) for row in reader]
    if not records:
        return 0, [Problem(1, "", _("the file has no visits"))]
    # Checked inside the write transaction: no other plan can slip in between.
    with writing(db):
        visits, problems = validate(db, records, one_team_per_hour)
        if problems:
            return 0, problems
        replace(db, visits, {(v.team, v.day) for v in visits}, by,
                source=path.rsplit("/", 1)[-1])
    return len(visits), []


def replace(db: Database, visits: list[Visit], pairs: set[tuple[str, str]],
            by: int | None = None, source: str = "page") -> None:
    """Give each (team, day) in ``pairs`` exactly its ``visits``, in one transaction (audited)."""
    with writing(db):
        for team, day in sorted(pairs):
            db.execute("DELETE FROM plan_visits WHERE team = ? AND day = ?", [team, day])
        db.conn.executemany(
            "INSERT INTO plan_visits (team, day, position, station_id, purpose, planned_time)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(v.team, v.day, v.position, v.station_id, v.purpose, v.planned_time)
             for v in visits])
        audit.record(db, "plan_change", by, details={
            "source": source, "visits": len(visits),
            "days": [f"{team} {day}" for team, day in sorted(pairs)]})


def check_day(db: Database, team: str, day: str, rows: list[dict],
              one_team_per_hour: bool) -> tuple[list[Visit], list[Problem]]:
    """Check one team's visits on one day, ``rows`` of text (position, station, purpose, time).

    A problem's ``line`` is the row's index in ``rows`` (from 0).
    """
    records = [(index, {**row, "team": team, "day": day}) for index, row in enumerate(rows)]
    return validate(db, records, one_team_per_hour)


def save_day(db: Database, team: str, day: str, rows: list[dict], one_team_per_hour: bool,
             by: int | None = None) -> list[Problem]:
    """Replace one team's plan for one day with ``rows`` (see ``check_day``), all or nothing.

    Returns the problems found; nothing is saved when there is one.
    """
    # Checked inside the write transaction: no other plan can slip in between.
    with writing(db):
        visits, problems = check_day(db, team, day, rows, one_team_per_hour)
        if not problems:
            replace(db, visits, {(team, day)}, by)
    return problems


def day_plan(db: Database, team: str, day: str) -> list[dict]:
    """One team's visits on one day in order, with their stations' number, name and zone."""
    return list(db.query(
        "SELECT v.position, v.purpose, v.planned_time, v.station_id, s.number, s.name,"
        " s.region, s.district, s.timezone FROM plan_visits v"
        " JOIN stations s ON s.id = v.station_id"
        " WHERE v.team = ? AND v.day = ? ORDER BY v.position", [team, day]))


def planned_days(db: Database) -> dict[str, list[str]]:
    """Each team's days with a plan: team -> [day, ...] in order."""
    days: dict[str, list[str]] = {}
    for row in db.query("SELECT DISTINCT team, day FROM plan_visits ORDER BY team, day"):
        days.setdefault(row["team"], []).append(row["day"])
    return days


# The opening checklist is owed by this local time: the opening is over and the
# first voters have voted (polls open at 07:00 in Kazakhstan).
OPENING_DUE = time(8, 30)


def rules(polls_close: str = "20:00") -> list[tuple[str, str]]:
    """What a plan makes a team owe, one (purpose, sentence) each, for pages to quote.

    - an opening checklist from the opening station by 08:30 local time;
    - a voting checklist from each station planned for voting, through the day
      (by the close of the polls, local time);
    - a counting checklist from the count station (the count has no fixed end);
    - a tabulation checklist from the territorial commission planned.
    A visit's local time is its station's; ``expected`` applies these rules.
    """
    return [
        ("opening", _("an opening checklist from the opening station by %(time)s local time",
                      time=OPENING_DUE.strftime("%H:%M"))),
        ("voting", _("a voting checklist from each station planned for voting, through the "
                     "day (by %(time)s local time, when polls close)", time=polls_close)),
        ("counting", _("a counting checklist from the count station")),
        ("tabulation", _("a tabulation checklist from the territorial commission planned")),
    ]


def _due(purpose: str, day: str, zone: str, polls_close: time) -> str | None:
    """When a visit's checklist is owed by (UTC text), per ``rules``; None: no fixed time."""
    at = {"opening": OPENING_DUE, "voting": polls_close}.get(purpose)
    return to_iso(local_to_utc(date.fromisoformat(day), at, zone)) if at else None


def _filed(db: Database, team: str, day: str, visits: list[dict]) -> dict[tuple, list[int]]:
    """The team's checklists at the planned stations on ``day``: (station, type) -> ids."""
    ids = sorted({visit["station_id"] for visit in visits})
    zones = {visit["station_id"]: visit["timezone"] for visit in visits}
    filed: dict[tuple, list[int]] = {}
    for row in db.query(
            "SELECT id, station_id, form_type, arrival_utc FROM checklists"
            " WHERE team = ? AND station_id IN (SELECT value FROM json_each(?))"
            " ORDER BY arrival_utc, id", [team, json_list(ids)]):
        local_day = utc_to_local(row["arrival_utc"], zones[row["station_id"]]).date()
        if local_day.isoformat() == day:
            filed.setdefault((row["station_id"], row["form_type"]), []).append(row["id"])
    return filed


def progress(db: Database, team: str, day: str, polls_close: time = time(20, 0)) -> list[dict]:
    """The team's planned visits on ``day`` in order, each with how it stands.

    Each visit (models/plans.py ``day_plan``) gains ``entry_id`` (the checklist
    that did it, or None), ``due_utc`` (see ``rules``) and ``state``: ``done``;
    ``next``, the first visit not done after the last one done; ``skipped``, not
    done though a later visit is; ``planned``, still ahead.
    """
    visits = day_plan(db, team, day)
    if not visits:
        return []
    filed = _filed(db, team, day, visits)
    for visit in visits:
        pool = filed.get((visit["station_id"], visit["purpose"]), [])
        visit["entry_id"] = pool.pop(0) if pool else None
        visit["due_utc"] = _due(visit["purpose"], day, visit["timezone"], polls_close)
    done = [index for index, visit in enumerate(visits) if visit["entry_id"]]
    last_done = done[-1] if done else -1
    for index, visit in enumerate(visits):
        if visit["entry_id"]:
            visit["state"] = "done"
        elif index < last_done:
            visit["state"] = "skipped"
        else:
            visit["state"] = "planned"
    ahead = [visit for visit in visits if visit["state"] == "planned"]
    if ahead:
        ahead[0]["state"] = "next"
    return visits


def expected(db: Database, team: str, day: str, now: datetime,
             polls_close: time = time(20, 0)) -> list[dict]:
    """The checklists the team's plan makes it owe on ``day`` (``rules``), as of ``now``.

    One per planned visit: ``purpose``, ``station_id``, ``number``, ``due_utc``,
    ``received`` (the checklist's id or None) and ``overdue`` (not received and
    past its due time). An empty list when the team has no plan that day.
    """
    moment = to_iso(now)
    return [{"position": visit["position"], "purpose": visit["purpose"],
             "station_id": visit["station_id"], "number": visit["number"],
             "due_utc": visit["due_utc"], "received": visit["entry_id"],
             "overdue": not visit["entry_id"] and bool(visit["due_utc"])
             and visit["due_utc"] < moment}
            for visit in progress(db, team, day, polls_close)]
