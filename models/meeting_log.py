"""The meetings log: meetings filtered by level, region, topic and follow-up status."""

import json
from dataclasses import dataclass, field

from sqlite_utils import Database

from models.meetings import decode_row


@dataclass
class LogFilter:
    """What the meetings log is narrowed to; empty values mean no restriction."""

    level: str = ""
    region: str = ""
    topic: str = ""
    status: str = ""          # a follow-up status, or "overdue"
    since_utc: str = ""       # occurred at or after
    until_utc: str = ""       # occurred before
    team: str | None = None   # observers see only their team's meetings
    today: str = ""           # YYYY-MM-DD in the mission's zone, for "overdue"


# One condition per filter; each uses only its own bound parameter.
_CONDITIONS = {
    "level": "i.commission_level = :level",
    "region": "i.region = :region",
    "topic": "EXISTS (SELECT 1 FROM json_each(i.topics) WHERE value = :topic)",
    "status": "EXISTS (SELECT 1 FROM follow_ups f WHERE f.interaction_id = i.id"
              " AND f.status = :status)",
    "since_utc": "i.occurred_utc >= :since_utc",
    "until_utc": "i.occurred_utc < :until_utc",
    "team": "i.team = :team",
}
# Rejected reports count nowhere, so their items are never overdue (as in models.liaison.overdue).
_OVERDUE = ("i.review_state != 'rejected' AND EXISTS (SELECT 1 FROM follow_ups f"
            " WHERE f.interaction_id = i.id AND f.status = 'open' AND f.due_date < :today)")


def log(db: Database, filters: LogFilter, limit: int = 100, offset: int = 0) -> list[dict]:
    """Meetings, newest first, with counts of open and overdue follow-ups."""
    params = {name: value for name, value in vars(filters).items()
              if value not in ("", None) and name != "today"}
    where = [_OVERDUE if name == "status" and value == "overdue" else _CONDITIONS[name]
             for name, value in params.items()]
    sql = ("SELECT i.*, u.username AS author,"
           " (SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id) AS item_count,"
           " (SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id"
           "   AND f.status = 'open') AS open_items,"
           " (SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id"
           "   AND f.status = 'open' AND f.due_date < :today"
           "   AND i.review_state != 'rejected') AS overdue_items"
           " FROM interactions i JOIN users u ON u.id = i.author_id"
           + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY i.occurred_utc DESC, i.id DESC LIMIT :limit OFFSET :offset")
    params.update(today=filters.today or "0000-00-00", limit=limit, offset=offset)
    return [decode_row(r) for r in db.query(sql, params)]


@dataclass
class LogSelection:
    """A validated selection of the log, or the messages saying what is wrong."""

    filters: LogFilter | None
    description: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the filters could be read."""
        return not self.errors


def follow_ups_by_meeting(db: Database, ids: list[int]) -> dict[int, list[dict]]:
    """The requests and commitments of the given meetings in one query, requests first."""
    found: dict[int, list[dict]] = {}
    for row in db.query("SELECT interaction_id, kind, text, due_date, status, answer_date,"
                        " answer_text FROM follow_ups WHERE interaction_id IN"
                        " (SELECT value FROM json_each(?)) ORDER BY kind DESC, id",
                        [json.dumps(ids)]):
        found.setdefault(row.pop("interaction_id"), []).append(row)
    return found
