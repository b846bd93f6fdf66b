"""Meetings with election commissions: what was said, asked and promised, and the follow-up.

A meeting report is saved like every entry (models/entries.py: created once
per form uuid, edited in versions, locked once reviewed); this module adds
what only meetings have. Each request the mission made and each answer or commitment the
commission gave is its own follow_ups row, so it can be answered, closed and
found when overdue without touching the meeting report itself.
"""

import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from models import audit
from models.entries import Kind, Record, StaleEdit
from models.vocabulary import FOLLOW_UP_KINDS, LEVELS, TOPICS

KIND = "interaction"
LINK_KINDS = ("checklist", "incident")
# Entry numbers as people write them: C12 is checklist 12, I3 incident 3.
REF_PREFIX = {"checklist": "C", "incident": "I"}
KIND_OF_PREFIX = {prefix: kind for kind, prefix in REF_PREFIX.items()}
# The liaison has no observer team, but interactions.team is NOT NULL and
# decides who may see and edit a report; every liaison account shares this
# team, so two liaisons can correct each other's reports as team mates do.
LIAISON_TEAM = "liaison"


class UnknownEntry(Exception):
    """A linked checklist or incident does not exist (or is not the author's to link)."""


class UnknownFollowUp(Exception):
    """A follow-up id that does not belong to this meeting."""


@dataclass
class FollowUp:
    """A request by the mission or a commitment by the commission, as typed in the form."""

    kind: str
    text: str
    due_date: str | None = None  # YYYY-MM-DD
    item_id: int | None = None   # set when editing an existing item


@dataclass
class Meeting(Record):
    """A meeting report as validated by the form."""

    uuid: str
    occurred_utc: str
    timezone: str
    place: str
    commission_level: str
    commission_name: str
    region: str
    counterparts: list[dict]
    participants: str
    topics: list[str]
    summary: str
    follow_ups: list[FollowUp] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)

    def content(self) -> dict:
        """What makes two submissions of one form 'the same' (not who or when)."""
        return {"occurred_utc": self.occurred_utc, "place": self.place,
                "commission_level": self.commission_level,
                "commission_name": self.commission_name, "region": self.region,
                "counterparts": self.counterparts, "participants": self.participants,
                "topics": sorted(self.topics), "summary": self.summary,
                "follow_ups": [[f.kind, f.text, f.due_date] for f in self.follow_ups],
                "links": sorted([k, i] for k, i in self.links)}


def ref(kind: str, entry_id: int) -> str:
    """The short entry number people type: C12, I3."""
    return f"{REF_PREFIX[kind]}{entry_id}"


def describe_entries(db: Database, pairs) -> dict[tuple[str, int], dict]:
    """What identifies each (kind, id) to people: type or category, station or place, region.

    Entries that do not exist are simply absent from the result.
    """
    ids = {kind: json.dumps(sorted({i for k, i in pairs if k == kind})) for kind in LINK_KINDS}
    found = {}
    for row in db.query(
            "SELECT 'checklist' AS kind, c.id, c.team, c.review_state, s.region,"
            " c.form_type AS what, s.number AS station_number, s.name AS place,"
            " c.serious_count > 0 AS serious, '' AS severity"
            " FROM checklists c JOIN stations s ON s.id = c.station_id"
            " WHERE c.id IN (SELECT value FROM json_each(:checklist))"
            " UNION ALL"
            " SELECT 'incident', n.id, n.team, n.review_state, n.region, n.category,"
            " s.number, CASE WHEN n.place != '' THEN n.place ELSE coalesce(s.name, '') END,"
            " n.severity IN ('high', 'critical'), n.severity"
            " FROM incidents n LEFT JOIN stations s ON s.id = n.station_id"
            " WHERE n.id IN (SELECT value FROM json_each(:incident))", ids):
        row["ref"] = ref(row["kind"], row["id"])
        found[row["kind"], row["id"]] = row
    return found


def missing_entries(db: Database, links, team: str | None = None) -> list[tuple[str, int]]:
    """The (kind, id) pairs that do not exist, or belong to another team when ``team`` is set."""
    found = describe_entries(db, links)
    return [pair for pair in sorted(set(links)) if pair not in found
            or team is not None and found[pair]["team"] != team]


def linked_entries(db: Database, entry_id: int) -> list[dict]:
    """The checklists and incidents raised in a meeting, described for people."""
    pairs = _link_pairs(db, entry_id)
    found = describe_entries(db, pairs)
    return [found[p] for p in pairs if p in found]


def _check_codes(meeting: Meeting) -> None:
    # The form already refuses these; this guards the demo and other callers.
    if meeting.commission_level not in LEVELS or not meeting.topics \
            or any(t not in TOPICS for t in meeting.topics) \
            or any(f.kind not in FOLLOW_UP_KINDS for f in meeting.follow_ups) \
            or any(k not in LINK_KINDS for k, _i in meeting.links):
        raise ValueError("unknown level, topic, follow-up kind or link kind")


def _audit_links(db: Database, user_id: int, entry_id: int, before: set, after: set) -> None:
    """A "link" record on each entry's own trail when it is raised in, or taken off, a meeting."""
    for kind, linked in sorted(after - before):
        audit.record(db, "link", user_id, kind, linked, {"interaction": entry_id})
    for kind, linked in sorted(before - after):
        audit.record(db, "link", user_id, kind, linked, {"interaction": entry_id,
                                                         "removed": True})


def _link_pairs(db: Database, entry_id: int) -> list[tuple[str, int]]:
    return [tuple(r) for r in db.execute(
        "SELECT entry_kind, entry_id FROM interaction_links WHERE interaction_id = ?"
        " ORDER BY entry_kind, entry_id", [entry_id])]


def _insert_follow_up(db: Database, entry_id: int, item: FollowUp, now: str) -> None:
    db.execute("INSERT INTO follow_ups (interaction_id, kind, text, due_date, updated_utc)"
               " VALUES (?, ?, ?, ?, ?)", [entry_id, item.kind, item.text, item.due_date, now])


def _insert_links(db: Database, entry_id: int, links: list[tuple[str, int]]) -> None:
    db.conn.executemany("INSERT OR IGNORE INTO interaction_links (interaction_id, entry_kind,"
                        " entry_id) VALUES (?, ?, ?)", [(entry_id, k, i) for k, i in links])


def _snapshot(db: Database, entry_id: int) -> dict:
    """The meeting as it stands, for entry_versions and for telling what an edit changed."""
    row = db.execute("SELECT occurred_utc, timezone, place, commission_level, commission_name,"
                     " region, counterparts, participants, topics, summary FROM interactions"
                     " WHERE id = ?", [entry_id]).fetchone()
    keys = ("occurred_utc", "timezone", "place", "commission_level", "commission_name",
            "region", "counterparts", "participants", "topics", "summary")
    snap = dict(zip(keys, row))
    snap["counterparts"] = json.loads(snap["counterparts"])
    snap["topics"] = sorted(json.loads(snap["topics"]))
    snap["follow_ups"] = [
        {"id": r[0], "kind": r[1], "text": r[2], "due_date": r[3], "status": r[4]}
        for r in db.execute("SELECT id, kind, text, due_date, status FROM follow_ups"
                            " WHERE interaction_id = ? ORDER BY id", [entry_id])]
    snap["links"] = [ref(k, i) for k, i in _link_pairs(db, entry_id)]
    return snap


def _replace_parts(db: Database, entry_id: int, meeting: Meeting, now: str) -> None:
    current = {r[0]: r for r in db.execute(
        "SELECT id, kind, text, due_date, status FROM follow_ups WHERE interaction_id = ?",
        [entry_id])}
    kept = set()
    for item in meeting.follow_ups:
        if item.item_id is None:
            _insert_follow_up(db, entry_id, item, now)
            continue
        old = current.get(item.item_id)
        if old is None:
            raise UnknownFollowUp(item.item_id)
        if old[4] != "open":
            raise StaleEdit(entry_id)  # answered or closed while the form was open
        kept.add(item.item_id)
        if (old[1], old[2], old[3]) != (item.kind, item.text, item.due_date):
            db.execute("UPDATE follow_ups SET kind = ?, text = ?, due_date = ?, updated_utc = ?"
                       " WHERE id = ?", [item.kind, item.text, item.due_date, now, item.item_id])
    for item_id, old in current.items():
        if old[4] == "open" and item_id not in kept:
            db.execute("DELETE FROM follow_ups WHERE id = ?", [item_id])
    db.execute("DELETE FROM interaction_links WHERE interaction_id = ?", [entry_id])
    _insert_links(db, entry_id, meeting.links)


class Meetings(Kind):
    """A meeting report: its follow-up items and links to entries live beside its row.

    Follow-ups already answered or closed are kept as they are by an edit;
    open ones are updated by id, and an open one left out is removed. An edit
    of an item answered meanwhile raises StaleEdit; a link to an entry that
    does not exist raises UnknownEntry, an item id not the meeting's
    UnknownFollowUp, and nothing is stored.
    """

    code = KIND
    table = "interactions"

    def columns(self, record: Meeting) -> dict:
        """The interactions row's own columns (people and topics as JSON)."""
        return {"uuid": record.uuid, "occurred_utc": record.occurred_utc,
                "timezone": record.timezone, "place": record.place,
                "commission_level": record.commission_level,
                "commission_name": record.commission_name, "region": record.region,
                "counterparts": json.dumps(record.counterparts, ensure_ascii=False),
                "participants": record.participants, "topics": json.dumps(record.topics),
                "summary": record.summary}

    def snapshot(self, db: Database, entry_id: int, record: Meeting) -> dict:
        """The meeting as written, follow-up ids and states included."""
        return _snapshot(db, entry_id)

    def stored(self, db: Database, entry_id: int) -> dict:
        """The meeting as it stands."""
        return _snapshot(db, entry_id)

    def changes(self, before: dict, after: dict) -> dict:
        """{part: [old, new]} for every part of the snapshot that differs."""
        return {key: [before[key], after[key]] for key in before if before[key] != after[key]}

    def created_details(self, record: Meeting) -> dict:
        """The uuid and the entries raised in the meeting."""
        return {"uuid": record.uuid, "links": [ref(k, i) for k, i in sorted(record.links)]}

    def check(self, db: Database, record: Meeting) -> None:
        """Known codes, and linked entries that exist."""
        _check_codes(record)
        # The form checked the links too, but an entry id typed by hand is only
        # trusted once the row is seen inside the write transaction.
        missing = missing_entries(db, record.links)
        if missing:
            raise UnknownEntry(missing)

    def write_parts(self, db: Database, entry_id: int, record: Meeting, now: str,
                    new: bool) -> None:
        """Its follow-up items and links: inserted, or brought in line with the form."""
        if new:
            for item in record.follow_ups:
                _insert_follow_up(db, entry_id, item, now)
            _insert_links(db, entry_id, record.links)
        else:
            _replace_parts(db, entry_id, record, now)

    def saved(self, db: Database, entry_id: int, user_id: int, record: Meeting,
              before: dict | None) -> None:
        """A "link" audit record on each entry raised in the meeting, or taken off it."""
        old = set() if before is None else {_from_ref(text) for text in before["links"]}
        _audit_links(db, user_id, entry_id, old, set(record.links))


MEETINGS = Meetings()


def _from_ref(text: str) -> tuple[str, int]:
    return KIND_OF_PREFIX[text[0]], int(text[1:])


_ENTRY_SQL = """
    SELECT i.*, u.username AS author FROM interactions i JOIN users u ON u.id = i.author_id
"""


def decode_row(row: dict) -> dict:
    """A stored meeting row with its JSON columns decoded."""
    row["counterparts"] = json.loads(row["counterparts"])
    row["topics"] = json.loads(row["topics"])
    return row


def get(db: Database, entry_id: int) -> dict | None:
    """One meeting with its follow-ups and linked entries decoded; None if absent."""
    rows = list(db.query(_ENTRY_SQL + " WHERE i.id = ?", [entry_id]))
    if not rows:
        return None
    entry = decode_row(rows[0])
    entry["follow_ups"] = list(db.query(
        "SELECT * FROM follow_ups WHERE interaction_id = ? ORDER BY kind DESC, id", [entry_id]))
    entry["links"] = linked_entries(db, entry_id)
    return entry


def find_by_uuid(db: Database, entry_uuid: str) -> dict | None:
    """The meeting filed with this form uuid (id and team only), or None."""
    rows = list(db.query("SELECT id, team FROM interactions WHERE uuid = ?", [entry_uuid]))
    return rows[0] if rows else None
