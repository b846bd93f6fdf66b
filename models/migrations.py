"""Named schema migrations, applied in order and recorded in _sqlite_migrations.

Never drop or recreate a table that holds observers' data: add a new
migration that alters it in place. The one exception is a change SQLite cannot
make in place (a CHECK constraint): then the migration rebuilds the table and
copies every row in its own transaction, and checks the count (see m009).
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from models import tallies
from models.stations import search_text

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


@migrations()
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


@migrations()
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


@migrations()
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


@migrations()
def m007_dashboard_indexes(db: Database) -> None:
    # Covering indexes: the dashboard's aggregates at 50,000 checklists read
    # only these, never the rows with their answers (bench/dashboard.py:
    # 157-360 ms without, 47-74 ms with).
    db.execute("CREATE INDEX checklists_stats ON checklists"
               " (station_id, form_type, review_state, overall)")
    db.execute("CREATE INDEX checklists_created ON checklists"
               " (created_utc, form_type, review_state)")
    db.execute("CREATE INDEX audit_log_action ON audit_log (action)")


@migrations()
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


@migrations()
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


@migrations()
def m010_session_version(db: Database) -> None:
    # Each login stores the user's session_version in the session cookie; logging
    # out, a new password or deactivation adds one, so every cookie issued before
    # stops working at once (views/auth.py load_user), copies included.
    db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1")


@migrations()
def m011_photos(db: Database) -> None:
    # The images themselves live in the media folder, named by their sha256
    # (models/media.py); a row says which entry a photo belongs to and who sent it.
    db.execute("""
        CREATE TABLE photos (
            id INTEGER PRIMARY KEY,
            -- made by the phone: a retried upload hits this constraint instead
            -- of storing the photo twice.
            uuid TEXT NOT NULL UNIQUE,
            entry_kind TEXT NOT NULL
                CHECK (entry_kind IN ('checklist', 'incident', 'interaction')),
            entry_id INTEGER NOT NULL,
            question TEXT,
            -- of the stored, re-encoded JPEG: its name in the media folder
            sha256 TEXT NOT NULL,
            -- of the bytes received: how a resend of the same photo is recognised
            upload_sha256 TEXT NOT NULL,
            thumbnail_sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            captured_utc TEXT,
            uploaded_by INTEGER NOT NULL REFERENCES users (id),
            uploaded_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX photos_entry ON photos (entry_kind, entry_id, id)")
    # Whether a file is still used, when an upload that placed it fails.
    db.execute("CREATE INDEX photos_sha256 ON photos (sha256)")
    db.execute("CREATE INDEX photos_thumbnail ON photos (thumbnail_sha256)")


@migrations()
def m012_station_search_index(db: Database) -> None:
    # Observers type "аксай" for "Ақсай" and "Semey" for "Семей": search_text
    # becomes the folded key (models/stations.fold), refilled here for stations
    # imported before. A trigram FTS5 index over it finds any part of a name
    # without reading all 10,223 rows (bench/station_search.py); triggers keep it
    # in step with every insert, update and delete, whoever writes the row.
    rows = db.execute("SELECT id, number, name, address, district FROM stations").fetchall()
    db.conn.executemany("UPDATE stations SET search_text = ? WHERE id = ?",
                        [(search_text(*row[1:]), row[0]) for row in rows])
    db.execute("CREATE VIRTUAL TABLE stations_search USING fts5(search_text,"
               " content='stations', content_rowid='id', tokenize='trigram')")
    db.execute("""
        CREATE TRIGGER stations_search_insert AFTER INSERT ON stations BEGIN
            INSERT INTO stations_search (rowid, search_text) VALUES (new.id, new.search_text);
        END""")
    db.execute("""
        CREATE TRIGGER stations_search_delete AFTER DELETE ON stations BEGIN
            INSERT INTO stations_search (stations_search, rowid, search_text)
                VALUES ('delete', old.id, old.search_text);
        END""")
    db.execute("""
        CREATE TRIGGER stations_search_update AFTER UPDATE OF search_text ON stations BEGIN
            INSERT INTO stations_search (stations_search, rowid, search_text)
                VALUES ('delete', old.id, old.search_text);
            INSERT INTO stations_search (rowid, search_text) VALUES (new.id, new.search_text);
        END""")
    db.execute("INSERT INTO stations_search (stations_search) VALUES ('rebuild')")


def _tally(row: str, sign: str) -> str:
    """One trigger statement: add (sign "+") or take away ("-") the yes/no answers of
    checklist ``row`` (NEW or OLD) in answer_tallies."""
    return ("INSERT INTO answer_tallies (form_type, review_state, region, arrival_utc,"
            " question, yes, no)"
            f" SELECT {row}.form_type, {row}.review_state,"
            f" (SELECT region FROM stations WHERE id = {row}.station_id),"
            f" substr({row}.arrival_utc, 1, 13) || ':00:00Z', j.key,"
            f" {sign}(j.value = 'yes'), {sign}(j.value = 'no')"
            f" FROM json_each({row}.answers) j WHERE j.value IN ('yes', 'no')"
            " ON CONFLICT (form_type, review_state, region, arrival_utc, question)"
            " DO UPDATE SET yes = yes + excluded.yes, no = no + excluded.no;")


def _moved(region: str, sign: str) -> str:
    """One trigger statement: a station's checklists' answers counted under ``region``."""
    return ("INSERT INTO answer_tallies (form_type, review_state, region, arrival_utc,"
            " question, yes, no)"
            f" SELECT c.form_type, c.review_state, {region},"
            " substr(c.arrival_utc, 1, 13) || ':00:00Z' AS hour, j.key,"
            f" {sign}sum(j.value = 'yes'), {sign}sum(j.value = 'no')"
            " FROM checklists c, json_each(c.answers) j"
            " WHERE c.station_id = NEW.id AND j.value IN ('yes', 'no')"
            " GROUP BY c.form_type, c.review_state, hour, j.key"
            " ON CONFLICT (form_type, review_state, region, arrival_utc, question)"
            " DO UPDATE SET yes = yes + excluded.yes, no = no + excluded.no;")


@migrations()
def m013_answer_tallies(db: Database) -> None:
    # The yes/no answers counted per checklist type, review state, region, arrival hour
    # (UTC, "2023-03-19T04:00:00Z") and question, for the summary's indicators
    # (models/tallies.py). Triggers keep them in the same transaction as every write
    # that changes what counts, whichever code path makes it: a create, an edit, a
    # review move, a delete, a station moved to another region.
    db.execute("""
        CREATE TABLE answer_tallies (
            form_type TEXT NOT NULL,
            review_state TEXT NOT NULL,
            region TEXT NOT NULL,
            -- the arrival hour: named as the checklists' column so the report
            -- filter's condition applies to both (reports/filters.py).
            arrival_utc TEXT NOT NULL,
            question TEXT NOT NULL,
            yes INTEGER NOT NULL DEFAULT 0,
            no INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (form_type, region, arrival_utc, review_state, question)
        ) WITHOUT ROWID""")
    db.execute(f"""
        CREATE TRIGGER answer_tallies_insert AFTER INSERT ON checklists BEGIN
            {_tally("NEW", "+")}
        END""")
    db.execute(f"""
        CREATE TRIGGER answer_tallies_delete AFTER DELETE ON checklists BEGIN
            {_tally("OLD", "-")}
        END""")
    db.execute(f"""
        CREATE TRIGGER answer_tallies_update
        AFTER UPDATE OF form_type, review_state, arrival_utc, station_id, answers ON checklists
        WHEN OLD.form_type IS NOT NEW.form_type OR OLD.review_state IS NOT NEW.review_state
          OR OLD.arrival_utc IS NOT NEW.arrival_utc OR OLD.station_id IS NOT NEW.station_id
          OR OLD.answers IS NOT NEW.answers
        BEGIN
            {_tally("OLD", "-")}
            {_tally("NEW", "+")}
        END""")
    db.execute(f"""
        CREATE TRIGGER answer_tallies_station_region AFTER UPDATE OF region ON stations
        WHEN OLD.region IS NOT NEW.region BEGIN
            {_moved("OLD.region", "-")}
            {_moved("NEW.region", "+")}
        END""")
    tallies.refill(db)


@migrations()
def m014_contests(db: Database) -> None:
    # The contests themselves live in the mission file (models/contests); the
    # database holds what changes with the election: each station's
    # single-member district and urban/rural type (empty until the registry is
    # re-imported with them), the district candidates, and official results.
    db.execute("ALTER TABLE stations ADD COLUMN smd_district INTEGER")
    db.execute("ALTER TABLE stations ADD COLUMN area_type TEXT"
               " CHECK (area_type IS NULL OR area_type IN ('urban', 'rural'))")
    db.execute("CREATE INDEX stations_smd_district ON stations (smd_district)")
    db.execute("""
        CREATE TABLE candidates (
            id INTEGER PRIMARY KEY,
            district INTEGER NOT NULL,
            -- what official results and observed protocols name the candidate by
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            -- a party code of the mission file, or 'self_nominated'
            party TEXT NOT NULL,
            -- ballot order within the district (the order of the imported file)
            position INTEGER NOT NULL,
            imported_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX candidates_district ON candidates (district, position)")
    # One figure per row, as the commission published it (flask import-results):
    # level national/region/district/station; unit empty for national, else the
    # region's name, the district's number or the station's number; item a party
    # or candidate code, against_all or a control figure.
    db.execute("""
        CREATE TABLE official_results (
            id INTEGER PRIMARY KEY,
            level TEXT NOT NULL,
            unit TEXT NOT NULL DEFAULT '',
            contest TEXT NOT NULL,
            item TEXT NOT NULL,
            value INTEGER NOT NULL,
            source TEXT NOT NULL,
            imported_utc TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX official_results_unit ON official_results"
               " (contest, level, unit, item)")
    db.execute("CREATE INDEX official_results_source ON official_results (source)")


@migrations()
def m016_protocols_and_turnout(db: Database) -> None:
    # What observers copied from posted protocols, one figure a row, so that
    # comparing with official results (official_results, m014) is a join and
    # not a walk through JSON answers. A figure belongs to a counting
    # checklist (written with it, in the same transaction) and to a contest of
    # the mission file (models/contests): `item` is a party or candidate code,
    # against_all, or a control figure code.
    db.execute("""
        CREATE TABLE protocol_figures (
            id INTEGER PRIMARY KEY,
            checklist_id INTEGER NOT NULL REFERENCES checklists (id),
            station_id INTEGER NOT NULL REFERENCES stations (id),
            contest TEXT NOT NULL,
            item TEXT NOT NULL,
            value INTEGER NOT NULL CHECK (value >= 0),
            UNIQUE (checklist_id, contest, item)
        )""")
    db.execute("CREATE INDEX protocol_figures_station ON protocol_figures"
               " (station_id, contest, item)")
    # The commission's announced turnout by time of day (the CEC announced
    # 10:00, 12:00, 14:00, 16:00 and 18:00 in 2023), nationally ('national',
    # unit '') or by region (unit = the region's name); local_time 'HH:MM'.
    db.execute("""
        CREATE TABLE official_turnout (
            id INTEGER PRIMARY KEY,
            level TEXT NOT NULL CHECK (level IN ('national', 'region')),
            unit TEXT NOT NULL DEFAULT '',
            local_time TEXT NOT NULL,
            share REAL NOT NULL CHECK (share >= 0 AND share <= 100),
            source TEXT NOT NULL,
            imported_utc TEXT NOT NULL,
            UNIQUE (level, unit, local_time, source)
        )""")


def migrate(db: Database) -> None:
    """Apply pending migrations."""
    migrations.apply(db)
