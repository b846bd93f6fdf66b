"""Shared by the results tests: checklists, protocol figures and official rows written directly."""

import json
import uuid

from tests.conftest import station_id


def checklist(db, number: str, form_type: str = "counting", answers: dict | None = None,
              arrival_utc: str = "2023-03-19T15:00:00Z", state: str = "submitted",
              team: str = "T01") -> int:
    """A checklist row for station ``number`` (no form: what is compared is the figures)."""
    author = db.execute("SELECT id FROM users WHERE username = 'obs1'").fetchone()[0]
    zone = db.execute("SELECT timezone FROM stations WHERE number = ?", [number]).fetchone()[0]
    cursor = db.execute(
        "INSERT INTO checklists (uuid, form_type, form_version, station_id, team, author_id,"
        " arrival_utc, departure_utc, timezone, answers, overall, content_hash, created_utc,"
        " updated_utc, review_state) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 'good', 'x', ?, ?, ?)",
        [str(uuid.uuid4()), form_type, station_id(db, number), team, author, arrival_utc,
         arrival_utc, zone, json.dumps(answers or {}), arrival_utc, arrival_utc, state])
    db.conn.commit()
    return cursor.lastrowid


def protocol(db, checklist_id: int, contest: str, figures: dict[str, int]) -> None:
    """What the observer copied from one protocol."""
    station = db.execute("SELECT station_id FROM checklists WHERE id = ?",
                         [checklist_id]).fetchone()[0]
    db.conn.executemany("INSERT INTO protocol_figures (checklist_id, station_id, contest, item,"
                        " value) VALUES (?, ?, ?, ?, ?)",
                        [(checklist_id, station, contest, k, v) for k, v in figures.items()])
    db.conn.commit()


def official(db, level: str, unit: str, contest: str, figures: dict[str, int],
             source: str = "CEC") -> None:
    """Official figures of one unit."""
    db.conn.executemany("INSERT INTO official_results (level, unit, contest, item, value,"
                        " source, imported_utc) VALUES (?, ?, ?, ?, ?, ?, '2023-03-27T00:00:00Z')",
                        [(level, unit, contest, k, v, source) for k, v in figures.items()])
    db.conn.commit()


def turnout(db, level: str, unit: str, points: dict[str, float], source: str = "CEC") -> None:
    """Announced turnout of one unit: local time -> percent."""
    db.conn.executemany("INSERT INTO official_turnout (level, unit, local_time, share, source,"
                        " imported_utc) VALUES (?, ?, ?, ?, ?, '2023-03-19T20:00:00Z')",
                        [(level, unit, t, s, source) for t, s in points.items()])
    db.conn.commit()
