"""The coordinator's figures, aggregated in SQL: no query brings every checklist into Python.

Rejected entries are left out of every figure (house rule). Each query is
small enough to time on its own (bench/dashboard.py does).

The audit page's filtered listing lives here too, next to the other
read-only overview queries; models/audit.py keeps the writing side.
"""

from datetime import date, time, timedelta

from sqlite_utils import Database

from models import discrepancies, review
from models.clock import local_to_utc, to_iso
from models.vocabulary import SERIOUS_SEVERITIES

NEGATIVE = ("bad", "very_bad")
REVIEW_KINDS = tuple(review.KINDS)
LATEST_PROBLEMS = 20
OVERDUE_SHOWN = 5
# The queries below are written for the covering indexes of migration m007
# (checklists_stats, checklists_created): a checklist row carries kilobytes
# of answers, its index entry a few bytes.


def day_bounds(day: date, zone: str) -> tuple[str, str]:
    """The UTC ISO bounds [start, end) of a local calendar day in ``zone``."""
    # Midnight to midnight by the zone's own rules, so a DST day has 23 or 25 hours.
    return (to_iso(local_to_utc(day, time(0), zone)),
            to_iso(local_to_utc(day + timedelta(days=1), time(0), zone)))


def received(db: Database, start_utc: str, end_utc: str) -> dict[str, int]:
    """Checklists received in [start, end) per form type, rejected ones left out."""
    # created_utc is when the server received it, not when the visit took place.
    return dict(db.execute(
        "SELECT form_type, count(*) FROM checklists"
        " WHERE created_utc >= ? AND created_utc < ? AND review_state != 'rejected'"
        " GROUP BY form_type", [start_utc, end_utc]).fetchall())


def registry_sizes(db: Database) -> dict[str, int]:
    """How many polling stations the registry holds per region."""
    return dict(db.execute("SELECT region, count(*) FROM stations GROUP BY region").fetchall())


def region_type_figures(db: Database) -> list[dict]:
    """Per region and form type: checklists (N), negative assessments, stations observed."""
    # Driven from the stations side: with the covering index on
    # checklists (station_id, form_type, review_state, overall) no checklist
    # row (each several kilobytes of answers) is ever read.
    return list(db.query(
        "SELECT s.region, c.form_type, count(*) AS checklists,"
        " sum(c.overall IN (?, ?)) AS negative,"
        " count(DISTINCT c.station_id) AS observed"
        " FROM stations s JOIN checklists c ON c.station_id = s.id"
        " WHERE c.review_state != 'rejected'"
        " GROUP BY s.region, c.form_type", list(NEGATIVE)))


def awaiting_review(db: Database) -> dict[str, int]:
    """Entries in the 'submitted' state, per kind."""
    # One statement, one snapshot: the counts agree with each other. Table
    # names come from models.review.KINDS, never from input.
    counts = ", ".join(f"(SELECT count(*) FROM {table} WHERE review_state = 'submitted')"
                       for table in review.KINDS.values())
    return dict(zip(REVIEW_KINDS, db.execute(f"SELECT {counts}").fetchone()))


def follow_ups(db: Database, today: str, shown: int = OVERDUE_SHOWN) -> dict:
    """Open follow-ups, how many are overdue (due before ``today``, a local ISO date), and the
    most overdue ones with their meeting."""
    live = ("FROM follow_ups f JOIN interactions i ON i.id = f.interaction_id"
            " WHERE f.status = 'open' AND i.review_state != 'rejected'")
    open_count, overdue_count = db.execute(
        f"SELECT count(*), coalesce(sum(f.due_date < ?), 0) {live}", [today]).fetchone()
    overdue = list(db.query(
        "SELECT f.id, f.interaction_id, f.kind, f.text, f.due_date, i.commission_name,"
        f" i.commission_level, i.region {live} AND f.due_date < ?"
        " ORDER BY f.due_date, f.id LIMIT ?", [today, shown]))
    return {"open": open_count, "overdue": overdue_count, "overdue_list": overdue}


def serious_problems(db: Database, limit: int = LATEST_PROBLEMS) -> list[dict]:
    """The newest checklists with serious answers and high/critical incidents, newest first."""
    # Each arm takes its own newest ``limit`` first (index on created_utc),
    # so the union never sorts more than 2 × limit rows.
    return list(db.query(
        "SELECT * FROM ("
        " SELECT * FROM (SELECT 'checklist' AS kind, c.id, c.created_utc,"
        "  c.arrival_utc AS at_utc, c.timezone, c.team, s.number AS station_number,"
        "  s.name AS station_name, s.region, c.form_type AS what, c.serious_count,"
        "  NULL AS severity"
        "  FROM checklists c JOIN stations s ON s.id = c.station_id"
        "  WHERE c.serious_count > 0 AND c.review_state != 'rejected'"
        "  ORDER BY c.created_utc DESC, c.id DESC LIMIT :limit)"
        " UNION ALL"
        " SELECT * FROM (SELECT 'incident' AS kind, i.id, i.created_utc,"
        "  i.occurred_utc AS at_utc, i.timezone, i.team, s.number AS station_number,"
        "  coalesce(s.name, i.place) AS station_name, i.region, i.category AS what,"
        "  NULL AS serious_count, i.severity"
        "  FROM incidents i LEFT JOIN stations s ON s.id = i.station_id"
        "  WHERE i.severity IN (:high, :critical) AND i.review_state != 'rejected'"
        "  ORDER BY i.created_utc DESC, i.id DESC LIMIT :limit))"
        " ORDER BY created_utc DESC, kind, id DESC LIMIT :limit",
        {"limit": limit, "high": SERIOUS_SEVERITIES[0], "critical": SERIOUS_SEVERITIES[1]}))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def figures(db: Database, form_types: list[str], start_utc: str, end_utc: str,
            today: str) -> dict:
    """Everything the dashboard shows, as plain figures.

    ``form_types`` fixes the columns (types with no checklist still get a
    row); [start_utc, end_utc) is the day counted as "received"; ``today``
    is the mission's local date, for overdue follow-ups.
    """
    counts = received(db, start_utc, end_utc)
    registry = registry_sizes(db)
    cells = {(r["region"], r["form_type"]): r for r in region_type_figures(db)}
    total_stations = sum(registry.values())
    regions = []
    for region in sorted(registry):
        row = {"region": region, "stations": registry[region], "types": {}}
        for kind in form_types:
            cell = cells.get((region, kind), {})
            row["types"][kind] = _figure(cell.get("observed", 0), registry[region],
                                         cell.get("checklists", 0), cell.get("negative", 0))
        regions.append(row)
    per_type = []
    for kind in form_types:
        # A station belongs to one region, so stations observed add up across regions.
        observed = sum(r["types"][kind]["observed"] for r in regions)
        checklists = sum(r["types"][kind]["checklists"] for r in regions)
        negative = sum(r["types"][kind]["negative"] for r in regions)
        per_type.append({"form_type": kind, "received": counts.get(kind, 0),
                         **_figure(observed, total_stations, checklists, negative)})
    return {"received_total": sum(counts.get(kind, 0) for kind in form_types),
            "per_type": per_type, "regions": regions, "stations": total_stations,
            "awaiting": awaiting_review(db), "follow_ups": follow_ups(db, today),
            "problems": serious_problems(db), "results": results_figures(db)}


def results_figures(db: Database) -> dict:
    """Observed protocols received (checklists and stations, rejected left out) and the open
    discrepancies: station figures that differ from the official results."""
    protocols, stations = db.execute(
        "SELECT count(DISTINCT p.checklist_id), count(DISTINCT p.station_id)"
        " FROM protocol_figures p JOIN checklists c ON c.id = p.checklist_id"
        " WHERE c.review_state != 'rejected'").fetchone()
    return {"protocols": protocols, "stations": stations,
            "discrepancies": discrepancies.open_count(db)}


def _figure(observed: int, stations: int, checklists: int, negative: int) -> dict:
    return {"observed": observed, "stations": stations, "coverage": _share(observed, stations),
            "checklists": checklists, "negative": negative,
            "negative_share": _share(negative, checklists)}


def audit_entries(db: Database, action: str | None = None, user_id: int | None = None,
                  entry_kind: str | None = None, limit: int = 50, offset: int = 0) -> list[dict]:
    """Audit records newest first, optionally of one action, user and entry kind."""
    where, params = [], []
    # "+" keeps SQLite off the (entry_kind, entry_id) index: walking ids newest
    # first and stopping after one page beats sorting every record of a kind.
    for column, value in (("a.action", action), ("a.user_id", user_id),
                          ("+a.entry_kind", entry_kind)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = ("SELECT a.id, a.at_utc, a.user_id, a.action, a.entry_kind, a.entry_id, a.details,"
           " u.username FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
           + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY a.id DESC LIMIT ? OFFSET ?")
    return list(db.query(sql, [*params, limit, offset]))


def audit_choices(db: Database) -> dict[str, list[str]]:
    """The actions and entry kinds present in the audit log, for the filter menus."""
    return {"actions": [r[0] for r in db.execute(
                "SELECT DISTINCT action FROM audit_log ORDER BY action")],
            "kinds": [r[0] for r in db.execute(
                "SELECT DISTINCT entry_kind FROM audit_log WHERE entry_kind IS NOT NULL"
                " ORDER BY entry_kind")]}
