"""Sessions end for real: a copied cookie stops working after log-out, a new password or
deactivation; the per-account log-in limit counts JSON bodies; unknown names are not logged."""

import json
import sqlite3

import pytest

from models import api_tokens, users
from tests.conftest import PASSWORD, Browser

PAGES = ("/checklists", "/api/v1/me")


def _copy_of_cookie(app, browser: Browser):
    """A second client holding a copy of ``browser``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", browser.client.get_cookie("session").value)
    return thief


def _opens(client) -> list[int]:
    return [client.get(path).status_code for path in PAGES]


def _logged_in(app, name: str = "obs1"):
    browser = Browser(app.test_client())
    assert browser.login(name).status_code == 302
    thief = _copy_of_cookie(app, browser)
    assert _opens(thief) == [200, 200]
    return browser, thief


def _csrf(browser: Browser) -> str:
    return Browser.hidden(browser.client.get("/login").text, "csrf_token")


def _log_out(app, db, browser):
    assert browser.client.post("/logout", data={"csrf_token": _csrf(browser)}).status_code == 302


def _new_password(app, db, browser):
    users.set_password(db, users.find_by_username(db, "obs1")["id"], "another password")


def _deactivate(app, db, browser):
    users.deactivate(db, users.find_by_username(db, "obs1")["id"])


@pytest.mark.parametrize("end", [_log_out, _new_password, _deactivate],
                         ids=["logout", "password", "deactivation"])
def test_a_copied_cookie_stops_working(app, db, end):
    browser, thief = _logged_in(app)
    end(app, db, browser)
    # The copy is sent to log in (HTML) or answered 401 (API), and is not renewed.
    page = thief.get("/checklists")
    assert page.status_code == 302 and "/login" in page.location
    assert thief.get("/api/v1/me").status_code == 401
    assert _opens(browser.client) != [200, 200]


def test_logging_out_ends_the_users_other_sessions_not_others(app, db):
    _phone, phone_copy = _logged_in(app, "obs1")
    laptop, _laptop_copy = _logged_in(app, "obs1")
    _colleague, colleague_copy = _logged_in(app, "obs2")
    _log_out(app, db, laptop)
    assert _opens(phone_copy) == [302, 401]
    assert _opens(colleague_copy) == [200, 200]


def test_logging_in_again_works_after_each_end(app, db):
    browser, _thief = _logged_in(app)
    _log_out(app, db, browser)
    assert browser.login("obs1").status_code == 302 and _opens(browser.client) == [200, 200]
    _new_password(app, db, browser)
    assert browser.login("obs1", "another password").status_code == 302
    assert _opens(browser.client) == [200, 200]


def test_a_session_from_before_session_versions_is_ended(app):
    """Cookies written by the previous release store a bare user id: they log in again."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["_fresh"] = True
    assert _opens(client) == [302, 401]


@pytest.mark.parametrize("session_id", ["1:", ":1", "1:x", "x:1", "1:0", "1:2", "1:1:1", ""])
def test_a_tampered_session_id_logs_nobody_in(app, session_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    assert _opens(client) == [302, 401]


def test_deactivation_revokes_the_users_api_tokens(app, db):
    obs1 = users.find_by_username(db, "obs1")["id"]
    _id1, first = api_tokens.issue(db, obs1, "phone")
    _id2, second = api_tokens.issue(db, obs1, "laptop")
    _id3, other = api_tokens.issue(db, users.find_by_username(db, "obs2")["id"])
    assert users.deactivate(db, obs1) == 2
    client = app.test_client()
    codes = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {t}"}).status_code
             for t in (first, second, other)]
    assert codes == [401, 401, 200]
    users.reactivate(db, obs1)
    assert client.get("/api/v1/me",
                      headers={"Authorization": f"Bearer {first}"}).status_code == 401


# --- log-in throttling and what a failed log-in leaves in the audit log -----------------

def _json_login(client, username: str, password: str):
    csrf = Browser.hidden(client.get("/login").text, "csrf_token")
    return client.post("/login", json={"username": username, "password": password},
                       headers={"X-CSRFToken": csrf})


def test_a_json_log_in_counts_against_the_account(app):
    client = app.test_client()
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    assert _json_login(client, "obs1", PASSWORD).status_code == 302  # JSON log-ins work
    for _ in range(limit):
        assert _json_login(client, "obs1", "wrong").status_code == 401
    assert _json_login(client, "obs1", PASSWORD).status_code == 429
    # The same account through the form is locked too, and the other way round.
    assert Browser(app.test_client()).login("obs1").status_code == 429
    # Another account is not.
    assert _json_login(client, "obs2", PASSWORD).status_code == 302


def test_form_failures_lock_the_json_door_too(app):
    browser = Browser(app.test_client())
    for _ in range(int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])):
        assert browser.login("OBS1 ", "wrong").status_code == 401
    assert _json_login(app.test_client(), "obs1", PASSWORD).status_code == 429


@pytest.mark.parametrize("body", [[1, 2], "obs1", {"username": ["obs1"]}, {"username": 5}])
def test_odd_json_bodies_are_refused_without_error(app, body):
    client = app.test_client()
    csrf = Browser.hidden(client.get("/login").text, "csrf_token")
    response = client.post("/login", data=json.dumps(body), content_type="application/json",
                           headers={"X-CSRFToken": csrf})
    assert response.status_code in (400, 401)


def _failed_logins(db) -> list[tuple]:
    return [(row[0], json.loads(row[1])) for row in db.execute(
        "SELECT user_id, details FROM audit_log WHERE action = 'login_failed' ORDER BY id")]


@pytest.mark.parametrize("typed, details", [
    ("coord", {"username": "coord"}),
    ("COORD", {"username": "coord"}),
    ("my secret password", {"unknown_user": True}),
    ("nobody", {"unknown_user": True}),
])
def test_failed_log_in_records_the_account_or_only_that_the_name_is_unknown(app, db, typed,
                                                                              details):
    assert Browser(app.test_client()).login(typed, "wrong").status_code == 401
    assert _failed_logins(db) == [(None, details)]
    if "unknown_user" in details:
        logged = " ".join(row[0] for row in db.execute("SELECT details FROM audit_log"))
        assert typed not in logged


def test_logging_out_works_on_this_device_when_the_disk_cannot_write(app, db_path, monkeypatch):
    """A full or read-only disk: this browser is still logged out, and told the rest."""
    read_only = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        read_only.execute("UPDATE users SET active = 1")
    except sqlite3.OperationalError as error:
        refused = error
    finally:
        read_only.close()

    def cannot_write(db, user_id):
        raise refused
    monkeypatch.setattr(users, "end_sessions", cannot_write)
    browser, _thief = _logged_in(app)
    response = browser.client.post("/logout", data={"csrf_token": _csrf(browser)},
                                   follow_redirects=True)
    assert "You are logged out on this device" in response.text
    assert _opens(browser.client) == [302, 401]
