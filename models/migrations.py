"""Named schema migrations, applied in order and recorded in _sqlite_migrations.

Never drop or recreate a table that holds observers' data: add a new
migration that alters it in place.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("observation")


@migrations(transactional=False)
def m001_wal(db: Database) -> None:
    # Readers never block the writer; PRAGMA journal_mode cannot run in a
    # transaction, hence its own non-transactional migration.
    db.execute("PRAGMA journal_mode = WAL")


@migrations()
def m002_users_and_stations(db: Database) -> None:
    db.execute("""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('observer', 'coordinator', 'liaison', 'admin')),
            team TEXT,
            region TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_utc TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE stations (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            address TEXT NOT NULL DEFAULT '',
            region TEXT NOT NULL,
            district TEXT NOT NULL DEFAULT '',
            timezone TEXT NOT NULL,
            registered_voters INTEGER NOT NULL,
            latitude REAL,
            longitude REAL,
            -- casefolded number, name, address and district: SQLite's LIKE
            -- folds only ASCII, observers type Cyrillic in any case.
            search_text TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX stations_region ON stations (region)")


@migrations()
def m003_checklists(db: Database) -> None:
    db.execute("""
        CREATE TABLE checklists (
            id INTEGER PRIMARY KEY,
            -- made when the form was opened; a repeat of the same submission
            -- hits this constraint instead of making a second entry.
            uuid TEXT NOT NULL UNIQUE,
            form_type TEXT NOT NULL,
            form_version INTEGER NOT NULL,
            station_id INTEGER NOT NULL REFERENCES stations (id),
            team TEXT NOT NULL,
            author_id INTEGER NOT NULL REFERENCES users (id),
            arrival_utc TEXT NOT NULL,
            departure_utc TEXT NOT NULL,
            timezone TEXT NOT NULL,
            answers TEXT NOT NULL,
            overall TEXT NOT NULL,
            serious_count INTEGER NOT NULL DEFAULT 0,
            content_hash TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            created_utc TEXT NOT NULL,
            updated_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX checklists_team ON checklists (team, created_utc)")
    db.execute("CREATE INDEX checklists_station ON checklists (station_id, form_type)")
    db.execute("CREATE INDEX checklists_type ON checklists (form_type, overall)")
    db.execute("""
        CREATE TABLE checklist_versions (
            id INTEGER PRIMARY KEY,
            checklist_id INTEGER NOT NULL REFERENCES checklists (id),
            version INTEGER NOT NULL,
            edited_by INTEGER NOT NULL REFERENCES users (id),
            edited_utc TEXT NOT NULL,
            -- the whole entry as it stood after this version, and what
            -- changed from the previous one: the original is never lost.
            snapshot TEXT NOT NULL,
            changes TEXT NOT NULL,
            UNIQUE (checklist_id, version)
        )""")


def migrate(db: Database) -> None:
    """Apply pending migrations."""
    migrations.apply(db)
