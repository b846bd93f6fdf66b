"""CSV and XLSX exports of 100,000 checklists: wall and CPU time, peak memory, against baselines.

    .venv/bin/python bench/export.py [--db PATH] [--checklists 100000] [--repeat 3]
                                     [--formats csv,xlsx,json] [--baseline-rows 10000]

Builds a demo mission (10,000 stations; kept at --db when given, reused if it
exists), then runs each export in a fresh subprocess, alternating with the
baselines: a bare ``SELECT * FROM checklists`` written with csv.writer, no
labels, no joins (the floor for CSV); and, when xlsx is measured, two Python
writers on the first --baseline-rows checklists of the same rows and sheets
(each sheet its share), their export time scaled to all of them (they run at
a steady few microseconds a cell, so the whole run is not worth waiting for):
openpyxl's write-only mode (the writer before XlsxWriter) and XlsxWriter's
constant-memory mode through its public API (``write_row``, strings never
converted; the writer before rustpy-xlsxwriter). Each child reports its own
peak RSS (VmHWM); the parent times the whole child, interpreter start-up
included; "export s" is the export alone, from after the app is created; CPU
seconds show the cost when other work shares the machine. Targets: the CSV of
100,000 checklists in <= 10 s (issue 4) and the XLSX in <= 15 s (issue 10),
each with peak memory <= 150 MB.
"""

import argparse
import itertools
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_TARGETS_S, MEMORY_TARGET_MB = {"csv": 10.0, "xlsx": 15.0}, 150.0


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
    begun, cpu = time.perf_counter(), time.process_time()
    with app.app_context(), open(out, "wb") as target:
        target.writelines(exports.stream(db_path, "checklists", fmt, ReportFilter()))
    end = time.perf_counter()
    return {"seconds": end - start, "export_s": end - begun,
            "export_cpu": time.process_time() - cpu, "startup_peak_mb": startup_peak,
            "export_peak_mb": _peak_mb() if reset else None}


def _openpyxl_book(out: str):
    """openpyxl's write-only mode: (add a sheet with its header, write a row, save)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    current = []

    def add(title: str, header: list) -> None:
        current[:] = [book.create_sheet(title)]
        current[0].append(header)
    return add, lambda row: current[0].append(row), lambda: book.save(out)


def _xlsxwriter_book(out: str):
    """XlsxWriter's constant-memory mode, public API only, no string ever converted."""
    from xlsxwriter import Workbook

    book = Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                          "strings_to_urls": False, "strings_to_numbers": False})
    current, line = [], [0]

    def add(title: str, header: list) -> None:
        current[:] = [book.add_worksheet(title)]
        current[0].write_row(0, 0, header)
        line[0] = 1

    def write(row: list) -> None:
        current[0].write_row(line[0], 0, row)
        line[0] += 1
    return add, write, book.close


def child_writer(name: str, db_path: str, rows: str, out: str) -> dict:
    """A former XLSX writer (openpyxl or xlsxwriter) on the first ``rows`` checklists.

    Same sheets, same rows, same neutralised text as ``exports.write_xlsx``;
    each sheet gets its share of ``rows``, so every sheet's width counts.
    """
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from models.db import connect
    from reports import export_tables, exports
    from reports.filters import ReportFilter

    start = time.perf_counter()
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "bench"})
    startup_peak = _peak_mb()
    reset = _reset_peak()
    begun, cpu = time.perf_counter(), time.process_time()
    with app.app_context():
        db = connect(db_path)
        counts = dict(db.execute("SELECT form_type, count(*) FROM checklists"
                                 " WHERE review_state != 'rejected' GROUP BY form_type"))
        total = sum(counts.values())
        add, write, close = {"openpyxl": _openpyxl_book,
                             "xlsxwriter": _xlsxwriter_book}[name](out)
        done = 0
        for kind, (sheet, sheet_rows) in zip(export_tables.checklist_types(ReportFilter()),
                                             export_tables.checklist_sheets(db, ReportFilter())):
            add(sheet.title[:31], exports.safe_cells(list(sheet.columns)))
            share = round(int(rows) * counts.get(kind, 0) / total)
            for row in itertools.islice(sheet_rows, share):
                write(exports.safe_cells(row))
                done += 1
        close()
        db.close()
    end = time.perf_counter()
    return {"seconds": end - start, "export_s": end - begun,
            "export_cpu": time.process_time() - cpu, "rows": done,
            "startup_peak_mb": startup_peak, "export_peak_mb": _peak_mb() if reset else None}


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
    parser.add_argument("--formats", default="csv,xlsx", help="comma-separated: csv,xlsx,json")
    parser.add_argument("--baseline-rows", type=int, default=10000,
                        help="checklists the openpyxl and xlsxwriter baselines write (0: skip)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "baseline":
            report = child_baseline(*rest)
        elif kind in ("openpyxl", "xlsxwriter"):
            report = child_writer(kind, *rest)
        else:
            report = child_export(*rest)
        report["peak_mb"] = max(_peak_mb(), report.get("startup_peak_mb", 0))
        # CPU seconds: what the machine's other load does not change.
        usage = resource.getrusage(resource.RUSAGE_SELF)
        report["cpu"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(report))
        return

    folder = tempfile.mkdtemp(prefix="bench-export-")
    try:
        results, total = _measure(args, folder)
    finally:
        shutil.rmtree(folder)  # the outputs, and the database unless --db kept it elsewhere
    _print(results, args.repeat, total)


def _measure(args, folder: str) -> tuple[dict[str, list[dict]], int]:
    """Alternate the baselines and the exports ``--repeat`` times; also the checklists' count."""
    db_path = args.db or os.path.join(folder, "bench.sqlite")
    if not os.path.exists(db_path):
        build(db_path, args.checklists)
    conn = sqlite3.connect(db_path)
    total = conn.execute("SELECT count(*) FROM checklists WHERE review_state != 'rejected'"
                         ).fetchone()[0]
    conn.close()
    out = os.path.join(folder, "out")
    results: dict[str, list[dict]] = {"baseline": []}
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    for _ in range(args.repeat):
        results["baseline"].append(run_child(["baseline", db_path, out + ".baseline.csv"]))
        if "xlsx" in formats and args.baseline_rows:
            for writer in ("openpyxl", "xlsxwriter"):
                results.setdefault(writer, []).append(run_child(
                    [writer, db_path, str(args.baseline_rows), f"{out}.{writer}.xlsx"]))
        for fmt in formats:
            results.setdefault(fmt, []).append(
                run_child(["export", db_path, fmt, f"{out}.{fmt}"]))
    return results, total


def _print(results: dict[str, list[dict]], repeat: int, total: int) -> None:
    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    def optional(name: str, key: str) -> str:
        values = [r[key] for r in results[name] if r.get(key) is not None]
        return f"{statistics.median(values):.1f}" if values else "-"

    print(f"{total:,} checklists exported (rejected left out); medians of {repeat} runs; "
          "peak = whole process, VmHWM")
    print(f"{'run':<10}{'wall s':>9}{'work s':>9}{'export s':>10}{'cpu s':>8}{'peak MB':>9}"
          f"{'start-up':>10}{'export':>8}{'file MB':>9}")
    for name in results:
        print(f"{name:<10}{median(name, 'wall'):>9.2f}{median(name, 'seconds'):>9.2f}"
              f"{optional(name, 'export_s'):>10}{median(name, 'cpu'):>8.2f}"
              f"{median(name, 'peak_mb'):>9.1f}{optional(name, 'startup_peak_mb'):>10}"
              f"{optional(name, 'export_peak_mb'):>8}{median(name, 'bytes') / 1e6:>9.1f}")
    if "csv" in results:
        print(f"csv / baseline: wall {median('csv', 'wall') / median('baseline', 'wall'):.2f}x, "
              f"work {median('csv', 'seconds') / median('baseline', 'seconds'):.2f}x, "
              f"cpu {median('csv', 'cpu') / median('baseline', 'cpu'):.2f}x, "
              f"peak memory {median('csv', 'peak_mb') / median('baseline', 'peak_mb'):.2f}x")
    for writer in ("openpyxl", "xlsxwriter"):
        if writer in results and "xlsx" in results:
            rows = results[writer][0]["rows"]
            # The export alone scales with the rows; start-up is paid once.
            scaled = median(writer, "export_s") * total / rows
            startup = median(writer, "seconds") - median(writer, "export_s")
            cpu = median(writer, "export_cpu") * total / rows
            cpu_startup = median(writer, "cpu") - median(writer, "export_cpu")
            print(f"{writer}: {rows:,} checklists in {median(writer, 'export_s'):.2f} s -> "
                  f"{total:,} in ~{scaled:.1f} s, ~{startup + scaled:.1f} s with start-up; "
                  f"cpu ~{cpu_startup + cpu:.1f} s")
            print(f"{writer} (scaled) / xlsx: export {scaled / median('xlsx', 'export_s'):.2f}x,"
                  f" whole process {(startup + scaled) / median('xlsx', 'seconds'):.2f}x, "
                  f"cpu {(cpu_startup + cpu) / median('xlsx', 'cpu'):.2f}x")
    if "csv" in results and "xlsx" in results:
        print(f"xlsx / csv: wall {median('xlsx', 'wall') / median('csv', 'wall'):.2f}x, "
              f"cpu {median('xlsx', 'cpu') / median('csv', 'cpu'):.2f}x")
    for fmt, limit in TIME_TARGETS_S.items():
        if fmt in results:
            wall, peak = median(fmt, "wall"), median(fmt, "peak_mb")
            print(f"target {fmt}: wall {wall:.2f} s <= {limit} s: "
                  f"{'ok' if wall <= limit else 'MISSED'}; peak {peak:.1f} MB <= "
                  f"{MEMORY_TARGET_MB} MB: {'ok' if peak <= MEMORY_TARGET_MB else 'MISSED'}")


if __name__ == "__main__":
    main()
