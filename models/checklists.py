"""Checklists as filed: what a checklist is made of, and how it is read back.

Saving one (idempotent create, versioned edit) is models/entries.py's, as for
every kind of entry: ``entries.create(db, CHECKLISTS, filing, author_id, team)``.
"""

import json
from dataclasses import dataclass

from sqlite_utils import Database

from models import flags
from models.entries import Kind, Record

KIND = "checklist"


@dataclass
class Filing(Record):
    """What an observer submitted, already validated."""

    uuid: str
    form_type: str
    form_version: int
    station_id: int
    timezone: str
    arrival_utc: str
    departure_utc: str
    answers: dict
    overall: str
    serious_count: int

    def content(self) -> dict:
        """The parts that make two submissions 'the same' (not who or when)."""
        return {"form_type": self.form_type, "station_id": self.station_id,
                "arrival_utc": self.arrival_utc, "departure_utc": self.departure_utc,
                "answers": self.answers, "overall": self.overall}


def changes_between(before: dict, after: dict) -> dict:
    """{name: [old, new]} for every header field and answer that differs."""
    changed = {}
    for key in ("arrival_utc", "departure_utc", "overall"):
        if before[key] != after[key]:
            changed[key] = [before[key], after[key]]
    old, new = before["answers"], after["answers"]
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            changed[key] = [old.get(key), new.get(key)]
    return changed


class Checklists(Kind):
    """A checklist: its answers as JSON, its flags recomputed on every save."""

    code = KIND
    table = "checklists"
    # The form type and station are chosen before the form is filled; an edit
    # corrects the answers, it does not move the visit.
    fixed = ("uuid", "form_type", "form_version", "station_id", "timezone")

    def columns(self, record: Filing) -> dict:
        """The checklists row's own columns."""
        return {"uuid": record.uuid, "form_type": record.form_type,
                "form_version": record.form_version, "station_id": record.station_id,
                "arrival_utc": record.arrival_utc, "departure_utc": record.departure_utc,
                "timezone": record.timezone,
                "answers": json.dumps(record.answers, ensure_ascii=False),
                "overall": record.overall, "serious_count": record.serious_count}

    def snapshot(self, db: Database, entry_id: int, record: Filing) -> dict:
        """The content with the form version and the count of serious answers."""
        return {**record.content(), "form_version": record.form_version,
                "serious_count": record.serious_count}

    def stored(self, db: Database, entry_id: int) -> dict:
        """The stored checklist, answers decoded."""
        return get(db, entry_id)

    def changes(self, before: dict, after: dict) -> dict:
        """Header fields and answers, one by one."""
        return changes_between(before, after)

    def created_details(self, record: Filing) -> dict:
        """The uuid and the checklist type."""
        return {"uuid": record.uuid, "form_type": record.form_type}

    def saved(self, db: Database, entry_id: int, user_id: int, record: Filing,
              before: dict | None) -> None:
        """Recompute its flags, and its conflicts with other teams' checklists."""
        flags.refresh_checklist(db, entry_id, new=before is None)


CHECKLISTS = Checklists()


_ENTRY_SQL = """
    SELECT c.*, s.number AS station_number, s.name AS station_name, s.region,
           s.district, u.username AS author
    FROM checklists c
    JOIN stations s ON s.id = c.station_id
    JOIN users u ON u.id = c.author_id
"""


def _decode(row: dict) -> dict:
    row["answers"] = json.loads(row["answers"])
    return row


def get(db: Database, entry_id: int) -> dict | None:
    """One checklist with its station and author, answers decoded; None if absent."""
    rows = list(db.query(_ENTRY_SQL + " WHERE c.id = ?", [entry_id]))
    return _decode(rows[0]) if rows else None


def find_by_uuid(db: Database, entry_uuid: str) -> dict | None:
    """The checklist filed with this form uuid, or None."""
    rows = list(db.query(_ENTRY_SQL + " WHERE c.uuid = ?", [entry_uuid]))
    return _decode(rows[0]) if rows else None


def for_team(db: Database, team: str, limit: int = 200, offset: int = 0) -> list[dict]:
    """A team's checklists, newest first."""
    return [_decode(r) for r in db.query(
        _ENTRY_SQL + " WHERE c.team = ? ORDER BY c.created_utc DESC, c.id DESC LIMIT ? OFFSET ?",
        [team, limit, offset])]


def latest(db: Database, limit: int = 200, offset: int = 0) -> list[dict]:
    """All teams' checklists, newest first, for reviewers."""
    return [_decode(r) for r in db.query(
        _ENTRY_SQL + " ORDER BY c.created_utc DESC, c.id DESC LIMIT ? OFFSET ?",
        [limit, offset])]


def count(db: Database) -> int:
    """How many checklists exist."""
    return db.execute("SELECT count(*) FROM checklists").fetchone()[0]
