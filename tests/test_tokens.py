"""API tokens: issued once and stored hashed, revoked at once, from the CLI or the admin page."""

import base64
import hashlib
import re
import zlib

import pytest

from models import api_tokens, users
from tests.conftest import Browser
from views import cli_tokens


@pytest.fixture
def runner(app):
    if "api-token" not in app.cli.commands:  # until app.py registers it
        cli_tokens.register(app)
    return app.test_cli_runner()


def _me(app, token: str):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def _rows(db) -> list[tuple]:
    return db.execute("SELECT id, user_id, token_hash, label, revoked_utc FROM api_tokens"
                      " ORDER BY id").fetchall()


def _audit(db) -> list[tuple]:
    return db.execute("SELECT action, entry_kind, entry_id FROM audit_log"
                      " WHERE action LIKE 'token_%' ORDER BY id").fetchall()


# --- the model -------------------------------------------------------------------------

def test_only_the_hash_is_stored(db):
    user = users.find_by_username(db, "obs1")
    token_id, token = api_tokens.issue(db, user["id"], "phone 12")
    assert len(token) >= 43
    ((row_id, user_id, stored, label, revoked),) = _rows(db)
    assert (row_id, user_id, label, revoked) == (token_id, user["id"], "phone 12", None)
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    assert api_tokens.verify(db, token)["username"] == "obs1"
    assert api_tokens.verify(db, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert "token" not in str(api_tokens.listing(db)[0].keys() - {"id"})


def test_last_use_is_recorded_at_most_once_a_minute(db):
    token_id, token = api_tokens.issue(db, users.find_by_username(db, "obs1")["id"])

    def last_used():
        return db.execute("SELECT last_used_utc FROM api_tokens WHERE id = ?",
                          [token_id]).fetchone()[0]
    assert last_used() is None
    api_tokens.verify(db, token)
    first = last_used()
    assert first is not None
    db.execute("UPDATE api_tokens SET last_used_utc = '2023-03-19T05:00:30Z'")
    db.conn.commit()
    for _ in range(3):
        api_tokens.verify(db, token)  # more than a minute since: written once more
    assert last_used() >= first
    db.execute("UPDATE api_tokens SET last_used_utc = ?", [first])
    db.conn.commit()
    writes = db.conn.total_changes
    api_tokens.verify(db, token)  # within the minute: no write at all
    assert db.conn.total_changes == writes


# --- the command line --------------------------------------------------------------------

def test_cli_issues_lists_and_revokes(app, db, runner):
    issued = runner.invoke(args=["api-token", "issue", "obs1", "--label", "bench"])
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert "cannot be shown again" in issued.stderr
    assert _me(app, token).json["username"] == "obs1"
    listed = runner.invoke(args=["api-token", "list"])
    assert listed.exit_code == 0 and "obs1" in listed.stdout and "bench" in listed.stdout
    assert token not in listed.output and "live" in listed.stdout
    token_id = str(_rows(db)[0][0])
    revoked = runner.invoke(args=["api-token", "revoke", token_id])
    assert revoked.exit_code == 0 and f"Token {token_id} revoked" in revoked.stdout
    assert _me(app, token).status_code == 401
    assert "revoked" in runner.invoke(args=["api-token", "list"]).stdout
    assert _audit(db) == [("token_issue", "api_token", 1), ("token_revoke", "api_token", 1)]


@pytest.mark.parametrize("args, message", [
    (["issue", "nobody"], "No active user named 'nobody'"),
    (["revoke", "99"], "No live token 99"),
    (["revoke", "x"], "not a valid integer"),
    (["revoke", "0"], "not in the range"),
])
def test_cli_refuses_what_it_cannot_do(db, runner, args, message):
    result = runner.invoke(args=["api-token", *args])
    assert result.exit_code != 0 and message in result.output
    assert _rows(db) == []


def test_cli_revoking_twice_says_so(db, runner):
    runner.invoke(args=["api-token", "issue", "coord"])
    assert runner.invoke(args=["api-token", "revoke", "1"]).exit_code == 0
    again = runner.invoke(args=["api-token", "revoke", "1"])
    assert again.exit_code == 1 and "already revoked" in again.output


def test_cli_list_when_empty(runner):
    assert runner.invoke(args=["api-token", "list"]).stdout.strip() == "No API tokens."


# --- the admin page --------------------------------------------------------------------------

def _admin(app) -> Browser:
    browser = Browser(app.test_client())
    browser.login("admin")
    return browser


def _issue(browser: Browser, **fields):
    page = browser.client.get("/admin/tokens")
    data = {"csrf_token": Browser.hidden(page.text, "csrf_token"), "username": "obs1",
            "label": "phone 12", **fields}
    return browser.client.post("/admin/tokens", data=data)


def test_admin_issues_a_token_shown_once(app, db):
    browser = _admin(app)
    posted = _issue(browser)
    # Post/redirect/get: the POST answers with a redirect, never with the token.
    assert posted.status_code == 303 and "/admin/tokens" in posted.location
    response = browser.client.get(posted.location)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(r'<code id="token"[^>]*>([^<]+)</code>', response.text).group(1)
    assert "it will not be shown again" in response.text
    assert _me(app, token).json["username"] == "obs1"
    later = browser.client.get("/admin/tokens").text
    assert token not in later and "phone 12" in later and "obs1" in later
    assert _rows(db)[0][3] == "phone 12"
    assert _audit(db) == [("token_issue", "api_token", 1)]
    issuer = db.execute("SELECT created_by FROM api_tokens").fetchone()[0]
    assert issuer == users.find_by_username(db, "admin")["id"]


def test_reloading_the_issued_page_issues_nothing_more(app, db):
    browser = _admin(app)
    posted = _issue(browser)
    cookie = browser.client.get_cookie("session").value
    first = browser.client.get(posted.location)
    token = re.search(r'<code id="token"[^>]*>([^<]+)</code>', first.text).group(1)
    # The token travelled in the session cookie only masked, never in clear.
    assert token not in cookie and token not in base64_payload(cookie)
    for _ in range(2):
        again = browser.client.get(posted.location)
        assert again.status_code == 200 and 'id="token"' not in again.text
    assert len(_rows(db)) == 1 and _audit(db) == [("token_issue", "api_token", 1)]


def base64_payload(cookie: str) -> str:
    """The session cookie's payload as text (itsdangerous: base64, maybe zlib)."""
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if cookie.startswith(".") else raw).decode("utf-8", "replace")


@pytest.mark.parametrize("fields, message", [
    ({"username": ""}, "Enter the user name"),
    ({"username": "nobody"}, "There is no active user named nobody"),
    ({"label": "x" * 101}, "At most 100 characters"),
    ({"csrf_token": ""}, "session expired"),
])
def test_admin_page_refuses_bad_requests(app, db, fields, message):
    response = _issue(_admin(app), **fields)
    assert response.status_code == 400 and message in response.text
    assert _rows(db) == []


def test_admin_revokes_a_token(app, db):
    token_id, token = api_tokens.issue(db, users.find_by_username(db, "obs1")["id"], "old")
    browser = _admin(app)
    csrf = Browser.hidden(browser.client.get("/admin/tokens").text, "csrf_token")
    response = browser.client.post(f"/admin/tokens/{token_id}/revoke",
                                   data={"csrf_token": csrf})
    assert response.status_code == 303
    page = browser.client.get(response.location).text
    assert f"Token {token_id} of obs1 revoked" in page and "revoked" in page
    assert _me(app, token).status_code == 401
    again = browser.client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf},
                                follow_redirects=True)
    assert "already revoked" in again.text
    assert browser.client.post("/admin/tokens/999/revoke",
                               data={"csrf_token": csrf}).status_code == 404
    assert browser.client.post(f"/admin/tokens/{token_id}/revoke").status_code == 400


@pytest.mark.parametrize("username", ["obs1", "coord", "liaison"])
def test_only_admins_manage_tokens(app, db, username):
    token_id, token = api_tokens.issue(db, users.find_by_username(db, "obs1")["id"])
    browser = Browser(app.test_client())
    browser.login(username)
    csrf = Browser.hidden(browser.client.get("/login").text, "csrf_token")
    assert browser.client.get("/admin/tokens").status_code == 403
    assert browser.client.post("/admin/tokens", data={
        "csrf_token": csrf, "username": username}).status_code == 403
    assert browser.client.post(f"/admin/tokens/{token_id}/revoke",
                               data={"csrf_token": csrf}).status_code == 403
    assert _me(app, token).status_code == 200 and len(_rows(db)) == 1


def test_anonymous_is_sent_to_log_in(app):
    response = app.test_client().get("/admin/tokens")
    assert response.status_code == 302 and "/login" in response.location


def test_the_audit_log_shows_token_records(app, db, runner):
    runner.invoke(args=["api-token", "issue", "obs1"])
    runner.invoke(args=["api-token", "revoke", "1"])
    browser = Browser(app.test_client())
    browser.login("coord")
    page = browser.client.get("/audit")
    assert page.status_code == 200
    # The code until views/audit.py gives the action a label.
    assert "token_revoke" in page.text or "API token revoked" in page.text
