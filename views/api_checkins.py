"""Check-ins through the JSON API: ``POST /api/v1/checkins``, idempotent by uuid.

The route joins the ``api`` blueprint (its authentication, JSON errors and
place in the OpenAPI document), like views/api_photos.py. The body is fed to
the home page's own form (forms/checkin.py), so both refuse the same things
with the same messages: an unknown kind, a station number not in the
registry, a note over NOTE_MAX characters, an implausible time (422, by field).
201: stored; 200 with ``"created": false``: this uuid was already received with
the same content; 409: the uuid was used for another check-in.
"""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from models import access, checkins
from models.db import get_db
from models.entries import DuplicateConflict
from views import api_schema as schema
from views.api import bp, json_body
from views.api_entries import NO_CSRF, field_errors, formdata, invalid
from views.api_errors import ApiError
from views.api_openapi import operation
from views.auth import roles_required
from views.checkins import checkin_form

CHECKIN_BODY = schema.obj({
    "uuid": schema.UUID, "kind": schema.choice(checkins.KINDS),
    "station_number": schema.text("The polling station's number, as in the registry; "
                                  "required for arrived.", nullable=True, maxLength=20),
    "note": schema.text(f"At most {checkins.NOTE_MAX} characters.", nullable=True,
                        maxLength=checkins.NOTE_MAX),
    "occurred_utc": {**schema.UTC, "type": ["string", "null"], "description":
                     "When the observer checked in (the phone's clock); default: now. "
                     "At most three days old."}},
    required=["uuid", "kind"])
CHECKIN = schema.obj({
    "id": schema.row_id(), "uuid": schema.UUID, "created": schema.boolean(
        "false when this uuid was already received with the same content."),
    "url": schema.text("None: a check-in has no page of its own.", nullable=True),
    "team": schema.text(), "author": schema.text(), "kind": schema.choice(checkins.KINDS),
    "station_number": schema.text(nullable=True), "note": schema.text(),
    "occurred_utc": schema.UTC, "timezone": schema.text(), "created_utc": schema.UTC})
MEANINGS = {422: "The check-in was refused: an unknown kind, a station number not in the "
                 "registry (or none for arrived), a note over the limit or an implausible "
                 "time; fields holds the reason by field. Nothing was saved."}
ALREADY = ((200, "Already received: this uuid with the same content. created is false and "
                 "nothing was duplicated."),)


def checkin_json(row: dict, created: bool) -> dict:
    """A stored check-in as the API returns it."""
    return {"id": row["id"], "uuid": row["uuid"], "created": created, "url": None,
            "team": row["team"], "author": row["author"], "kind": row["kind"],
            "station_number": row["station_number"], "note": row["note"],
            "occurred_utc": row["occurred_utc"], "timezone": row["timezone"],
            "created_utc": row["created_utc"]}


@bp.post("/checkins")
@operation("Check in without filing: arrived, leaving, safe (idempotent by uuid)",
           (201, CHECKIN), body=CHECKIN_BODY, errors=(403, 409, 422), also=ALREADY,
           meanings=MEANINGS)
@roles_required(*access.OBSERVERS)
def create_checkin():
    form = checkin_form(formdata=formdata(json_body(CHECKIN_BODY)), meta=NO_CSRF)
    if not form.validate():
        raise invalid(field_errors(form))
    try:
        row, created = checkins.create(get_db(), form.to_checkin(), current_user.id,
                                       access.author_team(current_user))
    except DuplicateConflict:
        raise ApiError(409, _("This uuid was already sent with another check-in. Nothing was "
                              "saved: check in again with a new uuid."),
                       {"uuid": [_("Already used by another check-in.")]}) from None
    return jsonify(checkin_json(row, created)), 201 if created else 200
