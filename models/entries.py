"""The life cycle every kind of entry shares: idempotent create, versioned edit, locked once reviewed.

Checklists, incident reports and meeting reports differ only in their columns
and their checks. Each kind's module describes itself with a ``Kind``
(models/checklists.py, incidents.py, meetings.py) and this module stores
them all the same way:

- ``create``: once per form uuid. The UNIQUE constraint decides, so racing
  retries cannot both insert; a repeat with the same content returns the
  entry already stored, the same uuid with other content is refused.
- ``edit``: a new version on top of ``base_version``, refused when someone saved
  since (StaleEdit) or once a reviewer verified or rejected it (NotEditable).
- every version, of every kind, is one row of entry_versions: the whole
  entry as it stood after that version and what changed from the one before.
"""

import hashlib
import json
import sqlite3
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from models import audit, review
from models.clock import to_iso, utc_now
from models.db import writing


class DuplicateConflict(Exception):
    """The uuid is already used by an entry with different content."""


class StaleEdit(Exception):
    """Someone saved a newer version since this form was opened."""


class NotEditable(Exception):
    """The entry was verified or rejected: its authors cannot change it any more."""


class NotFound(LookupError):
    """No entry of this kind has this id."""


class _Unchanged(Exception):
    """Raised inside an edit's transaction to roll back a save that changed nothing."""


class Record:
    """What a form validated, ready to store; each kind's record is a dataclass of its fields."""

    uuid: str

    def content(self) -> dict:
        """The parts that make two submissions of one form 'the same' (not who or when)."""
        raise NotImplementedError

    def content_hash(self) -> str:
        """A stable digest of ``content()``: a resent form is recognised by it."""
        text = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


class Kind:
    """What one kind of entry declares: its table, stored code, columns and checks.

    ``code`` is what entry_versions, review_events and the hash-chained audit
    log store: it can never change. The hooks default to doing nothing.
    """

    code = ""
    table = ""
    # Columns a record sets when the entry is created and an edit leaves alone.
    fixed: tuple[str, ...] = ("uuid",)

    def columns(self, record: Record) -> dict:
        """The entry's own columns for this record (not team, author, hash, version or times)."""
        raise NotImplementedError

    def snapshot(self, db: Database, entry_id: int, record: Record) -> dict:
        """The entry as saved, as its version row keeps it (called after it is written)."""
        raise NotImplementedError

    def stored(self, db: Database, entry_id: int) -> dict:
        """The entry as it stands before an edit, for ``changes``."""
        raise NotImplementedError

    def changes(self, before: dict, after: dict) -> dict:
        """{name: [old, new]} for everything an edit changed; empty when nothing did."""
        raise NotImplementedError

    def created_details(self, record: Record) -> dict:
        """What the audit record of a create says about the entry."""
        return {"uuid": record.uuid}

    def check(self, db: Database, record: Record) -> None:
        """Refuse a record the database contradicts; runs inside the write transaction."""

    def write_parts(self, db: Database, entry_id: int, record: Record, now: str,
                    new: bool) -> None:
        """Write what the kind keeps beside its row (a meeting's follow-ups and links)."""

    def saved(self, db: Database, entry_id: int, user_id: int, record: Record,
              before: dict | None) -> None:
        """After a create (``before`` None) or an edit is recorded, inside its transaction."""


def new_row(kind: Kind, record: Record, author_id: int, team: str, created_utc: str) -> dict:
    """The row of a new entry, version 1 (shared with the demo's bulk inserts)."""
    return {**kind.columns(record), "team": team, "author_id": author_id,
            "content_hash": record.content_hash(), "version": 1,
            "created_utc": created_utc, "updated_utc": created_utc}


def snapshot_text(snapshot: dict) -> str:
    """A snapshot or changes as entry_versions stores them."""
    return json.dumps(snapshot, ensure_ascii=False)


@lru_cache(maxsize=64)
def _insert_sql(table: str, names: tuple[str, ...]) -> str:
    # Names come from the kinds' code, never from input; quoted all the same.
    # Cached: every submission of a kind writes the same columns.
    columns = ", ".join(f'"{name}"' for name in names)
    values = ", ".join(f":{name}" for name in names)
    return f"INSERT INTO {table} ({columns}) VALUES ({values})"


def insert(db: Database, kind: Kind, record: Record, author_id: int, team: str,
           now: str) -> int:
    """Insert a new entry and its version 1; the caller holds the write transaction.

    Shared by ``create`` and the demo generator, so both store the same shape.
    """
    row = new_row(kind, record, author_id, team, now)
    entry_id = db.execute(_insert_sql(kind.table, tuple(row)), row).lastrowid
    kind.write_parts(db, entry_id, record, now, new=True)
    _record_version(db, kind, entry_id, 1, author_id, now,
                    kind.snapshot(db, entry_id, record), {})
    return entry_id


def insert_many(db: Database, kind: Kind, drawn: list[tuple[int, str, Record, str, int]]) -> None:
    """Bulk-insert new entries, each with its version 1, for the demo generator.

    ``drawn`` holds (id, created_utc, record, team, author_id). Only for kinds
    that keep nothing beside their row (checklists, incidents); the caller
    holds the write transaction, and no audit record is written.
    """
    if not drawn:
        return
    rows = [{**new_row(kind, record, author_id, team, created), "id": entry_id}
            for entry_id, created, record, team, author_id in drawn]
    db.conn.executemany(_insert_sql(kind.table, tuple(rows[0])), rows)
    db.conn.executemany(
        "INSERT INTO entry_versions (entry_kind, entry_id, version, edited_by, edited_utc,"
        " snapshot, changes) VALUES (?, ?, 1, ?, ?, ?, '{}')",
        [(kind.code, entry_id, author_id, created,
          snapshot_text(kind.snapshot(db, entry_id, record)))
         for entry_id, created, record, _team, author_id in drawn])


def create(db: Database, kind: Kind, record: Record, author_id: int,
           team: str) -> tuple[int, bool]:
    """Store a new entry; return (id, created).

    A repeat with the same uuid and content returns the existing id with
    created False; the same uuid with other content raises DuplicateConflict.
    """
    now = to_iso(utc_now())
    try:
        with writing(db):
            kind.check(db, record)
            entry_id = insert(db, kind, record, author_id, team, now)
            audit.record(db, "create", author_id, kind.code, entry_id,
                         kind.created_details(record))
            kind.saved(db, entry_id, author_id, record, None)
        return entry_id, True
    except sqlite3.IntegrityError:
        existing = db.execute(f"SELECT id, content_hash FROM {kind.table} WHERE uuid = ?",
                              [record.uuid]).fetchone()
        if existing is None:
            raise
        if existing[1] != record.content_hash():
            raise DuplicateConflict(record.uuid) from None
        return existing[0], False


def find_by_uuid(db: Database, kind: Kind, entry_uuid: str) -> dict | None:
    """The id, team and review state of the entry filed with this form uuid, or None."""
    rows = list(db.query(f"SELECT id, team, review_state FROM {kind.table} WHERE uuid = ?",
                         [entry_uuid]))
    return rows[0] if rows else None


def edit(db: Database, kind: Kind, entry_id: int, base_version: int, record: Record,
         editor_id: int) -> bool:
    """Save a new version of an entry; False when nothing changed.

    Raises NotFound, NotEditable once a reviewer verified or rejected it, and
    StaleEdit when it moved past ``base_version`` meanwhile, so one team
    member's edit never silently overwrites the other's.
    """
    now = to_iso(utc_now())
    try:
        with writing(db):
            row = db.execute(f"SELECT review_state, version FROM {kind.table} WHERE id = ?",
                             [entry_id]).fetchone()
            if row is None:
                raise NotFound(entry_id)
            if row[0] not in review.AUTHOR_EDITABLE:
                raise NotEditable(entry_id)
            if row[1] != base_version:
                raise StaleEdit(entry_id)
            kind.check(db, record)
            before = kind.stored(db, entry_id)
            version = base_version + 1
            # Written first and rolled back when nothing changed: a meeting can
            # only tell what changed once its follow-ups are written.
            columns = {name: value for name, value in kind.columns(record).items()
                       if name not in kind.fixed}
            columns.update(content_hash=record.content_hash(), version=version,
                           updated_utc=now)
            db.execute(f"UPDATE {kind.table} SET "
                       + ", ".join(f'"{name}" = :{name}' for name in columns)
                       + " WHERE id = :entry_id", {**columns, "entry_id": entry_id})
            kind.write_parts(db, entry_id, record, now, new=False)
            after = kind.snapshot(db, entry_id, record)
            changes = kind.changes(before, after)
            if not changes:
                raise _Unchanged
            _record_version(db, kind, entry_id, version, editor_id, now, after, changes)
            audit.record(db, "edit", editor_id, kind.code, entry_id,
                         {"version": version, "changed": sorted(changes)})
            kind.saved(db, entry_id, editor_id, record, before)
            review.resubmitted(db, kind.code, entry_id, editor_id)
    except _Unchanged:
        return False
    return True


def _record_version(db: Database, kind: Kind, entry_id: int, version: int, editor_id: int,
                    now: str, snapshot: dict, changes: dict) -> None:
    db.execute("INSERT INTO entry_versions (entry_kind, entry_id, version, edited_by,"
               " edited_utc, snapshot, changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
               [kind.code, entry_id, version, editor_id, now, snapshot_text(snapshot),
                snapshot_text(changes)])


def versions(db: Database, kind: Kind, entry_id: int) -> list[dict[str, Any]]:
    """Every version of an entry, oldest first, with who saved it, the snapshot and what changed."""
    rows = db.query(
        "SELECT v.version, v.edited_utc, v.changes, v.snapshot, u.username AS editor"
        " FROM entry_versions v JOIN users u ON u.id = v.edited_by"
        " WHERE v.entry_kind = ? AND v.entry_id = ? ORDER BY v.version", [kind.code, entry_id])
    return [{**r, "changes": json.loads(r["changes"]), "snapshot": json.loads(r["snapshot"])}
            for r in rows]
