"""The deployment plan's checks: one path for a plan file and the editing page.

``validate`` takes rows of text (the CSV's columns, or the page's fields) and
returns the checked visits or every problem, each with its line (or row) and
field: an unknown team or station, a bad day, position, purpose or time, a
position or an opening/count taken twice, and, when the mission forbids it
(PLAN_ONE_TEAM_PER_STATION_HOUR), a station planned for two teams at the same hour.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlite_utils import Database

from models import teams
from models.definitions import TYPES as PURPOSES
from models.definitions import get as get_definition
from models.teams import Problem

COLUMNS = ("team", "day", "position", "station", "purpose", "time")
REQUIRED = ("team", "day", "position", "station", "purpose")
MAX_POSITION = 99
# One opening and one count a day: the plan's "opening station" and "count station".
ONCE_A_DAY = ("opening", "counting")
# With PLAN_ONE_TEAM_PER_STATION_HOUR on, two teams' visits to one station on one
# day must be at least this far apart (times less than an hour apart clash).
CLASH_MINUTES = 60
_TIME = re.compile(r"^([01]?\d|2[0-3])[:. ]?([0-5]\d)$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Visit:
    """One planned visit, checked; ``line`` is its CSV line (or the form's row)."""

    team: str
    day: str
    position: int
    station_id: int
    station: str  # the registry number, as the file and the page name it
    purpose: str
    planned_time: str | None
    line: int = 0


def parse_time(text: str) -> str | None:
    """A typed local time (19:30, 9:05, 1930, 19.30) as HH:MM, or None when it is none."""
    match = _TIME.match(text.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def parse_day(text: str) -> str | None:
    """A day typed as YYYY-MM-DD, checked; None when it is not one."""
    try:
        return date.fromisoformat(text).isoformat() if _DAY.match(text) else None
    except ValueError:
        return None


def purpose_label(purpose: str) -> str:
    """A purpose in words: the title of its checklist, in the reader's language."""
    return _(get_definition(purpose).title)


def _minutes(hh_mm: str) -> int:
    return int(hh_mm[:2]) * 60 + int(hh_mm[3:])


def _row(line: int, values: dict, known: set[str], stations: dict[str, int],
         problems: list[Problem]) -> Visit | None:
    """One row's own checks; the visit, or None when the row is refused."""
    before = len(problems)
    for column in REQUIRED:
        if not values[column]:
            problems.append(Problem(line, column, _("%(column)s is missing", column=column)))
    team, day = values["team"], parse_day(values["day"])
    if team and team not in known:
        problems.append(Problem(line, "team", _(
            "unknown team %(team)s (no user belongs to it)", team=repr(team))))
    if values["day"] and day is None:
        problems.append(Problem(line, "day", _(
            "day must be a date as YYYY-MM-DD, got %(value)s", value=repr(values["day"]))))
    position = values["position"]
    if position and not (position.isascii() and position.isdigit()
                         and 1 <= int(position) <= MAX_POSITION):
        problems.append(Problem(line, "position", _(
            "position must be a whole number from 1 to %(max)s, got %(value)s",
            max=MAX_POSITION, value=repr(position))))
    if values["station"] and values["station"] not in stations:
        problems.append(Problem(line, "station", _(
            "unknown station %(number)s (not in the registry)", number=repr(values["station"]))))
    if values["purpose"] and values["purpose"] not in PURPOSES:
        problems.append(Problem(line, "purpose", _(
            "purpose must be one of %(choices)s, got %(value)s",
            choices=", ".join(PURPOSES), value=repr(values["purpose"]))))
    planned_time = parse_time(values["time"]) if values["time"] else None
    if values["time"] and planned_time is None:
        problems.append(Problem(line, "time", _(
            "time must be a local time as HH:MM, got %(value)s", value=repr(values["time"]))))
    if len(problems) > before:
        return None
    return Visit(team, day, int(position), stations[values["station"]], values["station"],
                 values["purpose"], planned_time, line)


def _within(visits: list[Visit], problems: list[Problem]) -> None:
    """Checks between the rows: a position or an opening/count taken twice in a day."""
    positions: dict[tuple, int] = {}
    once: dict[tuple, int] = {}
    for visit in visits:
        key = (visit.team, visit.day, visit.position)
        if key in positions:
            problems.append(Problem(visit.line, "position", _(
                "position %(position)s of team %(team)s on %(day)s is already on line %(line)s",
                position=visit.position, team=visit.team, day=visit.day, line=positions[key])))
        positions.setdefault(key, visit.line)
        if visit.purpose in ONCE_A_DAY:
            key = (visit.team, visit.day, visit.purpose)
            if key in once:
                problems.append(Problem(visit.line, "purpose", _(
                    "team %(team)s already has its %(purpose)s visit on %(day)s on line "
                    "%(line)s (one a day)", team=visit.team, purpose=purpose_label(visit.purpose),
                    day=visit.day, line=once[key])))
            once.setdefault(key, visit.line)


def clashes(db: Database, visits: list[Visit]) -> list[Problem]:
    """Visits to a station that another team is planned at less than an hour apart.

    Checked among ``visits`` and against the stored plans of the (team, day)
    pairs that ``visits`` do not replace. Visits without a time never clash.
    """
    timed = [v for v in visits if v.planned_time]
    pairs = {(v.team, v.day) for v in visits}
    stored = [Visit(r["team"], r["day"], r["position"], r["station_id"], r["number"],
                    r["purpose"], r["planned_time"]) for r in db.query(
        "SELECT v.team, v.day, v.position, v.station_id, s.number, v.purpose, v.planned_time"
        " FROM plan_visits v JOIN stations s ON s.id = v.station_id"
        " WHERE v.planned_time IS NOT NULL AND v.day IN (SELECT value FROM json_each(?))",
        [json_list(sorted({v.day for v in timed}))]) if (r["team"], r["day"]) not in pairs]
    # Visits by (station, day): each is compared with the few planned there before it.
    earlier: dict[tuple, list[tuple[Visit, str]]] = {}
    for other in stored:
        earlier.setdefault((other.station_id, other.day), []).append((other, _("the stored plan")))
    problems = []
    for visit in timed:
        there = earlier.setdefault((visit.station_id, visit.day), [])
        for other, where in there:
            if other.team != visit.team and abs(
                    _minutes(other.planned_time) - _minutes(visit.planned_time)) < CLASH_MINUTES:
                problems.append(Problem(visit.line, "time", _(
                    "station %(station)s is planned for team %(team)s at %(time)s on %(day)s "
                    "(%(where)s): one team per station and hour", station=visit.station,
                    team=other.team, time=other.planned_time, day=visit.day, where=where)))
                break
        there.append((visit, _("line %(line)s", line=visit.line)))
    return problems


def json_list(values: list) -> str:
    """A list as JSON text, for SQLite's json_each (one parameter for any number of values)."""
    return json.dumps(values, ensure_ascii=False)


def validate(db: Database, records: Iterable[tuple[int, dict]],
             one_team_per_hour: bool) -> tuple[list[Visit], list[Problem]]:
    """Check rows ``(line, {column: text})`` of a plan; the visits, or every problem found."""
    records = [(line, {c: (values.get(c) or "").strip() for c in COLUMNS})
               for line, values in records]
    numbers = sorted({values["station"] for _line, values in records if values["station"]})
    stations = {row[0]: row[1] for row in db.execute(
        "SELECT number, id FROM stations WHERE number IN (SELECT value FROM json_each(?))",
        [json_list(numbers)])}
    known, problems, visits = teams.with_members(db), [], []
    for line, values in records:
        visit = _row(line, values, known, stations, problems)
        if visit:
            visits.append(visit)
    _within(visits, problems)
    if one_team_per_hour:
        problems += clashes(db, visits)
    return visits, sorted(problems, key=lambda p: p.line)


