"""Check-ins: an observer's sign of life without a checklist ("arrived at No. 123").

Made on the phone with a uuid of their own and sent through the outbox like
any entry (static/checkin.js), so created once per uuid: the UNIQUE
constraint decides, a resend with the same content returns the row already
stored, the same uuid with other content is refused (DuplicateConflict).
A check-in is not reviewed or edited: it only tells the control room
(models/control_room.py) when a team was last heard from, and where.
"""

import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

from models.clock import to_iso, utc_now
from models.db import writing
from models.entries import DuplicateConflict

KINDS = ("arrived", "leaving", "safe")
# A line, not a report: "safe, no signal until the count" fits many times over.
NOTE_MAX = 300


@dataclass
class Checkin:
    """A validated check-in (forms/checkin.py), ready to store."""

    uuid: str
    kind: str
    station_id: int | None
    note: str
    occurred_utc: str
    timezone: str

    def same_as(self, row: dict) -> bool:
        """True when ``row`` (a stored check-in) says the same: a resend, not a clash."""
        return (row["kind"], row["station_id"], row["note"]) == \
            (self.kind, self.station_id, self.note)


def create(db: Database, checkin: Checkin, author_id: int, team: str) -> tuple[dict, bool]:
    """Store a check-in once per uuid; return (row, created).

    Raises DuplicateConflict when the uuid was used for another check-in.
    """
    now = to_iso(utc_now())
    try:
        with writing(db):
            checkin_id = db.execute(
                "INSERT INTO checkins (uuid, team, author_id, kind, station_id, note,"
                " occurred_utc, timezone, created_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [checkin.uuid, team, author_id, checkin.kind, checkin.station_id,
                 checkin.note, checkin.occurred_utc, checkin.timezone, now]).lastrowid
        return get(db, checkin_id), True
    except sqlite3.IntegrityError:
        existing = by_uuid(db, checkin.uuid)
        if existing is None:
            raise
        if existing["team"] != team or not checkin.same_as(existing):
            raise DuplicateConflict(checkin.uuid) from None
        return existing, False


_SELECT = ("SELECT c.*, s.number AS station_number, s.name AS station_name,"
           " u.username AS author FROM checkins c JOIN users u ON u.id = c.author_id"
           " LEFT JOIN stations s ON s.id = c.station_id")


def get(db: Database, checkin_id: int) -> dict | None:
    """One check-in with its station's number and name and its author's user name."""
    rows = list(db.query(_SELECT + " WHERE c.id = ?", [checkin_id]))
    return rows[0] if rows else None


def by_uuid(db: Database, checkin_uuid: str) -> dict | None:
    """The check-in sent with this uuid, or None."""
    rows = list(db.query(_SELECT + " WHERE c.uuid = ?", [checkin_uuid]))
    return rows[0] if rows else None


def latest_for_team(db: Database, team: str, limit: int = 5) -> list[dict]:
    """The team's newest check-ins, newest first (the observer's home shows them)."""
    return list(db.query(_SELECT + " WHERE c.team = ? ORDER BY c.occurred_utc DESC, c.id DESC"
                         " LIMIT ?", [team, limit]))
