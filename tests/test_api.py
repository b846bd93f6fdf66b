"""The JSON API as a phone's outbox or a script uses it: auth, roles, idempotency, errors."""

import sqlite3
import threading
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import api_tokens, checklists, definitions, users
from tests.conftest import Browser, good_answers, station_id
from tests.test_liaison import file_checklist, file_incident
from tests.test_meetings import make_meeting

TABLES = {"checklists": "checklists", "incidents": "incidents", "interactions": "interactions"}


def token_for(db, username: str) -> str:
    """A fresh API token for ``username``."""
    return api_tokens.issue(db, users.find_by_username(db, username)["id"], "test")[1]


class Api:
    """A client speaking JSON with a bearer token, or with a session and its CSRF header."""

    def __init__(self, client, token: str | None = None, csrf: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        if csrf:
            self.headers["X-CSRFToken"] = csrf

    def get(self, path: str, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        if body is not None:
            kwargs["json"] = body
        return self.client.post(path, headers={**self.headers, **kwargs.pop("headers", {})},
                                **kwargs)


@pytest.fixture
def api(app, db):
    """``api("obs1")``: a bearer-token client for that user."""
    return lambda username: Api(app.test_client(), token_for(db, username))


def session_api(app, username: str, with_csrf: bool = True) -> Api:
    """A logged-in browser session; the CSRF token comes from GET /api/v1/me."""
    browser = Browser(app.test_client())
    assert browser.login(username).status_code == 302
    token = browser.client.get("/api/v1/me").json["csrf_token"]
    return Api(browser.client, csrf=token if with_csrf else None)


def checklist_body(app, db, number: str = "202", **overrides) -> dict:
    """A valid voting checklist at station ``number``."""
    definition = definitions.get("voting")
    body = {"uuid": str(uuid.uuid4()), "form_type": "voting",
            "station_id": station_id(db, number), "arrival_date": "2023-03-19",
            "arrival_time": "10:00", "departure_date": "2023-03-19", "departure_time": "10:40",
            "answers": good_answers(definition), "overall": "good", "comments": "",
            "figures_confirmed": False}
    body.update(overrides)
    return body


def incident_body(**overrides) -> dict:
    """A valid incident at station 202."""
    body = {"uuid": str(uuid.uuid4()), "occurred_date": "2023-03-19", "occurred_time": "10:15",
            "station_number": "202", "region": "", "place": "У входа",
            "category": "campaign_in_station", "severity": "low",
            "description": "Листовки партии на столе у входа.",
            "reported_to_commission": "yes",
            "commission_response": "The chairperson removed them."}
    body.update(overrides)
    return body


def interaction_body(**overrides) -> dict:
    """A valid meeting with an Aktobe TEC, one request and one counterpart."""
    body = {"uuid": str(uuid.uuid4()), "date": "2023-03-10", "time": "15:30", "place": "TEC",
            "commission_level": "territorial", "commission_name": "Aktobe regional TEC",
            "region": "Aktobe",
            "counterparts": [{"name": "Айгүл Серікқызы", "position": "Chairperson"}],
            "participants": "obs1, obs2", "topics": ["voter_lists"], "summary": "Met the TEC.",
            "requests": [{"text": "Copies of the accreditation decisions",
                          "due_date": "2023-03-15"}],
            "commitments": [], "entry_numbers": ""}
    body.update(overrides)
    return body


def body_for(kind: str, app, db, **overrides) -> dict:
    """A valid body for ``kind`` (checklists, incidents, interactions)."""
    if kind == "checklists":
        return checklist_body(app, db, **overrides)
    return {"incidents": incident_body, "interactions": interaction_body}[kind](**overrides)


def count(db, kind: str) -> int:
    return db.execute(f"SELECT count(*) FROM {TABLES[kind]}").fetchone()[0]


def creates(db) -> int:
    """Audit records of created entries: a refused request must leave none."""
    return db.execute("SELECT count(*) FROM audit_log WHERE action = 'create'").fetchone()[0]


# --- who is asking ------------------------------------------------------------------

@pytest.mark.parametrize("username, role, team", [
    ("obs1", "observer", "T01"), ("coord", "coordinator", None), ("liaison", "liaison", None),
    ("admin", "admin", None)])
def test_me_with_a_bearer_token(api, username, role, team):
    response = api(username).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json == {"username": username, "role": role, "team": team,
                             "region": "Aktobe", "csrf_token": None}
    assert "Set-Cookie" not in response.headers  # a token never turns into a session
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_gets_401_json_never_the_login_page(app, db):
    client = app.test_client()
    for response in (client.get("/api/v1/me"), client.get("/api/v1/checklists/1"),
                     client.post("/api/v1/checklists", json=checklist_body(app, db))):
        assert response.status_code == 401
        assert response.is_json and "API token" in response.json["error"]
    assert count(db, "checklists") == 0


@pytest.mark.parametrize("header", [
    "Bearer not-a-token", "Bearer ", "Basic b2JzMTpwYXNzd29yZDEyMw==", "Bearer " + "x" * 5000])
def test_bad_credentials_get_401(app, header):
    response = app.test_client().get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401 and response.is_json


def test_revoked_token_gets_401_at_once(app, db):
    user = users.find_by_username(db, "obs1")
    token_id, token = api_tokens.issue(db, user["id"], "phone")
    client = Api(app.test_client(), token)
    assert client.get("/api/v1/me").status_code == 200
    api_tokens.revoke(db, token_id)
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and "revoked" in response.json["error"]


def test_token_of_a_deactivated_user_gets_401(app, db, api):
    client = api("obs1")
    db.execute("UPDATE users SET active = 0 WHERE username = 'obs1'")
    db.conn.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_session_works_and_posts_need_the_csrf_header(app, db):
    without = session_api(app, "obs1", with_csrf=False)
    assert without.get("/api/v1/me").json["username"] == "obs1"
    for headers in ({}, {"X-CSRFToken": "forged"}):
        response = without.post("/api/v1/checklists", checklist_body(app, db), headers=headers)
        assert response.status_code == 400 and response.is_json
        assert "X-CSRFToken" in response.json["error"]
    assert count(db, "checklists") == 0
    response = session_api(app, "obs1").post("/api/v1/checklists", checklist_body(app, db))
    assert response.status_code == 201
    assert count(db, "checklists") == 1


def test_a_bearer_request_needs_no_csrf_even_with_a_session_cookie(app, db):
    browser = Browser(app.test_client())
    browser.login("obs1")
    client = Api(browser.client, token_for(db, "obs1"))
    assert client.post("/api/v1/checklists", checklist_body(app, db)).status_code == 201


# --- reference data -----------------------------------------------------------------

def test_stations_search_and_the_observers_region(api, db):
    client = api("obs1")
    found = client.get("/api/v1/stations?q=202").json["stations"]
    assert [s["number"] for s in found] == ["202"]
    assert found[0] == {"id": station_id(db, "202"), "number": "202",
                        "name": "Ақтөбе мектебі № 12", "address": "пр. Абилкайыр хана, 3",
                        "region": "Aktobe", "district": "Aktobe city",
                        "timezone": "Asia/Aqtobe", "registered_voters": 1200,
                        # Not in the test registry: null until imported (m014).
                        "smd_district": None, "area_type": None}
    mine = client.get("/api/v1/stations?region=mine").json["stations"]
    assert [s["number"] for s in mine] == ["202"]
    astana = client.get("/api/v1/stations?region=Astana&limit=5").json["stations"]
    assert [s["number"] for s in astana] == ["101"]
    assert [s["number"] for s in client.get("/api/v1/stations?q=%D0%94%D0%9E%D0%9C").json[
        "stations"]] == ["303"]  # "ДОМ" finds "Дом культуры"


@pytest.mark.parametrize("query, field", [
    ("", "q"), ("?q=" + "1" * 101, "q"), ("?region=Aktobe&limit=0", "limit"),
    ("?region=Aktobe&limit=x", "limit"), ("?region=Aktobe&limit=99999999999999999999", "limit")])
def test_stations_bad_queries_get_400(api, query, field):
    response = api("obs1").get("/api/v1/stations" + query)
    assert response.status_code == 400 and field in response.json["fields"]


def test_definitions_have_translated_labels_and_skip_logic(api):
    body = api("obs1").get("/api/v1/definitions").json
    assert set(body["definitions"]) == {"opening", "voting", "counting", "tabulation"}
    voting = body["definitions"]["voting"]
    questions = {q["id"]: q for s in voting["sections"] for q in s["questions"]}
    assert questions["voters_on_list"]["type"] == "integer"
    assert questions["voters_on_list"]["max"] == 10000
    assert [c["value"] for c in questions["overcrowded"]["choices"]] == \
        ["yes", "no", "not_observed"]
    assert questions["notes_turned_away"]["relevant"] == {"question": "voters_turned_away",
                                                          "value": "yes"}
    assert voting["checks"][0]["rule"] == "lte"
    assert [c["value"] for c in body["overall"]] == ["very_good", "good", "bad", "very_bad"]


# --- creating entries -----------------------------------------------------------------

def test_checklist_is_filed_in_the_stations_local_time(app, db, api):
    body = checklist_body(app, db, answers={
        **checklist_body(app, db)["answers"], "voters_on_list": 1200, "voters_voted": 310})
    response = api("obs1").post("/api/v1/checklists", body)
    assert response.status_code == 201
    result = response.json
    assert result["created"] is True and result["uuid"] == body["uuid"]
    assert result["url"] == f"/checklists/{result['id']}"
    assert response.headers["Location"].endswith(f"/api/v1/checklists/{result['id']}")
    entry = result["entry"]
    # Aktobe kept UTC+5 in March 2023: 10:00 there is 05:00 UTC.
    assert (entry["arrival_utc"], entry["timezone"]) == ("2023-03-19T05:00:00Z", "Asia/Aqtobe")
    assert entry["answers"]["voters_on_list"] == 1200 and entry["team"] == "T01"
    assert entry["station"]["number"] == "202" and entry["author"] == "obs1"
    row = checklists.get(db, result["id"])
    assert row["answers"]["voters_voted"] == 310 and row["author"] == "obs1"
    assert api("obs2").get(f"/api/v1/checklists/{result['id']}").json == entry


def test_multi_answers_are_lists(app, db, api):
    definition = definitions.get("opening")
    answers = {qid: [value] if definition.questions[qid].type == "multi" else value
               for qid, value in good_answers(definition).items()}
    answers["observers_present"] = ["party", "media"]
    body = checklist_body(app, db, form_type="opening", answers=answers,
                          arrival_time="06:30", departure_time="07:20")
    client = api("obs1")
    assert client.post("/api/v1/checklists", {**body, "answers": {
        **answers, "observers_present": "party"}}).status_code == 400
    response = client.post("/api/v1/checklists", body)
    assert response.status_code == 201, response.json
    stored = checklists.get(db, response.json["id"])["answers"]
    assert stored["observers_present"] == ["party", "media"]
    assert response.json["entry"]["answers"]["observers_present"] == ["party", "media"]


def test_incident_is_filed(db, api):
    response = api("obs1").post("/api/v1/incidents", incident_body())
    assert response.status_code == 201
    entry = response.json["entry"]
    assert (entry["occurred_utc"], entry["region"], entry["station"]["number"]) == \
        ("2023-03-19T05:15:00Z", "Aktobe", "202")
    assert response.json["url"] == f"/incidents/{entry['id']}"


@pytest.mark.parametrize("username, team", [("obs1", "T01"), ("liaison", "liaison")])
def test_meeting_is_logged_with_rows_and_links(app, db, api, username, team):
    checklist = file_checklist(app, db, "202", "obs1")
    response = api(username).post("/api/v1/interactions",
                                  interaction_body(entry_numbers=f"C{checklist}"))
    assert response.status_code == 201, response.json
    entry = response.json["entry"]
    assert entry["team"] == team and entry["occurred_utc"] == "2023-03-10T10:30:00Z"
    assert entry["counterparts"] == [{"name": "Айгүл Серікқызы", "position": "Chairperson"}]
    assert [(f["kind"], f["due_date"], f["status"]) for f in entry["follow_ups"]] == \
        [("request", "2023-03-15", "open")]
    assert entry["links"] == [{"kind": "checklist", "id": checklist, "ref": f"C{checklist}"}]


@pytest.mark.parametrize("kind", list(TABLES))
def test_same_uuid_same_content_is_200_and_other_content_409(app, db, api, kind):
    client = api("obs1")
    body = body_for(kind, app, db)
    first = client.post(f"/api/v1/{kind}", body)
    again = client.post(f"/api/v1/{kind}", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["created"] is False and again.json["id"] == first.json["id"]
    assert again.json["entry"] == first.json["entry"]
    changed = {**body, **({"overall": "bad"} if kind == "checklists" else
                          {"place": "Elsewhere"})}
    conflict = client.post(f"/api/v1/{kind}", changed)
    assert conflict.status_code == 409 and "uuid" in conflict.json["fields"]
    assert count(db, kind) == 1 and creates(db) == 1


@pytest.mark.parametrize("kind", list(TABLES))
def test_ten_concurrent_retries_make_exactly_one_entry(app, db, kind):
    body = body_for(kind, app, db)
    tokens = [token_for(db, "obs1") for _ in range(10)]
    statuses, start = [], threading.Barrier(10)

    def send(token):
        start.wait()
        statuses.append(Api(app.test_client(), token).post(f"/api/v1/{kind}", body).status_code)
    threads = [threading.Thread(target=send, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 9 + [201]
    assert count(db, kind) == 1 and creates(db) == 1


def test_another_teams_uuid_is_not_revealed(app, db, api):
    body = checklist_body(app, db)
    assert api("obs1").post("/api/v1/checklists", body).status_code == 201
    response = api("obs3").post("/api/v1/checklists", body)
    assert response.status_code == 409 and "entry" not in response.json
    assert count(db, "checklists") == 1


# --- refused entries: a message per field, nothing written ---------------------------------

# A change under this key is merged into the valid answers, not put in their place.
ANSWERS = "answers"


@pytest.mark.parametrize("kind, change, field, message", [
    ("checklists", {"uuid": "not-a-uuid"}, "uuid", "identifier was damaged"),
    ("checklists", {"form_type": "lunch"}, "form_type", "Choose a checklist type"),
    ("checklists", {"station_id": 999999}, "station_id", "Unknown polling station"),
    ("checklists", {"arrival_time": "25:00"}, "arrival_time", "HH:MM"),
    ("checklists", {"arrival_time": None}, "arrival_time", "Enter your arrival time"),
    ("checklists", {"departure_time": "09:00"}, "departure_time", "Departure must be after"),
    ("checklists", {"arrival_date": "0023-03-19"}, "arrival_date", "Check the year"),
    ("checklists", {"arrival_date": "2099-03-19", "departure_date": "2099-03-19"},
     "arrival_time", "in the future"),
    ("checklists", {"overall": "fine"}, "overall", "Choose the overall assessment"),
    ("checklists", {"overall": None}, "overall", "Choose the overall assessment"),
    ("checklists", {"comments": "x" * 2001}, "comments", "limited to 2000"),
    ("checklists", {ANSWERS: {"voters_on_list": -5}}, "voters_on_list",
     "whole number"),
    ("checklists", {ANSWERS: {"voters_on_list": 10001}}, "voters_on_list",
     "from 0 to 10000"),
    ("checklists", {ANSWERS: {"voters_on_list": 100, "voters_voted": 200}},
     "voters_voted", "cannot exceed"),
    ("checklists", {ANSWERS: {"overcrowded": "maybe"}}, "overcrowded",
     "Choose one of the options"),
    ("checklists", {ANSWERS: {"overcrowded": None}}, "overcrowded", "needs an answer"),
    ("checklists", {ANSWERS: {"no_such_question": "yes"}}, "no_such_question",
     "no such question"),
    ("incidents", {"occurred_time": "7 pm"}, "occurred_time", "HH:MM"),
    ("incidents", {"station_number": "999"}, "station_number", "No polling station"),
    ("incidents", {"station_number": "", "region": ""}, "region", "Choose the region"),
    ("incidents", {"category": "rumour"}, "category", "Choose what happened"),
    ("incidents", {"description": "  "}, "description", "Describe what happened"),
    ("incidents", {"commission_response": ""}, "commission_response",
     "Say what the commission did"),
    ("interactions", {"topics": []}, "topics", "Tick at least one topic"),
    ("interactions", {"commission_level": "village"}, "commission_level",
     "Choose the commission level"),
    ("interactions", {"region": ""}, "region", "Choose the region"),
    ("interactions", {"counterparts": [{"name": "", "position": "Secretary"}]},
     "counterparts-0-name", "Enter the name"),
    ("interactions", {"requests": [{"text": "", "due_date": "2023-03-15"}]},
     "requests-0-text", "Write the text"),
    ("interactions", {"requests": [{"text": "Lists", "due_date": "2023-03-01"}]},
     "requests-0-due_date", "before the meeting"),
    ("interactions", {"entry_numbers": "X12"}, "entry_numbers", "is not one"),
    ("interactions", {"entry_numbers": "C999999"}, "entry_numbers", "Unknown entry"),
    ("interactions", {"date": "2099-01-01"}, "date", "in the future"),
])
def test_refused_entry_gets_field_messages_and_writes_nothing(app, db, api, kind, change,
                                                              field, message):
    body = body_for(kind, app, db)
    if ANSWERS in change and kind == "checklists":
        change = {ANSWERS: {**body[ANSWERS], **change[ANSWERS]}}
    response = api("obs1").post(f"/api/v1/{kind}", {**body, **change})
    assert response.status_code == 422, response.json
    assert any(message in m for m in response.json["fields"][field]), response.json
    assert count(db, kind) == 0 and creates(db) == 0


@pytest.mark.parametrize("kind, change, field", [
    ("checklists", {"station_id": "202"}, "station_id"),
    ("checklists", {"station_id": 2**70}, "station_id"),
    ("checklists", {"station_id": True}, "station_id"),
    ("checklists", {"answers": ["yes"]}, "answers"),
    ("checklists", {"answers": {"voters_on_list": 1.5}}, "voters_on_list"),
    ("checklists", {"answers": {"overcrowded": {"a": 1}}}, "overcrowded"),
    ("checklists", {"figures_confirmed": "yes"}, "figures_confirmed"),
    ("checklists", {"csrf_token": "x"}, "csrf_token"),
    ("checklists", {"answers": {"overcrowded": ["yes", "no"]}}, "overcrowded"),
    ("incidents", {"description": 42}, "description"),
    ("interactions", {"counterparts": [{"name": "A", "rank": "B"}]}, "counterparts-0-rank"),
    ("interactions", {"counterparts": [{"name": "A"}] * 41}, "counterparts"),
    ("interactions", {"topics": "voter_lists"}, "topics"),
])
def test_wrong_types_get_400_with_field_messages(app, db, api, kind, change, field):
    response = api("obs1").post(f"/api/v1/{kind}", {**body_for(kind, app, db), **change})
    assert response.status_code == 400 and field in response.json["fields"], response.json
    assert count(db, kind) == 0


@pytest.mark.parametrize("data, content_type, status", [
    (b"{not json", "application/json", 400),
    (b"\xff\xfe\xfa", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b"null", "application/json", 400),
    (b"[" * 100000 + b"]" * 100000, "application/json", 400),
    (b"uuid=x", "application/x-www-form-urlencoded", 415),
    (b'{"uuid": "x"}', "text/plain", 415),
    (b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}', "application/json", 413),
])
def test_malformed_bodies_get_json_4xx_never_500(app, db, api, data, content_type, status):
    for kind in TABLES:
        response = api("obs1").post(f"/api/v1/{kind}", data=data,
                                    headers={"Content-Type": content_type})
        assert response.status_code == status and response.is_json, response.data[:200]
        assert response.json["error"]
    assert creates(db) == 0


# --- roles and teams --------------------------------------------------------------------------

@pytest.mark.parametrize("username, kind", [
    ("coord", "checklists"), ("liaison", "checklists"), ("admin", "checklists"),
    ("liaison", "incidents"), ("coord", "incidents"), ("coord", "interactions"),
    ("admin", "interactions")])
def test_wrong_role_gets_403(app, db, api, username, kind):
    response = api(username).post(f"/api/v1/{kind}", body_for(kind, app, db))
    assert response.status_code == 403 and response.is_json
    assert count(db, kind) == 0


@pytest.fixture
def t01_entries(app, db):
    return {"checklists": file_checklist(app, db, "202", "obs1"),
            "incidents": file_incident(db, "obs1", "T01"),
            "interactions": make_meeting(db)}


@pytest.mark.parametrize("kind", list(TABLES))
def test_another_teams_entry_is_404_and_not_listed(api, t01_entries, kind):
    entry_id = t01_entries[kind]
    assert api("obs2").get(f"/api/v1/{kind}/{entry_id}").status_code == 200
    response = api("obs3").get(f"/api/v1/{kind}/{entry_id}")
    assert response.status_code == 404 and response.is_json
    assert api("obs3").get(f"/api/v1/{kind}").json[kind] == []
    assert [e["id"] for e in api("obs1").get(f"/api/v1/{kind}").json[kind]] == [entry_id]
    for reviewer in ("coord", "liaison", "admin"):
        assert api(reviewer).get(f"/api/v1/{kind}/{entry_id}").status_code == 200
        assert [e["id"] for e in api(reviewer).get(f"/api/v1/{kind}").json[kind]] == [entry_id]
    assert api("obs1").get(f"/api/v1/{kind}/999999999999").status_code == 404
    assert api("obs1").get(f"/api/v1/{kind}/99999999999999999999999").status_code == 404


def test_listings_are_paginated(app, db, api):
    for _ in range(3):
        file_checklist(app, db, "202", "obs1")
    client = api("obs1")
    first = client.get("/api/v1/checklists").json
    assert (len(first["checklists"]), first["page"], first["has_next"]) == (3, 1, False)
    assert client.get("/api/v1/checklists?page=2").json["checklists"] == []
    for page in ("0", "x", "-1", "10001"):
        response = client.get(f"/api/v1/checklists?page={page}")
        assert response.status_code == 400 and "page" in response.json["fields"]


# --- errors are JSON everywhere under /api/ -------------------------------------------------------

def test_unknown_address_and_wrong_method_are_json(api):
    client = api("obs1")
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.is_json
    wrong = client.post("/api/v1/me", {})
    assert wrong.status_code == 405 and wrong.is_json and "GET" in wrong.headers["Allow"]
    assert client.get("/no-such-page").mimetype == "text/html"  # the pages keep their HTML


def test_a_server_error_is_json(app, api, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("views.api.stations.search", broken)
    response = api("obs1").get("/api/v1/stations?q=202")
    assert response.status_code == 500 and response.is_json
    assert "boom" not in response.json["error"]


def test_a_database_that_cannot_write_gets_503_and_the_phone_keeps_the_entry(app, db, api,
                                                                             monkeypatch):
    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")
    monkeypatch.setattr("models.entries.create", locked)
    response = api("obs1").post("/api/v1/checklists", checklist_body(app, db))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "stays on your phone" in response.json["error"]


# --- hostile values: never a 500, never a row from a refused request ---------------------------

HOSTILE = st.sampled_from([
    "' OR 1=1 --", "\"; DROP TABLE checklists; --", "<script>alert(1)</script>", "\x00",
    "../../etc/passwd", "２０２", "²", "9" * 40, "-1", "1e309", "NaN", "   ", "\u202e202",
    "C999999999999999999999", "x" * 10000, "2023-02-30", "24:00", "voting", "yes"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | HOSTILE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=10) | HOSTILE, inner, max_size=4),
    max_leaves=12)


@pytest.mark.parametrize("kind", list(TABLES))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_never_cause_a_500_or_a_stray_row(app, db, api, kind, data):
    body = body_for(kind, app, db)
    keys = data.draw(st.lists(st.sampled_from([*body, "answers", "extra"]), max_size=4))
    for key in keys:
        body[key] = data.draw(JSON_VALUES)
    if kind == "checklists" and isinstance(body.get("answers"), dict):
        question = data.draw(st.sampled_from(["voters_on_list", "overcrowded", "unknown"]))
        body["answers"][question] = data.draw(JSON_VALUES)
    before = count(db, kind)
    response = api(data.draw(st.sampled_from(["obs1", "obs3", "liaison", "coord"]))).post(
        f"/api/v1/{kind}", body)
    assert response.status_code in (200, 201, 400, 403, 409, 422), response.json
    assert response.is_json and (response.status_code < 400) == ("entry" in response.json)
    if response.status_code >= 400:
        assert count(db, kind) == before
