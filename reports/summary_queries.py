"""The SQL of the mission summary and the region report, and nothing else.

Every statement the two reports run is here, selected by the report's filter
(reports.filters.ReportFilter.where); reports.summary turns the rows into
figures. Identifiers come from constants, values are always parameters.
"""

import json

from sqlite_utils import Database

from models.definitions import Definition
from models.vocabulary import OVERALL
from reports.filters import ReportFilter

SEVERE = ("high", "critical")
# Identifiers chosen from constants, never from input: how the breakdown groups stations.
GROUPS = {"region": "s.region", "district": "s.district"}
_CHECKLISTS = "FROM checklists c JOIN stations s ON s.id = c.station_id"
_NO_PATH = "$.__none__"  # keeps json_extract's answer an array when a type has one question
_SEVERE = f"i.severity IN ({', '.join('?' * len(SEVERE))})"


def _checklists_from(flt: ReportFilter) -> str:
    """FROM clause for the selection: stations are joined only when a region is chosen,
    which spares a look-up per checklist."""
    return _CHECKLISTS if flt.regions else "FROM checklists c"


def cells(db: Database, flt: ReportFilter, group: str) -> dict[tuple[str, str], dict]:
    """Per checklist type and group: checklists, stations observed, overall assessments."""
    where, params = flt.where("checklist")
    inner = ", ".join(f"sum(c.overall = '{code}') AS {code}" for code in OVERALL)
    outer = ", ".join(f"sum(x.{code}) AS {code}" for code in OVERALL)
    # Per station first: the index on checklists (station_id, form_type, review_state,
    # overall) answers the inner query alone, and "observed" becomes a plain count.
    rows = db.query(f"SELECT x.form_type, {GROUPS[group]} AS grp, sum(x.n) AS checklists,"
                    f" count(*) AS observed, {outer} FROM (SELECT c.form_type, c.station_id,"
                    f" count(*) AS n, {inner} {_checklists_from(flt)} WHERE {where}"
                    " GROUP BY c.station_id, c.form_type) x"
                    " JOIN stations s ON s.id = x.station_id GROUP BY x.form_type, grp", params)
    return {(r["form_type"], r["grp"]): r for r in rows}


def registry(db: Database, flt: ReportFilter, group: str) -> dict[str, int]:
    """Polling stations in the registry per group, within the selected regions."""
    where, params = flt.where("station", "s")
    return dict(db.execute(f"SELECT {GROUPS[group]}, count(*) FROM stations s WHERE {where}"
                           f" GROUP BY 1", params).fetchall())


def commissions(db: Database, flt: ReportFilter) -> tuple[dict[str, int], dict[str, int]]:
    """Territorial commissions per region: how many the registry implies (the region's own
    and one per district), and how many distinct ones the selection's tabulation
    checklists observed (the region's own when the checklist says "regional", else the
    district TEC of the station it was filed at)."""
    where, params = flt.where("station", "s")
    registry = dict(db.execute(f"SELECT s.region, 1 + count(DISTINCT s.district) FROM stations s"
                               f" WHERE {where} GROUP BY 1", params).fetchall())
    where, params = flt.where("checklist")
    observed = dict(db.execute(
        "SELECT s.region, count(DISTINCT CASE json_extract(c.answers, '$.tec_level')"
        " WHEN 'regional' THEN '' ELSE s.district END)"
        f" {_CHECKLISTS} WHERE {where} AND c.form_type = 'tabulation' GROUP BY 1",
        params).fetchall())
    return registry, observed


def totals(db: Database, flt: ReportFilter) -> dict:
    """Checklists, stations observed, teams, the newest entry, checklists with a serious
    answer, and the (type, version) pairs the checklists were filed under ("versions")."""
    where, params = flt.where("checklist")
    # The versions ride on this scan: a query of their own read every checklist again.
    row = db.execute(f"SELECT count(*), count(DISTINCT c.station_id), count(DISTINCT c.team),"
                     f" max(c.created_utc), coalesce(sum(c.serious_count > 0), 0),"
                     f" group_concat(DISTINCT c.form_type || ' ' || c.form_version)"
                     f" {_checklists_from(flt)} WHERE {where}", params).fetchone()
    found = dict(zip(("checklists", "stations_observed", "teams", "newest", "serious"), row))
    found["versions"] = [(kind, int(version)) for kind, version in
                         (pair.split(" ") for pair in (row[5] or "").split(",") if pair)]
    return found


def answer_counts(db: Database, flt: ReportFilter, definition: Definition) -> dict[str, dict]:
    """{question id: {"yes": n, "no": n}} over the selection, for every yes/no question.

    Read from the answer tallies (models/tallies.py), kept up to date on every save,
    when the selection's day bounds fall on whole hours (local midnight in a zone
    with a whole-hour offset, as in Kazakhstan); recounted from the checklists otherwise.
    """
    if not all(bound is None or bound.endswith(":00:00Z") for bound in flt.utc_bounds()):
        return answer_counts_recounted(db, flt, definition)
    questions = [q.id for q in definition.questions.values() if q.type == "yesno"]
    counts = {qid: {"yes": 0, "no": 0} for qid in questions}
    # The tallies' columns carry the checklists' names: the filter's condition applies as is.
    where, params = flt.where("checklist", "t", "t")
    for question, yes, no in db.execute(
            f"SELECT t.question, sum(t.yes), sum(t.no) FROM answer_tallies t WHERE {where}"
            " AND t.form_type = ? GROUP BY t.question", [*params, definition.type]):
        if question in counts:
            counts[question] = {"yes": yes, "no": no}
    return counts


def answer_counts_recounted(db: Database, flt: ReportFilter,
                            definition: Definition) -> dict[str, dict]:
    """answer_counts recounted from the checklists' answers (no tallies).

    One json_extract per checklist pulls all yes/no answers as one array;
    identical arrays are grouped first (most visits answer alike), and only
    the distinct ones are unpacked with json_each.
    """
    questions = [q.id for q in definition.questions.values() if q.type == "yesno"]
    if not questions:
        return {}
    where, params = flt.where("checklist")
    paths = [f"$.{qid}" for qid in questions] + [_NO_PATH]
    sql = (f"WITH combos AS (SELECT json_extract(c.answers, {', '.join('?' * len(paths))})"
           f" AS combo, count(*) AS n {_checklists_from(flt)} WHERE {where} AND c.form_type = ?"
           " GROUP BY combo)"
           " SELECT j.key, j.value, sum(combos.n) FROM combos, json_each(combos.combo) j"
           " WHERE j.value IN ('yes', 'no') GROUP BY j.key, j.value")
    counts = {qid: {"yes": 0, "no": 0} for qid in questions}
    for position, answer, n in db.execute(sql, [*paths, *params, definition.type]):
        if position < len(questions):
            counts[questions[position]][answer] = n
    return counts


def problems(db: Database, flt: ReportFilter, limit: int, by_station: bool = False,
             serious: int | None = None, short_text: int = 160) -> dict:
    """Checklists with a serious answer and high/critical incidents: how many of each, the
    first ``limit`` rows in time order (or by station), and the listed checklists' answers.

    ``serious``: the number of checklists with a serious answer when the caller counted
    them already (in the same scan as the totals). Incident texts are cut after
    ``short_text`` + 1 characters (enough to tell that they were cut).
    """
    c_where, c_params = flt.where("checklist")
    i_where, i_params = flt.where("incident", "i")
    checklist_arm = (
        "SELECT 'checklist' AS kind, c.id, c.arrival_utc AS at_utc, c.timezone,"
        " s.number AS station_number, s.name AS station_name, s.region, s.district,"
        " c.form_type AS what, NULL AS severity, NULL AS text"
        f" {_CHECKLISTS} WHERE {c_where} AND c.serious_count > 0")
    incident_arm = (
        "SELECT 'incident', i.id, i.occurred_utc, i.timezone, s.number,"
        " coalesce(s.name, i.place), i.region, coalesce(s.district, ''), i.category,"
        f" i.severity, substr(i.description, 1, {int(short_text) + 1})"
        " FROM incidents i LEFT JOIN stations s ON s.id = i.station_id"
        f" WHERE {i_where} AND {_SEVERE}")
    order = ("station_number IS NULL, station_number, at_utc, kind, id" if by_station
             else "at_utc, kind, id")
    params = [*c_params, *i_params, *SEVERE]
    listed = list(db.query(f"SELECT * FROM ({checklist_arm} UNION ALL {incident_arm})"
                           f" ORDER BY {order} LIMIT ?", [*params, limit]))
    incidents = db.execute(f"SELECT count(*) FROM incidents i WHERE {i_where} AND {_SEVERE}",
                           [*i_params, *SEVERE]).fetchone()[0]
    checklists = serious if serious is not None else db.execute(
        f"SELECT count(*) {_checklists_from(flt)} WHERE {c_where} AND c.serious_count > 0",
        c_params).fetchone()[0]
    # Answers only for the listed checklists, never for every one in the selection.
    answers = dict(db.execute(
        "SELECT id, answers FROM checklists WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps([r["id"] for r in listed if r["kind"] == "checklist"])]).fetchall())
    return {"listed": listed, "answers": answers, "checklists": checklists,
            "incidents": incidents}


def meetings(db: Database, flt: ReportFilter, today: str) -> tuple[dict, dict]:
    """Meetings per commission level, and per follow-up kind the counts
    (made, answered, closed, open, overdue on ``today``)."""
    where, params = flt.where("interaction", "i")
    levels = dict(db.execute(f"SELECT i.commission_level, count(*) FROM interactions i"
                             f" WHERE {where} GROUP BY 1", params).fetchall())
    follow = {row[0]: row[1:] for row in db.execute(
        "SELECT f.kind, count(*), sum(f.status = 'answered'), sum(f.status = 'closed'),"
        " sum(f.status = 'open'), sum(f.status = 'open' AND f.due_date < ?)"
        f" FROM follow_ups f JOIN interactions i ON i.id = f.interaction_id WHERE {where}"
        " GROUP BY f.kind", [today, *params])}
    return levels, follow


def incident_severities(db: Database, flt: ReportFilter) -> dict[str, int]:
    """Incident reports in the selection per severity."""
    where, params = flt.where("incident", "i")
    return dict(db.execute(f"SELECT i.severity, count(*) FROM incidents i WHERE {where}"
                           " GROUP BY 1", params).fetchall())


def newest(db: Database, flt: ReportFilter, checklists_newest: str | None) -> str | None:
    """When the newest entry of the selection arrived (the checklists' newest is given)."""
    i_where, i_params = flt.where("incident", "i")
    m_where, m_params = flt.where("interaction", "i")
    row = db.execute(f"SELECT (SELECT max(i.created_utc) FROM incidents i WHERE {i_where}),"
                     f" (SELECT max(i.created_utc) FROM interactions i WHERE {m_where})",
                     [*i_params, *m_params]).fetchone()
    found = [t for t in (checklists_newest, *row) if t]
    return max(found) if found else None
