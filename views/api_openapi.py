"""The OpenAPI 3.1 document, built from the app's own routes and schemas.

Each API view carries its description (``@operation``); the document walks
the URL map, so a route cannot exist undocumented, and uses the schemas the
views check bodies with (views/api_schema.py), so the two cannot disagree.
"""

import re

from flask import Flask

from views import api_schema as s

# Shown in the document; the schemas themselves live in views/api_schema.py.
NAMED = {"Error": s.ERROR, "Me": s.ME, "Stations": s.STATIONS, "Definitions": s.DEFINITIONS,
         "ChecklistBody": s.CHECKLIST_BODY, "IncidentBody": s.INCIDENT_BODY,
         "InteractionBody": s.INTERACTION_BODY, "Checklist": s.CHECKLIST,
         "Incident": s.INCIDENT, "Interaction": s.INTERACTION,
         "InteractionSummary": s.INTERACTION_SUMMARY, "Photo": s.PHOTO,
         "PhotoCreated": s.PHOTO_CREATED, "Photos": s.PHOTOS, "PhotoForm": s.PHOTO_FORM}
ERRORS = {
    400: "Malformed JSON, a wrong type (messages in fields), or a missing or expired "
         "X-CSRFToken header with a session.",
    401: "Not logged in, or the bearer token is unknown or revoked.",
    403: "The user's role may not do this.",
    404: "No such entry, or another team's.",
    405: "Method not allowed.",
    409: "This uuid was already received with different content (nothing was saved).",
    413: "The body is larger than MAX_CONTENT_LENGTH (for a photo: PHOTO_MAX_BYTES).",
    415: "The body is not JSON (Content-Type: application/json); for a photo, not "
         "multipart/form-data.",
    422: "The entry was refused by the form's validation; fields holds the messages "
         "(the same as the HTML form's). Nothing was saved.",
    503: "The database could not save or read (read-only, disk full, busy); retry after "
         "the Retry-After seconds. Nothing was saved.",
}
_CONVERTER = re.compile(r"<(?:([a-z]+):)?([a-z_]+)>")


def operation(summary: str, ok: tuple[int, dict], *, body: dict | None = None,
              errors: tuple[int, ...] = (), query: tuple[dict, ...] = (),
              description: str = "", public: bool = False,
              also: tuple[tuple[int, str], ...] = (), media_type: str = "application/json",
              meanings: dict[int, str] | None = None):
    """Describe an API view for the document: its success answer, body and errors.

    ``also``: other successful statuses with the same body, and what they mean;
    ``media_type``: the body's (multipart/form-data for a photo); ``meanings``:
    what an error status means for this operation, where ERRORS is too general.
    """
    def decorate(view):
        view.openapi = {"summary": summary, "ok": ok, "body": body, "errors": errors,
                        "query": query, "description": description, "public": public,
                        "also": also, "media_type": media_type, "meanings": meanings or {}}
        return view
    return decorate


def query_parameter(name: str, schema: dict, description: str) -> dict:
    """A ``?name=`` parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _schema(schema: dict) -> dict:
    for name, named in NAMED.items():
        if named is schema:
            return {"$ref": f"#/components/schemas/{name}"}
    return schema


def _json(description: str, schema: dict) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _schema(schema)}}}


def _operation(spec: dict, method: str, path_names: list[tuple[str, str]]) -> dict:
    status, schema = spec["ok"]
    unsafe = method not in ("get", "head")
    errors = set(spec["errors"]) | ({405, 500} if spec["public"] else {401, 405, 500, 503})
    if unsafe:
        errors |= {400, 413, 415}
    result = {
        "summary": spec["summary"],
        "operationId": None,  # filled by the caller
        "parameters": [
            {"name": name, "in": "path", "required": True,
             "schema": s.row_id() if converter == "id" else s.text()}
            for converter, name in path_names] + list(spec["query"]),
        "responses": {str(status): _json("Success.", schema),
                      **{str(code): _json(meaning, schema) for code, meaning in spec["also"]},
                      **{str(code): _json(spec["meanings"].get(code) or ERRORS.get(
                          code, "Server error; nothing was saved."), s.ERROR)
                         for code in sorted(errors)}},
    }
    if spec["description"]:
        result["description"] = spec["description"]
    if spec["body"] is not None:
        result["requestBody"] = {"required": True, "content": {
            spec["media_type"]: {"schema": _schema(spec["body"])}}}
    if spec["public"]:
        result["security"] = []
    elif unsafe:
        # A session needs the CSRF header as well; a bearer token is enough on its own.
        result["security"] = [{"session": [], "csrfHeader": []}, {"bearer": []}]
    return result


def document(app: Flask) -> dict:
    """The OpenAPI 3.1 document of every route of the ``api`` blueprint."""
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        spec = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if spec is None:
            raise LookupError(f"{rule.endpoint} has no @operation: document it")
        path = _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            entry = _operation(spec, method.lower(), _CONVERTER.findall(rule.rule))
            entry["operationId"] = rule.endpoint.removeprefix("api.")
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{app.config['MISSION_NAME']} API", "version": "1",
                 "description": "Observers' checklists, incident and meeting reports. "
                                "Creation is idempotent by the entry's uuid. Errors are "
                                "JSON: {\"error\": message, \"fields\": {field: [message]}}."},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": NAMED,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name":
                            app.config.get("SESSION_COOKIE_NAME", "session"),
                            "description": "The browser's login session."},
                "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                               "description": "With a session, POSTs carry the CSRF token "
                                              "(csrf_token from GET /api/v1/me)."},
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A per-user API token issued by an admin "
                                          "(flask --app app api-token issue USER)."}}},
        "security": [{"session": []}, {"bearer": []}],
    }
