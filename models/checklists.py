"""Checklists as filed: what a checklist is made of, and how it is read back.

Saving one (idempotent create, versioned edit) is models/entries.py's, as for
every kind of entry: ``entries.create(db, CHECKLISTS, filing, author_id, team)``.
"""

import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from models import flags, protocols
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
    # Counting checklists: {contest: {item: value}} copied from the posted protocols.
    protocol: dict = field(default_factory=dict)

    def content(self) -> dict:
        """The parts that make two submissions 'the same' (not who or when)."""
        content = {"form_type": self.form_type, "station_id": self.station_id,
                   "arrival_utc": self.arrival_utc, "departure_utc": self.departure_utc,
                   "answers": self.answers, "overall": self.overall}
        # Only when there is one: checklists filed before protocols keep their hash.
        if self.protocol:
            content["protocol"] = self.protocol
        return content


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
    old, new = before.get("protocol") or {}, after.get("protocol") or {}
    for contest in sorted(set(old) | set(new)):
        was, now = old.get(contest, {}), new.get(contest, {})
        for item in sorted(set(was) | set(now)):
            if was.get(item) != now.get(item):
                changed[f"protocol-{contest}-{item}"] = [was.get(item), now.get(item)]
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

    def write_parts(self, db: Database, entry_id: int, record: Filing, now: str,
                    new: bool) -> None:
        """Its protocol figures, one a row; an edit replaces them all."""
        if new and not record.protocol:
            return
        protocols.write(db, entry_id, record.station_id, record.protocol)

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
    """One checklist with its station and author, answers decoded, its protocol figures.

    None if absent. ``protocol`` is {contest: {item: value}}, empty when none was copied.
    """
    rows = list(db.query(_ENTRY_SQL + " WHERE c.id = ?", [entry_id]))
    if not rows:
        return None
    return {**_decode(rows[0]), "protocol": protocols.for_checklist(db, entry_id)}


def find_by_uuid(db: Database, entry_uuid: str) -> dict | None:
    """The checklist filed with this form uuid, or None."""
    rows = list(db.query(_ENTRY_SQL + " WHERE c.uuid = ?", [entry_uuid]))
    return _decode(rows[0]) if rows else None


def _with_protocols(db: Database, rows: list[dict]) -> list[dict]:
    """Rows with their protocol figures, read in one query for the whole page."""
    found = protocols.for_checklists(db, [row["id"] for row in rows])
    for row in rows:
        row["protocol"] = found.get(row["id"], {})
    return rows


def for_team(db: Database, team: str, limit: int = 200, offset: int = 0) -> list[dict]:
    """A team's checklists, newest first, with their protocol figures."""
    return _with_protocols(db, [_decode(r) for r in db.query(
        _ENTRY_SQL + " WHERE c.team = ? ORDER BY c.created_utc DESC, c.id DESC LIMIT ? OFFSET ?",
        [team, limit, offset])])


def latest(db: Database, limit: int = 200, offset: int = 0) -> list[dict]:
    """All teams' checklists, newest first, for reviewers, with their protocol figures."""
    return _with_protocols(db, [_decode(r) for r in db.query(
        _ENTRY_SQL + " ORDER BY c.created_utc DESC, c.id DESC LIMIT ? OFFSET ?",
        [limit, offset])])


def count(db: Database) -> int:
    """How many checklists exist."""
    return db.execute("SELECT count(*) FROM checklists").fetchone()[0]
