"""The mission summary: the statistical annex of a preliminary statement, as a plain dict.

Every figure is a SQL aggregate over the selection (reports.filters.ReportFilter),
run by reports.summary_queries, the one home of the summary's SQL; only the
listed serious problems (at most ``PROBLEMS_LISTED``) come back as rows.
N counts observations, that is checklists, as ODIHR does: a station visited twice
counts twice. Rejected entries never count; the filter may keep verified ones only.
"""

import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal

from flask import render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlite_utils import Database

from models.clock import local_text, local_today, to_iso, utc_now
from models.definitions import Definition, by_type, versions_by_type
from models.meetings import FOLLOW_UP_KINDS, LEVELS
from models.vocabulary import CATEGORY_LABELS, LEVEL_LABELS, OVERALL, OVERALL_LABELS, SEVERITY_LABELS
from reports import charts, pdf
from reports import summary_queries as queries
from reports.filters import ReportFilter
from reports.summary_queries import SEVERE

NEGATIVE = ("bad", "very_bad")
PROBLEMS_LISTED = 200
# A region has a few hundred stations: its list by station can be longer.
REGION_PROBLEMS_LISTED = 500
SHORT_TEXT = 160
# The reports made from a ReportFilter (report_pdf).
REPORTS = ("summary", "region")


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
    found = queries.problems(db, flt, limit, by_station, serious, SHORT_TEXT)
    listed, answers = found["listed"], found["answers"]
    checklists, incidents = found["checklists"], found["incidents"]
    for row in listed:
        _describe_problem(row, answers, definitions)
    return {"listed": listed, "checklists": checklists, "incidents": incidents,
            "total": checklists + incidents, "more": checklists + incidents - len(listed)}


def _describe_problem(row: dict, answers: dict[int, str],
                      definitions: Mapping[str, Definition]) -> None:
    """Fill in the local time, what the entry is and the short text of one listed problem."""
    row["local_time"] = local_text(row["at_utc"], row["timezone"]) or ""
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


def meetings(db: Database, flt: ReportFilter, today: str) -> dict:
    """Meetings per commission level and the follow-up of requests and commitments."""
    levels, follow = queries.meetings(db, flt, today)
    names = ("made", "answered", "closed", "open", "overdue")
    return {"levels": [{"level": level, "label": str(LEVEL_LABELS.get(level, level)),
                        "meetings": levels.get(level, 0)} for level in LEVELS],
            "meetings": sum(levels.values()), "today": today,
            "follow_ups": [{"kind": kind, **dict(zip(names, follow.get(kind, (0,) * 5)))}
                           for kind in FOLLOW_UP_KINDS]}


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
                  problems_by_station: bool = False, publication: bool = False,
                  small_n: int = 0) -> dict:
    """Every figure of the mission summary for ``report_filter``.

    ``mission``: name, election, zone (IANA) and optionally ``now`` (an aware
    datetime, for the generation time and "overdue"). ``group`` breaks the
    figures down by region or, for a region report, by district.

    ``publication``: the version a mission may publish. Verified entries only;
    no station names, entry numbers or observers' words (the problems are
    counted, not listed; meetings left out); tabulation coverage against the
    territorial commissions; a share computed over fewer than ``small_n``
    observations is printed as "X of Y" only (see ``small``).
    """
    if publication:
        report_filter = dataclasses.replace(report_filter, verified_only=True)
        problems_limit = 0
    # One read transaction: every figure comes from the same snapshot, even while
    # checklists keep arriving (WAL readers never block the writer).
    opened = not db.conn.in_transaction
    if opened:
        db.execute("BEGIN")
    try:
        figures = _build(db, report_filter, definitions, mission, group, problems_limit,
                         problems_by_station)
        figures.update(publication=publication, small_n=small_n if publication else 0)
        if publication:
            figures["commissions"] = _commissions(db, report_filter)
        return figures
    finally:
        if opened:
            db.execute("COMMIT")


def _build(db: Database, flt: ReportFilter, definitions: Mapping[str, Definition],
           mission: dict, group: str, problems_limit: int, problems_by_station: bool) -> dict:
    zone = mission.get("zone") or flt.zone
    now = mission.get("now") or utc_now()
    today = local_today(zone, now).isoformat()
    kinds = [k for k in definitions if not flt.types or k in flt.types]
    cells, registry = queries.cells(db, flt, group), queries.registry(db, flt, group)
    totals = queries.totals(db, flt)
    versions = versions_by_type(totals.pop("versions"))
    types = [_type_figures(kind, definitions[kind], cells, registry,
                           queries.answer_counts(db, flt, definitions[kind]) if any(
                               key[0] == kind for key in cells) else {})
             for kind in kinds]
    found = problems(db, flt, definitions, problems_limit, problems_by_station,
                     totals["serious"])
    meeting_figures = meetings(db, flt, today)
    incidents = queries.incident_severities(db, flt)
    newest = queries.newest(db, flt, totals["newest"])
    generated = to_iso(now)
    return {
        "title": _("Mission summary report"), "mission": mission.get("name", ""),
        "election": mission.get("election", ""), "zone": zone,
        "selection": flt.describe(), "verified_only": flt.verified_only, "group": group,
        "generated_utc": generated, "generated": local_text(generated, zone) or "",
        "data_as_of_utc": newest, "data_as_of": local_text(newest, zone) or "",
        "empty": not (totals["checklists"] or sum(incidents.values()) or meeting_figures["meetings"]),
        "totals": {**totals, "registry": sum(registry.values()),
                   "incidents": sum(incidents.values()),
                   "incidents_severe": sum(incidents.get(s, 0) for s in SEVERE),
                   "meetings": meeting_figures["meetings"]},
        "types": types, "problems": found, "interactions": meeting_figures,
        "versions": versions,  # definition versions counted
        # Coverage rows: every type's groups come in the registry's sorted order.
        "groups": [{"name": name, "registry": registry[name],
                    "observed": {t["type"]: t["groups"][index]["observed"] for t in types}}
                   for index, name in enumerate(sorted(registry))],
    }


def _commissions(db: Database, flt: ReportFilter) -> dict:
    """Tabulation coverage: territorial commissions observed per region, out of the TECs
    the registry implies (one per region, one per district in it)."""
    registry, observed = queries.commissions(db, flt)
    rows = [{"name": name, "registry": registry[name], "observed": observed.get(name, 0)}
            for name in sorted(registry)]
    return {"groups": rows, "registry": sum(registry.values()),
            "observed": sum(observed.values())}


def small(report: dict, whole: int) -> bool:
    """True when the publication prints "X of Y" for a share over ``whole`` observations:
    too few for a percentage (the PUBLICATION_MIN_N setting)."""
    return bool(report.get("publication")) and whole < report.get("small_n", 0)


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


def negative_chart(types: list[dict], group_label: str, report: dict | None = None) -> str:
    """One SVG chart of the negative share per region (or district), a column per type.

    A group without observations, or (in the publication) with too few, gets no bar:
    "no observations" or "X of Y" instead.
    """
    def cell(g: dict) -> tuple:
        if not g["checklists"]:
            return None, _("no observations")
        if report and small(report, g["checklists"]):
            return None, _("%(part)s of %(whole)s", part=number(g["negative"]),
                           whole=number(g["checklists"]))
        return g["negative_share"], ""

    shown = [t for t in types if t["checklists"]]
    if not shown:
        return ""
    labels = [g["name"] or _("(none recorded)") for g in shown[0]["groups"]]
    return charts.grouped_bar_chart(
        labels, [(t["title"], [cell(g) for g in t["groups"]]) for t in shown],
        title=_("Share assessed negatively, by %(group)s and checklist type", group=group_label))


def render_html(summary: dict, template: str = "print/summary.html") -> str:
    """The report's HTML, ready for reports.pdf.render_pdf (needs an app context)."""
    group_label = _("district") if summary["group"] == "district" else _("region")
    chart = negative_chart(summary["types"], group_label, summary)
    return render_template(template, report=summary, chart=chart, percent=percent,
                           number=number, small=lambda whole: small(summary, whole))


def mission_of(config: Mapping) -> dict:
    """The mission as the reports name it, from the app's configuration, generated now."""
    return {"name": config["MISSION_NAME"], "election": config["ELECTION_NAME"],
            "zone": config["MISSION_TIMEZONE"], "now": utc_now()}


def report_pdf(db: Database, report: str, flt: ReportFilter, mission: dict,
               definitions: Mapping[str, Definition] | None = None, *,
               publication: bool = False, small_n: int = 10) -> tuple[bytes, dict]:
    """The PDF of the mission summary (``report`` "summary") or of the filter's one region
    ("region"), and its figures; the reports page and ``flask report`` both call this.

    Needs an app context (the template). ``definitions`` default to every checklist type.
    ``publication`` (summary only): the publishable version, see build_summary.
    """
    if report not in REPORTS:
        raise ValueError(f"unknown report {report!r}")
    definitions = definitions if definitions is not None else by_type()
    if report == "region":
        figures = build_region(db, flt, definitions, mission)
        html = render_html(figures, "print/region.html")
    elif publication:
        figures = build_summary(db, flt, definitions, mission, publication=True,
                                small_n=small_n)
        html = render_html(figures, "print/publication.html")
    else:
        figures = build_summary(db, flt, definitions, mission)
        html = render_html(figures)
    return pdf.render_pdf(html), figures


def pdf_name(report: str, figures: dict) -> str:
    """The download's name: summary-20230319-1000.pdf, region-Almaty-20230319-1000.pdf
    (the time of generation, UTC)."""
    stamp = figures["generated_utc"][:16].replace("-", "").replace(":", "").replace("T", "-")
    if report == "region":
        return f"region-{figures['region']}-{stamp}.pdf"
    return f"summary-publication-{stamp}.pdf" if figures.get("publication") \
        else f"summary-{stamp}.pdf"
