"""Single-member district candidates: imported from CSV, all or nothing, and listed per district.

A file holds one row per candidate, columns ``district,code,name,party``:
``district`` a district number of the mission file, ``code`` what results
and protocols call the candidate (unique in the whole election), ``party`` a
party code of the nationwide list or ``self_nominated``. Each district in the
file gets exactly the candidates listed, in the file's order (the ballot
order); districts not in the file keep theirs.
"""

import csv
from collections.abc import Iterable

from sqlite_utils import Database

from models import contests
from models.clock import to_iso, utc_now
from models.db import writing
from models.stations import RowError

COLUMNS = ("district", "code", "name", "party")
SELF_NOMINATED = "self_nominated"
MAX_NAME = 200


def _check_code(code: str) -> str | None:
    """Why a candidate code is refused, or None."""
    if not code:
        return "code is missing"
    if not code.isidentifier() or not code.islower() or len(code) > contests.CODE_LENGTH:
        return (f"code must be a lower-case snake_case name of at most "
                f"{contests.CODE_LENGTH} characters, got {code!r}")
    if code in (contests.AGAINST_ALL, *contests.CONTROL_FIGURES):
        return f"code {code!r} is reserved for a protocol figure"
    return None


def parse_rows(lines: Iterable[str]) -> tuple[list[dict], list[RowError]]:
    """Read candidate CSV text into rows; collect every bad row with its line and reason."""
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [RowError(1, "missing column(s): " + ", ".join(missing))]
    numbers = set(contests.district_numbers())
    parties = set(contests.party_codes("list")) | {SELF_NOMINATED}
    rows, errors, seen, positions = [], [], {}, {}
    for record in reader:
        line = reader.line_num
        values = {c: (record.get(c) or "").strip() for c in COLUMNS}
        before = len(errors)
        district = int(values["district"]) if values["district"].isdigit() else None
        if district not in numbers:
            errors.append(RowError(line, f"unknown district {values['district']!r} (the "
                                         f"mission file has {len(numbers)} districts)"))
        reason = _check_code(values["code"])
        if reason:
            errors.append(RowError(line, reason))
        elif values["code"] in seen:
            errors.append(RowError(line, f"duplicate code {values['code']!r}: already on line "
                                         f"{seen[values['code']]}"))
        if not values["name"]:
            errors.append(RowError(line, "name is empty"))
        elif len(values["name"]) > MAX_NAME:
            errors.append(RowError(line, f"name is longer than {MAX_NAME} characters"))
        if values["party"] not in parties:
            errors.append(RowError(line, f"party must be a party code of the list contest or "
                                         f"{SELF_NOMINATED}, got {values['party']!r}"))
        seen.setdefault(values["code"], line)
        if len(errors) == before:
            positions[district] = positions.get(district, 0) + 1
            rows.append({**values, "district": district, "position": positions[district],
                         "line": line})
    return rows, errors


def import_csv(db: Database, path: str) -> tuple[int, list[RowError]]:
    """Import a candidates file; all or nothing. Returns (candidates written, errors)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows, errors = parse_rows(handle)
    if not errors and not rows:
        errors = [RowError(1, "the file has no candidates")]
    if not errors:
        held = taken_elsewhere(db, rows)
        errors = [RowError(row["line"], f"duplicate code {row['code']!r}: district "
                                        f"{held[row['code']]} already has a candidate with it")
                  for row in rows if row["code"] in held]
    if errors:
        return 0, errors
    replace(db, rows)
    return len(rows), []


def replace(db: Database, rows: list[dict]) -> None:
    """Give each district in ``rows`` exactly those candidates, in one transaction."""
    districts = sorted({row["district"] for row in rows})
    stamp = to_iso(utc_now())
    marks = ", ".join("?" * len(districts))
    with writing(db):
        db.execute(f"DELETE FROM candidates WHERE district IN ({marks})", districts)
        # The UNIQUE constraint refuses a code another district still holds.
        db.conn.executemany(
            "INSERT INTO candidates (district, code, name, party, position, imported_utc)"
            " VALUES (:district, :code, :name, :party, :position, :stamp)",
            [{**row, "stamp": stamp} for row in rows])


def taken_elsewhere(db: Database, rows: list[dict]) -> dict[str, int]:
    """Codes in ``rows`` that a district not in ``rows`` keeps: code -> that district."""
    districts, codes = {row["district"] for row in rows}, {row["code"] for row in rows}
    return {code: district for code, district in
            db.execute("SELECT code, district FROM candidates")
            if district not in districts and code in codes}


def in_district(db: Database, district: int) -> list[dict]:
    """One district's candidates in ballot order: code, name, party, position."""
    return list(db.query("SELECT code, name, party, position FROM candidates"
                         " WHERE district = ? ORDER BY position", [district]))


def by_district(db: Database) -> dict[int, list[dict]]:
    """Every district's candidates in ballot order, by district number."""
    found: dict[int, list[dict]] = {}
    for row in db.query("SELECT district, code, name, party, position FROM candidates"
                        " ORDER BY district, position"):
        found.setdefault(row["district"], []).append(row)
    return found
