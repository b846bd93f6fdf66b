"""PDF reports for coordinators: the mission summary and the region report, with their filter form.

The filter (reports.filters) is read from the query string; an impossible one
gets the form back with the message (400), never an empty or broken PDF.
Every download leaves an "export" record in the audit log.
"""

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from models import access, audit, stations
from models.db import get_db
from models.definitions import by_type
from reports import filters, summary
from views import downloads
from views.auth import roles_required

bp = Blueprint("reports", __name__)


def _form(errors: dict, status: int = 200):
    """The filter form, with the query's values kept and the messages next to their fields."""
    return render_template(
        "reports/index.html", regions=stations.regions(get_db()),
        types=[(kind, _(d.title)) for kind, d in by_type().items()], args=request.args,
        errors=errors), status


def _download(report: str):
    """The report's PDF for the query string's filter, audited; the form again when it cannot be made."""
    db = get_db()
    flt = filters.parse(request.args, stations.regions(db), current_app.config["MISSION_TIMEZONE"],
                        one_region=report == "region")
    if not flt.ok:
        return _form(flt.errors, 400)
    publication = report == "summary" and request.args.get("publication") in ("1", "on", "yes")
    data, figures = summary.report_pdf(
        db, report, flt, summary.mission_of(current_app.config), publication=publication,
        small_n=current_app.config["PUBLICATION_MIN_N"])
    audit.record(db, "export", current_user.id,
                 details={"report": report, "filter": flt.details(),
                          "publication": publication})
    return downloads.pdf(data, summary.pdf_name(report, figures))


@bp.route("/reports")
@roles_required(*access.COORDINATORS)
def index():
    """The filter form with the download buttons."""
    return _form({})


@bp.route("/reports/summary.pdf")
@roles_required(*access.COORDINATORS)
def summary_pdf():
    """The mission summary (statistical annex) for the filter in the query string."""
    return _download("summary")


@bp.route("/reports/region.pdf")
@roles_required(*access.COORDINATORS)
def region_pdf():
    """The region report: the summary for one region, by district, with its stations' problems."""
    return _download("region")
