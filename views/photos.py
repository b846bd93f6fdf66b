"""Photos in the browser: the files (full size and thumbnail), the entry page's upload form,
and the ZIP of every photo for coordinators.

A photo is served to whoever may read its entry (another team's observer
gets 404, as for the entry's page), with ``private, max-age=31536000,
immutable``: a photo row and its file never change, so a phone fetches each
thumbnail once. The upload form works without JavaScript; a refused photo
shows the entry's review panel again with the message next to the field.
"""

import tempfile
from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from models import access, audit, media, photos, review, review_list
from models.db import get_db
from reports.photo_export import write_zip
from views import downloads
from views.api_errors import error_response, under_api
from views.auth import entry_or_404, roles_required
from views.photo_panel import REFUSED, UploadError, media_root, photo_entry, receive, upload_limit
from views.review_panel import current_filters, entry_url, review_panel

bp = Blueprint("photos", __name__)
KIND = "<any({}):entry_kind>".format(", ".join(review.KINDS))
CACHE = "private, max-age=31536000, immutable"
# Requests that may carry a photo: they get PHOTO_MAX_BYTES (plus the form's
# fields) instead of MAX_CONTENT_LENGTH. views/api_photos.py adds its own.
UPLOAD_ENDPOINTS = {"photos.upload"}


def _readable_photo(photo_id: int) -> dict:
    """The photo, if the user may read its entry; else 404 (the entry's own rule)."""
    db = get_db()
    photo = photos.get(db, photo_id)
    if photo is None:
        abort(404)
    entry_or_404(review_list.entry_header(db, photo["entry_kind"], photo["entry_id"]))
    return photo


def _file(digest: str) -> Response:
    try:
        # Read whole (a few hundred kB): no open file outlives an unread response.
        data = media.read(media_root(), digest)
    except FileNotFoundError:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.set_etag(digest)
    response.headers["Cache-Control"] = CACHE
    return response.make_conditional(request)


@bp.get("/photos/<id:photo_id>.jpg")
@roles_required(*access.EVERYONE)
def original(photo_id: int):
    """A photo as stored (re-encoded, without EXIF)."""
    return _file(_readable_photo(photo_id)["sha256"])


@bp.get("/photos/<id:photo_id>/thumbnail.jpg")
@roles_required(*access.EVERYONE)
def thumbnail(photo_id: int):
    """A photo's thumbnail (320 px on its longest side)."""
    return _file(_readable_photo(photo_id)["thumbnail_sha256"])


def _refused(kind: str, entry: dict, status: int, fields: dict) -> tuple[str, int]:
    """The entry's review panel alone, the message next to the photo field (as for comments)."""
    return render_template("review/action.html", kind=kind, entry=entry,
                           entry_link=entry_url(kind, entry["id"], current_filters()),
                           panel=review_panel(kind, entry, photo_errors=fields)), status


@bp.post(f"/photos/{KIND}/<id:entry_id>")
@roles_required(*access.EVERYONE)
def upload(entry_kind: str, entry_id: int):
    """Add a photo to an entry from its page (the plain form; phones use the API)."""
    entry = photo_entry(entry_kind, entry_id)
    if not access.can_add_photos(current_user, entry_kind, entry):
        abort(403, _("Photos are added by the entry's own team."))
    try:
        _row, created = receive(entry_kind, entry)
    except UploadError as error:
        return _refused(entry_kind, entry, error.status, error.fields)
    flash(_("Photo added.") if created else _("This photo was already added."))
    return redirect(entry_url(entry_kind, entry_id, current_filters()) + "#photos", code=303)


def _too_large(error: RequestEntityTooLarge):
    """The upload form's request was over the limit: say so next to the field, as JSON's 413.

    Only to someone who may add photos to that entry; anyone else gets the
    plain error page (for another team's entry, the 404 it would have had).
    """
    args = request.view_args or {}
    kind, entry_id = args.get("entry_kind"), args.get("entry_id")
    message = str(REFUSED["too_large"])
    header = review_list.entry_header(get_db(), kind, entry_id) \
        if current_user.is_authenticated and kind else None
    if header is None or not access.can_read(current_user, header):
        code = 404 if current_user.is_authenticated else 413
        return render_template("error.html", code=code, message=message if code == 413
                               else _("This page or entry does not exist, or is not yours "
                                      "to see.")), code
    entry = photo_entry(kind, entry_id)
    if not access.can_add_photos(current_user, kind, entry):
        return render_template("error.html", code=403, message=_(
            "Photos are added by the entry's own team.")), 403
    return _refused(kind, entry, 413, {"file": [message]})


bp.register_error_handler(RequestEntityTooLarge, _too_large)


@bp.get("/exports/photos.zip")
@roles_required(*access.COORDINATORS)
def export():
    """Every photo with a manifest CSV (entry, kind, question, sha256, times, uploader)."""
    db = get_db()
    audit.record(db, "export", current_user.id,
                 details={"kind": "photos", "format": "zip", "via": "web"})
    spool = tempfile.TemporaryFile()
    write_zip(db, media_root(), spool)
    spool.seek(0)

    def chunks():
        with spool:
            yield from iter(lambda: spool.read(1 << 20), b"")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return downloads.attachment(chunks(), "application/zip", f"photos-{stamp}.zip")


def _upload_limit() -> Response | None:
    if request.endpoint not in UPLOAD_ENDPOINTS:
        return None
    request.max_content_length = limit = upload_limit()
    if under_api() and (request.content_length or 0) > limit:
        # Refused unread, with the message by the file field where the phone shows it
        # (the page's form gets the same from _too_large).
        message = str(REFUSED["too_large"])
        return error_response(413, message, {"file": [message]})
    return None


def init_app(app: Flask) -> None:
    """Raise the request size limit for photo uploads, before anything reads the form.

    CSRFProtect reads the form in its own before_request hook: this one must
    run first, so it goes to the front of the list.
    """
    app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)
