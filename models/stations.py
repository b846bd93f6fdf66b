"""The polling-station registry: import, search, look-up."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from models.clock import is_timezone
from models.db import first_row, writing

COLUMNS = ("number", "name", "address", "region", "district", "timezone",
           "registered_voters", "latitude", "longitude")
REQUIRED = ("number", "name", "region", "timezone", "registered_voters")
SEARCH_LIMIT = 30
# Kazakhstan's largest region has about 1,100 polling stations.
REGION_LIMIT = 5000


@dataclass
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def search_text(number: str, name: str, address: str, district: str) -> str:
    """What a typed query is matched against: casefolded so Cyrillic matches in any case."""
    return " ".join((number, name, address, district)).casefold()


def _number(value: str, kind, line: int, column: str, errors: list[RowError],
            low: float, high: float):
    try:
        parsed = kind(value)
    except ValueError:
        errors.append(RowError(line, f"{column} must be a number, got {value!r}"))
        return None
    if not low <= parsed <= high:
        errors.append(RowError(line, f"{column} must be between {low} and {high}, got {value}"))
        return None
    return parsed


def parse_rows(lines: Iterable[str]) -> tuple[list[dict], list[RowError]]:
    """Read registry CSV text into station rows; collect every bad row with its line."""
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        return [], [RowError(1, "missing column(s): " + ", ".join(missing))]
    rows, errors, seen = [], [], {}
    for record in reader:
        line = reader.line_num
        values = {c: (record.get(c) or "").strip() for c in COLUMNS}
        before = len(errors)
        for column in REQUIRED:
            if not values[column]:
                errors.append(RowError(line, f"{column} is missing"))
        if values["timezone"] and not is_timezone(values["timezone"]):
            errors.append(RowError(line, f"unknown time zone {values['timezone']!r}"
                                         " (use an IANA name such as Asia/Almaty)"))
        voters = None
        if values["registered_voters"]:
            voters = _number(values["registered_voters"], int, line,
                             "registered_voters", errors, 0, 1_000_000)
        coords = {}
        for column, bound in (("latitude", 90), ("longitude", 180)):
            coords[column] = (_number(values[column], float, line, column, errors, -bound, bound)
                              if values[column] else None)
        if values["number"] in seen:
            errors.append(RowError(line, f"number {values['number']} already on line "
                                         f"{seen[values['number']]}"))
        seen.setdefault(values["number"], line)
        if len(errors) == before:
            rows.append({**values, **coords, "registered_voters": voters,
                         "search_text": search_text(values["number"], values["name"],
                                                    values["address"], values["district"])})
    return rows, errors


def import_csv(db: Database, path: str) -> tuple[int, list[RowError]]:
    """Import a registry file; all or nothing. Returns (rows written, errors)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows, errors = parse_rows(handle)
    if errors:
        return 0, errors
    upsert(db, rows)
    return len(rows), []


def upsert(db: Database, rows: list[dict]) -> None:
    """Insert stations, updating those whose number already exists."""
    fields = [*COLUMNS, "search_text"]
    updates = ", ".join(f"{f} = excluded.{f}" for f in fields if f != "number")
    sql = (f"INSERT INTO stations ({', '.join(fields)}) VALUES "
           f"({', '.join(':' + f for f in fields)}) "
           f"ON CONFLICT (number) DO UPDATE SET {updates}")
    with writing(db):
        db.conn.executemany(sql, rows)


def search(db: Database, query: str, region: str | None = None) -> list[dict]:
    """Stations whose number starts with the query or whose text contains it."""
    query = query.strip()
    if not query:
        return []
    needle = "%" + query.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sql = ("SELECT * FROM stations WHERE (number = ? OR search_text LIKE ? ESCAPE '\\')"
           + (" AND region = ?" if region else "")
           + " ORDER BY number = ? DESC, length(number), number LIMIT ?")
    params = [query, needle] + ([region] if region else []) + [query, SEARCH_LIMIT]
    return list(db.query(sql, params))


def in_region(db: Database, region: str, limit: int = REGION_LIMIT) -> list[dict]:
    """A region's stations by number: what an observer's phone keeps for offline use."""
    return list(db.query("SELECT * FROM stations WHERE region = ? ORDER BY length(number),"
                         " number LIMIT ?", [region, limit]))


def get(db: Database, station_id: int) -> dict | None:
    """One station by id, or None."""
    return first_row(db, "SELECT * FROM stations WHERE id = ?", [station_id])


def regions(db: Database) -> list[str]:
    """The regions present in the registry."""
    return [r["region"] for r in db.query("SELECT DISTINCT region FROM stations ORDER BY region")]


def region_zone(db: Database, region: str) -> str | None:
    """The time zone most of a region's polling stations keep, or None for an unknown region."""
    row = db.execute("SELECT timezone FROM stations WHERE region = ? GROUP BY timezone"
                     " ORDER BY count(*) DESC LIMIT 1", [region]).fetchone()
    return row[0] if row else None
