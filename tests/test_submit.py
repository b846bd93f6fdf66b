"""Filing a checklist the way a browser does (CSRF on): idempotent, versioned, team-scoped."""

import json
import re

import pytest

from models import definitions
from tests.conftest import Browser, good_answers, station_id, visit


def _voting(app):
    return definitions.get("voting")


def _file(browser: Browser, app, db, number="202", **overrides):
    hidden = browser.open_form("voting", station_id(db, number))
    data = {**hidden, **visit(), **good_answers(_voting(app)), **overrides}
    return data, browser.client.post("/checklists/voting/new", data=data)


def _count(db) -> int:
    return db.execute("SELECT count(*) FROM checklists").fetchone()[0]


def test_observer_files_checklist_and_sees_local_time(app, db, browser):
    browser.login("obs1")
    _data, response = _file(browser, app, db)
    assert response.status_code == 303
    page = browser.client.get(response.location, follow_redirects=True)
    assert "Checklist received." in page.text
    # Aktobe was UTC+5 in March 2023: 10:00 local is 05:00 UTC.
    assert "19.03.2023 10:00 (UTC+5)" in page.text
    row = db.execute("SELECT arrival_utc, departure_utc, timezone, team FROM checklists").fetchone()
    assert row == ("2023-03-19T05:00:00Z", "2023-03-19T05:40:00Z", "Asia/Aqtobe", "T01")


def test_astana_station_stores_utc_plus_six(app, db, browser):
    browser.login("obs1")
    _file(browser, app, db, number="101")
    assert db.execute("SELECT arrival_utc FROM checklists").fetchone()[0] == "2023-03-19T04:00:00Z"


def test_post_without_csrf_token_is_refused(app, db, browser):
    browser.login("obs1")
    data, _ = _file(browser, app, db, csrf_token="")
    assert _count(db) == 0
    response = browser.client.post("/checklists/voting/new", data={**data, "csrf_token": "forged"})
    assert response.status_code == 400
    assert "session expired" in response.text
    assert _count(db) == 0


@pytest.mark.parametrize("repeats", [2, 3])
def test_repeated_submission_returns_the_same_entry(app, db, browser, repeats):
    browser.login("obs1")
    data, first = _file(browser, app, db)
    for _ in range(repeats - 1):
        again = browser.client.post("/checklists/voting/new", data=data)
        assert again.status_code == 303
        assert again.location == first.location
    page = browser.client.get(first.location)
    assert "already been received" in page.text
    assert _count(db) == 1


def test_same_uuid_with_other_answers_is_refused_and_keeps_answers(app, db, browser):
    browser.login("obs1")
    data, _first = _file(browser, app, db)
    changed = {**data, "voters_on_list": "777", "voters_voted": "700"}
    response = browser.client.post("/checklists/voting/new", data=changed)
    assert response.status_code == 409
    assert "already sent with different answers" in response.text
    assert 'value="777"' in response.text
    assert _count(db) == 1


@pytest.mark.parametrize("field, value, message", [
    ("uuid", "not-a-uuid", "identifier was damaged"),
    ("uuid", "", "identifier was damaged"),
    ("station_id", "999999", "Unknown polling station"),
    ("station_id", "abc", "Unknown polling station"),
    ("station_id", "9" * 30, "Unknown polling station"),
    ("station_id", "²", "Unknown polling station"),
])
def test_tampered_hidden_fields_get_4xx_and_no_row(app, db, browser, field, value, message):
    browser.login("obs1")
    hidden = browser.open_form("voting", station_id(db, "202"))
    data = {**hidden, **visit(), **good_answers(_voting(app)), field: value}
    response = browser.client.post("/checklists/voting/new", data=data)
    assert 400 <= response.status_code < 500
    assert message in response.text
    assert _count(db) == 0


def test_form_address_keeps_its_uuid_so_back_cannot_duplicate(app, db, browser):
    browser.login("obs1")
    opened = browser.client.get(f"/checklists/voting/new?station={station_id(db, '202')}")
    assert opened.status_code == 302 and "uuid=" in opened.location
    form_url = opened.location
    first = browser.client.get(form_url).text
    assert Browser.hidden(browser.client.get(form_url).text, "uuid") == \
        Browser.hidden(first, "uuid")
    data = {"csrf_token": Browser.hidden(first, "csrf_token"), "uuid": Browser.hidden(first, "uuid"),
            "station_id": Browser.hidden(first, "station_id"), **visit(),
            **good_answers(_voting(app))}
    sent = browser.client.post("/checklists/voting/new", data=data)
    back = browser.client.get(form_url)  # the browser's Back button
    assert back.status_code == 303 and back.location == sent.location
    assert "already been received" in browser.client.get(back.location).text
    assert _count(db) == 1


def test_edit_keeps_every_version_and_the_original(app, db, browser):
    browser.login("obs1")
    data, response = _file(browser, app, db)
    entry = response.location
    browser.login("obs2")  # the team mate corrects a figure
    form = browser.client.get(entry + "/edit")
    assert form.status_code == 200 and 'value="10:00"' in form.text
    edited = {**data, "csrf_token": Browser.hidden(form.text, "csrf_token"),
              "base_version": "1", "voters_on_list": "900", "voters_voted": "450"}
    saved = browser.client.post(entry + "/edit", data=edited)
    assert saved.status_code == 303
    versions = db.execute("SELECT version, snapshot, changes FROM entry_versions"
                          " WHERE entry_kind = 'checklist' ORDER BY version").fetchall()
    assert [v[0] for v in versions] == [1, 2]
    assert json.loads(versions[0][1])["answers"]["voters_on_list"] == int(data["voters_on_list"])
    assert json.loads(versions[1][2])["voters_on_list"] == [int(data["voters_on_list"]), 900]
    page = browser.client.get(entry).text
    assert "original submission" in page and "obs2" in page
    # A second save from the stale form (still version 1) must not overwrite version 2.
    stale = browser.client.post(entry + "/edit", data={**edited, "voters_on_list": "901"})
    assert stale.status_code == 409
    assert "newer version" in stale.text
    assert db.execute("SELECT version FROM checklists").fetchone()[0] == 2


def test_other_team_cannot_see_or_edit(app, db, browser):
    browser.login("obs1")
    _data, response = _file(browser, app, db)
    other = Browser(app.test_client())
    other.login("obs3")
    assert other.client.get(response.location).status_code == 404
    assert other.client.get(response.location + "/edit").status_code == 404
    assert not re.findall(r'href="/checklists/\d+"', other.client.get("/checklists").text)
    mine = browser.client.get("/checklists").text
    assert len(re.findall(r'href="/checklists/\d+"', mine)) == 1


@pytest.mark.parametrize("user, path, expected", [
    (None, "/checklists/new", 302),
    (None, "/checklists", 302),
    (None, "/review", 302),
    ("obs1", "/review", 403),
    ("coord", "/checklists/new", 403),
    ("coord", "/review", 200),
    ("liaison", "/review", 200),
    ("admin", "/review", 200),
    ("obs1", "/checklists/new", 200),
])
def test_roles_reach_only_their_pages(browser, user, path, expected):
    if user:
        browser.login(user)
    response = browser.client.get(path)
    assert response.status_code == expected
    if expected == 302:
        assert "/login" in response.location


def test_wrong_password_says_so(browser):
    response = browser.login("obs1", "wrong-password")
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text


def test_reviewer_sees_entry_from_list(app, db, browser):
    browser.login("obs1")
    _data, response = _file(browser, app, db)
    reviewer = Browser(app.test_client())
    reviewer.login("coord")
    listing = reviewer.client.get("/review").text
    assert "Ақтөбе мектебі № 12" in listing
    assert reviewer.client.get(response.location).status_code == 200
    assert reviewer.client.get(response.location + "/edit").status_code == 403


@pytest.mark.parametrize("path", ["/checklists/" + "9" * 30, "/checklists/99999", "/checklists/-1",
                                  "/checklists/referendum/station", "/checklists/voting/new"])
def test_made_up_addresses_get_4xx_not_500(browser, path):
    browser.login("obs1")
    response = browser.client.get(path)
    assert response.status_code in (400, 404)


def test_edit_with_damaged_base_version_is_refused(app, db, browser):
    browser.login("obs1")
    data, response = _file(browser, app, db)
    form = browser.client.get(response.location + "/edit").text
    edited = {**data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": "x1"}
    refused = browser.client.post(response.location + "/edit", data=edited)
    assert refused.status_code == 400
    assert db.execute("SELECT version FROM checklists").fetchone()[0] == 1


def test_entry_sent_back_shows_at_the_top_of_my_entries(app, db, browser):
    from models import review
    browser.login("obs1")
    _data, response = _file(browser, app, db)
    entry_id = int(response.location.rsplit("/", 1)[1])
    coord = db.execute("SELECT id FROM users WHERE username = 'coord'").fetchone()[0]
    review.move(db, "checklist", entry_id, "needs_clarification", coord,
                "Please check the number of voters on the list")
    page = browser.client.get("/checklists").text
    assert "Sent back to you for clarification" in page
    assert "Please check the number of voters on the list" in page
