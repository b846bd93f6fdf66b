"""Official results: the commission's published figures, imported from CSV, all or nothing.

One figure a row, columns ``level,unit,contest,item,value,source``:
``level`` national, region, district (a single-member district) or station;
``unit`` empty for national, else the region's name, the district's number or
the station's number; ``contest`` a contest id of the mission file (``list``,
``smd``, ...); ``item`` a party or candidate code, ``against_all`` or a control
figure; ``value`` a whole number; ``source`` free text naming the publication.

Re-importing a file replaces every row held under the sources it names, so a
corrected publication replaces the first one and other sources stay. The
import leaves an "import" record in the audit log, in the same transaction.
"""

import csv
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from models import audit, contests
from models.candidates import by_district
from models.clock import to_iso, utc_now
from models.db import writing
from models.stations import RowError

COLUMNS = ("level", "unit", "contest", "item", "value", "source")
LEVELS = ("national", "region", "district", "station")
MAX_SOURCE = 200
# Beyond any electorate: a typo with extra digits is refused, not summed.
MAX_VALUE = 10**9


@dataclass(frozen=True)
class Known:
    """What a results file may name: regions, stations (number -> district), candidates."""

    regions: frozenset[str]
    stations: dict[str, int | None]
    candidates: dict[int, frozenset[str]]  # district number -> candidate codes

    @classmethod
    def of(cls, db: Database) -> "Known":
        """Read the registry and the candidates once, for a whole file."""
        smd = contests.mission().district_contest()
        regions = {row[0] for row in db.execute("SELECT DISTINCT region FROM stations")}
        regions |= {d.region for d in smd.districts} if smd else set()
        return cls(frozenset(regions),
                   dict(db.execute("SELECT number, smd_district FROM stations").fetchall()),
                   {n: frozenset(r["code"] for r in rows) for n, rows in by_district(db).items()})

    def all_candidates(self) -> frozenset[str]:
        """Every candidate code of every district."""
        return frozenset().union(*self.candidates.values()) if self.candidates else frozenset()


def whole_number(text: str) -> int | None:
    """A non-negative whole number written with digits only, or None."""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= MAX_VALUE else None


def _unit(level: str, unit: str, known: Known) -> tuple[str, str | None]:
    """The stored unit and why it is refused (or None)."""
    if level == "national":
        return "", None if not unit else f"a national figure has no unit, got {unit!r}"
    if not unit:
        return unit, f"a {level} figure needs its unit"
    if level == "region":
        return unit, None if unit in known.regions else f"unknown region {unit!r}"
    if level == "station":
        return unit, None if unit in known.stations else f"unknown station {unit!r}"
    number = int(unit) if unit.isascii() and unit.isdigit() else None
    if contests.district(number) is None:
        return unit, (f"district {unit!r} does not exist (the mission file has "
                      f"{len(contests.district_numbers())} districts)")
    return str(number), None


def _district_of(level: str, unit: str, known: Known) -> int | None:
    """The single-member district a unit lies in, when it lies in one."""
    if level == "district":
        return int(unit)
    if level == "station":
        return known.stations.get(unit)
    return None


def _item_reason(contest: contests.Contest, item: str, district: int | None,
                 known: Known) -> str | None:
    """Why ``item`` is not a figure of ``contest`` at that unit, or None."""
    if item in contests.CONTROL_FIGURES:
        return None
    if contest.is_list:
        if item in contests.item_codes(contest):
            return None
        return f"unknown party or figure {item!r} for contest {contest.id!r}"
    if item == contests.AGAINST_ALL and contest.against_all:
        return None
    codes = known.candidates.get(district, frozenset()) if district else known.all_candidates()
    if item in codes:
        return None
    where = f" of district {district}" if district else ""
    return f"unknown candidate or figure {item!r}{where}"


def _row(values: dict, known: Known) -> tuple[dict, list[str]]:
    """One row checked: the row to store and the reasons it is refused."""
    reasons = []
    level, contest_id, item = values["level"], values["contest"], values["item"]
    unit = values["unit"]
    if level not in LEVELS:
        reasons.append(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    else:
        unit, reason = _unit(level, unit, known)
        if reason:
            reasons.append(reason)
    contest = contests.contest(contest_id)
    if contest is None:
        ids = ", ".join(c.id for c in contests.mission().contests)
        reasons.append(f"unknown contest {contest_id!r} (the mission file has {ids})")
    elif not reasons:
        reason = _item_reason(contest, item, _district_of(level, unit, known), known)
        if reason:
            reasons.append(reason)
    value = whole_number(values["value"])
    if value is None:
        reasons.append(f"value must be a whole number from 0 to {MAX_VALUE:,}, "
                       f"got {values['value']!r}")
    if not values["source"]:
        reasons.append("source is empty")
    elif len(values["source"]) > MAX_SOURCE:
        reasons.append(f"source is longer than {MAX_SOURCE} characters")
    return {**values, "unit": unit, "value": value}, reasons


def checked_rows(lines: Iterable[str], columns: tuple[str, ...],
                 check: Callable[[dict], tuple[dict, list[str]]], key: tuple[str, ...]
                 ) -> tuple[list[dict], list[RowError]]:
    """Read CSV text of official figures: each row's trimmed ``columns`` go through
    ``check`` (-> the row, its reasons); a row repeating another's ``key`` columns is a
    duplicate. Every bad row is collected with its line and reason; good rows get "line"."""
    reader = csv.DictReader(lines)
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        return [], [RowError(1, "missing column(s): " + ", ".join(missing))]
    rows, errors, seen = [], [], {}
    for record in reader:
        line = reader.line_num
        row, reasons = check({c: (record.get(c) or "").strip() for c in columns})
        same = tuple(row[c] for c in key)
        if not reasons and same in seen:
            reasons.append(f"duplicate of line {seen[same]} (same {', '.join(key[:-1])} "
                           f"and {key[-1]})")
        seen.setdefault(same, line)
        errors += [RowError(line, reason) for reason in reasons]
        if not reasons:
            rows.append({**row, "line": line})
    return rows, errors


def parse_rows(lines: Iterable[str], known: Known) -> tuple[list[dict], list[RowError]]:
    """Read results CSV text into rows; collect every bad row with its line and reason."""
    return checked_rows(lines, COLUMNS, lambda values: _row(values, known),
                        ("level", "unit", "contest", "item", "source"))


def import_csv(db: Database, path: str) -> tuple[int, list[RowError]]:
    """Import an official results file; all or nothing. Returns (rows written, errors)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows, errors = parse_rows(handle, Known.of(db))
    if not errors and not rows:
        errors = [RowError(1, "the file has no figures")]
    if errors:
        return 0, errors
    replace(db, rows, os.path.basename(path))
    return len(rows), []


def replace(db: Database, rows: list[dict], file_name: str = "") -> int:
    """Store ``rows`` in place of every row of their sources, audited; returns rows replaced."""
    held = sorted({row["source"] for row in rows})
    stamp = to_iso(utc_now())
    marks = ", ".join("?" * len(held))
    with writing(db):
        replaced = db.execute(f"DELETE FROM official_results WHERE source IN ({marks})",
                              held).rowcount
        db.conn.executemany(
            "INSERT INTO official_results (level, unit, contest, item, value, source,"
            " imported_utc) VALUES (:level, :unit, :contest, :item, :value, :source, :stamp)",
            [{**row, "stamp": stamp} for row in rows])
        audit.record(db, "import", details={"what": "official_results", "file": file_name,
                                            "rows": len(rows), "sources": held,
                                            "replaced": replaced})
    return replaced


def counts(db: Database) -> list[dict]:
    """Figures held per source and level: how much of the publication is in."""
    return list(db.query("SELECT source, level, count(*) AS figures, count(DISTINCT unit)"
                         " AS units FROM official_results GROUP BY source, level"
                         " ORDER BY source, level"))
