"""The CEC liaison's work: entries to raise with the commission, and following up answers.

The queue holds checklists and incidents marked "to raise with the CEC", each
with a topic and a note. Once an entry is linked to a meeting report it shows
that meeting and the commission's answers. The follow-up half tracks each
request and commitment of a meeting (models.meetings) until it is
answered or closed.
"""

import json

from sqlite_utils import Database

from models import audit
from models.clock import to_iso, utc_now
from models.db import writing
from models.meetings import (
    KIND,
    LINK_KINDS,
    TOPICS,
    UnknownEntry,
    UnknownFollowUp,
    describe_entries,
)


class FollowUpClosed(Exception):
    """The follow-up item was closed: it takes no more answers."""


def mark(db: Database, kind: str, entry_id: int, topic: str, note: str, user_id: int) -> bool:
    """Queue an entry to raise with the CEC, or change its topic and note; True when new."""
    if kind not in LINK_KINDS or topic not in TOPICS:
        raise ValueError("unknown entry kind or topic")
    with writing(db):
        if not describe_entries(db, [(kind, entry_id)]):
            raise UnknownEntry([(kind, entry_id)])
        new = db.execute("SELECT 1 FROM liaison_queue WHERE entry_kind = ? AND entry_id = ?",
                         [kind, entry_id]).fetchone() is None
        db.execute("INSERT INTO liaison_queue (entry_kind, entry_id, topic, note, queued_by,"
                   " queued_utc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entry_kind, entry_id)"
                   " DO UPDATE SET topic = excluded.topic, note = excluded.note",
                   [kind, entry_id, topic, note, user_id, to_iso(utc_now())])
        audit.record(db, "queue", user_id, kind, entry_id,
                     {"op": "add" if new else "update", "topic": topic})
    return new


def unmark(db: Database, kind: str, entry_id: int, user_id: int) -> bool:
    """Take an entry off the queue; False when it was not queued. Links to meetings stay."""
    with writing(db):
        cursor = db.execute("DELETE FROM liaison_queue WHERE entry_kind = ? AND entry_id = ?",
                            [kind, entry_id])
        if cursor.rowcount:
            audit.record(db, "queue", user_id, kind, entry_id, {"op": "remove"})
    return bool(cursor.rowcount)


def queued_entry(db: Database, kind: str, entry_id: int) -> dict | None:
    """The queue row for an entry (topic, note, who queued it), or None."""
    rows = list(db.query(
        "SELECT q.*, u.username AS queued_by_name FROM liaison_queue q"
        " JOIN users u ON u.id = q.queued_by WHERE q.entry_kind = ? AND q.entry_id = ?",
        [kind, entry_id]))
    return rows[0] if rows else None


def _queue_rows(db: Database) -> list[dict]:
    rows = list(db.query("SELECT q.*, u.username AS queued_by_name FROM liaison_queue q"
                         " JOIN users u ON u.id = q.queued_by ORDER BY q.queued_utc, q.entry_id"))
    found = describe_entries(db, [(r["entry_kind"], r["entry_id"]) for r in rows])
    # An entry is never deleted, but keep the page working if one ever is.
    return [{**found[r["entry_kind"], r["entry_id"]], **r} for r in rows
            if (r["entry_kind"], r["entry_id"]) in found]


def queue(db: Database) -> list[dict]:
    """The queue grouped by topic (in the list's order), then region, with linked meetings.

    [{topic, count, regions: [{region, entries: [{kind, id, ref, note, meetings, ...}]}]}]
    """
    rows = _queue_rows(db)
    meetings = _meetings_for(db, [(r["kind"], r["id"]) for r in rows])
    groups = []
    for topic in TOPICS:
        in_topic = [r for r in rows if r["topic"] == topic]
        if not in_topic:
            continue
        regions = sorted({r["region"] for r in in_topic})
        groups.append({"topic": topic, "count": len(in_topic), "regions": [
            {"region": region, "entries": [
                {**r, "meetings": meetings.get((r["kind"], r["id"]), [])}
                for r in in_topic if r["region"] == region]}
            for region in regions]})
    return groups


def choices(db: Database) -> list[dict]:
    """Queued entries as the meeting form offers them to link, oldest first."""
    return _queue_rows(db)


def meetings_for_entry(db: Database, kind: str, entry_id: int) -> list[dict]:
    """The meetings where an entry was raised, oldest first, each with its follow-ups.

    [{id, occurred_utc, timezone, commission_level, commission_name, region, team,
      review_state, follow_ups: [{kind, text, due_date, status, answer_date, answer_text}]}]
    """
    return _meetings_for(db, [(kind, entry_id)]).get((kind, entry_id), [])


def _meetings_for(db: Database, pairs: list[tuple[str, int]]) -> dict[tuple, list[dict]]:
    """Meetings linked to each of ``pairs``, in three queries whatever their number."""
    if not pairs:
        return {}
    wanted = json.dumps([[k, i] for k, i in pairs])
    links = list(db.query(
        "SELECT l.entry_kind, l.entry_id, i.id, i.occurred_utc, i.timezone, i.commission_level,"
        " i.commission_name, i.region, i.team, i.review_state FROM interaction_links l"
        " JOIN interactions i ON i.id = l.interaction_id"
        " WHERE (l.entry_kind, l.entry_id) IN"
        "  (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))"
        " ORDER BY i.occurred_utc, i.id", [wanted]))
    ids = json.dumps(sorted({r["id"] for r in links}))
    items: dict[int, list[dict]] = {}
    for item in db.query("SELECT interaction_id, kind, text, due_date, status, answer_date,"
                         " answer_text FROM follow_ups WHERE interaction_id IN"
                         " (SELECT value FROM json_each(?)) ORDER BY kind DESC, id", [ids]):
        items.setdefault(item.pop("interaction_id"), []).append(item)
    found: dict[tuple, list[dict]] = {}
    for row in links:
        pair = (row.pop("entry_kind"), row.pop("entry_id"))
        found.setdefault(pair, []).append({**row, "follow_ups": items.get(row["id"], [])})
    return found


def overdue(db: Database, today: str, team: str | None = None) -> list[dict]:
    """Open follow-ups whose due date is before ``today`` (YYYY-MM-DD), oldest due first.

    Items of rejected meeting reports are left out, as rejected entries are everywhere.
    """
    return list(db.query(
        "SELECT f.*, i.commission_name, i.commission_level, i.region, i.occurred_utc,"
        " i.timezone, i.team FROM follow_ups f JOIN interactions i ON i.id = f.interaction_id"
        " WHERE f.status = 'open' AND f.due_date < ? AND i.review_state != 'rejected'"
        + (" AND i.team = ?" if team is not None else "")
        + " ORDER BY f.due_date, f.id", [today] + ([team] if team is not None else [])))


def follow_up(db: Database, item_id: int) -> dict | None:
    """One follow-up item with its meeting's team, time and zone; None if absent."""
    rows = list(db.query(
        "SELECT f.*, i.team, i.occurred_utc, i.timezone FROM follow_ups f"
        " JOIN interactions i ON i.id = f.interaction_id WHERE f.id = ?", [item_id]))
    return rows[0] if rows else None


def answer_follow_up(db: Database, item_id: int, answer_date: str, answer_text: str,
                     user_id: int) -> None:
    """Record the commission's answer (date and text): the item becomes answered.

    An answered item may be answered again (a correction, kept in the audit
    log); a closed one raises FollowUpClosed.
    """
    _update_follow_up(db, item_id, user_id, "answered", answer_date, answer_text)


def close_follow_up(db: Database, item_id: int, user_id: int) -> None:
    """Close an item (nothing more expected), keeping any answer it has."""
    _update_follow_up(db, item_id, user_id, "closed")


def _update_follow_up(db: Database, item_id: int, user_id: int, status: str,
                      answer_date: str | None = None, answer_text: str | None = None) -> None:
    now = to_iso(utc_now())
    with writing(db):
        row = db.execute("SELECT interaction_id, status FROM follow_ups WHERE id = ?",
                         [item_id]).fetchone()
        if row is None:
            raise UnknownFollowUp(item_id)
        if row[1] == "closed":
            raise FollowUpClosed(item_id)
        if answer_text is None:
            db.execute("UPDATE follow_ups SET status = ?, updated_utc = ? WHERE id = ?",
                       [status, now, item_id])
        else:
            db.execute("UPDATE follow_ups SET status = ?, answer_date = ?, answer_text = ?,"
                       " updated_utc = ? WHERE id = ?",
                       [status, answer_date, answer_text, now, item_id])
        audit.record(db, "follow_up", user_id, KIND, row[0],
                     {"item": item_id, "from": row[1], "to": status,
                      **({"answer_date": answer_date} if answer_date else {})})
