"""The tables of what observers file and how it is reviewed.

Users and stations, checklists, incidents and meetings, the review with its
events and comments, and every kind's versions in one table.
"""

from sqlite_utils import Database


def m001_wal(db: Database) -> None:
    # Readers never block the writer; PRAGMA journal_mode cannot run in a
    # transaction, hence its own non-transactional migration.
    db.execute("PRAGMA journal_mode = WAL")


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


def m004_incidents_and_interactions(db: Database) -> None:
    db.execute("""
        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            station_id INTEGER REFERENCES stations (id),
            region TEXT NOT NULL,
            place TEXT NOT NULL DEFAULT '',
            occurred_utc TEXT NOT NULL,
            timezone TEXT NOT NULL,
            category TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
            description TEXT NOT NULL,
            reported_to_commission TEXT NOT NULL CHECK (reported_to_commission IN ('yes', 'no')),
            commission_response TEXT NOT NULL DEFAULT '',
            team TEXT NOT NULL,
            author_id INTEGER NOT NULL REFERENCES users (id),
            content_hash TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            review_state TEXT NOT NULL DEFAULT 'submitted',
            created_utc TEXT NOT NULL,
            updated_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX incidents_team ON incidents (team, created_utc)")
    db.execute("CREATE INDEX incidents_review ON incidents (review_state, severity)")
    db.execute("""
        CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            occurred_utc TEXT NOT NULL,
            timezone TEXT NOT NULL,
            place TEXT NOT NULL DEFAULT '',
            commission_level TEXT NOT NULL
                CHECK (commission_level IN ('cec', 'territorial', 'district', 'precinct')),
            commission_name TEXT NOT NULL,
            region TEXT NOT NULL DEFAULT '',
            counterparts TEXT NOT NULL DEFAULT '[]',  -- JSON [{name, position}]
            participants TEXT NOT NULL DEFAULT '',
            topics TEXT NOT NULL DEFAULT '[]',        -- JSON list of topic codes
            summary TEXT NOT NULL DEFAULT '',
            team TEXT NOT NULL,
            author_id INTEGER NOT NULL REFERENCES users (id),
            content_hash TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            review_state TEXT NOT NULL DEFAULT 'submitted',
            created_utc TEXT NOT NULL,
            updated_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX interactions_when ON interactions (occurred_utc)")
    db.execute("""
        CREATE TABLE follow_ups (
            id INTEGER PRIMARY KEY,
            interaction_id INTEGER NOT NULL REFERENCES interactions (id),
            -- a request the mission made, or an answer/commitment the commission gave
            kind TEXT NOT NULL CHECK (kind IN ('request', 'commitment')),
            text TEXT NOT NULL,
            due_date TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
            answer_date TEXT,
            answer_text TEXT NOT NULL DEFAULT '',
            updated_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX follow_ups_due ON follow_ups (status, due_date)")
    db.execute("CREATE INDEX follow_ups_interaction ON follow_ups (interaction_id)")
    db.execute("""
        CREATE TABLE interaction_links (
            interaction_id INTEGER NOT NULL REFERENCES interactions (id),
            entry_kind TEXT NOT NULL CHECK (entry_kind IN ('checklist', 'incident')),
            entry_id INTEGER NOT NULL,
            PRIMARY KEY (interaction_id, entry_kind, entry_id)
        )""")
    db.execute("CREATE INDEX interaction_links_entry ON interaction_links (entry_kind, entry_id)")
    db.execute("""
        CREATE TABLE entry_versions (
            id INTEGER PRIMARY KEY,
            entry_kind TEXT NOT NULL CHECK (entry_kind IN ('incident', 'interaction')),
            entry_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            edited_by INTEGER NOT NULL REFERENCES users (id),
            edited_utc TEXT NOT NULL,
            snapshot TEXT NOT NULL,
            changes TEXT NOT NULL,
            UNIQUE (entry_kind, entry_id, version)
        )""")


def m005_review(db: Database) -> None:
    db.execute("ALTER TABLE checklists ADD COLUMN review_state TEXT NOT NULL DEFAULT 'submitted'")
    db.execute("CREATE INDEX checklists_review ON checklists (review_state, form_type)")
    db.execute("""
        CREATE TABLE review_events (
            id INTEGER PRIMARY KEY,
            entry_kind TEXT NOT NULL,
            entry_id INTEGER NOT NULL,
            from_state TEXT NOT NULL,
            to_state TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users (id),
            at_utc TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT ''
        )""")
    db.execute("CREATE INDEX review_events_entry ON review_events (entry_kind, entry_id)")
    db.execute("""
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            entry_kind TEXT NOT NULL,
            entry_id INTEGER NOT NULL,
            author_id INTEGER NOT NULL REFERENCES users (id),
            at_utc TEXT NOT NULL,
            body TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX comments_entry ON comments (entry_kind, entry_id)")
    db.execute("""
        CREATE TABLE flags (
            id INTEGER PRIMARY KEY,
            entry_kind TEXT NOT NULL,
            entry_id INTEGER NOT NULL,
            code TEXT NOT NULL,
            reason TEXT NOT NULL,
            -- for conflicts: the other team's entry that disagrees
            other_id INTEGER
        )""")
    db.execute("CREATE INDEX flags_entry ON flags (entry_kind, entry_id)")
    db.execute("CREATE INDEX flags_code ON flags (code)")
    db.execute("""
        CREATE TABLE liaison_queue (
            entry_kind TEXT NOT NULL,
            entry_id INTEGER NOT NULL,
            topic TEXT NOT NULL,
            note TEXT NOT NULL,
            queued_by INTEGER NOT NULL REFERENCES users (id),
            queued_utc TEXT NOT NULL,
            PRIMARY KEY (entry_kind, entry_id)
        )""")


def m009_one_versions_table(db: Database) -> None:
    # Every kind of entry keeps its versions in entry_versions (models/entries.py),
    # so checklist_versions moves across: same version numbers, snapshots, changes,
    # editors and times. entry_versions' CHECK admits no 'checklist', and SQLite
    # cannot alter a CHECK, so the table is rebuilt the way SQLite documents
    # (create the new one, copy, drop the old, rename). That drops tables holding
    # observers' versions, which is allowed here only because every row is
    # copied first in this same transaction (sqlite-utils runs each migration in
    # one): a failure leaves the database as it was. Existing entry_versions rows
    # keep their ids; the checklist rows follow in the order they were written.
    db.execute("""
        CREATE TABLE entry_versions_new (
            id INTEGER PRIMARY KEY,
            entry_kind TEXT NOT NULL
                CHECK (entry_kind IN ('checklist', 'incident', 'interaction')),
            entry_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            edited_by INTEGER NOT NULL REFERENCES users (id),
            edited_utc TEXT NOT NULL,
            -- the whole entry as it stood after this version, and what
            -- changed from the previous one: the original is never lost.
            snapshot TEXT NOT NULL,
            changes TEXT NOT NULL,
            UNIQUE (entry_kind, entry_id, version)
        )""")
    db.execute("INSERT INTO entry_versions_new (id, entry_kind, entry_id, version, edited_by,"
               " edited_utc, snapshot, changes) SELECT id, entry_kind, entry_id, version,"
               " edited_by, edited_utc, snapshot, changes FROM entry_versions ORDER BY id")
    db.execute("INSERT INTO entry_versions_new (entry_kind, entry_id, version, edited_by,"
               " edited_utc, snapshot, changes) SELECT 'checklist', checklist_id, version,"
               " edited_by, edited_utc, snapshot, changes FROM checklist_versions ORDER BY id")
    copied = db.execute("SELECT count(*) FROM entry_versions_new").fetchone()[0]
    held = db.execute("SELECT (SELECT count(*) FROM entry_versions)"
                      " + (SELECT count(*) FROM checklist_versions)").fetchone()[0]
    if copied != held:
        raise RuntimeError(f"copied {copied} versions of {held}; nothing was changed")
    db.execute("DROP TABLE entry_versions")
    db.execute("ALTER TABLE entry_versions_new RENAME TO entry_versions")
    db.execute("DROP TABLE checklist_versions")
