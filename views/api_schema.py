"""The API's request and response shapes as JSON Schema, declared once.

The same dicts serve three purposes, so they cannot drift apart: the API
checks request bodies' types against them (``type_errors``), the OpenAPI
document publishes them (views/api_openapi.py), and the tests validate every
real response against that document.

Types and structure are checked here (a wrong type is a 400); what the
values mean (required answers, lengths, choices, times) is checked by the
same Flask-WTF forms as the HTML pages (a 422 with the form's messages), so
``required``, ``enum``, ``pattern`` and ``maxLength`` below document those
checks rather than perform them.
"""

from flask_babel import gettext as _

from forms.checklist import TIME_PATTERN, UUID_PATTERN
from forms.meeting import ITEM_MAX, MAX_ROWS, NAME_MAX, SUMMARY_MAX
from models import incidents, meetings, users, vocabulary
from models.definitions import QUESTION_TYPES, TYPES
from models.vocabulary import OVERALL
from views.ids import MAX_ID

# --- building blocks -------------------------------------------------------


def text(description: str = "", nullable: bool = False, **keywords) -> dict:
    """A string (or null)."""
    schema = {"type": ["string", "null"] if nullable else "string", **keywords}
    return {**schema, "description": description} if description else schema


def integer(description: str = "", nullable: bool = False, **keywords) -> dict:
    """A whole number (or null)."""
    schema = {"type": ["integer", "null"] if nullable else "integer", **keywords}
    return {**schema, "description": description} if description else schema


def boolean(description: str = "") -> dict:
    """true or false."""
    return {"type": "boolean", "description": description} if description else \
        {"type": "boolean"}


def choice(values, nullable: bool = False, description: str = "") -> dict:
    """One code from ``values``."""
    return text(description, nullable, enum=[*values, *([None] if nullable else [])])


def array(items: dict, max_items: int | None = None, description: str = "") -> dict:
    """A list of ``items``."""
    schema = {"type": "array", "items": items}
    if max_items is not None:
        schema["maxItems"] = max_items
    return {**schema, "description": description} if description else schema


def obj(properties: dict, required=None, description: str = "", nullable: bool = False) -> dict:
    """An object with exactly these properties; all required unless ``required`` says."""
    schema = {"type": ["object", "null"] if nullable else "object", "properties": properties,
              "required": list(properties) if required is None else list(required),
              "additionalProperties": False}
    return {**schema, "description": description} if description else schema


def row_id(description: str = "", nullable: bool = False) -> dict:
    """A row id: beyond SQLite's integers it could only be tampering."""
    return integer(description, nullable, minimum=1, maximum=MAX_ID)


UTC = text("UTC time, YYYY-MM-DDTHH:MM:SSZ.", pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DATE = text("A local date, YYYY-MM-DD.", nullable=True, format="date")
TIME = text("A local time, HH:MM (24-hour).", nullable=True,
            pattern=TIME_PATTERN.pattern)
UUID = text("Made by the client when the form is opened (uuid4, lower case) and sent "
            "unchanged with every retry: the same uuid with the same content is "
            "accepted once.", pattern=UUID_PATTERN)
STATE = choice(vocabulary.STATES, description="Review state.")

# --- errors and reference data ---------------------------------------------

ERROR = obj({"error": text("A message for a person."),
             "fields": {"type": "object", "description": "Messages per field, named as in "
                        "the HTML form (question ids, arrival_time, counterparts-0-name ...).",
                        "additionalProperties": array(text())}},
            required=["error"])
ME = obj({"username": text(), "role": choice(users.ROLES), "team": text(nullable=True),
          "region": text(nullable=True),
          "csrf_token": text("For session (cookie) clients: send it as the X-CSRFToken "
                             "header on POSTs. null with a bearer token.", nullable=True)})
STATION = obj({"id": row_id(), "number": text(), "name": text(), "address": text(),
               "region": text(), "district": text(), "timezone": text("IANA zone name."),
               "registered_voters": integer(minimum=0),
               "smd_district": integer("Single-member district number; null when not set.",
                                       minimum=1, nullable=True),
               "area_type": choice(("urban", "rural"), nullable=True)})
STATIONS = obj({"stations": array(STATION),
                "total": integer("Searches: how many stations match in all."),
                "more": integer("Searches: how many match beyond those listed; type more "
                                "of the name or the number to narrow.")},
               required=["stations"])
CHOICE = obj({"value": text(), "label": text(), "exclusive": boolean(
    "True when this answer cannot be combined with the question's other answers.")},
    required=("value", "label"))
QUESTION = obj({
    "id": text(), "type": choice(QUESTION_TYPES), "label": text(), "help": text(),
    "required": boolean(), "min": integer(nullable=True), "max": integer(nullable=True),
    "choices": array(CHOICE, description="For yesno questions: yes, no, not observed."),
    "relevant": obj({"question": text(), "value": text()}, nullable=True,
                    description="Asked only when that earlier question has that answer."),
    "serious": boolean(), "problem": choice(("yes", "no")), "max_length": integer()})
CHECK = obj({"rule": choice(("lte", "sum")), "message": text(), "left": text(),
             "right": text(), "total": text(), "parts": array(text())})
DEFINITION = obj({"type": choice(TYPES), "version": integer(), "title": text(),
                  "description": text(),
                  "sections": array(obj({"title": text(), "questions": array(QUESTION)})),
                  "checks": array(CHECK)})
DEFINITIONS = obj({"definitions": {"type": "object", "additionalProperties": DEFINITION},
                   "overall": array(CHOICE, description="The overall assessment's answers.")})

# --- request bodies ----------------------------------------------------------

ANSWER = {"type": ["string", "integer", "array", "null"], "items": text(),
          "description": "Text or a code; a whole number for integer questions; a list of "
                         "codes for multi questions; null or absent when not answered."}
PROTOCOL = {"type": "object", "additionalProperties": {
    "type": "object", "additionalProperties": integer(minimum=0, maximum=999999, nullable=True)},
    "description": "Counting checklists: the figures copied from each posted protocol, by "
                   "contest (list, smd, ...) then item (a control figure, a party or "
                   "candidate code, against_all), e.g. {\"list\": {\"valid\": 812, "
                   "\"amanat\": 430}}. Figures not written down are left out; a contest "
                   "left out was not seen."}
CHECKLIST_BODY = obj({
    "uuid": UUID, "form_type": choice(TYPES), "station_id": row_id(),
    "arrival_date": DATE, "arrival_time": TIME, "departure_date": DATE, "departure_time": TIME,
    "answers": {"type": "object", "additionalProperties": ANSWER,
                "description": "By question id (GET /api/v1/definitions)."},
    "overall": choice(OVERALL, nullable=True),
    "comments": text("At most MAX_TEXT_LENGTH characters (2,000 unless the mission "
                     "set another limit); a longer text is refused with the count.",
                     nullable=True),
    "figures_confirmed": boolean("The figures are correct as written in the protocol, "
                                 "even where they do not add up."),
    "protocol": PROTOCOL},
    required=["uuid", "form_type", "station_id", "arrival_date", "arrival_time",
              "departure_date", "departure_time", "answers", "overall"])
INCIDENT_BODY = obj({
    "uuid": UUID, "occurred_date": DATE, "occurred_time": TIME,
    "station_number": text("The polling station's number (or a part of its name that "
                           "finds just one); empty when not at a station.", nullable=True,
                           maxLength=100),
    "region": text("Required when no station is given.", nullable=True),
    "place": text(nullable=True, maxLength=incidents.MAX_PLACE),
    "category": choice(vocabulary.CATEGORIES, nullable=True),
    "severity": choice(vocabulary.SEVERITIES, nullable=True),
    "description": text(nullable=True, maxLength=incidents.MAX_DESCRIPTION),
    "reported_to_commission": choice(incidents.YES_NO, nullable=True),
    "commission_response": text("Asked only when reported_to_commission is yes.",
                                nullable=True, maxLength=incidents.MAX_RESPONSE)},
    required=["uuid", "occurred_date", "occurred_time", "category", "severity", "description",
              "reported_to_commission"])
FOLLOW_UP_BODY = obj({"text": text(nullable=True, maxLength=ITEM_MAX), "due_date": DATE},
                     required=["text"])
INTERACTION_BODY = obj({
    "uuid": UUID, "date": DATE, "time": TIME,
    "place": text(nullable=True, maxLength=NAME_MAX),
    "commission_level": choice(vocabulary.LEVELS, nullable=True),
    "commission_name": text(nullable=True, maxLength=NAME_MAX),
    "region": text("Required except for the CEC.", nullable=True),
    "counterparts": array(obj({"name": text(nullable=True, maxLength=NAME_MAX),
                               "position": text(nullable=True, maxLength=NAME_MAX)},
                              required=["name"]), MAX_ROWS),
    "participants": text(nullable=True, maxLength=500),
    "topics": array(choice(vocabulary.TOPICS), len(vocabulary.TOPICS)),
    "summary": text(nullable=True, maxLength=SUMMARY_MAX),
    "requests": array(FOLLOW_UP_BODY, MAX_ROWS, "Requests by the mission."),
    "commitments": array(FOLLOW_UP_BODY, MAX_ROWS, "Answers or commitments by the commission."),
    "entry_numbers": text("Entries raised in the meeting, as people write them: C12 "
                          "(checklist 12), I3 (incident 3), separated by commas.",
                          nullable=True)},
    required=["uuid", "date", "time", "commission_level", "commission_name", "topics",
              "summary"])

# --- entries as the API returns them -----------------------------------------

STATION_REF = obj({"id": row_id(), "number": text(), "name": text(), "district": text()})
_ENTRY_COMMON = {"id": row_id(), "uuid": UUID, "team": text(), "author": text(),
                 "review_state": STATE, "version": integer(minimum=1),
                 "created_utc": UTC, "updated_utc": UTC,
                 "url": text("The entry's page, for people.")}
CHECKLIST = obj({
    **_ENTRY_COMMON, "form_type": choice(TYPES), "form_version": integer(),
    "station": STATION_REF, "region": text(), "arrival_utc": UTC, "departure_utc": UTC,
    "timezone": text(), "answers": {"type": "object", "additionalProperties": ANSWER},
    "overall": choice(OVERALL), "comments": text(), "figures_confirmed": boolean(),
    "serious_count": integer(minimum=0),
    "protocol": {**PROTOCOL, "description": "Counting checklists only."}},
    required=["id", "uuid", "team", "author", "review_state", "version", "created_utc",
              "updated_utc", "url", "form_type", "form_version", "station", "region",
              "arrival_utc", "departure_utc", "timezone", "answers", "overall", "comments",
              "figures_confirmed", "serious_count"])
INCIDENT = obj({
    **_ENTRY_COMMON, "station": {**STATION_REF, "type": ["object", "null"]},
    "region": text(), "place": text(), "occurred_utc": UTC, "timezone": text(),
    "category": choice(vocabulary.CATEGORIES), "severity": choice(vocabulary.SEVERITIES),
    "description": text(), "reported_to_commission": choice(incidents.YES_NO),
    "commission_response": text()})
_MEETING = {
    **_ENTRY_COMMON, "occurred_utc": UTC, "timezone": text(), "place": text(),
    "commission_level": choice(vocabulary.LEVELS), "commission_name": text(),
    "region": text(), "counterparts": array(obj({"name": text(), "position": text()})),
    "participants": text(), "topics": array(choice(vocabulary.TOPICS)), "summary": text()}
INTERACTION = obj({
    **_MEETING,
    "follow_ups": array(obj({"id": row_id(), "kind": choice(vocabulary.FOLLOW_UP_KINDS),
                             "text": text(), "due_date": text(nullable=True),
                             "status": choice(vocabulary.FOLLOW_UP_STATUSES),
                             "answer_date": text(nullable=True), "answer_text": text()})),
    "links": array(obj({"kind": choice(meetings.LINK_KINDS), "id": row_id(),
                        "ref": text("C12, I3: the number people write.")}))})
INTERACTION_SUMMARY = obj({**_MEETING, "item_count": integer(minimum=0),
                           "open_items": integer(minimum=0),
                           "overdue_items": integer(minimum=0)})

# --- photos -----------------------------------------------------------------------

_PHOTO = {
    "id": row_id(), "uuid": UUID,
    "sha256": text("sha256 of the stored file: the photo re-encoded as JPEG, without its "
                   "EXIF data (GPS position) or anything appended to it.",
                   pattern="^[0-9a-f]{64}$"),
    "upload_sha256": text("sha256 of the bytes that were sent: what a resend is compared "
                          "by.", pattern="^[0-9a-f]{64}$"),
    "question": text("The question (checklists) or field (incident and meeting reports) "
                     "the photo shows; null for none.", nullable=True),
    "url": text("The stored photo (JPEG), for a logged-in browser session."),
    "thumbnail_url": text("Its thumbnail (320 px), for a logged-in browser session."),
    "size": integer(minimum=1, description="Bytes of the stored file."),
    "width": integer(minimum=1), "height": integer(minimum=1),
    "captured_utc": {**UTC, "type": ["string", "null"],
                     "description": "When it was taken (the camera's EXIF time, else the "
                                    "captured_utc field sent), UTC; null when unknown."},
    "uploaded_by": text(), "uploaded_utc": UTC}
PHOTO = obj(_PHOTO)
PHOTO_CREATED = obj({**_PHOTO, "created": boolean(
    "false when this uuid had already been received with the same bytes: nothing was "
    "stored twice.")})
PHOTOS = obj({"photos": array(PHOTO, description="In the order they arrived.")})
PHOTO_FORM = obj({
    "uuid": UUID,
    "file": {"type": "string", "contentMediaType": "image/jpeg",
             "description": "The photo: JPEG, PNG or WebP, at most PHOTO_MAX_BYTES (10 MB by "
                            "default) and PHOTO_MAX_PIXELS pixels. Phones send it shrunk to "
                            "~1600 px."},
    "question": text("Optional: a question id of the entry's checklist (GET "
                     "/api/v1/definitions), or a field of an incident or meeting report "
                     "(description, summary ...)."),
    "captured_utc": text("Optional: when the photo was taken (ISO 8601 with Z or an "
                         "offset); the camera's EXIF time wins when the file has one.")},
    required=["uuid", "file"])


def created(entry: dict) -> dict:
    """What a create answers: the entry, and whether this request made it."""
    return obj({"id": row_id(), "uuid": UUID, "url": text("The entry's page, for people."),
                "created": boolean("false when this uuid had already been received with the "
                                   "same content: nothing was duplicated."),
                "entry": entry})


def page_of(name: str, item: dict) -> dict:
    """A page of a listing, newest first."""
    return obj({name: array(item), "page": integer(minimum=1), "has_next": boolean()})


# --- checking request bodies -------------------------------------------------

_PHRASES = {"string": lambda: _("text"), "integer": lambda: _("a whole number"),
            "boolean": lambda: _("true or false"), "array": lambda: _("a list"),
            "object": lambda: _("an object"), "null": lambda: _("null")}


def _is(kind: str, value) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "boolean": bool, "array": list, "object": dict,
                              "null": type(None)}[kind])


def type_errors(schema: dict, value) -> dict[str, list[str]]:
    """Messages per field where ``value`` has the wrong type or shape for ``schema``.

    Fields are named as in the HTML form: ``arrival_time``, a question id for
    an answer, ``counterparts-0-name`` for a row's field.
    """
    errors: dict[str, list[str]] = {}
    _check(schema, value, "", errors)
    return errors


def _check(schema: dict, value, path: str, errors: dict) -> None:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    if kinds and not any(_is(kind, value) for kind in kinds):
        what = [_PHRASES[kind]() for kind in kinds]
        errors.setdefault(path or "body", []).append(
            _("Expected %(what)s.", what=what[0]) if len(what) == 1
            else _("Expected one of: %(what)s.", what=", ".join(what)))
        return
    if _is("integer", value):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and value < low or high is not None and value > high:
            errors.setdefault(path, []).append(_("Expected a number from %(low)s to %(high)s.",
                                                 low=low, high=high))
    elif isinstance(value, dict):
        properties, extra = schema.get("properties", {}), schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                _check(properties[key], item, f"{path}-{key}" if path else key, errors)
            elif extra is False:
                errors.setdefault(f"{path}-{key}" if path else key, []).append(
                    _("Unknown field."))
            elif isinstance(extra, dict):
                # A map: an answer's key is a field name in its own right; a protocol's
                # figure is the form's protocol-<contest>-<item>.
                _check(extra, item, key if path in ("", "answers") else f"{path}-{key}",
                       errors)
    elif isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            errors.setdefault(path, []).append(_("At most %(n)d items.", n=schema["maxItems"]))
            return
        for index, item in enumerate(value):
            _check(schema.get("items", {}), item,
                   f"{path}-{index}" if isinstance(item, dict) else path, errors)
