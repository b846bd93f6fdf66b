"""Incident reports: quick reports not tied to a checklist, idempotent by uuid, versioned.

Like checklists, a report is created once per form uuid (the UNIQUE constraint
decides) and every edit is kept in entry_versions with a snapshot and what changed.
"""

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass

from sqlite_utils import Database

from models import audit, review
from models.clock import to_iso, utc_now
from models.db import writing

KIND = "incident"

YES_NO = ("yes", "no")
MAX_DESCRIPTION = 4000
MAX_RESPONSE = 2000
MAX_PLACE = 200
# Fields a report is made of, in the order the history shows them.
FIELDS = ("occurred_utc", "station_id", "region", "place", "category", "severity",
          "description", "reported_to_commission", "commission_response")

class DuplicateConflict(Exception):
    """The uuid is already used by a report with different content."""

class StaleEdit(Exception):
    """Someone saved a newer version since this form was opened."""

class NotEditable(Exception):
    """The report was verified or rejected: its authors cannot change it any more."""

@dataclass
class Report:
    """What an observer reported, already validated (times in UTC)."""

    uuid: str
    station_id: int | None
    region: str
    place: str
    occurred_utc: str
    timezone: str
    category: str
    severity: str
    description: str
    reported_to_commission: str
    commission_response: str

    def content(self) -> dict:
        """The parts that make two submissions 'the same' (not who, when or the uuid)."""
        return {name: value for name, value in asdict(self).items() if name != "uuid"}

    def content_hash(self) -> str:
        """A stable digest of ``content()``."""
        text = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

_INSERT = ("INSERT INTO incidents (uuid, station_id, region, place, occurred_utc, timezone,"
           " category, severity, description, reported_to_commission, commission_response,"
           " team, author_id, content_hash, version, created_utc, updated_utc)"
           " VALUES (:uuid, :station_id, :region, :place, :occurred_utc, :timezone, :category,"
           " :severity, :description, :reported_to_commission, :commission_response, :team,"
           " :author_id, :content_hash, 1, :created_utc, :created_utc)")
_VERSION = ("INSERT INTO entry_versions (entry_kind, entry_id, version, edited_by, edited_utc,"
            " snapshot, changes) VALUES ('incident', ?, ?, ?, ?, ?, ?)")

def row_for(report: Report, author_id: int, team: str, created_utc: str) -> dict:
    """The incidents row for a new report (shared with the demo's bulk insert)."""
    return {**asdict(report), "team": team, "author_id": author_id,
            "content_hash": report.content_hash(), "created_utc": created_utc}

def snapshot(report: Report) -> str:
    """The version snapshot as stored in entry_versions."""
    return json.dumps(report.content(), ensure_ascii=False, sort_keys=True)

def submit(db: Database, report: Report, author_id: int, team: str) -> tuple[int, bool]:
    """Store a new report; return (id, created).

    A repeat with the same uuid and content returns the existing id with
    created False; the same uuid with other content raises DuplicateConflict.
    """
    now = to_iso(utc_now())
    try:
        with writing(db):
            entry_id = db.execute(_INSERT, row_for(report, author_id, team, now)).lastrowid
            db.execute(_VERSION, [entry_id, 1, author_id, now, snapshot(report), "{}"])
            audit.record(db, "create", author_id, KIND, entry_id,
                         {"uuid": report.uuid, "category": report.category,
                          "severity": report.severity})
        return entry_id, True
    except sqlite3.IntegrityError:
        existing = db.execute("SELECT id, content_hash FROM incidents WHERE uuid = ?",
                              [report.uuid]).fetchone()
        if existing is None:
            raise
        if existing[1] != report.content_hash():
            raise DuplicateConflict(report.uuid) from None
        return existing[0], False

def changes_between(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field that differs."""
    return {name: [before[name], after[name]] for name in FIELDS
            if before[name] != after[name]}

def edit(db: Database, entry_id: int, base_version: int, report: Report,
         editor_id: int) -> bool:
    """Save a new version of a report; False when nothing changed.

    Raises NotEditable once a reviewer verified or rejected it, and StaleEdit
    when it moved past ``base_version`` meanwhile, so one team member's edit
    never silently overwrites the other's.
    """
    now = to_iso(utc_now())
    with writing(db):
        current = get(db, entry_id)
        if current is None:
            raise LookupError(entry_id)
        if current["review_state"] not in review.AUTHOR_EDITABLE:
            raise NotEditable(entry_id)
        if current["version"] != base_version:
            raise StaleEdit(entry_id)
        changes = changes_between(current, report.content())
        if not changes:
            return False
        version = base_version + 1
        db.execute("UPDATE incidents SET station_id = :station_id, region = :region,"
                   " place = :place, occurred_utc = :occurred_utc, timezone = :timezone,"
                   " category = :category, severity = :severity, description = :description,"
                   " reported_to_commission = :reported_to_commission,"
                   " commission_response = :commission_response, content_hash = :content_hash,"
                   " version = :version, updated_utc = :now WHERE id = :id",
                   {**report.content(), "content_hash": report.content_hash(),
                    "version": version, "now": now, "id": entry_id})
        db.execute(_VERSION, [entry_id, version, editor_id, now, snapshot(report),
                              json.dumps(changes, ensure_ascii=False)])
        audit.record(db, "edit", editor_id, KIND, entry_id,
                     {"version": version, "changed": sorted(changes)})
        review.resubmitted(db, KIND, entry_id, editor_id)
    return True

_ENTRY_SQL = """
    SELECT i.*, s.number AS station_number, s.name AS station_name,
           s.district AS station_district, u.username AS author
    FROM incidents i
    LEFT JOIN stations s ON s.id = i.station_id
    JOIN users u ON u.id = i.author_id
"""
_NEWEST = " ORDER BY i.created_utc DESC, i.id DESC LIMIT ? OFFSET ?"

def get(db: Database, entry_id: int) -> dict | None:
    """One report with its station (if any) and author; None if absent."""
    rows = list(db.query(_ENTRY_SQL + " WHERE i.id = ?", [entry_id]))
    return rows[0] if rows else None

def find_by_uuid(db: Database, entry_uuid: str) -> dict | None:
    """The report filed with this form uuid, or None."""
    rows = list(db.query(_ENTRY_SQL + " WHERE i.uuid = ?", [entry_uuid]))
    return rows[0] if rows else None

def for_team(db: Database, team: str, limit: int = 200, offset: int = 0) -> list[dict]:
    """A team's reports, newest first."""
    return list(db.query(_ENTRY_SQL + " WHERE i.team = ?" + _NEWEST, [team, limit, offset]))

def latest(db: Database, region: str | None = None, category: str | None = None,
           severity: str | None = None, state: str | None = None,
           limit: int = 200, offset: int = 0) -> list[dict]:
    """All teams' reports, newest first, narrowed by any filter given (for reviewers)."""
    wanted = {"i.region": region, "i.category": category, "i.severity": severity,
              "i.review_state": state}
    # Column names come from the literal keys above, values are bound.
    clauses = [f"{column} = ?" for column, value in wanted.items() if value]
    params = [value for value in wanted.values() if value]
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return list(db.query(_ENTRY_SQL + where + _NEWEST, [*params, limit, offset]))

def versions(db: Database, entry_id: int) -> list[dict]:
    """Every version of a report, oldest first, with who saved it and what changed."""
    rows = db.query(
        "SELECT v.version, v.edited_utc, v.changes, v.snapshot, u.username AS editor"
        " FROM entry_versions v JOIN users u ON u.id = v.edited_by"
        " WHERE v.entry_kind = 'incident' AND v.entry_id = ? ORDER BY v.version", [entry_id])
    return [{**r, "changes": json.loads(r["changes"]), "snapshot": json.loads(r["snapshot"])}
            for r in rows]

def region_zones(db: Database) -> dict[str, str]:
    """Each registry region with its time zone; the most common where it has several."""
    zones: dict[str, str] = {}
    for region, zone in db.execute(
            "SELECT region, timezone FROM stations GROUP BY region, timezone"
            " ORDER BY region, count(*) DESC, timezone"):
        zones.setdefault(region, zone)
    return zones

def count(db: Database) -> int:
    """How many reports exist."""
    return db.execute("SELECT count(*) FROM incidents").fetchone()[0]
