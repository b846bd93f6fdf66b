"""PDF reports for coordinators: the mission summary and the region report, with their filter form.

The filter (reports.filters) is read from the query string; an impossible one
gets the form back with the message (400), never an empty or broken PDF.
Every download leaves an "export" record in the audit log.
"""

import io

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from models import access, audit, stations
from models.clock import utc_now
from models.db import get_db
from models.definitions import Definition, by_type
from reports import filters, pdf, summary
from views.auth import roles_required

bp = Blueprint("reports", __name__)


def mission() -> dict:
    """The mission as the reports name it (configuration), and the time of generation."""
    return {"name": current_app.config["MISSION_NAME"],
            "election": current_app.config["ELECTION_NAME"],
            "zone": current_app.config["MISSION_TIMEZONE"], "now": utc_now()}


def definitions() -> dict[str, Definition]:
    """The checklist definitions loaded at start-up, by type."""
    return by_type()


def _form(errors: dict, status: int = 200):
    """The filter form, with the query's values kept and the messages next to their fields."""
    return render_template(
        "reports/index.html", regions=stations.regions(get_db()),
        types=[(kind, _(d.title)) for kind, d in definitions().items()], args=request.args,
        errors=errors), status


def _pdf(data: bytes, name: str):
    # send_file writes both filename= and filename*= (RFC 6266), so a Cyrillic
    # region name survives in every browser.
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=name)


def _filter(require_one_region: bool = False) -> filters.ReportFilter:
    flt = filters.parse(request.args, stations.regions(get_db()),
                        current_app.config["MISSION_TIMEZONE"])
    if require_one_region and len(flt.regions) != 1 and "region" not in flt.errors:
        flt.errors["region"] = _("Choose one region for a region report.")
    return flt


def _stamp(figures: dict) -> str:
    return figures["generated_utc"][:16].replace("-", "").replace(":", "").replace("T", "-")


@bp.route("/reports")
@roles_required(*access.COORDINATORS)
def index():
    """The filter form with the download buttons."""
    return _form({})


@bp.route("/reports/summary.pdf")
@roles_required(*access.COORDINATORS)
def summary_pdf():
    """The mission summary (statistical annex) for the filter in the query string."""
    flt = _filter()
    if not flt.ok:
        return _form(flt.errors, 400)
    db = get_db()
    figures = summary.build_summary(db, flt, definitions(), mission())
    data = pdf.render_pdf(summary.render_html(figures))
    audit.record(db, "export", current_user.id,
                 details={"report": "summary", "filter": summary.filter_details(flt)})
    return _pdf(data, f"summary-{_stamp(figures)}.pdf")


@bp.route("/reports/region.pdf")
@roles_required(*access.COORDINATORS)
def region_pdf():
    """The region report: the summary for one region, by district, with its stations' problems."""
    flt = _filter(require_one_region=True)
    if not flt.ok:
        return _form(flt.errors, 400)
    db = get_db()
    figures = summary.build_region(db, flt, definitions(), mission())
    data = pdf.render_pdf(summary.render_html(figures, "reports/region.html"))
    audit.record(db, "export", current_user.id,
                 details={"report": "region", "filter": summary.filter_details(flt)})
    return _pdf(data, f"region-{flt.regions[0]}-{_stamp(figures)}.pdf")
