"""Who did what and who may: the audit log, API tokens, session versions."""

from sqlite_utils import Database


def m006_audit_log(db: Database) -> None:
    db.execute("""
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at_utc TEXT NOT NULL,
            user_id INTEGER,
            action TEXT NOT NULL,
            entry_kind TEXT,
            entry_id INTEGER,
            details TEXT NOT NULL DEFAULT '{}',
            -- each record carries the hash of the one before it, so an edited
            -- or deleted record breaks the chain (flask verify-audit).
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX audit_log_entry ON audit_log (entry_kind, entry_id)")


def m008_api_tokens(db: Database) -> None:
    db.execute("""
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            -- only a SHA-256 of the token is kept: a copied database gives no access
            token_hash TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL DEFAULT '',
            created_by INTEGER REFERENCES users (id),
            created_utc TEXT NOT NULL,
            last_used_utc TEXT,
            revoked_utc TEXT
        )""")


def m010_session_version(db: Database) -> None:
    # Each login stores the user's session_version in the session cookie; logging
    # out, a new password or deactivation adds one, so every cookie issued before
    # stops working at once (views/auth.py load_user), copies included.
    db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1")


def m017_user_language(db: Database) -> None:
    # The language a user chose in the menu or an admin set (models/languages.py);
    # NULL: the browser's Accept-Language, else the mission's default.
    db.execute("ALTER TABLE users ADD COLUMN locale TEXT")
