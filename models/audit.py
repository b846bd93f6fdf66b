"""The append-only audit log: every create, edit, state change, export and login.

Each record stores the hash of the record before it, and its own hash covers
its content and that link, so altering or deleting a record breaks the chain
from there on; ``verify`` names the first record where it breaks.
"""

import hashlib
import json
from dataclasses import dataclass

from sqlite_utils import Database

from models.clock import to_iso, utc_now
from models.db import writing

GENESIS = "0" * 64


def _digest(row: dict) -> str:
    content = [row["id"], row["at_utc"], row["user_id"], row["action"], row["entry_kind"],
               row["entry_id"], row["details"], row["prev_hash"]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def record(db: Database, action: str, user_id: int | None = None, entry_kind: str | None = None,
           entry_id: int | None = None, details: dict | None = None) -> None:
    """Append one record; joins the caller's write transaction when there is one."""
    if db.conn.in_transaction:
        _append(db, action, user_id, entry_kind, entry_id, details)
    else:
        with writing(db):
            _append(db, action, user_id, entry_kind, entry_id, details)


def _append(db, action, user_id, entry_kind, entry_id, details) -> None:
    # The caller holds the write lock (BEGIN IMMEDIATE), so no other record
    # can slip in between reading the last hash and appending after it.
    last = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row = {"id": (last[0] + 1) if last else 1, "at_utc": to_iso(utc_now()), "user_id": user_id,
           "action": action, "entry_kind": entry_kind, "entry_id": entry_id,
           "details": json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
           "prev_hash": last[1] if last else GENESIS}
    row["hash"] = _digest(row)
    db.execute("INSERT INTO audit_log (id, at_utc, user_id, action, entry_kind, entry_id,"
               " details, prev_hash, hash) VALUES (:id, :at_utc, :user_id, :action,"
               " :entry_kind, :entry_id, :details, :prev_hash, :hash)", row)


@dataclass
class Verdict:
    """What walking the chain found."""

    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(db: Database) -> Verdict:
    """Walk the chain from the first record; stop at the first that does not fit."""
    expected_prev, expected_id, checked = GENESIS, 1, 0
    cursor = db.conn.execute("SELECT id, at_utc, user_id, action, entry_kind, entry_id, details,"
                             " prev_hash, hash FROM audit_log ORDER BY id")
    names = [c[0] for c in cursor.description]
    for values in cursor:
        row = dict(zip(names, values))
        if row["id"] != expected_id:
            return Verdict(checked, expected_id,
                           f"record {expected_id} is missing (removed from the log)")
        if row["prev_hash"] != expected_prev:
            return Verdict(checked, row["id"], f"record {row['id']} does not follow record "
                                               f"{row['id'] - 1} (one of them was altered)")
        if _digest(row) != row["hash"]:
            return Verdict(checked, row["id"], f"record {row['id']} was altered")
        expected_prev, expected_id, checked = row["hash"], row["id"] + 1, checked + 1
    return Verdict(checked)


def latest(db: Database, limit: int = 200, offset: int = 0) -> list[dict]:
    """The newest records with the user's name, for the audit page."""
    return list(db.query(
        "SELECT a.*, u.username FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
        " ORDER BY a.id DESC LIMIT ? OFFSET ?", [limit, offset]))
