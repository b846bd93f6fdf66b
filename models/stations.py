"""The polling-station registry: import, search, look-up."""

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlite_utils import Database

from models import contests
from models.clock import is_timezone
from models.db import first_row, writing

COLUMNS = ("number", "name", "address", "region", "district", "timezone",
           "registered_voters", "latitude", "longitude")
REQUIRED = ("number", "name", "region", "timezone", "registered_voters")
# Optional: the station's single-member district (a number of the mission
# file) and its type. A file without one of these columns leaves it as it was;
# an empty cell empties it.
OPTIONAL = ("smd_district", "area_type")
AREA_TYPES = ("urban", "rural")
SEARCH_LIMIT = 30
# FTS5's trigram index finds words of three letters or more; shorter ones are
# checked row by row among what the longer ones found (or over all rows).
TRIGRAM = 3
# Kazakhstan's largest region has about 1,100 polling stations.
REGION_LIMIT = 5000


@dataclass
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


# Observers type without the Kazakh letters, or in Latin: both the stored text
# and the query fold to one Latin key, letter by letter, so a folded query is
# a substring of the folded name exactly when the typed one was. и, й, ы and
# Latin y all fold to i: Latin spellings write ы as y (Shymkent) and й as y or
# i (Semey, Aqsai).
_KAZAKH = str.maketrans("әғқңөұүһі", "агкноуухи")
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", (
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "sh", "", "i", "", "e", "iu", "ia")))
# Kazakh Latin spellings (2017-2021 alphabets and common usage): Qaragandy, Jetisu.
_LATIN = {"y": "i", "q": "k", "j": "zh", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ñ": "n"}


def _fold_letter(letter: str) -> str:
    if letter in _CYRILLIC:
        return _CYRILLIC[letter]
    if letter in _LATIN:
        return _LATIN[letter]
    if "\u00c0" <= letter <= "\u024f":
        # Other accented Latin letters (ä, ö, ü, ū): the base letter.
        return unicodedata.normalize("NFKD", letter)[0]
    return letter


def fold(text: str) -> str:
    """The search key of a text: lower case, Kazakh letters to their Russian base, in Latin.

    "Ақсай", "аксай" and "Aqsai"... fold alike: ``fold("Семей") == fold("Semey")``.
    """
    lowered = unicodedata.normalize("NFC", text).casefold().translate(_KAZAKH)
    return " ".join("".join(_fold_letter(c) for c in lowered).split())


def search_text(number: str, name: str, address: str, district: str) -> str:
    """What a typed query is matched against: the folded number, name, address and district."""
    return fold(" ".join((number, name, address, district)))


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
    optional = [c for c in OPTIONAL if c in reader.fieldnames]
    districts = set(contests.district_numbers())
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
        extra = _optional(record, optional, districts, line, errors)
        if values["number"] in seen:
            errors.append(RowError(line, f"number {values['number']} already on line "
                                         f"{seen[values['number']]}"))
        seen.setdefault(values["number"], line)
        if len(errors) == before:
            rows.append({**values, **coords, **extra, "registered_voters": voters,
                         "search_text": search_text(values["number"], values["name"],
                                                    values["address"], values["district"])})
    return rows, errors


def _optional(record: dict, columns: list[str], districts: set[int], line: int,
              errors: list[RowError]) -> dict:
    """The optional columns present in the file, checked; empty cells become None."""
    values = {c: (record.get(c) or "").strip() or None for c in columns}
    smd = values.get("smd_district")
    if smd is not None:
        if not smd.isdigit() or int(smd) not in districts:
            errors.append(RowError(line, f"smd_district {smd!r} is not a district of the "
                                         f"mission file (1 to {len(districts)})"))
        else:
            values["smd_district"] = int(smd)
    area = values.get("area_type")
    if area is not None and area not in AREA_TYPES:
        errors.append(RowError(line, f"area_type must be urban or rural, got {area!r}"))
    return values


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
    # The optional columns only when the rows carry them: a file without them
    # keeps what the stations had.
    fields = [*COLUMNS, "search_text", *(c for c in OPTIONAL if rows and c in rows[0])]
    updates = ", ".join(f"{f} = excluded.{f}" for f in fields if f != "number")
    sql = (f"INSERT INTO stations ({', '.join(fields)}) VALUES "
           f"({', '.join(':' + f for f in fields)}) "
           f"ON CONFLICT (number) DO UPDATE SET {updates}")
    with writing(db):
        db.conn.executemany(sql, rows)


@dataclass
class Found:
    """The stations shown for a query, and how many matched in all."""

    stations: list[dict] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        """How many matched but are not shown: the observer should type more."""
        return self.total - len(self.stations)


def search(db: Database, query: str, region: str | None = None,
           prefer: str | None = None, limit: int = SEARCH_LIMIT) -> Found:
    """Stations whose number is the query or whose folded text holds every word of it.

    ``region`` keeps only that region; ``prefer`` (the observer's region) comes
    first. The exact number first, then by number.
    """
    query = query.strip()
    words = fold(query).split()
    if not words:
        return Found()
    long = [w for w in words if len(w) >= TRIGRAM]
    short = [w for w in words if len(w) < TRIGRAM]
    where = " AND ".join(["instr(s.search_text, ?) > 0"] * len(short)) or "1"
    params: list = list(short)
    if long:
        # Each word as an FTS5 phrase: the trigram index matches it anywhere.
        where += (" AND s.id IN (SELECT rowid FROM stations_search"
                  " WHERE stations_search MATCH ?)")
        params.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long))
    # Ids first: sorting and counting 1,700 matches of "мектеп" with every
    # column takes 4x as long (bench/station_search.py).
    sql = ("SELECT s.id, count(*) OVER () FROM stations s"
           f" WHERE (s.number = ? OR ({where}))"
           + (" AND s.region = ?" if region else "")
           + " ORDER BY s.number = ? DESC, s.region = ? DESC, length(s.number), s.number"
           " LIMIT ?")
    params = [query, *params, *([region] if region else []), query, prefer or "", limit]
    hits = db.execute(sql, params).fetchall()
    if not hits:
        return Found()
    ids = [hit[0] for hit in hits]
    rows = {row["id"]: row for row in db.query(
        f"SELECT * FROM stations WHERE id IN ({', '.join('?' * len(ids))})", ids)}
    return Found([rows[i] for i in ids], hits[0][1])


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
