"""Data derived from the entries, kept current by SQLite: indexes, search, tallies.

Nothing here is the only copy of anything: each can be rebuilt from the
entries (``report tallies --rebuild`` for the tallies).
"""

from sqlite_utils import Database

from models import tallies
from models.stations import search_text


def m007_dashboard_indexes(db: Database) -> None:
    # Covering indexes: the dashboard's aggregates at 50,000 checklists read
    # only these, never the rows with their answers (bench/dashboard.py:
    # 157-360 ms without, 47-74 ms with).
    db.execute("CREATE INDEX checklists_stats ON checklists"
               " (station_id, form_type, review_state, overall)")
    db.execute("CREATE INDEX checklists_created ON checklists"
               " (created_utc, form_type, review_state)")
    db.execute("CREATE INDEX audit_log_action ON audit_log (action)")


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
