"""What photo views share: the media folder and limits from the config, a photo as JSON,
the upload's checks (one path for the page's form and the API), and the panel's photos.

``views.review_panel`` puts ``photo_panel`` into every entry's review panel
(templates/_photos.html shows it); views/photos.py and views/api_photos.py
call ``receive`` to store what was posted.
"""

import re
import uuid as uuids
from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms.checklist import UUID_PATTERN
from models import access, media, photos, protocols, review_list, stations
from models import definitions as checklist_definitions
from models.db import get_db
from models.vocabulary import INCIDENT_FIELD_LABELS, MEETING_FIELD_LABELS
from views.auth import entry_or_404

# A multipart request carries the photo plus a few short fields and boundaries.
FORM_OVERHEAD = 64 * 1024
REFUSED = {
    "empty": _l("The file is empty. Choose the photo again."),
    "too_large": _l("This photo is too large. Send a smaller one (the app on the phone "
                    "shrinks photos before sending)."),
    "not_image": _l("This file is not a photo the app accepts: send a JPEG, PNG or WebP "
                    "picture."),
    "too_many_pixels": _l("This picture has too many pixels to be a photo; send a "
                          "smaller one."),
    "damaged": _l("This photo is damaged or incomplete (perhaps cut off while copying). "
                  "Choose it again."),
}


class UploadError(Exception):
    """A refused upload: the HTTP status and the messages by field (uuid, file, question)."""

    def __init__(self, status: int, fields: dict[str, list[str]]):
        super().__init__(status)
        self.status, self.fields = status, fields


def media_root() -> Path:
    """The media folder of this app (MEDIA_DIR, or media/ beside the database)."""
    return media.root_for(current_app.config["DATABASE"], current_app.config.get("MEDIA_DIR"))


def limits() -> photos.Limits:
    """PHOTO_MAX_BYTES and PHOTO_MAX_PIXELS as the model takes them."""
    return photos.Limits(int(current_app.config["PHOTO_MAX_BYTES"]),
                         int(current_app.config["PHOTO_MAX_PIXELS"]))


def upload_limit() -> int:
    """The largest upload request: the largest photo plus its form fields."""
    return limits().max_bytes + FORM_OVERHEAD


def photo_json(row: dict) -> dict:
    """A stored photo as the API shows it; the URLs are the pages' (session) addresses."""
    return {"id": row["id"], "uuid": row["uuid"], "sha256": row["sha256"],
            "upload_sha256": row["upload_sha256"], "question": row["question"],
            "url": url_for("photos.original", photo_id=row["id"]),
            "thumbnail_url": url_for("photos.thumbnail", photo_id=row["id"]),
            "size": row["size"], "width": row["width"], "height": row["height"],
            "captured_utc": row["captured_utc"], "uploaded_by": row["uploaded_by_name"],
            "uploaded_utc": row["uploaded_utc"]}


def question_choices(kind: str, entry: dict) -> list[tuple[str, str]]:
    """What a photo of this entry may be tied to: its checklist's questions or its fields."""
    if kind == "checklist":
        if "form_type" in entry and "form_version" in entry:
            form_type, version = entry["form_type"], entry["form_version"]
        else:
            form_type, version = get_db().execute(
                "SELECT form_type, form_version FROM checklists WHERE id = ?",
                [entry["id"]]).fetchone()
        # The questions of the version the entry was filed under, not today's.
        definition = checklist_definitions.get(form_type, version)
        asked = [(q.id, _(q.label)) for q in definition.questions.values()] if definition else []
        return asked + entry.get("protocol_sections", [])
    labels = INCIDENT_FIELD_LABELS if kind == "incident" else MEETING_FIELD_LABELS
    return [(code, str(label)) for code, label in labels.items()]


def photo_entry(kind: str, entry_id: int) -> dict:
    """The entry with what photo checks need (its checklist type, its time zone); 404
    unless the user may read it."""
    db = get_db()
    header = entry_or_404(review_list.entry_header(db, kind, entry_id))
    table = review_list.KINDS[kind]
    extra = ("form_type, form_version, timezone, station_id" if kind == "checklist"
             else "timezone")
    row = db.execute(f"SELECT {extra} FROM {table} WHERE id = ?", [entry_id]).fetchone()
    entry = {**header, **dict(zip([c.strip() for c in extra.split(",")], row))}
    if kind == "checklist" and entry["form_type"] in protocols.PROTOCOL_TYPES:
        # A photo of a posted protocol is tied to its section (protocol-list, protocol-smd).
        entry["protocol_sections"] = protocol_sections(stations.get(db, entry["station_id"]))
    return entry


def protocol_sections(station: dict | None) -> list[tuple[str, str]]:
    """(question id, label) of each protocol a counting checklist at ``station`` records."""
    if station is None:
        return []
    return [(f"{protocols.QUESTION_PREFIX}-{contest.id}",
             _("Protocol: %(contest)s", contest=contest.title))
            for contest, _district in protocols.contests_of(station)]


def receive(kind: str, entry: dict) -> tuple[dict, bool]:
    """Check the posted uuid, question and file and store the photo: (row, created).

    Raises UploadError: 400 for a missing or malformed field, 413 for a file
    over PHOTO_MAX_BYTES, 422 for a file that is no acceptable photo, 409
    for a uuid already used with other bytes. Reading ``request.files`` may
    raise werkzeug's 413 for a request over the upload limit.
    """
    uuid = request.form.get("uuid", "").strip()
    question = request.form.get("question", "").strip() or None
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    problems = {}
    if not re.fullmatch(UUID_PATTERN, uuid):
        problems["uuid"] = [_("Expected a uuid made by the form (lower-case uuid4).")]
    if question and not photos.question_allowed(kind, entry, question):
        problems["question"] = [_("This entry has no such question.")]
    if not data and not (upload is not None and upload.filename):
        # An empty file field: the form was sent without a photo chosen.
        problems["file"] = [_("Choose a photo to send.")]
    if problems:
        raise UploadError(400, problems)
    try:
        return photos.add(get_db(), media_root(), kind, entry, uuid, data,
                          current_user.id, limits(), question,
                          request.form.get("captured_utc", "").strip() or None)
    except photos.Refused as refused:
        status = 413 if refused.reason == "too_large" else 422
        raise UploadError(status, {"file": [str(REFUSED[refused.reason])]}) from None
    except photos.Conflict:
        raise UploadError(409, {"uuid": [_(
            "This photo's uuid was already used for another photo. Nothing was saved: "
            "send it again from a new form.")]}) from None


def photo_panel(kind: str, entry: dict, errors: dict[str, list[str]] | None = None) -> dict:
    """The photos of an entry for templates/_photos.html, and its upload form if allowed."""
    rows = photos.for_entry(get_db(), kind, entry["id"])
    may_add = access.can_add_photos(current_user, kind, entry)
    choices = question_choices(kind, entry) if may_add or rows else []
    names = dict(choices)
    return {
        "items": [{**photo_json(row), "question_label": names.get(row["question"] or "", "")}
                  for row in rows],
        "can_add": may_add,
        "upload_url": url_for("photos.upload", entry_kind=kind, entry_id=entry["id"]),
        # A new uuid per form shown: sending the same form twice stores one photo.
        "uuid": str(uuids.uuid4()),
        "questions": choices,
        "errors": errors or {},
        "max_megabytes": round(limits().max_bytes / 1024 / 1024),
    }
