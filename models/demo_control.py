"""The demo mission's control room: teams' areas and phones, a deployment plan drawn
from the visits the teams really made, check-ins, messages to teams and calls.

Used by ``models.demo.generate`` (a mission to look at with ``make run``) and, at
scale, by bench/control_room.py. The plan follows the filed checklists, so most
teams are on plan; one team in seven has a voting visit planned and not made,
so "missing" shows too.
"""

import json
import random
from dataclasses import dataclass

from sqlite_utils import Database

from models.clock import utc_to_local
from models.db import writing

OUTCOMES = ("reached", "no_answer", "left_message")
# What coordinators write on election day (the demo's own words, in the mission's
# working language).
MESSAGES = ("Send the opening checklist as soon as the station opens.",
            "Counting in Aktobe starts late; stay until the protocol is posted.",
            "Check in when you leave a station: the control room counts on it.")


@dataclass(frozen=True)
class Amounts:
    """How much of each the demo makes (the bench asks for more)."""

    checkins: int = 60
    messages: int = 3
    calls: int = 10


def generate_control_room(db: Database, rng: random.Random, day, amounts: Amounts = Amounts()
                          ) -> None:
    """Areas, phones, plans for ``day``, check-ins, messages (half read) and calls."""
    teams = db.execute("SELECT team, min(region), min(id) FROM users WHERE role = 'observer'"
                       " AND team IS NOT NULL GROUP BY team").fetchall()
    if not teams:
        return
    by_region: dict[str, list[tuple]] = {}
    for row in db.execute("SELECT id, region, district, timezone FROM stations"):
        by_region.setdefault(row[1], []).append(row)
    coordinator = db.execute("SELECT id FROM users WHERE role = 'coordinator'").fetchone()[0]
    with writing(db):
        _areas(db, rng, teams, by_region)
        _plans(db, rng, teams, by_region, day)
        _checkins(db, rng, teams, by_region, day, amounts.checkins)
        _messages(db, rng, teams, list(by_region), coordinator, day, amounts.messages)
        db.conn.executemany(
            "INSERT INTO team_calls (team, caller_id, called_utc, outcome, note, follow_up_open)"
            " VALUES (?, ?, ?, ?, '', ?)",
            [(rng.choice(teams)[0], coordinator, f"{day}T0{rng.randint(2, 7)}:00:00Z",
              rng.choice(OUTCOMES), rng.random() < 0.3) for _ in range(amounts.calls)])


def _areas(db, rng, teams, by_region) -> None:
    for team, region, _author in teams:
        districts = sorted({s[2] for s in by_region[region]})
        chosen = rng.sample(districts, max(1, len(districts) // 2)) \
            if rng.random() < 0.33 else []
        db.execute("INSERT INTO teams (team, region, districts, phones) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (team) DO NOTHING",
                   [team, region, json.dumps(chosen),
                    f"+7 701 {rng.randint(100, 999)} {rng.randint(1000, 9999)}, "
                    f"+7 777 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"])


def _plans(db, rng, teams, by_region, day) -> None:
    plan = []
    for team, region, _author in teams:
        visits = db.execute("SELECT station_id, form_type, arrival_utc, timezone FROM"
                            " checklists WHERE team = ? ORDER BY arrival_utc", [team])
        made = [(station_id, form_type, utc_to_local(arrival, zone))
                for station_id, form_type, arrival, zone in visits]
        made = [visit for visit in made if visit[2].date() == day]
        # A day's plan as ODIHR draws it: the opening, about eight voting visits,
        # the count and the tabulation (the demo files far more than a plan holds).
        chosen = [v for v in made if v[1] == "opening"][:1] + \
            [v for v in made if v[1] == "voting"][::6][:8] + \
            [v for v in made if v[1] in ("counting", "tabulation")][:2]
        chosen.sort(key=lambda visit: visit[2])
        for position, (station_id, form_type, local) in enumerate(chosen, 1):
            plan.append((team, day.isoformat(), position, station_id, form_type,
                         local.strftime("%H:%M") if form_type == "voting" else None))
        if rng.random() < 0.15:  # one team in seven: a visit planned and not made
            plan.append((team, day.isoformat(), len(chosen) + 1,
                         rng.choice(by_region[region])[0], "voting", "10:00"))
    db.conn.executemany("INSERT OR IGNORE INTO plan_visits (team, day, position, station_id,"
                        " purpose, planned_time) VALUES (?, ?, ?, ?, ?, ?)", plan)


def _checkins(db, rng, teams, by_region, day, count: int) -> None:
    rows = []
    for n in range(count):
        team, region, author = rng.choice(teams)
        station = rng.choice(by_region[region])
        rows.append((f"demo-checkin-{n}", team, author, rng.choice(("arrived", "leaving", "safe")),
                     station[0], f"{day}T{rng.randint(1, 7):02d}:{rng.randint(0, 59):02d}:00Z",
                     station[3]))
    db.conn.executemany("INSERT OR IGNORE INTO checkins (uuid, team, author_id, kind, station_id,"
                        " occurred_utc, timezone, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?6)",
                        rows)


def _messages(db, rng, teams, regions, coordinator, day, count: int) -> None:
    for n in range(count):
        audience = ("all", "region", "team")[n % 3]
        target = None if audience == "all" else rng.choice(regions) \
            if audience == "region" else rng.choice(teams)[0]
        message = db.execute("INSERT INTO team_messages (author_id, audience, target, body,"
                             " sent_utc) VALUES (?, ?, ?, ?, ?)",
                             [coordinator, audience, target, MESSAGES[n % len(MESSAGES)],
                              f"{day}T0{n % 8}:00:00Z"]).lastrowid
        db.execute("INSERT INTO message_reads (message_id, user_id, read_utc)"
                   f" SELECT ?, id, '{day}T08:00:00Z' FROM users"
                   " WHERE role = 'observer' AND id % 2 = 0", [message])
