"""Messages to teams: who sees what, bad input, read confirmations, the API and the webhook."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from models import message_webhook, team_messages, users
from tests.conftest import PASSWORD, Browser
from tests.test_api import Api, session_api, token_for
from tests.test_escaping import PAYLOAD, assert_inert

OBSERVERS = ("obs1", "obs2", "obs3", "obs4")


@pytest.fixture
def people(app, db):
    """obs1, obs2 (T01) and obs3 (T02) in Aktobe; obs4 (T03) in Astana; T02's area is
    Almaty; obs5 (T03) is deactivated; coord sends."""
    hashed = users.hash_password(PASSWORD)
    users.create_user(db, "obs4", None, "observer", "T03", "Astana", password_hash=hashed)
    gone = users.create_user(db, "obs5", None, "observer", "T03", "Astana", password_hash=hashed)
    db.execute("UPDATE users SET active = 0 WHERE id = ?", [gone])
    db.execute("INSERT INTO teams (team, region, phones) VALUES ('T02', 'Almaty', ?)",
               ["+7 701 111 2233, +7 777 444 5566"])
    db.conn.commit()
    return {row["username"]: row["id"] for row in db.query("SELECT id, username FROM users")}


def send(db, people, audience, target, body="Counting starts late; stay until the protocol "
                                            "is posted.") -> int:
    return team_messages.send(db, people["coord"], audience, target, body, 500)


class Reader:
    def __init__(self, row):
        self.id, self.team, self.region = row["id"], row["team"], row["region"]


def sees(db, username) -> list[int]:
    return [m["id"] for m in team_messages.for_reader(
        db, Reader(users.find_by_username(db, username)))]


AUDIENCES = [
    # audience, target, the observers who see it
    ("all", None, {"obs1", "obs2", "obs3", "obs4"}),
    ("region", "Aktobe", {"obs1", "obs2", "obs3"}),       # their own region
    ("region", "Astana", {"obs4"}),
    ("region", "Almaty", {"obs3"}),                        # their team's area (teams.region)
    ("team", "T01", {"obs1", "obs2"}),
    ("team", "T03", {"obs4"}),                             # obs5 is deactivated
]


@pytest.mark.parametrize(("audience", "target", "expected"), AUDIENCES)
def test_who_sees_what(db, people, audience, target, expected):
    message = send(db, people, audience, target)
    assert {name for name in OBSERVERS if message in sees(db, name)} == expected
    assert sees(db, "coord") == []
    recipients = team_messages.recipients(db, message)
    assert {r["username"] for r in recipients} == expected
    assert all(team_messages.is_addressed(db, message, people[n]) == (n in expected)
               for n in (*OBSERVERS, "obs5", "coord"))


def test_newest_first_and_the_read_flag(db, people):
    first, second = send(db, people, "all", None, "first"), send(db, people, "team", "T01", "2")
    assert sees(db, "obs1") == [second, first]
    assert team_messages.mark_read(db, first, people["obs1"])[1] is True
    unread = team_messages.for_reader(db, Reader(users.find_by_username(db, "obs1")), True)
    assert [m["id"] for m in unread] == [second]


def test_a_read_confirmation_is_idempotent(db, people):
    message = send(db, people, "team", "T01")
    read_utc, created = team_messages.mark_read(db, message, people["obs1"])
    again, created_again = team_messages.mark_read(db, message, people["obs1"])
    assert (created, created_again, again) == (True, False, read_utc)
    assert db.execute("SELECT count(*) FROM message_reads").fetchone()[0] == 1
    [row] = team_messages.sent(db)
    assert (row["recipients"], row["read"]) == (2, 1)
    assert [p["username"] for p in row["unread"]] == ["obs2"]


def coordinator(app) -> Browser:
    browser = Browser(app.test_client())
    browser.login("coord")
    return browser


def post_message(browser: Browser, **fields):
    token = Browser.hidden(browser.client.get("/messages").text, "csrf_token")
    return browser.client.post("/messages", data={"csrf_token": token, **fields})


BAD_INPUT = [
    # fields posted, the field whose message says why
    ({"audience": "region", "region": "Atlantis", "body": "x"}, "region"),
    ({"audience": "region", "region": "", "body": "x"}, "region"),
    ({"audience": "team", "team": "T99", "body": "x"}, "team"),
    ({"audience": "team", "team": "", "body": "x"}, "team"),
    ({"audience": "team", "team": "T" * 500, "body": "x"}, "team"),
    ({"audience": "everyone", "body": "x"}, "audience"),
    ({"audience": "all", "body": ""}, "body"),
    ({"audience": "all", "body": "   \n "}, "body"),
    ({"audience": "all", "body": "x" * 501}, "body"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_INPUT)
def test_bad_input_is_refused_by_the_field_and_nothing_is_stored(app, db, people, fields,
                                                                 field):
    response = post_message(coordinator(app), **fields)
    assert response.status_code == 400
    page = response.text
    assert f'id="q-{field}"' in page
    block = page.split(f'id="q-{field}"', 1)[1].split('<div class="field', 1)[0]
    assert 'class="error"' in block, block
    assert 'id="error-summary"' in page
    assert db.execute("SELECT count(*) FROM team_messages").fetchone()[0] == 0
    # What was typed comes back.
    if fields.get("body", "").strip():
        assert fields["body"] in page


def test_the_model_refuses_what_the_form_would(db, people):
    for audience, target, body, field in [("region", "Atlantis", "x", "region"),
                                          ("team", "T99", "x", "team"),
                                          ("all", None, " ", "body"),
                                          ("all", None, "x" * 501, "body"),
                                          ("nobody", None, "x", "audience")]:
        with pytest.raises(team_messages.Refused) as refused:
            team_messages.send(db, people["coord"], audience, target, body, 500)
        assert refused.value.field == field
    assert db.execute("SELECT count(*) FROM team_messages").fetchone()[0] == 0


def test_a_coordinator_sends_and_sees_who_has_not_read(app, db, people):
    browser = coordinator(app)
    response = post_message(browser, audience="team", team="T01", region="",
                            body="Stay until the protocol is posted.")
    assert response.status_code == 303
    [row] = db.query("SELECT * FROM team_messages")
    assert (row["audience"], row["target"], row["webhook_status"]) == ("team", "T01", None)
    page = browser.client.get("/messages").text
    assert "Read by 0 of 2 observers" in page and "obs1, obs2" in page
    observer = Browser(app.test_client())
    observer.login("obs1")
    home = observer.client.get("/checklists/new").text
    assert "Stay until the protocol is posted." in home
    token = Browser.hidden(home, "csrf_token")
    for _twice in range(2):
        answer = observer.client.post(f"/messages/{row['id']}/read",
                                      data={"csrf_token": token, "next": "/checklists/new"})
        assert answer.status_code == 303 and answer.location.endswith("/checklists/new")
    assert "Stay until the protocol" not in observer.client.get("/checklists/new").text
    page = browser.client.get("/messages").text
    assert "Read by 1 of 2 observers" in page
    # Another team's observer cannot confirm it (nor learn it exists).
    other = Browser(app.test_client())
    other.login("obs3")
    token = Browser.hidden(other.client.get("/checklists/new").text, "csrf_token")
    assert other.client.post(f"/messages/{row['id']}/read",
                             data={"csrf_token": token}).status_code == 404


def test_markup_in_every_field_comes_back_as_text(app, db, people):
    browser = coordinator(app)
    refused = post_message(browser, audience="team", team=PAYLOAD[:40], region=PAYLOAD,
                           body=PAYLOAD)
    assert refused.status_code == 400
    assert_inert(refused, "refused message")
    assert post_message(browser, audience="all", body=PAYLOAD).status_code == 303
    text = assert_inert(browser.client.get("/messages"), "sent list")
    assert PAYLOAD in text
    observer = Browser(app.test_client())
    observer.login("obs1")
    assert PAYLOAD in assert_inert(observer.client.get("/checklists/new"), "observer's home")


# --- the API -----------------------------------------------------------------------------

def test_the_api_lists_messages_with_read_flags_and_confirms(app, db, people):
    mine, theirs = send(db, people, "team", "T01"), send(db, people, "team", "T02")
    api = Api(app.test_client(), token_for(db, "obs1"))
    listed = api.get("/api/v1/messages").json["messages"]
    assert [(m["id"], m["read"]) for m in listed] == [(mine, False)]
    url = listed[0]["read_url"]
    assert url == f"/api/v1/messages/{mine}/read"
    first = api.post(url, {"uuid": "abc"})
    assert first.status_code == 201 and first.json["uuid"] == "abc" and first.json["created"]
    again = api.post(url)
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["read_utc"] == first.json["read_utc"]
    assert api.get("/api/v1/messages").json["messages"][0]["read"] is True
    assert api.post(f"/api/v1/messages/{theirs}/read").status_code == 404
    assert api.post("/api/v1/messages/999/read").status_code == 404
    assert api.post(url, data=b"x=1").status_code == 415
    assert api.post(url, {"uuid": 5}).status_code == 400
    coordinator_api = Api(app.test_client(), token_for(db, "coord"))
    assert coordinator_api.get("/api/v1/messages").status_code == 403
    assert coordinator_api.post(url).status_code == 403
    # The browser's session needs its CSRF header, like every API POST.
    assert session_api(app, "obs2", with_csrf=False).post(url, {}).status_code == 400
    assert session_api(app, "obs2").post(url, {}).status_code == 201


def test_the_offline_page_and_the_worker_keep_the_messages(app, people):
    browser = Browser(app.test_client())
    browser.login("obs1")
    worker = browser.client.get("/sw.js").text
    assert '"/api/v1/messages"' in worker
    page = browser.client.get("/observe/offline").text
    assert "/api/v1/messages" in page and 'id="team-messages"' in page


# --- the webhook ---------------------------------------------------------------------------

class Receiver(BaseHTTPRequestHandler):
    """A gateway on 127.0.0.1: records what it receives and answers ``status``."""

    received: list = []
    status = 200
    delay = 0.0

    def do_POST(self):  # noqa: N802 - http.server's name
        time.sleep(type(self).delay)
        length = int(self.headers["Content-Length"])
        type(self).received.append((self.headers["Content-Type"],
                                    json.loads(self.rfile.read(length))))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    handler = type("Handler", (Receiver,), {"received": [], "status": 200, "delay": 0.0})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


def webhook_status(db, message_id: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = db.execute("SELECT webhook_status FROM team_messages WHERE id = ?",
                            [message_id]).fetchone()[0]
        if status != team_messages.PENDING:
            return status
        time.sleep(0.05)
    raise AssertionError("the webhook never answered")


def test_each_message_is_posted_to_the_gateway(app, db, people, receiver):
    handler, url = receiver
    app.config["MESSAGE_WEBHOOK_URL"] = url
    started = time.monotonic()
    response = post_message(coordinator(app), audience="region", region="Almaty",
                            body="Counting in Almaty starts late.")
    assert response.status_code == 303
    message = db.execute("SELECT max(id) FROM team_messages").fetchone()[0]
    assert webhook_status(db, message) == "sent"
    assert time.monotonic() - started < 20
    [(content_type, payload)] = handler.received
    assert content_type == "application/json"
    assert payload["id"] == message and payload["audience"] == "region"
    assert payload["target"] == "Almaty" and payload["body"] == "Counting in Almaty starts late."
    assert payload["sent_utc"].endswith("Z") and payload["author"] == "coord"
    assert payload["recipients"] == [{"username": "obs3", "team": "T02", "region": "Aktobe",
                                      "phones": ["+7 701 111 2233", "+7 777 444 5566"]}]


def test_a_slow_gateway_does_not_hold_up_the_coordinator(app, db, people, receiver):
    handler, url = receiver
    handler.delay = 3.0
    app.config["MESSAGE_WEBHOOK_URL"] = url
    browser = coordinator(app)
    token = Browser.hidden(browser.client.get("/messages").text, "csrf_token")
    started = time.monotonic()
    response = browser.client.post("/messages", data={"csrf_token": token, "audience": "all",
                                                      "body": "Polls close at 20:00."})
    assert response.status_code == 303 and time.monotonic() - started < 2.5
    message = db.execute("SELECT max(id) FROM team_messages").fetchone()[0]
    assert "sending" in browser.client.get("/messages").text
    assert webhook_status(db, message) == "sent"


def test_a_gateway_that_is_down_leaves_the_message_sent_in_the_app(app, db, people, receiver,
                                                                     monkeypatch):
    monkeypatch.setattr(message_webhook, "RETRY_PAUSES", (0.01, 0.01))
    handler, url = receiver
    handler.status = 503
    app.config["MESSAGE_WEBHOOK_URL"] = url
    assert post_message(coordinator(app), audience="all", body="First").status_code == 303
    first = db.execute("SELECT max(id) FROM team_messages").fetchone()[0]
    assert webhook_status(db, first) == "failed: HTTP 503 Service Unavailable"
    assert len(handler.received) == 3  # retried twice
    # Nobody listening at all: refused at once, retried, recorded as failed.
    app.config["MESSAGE_WEBHOOK_URL"] = "http://127.0.0.1:9/sms"
    browser = coordinator(app)
    assert post_message(browser, audience="all", body="Second").status_code == 303
    second = db.execute("SELECT max(id) FROM team_messages").fetchone()[0]
    assert webhook_status(db, second).startswith("failed: ")
    assert "Second" in browser.client.get("/messages").text
    observer = Browser(app.test_client())
    observer.login("obs1")
    assert "Second" in observer.client.get("/checklists/new").text


def test_a_refusal_by_the_gateway_is_not_retried(db, people, receiver):
    handler, url = receiver
    handler.status = 400
    message = team_messages.send(db, people["coord"], "all", None, "x", 500, webhook=True)
    status = message_webhook.deliver(db.conn.execute("PRAGMA database_list").fetchone()[2],
                                     10000, message, message_webhook.Gateway(url, 5))
    assert status == "failed: HTTP 400 Bad Request" and len(handler.received) == 1
    assert webhook_status(db, message) == status
    assert message_webhook.post(message_webhook.Gateway("file:///etc/passwd", 1), {}) \
        .startswith("failed: ")
