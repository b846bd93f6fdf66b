"""Incident reports: quick reports not tied to a checklist, idempotent by uuid, versioned.

Saving one (created once per form uuid, every edit a version in entry_versions)
is models/entries.py's, as for every kind: ``entries.create(db, INCIDENTS, report, ...)``.
"""

from dataclasses import asdict, dataclass

from sqlite_utils import Database

from models.entries import Kind, Record

KIND = "incident"
YES_NO = ("yes", "no")
MAX_DESCRIPTION = 4000
MAX_RESPONSE = 2000
MAX_PLACE = 200
# Fields a report is made of, in the order the history shows them.
FIELDS = ("occurred_utc", "station_id", "region", "place", "category", "severity",
          "description", "reported_to_commission", "commission_response")


@dataclass
class Report(Record):
    """What an observer reported, already validated (times in UTC)."""

    uuid: str
    station_id: int | None
    region: str
    place: str
    occurred_utc: str
    timezone: str
    category: str
    severity: str
    description: str
    reported_to_commission: str
    commission_response: str

    def content(self) -> dict:
        """The parts that make two submissions 'the same' (not who, when or the uuid)."""
        return {name: value for name, value in asdict(self).items() if name != "uuid"}


class Incidents(Kind):
    """An incident report: one column per field, nothing beside its row."""

    code = KIND
    table = "incidents"

    def columns(self, record: Report) -> dict:
        """Every field of the report is a column."""
        return asdict(record)

    def snapshot(self, db: Database, entry_id: int, record: Report) -> dict:
        """The content, keys in order (as stored since the first release)."""
        return dict(sorted(record.content().items()))

    def stored(self, db: Database, entry_id: int) -> dict:
        """The stored report."""
        return get(db, entry_id)

    def changes(self, before: dict, after: dict) -> dict:
        """{field: [old, new]} for every field that differs."""
        return {name: [before[name], after[name]] for name in FIELDS
                if before[name] != after[name]}

    def created_details(self, record: Report) -> dict:
        """The uuid, the category and how serious it was."""
        return {"uuid": record.uuid, "category": record.category,
                "severity": record.severity}


INCIDENTS = Incidents()

_ENTRY_SQL = """
    SELECT i.*, s.number AS station_number, s.name AS station_name,
           s.district AS station_district, u.username AS author
    FROM incidents i
    LEFT JOIN stations s ON s.id = i.station_id
    JOIN users u ON u.id = i.author_id
"""
_NEWEST = " ORDER BY i.created_utc DESC, i.id DESC LIMIT ? OFFSET ?"


def get(db: Database, entry_id: int) -> dict | None:
    """One report with its station (if any) and author; None if absent."""
    rows = list(db.query(_ENTRY_SQL + " WHERE i.id = ?", [entry_id]))
    return rows[0] if rows else None


def find_by_uuid(db: Database, entry_uuid: str) -> dict | None:
    """The report filed with this form uuid, or None."""
    rows = list(db.query(_ENTRY_SQL + " WHERE i.uuid = ?", [entry_uuid]))
    return rows[0] if rows else None


def for_team(db: Database, team: str, limit: int = 200, offset: int = 0) -> list[dict]:
    """A team's reports, newest first."""
    return list(db.query(_ENTRY_SQL + " WHERE i.team = ?" + _NEWEST, [team, limit, offset]))


def latest(db: Database, region: str | None = None, category: str | None = None,
           severity: str | None = None, state: str | None = None,
           limit: int = 200, offset: int = 0) -> list[dict]:
    """All teams' reports, newest first, narrowed by any filter given (for reviewers)."""
    wanted = {"i.region": region, "i.category": category, "i.severity": severity,
              "i.review_state": state}
    # Column names come from the literal keys above, values are bound.
    clauses = [f"{column} = ?" for column, value in wanted.items() if value]
    params = [value for value in wanted.values() if value]
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return list(db.query(_ENTRY_SQL + where + _NEWEST, [*params, limit, offset]))


def region_zones(db: Database) -> dict[str, str]:
    """Each registry region with its time zone; the most common where it has several."""
    zones: dict[str, str] = {}
    for region, zone in db.execute(
            "SELECT region, timezone FROM stations GROUP BY region, timezone"
            " ORDER BY region, count(*) DESC, timezone"):
        zones.setdefault(region, zone)
    return zones


def count(db: Database) -> int:
    """How many reports exist."""
    return db.execute("SELECT count(*) FROM incidents").fetchone()[0]
