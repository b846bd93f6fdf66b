"""Render time of the control room at 800 teams and 50,000 checklists, against a bare page.

Run from the project root:

    .venv/bin/python bench/control_room.py [--stations 4000] [--checklists 50000] \\
        [--requests 30] [--warmup 3] [--db PATH]

It builds the demo mission (``models.demo.generate``: 4,000 stations give 800
teams of two, each filing about 62 of the 50,000 checklists) into a fresh
migrated SQLite file in a temporary folder (or into --db PATH, reused when it
already holds a mission), then gives every team its area (its region, a
third of them some districts only) and phones, a deployment plan made of
about eleven of the visits it really made on election day (the opening, eight
voting visits, the count and the tabulation) and, for one team in seven, a
visit it did not make (so "missing" has work to do), 5,000 check-ins, 20 messages read
by half the observers and 400 calls. The clock of the page is set to
14:00 in Almaty on election day, while polls are open.

Then, logged in as coordinator1 through the Flask test client, it times in
the same run: a logged-in page with the site's layout and nothing else (the
floor of any page), ``/control?day=2023-03-19`` (the whole page, 800 rows)
and ``/control/teams`` (the fragment the page fetches every 30 s), and each
part of models.control_room.teams_board. Prints medians, p90 and the ratio to
the bare page. Target: the page in ≤ 150 ms.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mission  # noqa: E402  (bench/, the script's folder)
from dashboard import _add_baseline_page, p90, page  # noqa: E402  (bench/dashboard.py)

from app import create_app  # noqa: E402
from models import control_room, demo  # noqa: E402
from models.clock import utc_to_local  # noqa: E402
from models.db import connect, writing  # noqa: E402

TARGET_MS = 150
DAY = demo.ELECTION_DAY
# 14:00 in Almaty (UTC+6 in 2023): polls open everywhere, the plan half done.
NOW = datetime(2023, 3, 19, 8, 0, tzinfo=timezone.utc)
POLLS = (datetime.strptime("07:00", "%H:%M").time(), datetime.strptime("20:00", "%H:%M").time())


def timed(call: Callable[[], object], runs: int, warmup: int,
          cpu: list[float] | None = None) -> list[float]:
    """Milliseconds of ``runs`` calls after ``warmup`` untimed ones (wall clock).

    ``cpu`` collects this process's CPU milliseconds per call: on a machine
    shared with other work the wall clock waits for the CPU, this does not.
    """
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - used) * 1000)
    return times


def build(path: str, station_count: int, checklist_count: int) -> None:
    """Migrate, fill with the demo mission, then add areas, plans, check-ins, messages, calls."""
    mission.demo_database(path, station_count, checklist_count, _control_room_data)


def _control_room_data(db) -> None:
    rng = random.Random(14)
    teams = db.execute("SELECT team, min(region), min(id) FROM users WHERE role = 'observer'"
                       " GROUP BY team").fetchall()
    by_region: dict[str, list[tuple]] = {}
    for row in db.execute("SELECT id, region, district, timezone FROM stations"):
        by_region.setdefault(row[1], []).append(row)
    coordinator = db.execute("SELECT id FROM users WHERE role = 'coordinator'").fetchone()[0]
    with writing(db):
        for team, region, _author in teams:
            districts = sorted({s[2] for s in by_region[region]})
            chosen = rng.sample(districts, max(1, len(districts) // 2)) \
                if rng.random() < 0.33 else []
            db.execute("INSERT INTO teams (team, region, districts, phones) VALUES (?, ?, ?, ?)",
                       [team, region, json.dumps(chosen),
                        f"+7 701 {rng.randint(100, 999)} {rng.randint(1000, 9999)}, "
                        f"+7 777 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"])
        plan = []
        for team, region, _author in teams:
            visits = db.execute("SELECT station_id, form_type, arrival_utc, timezone FROM"
                                " checklists WHERE team = ? ORDER BY arrival_utc", [team])
            made = [(station_id, form_type, utc_to_local(arrival, zone))
                    for station_id, form_type, arrival, zone in visits]
            made = [visit for visit in made if visit[2].date() == DAY]
            # A day's plan as ODIHR draws it: the opening, about eight voting visits,
            # the count and the tabulation (the demo files far more than a plan holds).
            chosen = [v for v in made if v[1] == "opening"][:1] + \
                [v for v in made if v[1] == "voting"][::6][:8] + \
                [v for v in made if v[1] in ("counting", "tabulation")][:2]
            chosen.sort(key=lambda visit: visit[2])
            for position, (station_id, form_type, local) in enumerate(chosen, 1):
                plan.append((team, DAY.isoformat(), position, station_id, form_type,
                             local.strftime("%H:%M") if form_type == "voting" else None))
            if rng.random() < 0.15:  # one team in seven: a visit planned and not made
                plan.append((team, DAY.isoformat(), len(chosen) + 1,
                             rng.choice(by_region[region])[0], "voting", "10:00"))
        db.conn.executemany("INSERT INTO plan_visits (team, day, position, station_id, purpose,"
                            " planned_time) VALUES (?, ?, ?, ?, ?, ?)", plan)
        checkins = []
        for n in range(5000):
            team, region, author = rng.choice(teams)
            station = rng.choice(by_region[region])
            checkins.append((f"bench-checkin-{n}", team, author,
                             rng.choice(("arrived", "leaving", "safe")), station[0],
                             f"2023-03-19T{rng.randint(1, 7):02d}:{rng.randint(0, 59):02d}:00Z",
                             station[3]))
        db.conn.executemany("INSERT INTO checkins (uuid, team, author_id, kind, station_id,"
                            " occurred_utc, timezone, created_utc)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?6)", checkins)
        regions = list(by_region)
        for n in range(20):
            audience = ("all", "region", "team")[n % 3]
            target = None if audience == "all" else rng.choice(regions) \
                if audience == "region" else rng.choice(teams)[0]
            message = db.execute("INSERT INTO team_messages (author_id, audience, target, body,"
                                 " sent_utc) VALUES (?, ?, ?, ?, ?)",
                                 [coordinator, audience, target, f"Message {n}",
                                  f"2023-03-19T0{n % 8}:00:00Z"]).lastrowid
            db.execute("INSERT INTO message_reads (message_id, user_id, read_utc)"
                       " SELECT ?, id, '2023-03-19T08:00:00Z' FROM users"
                       " WHERE role = 'observer' AND id % 2 = 0", [message])
        db.conn.executemany(
            "INSERT INTO team_calls (team, caller_id, called_utc, outcome, note, follow_up_open)"
            " VALUES (?, ?, ?, ?, 'Bench call', ?)",
            [(rng.choice(teams)[0], coordinator, f"2023-03-19T0{rng.randint(2, 7)}:00:00Z",
              rng.choice(control_room.OUTCOMES), rng.random() < 0.3) for _ in range(400)])


def measure(path: str, runs: int, warmup: int) -> dict[str, float]:
    """Time the bare page, the control room and its fragment, then each SQL part."""
    app = create_app({"DATABASE": path, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "MISSION_TIMEZONE": "Asia/Almaty"})
    _add_baseline_page(app)
    import views.control_room as view
    view.utc_now = lambda: NOW  # the page as it stands at 14:00 on election day
    client = app.test_client()
    login = client.post("/login", data={"username": "coordinator1", "password": demo.PASSWORD})
    assert login.status_code == 302, login.status_code
    day = DAY.isoformat()
    cpu: dict[str, list[float]] = {}
    rows = []
    for name, url, expect in (("baseline: GET /bench/baseline", "/bench/baseline", "Baseline"),
                              (f"GET /control?day={day}", f"/control?day={day}", 'id="board"'),
                              (f"GET /control/teams?day={day}", f"/control/teams?day={day}",
                               'id="board"')):
        rows.append((name, timed(page(client, url, expect), runs, warmup,
                                 cpu.setdefault(name, []))))
    db = connect(path)
    teams = control_room.teams_board(db, DAY, NOW, polls=POLLS, late_after=90,
                                     mission_zone="Asia/Almaty")
    counts = {state: sum(t["state"] == state for t in teams) for state in control_room.STATES}
    checklists = db.execute("SELECT count(*) FROM checklists").fetchone()[0]
    print(f"\n{len(teams)} teams, {checklists:,} checklists; states at 14:00 Almaty: {counts}")
    print(f"\n{'':44}{'median':>9}{'p90':>9}{'CPU':>9}   (ms, {runs} requests after "
          f"{warmup} warm-up; CPU: this process's, median)")
    for name, times in rows:
        print(f"  {name:42}{statistics.median(times):9.1f}{p90(times):9.1f}"
              f"{statistics.median(cpu[name]):9.1f}")
    windows = control_room.zone_windows(db, DAY)
    bounds = {"zones": json.dumps(windows), "now": "2023-03-19T08:00:00Z",
              "lo": min(w[0] for w in windows.values()),
              "hi": max(w[1] for w in windows.values()), "day": DAY.isoformat()}
    parts = {
        "teams_board (all of it)": lambda: control_room.teams_board(
            db, DAY, NOW, polls=POLLS, late_after=90, mission_zone="Asia/Almaty"),
        "_teams (last contact)": lambda: control_room._teams(db, bounds["now"]),
        "_day_visits (checklists, plan)": lambda: control_room._day_visits(db, bounds),
        "_unread": lambda: control_room._unread(db, bounds["now"]),
        "_calls": lambda: control_room._calls(db),
        "_last_checkins": lambda: control_room._last_checkins(db, bounds["now"]),
        "coverage_by_region (dashboard)": lambda: control_room.coverage_by_region(db, DAY),
    }
    print("\n  models.control_room, median ms:")
    for name, call in parts.items():
        print(f"    {name:34}{statistics.median(timed(call, runs, warmup)):8.2f}")
    db.close()
    return {**{name: statistics.median(times) for name, times in rows},
            **{f"cpu {name}": statistics.median(times) for name, times in cpu.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=4000)
    parser.add_argument("--checklists", type=int, default=50000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--db", help="build into (or reuse) this file instead of a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or str(Path(folder) / "bench.sqlite")
        build(path, args.stations, args.checklists)
        medians = measure(path, args.requests, args.warmup)
    key, base = f"GET /control?day={DAY.isoformat()}", "baseline: GET /bench/baseline"
    verdict = "OK" if medians[key] <= TARGET_MS else "OVER TARGET"
    print(f"\ncontrol room median {medians[key]:6.1f} ms = "
          f"{medians[key] / medians[base]:.1f} × a bare logged-in page "
          f"({medians[base]:.1f} ms); target ≤ {TARGET_MS} ms: {verdict}")
    print(f"CPU time of this process: {medians['cpu ' + key]:.1f} ms = "
          f"{medians['cpu ' + key] / medians['cpu ' + base]:.1f} × the bare page's "
          f"({medians['cpu ' + base]:.1f} ms); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
