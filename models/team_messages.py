"""Coordinators' messages to teams, and each observer's confirmation of reading them.

A message goes to every team (``all``), to a region's observers (``region``:
a region of the station registry) or to one team (``team``: a name in
users.team). An observer is addressed by a region message when their own
region is that region, or when their team's area (teams.region) lies in it.
Only active observers are recipients: they are the ones who confirm.

A confirmation is one row of message_reads; its primary key makes a second
tap (or the outbox resending after a lost answer) change nothing.
"""

from typing import Any, Protocol

from sqlite_utils import Database

from models import stations
from models.clock import to_iso, utc_now
from models.db import first_row, writing

AUDIENCES = ("all", "region", "team")
PENDING = "pending"  # the webhook's thread has not answered yet
STATUS_MAX = 200  # the gateway's reason, cut to this many characters

# Who a message reaches, as SQL over users u (and the team's area t) and team_messages m.
_ADDRESSED = """(m.audience = 'all'
    OR (m.audience = 'team' AND m.target = u.team)
    OR (m.audience = 'region' AND (m.target = u.region OR m.target = t.region)))"""


class Reader(Protocol):
    """A mission member as the messages see them."""

    id: int
    team: str | None
    region: str | None


class Refused(ValueError):
    """A message that cannot be sent: ``field`` says which field is wrong."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field


def teams(db: Database) -> list[str]:
    """The teams observers belong to (users.team), in order."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT team FROM users WHERE role = 'observer' AND team IS NOT NULL"
        " AND team != '' ORDER BY team")]


def is_team(db: Database, name: str) -> bool:
    """Whether an observer belongs to the team ``name``."""
    return db.execute("SELECT 1 FROM users WHERE role = 'observer' AND team = ? LIMIT 1",
                      [name]).fetchone() is not None


def is_region(db: Database, name: str) -> bool:
    """Whether ``name`` is a region of the station registry."""
    return db.execute("SELECT 1 FROM stations WHERE region = ? LIMIT 1",
                      [name]).fetchone() is not None


def regions(db: Database) -> list[str]:
    """The regions a message may be addressed to: the registry's."""
    return stations.regions(db)


def send(db: Database, author_id: int, audience: str, target: str | None, body: str,
         max_length: int, webhook: bool = False) -> int:
    """Store a message and return its id; ``Refused`` names the field when it cannot be sent.

    ``webhook``: a gateway is configured, so the status starts as pending.
    The views check the same things first, with their messages by the field;
    these checks keep a caller that skipped them (the CLI, a test) honest.
    """
    body = body.strip()
    if audience not in AUDIENCES:
        raise Refused("audience", f"unknown audience {audience!r}")
    if audience == "all":
        target = None
    elif audience == "region" and not (target and is_region(db, target)):
        raise Refused("region", f"no region {target!r} in the registry")
    elif audience == "team" and not (target and is_team(db, target)):
        raise Refused("team", f"no team {target!r}")
    if not body:
        raise Refused("body", "empty")
    if len(body) > max_length:
        raise Refused("body", f"longer than {max_length} characters")
    with writing(db):
        cursor = db.execute(
            "INSERT INTO team_messages (author_id, audience, target, body, sent_utc,"
            " webhook_status) VALUES (?, ?, ?, ?, ?, ?)",
            [author_id, audience, target, body, to_iso(utc_now()),
             PENDING if webhook else None])
    return cursor.lastrowid


def get(db: Database, message_id: int) -> dict | None:
    """One message with its author's name, or None."""
    return first_row(db, "SELECT m.*, a.username AS author FROM team_messages m"
                         " JOIN users a ON a.id = m.author_id WHERE m.id = ?", [message_id])


def for_reader(db: Database, reader: Reader, unread_only: bool = False) -> list[dict]:
    """The messages addressed to ``reader``, newest first, each with its read_utc (or None).

    Only observers are addressed: anyone else gets none."""
    return [dict(r) for r in db.query(
        f"""SELECT m.id, m.audience, m.target, m.body, m.sent_utc, r.read_utc
            FROM team_messages m
            JOIN users u ON u.id = :user LEFT JOIN teams t ON t.team = u.team
            LEFT JOIN message_reads r ON r.message_id = m.id AND r.user_id = u.id
            WHERE u.role = 'observer' AND {_ADDRESSED} {"AND r.read_utc IS NULL" if unread_only else ""}
            ORDER BY m.sent_utc DESC, m.id DESC""", {"user": reader.id})]


def is_addressed(db: Database, message_id: int, user_id: int) -> bool:
    """Whether the message reaches this user (an active observer it is addressed to)."""
    return db.execute(
        f"""SELECT 1 FROM team_messages m, users u LEFT JOIN teams t ON t.team = u.team
            WHERE m.id = ? AND u.id = ? AND u.role = 'observer' AND u.active = 1
            AND {_ADDRESSED}""", [message_id, user_id]).fetchone() is not None


def mark_read(db: Database, message_id: int, user_id: int) -> tuple[str, bool]:
    """Record that the user read the message: (read_utc, True when recorded now).

    Idempotent: a second confirmation returns the first one's time. The caller
    checks ``is_addressed`` first (another team's message is not theirs to confirm).
    """
    with writing(db):
        cursor = db.execute(
            "INSERT INTO message_reads (message_id, user_id, read_utc) VALUES (?, ?, ?)"
            " ON CONFLICT (message_id, user_id) DO NOTHING",
            [message_id, user_id, to_iso(utc_now())])
        read_utc = db.execute("SELECT read_utc FROM message_reads WHERE message_id = ?"
                              " AND user_id = ?", [message_id, user_id]).fetchone()[0]
    return read_utc, cursor.rowcount == 1


def recipients(db: Database, message_id: int) -> list[dict]:
    """Who the message reaches, by team then name, each with read_utc (None: not read yet)
    and the team's phone numbers (teams.phones as typed, "" when unknown)."""
    return [dict(r) for r in db.query(
        f"""SELECT u.id, u.username, u.team, u.region, coalesce(t.phones, '') AS phones,
                   r.read_utc
            FROM team_messages m CROSS JOIN users u LEFT JOIN teams t ON t.team = u.team
            LEFT JOIN message_reads r ON r.message_id = m.id AND r.user_id = u.id
            WHERE m.id = :message AND u.role = 'observer' AND u.active = 1 AND {_ADDRESSED}
            ORDER BY u.team, u.username""", {"message": message_id})]


def sent(db: Database, limit: int = 100) -> list[dict]:
    """The latest messages sent, newest first, each with ``recipients`` (read_utc per
    observer), ``read`` (how many confirmed) and ``unread`` (the names of the others)."""
    rows = [dict(r) for r in db.query(
        "SELECT m.*, a.username AS author FROM team_messages m JOIN users a"
        " ON a.id = m.author_id ORDER BY m.sent_utc DESC, m.id DESC LIMIT ?", [limit])]
    for row in rows:
        people = recipients(db, row["id"])
        row["recipients"] = len(people)
        row["read"] = sum(1 for p in people if p["read_utc"])
        row["unread"] = [p for p in people if not p["read_utc"]]
    return rows


def set_webhook_status(db: Database, message_id: int, status: str) -> None:
    """Record the gateway's answer: "sent", or "failed: <reason>" (cut to STATUS_MAX)."""
    with writing(db):
        db.execute("UPDATE team_messages SET webhook_status = ? WHERE id = ?",
                   [status[:STATUS_MAX], message_id])


def split_phones(text: str) -> list[str]:
    """teams.phones as typed ("+7 701 123 4567, +7 777 ...") as a list of numbers."""
    return [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",") if p.strip()]


def webhook_payload(db: Database, message_id: int) -> dict[str, Any]:
    """The JSON posted to MESSAGE_WEBHOOK_URL for one message (its shape is in the README)."""
    message = get(db, message_id)
    return {"id": message["id"], "audience": message["audience"], "target": message["target"],
            "body": message["body"], "sent_utc": message["sent_utc"],
            "author": message["author"],
            "recipients": [{"username": p["username"], "team": p["team"],
                            "region": p["region"], "phones": split_phones(p["phones"])}
                           for p in recipients(db, message_id)]}
