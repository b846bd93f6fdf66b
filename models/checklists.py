"""Checklists as filed: idempotent by uuid, every edit kept as a new version."""

import hashlib
import json
import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

from models import audit, flags, review
from models.clock import to_iso, utc_now
from models.db import writing


class DuplicateConflict(Exception):
    """The uuid is already used by an entry with different content."""


class StaleEdit(Exception):
    """Someone saved a newer version since this form was opened."""


class NotEditable(Exception):
    """The entry was verified or rejected: its authors cannot change it any more."""


@dataclass
class Filing:
    """What an observer submitted, already validated."""

    uuid: str
    form_type: str
    form_version: int
    station_id: int
    timezone: str
    arrival_utc: str
    departure_utc: str
    answers: dict
    overall: str
    serious_count: int

    def content(self) -> dict:
        """The parts that make two submissions 'the same' (not who or when)."""
        return {"form_type": self.form_type, "station_id": self.station_id,
                "arrival_utc": self.arrival_utc, "departure_utc": self.departure_utc,
                "answers": self.answers, "overall": self.overall}

    def content_hash(self) -> str:
        """A stable digest of ``content()``."""
        text = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def submit(db: Database, filing: Filing, author_id: int, team: str) -> tuple[int, bool]:
    """Store a new checklist; return (id, created).

    A repeat with the same uuid and content returns the existing id with
    created False; the same uuid with other content raises DuplicateConflict.
    The UNIQUE constraint decides, so racing retries cannot both insert.
    """
    now = to_iso(utc_now())
    digest = filing.content_hash()
    try:
        with writing(db):
            cursor = db.execute(
                "INSERT INTO checklists (uuid, form_type, form_version, station_id, team,"
                " author_id, arrival_utc, departure_utc, timezone, answers, overall,"
                " serious_count, content_hash, version, created_utc, updated_utc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                [filing.uuid, filing.form_type, filing.form_version, filing.station_id, team,
                 author_id, filing.arrival_utc, filing.departure_utc, filing.timezone,
                 json.dumps(filing.answers, ensure_ascii=False), filing.overall,
                 filing.serious_count, digest, now, now])
            entry_id = cursor.lastrowid
            _record_version(db, entry_id, 1, author_id, now, filing, {})
            audit.record(db, "create", author_id, "checklist", entry_id,
                         {"uuid": filing.uuid, "form_type": filing.form_type})
            flags.refresh_checklist(db, entry_id, new=True)
        return entry_id, True
    except sqlite3.IntegrityError:
        existing = db.execute("SELECT id, content_hash FROM checklists WHERE uuid = ?",
                              [filing.uuid]).fetchone()
        if existing is None:
            raise
        if existing[1] != digest:
            raise DuplicateConflict(filing.uuid) from None
        return existing[0], False


def _record_version(db: Database, entry_id: int, version: int, editor_id: int, now: str,
                    filing: Filing, changes: dict) -> None:
    snapshot = {**filing.content(), "form_version": filing.form_version,
                "serious_count": filing.serious_count}
    db.execute("INSERT INTO checklist_versions (checklist_id, version, edited_by, edited_utc,"
               " snapshot, changes) VALUES (?, ?, ?, ?, ?, ?)",
               [entry_id, version, editor_id, now, json.dumps(snapshot, ensure_ascii=False),
                json.dumps(changes, ensure_ascii=False)])


def changes_between(before: dict, after: dict) -> dict:
    """{name: [old, new]} for every header field and answer that differs."""
    changed = {}
    for key in ("arrival_utc", "departure_utc", "overall"):
        if before[key] != after[key]:
            changed[key] = [before[key], after[key]]
    old, new = before["answers"], after["answers"]
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            changed[key] = [old.get(key), new.get(key)]
    return changed


def edit(db: Database, entry_id: int, base_version: int, filing: Filing,
         editor_id: int) -> bool:
    """Save a new version of an entry; False when nothing changed.

    Raises StaleEdit when the entry moved past ``base_version`` meanwhile, so
    one team member's edit never silently overwrites the other's.
    """
    now = to_iso(utc_now())
    with writing(db):
        current = get(db, entry_id)
        if current["review_state"] not in review.AUTHOR_EDITABLE:
            raise NotEditable(entry_id)
        if current["version"] != base_version:
            raise StaleEdit(entry_id)
        changes = changes_between(current, filing.content())
        if not changes:
            return False
        version = base_version + 1
        db.execute("UPDATE checklists SET arrival_utc = ?, departure_utc = ?, answers = ?,"
                   " overall = ?, serious_count = ?, content_hash = ?, version = ?,"
                   " updated_utc = ? WHERE id = ?",
                   [filing.arrival_utc, filing.departure_utc,
                    json.dumps(filing.answers, ensure_ascii=False), filing.overall,
                    filing.serious_count, filing.content_hash(), version, now, entry_id])
        _record_version(db, entry_id, version, editor_id, now, filing, changes)
        audit.record(db, "edit", editor_id, "checklist", entry_id,
                     {"version": version, "changed": sorted(changes)})
        review.resubmitted(db, "checklist", entry_id, editor_id)
        flags.refresh_checklist(db, entry_id)
    return True


_ENTRY_SQL = """
    SELECT c.*, s.number AS station_number, s.name AS station_name, s.region,
           s.district, u.username AS author
    FROM checklists c
    JOIN stations s ON s.id = c.station_id
    JOIN users u ON u.id = c.author_id
"""


def _decode(row: dict) -> dict:
    row["answers"] = json.loads(row["answers"])
    return row


def get(db: Database, entry_id: int) -> dict | None:
    """One checklist with its station and author, answers decoded; None if absent."""
    rows = list(db.query(_ENTRY_SQL + " WHERE c.id = ?", [entry_id]))
    return _decode(rows[0]) if rows else None


def find_by_uuid(db: Database, entry_uuid: str) -> dict | None:
    """The checklist filed with this form uuid, or None."""
    rows = list(db.query(_ENTRY_SQL + " WHERE c.uuid = ?", [entry_uuid]))
    return _decode(rows[0]) if rows else None


def for_team(db: Database, team: str, limit: int = 200, offset: int = 0) -> list[dict]:
    """A team's checklists, newest first."""
    return [_decode(r) for r in db.query(
        _ENTRY_SQL + " WHERE c.team = ? ORDER BY c.created_utc DESC, c.id DESC LIMIT ? OFFSET ?",
        [team, limit, offset])]


def latest(db: Database, limit: int = 200, offset: int = 0) -> list[dict]:
    """All teams' checklists, newest first, for reviewers."""
    return [_decode(r) for r in db.query(
        _ENTRY_SQL + " ORDER BY c.created_utc DESC, c.id DESC LIMIT ? OFFSET ?",
        [limit, offset])]


def versions(db: Database, entry_id: int) -> list[dict]:
    """Every version of an entry, oldest first, with who saved it and what changed."""
    rows = db.query(
        "SELECT v.version, v.edited_utc, v.changes, v.snapshot, u.username AS editor"
        " FROM checklist_versions v JOIN users u ON u.id = v.edited_by"
        " WHERE v.checklist_id = ? ORDER BY v.version", [entry_id])
    return [{**r, "changes": json.loads(r["changes"]), "snapshot": json.loads(r["snapshot"])}
            for r in rows]


def count(db: Database) -> int:
    """How many checklists exist."""
    return db.execute("SELECT count(*) FROM checklists").fetchone()[0]
