"""Who has not reported: every team's last contact, plan progress and state, for one day.

The control room (views/control_room.py) asks ``teams_board`` every 30 s, so
everything is aggregated in SQL over the indexes of migration m022 (and the
entries' own): at 800 teams and 50,000 checklists the page stays under
150 ms (bench/control_room.py). Python only turns the per-team figures into
a state, a few hundred comparisons.

The rules, in words:
- last contact: the newest entry the team filed (checklist, incident, meeting:
  when the server received it) or check-in (when the observer tapped);
- expected: the team's plan for the day (plan_visits); a planned visit is done
  when the team filed a checklist of its purpose at that station on that local
  day. Due: opening by 08:30 local, voting by its planned time plus
  LATE_AFTER_MINUTES (else by polls' close), counting and tabulation by the
  end of the day;
- late: polls are open in the team's region and nothing was heard from it for
  LATE_AFTER_MINUTES (counted from the opening at the earliest);
- missing: a planned visit is due and not done;
- off-area: the team filed or checked in that day at a station outside its area
  (teams.region, and teams.districts when some are listed).
"""

import json
import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlite_utils import Database

from models.clock import local_to_utc, to_iso
from models.db import writing
from models.definitions import TYPES

STATES = ("late", "missing", "off_area", "on_plan")  # the order teams are listed in
OPENING_DUE = time(8, 30)
OUTCOMES = ("reached", "no_answer", "left_message")
CALL_NOTE_MAX = 300
_NOT_DIALLED = re.compile(r"[^0-9+]")
# The active observers with a team, and the region their messages come for:
# their team's, else their own.
_MEMBERS = ("SELECT u.id, u.team, coalesce(t.region, u.region) AS region FROM users u"
            " LEFT JOIN teams t ON t.team = u.team"
            " WHERE u.role = 'observer' AND u.active = 1 AND u.team IS NOT NULL")


@lru_cache(maxsize=4096)
def _utc(day: date, at: time, zone: str) -> datetime:
    return local_to_utc(day, at, zone)


def zone_windows(db: Database, day: date) -> dict[str, tuple[str, str]]:
    """Every station zone's local ``day`` as UTC bounds [start, end)."""
    zones = [r[0] for r in db.execute("SELECT DISTINCT timezone FROM stations")]
    return {zone: (to_iso(_utc(day, time(0), zone)),
                   to_iso(_utc(day + timedelta(days=1), time(0), zone))) for zone in zones}


# Each station zone's local day as UTC bounds, passed as JSON; materialized, so
# it is read once and looked up by an automatic index, not parsed per checklist.
_ZONES = ("zones(tz, lo, hi) AS MATERIALIZED (SELECT key, json_extract(value, '$[0]'),"
          " json_extract(value, '$[1]') FROM json_each(:zones))")


def _teams(db: Database, now: str) -> list[dict]:
    """Every team (of the teams table, or an active observer's), with its last contact."""
    return list(db.query("""
        WITH names(team) AS (
            SELECT team FROM teams
            UNION SELECT team FROM users WHERE role = 'observer' AND active = 1
                                           AND team IS NOT NULL AND team != '')
        SELECT n.team, t.region, coalesce(t.districts, '[]') AS districts,
               coalesce(t.phones, '') AS phones,
               max(coalesce((SELECT max(created_utc) FROM checklists
                             WHERE team = n.team AND created_utc <= :now), ''),
                   coalesce((SELECT max(created_utc) FROM incidents
                             WHERE team = n.team AND created_utc <= :now), ''),
                   coalesce((SELECT max(created_utc) FROM interactions
                             WHERE team = n.team AND created_utc <= :now), ''),
                   coalesce((SELECT max(occurred_utc) FROM checkins
                             WHERE team = n.team AND occurred_utc <= :now), '')) AS last_utc
        FROM names n LEFT JOIN teams t ON t.team = n.team""", {"now": now}))


# A place outside its team's area: another region, or a district the team's
# list leaves out (an empty list: the whole region). Only teams with an area.
_OUTSIDE = """JOIN teams t ON t.team = v.team JOIN stations s ON s.id = v.station_id
    WHERE t.region IS NOT NULL AND t.region != ''
      AND (s.region != t.region OR (t.districts NOT IN ('', '[]') AND s.district NOT IN
           (SELECT value FROM json_each(t.districts))))"""


def _day_visits(db: Database, bounds: dict) -> list[tuple]:
    """Where each team was that day and what it planned, in one pass over the day's checklists.

    Rows ("filed", team, form_type, checklists, None, None): per type, how many
    it filed; ("off", team, None, n, None, None): the n stations outside its
    area where it filed, checked in or reported an incident; ("plan", team,
    purpose, done, planned_time, station zone): each planned visit, done when
    the team filed a checklist of its purpose at its station that local day.
    The checklists are grouped in the order of the covering index
    checklists_team_day (team, station, type, arrival): no sorting.
    """
    return db.execute(f"""
        WITH {_ZONES},
        visits AS MATERIALIZED (
            SELECT c.team, c.station_id, c.form_type, count(*) AS n FROM checklists c
            JOIN zones z ON z.tz = c.timezone
            WHERE c.arrival_utc >= :lo AND c.arrival_utc < :hi
              AND c.arrival_utc >= z.lo AND c.arrival_utc < z.hi
            GROUP BY c.team, c.station_id, c.form_type),
        pairs AS (SELECT DISTINCT team, station_id FROM visits),
        outside(team, station_id) AS (
            SELECT v.team, v.station_id FROM pairs v {_OUTSIDE}
            UNION SELECT c.team, c.station_id FROM checkins c JOIN zones z ON z.tz = c.timezone
                  {_OUTSIDE.replace("v.", "c.")} AND c.occurred_utc >= z.lo
                  AND c.occurred_utc < z.hi AND c.occurred_utc <= :now
            UNION SELECT i.team, i.station_id FROM incidents i JOIN zones z ON z.tz = i.timezone
                  {_OUTSIDE.replace("v.", "i.")} AND i.occurred_utc >= z.lo
                  AND i.occurred_utc < z.hi)
        SELECT 'filed', team, form_type, sum(n), NULL, NULL FROM visits
        GROUP BY team, form_type
        UNION ALL
        SELECT 'off', team, NULL, count(*), NULL, NULL FROM outside GROUP BY team
        UNION ALL
        SELECT 'plan', p.team, p.purpose, v.n IS NOT NULL, p.planned_time, s.timezone
        FROM plan_visits p JOIN stations s ON s.id = p.station_id
        LEFT JOIN visits v ON v.team = p.team AND v.station_id = p.station_id
                          AND v.form_type = p.purpose
        WHERE p.day = :day""", bounds).fetchall()


def _unread(db: Database, now: str) -> dict[str, int]:
    """{team: messages addressed to it (all, its region, the team) a member has not confirmed}.

    Counted per member: two members who have not read one message make 2. Worked
    out as (members × messages addressed to them) − their confirmations, so no
    member × message pair is ever listed.
    """
    sent: dict[tuple[str, str | None], int] = {
        (audience, target): n for audience, target, n in db.execute(
            "SELECT audience, target, count(*) FROM team_messages WHERE sent_utc <= ?"
            " GROUP BY audience, target", [now])}
    if not sent:
        return {}
    addressed: dict[str, int] = {}
    for team, region, members in db.execute(
            f"SELECT team, region, count(*) FROM ({_MEMBERS}) GROUP BY team, region"):
        each = sent.get(("all", None), 0) + sent.get(("region", region), 0) \
            + sent.get(("team", team), 0)
        addressed[team] = addressed.get(team, 0) + members * each
    for team, confirmed in db.execute(f"""
            SELECT u.team, count(*) FROM message_reads r
            JOIN team_messages m ON m.id = r.message_id
            JOIN ({_MEMBERS}) u ON u.id = r.user_id
            WHERE m.sent_utc <= :now AND (m.audience = 'all'
                  OR (m.audience = 'team' AND m.target = u.team)
                  OR (m.audience = 'region' AND m.target = u.region))
            GROUP BY u.team""", {"now": now}):
        addressed[team] -= confirmed
    return {team: n for team, n in addressed.items() if n}


def _calls(db: Database) -> dict[str, dict]:
    """{team: its latest call and how many follow-ups are open}."""
    found: dict[str, dict] = {}
    for row in db.query("""
            SELECT c.team, c.id, c.called_utc, c.outcome, c.note, u.username AS caller,
                   (SELECT count(*) FROM team_calls o
                    WHERE o.follow_up_open = 1 AND o.team = c.team) AS open_follow_ups
            FROM team_calls c JOIN users u ON u.id = c.caller_id
            WHERE c.id = (SELECT id FROM team_calls l WHERE l.team = c.team
                          ORDER BY l.called_utc DESC, l.id DESC LIMIT 1)"""):
        found[row["team"]] = row
    return found


def _last_checkins(db: Database, now: str) -> dict[str, dict]:
    """{team: its newest check-in by ``now``, with its station's number}."""
    rows = db.query("""
        SELECT c.team, c.kind, c.note, c.occurred_utc, c.timezone, s.number AS station_number
        FROM (SELECT DISTINCT team FROM checkins) t
        JOIN checkins c ON c.id = (SELECT id FROM checkins x
                                   WHERE x.team = t.team AND x.occurred_utc <= :now
                                   ORDER BY x.occurred_utc DESC, x.id DESC LIMIT 1)
        LEFT JOIN stations s ON s.id = c.station_id""", {"now": now})
    return {row["team"]: row for row in rows}


def _region_zones(db: Database) -> dict[str, str]:
    """Each region's zone: the one most of its stations keep."""
    rows = db.execute("SELECT region, timezone, count(*) AS n FROM stations"
                      " GROUP BY region, timezone ORDER BY n")
    return {region: zone for region, zone, _n in rows}  # the commonest comes last


def _due(purpose: str, planned: str | None, zone: str, day: date, polls_close: time,
         late_after: int) -> datetime:
    """When a planned visit's checklist is due (see the rules at the top)."""
    if purpose == "opening":
        return _utc(day, OPENING_DUE, zone)
    if purpose == "voting":
        if planned:
            hours, minutes = (int(part) for part in planned.split(":"))
            return _utc(day, time(hours, minutes), zone) + timedelta(minutes=late_after)
        return _utc(day, polls_close, zone)
    return _utc(day + timedelta(days=1), time(0), zone)


def teams_board(db: Database, day: date, now: datetime, *, polls: tuple[time, time],
                late_after: int, mission_zone: str) -> list[dict]:
    """Every team for ``day`` as of ``now``, the teams needing a call first.

    Each: team, region, districts, phones (a list), last_utc, minutes_since,
    by_type {type: {expected, done, filed}}, overdue (planned visits due and not
    done), off_area, unread, call (the latest, with open_follow_ups), checkin (the
    latest), flags
    (late, missing, off_area) and state (the first flag, else on_plan).
    """
    now_text = to_iso(now)
    windows = zone_windows(db, day)
    bounds = {"zones": json.dumps(windows), "now": now_text,
              "lo": min((w[0] for w in windows.values()), default=""),
              "hi": max((w[1] for w in windows.values()), default=""), "day": day.isoformat()}
    late = timedelta(minutes=late_after)
    teams = _teams(db, now_text)
    for team in teams:
        team["districts"] = json.loads(team["districts"] or "[]")
    filed: dict[tuple[str, str], int] = {}
    off_area: dict[str, int] = {}
    plan: dict[str, list[tuple]] = {}
    dues: dict[tuple, datetime] = {}  # a few dozen distinct (purpose, time, zone)
    for what, team, kind, n, planned, zone in _day_visits(db, bounds):
        if what == "filed":
            filed[team, kind] = n
            continue
        if what == "off":
            off_area[team] = n
            continue
        purpose, made = kind, n
        due = dues.get((purpose, planned, zone))
        if due is None:
            due = dues[purpose, planned, zone] = _due(purpose, planned, zone, day, polls[1],
                                                      late_after)
        plan.setdefault(team, []).append((purpose, made, due))
    unread, calls, zones = _unread(db, now_text), _calls(db), _region_zones(db)
    checked_in = _last_checkins(db, now_text)
    board = []
    for team in teams:
        name = team["team"]
        # fromisoformat reads the stored "...Z" text 20 times faster than strptime.
        last = datetime.fromisoformat(team["last_utc"]) if team["last_utc"] else None
        by_type = {kind: {"expected": 0, "done": 0, "filed": filed.get((name, kind), 0)}
                   for kind in TYPES}
        overdue = 0
        for purpose, made, due in plan.get(name, ()):
            figures = by_type[purpose]
            figures["expected"] += 1
            figures["done"] += made
            overdue += not made and due <= now
        zone = zones.get(team["region"] or "", mission_zone)
        flags = []
        opened, closed = _utc(day, polls[0], zone), _utc(day, polls[1], zone)
        if opened <= now < closed and now - max(last or opened, opened) >= late:
            flags.append("late")
        if overdue:
            flags.append("missing")
        if off_area.get(name):
            flags.append("off_area")
        board.append({**team, "phones": phone_numbers(team["phones"]), "last_utc": team["last_utc"]
                      or None, "minutes_since": int((now - last).total_seconds() // 60)
                      if last else None, "by_type": by_type, "overdue": overdue,
                      "off_area": off_area.get(name, 0), "unread": unread.get(name, 0),
                      "call": calls.get(name), "checkin": checked_in.get(name),
                      "flags": flags,
                      "state": flags[0] if flags else "on_plan"})
    board.sort(key=lambda t: (STATES.index(t["state"]), t["last_utc"] or "", t["team"]))
    return board


class Phone(NamedTuple):
    """A phone number as typed, and what a tel: link dials."""

    shown: str
    dial: str


@lru_cache(maxsize=4096)  # a team's phones change seldom; the list asks every 30 s
def phone_numbers(text: str) -> tuple[Phone, ...]:
    """The phones as typed ("+7 701 123 4567, +7 777 ..."), each with what a tel: link dials."""
    numbers = []
    for part in text.replace(";", ",").split(","):
        shown = part.strip()
        dial = _NOT_DIALLED.sub("", shown)
        if dial.strip("+"):
            numbers.append(Phone(shown, dial))
    return tuple(numbers)


def log_call(db: Database, team: str, caller_id: int, called_utc: str, outcome: str,
             note: str, follow_up: bool) -> int:
    """Record a call to a team (kept open as a follow-up when asked); its id."""
    with writing(db):
        return db.execute(
            "INSERT INTO team_calls (team, caller_id, called_utc, outcome, note, follow_up_open)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [team, caller_id, called_utc, outcome, note, int(follow_up)]).lastrowid


def close_call(db: Database, call_id: int, closed_utc: str) -> bool:
    """Mark a call's follow-up done; False when there is no such open follow-up."""
    with writing(db):
        changed = db.execute("UPDATE team_calls SET follow_up_open = 0, closed_utc = ?"
                             " WHERE id = ? AND follow_up_open = 1", [closed_utc, call_id])
    return changed.rowcount == 1


def open_follow_ups(db: Database) -> list[dict]:
    """Calls kept open as follow-ups, oldest first, with who called."""
    return list(db.query(
        "SELECT c.id, c.team, c.called_utc, c.outcome, c.note, u.username AS caller"
        " FROM team_calls c JOIN users u ON u.id = c.caller_id"
        " WHERE c.follow_up_open = 1 ORDER BY c.called_utc, c.id"))


def known_team(db: Database, team: str) -> bool:
    """True for a team of the teams table or of an observer."""
    return db.execute("SELECT 1 FROM teams WHERE team = ? UNION SELECT 1 FROM users"
                      " WHERE team = ? AND role = 'observer'", [team, team]).fetchone() is not None


def coverage_by_region(db: Database, day: date) -> list[dict]:
    """Per region, the day's planned visits: planned, visited (done) and not visited."""
    windows = zone_windows(db, day)
    bounds = {"zones": json.dumps(windows), "day": day.isoformat()}
    return list(db.query(f"""
        WITH {_ZONES},
        visits AS (
            SELECT s.region, EXISTS (
                SELECT 1 FROM checklists c
                WHERE c.team = p.team AND c.station_id = p.station_id
                  AND c.form_type = p.purpose AND c.arrival_utc >= z.lo
                  AND c.arrival_utc < z.hi) AS done
            FROM plan_visits p JOIN stations s ON s.id = p.station_id
            JOIN zones z ON z.tz = s.timezone WHERE p.day = :day)
        SELECT region, count(*) AS planned, sum(done) AS visited,
               count(*) - sum(done) AS not_visited
        FROM visits GROUP BY region ORDER BY region""", bounds))

