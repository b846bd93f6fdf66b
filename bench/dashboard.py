"""Render time of the coordinator dashboard at 50,000 checklists, against a trivial baseline.

Run from the project root:

    .venv/bin/python bench/dashboard.py [--stations 10000] [--checklists 50000] \\
        [--requests 30] [--warmup 3] [--audit-records 100000] [--db PATH]

It builds the demo mission (``flask demo --stations 10000 --checklists
50000``: models.demo.generate into a fresh migrated SQLite file in a
temporary folder, or into --db PATH, reused when it already holds a
mission), moves a share of the checklists through review (some rejected, so
the "not rejected" filters have work to do) and adds incidents, meetings and
follow-ups. Then, logged in as coordinator1 through the Flask test client,
it times the dashboard page for election day (most checklists were received
that day: the busiest "received" count) and for today, and two baselines in
the same run: a bare ``SELECT count(*) FROM checklists`` and a logged-in page
with the site's layout and nothing else (added by this script; the review
list ``/review?page=1`` is timed too when it answers). Each aggregate query
of models.dashboard is timed on its own, slowest first, with its query plan.
The aggregates rely on the covering indexes of migration m007.
Finally the audit log is grown to --audit-records records (default 100,000)
and the chain walk behind ``flask verify-audit`` and /audit/verify is timed
with the audit page itself.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mission  # noqa: E402  (bench/, the script's folder)

from app import create_app  # noqa: E402
from models import audit, dashboard, demo  # noqa: E402
from models.db import connect, writing  # noqa: E402

TARGET_MS = 300
ELECTION_DAY = demo.ELECTION_DAY.isoformat()
ZONE = "Asia/Almaty"


def build(path: str, station_count: int, checklist_count: int) -> None:
    """Migrate, fill with the demo mission, then add review states and other entries."""
    mission.demo_database(path, station_count, checklist_count, _reviews_and_meetings)


def _reviews_and_meetings(db, incident_count: int = 2000, meeting_count: int = 300) -> None:
    """Review states on checklists; incidents, meetings and their follow-ups."""
    rng = random.Random(3)
    teams = db.execute("SELECT DISTINCT team, author_id FROM checklists"
                       " GROUP BY team").fetchall()
    station_rows = db.execute("SELECT id, region, timezone FROM stations").fetchall()
    states = ("submitted",) * 10 + ("verified",) * 7 + ("needs_clarification", "rejected")
    severities = ("low", "medium", "medium", "high", "critical")
    with writing(db):
        # 1 in 19 rejected, over a third verified: the mix of a morning after.
        db.execute("UPDATE checklists SET review_state = CASE id % 19"
                   " WHEN 0 THEN 'rejected' WHEN 1 THEN 'needs_clarification'"
                   " WHEN 2 THEN 'verified' WHEN 3 THEN 'verified' WHEN 4 THEN 'verified'"
                   " WHEN 5 THEN 'verified' WHEN 6 THEN 'verified' WHEN 7 THEN 'verified'"
                   " WHEN 8 THEN 'verified' ELSE 'submitted' END")
        incidents = []
        for n in range(incident_count):
            station_id, region, zone = rng.choice(station_rows)
            team, author = rng.choice(teams)
            at = f"2023-03-19T{rng.randint(1, 16):02d}:{rng.randint(0, 59):02d}:00Z"
            incidents.append((f"bench-incident-{n}", station_id, region, at, zone,
                              rng.choice(("intimidation", "ballot_box_stuffing", "other")),
                              rng.choice(severities), "Synthetic incident.", "no", team, author,
                              "x", rng.choice(states), at, at))
        db.conn.executemany(
            "INSERT INTO incidents (uuid, station_id, region, occurred_utc, timezone, category,"
            " severity, description, reported_to_commission, team, author_id, content_hash,"
            " review_state, created_utc, updated_utc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", incidents)
        for n in range(meeting_count):
            _station_id, region, zone = rng.choice(station_rows)
            team, author = rng.choice(teams)
            at = f"2023-03-{rng.randint(1, 25):02d}T06:00:00Z"
            cursor = db.execute(
                "INSERT INTO interactions (uuid, occurred_utc, timezone, commission_level,"
                " commission_name, region, team, author_id, content_hash, review_state,"
                " created_utc, updated_utc) VALUES (?, ?, ?, 'territorial', ?, ?, ?, ?, 'x',"
                " ?, ?, ?)", [f"bench-meeting-{n}", at, zone, f"{region} TEC", region, team,
                              author, rng.choice(states), at, at])
            for k in range(3):
                db.execute("INSERT INTO follow_ups (interaction_id, kind, text, due_date,"
                           " status, updated_utc) VALUES (?, ?, ?, ?, ?, ?)",
                           [cursor.lastrowid, rng.choice(("request", "commitment")),
                            f"Follow-up {k} of meeting {n}",
                            f"2023-03-{rng.randint(5, 31):02d}",
                            rng.choice(("open", "open", "answered", "closed")), at])


def timed(call: Callable[[], object], runs: int, warmup: int) -> list[float]:
    """Milliseconds of ``runs`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p90(times: list[float]) -> float:
    """The 90th percentile."""
    return statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]


def page(client, url: str, expect: str) -> Callable[[], None]:
    """A GET that must answer 200 with ``expect`` in the page."""
    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200 and expect in response.text, \
            (url, response.status_code)
    return get


def measure(path: str, runs: int, warmup: int) -> dict[str, float]:
    """Time the pages and each aggregate; print them; return the page medians."""
    app = create_app({"DATABASE": path, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "MISSION_TIMEZONE": ZONE})
    _add_baseline_page(app)
    client = app.test_client()
    login = client.post("/login", data={"username": "coordinator1",
                                        "password": demo.PASSWORD})
    assert login.status_code == 302, login.status_code
    db = connect(path)
    start, end = dashboard.day_bounds(date.fromisoformat(ELECTION_DAY), ZONE)
    today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
    queries = {
        "received (election day)": lambda: dashboard.received(db, start, end),
        "registry_sizes": lambda: dashboard.registry_sizes(db),
        "region_type_figures": lambda: dashboard.region_type_figures(db),
        "awaiting_review": lambda: dashboard.awaiting_review(db),
        "follow_ups": lambda: dashboard.follow_ups(db, today),
        "serious_problems": lambda: dashboard.serious_problems(db),
    }
    rows = [("baseline: SELECT count(*) FROM checklists",
             timed(lambda: db.execute("SELECT count(*) FROM checklists").fetchone(),
                   runs, warmup)),
            ("baseline: GET /bench/baseline", timed(page(client, "/bench/baseline", "Baseline"),
                                                   runs, warmup)),
            (f"GET /dashboard?day={ELECTION_DAY}",
             timed(page(client, f"/dashboard?day={ELECTION_DAY}", "Received on"),
                   runs, warmup)),
            ("GET /dashboard (today)", timed(page(client, "/dashboard", "Dashboard"),
                                             runs, warmup))]
    # The review list is another helper's page in progress: measured when it answers.
    app.logger.disabled = True  # a failing probe would print its traceback
    review_answers = client.get("/review?page=1").status_code == 200
    app.logger.disabled = False
    if review_answers:
        rows.insert(2, ("GET /review?page=1 (100 entries)",
                        timed(page(client, "/review?page=1", "</table>"), runs, warmup)))
    print(f"\n{'':44}{'median':>9}{'p90':>9}   (ms, {runs} requests after {warmup} warm-up)")
    for name, times in rows:
        print(f"  {name:42}{statistics.median(times):9.1f}{p90(times):9.1f}")
    medians = {name: statistics.median(times) for name, times in rows}
    print("\n  each aggregate of models.dashboard, slowest first (median ms), and its query plan:")
    speeds = {name: statistics.median(timed(call, runs, warmup)) for name, call in queries.items()}
    for name in sorted(speeds, key=speeds.get, reverse=True):
        print(f"    {name:26}{speeds[name]:8.2f}")
        for statement in _statements(db, queries[name]):
            plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + statement)]
            print("        " + " | ".join(plan))
    db.close()
    return medians


def _add_baseline_page(app) -> None:
    """A logged-in page with the site's layout and nothing else: the floor of any page."""
    from flask import render_template_string

    from views.auth import roles_required

    @roles_required("coordinator", "admin")
    def baseline():
        return render_template_string('{% extends "base.html" %}'
                                      '{% block content %}<h1>Baseline</h1>{% endblock %}')
    app.add_url_rule("/bench/baseline", "bench_baseline", baseline)


def _statements(db, call: Callable[[], object]) -> list[str]:
    """The SQL a call runs, parameters filled in (sqlite3 traces expanded statements)."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        db.conn.set_trace_callback(None)
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def measure_audit(path: str, records: int, runs: int, warmup: int) -> None:
    """Append audit records up to ``records``; time verify, the CLI's walk and the log page."""
    db = connect(path)
    have = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    coordinator = db.execute("SELECT id FROM users WHERE username = 'coordinator1'").fetchone()[0]
    with writing(db):
        for n in range(have, records):
            audit.record(db, ("create", "edit", "review", "comment", "login")[n % 5],
                         coordinator, "checklist", 1 + n % 50000,
                         {"version": 1 + n % 3, "changed": ["overall"]})
    verify = timed(lambda: audit.verify(db), 3, 1)
    checked = audit.verify(db).checked
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "coordinator1", "password": demo.PASSWORD})
    pages = [(url, timed(page(client, url, "Audit log"), runs, warmup))
             for url in ("/audit", "/audit?action=review&kind=checklist", "/audit?user=admin")]
    print(f"\n== audit log of {checked:,} records ==")
    print(f"  {'models.audit.verify (the verify-audit walk)':42}{statistics.median(verify):9.1f}"
          f"{max(verify):9.1f}   (median, max of 3)")
    for url, times in pages:
        print(f"  {'GET ' + url:42}{statistics.median(times):9.1f}{p90(times):9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=10000)
    parser.add_argument("--checklists", type=int, default=50000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--audit-records", type=int, default=100_000,
                        help="grow the audit log to this many records, then time it (0: skip)")
    parser.add_argument("--db", help="build into (or reuse) this file instead of a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or str(Path(folder) / "bench.sqlite")
        build(path, args.stations, args.checklists)
        print("\n== dashboard at this scale ==")
        medians = measure(path, args.requests, args.warmup)
        if args.audit_records:
            measure_audit(path, args.audit_records, args.requests, args.warmup)
    print()
    key, base = f"GET /dashboard?day={ELECTION_DAY}", "baseline: GET /bench/baseline"
    verdict = "OK" if medians[key] <= TARGET_MS else "OVER TARGET"
    print(f"dashboard median {medians[key]:6.1f} ms = "
          f"{medians[key] / medians[base]:.1f} × a bare logged-in page "
          f"({medians[base]:.1f} ms); target ≤ {TARGET_MS} ms: {verdict}")


if __name__ == "__main__":
    main()
