"""Mission members: observers, coordinators, the CEC liaison and admins."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from models.clock import to_iso, utc_now
from models.db import first_row

ROLES = ("observer", "coordinator", "liaison", "admin")
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
