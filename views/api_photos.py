"""Photos through the JSON API: ``GET`` and ``POST /api/v1/{kind}/{entry_id}/photos``.

``kind`` is the entry's own API path: checklists, incidents, interactions, and
``meetings`` as a second name for interactions (the pages and the PDFs call
them meetings). The routes join the ``api`` blueprint, so they have its
authentication (bearer token, or the session with its X-CSRFToken header),
JSON errors and place in the OpenAPI document.

POST is multipart/form-data: ``uuid`` (made by the client, sent unchanged on
every retry), ``file``, optionally ``question`` and ``captured_utc``.
201: stored; 200 with ``"created": false``: this uuid was already received
with the same bytes (compared by the sha256 of the bytes sent, which does
not depend on the server's encoder); 409: the uuid was used for other bytes.
Whoever may read the entry lists its photos; its authors add them
(models.access.can_add_photos).
"""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from models import access, photos
from models.db import get_db
from views import api_schema as schema
from views import photos as photo_pages
from views.api import bp
from views.api_errors import ApiError
from views.api_openapi import operation
from views.auth import roles_required
from views.photo_panel import UploadError, photo_entry, photo_json, receive

# API path -> (entry kind, endpoint name stem)
PATHS = {"checklists": ("checklist", "checklist"), "incidents": ("incident", "incident"),
         "interactions": ("interaction", "interaction"), "meetings": ("interaction", "meeting")}
MEANINGS = {
    400: "A missing or malformed field (uuid, question; messages in fields), or a missing "
         "or expired X-CSRFToken header with a session.",
    403: "The user's role may not add photos to this entry (only its authors do).",
    409: "This photo uuid was already received with other bytes (nothing was saved).",
    413: "The photo is larger than PHOTO_MAX_BYTES (nothing was saved).",
    415: "The body is not multipart/form-data.",
    422: "The file is not an acceptable photo: not a JPEG, PNG or WebP image, damaged or "
         "cut off, or more pixels than PHOTO_MAX_PIXELS (a decompression bomb). The "
         "message is in fields.file. Nothing was saved.",
}
ALREADY = ((200, "Already received: this uuid with the same bytes. created is false and "
                 "nothing was stored twice."),)


def _lister(path: str, kind: str):
    @operation(f"The photos of one of the {path}", (200, schema.PHOTOS), errors=(404,))
    @roles_required(*access.EVERYONE)
    def view(entry_id: int):
        entry = photo_entry(kind, entry_id)
        return jsonify({"photos": [photo_json(row) for row in
                                   photos.for_entry(get_db(), kind, entry["id"])]})
    return view


def _adder(path: str, kind: str):
    @operation(f"Add a photo to one of the {path} (idempotent by the photo's uuid)",
               (201, schema.PHOTO_CREATED), body=schema.PHOTO_FORM,
               media_type="multipart/form-data", errors=(403, 404, 409, 422), also=ALREADY,
               meanings=MEANINGS)
    @roles_required(*access.AUTHORS[kind])
    def view(entry_id: int):
        entry = photo_entry(kind, entry_id)
        if not access.can_add_photos(current_user, kind, entry):
            raise ApiError(403, _("Photos are added by the entry's own team."))
        if request.mimetype != "multipart/form-data":
            raise ApiError(415, _("Send the photo as multipart/form-data (fields uuid, file "
                                  "and optionally question)."))
        try:
            row, created = receive(kind, entry)
        except UploadError as error:
            raise ApiError(error.status, _("The photo was not saved; see the message by the "
                                           "field."), error.fields) from None
        response = jsonify({**photo_json(row), "created": created})
        response.headers["Location"] = photo_json(row)["url"]
        return response, 201 if created else 200
    return view


for _path, (_kind, _stem) in PATHS.items():
    rule = f"/{_path}/<id:entry_id>/photos"
    bp.add_url_rule(rule, f"{_stem}_photos", _lister(_path, _kind), methods=["GET"])
    bp.add_url_rule(rule, f"add_{_stem}_photo", _adder(_path, _kind), methods=["POST"])
    photo_pages.UPLOAD_ENDPOINTS.add(f"api.add_{_stem}_photo")
