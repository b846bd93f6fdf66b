"""CSV export of 100,000 checklists: wall time and peak memory, against a bare baseline.

    .venv/bin/python bench/export.py [--db PATH] [--checklists 100000] [--repeat 3]
                                     [--formats csv,xlsx,json]

Builds a demo mission (10,000 stations; kept at --db when given, reused if it
exists), then runs each export in a fresh subprocess, alternating with the
baseline: a bare ``SELECT * FROM checklists`` written with csv.writer, no
labels, no joins. Each child reports its own peak RSS (VmHWM); the parent
times the whole child, interpreter start-up included; CPU seconds show the
cost when other work shares the machine. Targets (issue 4): the
CSV of 100,000 checklists in <= 10 s with peak memory <= 150 MB.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_TARGET_S, MEMORY_TARGET_MB = 10.0, 150.0


def _reset_peak() -> bool:
    """Restart VmHWM from the current RSS (Linux 4.0+), so the export's own peak shows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    # Not Linux: ru_maxrss is KiB on Linux, bytes on macOS.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_export(db_path: str, fmt: str, out: str) -> dict:
    """What ``flask export checklists --format fmt`` does, without the CLI around it."""
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from reports import exports
    from reports.filters import ReportFilter

    start = time.perf_counter()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "bench"})
    # Importing the app hashes a dummy password with argon2 (64 MiB) once;
    # the peak of the export itself is measured from here on.
    startup_peak = _peak_mb()
    reset = _reset_peak()
    with app.app_context(), open(out, "wb") as target:
        target.writelines(exports.stream(db_path, "checklists", fmt, ReportFilter()))
    return {"seconds": time.perf_counter() - start, "startup_peak_mb": startup_peak,
            "export_peak_mb": _peak_mb() if reset else None}


def child_baseline(db_path: str, out: str) -> dict:
    """The floor: every checklist column as stored, straight into csv.writer."""
    import csv
    import sqlite3

    start = time.perf_counter()
    conn = sqlite3.connect(db_path)
    cursor = conn.execute("SELECT * FROM checklists")
    with open(out, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow([c[0] for c in cursor.description])
        for row in cursor:
            writer.writerow(row)
    conn.close()
    return {"seconds": time.perf_counter() - start}


def run_child(args: list[str]) -> dict:
    """Run this file as a child; return its report plus wall time and output size."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["wall"] = time.perf_counter() - start
    report["bytes"] = os.path.getsize(args[-1])
    return report


def build(db_path: str, checklists: int) -> None:
    """A demo mission in a fresh database (models.demo, seeded)."""
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from models import demo
    from models.db import connect

    start = time.perf_counter()
    create_app({"DATABASE": db_path, "SECRET_KEY": "bench"})
    db = connect(db_path)
    demo.generate(db, 10000, checklists)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"built {checklists:,} checklists in {time.perf_counter() - start:.1f} s: {db_path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database to reuse or create (default: a temp file)")
    parser.add_argument("--checklists", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="csv", help="comma-separated: csv,xlsx,json")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        report = child_baseline(*rest) if kind == "baseline" else child_export(*rest)
        report["peak_mb"] = max(_peak_mb(), report.get("startup_peak_mb", 0))
        # CPU seconds: what the machine's other load does not change.
        usage = resource.getrusage(resource.RUSAGE_SELF)
        report["cpu"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(report))
        return

    folder = tempfile.mkdtemp(prefix="bench-export-")
    try:
        results = _measure(args, folder)
    finally:
        shutil.rmtree(folder)  # the outputs, and the database unless --db kept it elsewhere
    _print(results, args.repeat)


def _measure(args, folder: str) -> dict[str, list[dict]]:
    db_path = args.db or os.path.join(folder, "bench.sqlite")
    if not os.path.exists(db_path):
        build(db_path, args.checklists)
    out = os.path.join(folder, "out")
    results: dict[str, list[dict]] = {"baseline": []}
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    for _ in range(args.repeat):
        results["baseline"].append(run_child(["baseline", db_path, out + ".baseline.csv"]))
        for fmt in formats:
            results.setdefault(fmt, []).append(
                run_child(["export", db_path, fmt, f"{out}.{fmt}"]))
    return results


def _print(results: dict[str, list[dict]], repeat: int) -> None:
    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    def optional(name: str, key: str) -> str:
        values = [r[key] for r in results[name] if r.get(key) is not None]
        return f"{statistics.median(values):.1f}" if values else "-"

    print(f"{'run':<10}{'wall s':>9}{'work s':>9}{'cpu s':>8}{'peak MB':>9}{'start-up':>10}"
          f"{'export':>8}{'file MB':>9}   (medians of {repeat}; peak = whole process, VmHWM)")
    for name in results:
        print(f"{name:<10}{median(name, 'wall'):>9.2f}{median(name, 'seconds'):>9.2f}"
              f"{median(name, 'cpu'):>8.2f}"
              f"{median(name, 'peak_mb'):>9.1f}{optional(name, 'startup_peak_mb'):>10}"
              f"{optional(name, 'export_peak_mb'):>8}{median(name, 'bytes') / 1e6:>9.1f}")
    if "csv" in results:
        wall, peak = median("csv", "wall"), median("csv", "peak_mb")
        print(f"csv / baseline: wall {wall / median('baseline', 'wall'):.2f}x, "
              f"work {median('csv', 'seconds') / median('baseline', 'seconds'):.2f}x, "
              f"cpu {median('csv', 'cpu') / median('baseline', 'cpu'):.2f}x, "
              f"peak memory {peak / median('baseline', 'peak_mb'):.2f}x")
        print(f"targets: wall {wall:.2f} s <= {TIME_TARGET_S} s: "
              f"{'ok' if wall <= TIME_TARGET_S else 'MISSED'}; peak {peak:.1f} MB <= "
              f"{MEMORY_TARGET_MB} MB: {'ok' if peak <= MEMORY_TARGET_MB else 'MISSED'}")


if __name__ == "__main__":
    main()
