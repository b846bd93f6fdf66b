"""One entry as a PDF (for a complaint file) and the commission interaction log as a PDF.

An entry's PDF is visible to whoever sees the entry's page: its own team's
observers (they build the complaint file from their own reports) and every
reviewer; another team's observer gets 404, as on the page. Observers' PDFs
leave out the automatic flags, which their page does not show either. The
interaction log is for the liaison, coordinators and admins. Every download
leaves an "export" record in the audit log.
"""

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forms.meeting_log_filter import parse_filters
from models import access, audit, languages, stations
from models import definitions as checklist_definitions
from models.db import get_db
from reports.entry import build_entry, entry_pdf
from reports.meeting_log import build_log, log_pdf
from views import downloads
from views.auth import entry_or_404, roles_required
from views.photo_panel import media_root

bp = Blueprint("entry_pdfs", __name__)


def _entry(kind: str, entry_id: int) -> Response:
    db = get_db()
    report = build_entry(db, kind, entry_id, _definitions(),
                         mission=current_app.config["MISSION_NAME"],
                         mission_zone=current_app.config["MISSION_TIMEZONE"],
                         with_flags=access.is_reviewer(current_user), media_root=media_root(),
                         second=_second_language(kind))
    entry_or_404(report)
    body = entry_pdf(report)
    audit.record(db, "export", current_user.id, kind, entry_id,
                 {"kind": kind, "id": entry_id, "format": "pdf"})
    return downloads.pdf(body, f"{report['number']}.pdf")


def _second_language(kind: str) -> str | None:
    """``?second=ru``: a checklist's questions and answers also in that language (else none)."""
    code = languages.supported(request.args.get("second")) if kind == "checklist" else None
    return code if code != str(get_locale()) else None


def _definitions() -> dict:
    """The checklist definitions, by type."""
    return checklist_definitions.by_type()


@bp.route("/checklists/<id:entry_id>.pdf")
@roles_required(*access.EVERYONE)
def checklist(entry_id: int):
    """A checklist as filed, with its history, review and comments."""
    return _entry("checklist", entry_id)


@bp.route("/incidents/<id:entry_id>.pdf")
@roles_required(*access.EVERYONE)
def incident(entry_id: int):
    """An incident report as filed, with its history, review and comments."""
    return _entry("incident", entry_id)


@bp.route("/meetings/<id:entry_id>.pdf")
@roles_required(*access.EVERYONE)
def meeting(entry_id: int):
    """A meeting report as filed, with its follow-up, history, review and comments."""
    return _entry("interaction", entry_id)


@bp.route("/meetings/log.pdf")
@roles_required(*access.REVIEWERS)
def log():
    """The interaction log with the meetings log page's filters (same query arguments)."""
    db = get_db()
    zone = current_app.config["MISSION_TIMEZONE"]
    selection = parse_filters(request.args, stations.regions(db), zone)
    if not selection.ok:
        abort(400, _("This selection cannot be made: %(errors)s",
                     errors="; ".join(selection.errors)))
    report = build_log(db, selection, mission=current_app.config["MISSION_NAME"],
                       mission_zone=zone)
    body = log_pdf(report)
    audit.record(db, "export", current_user.id, details={
        "kind": "interaction_log", "format": "pdf", "selection": selection.description,
        "meetings": report["listed_out_of"]})
    return downloads.pdf(body, "interaction-log.pdf")
