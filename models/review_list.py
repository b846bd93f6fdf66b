"""The reviewers' list: checklists, incidents and meetings in one filtered, newest-first order.

One order for everything: received time (created_utc), then kind, then id,
all descending. The list pages through it with LIMIT/OFFSET; next/previous
from an entry use its own (created_utc, kind, id) as a key, so they still work
when the entry has just left the filter (verified while the filter says
"submitted").
"""

from dataclasses import dataclass

from sqlite_utils import Database

from models.review import KINDS

# Tie-breaker between kinds received in the same second; fixed, never from input.
RANK = {"checklist": 0, "incident": 1, "interaction": 2}

# Per kind: the row a list shows, the table alias, and the SQL each filter tests.
# Filters touch only the kind's own table (a region through an indexed
# sub-select), so the sort runs on narrow keys; stations are joined for the
# page's rows only. Carrying every joined column through the sort took 90 ms
# of the 130 ms a default page cost at 50,000 checklists.
_SOURCES = {
    "checklist": {
        "select": "SELECT 'checklist' AS kind, 0 AS rank, c.id AS id, c.created_utc AS created_utc,"
                  " c.timezone AS timezone, s.region AS region, s.number AS station_number,"
                  " s.name AS station_name, c.team AS team, c.review_state AS review_state,"
                  " c.serious_count AS serious_count, c.form_type AS subtype, c.overall AS detail"
                  " FROM checklists c JOIN stations s ON s.id = c.station_id",
        "table": "checklists", "alias": "c",
        "region": "c.station_id IN (SELECT id FROM stations WHERE region = ?)",
        "serious": "c.serious_count > 0", "subtype": "c.form_type"},
    "incident": {
        # An incident "counts as serious" when its severity is high or critical.
        "select": "SELECT 'incident' AS kind, 1 AS rank, i.id AS id, i.created_utc AS created_utc,"
                  " i.timezone AS timezone, i.region AS region, s.number AS station_number,"
                  " coalesce(s.name, i.place) AS station_name, i.team AS team,"
                  " i.review_state AS review_state,"
                  " (i.severity IN ('high', 'critical')) AS serious_count,"
                  " i.category AS subtype, i.severity AS detail"
                  " FROM incidents i LEFT JOIN stations s ON s.id = i.station_id",
        "table": "incidents", "alias": "i", "region": "i.region = ?",
        "serious": "i.severity IN ('high', 'critical')", "subtype": "i.category"},
    "interaction": {
        "select": "SELECT 'interaction' AS kind, 2 AS rank, n.id AS id,"
                  " n.created_utc AS created_utc, n.timezone AS timezone, n.region AS region,"
                  " NULL AS station_number, n.commission_name AS station_name, n.team AS team,"
                  " n.review_state AS review_state, 0 AS serious_count,"
                  " n.commission_level AS subtype, n.place AS detail FROM interactions n",
        "table": "interactions", "alias": "n", "region": "n.region = ?", "serious": "0",
        "subtype": "n.commission_level"},
}
_ORDER = " ORDER BY created_utc DESC, rank DESC, id DESC"


@dataclass(frozen=True)
class Filters:
    """What the reviewer chose to see; empty values mean "all"."""

    state: str = ""
    kind: str = ""  # "checklist", "checklist:<form type>", "incident" or "interaction"
    region: str = ""
    team: str = ""
    flag: str = ""  # a flag code, or "any"
    serious: bool = False

    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments, leaving out the empty ones."""
        args = {"state": self.state, "kind": self.kind, "region": self.region,
                "team": self.team, "flag": self.flag, "serious": "1" if self.serious else ""}
        return {k: v for k, v in args.items() if v}


def _keys(filters: Filters) -> tuple[str, list]:
    """SQL for the (kind, rank, id, created_utc) of every entry the filters let through."""
    kind, _sep, subtype = filters.kind.partition(":")
    kinds = [kind] if kind in KINDS else list(KINDS)
    parts, params = [], []
    for name in kinds:
        source = _SOURCES[name]
        alias = source["alias"]
        where, values = [], []
        if filters.state:
            where.append(f"{alias}.review_state = ?")
            values.append(filters.state)
        if subtype:
            where.append(f"{source['subtype']} = ?")
            values.append(subtype)
        if filters.region:
            where.append(source["region"])
            values.append(filters.region)
        if filters.team:
            where.append(f"{alias}.team = ?")
            values.append(filters.team)
        if filters.serious:
            where.append(source["serious"])
        if filters.flag:
            where.append("EXISTS (SELECT 1 FROM flags f WHERE f.entry_kind = ?"
                         f" AND f.entry_id = {alias}.id"
                         + ("" if filters.flag == "any" else " AND f.code = ?") + ")")
            values.extend([name] if filters.flag == "any" else [name, filters.flag])
        parts.append(f"SELECT '{name}' AS kind, {RANK[name]} AS rank, {alias}.id AS id,"
                     f" {alias}.created_utc AS created_utc FROM {source['table']} {alias}"
                     + (" WHERE " + " AND ".join(where) if where else ""))
        params.extend(values)
    return " UNION ALL ".join(parts), params


def page(db: Database, filters: Filters, limit: int, offset: int = 0) -> list[dict]:
    """One page of the filtered list, newest first, each row with its flags."""
    union, params = _keys(filters)
    keys = db.execute(f"SELECT kind, id FROM ({union}){_ORDER} LIMIT ? OFFSET ?",
                      [*params, limit, offset]).fetchall()
    found = {}
    for kind in {k for k, _id in keys}:
        source = _SOURCES[kind]
        ids = [entry_id for k, entry_id in keys if k == kind]
        marks = ", ".join("?" * len(ids))
        for row in db.query(f"{source['select']} WHERE {source['alias']}.id IN ({marks})", ids):
            found[kind, row["id"]] = row
    rows = [found[key] for key in map(tuple, keys) if key in found]
    attach_flags(db, rows)
    return rows


def attach_flags(db: Database, rows: list[dict]) -> None:
    """Give each row a ``flags`` list: one query per kind present, on the flags index."""
    by_key = {(r["kind"], r["id"]): r for r in rows}
    for row in rows:
        row["flags"] = []
    for kind in {r["kind"] for r in rows}:
        ids = [r["id"] for r in rows if r["kind"] == kind]
        marks = ", ".join("?" * len(ids))
        for flag in db.query("SELECT entry_id, code, reason, other_id FROM flags"
                             f" WHERE entry_kind = ? AND entry_id IN ({marks}) ORDER BY id",
                             [kind, *ids]):
            by_key[kind, flag["entry_id"]]["flags"].append(flag)


def entry_header(db: Database, kind: str, entry_id: int) -> dict | None:
    """What access checks and navigation need of any entry: team, author, state, time."""
    if kind not in KINDS:
        return None
    rows = list(db.query(f"SELECT id, team, author_id, review_state, created_utc"
                         f" FROM {KINDS[kind]} WHERE id = ?", [entry_id]))
    return {**rows[0], "kind": kind} if rows else None


def neighbour(db: Database, filters: Filters, entry: dict, newer: bool) -> tuple[str, int] | None:
    """(kind, id) of the entry after ``entry`` in the filtered list (before it if ``newer``)."""
    union, params = _keys(filters)
    key = [entry["created_utc"], RANK[entry["kind"]], entry["id"]]
    if newer:
        sql = (f"SELECT kind, id FROM ({union}) WHERE (created_utc, rank, id) > (?, ?, ?)"
               " ORDER BY created_utc, rank, id LIMIT 1")
    else:
        sql = f"SELECT kind, id FROM ({union}) WHERE (created_utc, rank, id) < (?, ?, ?)" \
              f"{_ORDER} LIMIT 1"
    found = db.execute(sql, [*params, *key]).fetchone()
    return (found[0], found[1]) if found else None


def awaiting_authors(db: Database, team: str) -> list[dict]:
    """A team's entries of every kind sent back for clarification, with the reviewer's reason.

    Newest first; for the observers' "My entries" page.
    """
    parts = []
    for kind in KINDS:
        source = _SOURCES[kind]
        alias = source["alias"]
        parts.append(f"{source['select']} WHERE {alias}.team = ?"
                     f" AND {alias}.review_state = 'needs_clarification'")
    union = " UNION ALL ".join(parts)
    return list(db.query(
        f"SELECT x.*, e.reason, e.at_utc AS sent_back_utc FROM ({union}) x"
        " LEFT JOIN review_events e ON e.id = (SELECT max(id) FROM review_events"
        " WHERE entry_kind = x.kind AND entry_id = x.id AND to_state = 'needs_clarification')"
        " ORDER BY x.created_utc DESC, x.rank DESC, x.id DESC", [team] * len(KINDS)))


def teams(db: Database) -> list[str]:
    """Every observer team, for the team filter."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT team FROM users WHERE team IS NOT NULL ORDER BY team")]
