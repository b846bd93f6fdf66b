"""The results annex: observed protocols, discrepancies, turnout against announced, seats.

``build_results(db, filter, mission)`` gathers every figure as a plain dict
(the comparisons themselves are models.discrepancies and
models.turnout_comparison); ``render_html`` and ``report_pdf`` turn it into
the PDF the reports page and ``flask --app app report results`` give.
The longest tables are cut (``*_LISTED``) with the number left out, so a
download stays within seconds at 10,000 stations (bench/results.py).
"""

import json
from collections.abc import Mapping
from datetime import date

from flask import render_template
from flask_babel import gettext as _
from sqlite_utils import Database

from models import contests, discrepancies, seats
from models import turnout_comparison as turnout
from models.clock import local_text, to_iso, utc_now
from models.contests import votes as contest_votes
from reports import charts, pdf
from reports.filters import ReportFilter
from reports.summary import number, percent

DISCREPANCIES_LISTED = 300
UNITS_LISTED = 100
TURNOUT_LISTED = 200


def mission_of(config: Mapping) -> dict:
    """The mission as the annex needs it: names, zone, election day, polls' opening and the
    turnout threshold (TURNOUT_GAP_POINTS), generated now."""
    return {"name": config["MISSION_NAME"], "election": config["ELECTION_NAME"],
            "zone": config["MISSION_TIMEZONE"], "now": utc_now(),
            "election_date": config.get("ELECTION_DATE"),
            "polls_open": config.get("POLLS_OPEN") or "07:00",
            "threshold": float(config.get("TURNOUT_GAP_POINTS", 15))}


def photo_refs(db: Database, checklist_ids: list[int]) -> dict[int, str]:
    """Photo references per checklist ("P12, P13") when a ``photos`` table exists, else none."""
    if "photos" not in db.table_names() or not checklist_ids:
        return {}
    columns = set(db["photos"].columns_dict)
    if {"entry_kind", "entry_id"} <= columns:
        sql = ("SELECT entry_id, id FROM photos WHERE entry_kind = 'checklist'"
               " AND entry_id IN (SELECT value FROM json_each(?)) ORDER BY id")
    elif "checklist_id" in columns:
        sql = ("SELECT checklist_id, id FROM photos"
               " WHERE checklist_id IN (SELECT value FROM json_each(?)) ORDER BY id")
    else:
        return {}
    found: dict[int, list[str]] = {}
    for entry_id, photo_id in db.execute(sql, [json.dumps(checklist_ids)]):
        found.setdefault(entry_id, []).append(f"P{photo_id}")
    return {entry_id: ", ".join(refs) for entry_id, refs in found.items()}


def _discrepancy_table(db: Database, flt: ReportFilter) -> dict:
    found = discrepancies.station_discrepancies(db, flt, DISCREPANCIES_LISTED)
    photos = photo_refs(db, sorted({r["checklist_id"] for r in found["rows"]}))
    for row in found["rows"]:
        row["label"] = discrepancies.item_label(row["contest"], row["item"])
        row["photo"] = photos.get(row["checklist_id"], "–")
    return {**found, "more": found["total"] - len(found["rows"])}


def _units(db: Database, flt: ReportFilter) -> dict:
    units = discrepancies.unit_comparisons(db, flt)
    compared = [u for u in units if u["complete"]]
    for unit in compared:
        unit["differing"] = [(discrepancies.item_label(unit["contest"], item), mine, theirs)
                             for item, mine, theirs in unit["differing"]]
    partial = [u for u in units if not u["complete"]]
    return {"compared": compared[:UNITS_LISTED], "partial": partial[:UNITS_LISTED],
            "more": max(len(compared) - UNITS_LISTED, 0) + max(len(partial) - UNITS_LISTED, 0),
            "count": len(units)}


def _turnout(db: Database, flt: ReportFilter, mission: dict) -> dict:
    day = mission.get("election_date")
    day = date.fromisoformat(day) if isinstance(day, str) and day else None
    points = turnout.observed_points(db, flt, day)
    curves = turnout.announced(db)
    result = turnout.compare(points, curves, mission.get("threshold", 15),
                             mission.get("polls_open", "07:00"))
    slots = turnout.by_slot(result, curves)
    return {"observed": len(points), "compared": len(result["points"]),
            "not_compared": result["not_compared"], "threshold": result["threshold"],
            "opening": result["opening"], "announced": result["announced"],
            "below": result["below"][:TURNOUT_LISTED], "below_total": len(result["below"]),
            "more": max(len(result["below"]) - TURNOUT_LISTED, 0), "slots": slots,
            "election_day": day.isoformat() if day else ""}


def _seats(db: Database) -> dict:
    """The party-list allocation and district winners from the official figures."""
    try:
        found = contest_votes.official(db)
    except contest_votes.VotesError as error:
        return {"error": str(error), "parties": [], "notes": [], "winners": []}
    contest = contests.list_contest()
    votes = {code: found.party_list.get(code, 0) for code in contests.party_codes(contest)}
    outcome = seats.allocate_list(votes, contest.seats, contest.threshold_percent,
                                  found.party_list.get(contests.AGAINST_ALL, 0),
                                  contest.threshold_base)
    parties = [{"label": p.label, "votes": votes[p.code],
                "share": float(outcome.shares.get(p.code, 0)) * 100,
                "seats": outcome.seats.get(p.code, 0), "passed": p.code in outcome.passed}
               for p in contest.parties]
    winners = [(number_, seats.district_winner(
        {c: v for c, v in tally.items() if c != contests.AGAINST_ALL}))
        for number_, tally in sorted(found.districts.items())]
    return {"error": "", "parties": parties, "notes": found.notes, "seats": contest.seats,
            "threshold": float(contest.threshold_percent), "has_votes": bool(found.party_list),
            "undecided": list(outcome.undecided), "undecided_seats": outcome.undecided_seats,
            "winners": winners}


def build_results(db: Database, flt: ReportFilter, mission: dict) -> dict:
    """Every figure of the results annex for ``flt``, read in one snapshot."""
    opened = not db.conn.in_transaction
    if opened:
        db.execute("BEGIN")
    try:
        received = discrepancies.protocols_received(db, flt)
        figures = {
            "protocols": {**received, "registry": sum(s for _o, s in received["regions"].values()),
                          "regions": [{"name": name, "observed": o, "stations": s}
                                      for name, (o, s) in received["regions"].items()]},
            "discrepancies": _discrepancy_table(db, flt), "units": _units(db, flt),
            "turnout": _turnout(db, flt, mission), "seats": _seats(db)}
    finally:
        if opened:
            db.execute("COMMIT")
    generated = to_iso(mission.get("now") or utc_now())
    zone = mission.get("zone") or flt.zone
    return {"title": _("Results annex"), "mission": mission.get("name", ""),
            "election": mission.get("election", ""), "selection": flt.describe(),
            "generated_utc": generated, "generated": local_text(generated, zone) or "",
            "limits": {"discrepancies": DISCREPANCIES_LISTED, "turnout": TURNOUT_LISTED},
            **figures}


def turnout_chart(figures: dict) -> str:
    """The SVG of mean observed against mean announced turnout per announcement interval."""
    bars = []
    for slot in figures["turnout"]["slots"]:
        bars.append((_("%(slot)s observed", slot=slot["label"]), slot["observed"] / 100,
                     _("%(share).1f%% (N %(n)s)", share=slot["observed"], n=number(slot["n"]))))
        bars.append((_("%(slot)s announced", slot=slot["label"]), slot["announced"] / 100,
                     _("%(share).1f%%", share=slot["announced"])))
    return charts.bar_chart(bars, title=_("Turnout: observed and announced, mean per interval"))


def render_html(figures: dict) -> str:
    """The annex's HTML, ready for reports.pdf.render_pdf (needs an app context)."""
    chart = turnout_chart(figures) if figures["turnout"]["slots"] else ""
    return render_template("print/results.html", report=figures, chart=chart,
                           percent=percent, number=number)


def report_pdf(db: Database, flt: ReportFilter, mission: dict) -> tuple[bytes, dict, str]:
    """The results annex PDF for ``flt``, its figures and its HTML (the bench times both)."""
    figures = build_results(db, flt, mission)
    html = render_html(figures)
    return pdf.render_pdf(html), figures, html


def pdf_name(figures: dict) -> str:
    """The download's name: results-20230319-1000.pdf (the time of generation, UTC)."""
    stamp = figures["generated_utc"][:16].replace("-", "").replace(":", "").replace("T", "-")
    return f"results-{stamp}.pdf"
