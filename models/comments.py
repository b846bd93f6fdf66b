"""The comment thread on an entry, visible to its authors and its reviewers."""

from sqlite_utils import Database

from models import audit
from models.clock import to_iso, utc_now
from models.db import writing

MAX_LENGTH = 4000


def add(db: Database, kind: str, entry_id: int, author_id: int, body: str) -> int:
    """Append a comment and return its id."""
    with writing(db):
        cursor = db.execute("INSERT INTO comments (entry_kind, entry_id, author_id, at_utc, body)"
                            " VALUES (?, ?, ?, ?, ?)",
                            [kind, entry_id, author_id, to_iso(utc_now()), body.strip()])
        audit.record(db, "comment", author_id, kind, entry_id, {"comment_id": cursor.lastrowid})
    return cursor.lastrowid


def for_entry(db: Database, kind: str, entry_id: int) -> list[dict]:
    """The entry's comments, oldest first, with their authors' names and roles."""
    return list(db.query(
        "SELECT c.*, u.username, u.role FROM comments c JOIN users u ON u.id = c.author_id"
        " WHERE c.entry_kind = ? AND c.entry_id = ? ORDER BY c.id", [kind, entry_id]))
