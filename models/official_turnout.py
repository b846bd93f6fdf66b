"""The commission's announced turnout by time of day, imported from CSV, all or nothing.

Columns ``level,unit,time,share,source``: ``level`` national or region;
``unit`` empty for national, else the region's name; ``time`` the local time
of the announcement, HH:MM; ``share`` the turnout in percent (0-100, decimals
allowed); ``source`` free text. Re-import replaces the rows of the sources in
the file; audited like the results import.
"""

import os
import re
from collections.abc import Iterable

from sqlite_utils import Database

from models import audit
from models.clock import to_iso, utc_now
from models.db import writing
from models.official_results import MAX_SOURCE, Known, checked_rows
from models.stations import RowError

COLUMNS = ("level", "unit", "time", "share", "source")
LEVELS = ("national", "region")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_SHARE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3})?$")


def _row(values: dict, regions: frozenset[str]) -> list[str]:
    """Why one row is refused (empty when it is good)."""
    reasons = []
    level, unit = values["level"], values["unit"]
    if level not in LEVELS:
        reasons.append(f"level must be national or region, got {level!r}")
    elif level == "national" and unit:
        reasons.append(f"a national figure has no unit, got {unit!r}")
    elif level == "region" and unit not in regions:
        reasons.append(f"unknown region {unit!r}")
    if not _TIME.match(values["time"]):
        reasons.append(f"time must be HH:MM (00:00 to 23:59), got {values['time']!r}")
    share = values["share"]
    if not _SHARE.match(share) or float(share) > 100:
        reasons.append(f"share must be a percentage from 0 to 100, got {share!r}")
    if not values["source"]:
        reasons.append("source is empty")
    elif len(values["source"]) > MAX_SOURCE:
        reasons.append(f"source is longer than {MAX_SOURCE} characters")
    return reasons


def _falling(rows: list[dict]) -> list[RowError]:
    """Turnout announced through a day only grows: a figure below an earlier one is a typo."""
    errors, last = [], {}
    for row in sorted(rows, key=lambda r: (r["level"], r["unit"], r["source"], r["time"])):
        key = (row["level"], row["unit"], row["source"])
        before = last.get(key)
        if before and row["share"] < before["share"]:
            errors.append(RowError(row["line"], f"share {row['share']:g}% at {row['time']} is "
                                                f"below {before['share']:g}% announced at "
                                                f"{before['time']} (line {before['line']})"))
        last[key] = row
    return sorted(errors, key=lambda e: e.line)


def parse_rows(lines: Iterable[str], regions: frozenset[str]
               ) -> tuple[list[dict], list[RowError]]:
    """Read turnout CSV text into rows; collect every bad row with its line and reason."""
    def check(values: dict) -> tuple[dict, list[str]]:
        reasons = _row(values, regions)
        return (values if reasons else {**values, "share": float(values["share"])}), reasons

    rows, errors = checked_rows(lines, COLUMNS, check, ("level", "unit", "time", "source"))
    return rows, errors or _falling(rows)


def import_csv(db: Database, path: str) -> tuple[int, list[RowError]]:
    """Import an announced-turnout file; all or nothing. Returns (rows written, errors)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows, errors = parse_rows(handle, Known.of(db).regions)
    if not errors and not rows:
        errors = [RowError(1, "the file has no figures")]
    if errors:
        return 0, errors
    held = sorted({row["source"] for row in rows})
    stamp = to_iso(utc_now())
    with writing(db):
        replaced = db.execute(f"DELETE FROM official_turnout WHERE source IN"
                              f" ({', '.join('?' * len(held))})", held).rowcount
        db.conn.executemany(
            "INSERT INTO official_turnout (level, unit, local_time, share, source, imported_utc)"
            " VALUES (:level, :unit, :time, :share, :source, :stamp)",
            [{**row, "stamp": stamp} for row in rows])
        audit.record(db, "import", details={"what": "official_turnout",
                                            "file": os.path.basename(path), "rows": len(rows),
                                            "sources": held, "replaced": replaced})
    return len(rows), []
