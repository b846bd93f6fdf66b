"""The audit chain grows with every action, `verify-audit` catches tampering, reviewers read it."""

import json

import pytest

import views.cli_audit
from models import audit, comments, definitions, review
from tests.conftest import Browser, good_answers, station_id, visit


@pytest.fixture
def runner(app):
    # The lead wires views.cli_audit into app.py; until then the test adds it.
    if "verify-audit" not in app.cli.commands:
        views.cli_audit.register(app)
    return app.test_cli_runner()


def _user(db, name: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0]


def _records(db) -> list[tuple]:
    return db.execute("SELECT id, action, user_id, entry_kind, entry_id FROM audit_log"
                      " ORDER BY id").fetchall()


def _file_and_edit(app, db, browser: Browser) -> int:
    """obs1 logs in, files a voting checklist and edits it, as a browser would."""
    browser.login("obs1")
    definition = definitions.get("voting")
    page = browser.client.get(f"/checklists/voting/new?station={station_id(db, '202')}",
                              follow_redirects=True)
    hidden = {name: Browser.hidden(page.text, name)
              for name in ("csrf_token", "uuid", "station_id")}
    data = {**hidden, **visit(), **good_answers(definition)}
    filed = browser.client.post("/checklists/voting/new", data=data)
    assert filed.status_code == 303
    entry = filed.location
    form = browser.client.get(entry + "/edit")
    edited = browser.client.post(entry + "/edit", data={
        **data, "csrf_token": Browser.hidden(form.text, "csrf_token"), "base_version": "1",
        "overall": "bad"})
    assert edited.status_code == 303
    return int(entry.rsplit("/", 1)[1])


@pytest.fixture
def history(app, db, browser):
    """Seven records: login, create, edit, a reviewer's login, review, comment, failed login."""
    entry_id = _file_and_edit(app, db, browser)
    Browser(app.test_client()).login("coord")
    coord = _user(db, "coord")
    review.move(db, "checklist", entry_id, "needs_clarification", coord, "Which station?")
    comments.add(db, "checklist", entry_id, coord, "Please check the station number.")
    Browser(app.test_client()).login("coord", "wrong password")
    return entry_id


def test_chain_grows_on_login_create_edit_review_and_comment(history, db):
    obs1, coord = _user(db, "obs1"), _user(db, "coord")
    assert _records(db) == [
        (1, "login", obs1, None, None),
        (2, "create", obs1, "checklist", history),
        (3, "edit", obs1, "checklist", history),
        (4, "login", coord, None, None),
        (5, "review", coord, "checklist", history),
        (6, "comment", coord, "checklist", history),
        (7, "login_failed", None, None, None)]
    details = [json.loads(row[0]) for row in
               db.execute("SELECT details FROM audit_log ORDER BY id")]
    assert details[2] == {"changed": ["overall"], "version": 2}
    assert details[4] == {"from": "submitted", "to": "needs_clarification",
                          "reason": "Which station?"}
    assert details[6] == {"username": "coord"}
    # Each record points at the one before it.
    hashes = db.execute("SELECT prev_hash, hash FROM audit_log ORDER BY id").fetchall()
    assert hashes[0][0] == audit.GENESIS
    assert all(hashes[i][0] == hashes[i - 1][1] for i in range(1, len(hashes)))


def test_verify_audit_passes_on_an_intact_log(history, runner):
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0
    assert result.output.strip() == "Audit log intact: 7 records checked."


def test_verify_audit_on_an_empty_log(app, runner):
    result = runner.invoke(args=["verify-audit"])
    assert (result.exit_code, result.output.strip()) == \
        (0, "Audit log intact: 0 records checked.")


def test_verify_audit_names_a_record_altered_in_sqlite(history, db, runner):
    db.execute("""UPDATE audit_log SET details = '{"changed": [], "version": 2}' WHERE id = 3""")
    db.conn.commit()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "record 3 was altered" in result.output
    assert "The 2 records before it are intact." in result.output


def test_verify_audit_names_a_record_removed_from_the_middle(history, db, runner):
    db.execute("DELETE FROM audit_log WHERE id = 4")
    db.conn.commit()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "record 4 is missing" in result.output


def test_verify_audit_catches_a_record_rewritten_with_a_fresh_hash(history, db, runner):
    # A careful forger recomputes record 3's own hash; record 4 still points at the old one.
    row = dict(zip(("id", "at_utc", "user_id", "action", "entry_kind", "entry_id", "details",
                    "prev_hash"), db.execute(
        "SELECT id, at_utc, user_id, action, entry_kind, entry_id, details, prev_hash"
        " FROM audit_log WHERE id = 3").fetchone()))
    row["user_id"] = _user(db, "obs2")
    db.execute("UPDATE audit_log SET user_id = ?, hash = ? WHERE id = 3",
               [row["user_id"], audit._digest(row)])
    db.conn.commit()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "record 4 does not follow record 3" in result.output


def test_log_page_lists_newest_first_with_users_and_entry_links(history, browser):
    browser.login("admin")
    page = browser.client.get("/audit")
    assert page.status_code == 200
    html = page.text
    # Newest first: the admin's own login (record 8) before the failed one (7).
    assert html.index('id="record-8"') < html.index('id="record-7"') < html.index('id="record-1"')
    assert "Review decision" in html and "Failed login" in html and "Comment" in html
    assert f'href="/checklists/{history}">Checklist {history}</a>' in html
    assert "<b>reason</b>: Which station?" in html
    assert "<b>changed</b>: overall" in html
    assert "(UTC+5)" in html  # MISSION_TIMEZONE Asia/Almaty: UTC+5 since 2024
    # Verifying is a button, not a cost paid on every page.
    assert "Verify the chain now" in html and "records checked" not in html


@pytest.mark.parametrize("query, shown, hidden", [
    ("action=login", ["record-1", "record-4"], ["record-2", "record-7"]),
    ("user=obs1", ["record-1", "record-2", "record-3"], ["record-4", "record-7"]),
    ("kind=checklist", ["record-2", "record-3", "record-5", "record-6"], ["record-1"]),
    ("action=edit&user=OBS1&kind=checklist", ["record-3"], ["record-2", "record-5"]),
    ("action=nonsense", [], ["record-1"]),
])
def test_log_filters(history, browser, query, shown, hidden):
    browser.login("coord")
    html = browser.client.get(f"/audit?{query}").text
    for record in shown:
        assert f'id="{record}"' in html, record
    for record in hidden:
        assert f'id="{record}"' not in html, record


def test_unknown_user_filter_says_so(history, browser):
    browser.login("coord")
    page = browser.client.get("/audit?user=nobody")
    assert page.status_code == 200
    assert "There is no user named nobody." in page.text


def test_pages_of_fifty_keep_the_filters(app, db, browser):
    coord = _user(db, "coord")
    for n in range(60):
        audit.record(db, "export", coord, details={"n": n})
    browser.login("coord")
    first = browser.client.get("/audit?action=export").text
    assert first.count('<tr id="record-') == 50
    assert 'id="record-60"' in first and 'id="record-11"' in first
    assert 'href="/audit?page=2&amp;action=export"' in first
    second = browser.client.get("/audit?page=2&action=export").text
    assert second.count('<tr id="record-') == 10 and 'id="record-1"' in second
    assert 'href="/audit?page=1&amp;action=export"' in second


@pytest.mark.parametrize("page", ["0", "-1", "x", "99999999999999999999999", "1e3"])
def test_odd_page_numbers_are_not_errors(browser, page):
    browser.login("coord")
    assert browser.client.get(f"/audit?page={page}").status_code == 200


def test_verify_button_reports_intact_then_broken(history, db, browser):
    browser.login("coord")
    assert "Audit log intact: 8 records checked." in browser.client.get("/audit/verify").text
    db.execute("UPDATE audit_log SET action = 'edit' WHERE id = 2")
    db.conn.commit()
    page = browser.client.get("/audit/verify")
    assert page.status_code == 200
    assert "Audit log broken: record 2 was altered." in page.text
    assert "The record before it is intact." in page.text


@pytest.mark.parametrize("path", ["/audit", "/audit/verify"])
@pytest.mark.parametrize("user, status", [("coord", 200), ("admin", 200), ("obs1", 403),
                                          ("obs3", 403), ("liaison", 403)])
def test_only_coordinators_and_admins_read_the_log(browser, path, user, status):
    browser.login(user)
    assert browser.client.get(path).status_code == status


@pytest.mark.parametrize("path", ["/audit", "/audit/verify"])
def test_anonymous_is_sent_to_login(browser, path):
    response = browser.client.get(path)
    assert response.status_code == 302 and "/login" in response.location
