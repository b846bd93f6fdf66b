"""Results: the results annex PDF (coordinators) and the discrepancy list (the liaison's).

The annex takes the reports page's filter from the query string; an impossible
filter gets the reports form back with the message (400). Every download
leaves an "export" record in the audit log. The discrepancy list is what the
liaison raises with the CEC: every differing station figure, the first
``LISTED`` shown, each linked to its checklist.
"""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from models import access, audit, discrepancies, stations
from models.db import get_db
from reports import filters, results, results_export
from views import downloads
from views import exports as export_views
from views.auth import roles_required
from views.reports import _form

bp = Blueprint("results", __name__)
LISTED = 500


@bp.route("/reports/results.pdf")
@roles_required(*access.COORDINATORS)
def annex_pdf():
    """The results annex for the filter in the query string."""
    db = get_db()
    flt = filters.parse(request.args, stations.regions(db), current_app.config["MISSION_TIMEZONE"])
    if not flt.ok:
        return _form(flt.errors, 400)
    data, figures, _html = results.report_pdf(db, flt, results.mission_of(current_app.config))
    audit.record(db, "export", current_user.id,
                 details={"report": "results", "filter": flt.details()})
    return downloads.pdf(data, results.pdf_name(figures))


@bp.route("/results/discrepancies")
@roles_required(*access.REVIEWERS)
def discrepancy_list():
    """Every station figure that differs from the official results, for the liaison."""
    found = discrepancies.station_discrepancies(get_db(), limit=LISTED)
    for row in found["rows"]:
        row["label"] = discrepancies.item_label(row["contest"], row["item"])
    return render_template("results/discrepancies.html", found=found,
                           more=found["total"] - len(found["rows"]))


@bp.get('/exports/<any("official-results", discrepancies):kind>.<any(csv, xlsx):fmt>')
@roles_required(*access.REVIEWERS)
def export(kind: str, fmt: str):
    """The official results held, or the discrepancies (report filters apply), as a file."""
    return export_views.download(kind, fmt, results_export.stream)
