"""Mission members: observers, coordinators, the CEC liaison and admins.

Each user has a ``session_version``, stored in the session at log-in and
checked on every request: logging out, a new password and deactivation add
one to it, which ends every session opened before (copied cookies included).
Managing a user (new password, deactivation, team or region) is audited as
kind ``user`` with the user's id, by the admin who did it (None from the CLI).
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from models import api_tokens, audit
from models.clock import to_iso, utc_now
from models.db import first_row, writing

ROLES = ("observer", "coordinator", "liaison", "admin")
KIND = "user"
MIN_PASSWORD = 8
MAX_PASSWORD = 200
MAX_TEAM = 40
MAX_REGION = 100
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps a failed login
# for an unknown name as slow as one for a known name. Made on first use: an
# argon2 hash takes 64 MiB, which every CLI command would otherwise pay.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not a password")
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def create_user(db: Database, username: str, password: str | None, role: str,
                team: str | None = None, region: str | None = None,
                password_hash: str | None = None) -> int:
    """Insert a user and return its id; pass ``password_hash`` to reuse a hash."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if password_hash is None:
        password_hash = hash_password(password or "")
    cursor = db.execute(
        "INSERT INTO users (username, password_hash, role, team, region, created_utc)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [username, password_hash, role, team, region, to_iso(utc_now())])
    return cursor.lastrowid


def get_user(db: Database, user_id: int) -> dict | None:
    """The active user with this id, or None."""
    return first_row(db, "SELECT * FROM users WHERE id = ? AND active = 1", [user_id])


def get_any(db: Database, user_id: int) -> dict | None:
    """The user with this id, active or not, or None (for managing users)."""
    return first_row(db, "SELECT * FROM users WHERE id = ?", [user_id])


def find_by_username(db: Database, username: str) -> dict | None:
    """The user with this name (case-insensitive), or None."""
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    return rows[0] if rows else None


def authenticate(db: Database, username: str, password: str) -> dict | None:
    """The active user if the password matches, else None."""
    user = find_by_username(db, username)
    try:
        _hasher.verify(user["password_hash"] if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user["active"]:
        return None
    return user


def team_members(db: Database, team: str) -> list[str]:
    """Usernames of a team's observers, for the checklist header."""
    return [r["username"] for r in db.query(
        "SELECT username FROM users WHERE team = ? AND active = 1 ORDER BY username", [team])]


def count_users(db: Database) -> int:
    """How many users exist (a fresh database has none)."""
    return db.execute("SELECT count(*) FROM users").fetchone()[0]


def listing(db: Database) -> list[dict]:
    """Every user with their count of live API tokens, by role then name."""
    return list(db.query(
        "SELECT u.id, u.username, u.role, u.team, u.region, u.active, u.created_utc,"
        " (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id"
        "  AND t.revoked_utc IS NULL) AS live_tokens"
        " FROM users u ORDER BY u.role, u.username COLLATE NOCASE"))


def end_sessions(db: Database, user_id: int) -> None:
    """End every session the user has open (on this and any other device)."""
    with writing(db):
        db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?",
                   [user_id])


def set_password(db: Database, user_id: int, password: str, by: int | None = None) -> None:
    """Give the user a new password and end their sessions; audited."""
    hashed = hash_password(password)
    with writing(db):
        db.execute("UPDATE users SET password_hash = ?, session_version = session_version + 1"
                   " WHERE id = ?", [hashed, user_id])
        audit.record(db, "user_password", by, KIND, user_id)


def deactivate(db: Database, user_id: int, by: int | None = None) -> int:
    """Lock the user out: no log-in, sessions ended, API tokens revoked; audited.

    Returns how many live tokens were revoked.
    """
    with writing(db):
        db.execute("UPDATE users SET active = 0, session_version = session_version + 1"
                   " WHERE id = ?", [user_id])
        revoked = api_tokens.revoke_all(db, user_id, revoked_by=by)
        audit.record(db, "user_deactivate", by, KIND, user_id, {"tokens_revoked": revoked})
    return revoked


def reactivate(db: Database, user_id: int, by: int | None = None) -> None:
    """Let a deactivated user log in again (their revoked tokens stay revoked); audited."""
    with writing(db):
        db.execute("UPDATE users SET active = 1 WHERE id = ?", [user_id])
        audit.record(db, "user_reactivate", by, KIND, user_id)


def change_place(db: Database, user_id: int, team: str | None, region: str | None,
                 by: int | None = None) -> dict:
    """Move the user to another team and/or region; audited with old and new values.

    Returns the changes as {"team": [old, new], ...} (empty when nothing changed).
    The user's open sessions read the new team on their next request.
    """
    with writing(db):
        row = first_row(db, "SELECT team, region FROM users WHERE id = ?", [user_id])
        changes = {name: [row[name], value] for name, value in
                   (("team", team or None), ("region", region or None))
                   if row[name] != value}
        if changes:
            db.execute("UPDATE users SET team = ?, region = ? WHERE id = ?",
                       [team or None, region or None, user_id])
            audit.record(db, "user_change", by, KIND, user_id, changes)
    return changes


def set_language(db: Database, user_id: int, code: str | None, by: int | None = None) -> None:
    """Keep the user's language (a code of models.languages, or None for the browser's).

    Audited when an admin sets it (``by``); the user's own switch is a preference.
    """
    with writing(db):
        old = first_row(db, "SELECT locale FROM users WHERE id = ?", [user_id])
        db.execute("UPDATE users SET locale = ? WHERE id = ?", [code or None, user_id])
        if by is not None and old and old["locale"] != (code or None):
            audit.record(db, "user_change", by, KIND, user_id, {"locale": [old["locale"], code or None]})
