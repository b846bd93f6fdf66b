"""Messages to teams through the JSON API: the observer's list and the read confirmation.

``GET /api/v1/messages``: the messages addressed to the observer (all teams,
their region, their team), newest first, each with whether they confirmed it.
The service worker keeps this answer as the observer's data, so the offline
page shows the messages fetched at the last connection.

``POST /api/v1/messages/{message_id}/read``: confirm reading. Idempotent (201
the first time, 200 after); the body is optional, ``{"uuid": ...}`` from the
phone's outbox, given back in the answer so the outbox knows the answer is
for this confirmation (an HTML page instead means the session has ended).
The routes join the ``api`` blueprint (authentication, JSON errors, OpenAPI).
"""

from flask import jsonify, request, url_for
from flask_login import current_user

from models import access, team_messages
from models.db import get_db
from views import api_schema as schema
from views.api import bp, json_body
from views.api_errors import ApiError
from views.api_openapi import operation
from views.auth import roles_required

MESSAGE = schema.obj({
    "id": schema.row_id(), "audience": schema.choice(team_messages.AUDIENCES),
    "target": schema.text("The region or team it was sent to; null for all teams.",
                          nullable=True),
    "body": schema.text(), "sent_utc": schema.UTC,
    "read": schema.boolean("Whether this observer has confirmed reading it."),
    "read_utc": {**schema.UTC, "type": ["string", "null"]},
    "read_url": schema.text("Where to POST the confirmation.")})
MESSAGES = schema.obj({"messages": schema.array(MESSAGE, description="Newest first.")})
READ_BODY = schema.obj({"uuid": schema.text(
    "Made by the phone's outbox and sent unchanged with every retry; given back.",
    maxLength=64)}, required=[])
READ = schema.obj({
    "message_id": schema.row_id(), "read_utc": schema.UTC,
    "created": schema.boolean("false when it had been confirmed before: nothing changed."),
    "uuid": schema.text("The body's uuid, when one was sent.", nullable=True)})
MEANINGS = {403: "Only observers confirm messages.",
            404: "No such message, or not addressed to this observer.",
            415: "A body was sent but is not JSON (the body is optional).",
            400: "The body's uuid is not text, or a missing or expired X-CSRFToken header "
                 "with a session."}


def message_json(row: dict) -> dict:
    """One message as the API gives it to its reader."""
    return {"id": row["id"], "audience": row["audience"], "target": row["target"],
            "body": row["body"], "sent_utc": row["sent_utc"],
            "read": row["read_utc"] is not None, "read_utc": row["read_utc"],
            "read_url": url_for("api.read_message", message_id=row["id"])}


@bp.get("/messages")
@operation("The coordinators' messages to the observer, newest first, with read flags",
           (200, MESSAGES), errors=(403,), meanings=MEANINGS)
@roles_required(*access.OBSERVERS)
def message_list():
    return jsonify({"messages": [message_json(row) for row in
                                 team_messages.for_reader(get_db(), current_user)]})


@bp.post("/messages/<id:message_id>/read")
@operation("Confirm reading a message (idempotent)", (201, READ), body=READ_BODY,
           errors=(403, 404), meanings=MEANINGS,
           also=((200, "Already confirmed: created is false and nothing changed."),))
@roles_required(*access.OBSERVERS)
def read_message(message_id: int):
    # The body is optional; one that is sent is checked like any other (JSON, types).
    # (content_length: a form body may already have been read by the CSRF check.)
    sent = request.content_length or request.get_data(cache=True)
    body = json_body(READ_BODY) if sent else {}
    db = get_db()
    if not team_messages.is_addressed(db, message_id, current_user.id):
        raise ApiError(404)
    read_utc, created = team_messages.mark_read(db, message_id, current_user.id)
    return jsonify({"message_id": message_id, "read_utc": read_utc, "created": created,
                    "uuid": body.get("uuid")}), 201 if created else 200
