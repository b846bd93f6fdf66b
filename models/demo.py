"""A realistic synthetic mission for demos and benchmarks: Kazakhstan, 19 March 2023.

``flask --app app demo`` fills an empty database with polling stations in the
20 regions, teams of two observers, coordinators, the CEC liaison, an admin,
and checklists filed through election day and night. Everything is drawn from
one seeded ``random.Random``: the same seed gives the same mission.
"""

import math
import random
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlite_utils import Database

from models import candidates, contests, entries, flags, protocols, stations, users
from models.checklists import CHECKLISTS, Filing
from models.clock import local_to_utc, to_iso
from models.db import writing
from models.definitions import Definition, by_type
from models.demo_answers import answers_for, overall_for
from models.demo_control import generate_control_room
from models.demo_incidents import generate_incidents
from models.demo_meetings import generate_meetings
from models.demo_protocols import protocol_for
from models.demo_stations import apportion, registry

PASSWORD = "observe2023"
# Invented names, marked "(demo)": three or four per single-member district.
DEMO_CANDIDATES = Path(__file__).parent / "contests" / "demo_candidates.csv"
SEED = 2023
ELECTION_DAY = date(2023, 3, 19)
# About ODIHR's 2023 mix (117 opening, 1,201 voting, 128 counting, 47 tabulation).
TYPE_SHARES = {"opening": 0.10, "voting": 0.75, "counting": 0.10, "tabulation": 0.05}
# Per type, in local minutes from midnight of election day: the span a team's
# visits of that type share, how long a visit lasts, and at most how long after
# its slot opens a team arrives (None: any time). Observers arrive before the
# 07:00 opening and the 20:00 close, but drop in at any time during voting.
WINDOWS = {"opening": (390, 480, (45, 80), 25), "voting": (480, 1170, (15, 45), None),
           "counting": (1185, 1530, (150, 300), 15), "tabulation": (1320, 1800, (60, 180), 90)}
TRAVEL = 15  # minutes between two stations, at least
STATIONS_PER_TEAM = 5
# An international mission fields a few hundred teams; a domestic network of
# 2,000 pairs already covers every station of a 10,000-station election.
MAX_TEAMS = 2000
OBSERVERS_SHOWN = 6


def generate(db: Database, station_count: int, checklist_count: int,
             seed: int = SEED) -> dict:
    """Fill an empty (migrated, user-less) database; return a summary with the logins.

    Stations go in through ``stations.upsert`` (its own transaction, and
    idempotent on the station number, so a failed run can simply be repeated);
    users, checklists and their first versions then go in one transaction.
    """
    rng = random.Random(seed)
    rows, commissions = registry(station_count, rng)
    stations.upsert(db, rows)
    _candidates(db)
    # One query for every id, instead of one look-up per checklist.
    ids = {number: sid for sid, number in db.execute("SELECT id, number FROM stations")}
    teams = _teams(rows, min(station_count, checklist_count), rng)
    # argon2 is slow on purpose: hash once, outside the write lock, and share it.
    hashed = users.hash_password(PASSWORD)
    with writing(db):
        logins = _users(db, teams, hashed)
        filed = _checklists(db, rows, commissions, ids, teams, checklist_count, rng)
        # Drawn after the checklists, so a seed gives the same checklists with or
        # without these.
        by_region: dict[str, list[dict]] = {}
        for row in rows:
            by_region.setdefault(row["region"], []).append(
                {"id": ids[row["number"]], "timezone": row["timezone"]})
        generate_incidents(db, rng, max(1, checklist_count // 50), by_region,
                           {team["name"]: team for team in teams})
        meetings = generate_meetings(db, rng, max(1, min(200, checklist_count // 25)))
        # The rows above went in without the per-save flag computation.
        flags.rebuild(db)
    # The control room's areas, plan, check-ins, messages and calls, after the
    # checklists it is drawn from (its own transaction).
    generate_control_room(db, rng, ELECTION_DAY)
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("stations", "users", "checklists",
                            "incidents", "interactions", "follow_ups", "flags",
                            "candidates")}
    counts["checklist_versions"] = db.execute(
        "SELECT count(*) FROM entry_versions WHERE entry_kind = 'checklist'").fetchone()[0]
    return {"seed": seed, "password": PASSWORD, "logins": logins, "counts": counts,
            "overdue": meetings.get("overdue", 0),
            "teams": len(teams), "regions": len({row["region"] for row in rows}), **filed}


def _candidates(db: Database) -> None:
    """The demo's invented candidates, when the mission is the shipped 2023 one."""
    if contests.mission().path.resolve() != contests.DEFAULT_FILE.resolve():
        return
    written, errors = candidates.import_csv(db, str(DEMO_CANDIDATES))
    if errors:
        raise ValueError(f"{DEMO_CANDIDATES.name}: " + "; ".join(map(str, errors)))


def _teams(rows: list[dict], observed: int, rng: random.Random) -> list[dict]:
    """About one team per five stations observed, each with a region and a route in it."""
    by_region: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_region.setdefault(row["region"], []).append(index)
    wanted = max(1, min(MAX_TEAMS, math.ceil(observed / STATIONS_PER_TEAM)))
    regions = list(by_region)
    teams = []
    for region, n in zip(regions, apportion(wanted, [len(by_region[r]) for r in regions])):
        route_pool = by_region[region][:]
        rng.shuffle(route_pool)
        n = min(n, len(route_pool))  # a team needs at least one station of its own
        for k in range(n):
            teams.append({"name": f"T{len(teams) + 1:03d}", "region": region,
                          "route": route_pool[k::n]})
    return teams


def _users(db: Database, teams: list[dict], hashed: str) -> list[dict]:
    """Create every login (sharing one password hash); return them, staff first."""
    logins = []

    def add(username: str, role: str, team: str | None = None, region: str | None = None):
        user_id = users.create_user(db, username, None, role, team, region, password_hash=hashed)
        logins.append({"username": username, "role": role, "team": team, "region": region})
        return user_id

    add("admin", "admin")
    # Coordinator 1 works mission-wide from the capital, the others in the
    # regions with the most teams.
    busiest = [r for r, _ in Counter(t["region"] for t in teams).most_common()]
    for k in range(min(6, max(2, round(len(teams) / 50)))):
        add(f"coordinator{k + 1}", "coordinator",
            region=busiest[(k - 1) % len(busiest)] if k else None)
    for k in range(1 if len(teams) < 100 else 2):
        add(f"liaison{k + 1}", "liaison")
    for i, team in enumerate(teams):
        team["members"] = [add(f"observer{2 * i + n}", "observer", team["name"], team["region"])
                           for n in (1, 2)]
    return logins


def _checklists(db: Database, rows: list[dict], commissions: list[tuple[str, str]],
                ids: dict[str, int], teams: list[dict], count: int,
                rng: random.Random) -> dict:
    """Insert ``count`` checklists with their first versions; return figures for the summary."""
    definitions = by_type()
    quotas = dict(zip(TYPE_SHARES, apportion(count, list(TYPE_SHARES.values()))))
    # Round-robin over a shuffled order so every team files about as many of each type.
    planned = {(t["name"], kind): 0 for t in teams for kind in TYPE_SHARES}
    for kind, quota in quotas.items():
        order = teams[:]
        rng.shuffle(order)
        for j in range(quota):
            planned[order[j % len(order)]["name"], kind] += 1
    filed = []
    by_district = candidates.by_district(db)
    for team in teams:
        offset = rng.randrange(len(team["route"]))
        free_from = 0  # a team is in one place at a time: each type starts after the last
        for kind in TYPE_SHARES:
            visits = _schedule(kind, planned[team["name"], kind], free_from, rng)
            free_from = max([free_from, *(departure + TRAVEL for _, departure in visits)])
            for arrival, departure in visits:
                offset += 1
                index = team["route"][offset % len(team["route"])]
                station = rows[index]
                visit = {"voters": station["registered_voters"], "arrival": arrival,
                         "departure": departure, "tec": commissions[index]}
                drawn = _filing(definitions[kind], station, ids[station["number"]],
                                team, visit, rng)
                if kind in protocols.PROTOCOL_TYPES:
                    drawn[1].protocol = protocol_for(drawn[1], station, by_district)
                filed.append(drawn)
    # Ids in the order the server would have received them.
    filed.sort(key=lambda entry: entry[0])
    first_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM checklists").fetchone()[0]
    entries.insert_many(db, CHECKLISTS, [
        (entry_id, created, filing, team_name, author_id)
        for entry_id, (created, filing, team_name, author_id) in enumerate(filed, first_id)])
    protocols.write_many(db, [(entry_id, filing.station_id, filing.protocol)
                              for entry_id, (_c, filing, _t, _a) in enumerate(filed, first_id)
                              if filing.protocol])
    per_type = Counter(f.form_type for _, f, _, _ in filed)
    return {"checklists_by_type": {kind: per_type[kind] for kind in TYPE_SHARES},
            "negative": sum(f.overall in ("bad", "very_bad") for _, f, _, _ in filed),
            "serious": sum(f.serious_count > 0 for _, f, _, _ in filed)}


def _schedule(kind: str, n: int, free_from: int,
              rng: random.Random) -> list[tuple[int, int]]:
    """(arrival, departure) in local minutes for a team's ``n`` visits of one type.

    The type's window, from when the team is free, is cut into one slot per
    visit, so a team's visits never overlap and follow one another.
    """
    start, end, (shortest, longest), lead = WINDOWS[kind]
    start = min(max(start, free_from), end - 30)
    slot = (end - start) / n if n else 0
    visits = []
    for i in range(n):
        length = max(1, min(rng.randint(shortest, longest), int(slot) - 1))
        spare = max(0, int(slot) - length)
        if lead is not None:
            spare = min(spare, lead)
        arrival = int(start + i * slot) + rng.randint(0, spare)
        visits.append((arrival, arrival + length))
    return visits


def _filing(definition: Definition, station: dict, station_id: int, team: dict, visit: dict,
            rng: random.Random) -> tuple[str, Filing, str, int]:
    """One visit as (created_utc, filing, team, author id)."""
    overall = overall_for(definition.type, rng)
    answers = answers_for(definition, overall, visit, rng)
    zone = station["timezone"]
    departure = _utc(zone, visit["departure"])
    filing = Filing(
        # Seeded, so the same seed gives the same mission; still a valid version-4 uuid.
        uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        form_type=definition.type, form_version=definition.version, station_id=station_id,
        timezone=zone, arrival_utc=to_iso(_utc(zone, visit["arrival"])),
        departure_utc=to_iso(departure), answers=answers, overall=overall,
        serious_count=len(definition.serious_problems(answers)))
    # Sent when the observers leave, or later where the signal was weak.
    created = to_iso(departure + timedelta(seconds=rng.randint(20, 1800)))
    return created, filing, team["name"], rng.choice(team["members"])


def _utc(zone: str, minutes: int) -> datetime:
    """Local minutes from midnight of election day (past 1440 = next day) to UTC."""
    day = ELECTION_DAY + timedelta(days=minutes // 1440)
    return local_to_utc(day, time(minutes % 1440 // 60, minutes % 60), zone)


def describe(summary: dict) -> str:
    """The summary as text for the terminal: logins first, then the password and counts."""
    staff = [u for u in summary["logins"] if u["role"] != "observer"]
    observers = [u for u in summary["logins"] if u["role"] == "observer"]
    lines = ["Demo mission: early Mazhilis elections, Kazakhstan, 19 March 2023"
             f" (seed {summary['seed']})", "", f"  {'username':<14}{'role':<13}team / region"]
    for user in staff + observers[:OBSERVERS_SHOWN]:
        where = " / ".join(x for x in (user["team"], user["region"]) if x) or "whole mission"
        lines.append(f"  {user['username']:<14}{user['role']:<13}{where}")
    if len(observers) > OBSERVERS_SHOWN:
        lines.append(f"  ... and {len(observers) - OBSERVERS_SHOWN} more observers "
                     f"({observers[0]['username']}..{observers[-1]['username']}, two per team)")
    counts, total = summary["counts"], summary["counts"]["checklists"]
    per_type = ", ".join(f"{kind} {n:,}" for kind, n in summary["checklists_by_type"].items())
    lines += ["", f"Password for every login: {summary['password']}", "",
              f"Stations:   {counts['stations']:,} in {summary['regions']} regions; "
              f"{counts['candidates']:,} invented district candidates",
              f"Users:      {counts['users']:,} ({summary['teams']:,} observer teams of two)",
              f"Checklists: {total:,} ({per_type}); "
              f"{counts['checklist_versions']:,} versions",
              f"Assessed negatively: {summary['negative']:,} "
              f"({100 * summary['negative'] / max(total, 1):.1f}%); "
              f"with serious problems: {summary['serious']:,}",
              f"Incidents:  {counts['incidents']:,}; meetings with commissions: "
              f"{counts['interactions']:,} with {counts['follow_ups']:,} requests and "
              f"answers; automatic flags: {counts['flags']:,}"]
    return "\n".join(lines)
