"""Median time of a station search over the 10,223 stations of Kazakhstan 2023, with baselines.

Run from the project root:

    .venv/bin/python bench/station_search.py [--stations 10223] [--repeat 51]

It migrates a fresh SQLite file in a temporary folder (so migration m012's
trigram index exists), fills it with the demo registry (models.demo's
stations: Kazakh and Russian names over 20 regions) and times, per query, the
median of ``--repeat`` runs of:

- ``models.stations.search`` as the station pickers call it (folded query,
  the observer's region first, the count of all matches);
- a plain indexed look-up by number (``WHERE number = ?``): the floor;
- the search before m012 (``search_text LIKE '%…%'`` over casefolded text,
  every row read, sorted by number): what the index saves, and what it costs
  for a word in one name of six ("мектеп").
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from models import demo, demo_stations, stations  # noqa: E402
from models.db import connect  # noqa: E402

# What observers type: a common word, Kazakh letters typed plainly, Latin,
# a number, two words, a short fragment, and a miss.
QUERIES = ("мектеп", "аксай", "Aqsai", "karabulak орта", "gimnaziya 12", "1234",
           "шко", "нет такого")
PREFER = "Shymkent"


def _median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    """Build the registry, time each query three ways, print a table and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10223)
    parser.add_argument("--repeat", type=int, default=51)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "observation.sqlite")
        create_app({"DATABASE": path, "SECRET_KEY": "bench"})
        db = connect(path)
        rows, _commissions = demo_stations.registry(args.stations, random.Random(demo.SEED))
        stations.upsert(db, rows)
        count = db.execute("SELECT count(*) FROM stations").fetchone()[0]
        print(f"{count} stations; median of {args.repeat} runs per query, in ms")
        print(f"{'query':<16}{'matches':>8}{'search':>9}{'by number':>11}{'LIKE scan':>11}")
        medians = {"search": [], "number": [], "scan": []}
        for query in QUERIES:
            found = stations.search(db, query, prefer=PREFER)
            needle = "%" + query.casefold() + "%"
            timings = {
                "search": _median_ms(lambda q=query: stations.search(db, q, prefer=PREFER),
                                     args.repeat),
                "number": _median_ms(lambda: db.execute(
                    "SELECT * FROM stations WHERE number = ?", ["5120"]).fetchall(), args.repeat),
                "scan": _median_ms(lambda n=needle: db.execute(
                    "SELECT * FROM stations WHERE search_text LIKE ?"
                    " ORDER BY length(number), number LIMIT 30", [n]).fetchall(), args.repeat),
            }
            for name, value in timings.items():
                medians[name].append(value)
            print(f"{query:<16}{found.total:>8}{timings['search']:>9.3f}"
                  f"{timings['number']:>11.3f}{timings['scan']:>11.3f}")
        search, number, scan = (statistics.median(medians[k]) for k in ("search", "number", "scan"))
        print(f"median over queries: search {search:.3f} ms, indexed look-up by number "
              f"{number:.3f} ms (search = {search / number:.0f}x), LIKE scan {scan:.3f} ms")
        db.close()


if __name__ == "__main__":
    main()
