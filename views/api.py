"""The JSON API under /api/v1: stations, definitions, and entries created idempotently.

Two ways in: the browser's login session (POSTs then carry the CSRF token in
the X-CSRFToken header) or ``Authorization: Bearer <token>`` with a per-user
token (no cookie, so no CSRF to guard against). Roles are those of the HTML
pages; errors are JSON (views/api_errors.py); the OpenAPI document is built
from these views (views/api_openapi.py).
"""

import json
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from models import access, api_tokens, checklists, incidents, meeting_log, meetings, stations
from models import definitions as checklist_definitions
from models import entries as lifecycle
from models.clock import utc_now
from models.db import get_db
from models.entries import Kind, Record
from views import api_entries as entries
from views import api_errors
from views import api_schema as schema
from views.api_errors import ApiError
from views.api_openapi import document, operation, query_parameter
from views.auth import User, entry_or_404, login_manager, roles_required
from views.ids import parse_id

bp = Blueprint("api", __name__, url_prefix="/api/v1")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
PAGE = 100
MAX_PAGE = 10000  # beyond this an offset would only be tampering
MAX_QUERY = 100

api_errors.register(bp)
# login_required answers 401 here instead of redirecting to the login page.
login_manager.blueprint_login_views[bp.name] = None


@bp.record_once
def _exempt_from_automatic_csrf(state) -> None:
    # CSRFProtect would refuse bearer requests (they carry no token); the
    # API checks CSRF itself, for session requests only (see _authenticate).
    state.app.extensions["csrf"].exempt(bp)


@bp.before_request
def _authenticate() -> None:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, token = header.partition(" ")
        user = api_tokens.verify(get_db(), token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise ApiError(401, _("This API token is unknown or was revoked."))
        # The user for this request only (Flask-Login's per-request slot):
        # nothing is written to the session, so no cookie is ever issued.
        g._login_user = User(user)
        g.api_token_id = user["token_id"]
    elif request.method in UNSAFE and current_user.is_authenticated:
        current_app.extensions["csrf"].protect()


@bp.after_request
def _not_cached(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def json_body(body_schema: dict) -> dict:
    """The request's JSON object, its types checked against ``body_schema``."""
    if not request.is_json:
        raise ApiError(415)
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        raise ApiError(400, _("The body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise ApiError(400, _("Send one JSON object: {\"uuid\": ..., ...}."))
    problems = schema.type_errors(body_schema, body)
    if problems:
        raise ApiError(400, _("Some fields have the wrong type; see the message by each "
                              "field."), problems)
    return body


def _page() -> tuple[int, int]:
    page = parse_id(request.args.get("page", "1"))
    if page is None or not 1 <= page <= MAX_PAGE:
        raise ApiError(400, fields={"page": [_("Expected a page number from 1 to %(max)d.",
                                                max=MAX_PAGE)]})
    return page, (page - 1) * PAGE


def _listing(name: str, rows: list[dict], page: int, to_json) -> Response:
    return jsonify({name: [to_json(r) for r in rows[:PAGE]], "page": page,
                    "has_next": len(rows) > PAGE})


def _readable(row: dict | None, to_json) -> Response:
    return jsonify(to_json(entry_or_404(row)))


def _created(endpoint: str, row: dict | None, created: bool, to_json) -> tuple[Response, int]:
    if row is None or not access.can_read(current_user, row):
        # Same uuid and content as another team's entry: say no more than "taken".
        raise _conflict()
    entry = to_json(row)
    response = jsonify({"id": row["id"], "uuid": row["uuid"], "url": entry["url"],
                        "created": created, "entry": entry})
    response.headers["Location"] = url_for(endpoint, entry_id=row["id"])
    return response, 201 if created else 200


def _file(kind: Kind, record: Record, endpoint: str, read, to_json):
    """Store a record through the entry life cycle: 201, 200 for a resend, 409 for a clash."""
    db = get_db()
    try:
        entry_id, created = lifecycle.create(db, kind, record, current_user.id,
                                             access.author_team(current_user))
    except lifecycle.DuplicateConflict:
        raise _conflict() from None
    return _created(endpoint, read(db, entry_id), created, to_json)


def _conflict() -> ApiError:
    return ApiError(409, _("This uuid was already sent with different content. Nothing was "
                           "saved: file it again with a new uuid, or edit the entry that "
                           "was sent."),
                    {"uuid": [_("Already used by an entry with different content.")]})


ALREADY = ((200, "Already received: this uuid with the same content. created is false and "
                 "nothing was duplicated."),)
PAGE_PARAMETER = query_parameter("page", schema.integer(minimum=1, maximum=MAX_PAGE),
                                 f"Page number, {PAGE} entries a page, newest first.")

# --- reference data -------------------------------------------------------------


@bp.get("/openapi.json")
@operation("This document (OpenAPI 3.1)", (200, {"type": "object"}), public=True)
def openapi():
    # Public on purpose, like any API reference: it holds no data.
    return jsonify(document(current_app))


@bp.get("/me")
@operation("Who is logged in", (200, schema.ME))
@roles_required(*access.EVERYONE)
def me():
    token = None if "api_token_id" in g else generate_csrf()
    return jsonify({"username": current_user.username, "role": current_user.role,
                    "team": current_user.team, "region": current_user.region,
                    "csrf_token": token})


@bp.get("/stations")
@operation("Find polling stations", (200, schema.STATIONS), errors=(400,), query=(
    query_parameter("q", schema.text(maxLength=MAX_QUERY), "Part of a station's number, "
                    "name, address or district."),
    query_parameter("region", schema.text(), "A region, or \"mine\" for the user's region: "
                    "without q, every station of the region (the phone's offline list)."),
    query_parameter("limit", schema.integer(minimum=1, maximum=stations.REGION_LIMIT),
                    f"At most this many (searches return at most {stations.SEARCH_LIMIT}).")))
@roles_required(*access.EVERYONE)
def station_list():
    query = request.args.get("q", "").strip()
    region = request.args.get("region", "").strip()
    if region == "mine":
        region = current_user.region or ""
    limit = parse_id(request.args.get("limit", str(stations.REGION_LIMIT)))
    if len(query) > MAX_QUERY:
        raise ApiError(400, fields={"q": [_("Type at most %(n)d characters.", n=MAX_QUERY)]})
    if limit is None or not 1 <= limit <= stations.REGION_LIMIT:
        raise ApiError(400, fields={"limit": [_("Expected a number from 1 to %(n)d.",
                                                n=stations.REGION_LIMIT)]})
    db = get_db()
    if query:
        found = stations.search(db, query, region or None, prefer=current_user.region,
                                limit=min(limit, stations.SEARCH_LIMIT))
        return jsonify({"stations": [entries.station_json(r) for r in found.stations],
                        "total": found.total, "more": found.more})
    if region:
        rows = stations.in_region(db, region, limit)
        return jsonify({"stations": [entries.station_json(r) for r in rows]})
    raise ApiError(400, _("Type part of a station's number or name, or give a region."),
                   {"q": [_("Type part of a station's number or name.")]})


@bp.get("/definitions")
@operation("The checklist definitions, labels in the user's language",
           (200, schema.DEFINITIONS))
@roles_required(*access.EVERYONE)
def definitions():
    return jsonify({"definitions": {kind: entries.definition_json(definition)
                                    for kind, definition in checklist_definitions.by_type().items()},
                    "overall": entries.overall_choices()})


# --- checklists -------------------------------------------------------------------

@bp.post("/checklists")
@operation("File a checklist (idempotent by uuid)", (201, schema.created(schema.CHECKLIST)),
           body=schema.CHECKLIST_BODY, errors=(403, 409, 422), also=ALREADY)
@roles_required(*access.OBSERVERS)
def create_checklist():
    form, _station = entries.checklist_form(json_body(schema.CHECKLIST_BODY))
    return _file(checklists.CHECKLISTS, form.to_record(), "api.checklist",
                 checklists.get, entries.checklist_json)


@bp.get("/checklists")
@operation("Checklists: the team's (observers) or all (reviewers)",
           (200, schema.page_of("checklists", schema.CHECKLIST)), errors=(400,),
           query=(PAGE_PARAMETER,))
@roles_required(*access.EVERYONE)
def checklist_list():
    page, offset = _page()
    db = get_db()
    team = access.team_scope(current_user)
    if team is not None:
        rows = checklists.for_team(db, team, limit=PAGE + 1, offset=offset)
    else:
        rows = checklists.latest(db, limit=PAGE + 1, offset=offset)
    return _listing("checklists", rows, page, entries.checklist_json)


@bp.get("/checklists/<id:entry_id>")
@operation("One checklist", (200, schema.CHECKLIST), errors=(404,))
@roles_required(*access.EVERYONE)
def checklist(entry_id: int):
    return _readable(checklists.get(get_db(), entry_id), entries.checklist_json)


# --- incident reports ----------------------------------------------------------------

@bp.post("/incidents")
@operation("File an incident report (idempotent by uuid)",
           (201, schema.created(schema.INCIDENT)), body=schema.INCIDENT_BODY,
           errors=(403, 409, 422), also=ALREADY)
@roles_required(*access.OBSERVERS)
def create_incident():
    form = entries.incident_form(json_body(schema.INCIDENT_BODY))
    return _file(incidents.INCIDENTS, form.to_record(), "api.incident",
                 incidents.get, entries.incident_json)


@bp.get("/incidents")
@operation("Incident reports: the team's (observers) or all (reviewers)",
           (200, schema.page_of("incidents", schema.INCIDENT)), errors=(400,),
           query=(PAGE_PARAMETER,))
@roles_required(*access.EVERYONE)
def incident_list():
    page, offset = _page()
    db = get_db()
    team = access.team_scope(current_user)
    if team is not None:
        rows = incidents.for_team(db, team, limit=PAGE + 1, offset=offset)
    else:
        rows = incidents.latest(db, limit=PAGE + 1, offset=offset)
    return _listing("incidents", rows, page, entries.incident_json)


@bp.get("/incidents/<id:entry_id>")
@operation("One incident report", (200, schema.INCIDENT), errors=(404,))
@roles_required(*access.EVERYONE)
def incident(entry_id: int):
    return _readable(incidents.get(get_db(), entry_id), entries.incident_json)


# --- meetings with commissions ---------------------------------------------------------

@bp.post("/interactions")
@operation("Log a meeting with an election commission (idempotent by uuid)",
           (201, schema.created(schema.INTERACTION)), body=schema.INTERACTION_BODY,
           errors=(403, 409, 422), also=ALREADY)
@roles_required(*access.MEETING_AUTHORS)
def create_interaction():
    form = entries.interaction_form(json_body(schema.INTERACTION_BODY))
    try:
        return _file(meetings.MEETINGS, form.to_record(),
                     "api.interaction", meetings.get, entries.interaction_json)
    except meetings.UnknownEntry:
        raise entries.invalid({"entry_numbers": [
            _("One of these entries no longer exists.")]}) from None


@bp.get("/interactions")
@operation("Meetings: the team's (observers) or all (reviewers), newest first",
           (200, schema.page_of("interactions", schema.INTERACTION_SUMMARY)), errors=(400,),
           query=(PAGE_PARAMETER,))
@roles_required(*access.EVERYONE)
def interaction_list():
    page, offset = _page()
    today = utc_now().astimezone(ZoneInfo(current_app.config["MISSION_TIMEZONE"])).date()
    filters = meeting_log.LogFilter(
        team=access.team_scope(current_user),
        today=today.isoformat())
    rows = meeting_log.log(get_db(), filters, limit=PAGE + 1, offset=offset)
    return _listing("interactions", rows, page, entries.interaction_summary_json)


@bp.get("/interactions/<id:entry_id>")
@operation("One meeting, with its follow-ups and linked entries", (200, schema.INTERACTION),
           errors=(404,))
@roles_required(*access.EVERYONE)
def interaction(entry_id: int):
    return _readable(meetings.get(get_db(), entry_id), entries.interaction_json)
