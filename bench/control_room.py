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
from models.db import connect  # noqa: E402
from models.demo_control import Amounts, generate_control_room  # noqa: E402

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
    """At the bench's scale: 5,000 check-ins, 20 messages (half read), 400 calls more."""
    generate_control_room(db, random.Random(14), DAY,
                          Amounts(checkins=5000, messages=20, calls=400))


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
