"""Time the results comparisons and the results annex at 10,000 stations.

Run from the project root:

    .venv/bin/python bench/results.py [--stations 10000] [--runs 5] [--db PATH] [--out FILE.pdf]

It builds the demo mission (``models.demo.generate``, stations with their
single-member districts and candidates) into a fresh SQLite file, then
writes directly, as the bench's data and not through the forms:

- one counting checklist per station with an observed protocol for both
  ballots (party list and the station's district: every party or candidate,
  against all and the seven control figures) in ``protocol_figures``;
- official results for every station and both contests, about 1 figure in 50
  changed, plus district and national sums (so units are compared too);
- one voting checklist per station (voters on the list, voters who had voted,
  visits from 08:00 to 19:00 local) and the announced turnout, nationally and
  per region, at 10:00, 12:00, 14:00, 16:00 and 18:00.

Then per run: the comparisons (station discrepancies with the annex's listed
rows and units above the station; observed turnout points and their
comparison), the dashboard's open count on its own, and the annex: build +
template + WeasyPrint against WeasyPrint alone on the same final HTML.
Prints medians and the ratio.
Targets: comparisons <= 1 s; annex <= 2 x WeasyPrint alone.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app
from models import contests, demo, discrepancies
from models import turnout_comparison as turnout
from models.candidates import by_district
from models.db import connect, writing
from reports import filters, pdf, results

TARGET_COMPARE_S, TARGET_RATIO = 1.0, 2.0
SEED = 2023
TIMES = ("10:00", "12:00", "14:00", "16:00", "18:00")
NATIONAL = (8.0, 22.0, 36.0, 48.0, 58.0)


def _insert_checklists(db, form_type: str, answers_of, arrival_of) -> dict[int, int]:
    """One checklist of ``form_type`` per station; station id -> checklist id."""
    author = db.execute("SELECT id FROM users ORDER BY id LIMIT 1").fetchone()[0]
    rows = []
    for station_id, zone in db.execute("SELECT id, timezone FROM stations ORDER BY id"):
        arrival = arrival_of(station_id)
        rows.append((f"bench-{form_type}-{station_id}", form_type, station_id, author, arrival,
                     arrival, zone, json.dumps(answers_of(station_id)), arrival, arrival))
    db.conn.executemany(
        "INSERT INTO checklists (uuid, form_type, form_version, station_id, team, author_id,"
        " arrival_utc, departure_utc, timezone, answers, overall, content_hash, created_utc,"
        " updated_utc) VALUES (?, ?, 1, ?, 'bench', ?, ?, ?, ?, ?, 'good', 'x', ?, ?)", rows)
    return dict(db.execute("SELECT station_id, id FROM checklists WHERE form_type = ?"
                           " AND team = 'bench'", [form_type]).fetchall())


def _protocol(rng: random.Random, options: tuple[str, ...], voters: int) -> dict[str, int]:
    """A protocol that reconciles: votes per option add up to the valid ballots."""
    votes = {code: rng.randrange(0, voters // len(options) + 1) for code in options}
    valid = sum(votes.values())
    invalid = rng.randrange(0, 20)
    found = valid + invalid
    issued = found + rng.randrange(0, 5)
    return {**votes, "voters_on_list": voters, "ballots_received": issued + 100,
            "ballots_issued": issued, "ballots_cancelled": 100, "ballots_in_boxes": found,
            "invalid": invalid, "valid": valid}


def fill(db) -> None:
    """Protocols, official results, voting visits and announced turnout for every station."""
    rng = random.Random(SEED)
    list_items = contests.item_codes("list")
    smd = contests.mission().district_contest()
    candidates = {n: tuple(r["code"] for r in rows) for n, rows in by_district(db).items()}
    stations = db.execute("SELECT id, number, smd_district, registered_voters, region"
                          " FROM stations ORDER BY id").fetchall()
    with writing(db):
        counting = _insert_checklists(db, "counting", lambda _s: {},
                                      lambda _s: "2023-03-19T15:30:00Z")
        observed, official = [], []
        totals: dict[tuple, int] = {}
        for station_id, number, district, voters, _region in stations:
            ballots = [("list", list_items, None)]
            if district and smd is not None:
                options = candidates.get(district, ()) + (
                    (contests.AGAINST_ALL,) if smd.against_all else ())
                ballots.append(("smd", options, district))
            for contest, options, unit_district in ballots:
                figures = _protocol(rng, options, voters)
                for item, value in figures.items():
                    observed.append((counting[station_id], station_id, contest, item, value))
                    changed = value + rng.randrange(1, 30) if rng.random() < 0.02 else value
                    official.append(("station", number, contest, item, changed))
                    totals[("national", "", contest, item)] = \
                        totals.get(("national", "", contest, item), 0) + changed
                    if unit_district:
                        key = ("district", str(unit_district), contest, item)
                        totals[key] = totals.get(key, 0) + changed
        official += [(*key, value) for key, value in totals.items()]
        db.conn.executemany("INSERT INTO protocol_figures (checklist_id, station_id, contest,"
                            " item, value) VALUES (?, ?, ?, ?, ?)", observed)
        db.conn.executemany("INSERT INTO official_results (level, unit, contest, item, value,"
                            " source, imported_utc) VALUES (?, ?, ?, ?, ?, 'CEC bench',"
                            " '2023-03-27T00:00:00Z')", official)
        hours = {station_id: rng.randrange(2, 13) for station_id, *_rest in stations}
        _insert_checklists(
            db, "voting", lambda s: {"voters_on_list": 1000,
                                     "voters_voted": int(rng.uniform(0.3, 1.1)
                                                         * 5 * (hours[s] + 6) * 10)},
            lambda s: f"2023-03-19T{hours[s]:02d}:{rng.randrange(60):02d}:00Z")
        turnout_rows = [("national", "", t, s) for t, s in zip(TIMES, NATIONAL)]
        for (region,) in db.execute("SELECT DISTINCT region FROM stations"):
            shift = rng.uniform(-3, 3)
            turnout_rows += [("region", region, t, max(s + shift, 0)) for t, s in
                             zip(TIMES, NATIONAL)]
        db.conn.executemany("INSERT INTO official_turnout (level, unit, local_time, share,"
                            " source, imported_utc) VALUES (?, ?, ?, ?, 'CEC bench',"
                            " '2023-03-19T20:00:00Z')", turnout_rows)
    print(f"  {len(observed):,} observed protocol figures, {len(official):,} official figures,"
          f" {len(turnout_rows)} announced turnout figures")


def build(path: str, station_count: int) -> None:
    """Migrate, fill with the demo mission (a few demo checklists), then the results data."""
    create_app({"DATABASE": path, "SECRET_KEY": "bench"})
    db = connect(path)
    try:
        if db.execute("SELECT count(*) FROM protocol_figures").fetchone()[0]:
            print(f"Reusing the results already in {path}")
            return
        started = time.perf_counter()
        demo.generate(db, station_count, min(1000, station_count))
        fill(db)
        db.execute("ANALYZE")
        print(f"Built {path} in {time.perf_counter() - started:.1f} s")
    finally:
        db.close()


def _timed(function, *args):
    """(result, wall seconds, CPU seconds of this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - started, time.process_time() - cpu


def compare_all(db, flt, mission: dict) -> dict:
    """Both comparisons as the annex and the dashboard run them."""
    found = discrepancies.station_discrepancies(db, flt, results.DISCREPANCIES_LISTED)
    units = discrepancies.unit_comparisons(db, flt)
    points = turnout.observed_points(db, flt)
    compared = turnout.compare(points, turnout.announced(db), mission["threshold"],
                               mission["polls_open"])
    return {"discrepancies": found["total"], "units": len(units),
            "points": len(points), "below": len(compared["below"])}


def run(app, path: str, runs: int, out: str | None) -> None:
    """Time the comparisons and the annex ``runs`` times (after a warm-up); print medians."""
    rows: dict[str, list[float]] = {}
    with app.app_context():
        db = connect(path)
        flt = filters.parse({}, [], "Asia/Almaty")
        mission = results.mission_of(app.config)
        for number in range(runs + 1):
            counted, compare_s, compare_cpu = _timed(compare_all, db, flt, mission)
            _r, station_s, station_cpu = _timed(discrepancies.station_discrepancies, db, flt,
                                                results.DISCREPANCIES_LISTED)
            _r, units_s, units_cpu = _timed(discrepancies.unit_comparisons, db, flt)
            _r, turnout_s, turnout_cpu = _timed(
                lambda: turnout.compare(turnout.observed_points(db, flt), turnout.announced(db),
                                        mission["threshold"], mission["polls_open"]))
            _r, dashboard_s, _cpu = _timed(discrepancies.open_count, db)
            (data, _figures, html), annex_s, annex_cpu = _timed(results.report_pdf, db, flt,
                                                                mission)
            _data, alone_s, alone_cpu = _timed(pdf.render_pdf, html)
            if number == 0:  # warm-up: fonts, imports, SQLite and OS caches
                print(f"Counted: {counted}")
                print(f"Annex HTML {len(html):,} characters; PDF {len(data):,} bytes")
                if out:
                    Path(out).write_bytes(data)
                continue
            for name, value in (("comparisons", compare_s), ("comparisons cpu", compare_cpu),
                                ("station figures", station_s), ("station cpu", station_cpu),
                                ("units", units_s), ("units cpu", units_cpu),
                                ("turnout", turnout_s), ("turnout cpu", turnout_cpu),
                                ("dashboard count", dashboard_s),
                                ("annex", annex_s), ("annex cpu", annex_cpu),
                                ("weasyprint alone", alone_s), ("weasyprint cpu", alone_cpu)):
                rows.setdefault(name, []).append(value)
        db.close()
    medians = {name: statistics.median(values) for name, values in rows.items()}
    for name, value in medians.items():
        print(f"  {name:<18} median {value * 1000:7.0f} ms  "
              f"(runs: {', '.join(f'{v * 1000:.0f}' for v in rows[name])})")
    ratio = medians["annex"] / medians["weasyprint alone"]
    print(f"CPU time of this process: comparisons {medians['comparisons cpu']:.2f} s, annex / "
          f"WeasyPrint {medians['annex cpu'] / medians['weasyprint cpu']:.2f} (what the wall "
          "clock is on an idle machine)")
    print(f"Wall clock: comparisons {medians['comparisons']:.2f} s (target <= "
          f"{TARGET_COMPARE_S:.0f} s): "
          f"{'ok' if medians['comparisons'] <= TARGET_COMPARE_S else 'MISSED'}; "
          f"annex / WeasyPrint alone {ratio:.2f} (target <= {TARGET_RATIO}): "
          f"{'ok' if ratio <= TARGET_RATIO else 'MISSED'}")


def main() -> None:
    """Parse the arguments, build the mission, run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", help="Build into (or reuse) this file instead of a temp one.")
    parser.add_argument("--out", help="Write the annex PDF of the first run here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or str(Path(folder) / "results.sqlite")
        build(path, args.stations)
        app = create_app({"DATABASE": path, "SECRET_KEY": "bench"})
        run(app, path, args.runs, args.out)


if __name__ == "__main__":
    main()
