"""The mission summary: the statistical annex of a preliminary statement, as a plain dict.

Every figure is a SQL aggregate over the selection (reports.filters.ReportFilter);
only the listed serious problems (at most ``PROBLEMS_LISTED``) come back as rows.
N counts observations, that is checklists, as ODIHR does: a station visited twice
counts twice. Rejected entries never count; the filter may keep verified ones only.
"""

import json
from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlite_utils import Database

from models.clock import to_iso, utc_now, utc_to_local
from models.definitions import Definition
from models.interactions import FOLLOW_UP_KINDS, LEVELS
from models.vocabulary import CATEGORY_LABELS, LEVEL_LABELS, OVERALL, OVERALL_LABELS, SEVERITY_LABELS
from reports import charts
from reports.filters import ReportFilter

NEGATIVE = ("bad", "very_bad")
SEVERE = ("high", "critical")
PROBLEMS_LISTED = 200
# A region has a few hundred stations: its list by station can be longer.
REGION_PROBLEMS_LISTED = 500
SHORT_TEXT = 160
# Identifiers chosen from constants, never from input: how the breakdown groups stations.
GROUPS = {"region": "s.region", "district": "s.district"}
_CHECKLISTS = "FROM checklists c JOIN stations s ON s.id = c.station_id"
_NO_PATH = "$.__none__"  # keeps json_extract's answer an array when a type has one question


def percent(part: int, whole: int) -> str:
    """A share as printed in every report: one decimal, rounded half up; '–' without a base."""
    if not whole:
        return "–"
    # Integer arithmetic: 1 of 16 is 6.25 %, and binary floats would round it either way.
    tenths = (2000 * part + whole) // (2 * whole)
    return format_decimal(Decimal(tenths) / 10, format="#,##0.0") + "%"


def number(value: int | None) -> str:
    """A count with the locale's thousands separator."""
    return format_decimal(value or 0, format="#,##0")


def share(part: int, whole: int) -> float | None:
    """part / whole for charts, None without a base."""
    return part / whole if whole else None


def _local(utc_text: str | None, zone: str) -> str:
    if not utc_text:
        return ""
    moment = utc_to_local(utc_text, zone)
    hours = int((moment.utcoffset() or 0).total_seconds() // 3600)
    return f"{moment:%d.%m.%Y %H:%M} (UTC{hours:+d})"


def _incident_where(flt: ReportFilter, alias: str, when: str, region_column: str
                    ) -> tuple[str, list]:
    """The filter over incidents or meetings: review state, dates, regions (no types)."""
    where, params = [f"{alias}.review_state != 'rejected'"], []
    if flt.verified_only:
        where.append(f"{alias}.review_state = 'verified'")
    start, end = flt.utc_bounds()
    if start:
        where.append(f"{alias}.{when} >= ?")
        params.append(start)
    if end:
        where.append(f"{alias}.{when} < ?")
        params.append(end)
    if flt.regions:
        where.append(f"{alias}.{region_column} IN ({', '.join('?' * len(flt.regions))})")
        params += list(flt.regions)
    return " AND ".join(where), params


def _checklists_from(flt: ReportFilter) -> str:
    """FROM clause for the selection: stations are joined only when a region is chosen,
    which spares a look-up per checklist."""
    return _CHECKLISTS if flt.regions else "FROM checklists c"


def _cells(db: Database, flt: ReportFilter, group: str) -> dict[tuple[str, str], dict]:
    """Per checklist type and group: checklists, stations observed, overall assessments."""
    where, params = flt.checklist_where()
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


def _registry(db: Database, flt: ReportFilter, group: str) -> dict[str, int]:
    """Polling stations in the registry per group, within the selected regions."""
    where, params = "1", []
    if flt.regions:
        where, params = f"s.region IN ({', '.join('?' * len(flt.regions))})", list(flt.regions)
    return dict(db.execute(f"SELECT {GROUPS[group]}, count(*) FROM stations s WHERE {where}"
                           f" GROUP BY 1", params).fetchall())


def _totals(db: Database, flt: ReportFilter) -> dict:
    where, params = flt.checklist_where()
    row = db.execute(f"SELECT count(*), count(DISTINCT c.station_id), count(DISTINCT c.team),"
                     f" max(c.created_utc), coalesce(sum(c.serious_count > 0), 0)"
                     f" {_checklists_from(flt)} WHERE {where}", params).fetchone()
    return dict(zip(("checklists", "stations_observed", "teams", "newest", "serious"), row))


def answer_counts(db: Database, flt: ReportFilter, definition: Definition) -> dict[str, dict]:
    """{question id: {"yes": n, "no": n}} over the selection, for every yes/no question.

    One json_extract per checklist pulls all yes/no answers as one array;
    identical arrays are grouped first (most visits answer alike), and only
    the distinct ones are unpacked with json_each.
    """
    questions = [q.id for q in definition.questions.values() if q.type == "yesno"]
    if not questions:
        return {}
    where, params = flt.checklist_where()
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


def indicators(definition: Definition, counts: dict[str, dict]) -> list[dict]:
    """Each yes/no question as an indicator, serious ones first, then most frequent first."""
    rows = []
    for order, question in enumerate(q for q in definition.questions.values()
                                     if q.type == "yesno"):
        answered = counts.get(question.id, {"yes": 0, "no": 0})
        n = answered["yes"] + answered["no"]
        problems = answered[question.problem]
        rows.append({"id": question.id, "label": _(question.label), "serious": question.serious,
                     "problem": question.problem, "count": problems, "n": n,
                     "share": share(problems, n), "order": order})
    rows.sort(key=lambda r: (not r["serious"], -(r["share"] or 0), -r["n"], r["order"]))
    return rows


def problems(db: Database, flt: ReportFilter, definitions: Mapping[str, Definition],
             limit: int = PROBLEMS_LISTED, by_station: bool = False,
             serious: int | None = None) -> dict:
    """Checklists with a serious answer and high/critical incidents: how many, and the first
    ``limit`` in time order (or by station) with a short text.

    ``serious``: the number of checklists with a serious answer when the caller counted
    them already (build_summary does, in the same scan as its totals).
    """
    c_where, c_params = flt.checklist_where()
    i_where, i_params = _incident_where(flt, "i", "occurred_utc", "region")
    severe = f"i.severity IN ({', '.join('?' * len(SEVERE))})"
    checklist_arm = (
        "SELECT 'checklist' AS kind, c.id, c.arrival_utc AS at_utc, c.timezone,"
        " s.number AS station_number, s.name AS station_name, s.region, s.district,"
        " c.form_type AS what, NULL AS severity, NULL AS text"
        f" {_CHECKLISTS} WHERE {c_where} AND c.serious_count > 0")
    incident_arm = (
        "SELECT 'incident', i.id, i.occurred_utc, i.timezone, s.number,"
        " coalesce(s.name, i.place), i.region, coalesce(s.district, ''), i.category,"
        f" i.severity, substr(i.description, 1, {SHORT_TEXT + 1})"
        " FROM incidents i LEFT JOIN stations s ON s.id = i.station_id"
        f" WHERE {i_where} AND {severe}")
    order = ("station_number IS NULL, station_number, at_utc, kind, id" if by_station
             else "at_utc, kind, id")
    params = [*c_params, *i_params, *SEVERE]
    listed = list(db.query(f"SELECT * FROM ({checklist_arm} UNION ALL {incident_arm})"
                           f" ORDER BY {order} LIMIT ?", [*params, limit]))
    incidents = db.execute(f"SELECT count(*) FROM incidents i WHERE {i_where} AND {severe}",
                           [*i_params, *SEVERE]).fetchone()[0]
    checklists = serious if serious is not None else db.execute(
        f"SELECT count(*) {_checklists_from(flt)} WHERE {c_where} AND c.serious_count > 0",
        c_params).fetchone()[0]
    # Answers only for the listed checklists, never for every one in the selection.
    answers = dict(db.execute(
        "SELECT id, answers FROM checklists WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps([r["id"] for r in listed if r["kind"] == "checklist"])]).fetchall())
    for row in listed:
        _describe_problem(row, answers, definitions)
    return {"listed": listed, "checklists": checklists, "incidents": incidents,
            "total": checklists + incidents, "more": checklists + incidents - len(listed)}


def _describe_problem(row: dict, answers: dict[int, str],
                      definitions: Mapping[str, Definition]) -> None:
    """Fill in the local time, what the entry is and the short text of one listed problem."""
    row["local_time"] = _local(row["at_utc"], row["timezone"])
    if row["kind"] == "checklist":
        definition = definitions.get(row["what"])
        found = definition.serious_problems(json.loads(answers.get(row["id"], "{}"))) \
            if definition else []
        row["what"] = _(definition.title) if definition else row["what"]
        row["text"] = "; ".join(_(q.label) for q in found)
    else:
        row["what"] = f"{CATEGORY_LABELS.get(row['what'], row['what'])}" \
                      f" ({SEVERITY_LABELS.get(row['severity'], row['severity'])})"
        if len(row["text"]) > SHORT_TEXT:
            row["text"] = row["text"][:SHORT_TEXT].rstrip() + "…"


def interactions(db: Database, flt: ReportFilter, today: str) -> dict:
    """Meetings per commission level and the follow-up of requests and commitments."""
    where, params = _incident_where(flt, "i", "occurred_utc", "region")
    levels = dict(db.execute(f"SELECT i.commission_level, count(*) FROM interactions i"
                             f" WHERE {where} GROUP BY 1", params).fetchall())
    follow = {row[0]: row[1:] for row in db.execute(
        "SELECT f.kind, count(*), sum(f.status = 'answered'), sum(f.status = 'closed'),"
        " sum(f.status = 'open'), sum(f.status = 'open' AND f.due_date < ?)"
        f" FROM follow_ups f JOIN interactions i ON i.id = f.interaction_id WHERE {where}"
        " GROUP BY f.kind", [today, *params])}
    names = ("made", "answered", "closed", "open", "overdue")
    return {"levels": [{"level": level, "label": str(LEVEL_LABELS.get(level, level)),
                        "meetings": levels.get(level, 0)} for level in LEVELS],
            "meetings": sum(levels.values()), "today": today,
            "follow_ups": [{"kind": kind, **dict(zip(names, follow.get(kind, (0,) * 5)))}
                           for kind in FOLLOW_UP_KINDS]}


def _newest(db: Database, flt: ReportFilter, checklists_newest: str | None) -> str | None:
    i_where, i_params = _incident_where(flt, "i", "occurred_utc", "region")
    row = db.execute(f"SELECT (SELECT max(i.created_utc) FROM incidents i WHERE {i_where}),"
                     f" (SELECT max(i.created_utc) FROM interactions i WHERE {i_where})",
                     [*i_params, *i_params]).fetchone()
    found = [t for t in (checklists_newest, *row) if t]
    return max(found) if found else None


def _type_figures(kind: str, definition: Definition, cells: dict, registry: dict,
                  counts: dict) -> dict:
    groups = []
    for name in sorted(registry):
        cell = cells.get((kind, name)) or {}
        n = cell.get("checklists", 0)
        negative = sum(cell.get(code, 0) for code in NEGATIVE)
        groups.append({"name": name, "registry": registry[name],
                       "observed": cell.get("observed", 0), "checklists": n,
                       "negative": negative, "negative_share": share(negative, n)})
    n = sum(g["checklists"] for g in groups)
    overall = {code: sum((cells.get((kind, g["name"])) or {}).get(code, 0) for g in groups)
               for code in OVERALL}
    negative = sum(overall[code] for code in NEGATIVE)
    return {"type": kind, "title": _(definition.title), "checklists": n,
            "observed": sum(g["observed"] for g in groups),
            "registry": sum(registry.values()),
            "overall": [{"code": code, "label": str(OVERALL_LABELS[code]),
                         "count": overall[code]} for code in OVERALL],
            "negative": negative, "negative_share": share(negative, n),
            "indicators": indicators(definition, counts), "groups": groups}


def build_summary(db: Database, report_filter: ReportFilter,
                  definitions: Mapping[str, Definition], mission: dict, *,
                  group: str = "region", problems_limit: int = PROBLEMS_LISTED,
                  problems_by_station: bool = False) -> dict:
    """Every figure of the mission summary for ``report_filter``.

    ``mission``: name, election, zone (IANA) and optionally ``now`` (an aware
    datetime, for the generation time and "overdue"). ``group`` breaks the
    figures down by region or, for a region report, by district.
    """
    # One read transaction: every figure comes from the same snapshot, even while
    # checklists keep arriving (WAL readers never block the writer).
    opened = not db.conn.in_transaction
    if opened:
        db.execute("BEGIN")
    try:
        return _build(db, report_filter, definitions, mission, group, problems_limit,
                      problems_by_station)
    finally:
        if opened:
            db.execute("COMMIT")


def _build(db: Database, flt: ReportFilter, definitions: Mapping[str, Definition],
           mission: dict, group: str, problems_limit: int, problems_by_station: bool) -> dict:
    zone = mission.get("zone") or flt.zone
    now = mission.get("now") or utc_now()
    today = now.astimezone(ZoneInfo(zone)).date().isoformat()
    kinds = [k for k in definitions if not flt.types or k in flt.types]
    cells, registry = _cells(db, flt, group), _registry(db, flt, group)
    totals = _totals(db, flt)
    types = [_type_figures(kind, definitions[kind], cells, registry,
                           answer_counts(db, flt, definitions[kind]) if any(
                               key[0] == kind for key in cells) else {})
             for kind in kinds]
    found = problems(db, flt, definitions, problems_limit, problems_by_station,
                     totals["serious"])
    meetings = interactions(db, flt, today)
    i_where, i_params = _incident_where(flt, "i", "occurred_utc", "region")
    incidents = dict(db.execute(f"SELECT i.severity, count(*) FROM incidents i WHERE {i_where}"
                                " GROUP BY 1", i_params).fetchall())
    newest = _newest(db, flt, totals["newest"])
    generated = to_iso(now)
    return {
        "title": _("Mission summary report"), "mission": mission.get("name", ""),
        "election": mission.get("election", ""), "zone": zone,
        "selection": flt.describe(), "verified_only": flt.verified_only, "group": group,
        "generated_utc": generated, "generated": _local(generated, zone),
        "data_as_of_utc": newest, "data_as_of": _local(newest, zone),
        "empty": not (totals["checklists"] or sum(incidents.values()) or meetings["meetings"]),
        "totals": {**totals, "registry": sum(registry.values()),
                   "incidents": sum(incidents.values()),
                   "incidents_severe": sum(incidents.get(s, 0) for s in SEVERE),
                   "meetings": meetings["meetings"]},
        "types": types, "problems": found, "interactions": meetings,
        # Coverage rows: every type's groups come in the registry's sorted order.
        "groups": [{"name": name, "registry": registry[name],
                    "observed": {t["type"]: t["groups"][index]["observed"] for t in types}}
                   for index, name in enumerate(sorted(registry))],
    }


def build_region(db: Database, report_filter: ReportFilter,
                 definitions: Mapping[str, Definition], mission: dict,
                 problems_limit: int = REGION_PROBLEMS_LISTED) -> dict:
    """The region report: the summary for the filter's one region, broken down by district,
    with its serious problems grouped by polling station."""
    figures = build_summary(db, report_filter, definitions, mission, group="district",
                            problems_limit=problems_limit, problems_by_station=True)
    region = report_filter.regions[0]
    stations: list[dict] = []
    for row in figures["problems"]["listed"]:
        key = row["station_number"]  # incidents away from a station share one group
        if not stations or stations[-1]["key"] != key:
            stations.append({"key": key, "number": row["station_number"],
                             "name": row["station_name"], "district": row["district"],
                             "problems": []})
        stations[-1]["problems"].append(row)
    figures.update(title=_("Region report: %(region)s", region=region), region=region,
                   stations=stations)
    return figures


def filter_details(flt: ReportFilter) -> dict:
    """The filter as the audit log records it."""
    return {"from": flt.date_from.isoformat() if flt.date_from else None,
            "to": flt.date_to.isoformat() if flt.date_to else None,
            "regions": list(flt.regions), "types": list(flt.types),
            "verified_only": flt.verified_only}


def negative_chart(figures: dict, group_label: str) -> str:
    """The SVG bar chart of one type's negative share per region (or district)."""
    bars = [(g["name"] or _("(none recorded)"), g["negative_share"],
             _("%(share)s of %(n)s", share=percent(g["negative"], g["checklists"]),
               n=number(g["checklists"])) if g["checklists"] else _("no observations"))
            for g in figures["groups"]]
    return charts.bar_chart(bars, title=_("%(type)s: share assessed negatively, by %(group)s",
                                          type=figures["title"], group=group_label))


def render_html(summary: dict, template: str = "reports/summary.html") -> str:
    """The report's HTML, ready for reports.pdf.render_pdf (needs an app context)."""
    group_label = _("district") if summary["group"] == "district" else _("region")
    chart = {t["type"]: negative_chart(t, group_label) for t in summary["types"]
             if t["checklists"]}
    return render_template(template, report=summary, charts=chart, percent=percent,
                           number=number)
