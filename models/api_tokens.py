"""Per-user API tokens: issued once, stored only as a SHA-256, revocable.

The token itself is shown once, when it is issued; the table keeps its hash,
so a copied database (or backup) gives nobody access. A token is 32 random
bytes, so a plain SHA-256 is enough: there is nothing to brute-force, unlike
a password.
"""

import hashlib
import hmac
import secrets
import sqlite3
from datetime import timedelta

from sqlite_utils import Database

from models import audit
from models.clock import from_iso, to_iso, utc_now
from models.db import writing

KIND = "api_token"
MAX_LABEL = 100
# Recording every use would turn each API read into a write; once a minute
# is enough to tell a token in use from a forgotten one.
TOUCH_EVERY = timedelta(minutes=1)
# token_urlsafe(32) gives 43 characters; anything much longer is not a token.
MAX_TOKEN_LENGTH = 100


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored for ``token``."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(db: Database, user_id: int, label: str = "",
          issued_by: int | None = None) -> tuple[int, str]:
    """Make a token for a user; return (token id, the token). Only the hash is stored.

    ``issued_by`` is the admin who asked (None from the command line).
    """
    token = secrets.token_urlsafe(32)
    label = label.strip()[:MAX_LABEL]
    with writing(db):
        token_id = db.execute(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_by, created_utc)"
            " VALUES (?, ?, ?, ?, ?)",
            [user_id, token_hash(token), label, issued_by, to_iso(utc_now())]).lastrowid
        audit.record(db, "token_issue", issued_by, KIND, token_id,
                     {"user_id": user_id, "label": label})
    return token_id, token


def verify(db: Database, token: str) -> dict | None:
    """The active user a live token belongs to (with ``token_id``), or None.

    The look-up is by hash, so the time it takes says nothing about how much
    of a guessed token was right; the final compare is constant-time anyway.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = token_hash(token)
    rows = list(db.query(
        "SELECT t.id AS token_id, t.token_hash, t.last_used_utc, u.*"
        " FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = ? AND t.revoked_utc IS NULL AND u.active = 1", [digest]))
    if not rows or not hmac.compare_digest(rows[0].pop("token_hash"), digest):
        return None
    user = rows[0]
    _touch(db, user["token_id"], user.pop("last_used_utc"))
    return user


def _touch(db: Database, token_id: int, last_used: str | None) -> None:
    now = utc_now()
    if last_used is not None and now - from_iso(last_used) < TOUCH_EVERY:
        return
    try:
        with writing(db):
            db.execute("UPDATE api_tokens SET last_used_utc = ? WHERE id = ?",
                       [to_iso(now), token_id])
    except sqlite3.OperationalError:
        # A read-only or full disk must not lock token holders out of reading.
        pass


def revoke(db: Database, token_id: int, revoked_by: int | None = None) -> bool:
    """Revoke a token at once; False when there is no such live token."""
    with writing(db):
        changed = db.execute(
            "UPDATE api_tokens SET revoked_utc = ? WHERE id = ? AND revoked_utc IS NULL",
            [to_iso(utc_now()), token_id]).rowcount
        if changed:
            audit.record(db, "token_revoke", revoked_by, KIND, token_id)
    return bool(changed)


def revoke_all(db: Database, user_id: int, revoked_by: int | None = None) -> int:
    """Revoke every live token of a user (on deactivation); returns how many."""
    with writing(db):
        ids = [r[0] for r in db.execute(
            "SELECT id FROM api_tokens WHERE user_id = ? AND revoked_utc IS NULL", [user_id])]
        for token_id in ids:
            revoke(db, token_id, revoked_by)
    return len(ids)


_LISTING = ("SELECT t.id, t.label, t.created_utc, t.last_used_utc, t.revoked_utc,"
            " u.username, u.role, u.team, i.username AS issued_by"
            " FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " LEFT JOIN users i ON i.id = t.created_by")


def listing(db: Database) -> list[dict]:
    """Every token (never the token itself), newest first, with its user and issuer."""
    return list(db.query(_LISTING + " ORDER BY t.id DESC"))


def get(db: Database, token_id: int) -> dict | None:
    """One token's row (without its hash), or None."""
    rows = list(db.query(_LISTING + " WHERE t.id = ?", [token_id]))
    return rows[0] if rows else None
