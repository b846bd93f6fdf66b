"""Observer teams: their area of responsibility (region, districts) and phone numbers.

A team is the name in ``users.team``; the ``teams`` table (m018) adds what the
control room needs to know of it. A team appears in the lists as soon as a
user belongs to it or it has a row; only a team some user belongs to can be
given a plan (models/plans.py).
"""

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlite_utils import Database

from models import audit
from models.db import first_row, writing

COLUMNS = ("team", "region", "districts", "phones")
MAX_PHONES = 200
# What people type in a list of phone numbers: digits, +, spaces, brackets,
# dashes, dots and the separators (comma, semicolon).
_PHONES = re.compile(r"[0-9+()\-. ,;]*")
_PHONE_SPLIT = re.compile(r"[,;]")


@dataclass
class Problem:
    """One refused value: the CSV line (or form row) and column, and why."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return _("line %(line)s: %(reason)s", line=self.line, reason=self.reason)


def with_members(db: Database) -> set[str]:
    """The teams some user belongs to (the only ones that can be given a plan)."""
    return {row[0] for row in db.execute(
        "SELECT DISTINCT team FROM users WHERE team IS NOT NULL AND team != ''")}


def names(db: Database) -> list[str]:
    """Every team: the users' teams and the teams with an area or phones, by name."""
    return sorted(with_members(db) | {row[0] for row in db.execute("SELECT team FROM teams")},
                  key=str.casefold)


def _row(row: dict | None, team: str) -> dict:
    row = row or {"team": team, "region": None, "districts": "[]", "phones": ""}
    return {**row, "districts": json.loads(row["districts"] or "[]")}


def get(db: Database, team: str) -> dict:
    """A team's area and phones (an empty area when it has no row yet)."""
    return _row(first_row(db, "SELECT * FROM teams WHERE team = ?", [team]), team)


def listing(db: Database) -> list[dict]:
    """Every team with its area, phones (also as ``phone_links``, see ``phone_numbers``) and
    active members' user names."""
    rows = {row["team"]: row for row in db.query("SELECT * FROM teams")}
    members: dict[str, list[str]] = {}
    for row in db.query("SELECT team, username FROM users WHERE team IS NOT NULL AND"
                        " team != '' AND active = 1 ORDER BY username COLLATE NOCASE"):
        members.setdefault(row["team"], []).append(row["username"])
    return [{**row, "members": members.get(team, []), "phone_links": phone_numbers(row["phones"])}
            for team in names(db) for row in [_row(rows.get(team), team)]]


def phone_numbers(phones: str) -> list[tuple[str, str]]:
    """Typed phone numbers as (as typed, tel: target) pairs, for links one tap away."""
    numbers = [part.strip() for part in _PHONE_SPLIT.split(phones or "") if part.strip()]
    return [(number, re.sub(r"[^0-9+]", "", number)) for number in numbers]


def districts_of(db: Database, region: str) -> list[str]:
    """The districts of a region in the registry, by name."""
    return [row[0] for row in db.execute(
        "SELECT DISTINCT district FROM stations WHERE region = ? AND district != ''"
        " ORDER BY district", [region])]


def split_districts(text: str) -> list[str]:
    """Districts typed as one text ("Almaty district; Medeu district") to a list."""
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def check_area(db: Database, region: str, districts: list[str], phones: str) -> list[tuple[str, str]]:
    """Why an area or phone list is refused, as (field, reason) pairs; empty when it is fine.

    The region is one of the registry's (or none); each district one of that region's.
    """
    problems = []
    regions = {row[0] for row in db.execute("SELECT DISTINCT region FROM stations")}
    if region and region not in regions:
        problems.append(("region", _("unknown region %(region)s (not in the station registry)",
                                     region=repr(region))))
    elif districts and not region:
        problems.append(("districts", _("districts need a region")))
    elif districts:
        known = set(districts_of(db, region))
        for district in districts:
            if district not in known:
                problems.append(("districts", _(
                    "%(district)s is not a district of %(region)s in the station registry",
                    district=repr(district), region=region)))
    if len(phones) > MAX_PHONES:
        problems.append(("phones", _("phone numbers take at most %(max)s characters",
                                     max=MAX_PHONES)))
    elif not _PHONES.fullmatch(phones):
        problems.append(("phones", _(
            "phone numbers may hold digits, +, spaces, brackets and dashes, separated by "
            "commas")))
    return problems


def save(db: Database, team: str, region: str | None, districts: list[str], phones: str,
         by: int | None = None) -> bool:
    """Set a team's area and phones (audited); False when nothing changed."""
    with writing(db):
        old = get(db, team)
        new = {"region": region or None, "districts": districts, "phones": phones}
        changes = {key: [old[key], value] for key, value in new.items() if old[key] != value}
        if not changes:
            return False
        db.execute("INSERT INTO teams (team, region, districts, phones) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (team) DO UPDATE SET region = excluded.region,"
                   " districts = excluded.districts, phones = excluded.phones",
                   [team, region or None, json.dumps(districts, ensure_ascii=False), phones])
        audit.record(db, "team_change", by, details={"team": team, **changes})
    return True


def parse_rows(db: Database, lines: Iterable[str]) -> tuple[list[dict], list[Problem]]:
    """Read a teams CSV (team,region,districts,phones; districts separated by ';')."""
    reader = csv.DictReader(lines)
    missing = [c for c in ("team", "region") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [Problem(1, "", _("missing column(s): %(columns)s",
                                     columns=", ".join(missing)))]
    known, rows, problems, seen = with_members(db), [], [], {}
    for record in reader:
        line = reader.line_num
        values = {c: (record.get(c) or "").strip() for c in COLUMNS}
        before = len(problems)
        team = values["team"]
        if not team:
            problems.append(Problem(line, "team", _("team is missing")))
        elif team not in known:
            problems.append(Problem(line, "team", _(
                "unknown team %(team)s (no user belongs to it)", team=repr(team))))
        elif team in seen:
            problems.append(Problem(line, "team", _("team %(team)s already on line %(line)s",
                                                    team=team, line=seen[team])))
        seen.setdefault(team, line)
        districts = split_districts(values["districts"])
        problems += [Problem(line, field, reason) for field, reason in
                     check_area(db, values["region"], districts, values["phones"])]
        if len(problems) == before:
            rows.append({"team": team, "region": values["region"] or None,
                         "districts": districts, "phones": values["phones"],
                         "keep_phones": "phones" not in (reader.fieldnames or [])})
    return rows, problems


def import_csv(db: Database, path: str, by: int | None = None) -> tuple[int, list[Problem]]:
    """Import teams' areas and phones; all or nothing. Returns (teams written, problems).

    A file without a ``phones`` column keeps the phones the teams have.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows, problems = parse_rows(db, handle)
    if problems:
        return 0, problems
    with writing(db):
        for row in rows:
            phones = get(db, row["team"])["phones"] if row["keep_phones"] else row["phones"]
            save(db, row["team"], row["region"], row["districts"], phones, by)
    return len(rows), []
