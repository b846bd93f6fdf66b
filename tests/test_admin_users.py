"""Managing users: the admin page /admin/users and ``flask --app app users ...``, audited."""

import json

import pytest

from models import api_tokens, users
from tests.conftest import PASSWORD, Browser


def _admin(app) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login("admin").status_code == 302
    return browser


def _id(db, name: str) -> int:
    return users.find_by_username(db, name)["id"]


def _post(browser: Browser, path: str, **fields):
    csrf = Browser.hidden(browser.client.get("/login").text, "csrf_token")
    return browser.client.post(path, data={"csrf_token": csrf, **fields})


def _audit(db) -> list[tuple]:
    return [(row[0], row[1], row[2], json.loads(row[3])) for row in db.execute(
        "SELECT action, user_id, entry_id, details FROM audit_log"
        " WHERE entry_kind = 'user' ORDER BY id")]


def test_the_list_shows_every_user(app, db):
    api_tokens.issue(db, _id(db, "obs1"))
    page = _admin(app).client.get("/admin/users").text
    for name in ("obs1", "obs2", "obs3", "coord", "liaison", "admin"):
        assert f">{name}</a>" in page
    row = page.split('id="user-1"', 1)[1].split("</tr>", 1)[0]
    assert "T01" in row and "Aktobe" in row and "active" in row and "<td>1</td>" in row


# --- new password ---------------------------------------------------------------------

def test_admin_sets_a_password_and_the_users_sessions_end(app, db):
    observer = Browser(app.test_client())
    observer.login("obs1")
    browser = _admin(app)
    response = _post(browser, "/admin/users/1/password", password="new secret 1",
                     confirm="new secret 1")
    assert response.status_code == 303
    assert "New password set for obs1" in browser.client.get(response.location).text
    assert observer.client.get("/checklists").status_code == 302
    assert users.authenticate(db, "obs1", PASSWORD) is None
    assert users.authenticate(db, "obs1", "new secret 1")["username"] == "obs1"
    assert _audit(db) == [("user_password", _id(db, "admin"), 1, {})]
    assert "new secret 1" not in json.dumps(_audit(db))


def test_an_admin_who_sets_their_own_password_stays_logged_in(app, db):
    browser = _admin(app)
    other_device = _admin(app)
    response = _post(browser, f"/admin/users/{_id(db, 'admin')}/password",
                     password="new secret 1", confirm="new secret 1")
    assert response.status_code == 303
    assert browser.client.get("/admin/users").status_code == 200
    assert other_device.client.get("/admin/users").status_code == 302


@pytest.mark.parametrize("fields, message", [
    ({"password": "", "confirm": ""}, "Enter the new password."),
    ({"password": "short", "confirm": "short"}, "from 8 to 200 characters"),
    ({"password": "x" * 201, "confirm": "x" * 201}, "from 8 to 200 characters"),
    ({"password": "long enough", "confirm": ""}, "Type the new password a second time."),
    ({"password": "long enough", "confirm": "long enougH"}, "The two passwords differ"),
    ({"password": "long enough", "confirm": "long enough", "csrf_token": ""},
     "session expired"),
])
def test_password_form_refuses_with_a_message_by_the_field(app, db, fields, message):
    response = _post(_admin(app), "/admin/users/1/password", **fields)
    assert response.status_code == 400 and message in response.text
    assert users.authenticate(db, "obs1", PASSWORD) is not None and _audit(db) == []


# --- team and region -------------------------------------------------------------------

def test_admin_moves_an_observer_to_another_team_and_region(app, db):
    observer = Browser(app.test_client())
    observer.login("obs1")
    response = _post(_admin(app), "/admin/users/1/place", team="T02", region="Almaty")
    assert response.status_code == 303
    row = users.get_user(db, 1)
    assert (row["team"], row["region"]) == ("T02", "Almaty")
    assert _audit(db) == [("user_change", _id(db, "admin"), 1,
                           {"team": ["T01", "T02"], "region": ["Aktobe", "Almaty"]})]
    # The observer's open session reads the new team on its next request.
    assert observer.client.get("/api/v1/me").json["team"] == "T02"


def test_saving_the_same_team_and_region_records_nothing(app, db):
    browser = _admin(app)
    response = _post(browser, "/admin/users/1/place", team="T01", region="Aktobe")
    assert "Nothing changed for obs1" in browser.client.get(response.location).text
    assert _audit(db) == []


def test_a_coordinator_may_have_no_team_or_region(app, db):
    response = _post(_admin(app), f"/admin/users/{_id(db, 'coord')}/place", team="", region="")
    assert response.status_code == 303
    assert (users.get_user(db, _id(db, "coord"))["region"]) is None


@pytest.mark.parametrize("fields, message", [
    ({"team": "", "region": "Aktobe"}, "Observers belong to a team"),
    ({"team": "T" * 41, "region": "Aktobe"}, "at most 40 characters"),
    ({"team": "T01", "region": "Atlantis"}, "Choose a region from the list."),
    ({"team": "T01", "region": "Aktobe", "csrf_token": "x"}, "session expired"),
])
def test_place_form_refuses_with_a_message_by_the_field(app, db, fields, message):
    response = _post(_admin(app), "/admin/users/1/place", **fields)
    assert response.status_code == 400 and message in response.text
    assert users.get_user(db, 1)["team"] == "T01" and _audit(db) == []


# --- deactivation ------------------------------------------------------------------------

def test_deactivation_ends_sessions_and_tokens_and_reactivation_undoes_the_lock(app, db):
    observer = Browser(app.test_client())
    observer.login("obs1")
    _token_id, token = api_tokens.issue(db, 1, "phone")
    browser = _admin(app)
    response = _post(browser, "/admin/users/1/deactivate")
    assert response.status_code == 303
    page = browser.client.get(response.location).text
    assert "obs1 is deactivated" in page and "1 API token was revoked" in page
    assert observer.client.get("/checklists").status_code == 302
    assert app.test_client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401
    assert Browser(app.test_client()).login("obs1").status_code == 401
    again = _post(browser, "/admin/users/1/deactivate")
    assert "already deactivated" in browser.client.get(again.location).text
    assert _post(browser, "/admin/users/1/reactivate").status_code == 303
    assert Browser(app.test_client()).login("obs1").status_code == 302
    admin = _id(db, "admin")
    assert _audit(db) == [("user_deactivate", admin, 1, {"tokens_revoked": 1}),
                          ("user_reactivate", admin, 1, {})]
    revokes = db.execute("SELECT user_id FROM audit_log WHERE action = 'token_revoke'").fetchall()
    assert revokes == [(admin,)]


def test_an_admin_cannot_deactivate_themselves(app, db):
    browser = _admin(app)
    admin = _id(db, "admin")
    response = _post(browser, f"/admin/users/{admin}/deactivate")
    assert response.status_code == 400 and "You cannot deactivate yourself" in response.text
    assert users.get_user(db, admin) is not None and _audit(db) == []


@pytest.mark.parametrize("path", ["/admin/users/99", "/admin/users/99/password",
                                  "/admin/users/99/place", "/admin/users/99/deactivate",
                                  "/admin/users/99/reactivate"])
def test_an_unknown_user_is_404(app, path):
    browser = _admin(app)
    response = _post(browser, path) if path.count("/") == 4 else browser.client.get(path)
    assert response.status_code == 404


def test_the_audit_page_names_user_actions(app, db):
    _post(_admin(app), "/admin/users/1/place", team="T02", region="Aktobe")
    browser = Browser(app.test_client())
    browser.login("coord")
    page = browser.client.get("/audit").text
    assert "Team or region changed" in page


# --- the command line ------------------------------------------------------------------------

def _cli(app, *args, stdin=None):
    return app.test_cli_runner().invoke(args=["users", *args], input=stdin)


def test_cli_lists_users(app, db):
    result = _cli(app, "list")
    assert result.exit_code == 0
    assert "obs1\tobserver\tT01\tAktobe\tactive\t0 live token(s)" in result.output


def test_cli_sets_a_password(app, db):
    result = _cli(app, "set-password", "obs1", stdin="from the cli 1\n")
    assert result.exit_code == 0, result.output
    assert users.authenticate(db, "obs1", "from the cli 1") is not None
    assert _audit(db) == [("user_password", None, 1, {})]


def test_cli_deactivates_and_reactivates(app, db):
    api_tokens.issue(db, 1)
    result = _cli(app, "deactivate", "OBS1")
    assert result.exit_code == 0 and "1 API token(s) revoked" in result.output
    assert _cli(app, "reactivate", "obs1").exit_code == 0
    assert [row[0] for row in _audit(db)] == ["user_deactivate", "user_reactivate"]


def test_cli_moves_a_user(app, db):
    result = _cli(app, "set-place", "obs1", "--region", "Almaty")
    assert result.exit_code == 0 and "region Aktobe -> Almaty" in result.output
    assert users.get_user(db, 1)["team"] == "T01"


@pytest.mark.parametrize("args, stdin, message", [
    (["set-password", "nobody"], "long enough\n", "No user named 'nobody'"),
    (["set-password", "obs1"], "short\n", "at least 8 characters"),
    (["deactivate", "nobody"], None, "No user named 'nobody'"),
    (["reactivate", "obs1"], None, "already active"),
    (["set-place", "obs1"], None, "Give --team, --region or both"),
    (["set-place", "obs1", "--team", ""], None, "Observers belong to a team"),
    (["set-place", "obs1", "--region", "Atlantis"], None, "No polling station is in region"),
    (["set-place", "obs1", "--team", "T" * 41], None, "at most 40 characters"),
])
def test_cli_refuses_bad_input(app, db, args, stdin, message):
    result = _cli(app, *args, stdin=stdin)
    assert result.exit_code != 0 and message in result.output
    assert _audit(db) == []


def test_cli_refuses_to_deactivate_twice(app, db):
    assert _cli(app, "deactivate", "obs1").exit_code == 0
    again = _cli(app, "deactivate", "obs1")
    assert again.exit_code != 0 and "already deactivated" in again.output
