"""The comment thread on an entry, visible to its authors and its reviewers.

A thread is bounded (the ``COMMENTS_PER_ENTRY`` setting, passed in by the
view) so one entry's page and PDF stay cheap; pages show the latest comments
only (``latest``) and count the rest.
"""

from sqlite_utils import Database

from models import audit
from models.clock import to_iso, utc_now
from models.db import writing


class ThreadFull(Exception):
    """The entry already has the most comments allowed."""


def add(db: Database, kind: str, entry_id: int, author_id: int, body: str,
        max_per_entry: int | None = None) -> int:
    """Append a comment and return its id; ThreadFull when ``max_per_entry`` are there.

    The count is read inside the write transaction, so two comments sent at
    the same moment cannot both take the last place.
    """
    with writing(db):
        if max_per_entry is not None and count(db, kind, entry_id) >= max_per_entry:
            raise ThreadFull
        cursor = db.execute("INSERT INTO comments (entry_kind, entry_id, author_id, at_utc, body)"
                            " VALUES (?, ?, ?, ?, ?)",
                            [kind, entry_id, author_id, to_iso(utc_now()), body.strip()])
        audit.record(db, "comment", author_id, kind, entry_id, {"comment_id": cursor.lastrowid})
    return cursor.lastrowid


def count(db: Database, kind: str, entry_id: int) -> int:
    """How many comments the entry has."""
    return db.execute("SELECT count(*) FROM comments WHERE entry_kind = ? AND entry_id = ?",
                      [kind, entry_id]).fetchone()[0]


def for_entry(db: Database, kind: str, entry_id: int) -> list[dict]:
    """The entry's comments, oldest first, with their authors' names and roles."""
    return list(db.query(
        "SELECT c.*, u.username, u.role FROM comments c JOIN users u ON u.id = c.author_id"
        " WHERE c.entry_kind = ? AND c.entry_id = ? ORDER BY c.id", [kind, entry_id]))


def latest(db: Database, kind: str, entry_id: int, limit: int) -> list[dict]:
    """The entry's ``limit`` newest comments, oldest of them first, with authors."""
    rows = list(db.query(
        "SELECT c.*, u.username, u.role FROM comments c JOIN users u ON u.id = c.author_id"
        " WHERE c.entry_kind = ? AND c.entry_id = ? ORDER BY c.id DESC LIMIT ?",
        [kind, entry_id, limit]))
    rows.reverse()
    return rows
