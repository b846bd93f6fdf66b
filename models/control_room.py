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
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlite_utils import Database

from models.clock import from_iso, local_to_utc, to_iso
from models.db import writing
from models.definitions import TYPES

STATES = ("late", "missing", "off_area", "on_plan")  # the order teams are listed in
OPENING_DUE = time(8, 30)
OUTCOMES = ("reached", "no_answer", "left_message")
CALL_NOTE_MAX = 300


@lru_cache(maxsize=4096)
def _utc(day: date, at: time, zone: str) -> datetime:
    return local_to_utc(day, at, zone)


def zone_windows(db: Database, day: date) -> dict[str, tuple[str, str]]:
    """Every station zone's local ``day`` as UTC bounds [start, end)."""
    zones = [r[0] for r in db.execute("SELECT DISTINCT timezone FROM stations")]
    return {zone: (to_iso(_utc(day, time(0), zone)),
                   to_iso(_utc(day + timedelta(days=1), time(0), zone))) for zone in zones}


_ZONES = ("zones(tz, lo, hi) AS (SELECT key, json_extract(value, '$[0]'),"
          " json_extract(value, '$[1]') FROM json_each(:zones))")
# The day's checklists of each team, in their station's local day: read from
# the covering index checklists_team_day.
_DAY_CHECKLISTS = _ZONES + """,
    day_checklists AS (
        SELECT c.team, c.station_id, c.form_type FROM checklists c
        JOIN zones z ON z.tz = c.timezone
        WHERE c.arrival_utc >= :lo AND c.arrival_utc < :hi
          AND c.arrival_utc >= z.lo AND c.arrival_utc < z.hi)"""


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


def _plan(db: Database, day: date, bounds: dict) -> list[dict]:
    """The day's planned visits, each with its station's zone and whether it is done."""
    return list(db.query(f"""
        WITH {_ZONES}
        SELECT p.team, p.purpose, p.planned_time, s.timezone,
               EXISTS (SELECT 1 FROM checklists c
                       WHERE c.team = p.team AND c.arrival_utc >= z.lo AND c.arrival_utc < z.hi
                         AND c.station_id = p.station_id AND c.form_type = p.purpose) AS done
        FROM plan_visits p JOIN stations s ON s.id = p.station_id
        JOIN zones z ON z.tz = s.timezone
        WHERE p.day = :day""", bounds | {"day": day.isoformat()}))


def _filed(db: Database, bounds: dict) -> dict[tuple[str, str], int]:
    """{(team, form_type): checklists filed that day}."""
    rows = db.execute(f"WITH {_DAY_CHECKLISTS} SELECT team, form_type, count(*)"
                      " FROM day_checklists GROUP BY team, form_type", bounds)
    return {(team, kind): n for team, kind, n in rows}


def _off_area(db: Database, bounds: dict) -> dict[str, int]:
    """{team: stations outside its area where it filed or checked in that day}."""
    rows = db.execute(f"""
        WITH {_DAY_CHECKLISTS},
        visited(team, station_id) AS (
            SELECT team, station_id FROM day_checklists
            UNION SELECT c.team, c.station_id FROM checkins c JOIN zones z ON z.tz = c.timezone
                  WHERE c.station_id IS NOT NULL AND c.occurred_utc >= z.lo
                    AND c.occurred_utc < z.hi
            UNION SELECT i.team, i.station_id FROM incidents i JOIN zones z ON z.tz = i.timezone
                  WHERE i.station_id IS NOT NULL AND i.occurred_utc >= z.lo
                    AND i.occurred_utc < z.hi)
        SELECT v.team, count(*) FROM visited v JOIN teams t ON t.team = v.team
        JOIN stations s ON s.id = v.station_id
        WHERE t.region IS NOT NULL AND t.region != ''
          AND (s.region != t.region OR (t.districts NOT IN ('', '[]') AND s.district NOT IN
               (SELECT value FROM json_each(t.districts))))
        GROUP BY v.team""", bounds)
    return dict(rows.fetchall())


def _unread(db: Database, now: str) -> dict[str, int]:
    """{team: messages addressed to it (all, its region, the team) a member has not confirmed}.

    Counted per member: two members who have not read one message make 2.
    """
    rows = db.execute("""
        SELECT u.team, count(*) FROM users u
        LEFT JOIN teams t ON t.team = u.team
        JOIN team_messages m ON m.sent_utc <= :now AND (
             m.audience = 'all' OR (m.audience = 'team' AND m.target = u.team)
             OR (m.audience = 'region' AND m.target = coalesce(t.region, u.region)))
        WHERE u.role = 'observer' AND u.active = 1 AND u.team IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM message_reads r
                          WHERE r.message_id = m.id AND r.user_id = u.id)
        GROUP BY u.team""", {"now": now})
    return dict(rows.fetchall())


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


def _region_zones(db: Database) -> dict[str, str]:
    """Each region's zone: the one most of its stations keep."""
    rows = db.execute("SELECT region, timezone, count(*) AS n FROM stations"
                      " GROUP BY region, timezone ORDER BY n")
    return {region: zone for region, zone, _n in rows}  # the commonest comes last


def _due(visit: dict, day: date, polls_close: time, late: timedelta) -> datetime:
    zone = visit["timezone"]
    if visit["purpose"] == "opening":
        return _utc(day, OPENING_DUE, zone)
    if visit["purpose"] == "voting":
        planned = visit["planned_time"]
        if planned:
            hours, minutes = (int(part) for part in planned.split(":"))
            return _utc(day, time(hours, minutes), zone) + late
        return _utc(day, polls_close, zone)
    return _utc(day + timedelta(days=1), time(0), zone)


def teams_board(db: Database, day: date, now: datetime, *, polls: tuple[time, time],
                late_after: int, mission_zone: str) -> list[dict]:
    """Every team for ``day`` as of ``now``, the teams needing a call first.

    Each: team, region, districts, phones (a list), last_utc, minutes_since,
    by_type {type: {expected, done, filed}}, overdue (planned visits due and not
    done), off_area, unread, call (the latest, with open_follow_ups), flags
    (late, missing, off_area) and state (the first flag, else on_plan).
    """
    now_text = to_iso(now)
    windows = zone_windows(db, day)
    bounds = {"zones": json.dumps(windows), "now": now_text,
              "lo": min((w[0] for w in windows.values()), default=""),
              "hi": max((w[1] for w in windows.values()), default="")}
    late = timedelta(minutes=late_after)
    plan: dict[str, list[dict]] = {}
    for visit in _plan(db, day, bounds):
        plan.setdefault(visit["team"], []).append(visit)
    filed, off_area = _filed(db, bounds), _off_area(db, bounds)
    unread, calls, zones = _unread(db, now_text), _calls(db), _region_zones(db)
    board = []
    for team in _teams(db, now_text):
        name = team["team"]
        last = from_iso(team["last_utc"]) if team["last_utc"] else None
        by_type = {kind: {"expected": 0, "done": 0, "filed": filed.get((name, kind), 0)}
                   for kind in TYPES}
        overdue = 0
        for visit in plan.get(name, []):
            figures = by_type.setdefault(visit["purpose"], {"expected": 0, "done": 0,
                                                            "filed": 0})
            figures["expected"] += 1
            figures["done"] += visit["done"]
            overdue += not visit["done"] and _due(visit, day, polls[1], late) <= now
        zone = zones.get(team["region"] or "", mission_zone)
        flags = []
        opened, closed = _utc(day, polls[0], zone), _utc(day, polls[1], zone)
        if opened <= now < closed and now - max(last or opened, opened) >= late:
            flags.append("late")
        if overdue:
            flags.append("missing")
        if off_area.get(name):
            flags.append("off_area")
        board.append({**team, "districts": json.loads(team["districts"] or "[]"),
                      "phones": phone_numbers(team["phones"]), "last_utc": team["last_utc"]
                      or None, "minutes_since": int((now - last).total_seconds() // 60)
                      if last else None, "by_type": by_type, "overdue": overdue,
                      "off_area": off_area.get(name, 0), "unread": unread.get(name, 0),
                      "call": calls.get(name), "flags": flags,
                      "state": flags[0] if flags else "on_plan"})
    board.sort(key=lambda t: (STATES.index(t["state"]), t["last_utc"] or "", t["team"]))
    return board


def phone_numbers(text: str) -> list[dict]:
    """The phones as typed ("+7 701 123 4567, +7 777 ...") with what a tel: link dials."""
    numbers = []
    for part in text.replace(";", ",").split(","):
        shown = part.strip()
        dial = "".join(ch for ch in shown if ch.isdigit() or ch == "+")
        if dial.strip("+"):
            numbers.append({"shown": shown, "dial": dial})
    return numbers


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
                WHERE c.team = p.team AND c.arrival_utc >= z.lo AND c.arrival_utc < z.hi
                  AND c.station_id = p.station_id AND c.form_type = p.purpose) AS done
            FROM plan_visits p JOIN stations s ON s.id = p.station_id
            JOIN zones z ON z.tz = s.timezone WHERE p.day = :day)
        SELECT region, count(*) AS planned, sum(done) AS visited,
               count(*) - sum(done) AS not_visited
        FROM visits GROUP BY region ORDER BY region""", bounds))

