"""The OpenAPI document matches the API: every route is in it, every real answer fits it."""

import re
import sqlite3
import uuid as uuids

import pytest
from jsonschema import Draft202012Validator

from models import team_messages, users
from tests import photo_samples as samples
from tests.test_api import (
    Api,
    body_for,
    checklist_body,
    session_api,
    token_for,
)
from tests.test_liaison import file_checklist, file_incident
from tests.test_meetings import make_meeting
from tests.test_photos import multipart

KINDS = ("checklists", "incidents", "interactions")
# The API keeps its /interactions path; the model module is models/meetings.py.
MODULES = {"checklists": "checklists", "incidents": "incidents", "interactions": "meetings"}


@pytest.fixture
def doc(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def _validator(doc: dict, schema: dict) -> Draft202012Validator:
    # "#/components/..." references resolve against the root: give it the components.
    return Draft202012Validator({**schema, "components": doc["components"]})


class Checked:
    """Sends requests and checks each answer against the document; remembers what it saw."""

    def __init__(self, doc: dict, client: Api, seen: set):
        self.doc, self.client, self.seen = doc, client, seen

    def __call__(self, method: str, template: str, body=None, status: int | None = None,
                 query: str = "", ids: dict | None = None, **kwargs):
        path = template.format(**(ids or {})) + query
        response = self.client.post(path, body, **kwargs) if method == "post" \
            else self.client.get(path)
        assert response.status_code == status, (path, response.status_code, response.data)
        operations = self.doc["paths"][template]
        # A 405 is about the path: any of its operations documents it.
        operation = operations.get(method) or next(iter(operations.values()))
        documented = operation["responses"].get(str(response.status_code))
        assert documented, f"{method.upper()} {template}: {response.status_code} not documented"
        assert response.is_json
        schema = documented["content"]["application/json"]["schema"]
        errors = sorted(_validator(self.doc, schema).iter_errors(response.json), key=str)
        assert not errors, f"{method.upper()} {template} {response.status_code}: {errors[0]}"
        self.seen.add((template, method if method in operations else "*",
                       response.status_code))
        return response


def test_every_api_route_is_documented_once(app, doc):
    routes = {(re.sub(r"<id:(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert routes == documented
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert doc["openapi"].startswith("3.1")
    assert set(doc["components"]["securitySchemes"]) == {"session", "csrfHeader", "bearer"}


def test_every_schema_in_the_document_is_valid_json_schema(doc):
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    schemas = dict(doc["components"]["schemas"])
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                schemas[f"{method} {path} {status}"] = \
                    response["content"]["application/json"]["schema"]
    invalid = {name: [e.message for e in meta.iter_errors(schema)]
               for name, schema in schemas.items()}
    assert {name: errors for name, errors in invalid.items() if errors} == {}


@pytest.mark.parametrize("kind", KINDS)
def test_the_bodies_the_api_accepts_fit_the_documented_request_schema(app, db, doc, kind):
    schema = doc["paths"][f"/api/v1/{kind}"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    body = body_for(kind, app, db)
    _validator(doc, schema).validate(body)
    client = Api(app.test_client(), token_for(db, "obs1"))
    assert client.post(f"/api/v1/{kind}", body).status_code == 201


def test_every_answer_of_every_endpoint_fits_the_document(app, db, doc, monkeypatch):
    entries = {"checklists": file_checklist(app, db, "202", "obs1"),
               "incidents": file_incident(db, "obs1", "T01"),
               "interactions": make_meeting(db)}
    seen: set = set()

    def checked(username: str | None) -> Checked:
        token = token_for(db, username) if username else None
        return Checked(doc, Api(app.test_client(), token), seen)
    observer, other_team, coordinator, anonymous = map(checked, ("obs1", "obs3", "coord", None))
    in_session = Checked(doc, session_api(app, "obs1"), seen)
    no_csrf = Checked(doc, session_api(app, "obs1", with_csrf=False), seen)

    anonymous("get", "/api/v1/openapi.json", status=200)
    for who in (observer, coordinator, in_session):
        who("get", "/api/v1/me", status=200)
        who("get", "/api/v1/definitions", status=200)
        for query in ("?q=202", "?region=mine", "?region=Astana&limit=1"):
            assert who("get", "/api/v1/stations", query=query, status=200).json["stations"] \
                or who is coordinator  # reviewers may have no region of their own
    observer("get", "/api/v1/stations", status=400)
    for path in ("/api/v1/me", "/api/v1/definitions", "/api/v1/stations"):
        anonymous("get", path, status=401)
    observer("post", "/api/v1/me", {}, status=405)

    for kind in KINDS:
        base, one = f"/api/v1/{kind}", f"/api/v1/{kind}/{{entry_id}}"
        ids = {"entry_id": entries[kind]}
        for who in (observer, coordinator):
            who("get", base, status=200)
            who("get", one, ids=ids, status=200)
        observer("get", base, query="?page=0", status=400)
        other_team("get", one, ids=ids, status=404)
        anonymous("get", base, status=401)
        anonymous("get", one, ids=ids, status=401)
        body = body_for(kind, app, db)
        observer("post", base, body, status=201)
        in_session("post", base, body_for(kind, app, db), status=201)
        observer("post", base, body, status=200)
        changed = {**body, **({"overall": "bad"} if kind == "checklists" else
                              {"place": "Other"})}
        observer("post", base, changed, status=409)
        observer("post", base, {**body_for(kind, app, db), "uuid": "bad"}, status=422)
        observer("post", base, {**body_for(kind, app, db), "uuid": 12}, status=400)
        observer("post", base, data=b"{", headers={"Content-Type": "application/json"},
                 status=400)
        observer("post", base, data=b"x=1", status=415)
        observer("post", base, data=b'["' + b"x" * 2_000_000 + b'"]',
                 headers={"Content-Type": "application/json"}, status=413)
        no_csrf("post", base, body_for(kind, app, db), status=400)
        coordinator("post", base, body_for(kind, app, db), status=403)
        anonymous("post", base, body_for(kind, app, db), status=401)

    # Check-ins: no page of their own, created once per uuid.
    checkin = {"uuid": str(uuids.uuid4()), "kind": "arrived", "station_number": "202"}
    observer("post", "/api/v1/checkins", checkin, status=201)
    observer("post", "/api/v1/checkins", checkin, status=200)
    in_session("post", "/api/v1/checkins", {**checkin, "uuid": str(uuids.uuid4())}, status=201)
    observer("post", "/api/v1/checkins", {**checkin, "kind": "safe"}, status=409)
    observer("post", "/api/v1/checkins", {**checkin, "station_number": "999"}, status=422)
    observer("post", "/api/v1/checkins", {**checkin, "note": 5}, status=400)
    observer("post", "/api/v1/checkins", data=b"x=1", status=415)
    observer("post", "/api/v1/checkins", data=b'["' + b"x" * 2_000_000 + b'"]',
             headers={"Content-Type": "application/json"}, status=413)
    no_csrf("post", "/api/v1/checkins", {**checkin, "uuid": str(uuids.uuid4())}, status=400)
    coordinator("post", "/api/v1/checkins", checkin, status=403)
    anonymous("post", "/api/v1/checkins", checkin, status=401)

    # Photos, on each kind's path (meetings: the pages' name for interactions).
    photo_paths = {**{kind: entries[kind] for kind in KINDS}, "meetings": entries["interactions"]}
    for path_kind, entry_id in photo_paths.items():
        photos_path, ids = f"/api/v1/{path_kind}/{{entry_id}}/photos", {"entry_id": entry_id}

        def upload(who, data: bytes, status: int, photo_uuid: str | None = None):
            body, content_type = multipart({"uuid": photo_uuid or str(uuids.uuid4())}, data)
            return who("post", photos_path, data=body, headers={"Content-Type": content_type},
                       ids=ids, status=status)
        photo_uuid = str(uuids.uuid4())
        upload(observer, samples.jpeg(), 201, photo_uuid)
        upload(in_session, samples.jpeg(seed=5), 201)
        upload(observer, samples.jpeg(), 200, photo_uuid)
        upload(observer, samples.jpeg(seed=2), 409, photo_uuid)
        upload(observer, samples.svg_with_script(), 422)
        upload(observer, samples.jpeg(), 400, "not-a-uuid")
        upload(observer, b"\0" * (11 * 1024 * 1024), 413)
        observer("post", photos_path, data=b"x=1", ids=ids, status=415)
        upload(other_team, samples.jpeg(), 404)
        upload(coordinator, samples.jpeg(), 403)
        upload(anonymous, samples.jpeg(), 401)
        # meetings/{id} is interactions/{id}: the same meeting, with the photos of both.
        expected = 4 if path_kind == "meetings" else 2
        for who in (observer, coordinator):
            assert len(who("get", photos_path, ids=ids, status=200).json["photos"]) == expected
        other_team("get", photos_path, ids=ids, status=404)
        anonymous("get", photos_path, ids=ids, status=401)

    # Messages to teams: the observer's list and the read confirmation.
    message = team_messages.send(db, users.find_by_username(db, "coord")["id"], "team", "T01",
                                 "Stay until the protocol is posted.", 500)
    read, ids = "/api/v1/messages/{message_id}/read", {"message_id": message}
    for who in (observer, in_session):
        who("get", "/api/v1/messages", status=200)
    observer("post", read, {"uuid": "a"}, ids=ids, status=201)
    observer("post", read, ids=ids, status=200)
    observer("post", read, {"uuid": 1}, ids=ids, status=400)
    observer("post", read, data=b"x=1", ids=ids, status=415)
    observer("post", read, data=b'["' + b"x" * 2_000_000 + b'"]', ids=ids,
             headers={"Content-Type": "application/json"}, status=413)
    no_csrf("post", read, {}, ids=ids, status=400)
    other_team("post", read, {}, ids=ids, status=404)
    coordinator("get", "/api/v1/messages", status=403)
    coordinator("post", read, {}, ids=ids, status=403)
    anonymous("get", "/api/v1/messages", status=401)
    anonymous("post", read, {}, ids=ids, status=401)

    app.config["PROPAGATE_EXCEPTIONS"] = False

    def fails(*args, **kwargs):
        raise RuntimeError("boom")

    def read_only(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")
    for kind in KINDS:
        monkeypatch.setattr(f"views.api.{MODULES[kind]}.get", fails)
        coordinator("get", f"/api/v1/{kind}/{{entry_id}}", ids={"entry_id": 1}, status=500)
    monkeypatch.setattr("views.api.checklists.latest", fails)
    coordinator("get", "/api/v1/checklists", status=500)
    monkeypatch.setattr("models.entries.create", read_only)
    observer("post", "/api/v1/checklists", checklist_body(app, db), status=503)

    # Each documented answer was really produced by some request above (500 and 503 on
    # a sample of operations: they come from the same handler everywhere).
    documented = {(path, method, int(code)) for path, ops in doc["paths"].items()
                  for method, op in ops.items() for code in op["responses"]}
    missing = {(p, m, c) for p, m, c in documented
               if (p, m, c) not in seen and (p, "*", c) not in seen and c not in (500, 503)
               and not (c == 405 and p != "/api/v1/me")}
    assert missing == set()
