"""Downloads for analysts: entries as CSV, XLSX or JSON, and a copy of the database.

Every download is streamed (the first bytes leave before the last row is read)
and leaves an "export" record in the audit log before streaming starts.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, request, stream_with_context
from flask_login import current_user

from models import access, audit, stations
from models.db import get_db
from reports import exports, filters
from views import downloads
from views.auth import roles_required

bp = Blueprint("exports", __name__, url_prefix="/exports")
_FORMATS = "any(csv, xlsx, json)"


def _now() -> datetime:
    return datetime.now(ZoneInfo(current_app.config["MISSION_TIMEZONE"]))


def _attachment(body, fmt: str, name: str) -> Response:
    return downloads.attachment(stream_with_context(body), exports.MIMETYPES[fmt], name)


def download(kind: str, fmt: str, stream=exports.stream) -> Response:
    """An export as a file: the report filters from the query, audited, streamed by
    ``stream(db_path, kind, fmt, filter, busy_ms)``; a bad filter is a 400 saying why."""
    db = get_db()
    flt = filters.parse(request.args, stations.regions(db),
                        current_app.config["MISSION_TIMEZONE"])
    if not flt.ok:
        abort(400, description=" ".join(flt.errors.values()))
    audit.record(db, "export", current_user.id, details={
        "kind": kind, "format": fmt, "via": "web", **flt.details()})
    body = stream(current_app.config["DATABASE"], kind, fmt, flt,
                  current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    return _attachment(body, fmt, exports.file_name(kind, fmt, _now()))


@bp.get(f"/<any(checklists, incidents, protocols):kind>.<{_FORMATS}:fmt>")
@roles_required(*access.COORDINATORS)
def entries(kind: str, fmt: str):
    """Checklists, incident reports or protocol figures, with the report filters as query arguments."""
    return download(kind, fmt)


@bp.get(f'/<any(interactions, "follow-ups"):kind>.<{_FORMATS}:fmt>')
@roles_required(*access.REVIEWERS)
def meetings(kind: str, fmt: str):
    """Meetings with commissions, or their follow-up items; the liaison may download these."""
    return download(kind, fmt)


@bp.get("/database.sqlite")
@roles_required(*access.COORDINATORS)
def database():
    """A consistent copy of the whole database (password hashes blanked)."""
    audit.record(get_db(), "export", current_user.id,
                 details={"kind": "database", "format": "sqlite", "via": "web"})
    body = exports.database_chunks(current_app.config["DATABASE"],
                                   current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    return _attachment(body, "sqlite",
                       f"observation-{_now().strftime('%Y%m%d-%H%M')}.sqlite")
