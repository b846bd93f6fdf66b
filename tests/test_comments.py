"""Comment threads stay bounded: one length limit from one setting, a cap per entry,
a per-user rate limit, and entry pages that show only the latest comments and versions."""

import re

import pytest

from models import checklists, comments, definitions, entries, users
from tests.conftest import Browser, good_answers
from tests.test_liaison import file_checklist


@pytest.fixture
def entry(app, db) -> int:
    return file_checklist(app, db, "202", "obs1")


def _browser(app, name: str = "obs1") -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(name).status_code == 302
    return browser


def _post(browser: Browser, entry_id: int, body: str):
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      browser.client.get("/checklists").text).group(1)
    return browser.client.post(f"/review/checklist/{entry_id}/comments",
                               data={"csrf_token": token, "body": body})


def _fill(db, entry_id: int, n: int, author: str = "coord") -> None:
    author_id = users.find_by_username(db, author)["id"]
    for i in range(n):
        comments.add(db, "checklist", entry_id, author_id, f"Comment number {i + 1}.")


def _field(html: str) -> str:
    match = re.search(r'<div class="field[^"]*"[^>]*id="q-body">.*?</div>', html, re.S)
    return match.group(0) if match else ""


# --- one length limit, from MAX_TEXT_LENGTH ------------------------------------------------

@pytest.mark.parametrize("limit, body, status, message", [
    (2000, "x" * 2000, 303, ""),
    (2000, "x" * 2001, 400, "limited to 2000 characters (it has 2001)"),
    (2000, "  " + "x" * 2000 + "\n ", 303, ""),                 # surrounding space is not kept
    (2000, "a\r\n" * 666 + "ab", 303, ""),                       # a line break counts once
    (2000, "я" * 2001, 400, "limited to 2000 characters (it has 2001)"),
    (2000, "😀" * 2000, 303, ""),                                # characters, not UTF-16 units
    (100, "x" * 101, 400, "limited to 100 characters (it has 101)"),
    (100, "", 400, "Write the comment first."),
])
def test_comment_length_is_the_one_setting(app, db, entry, limit, body, status, message):
    app.config["MAX_TEXT_LENGTH"] = limit
    response = _post(_browser(app), entry, body)
    assert response.status_code == status
    if message:
        assert message in _field(response.text)
        # What was typed comes back to be shortened, never cut.
        assert body.strip() in response.text
    assert comments.count(db, "checklist", entry) == (1 if status == 303 else 0)


def test_the_comment_box_carries_the_limit_and_the_counters_words(app, entry):
    app.config["MAX_TEXT_LENGTH"] = 1500
    page = _browser(app).client.get(f"/checklists/{entry}").text
    box = re.search(r"<textarea[^>]*>", _field(page)).group(0)
    assert 'maxlength="1500"' in box and "data-count" in box
    assert 'data-count-left="%(n)s characters left"' in box
    assert "characters too many" in box
    assert re.search(r'src="/static/textcount\.[0-9a-f]+\.js"', page)


def test_the_readme_states_the_comment_limit_from_the_setting(app):
    from tests.test_docs import README
    assert f"| `MAX_TEXT_LENGTH` | {app.config['MAX_TEXT_LENGTH']} |" in README


# --- at most COMMENTS_PER_ENTRY per entry ------------------------------------------------------

def test_a_full_thread_says_so_by_the_box_and_takes_no_more(app, db, entry):
    app.config["COMMENTS_PER_ENTRY"] = 3
    _fill(db, entry, 2)
    browser = _browser(app)
    assert _post(browser, entry, "The third one fits.").status_code == 303
    page = browser.client.get(f"/checklists/{entry}").text
    assert 'id="comments-full"' in page and "reached its 3 comments" in page
    assert 'class="comment-form"' not in page
    refused = _post(browser, entry, "A fourth.")
    assert refused.status_code == 409
    assert "reached its 3 comments" in _field(refused.text) and "A fourth." in refused.text
    assert comments.count(db, "checklist", entry) == 3


def test_the_model_refuses_past_the_cap(db, entry):
    _fill(db, entry, 2)
    with pytest.raises(comments.ThreadFull):
        comments.add(db, "checklist", entry, 1, "third", max_per_entry=2)
    assert comments.count(db, "checklist", entry) == 2
    audited = db.execute("SELECT count(*) FROM audit_log WHERE action = 'comment'").fetchone()[0]
    assert audited == 2


# --- writing comments is rate-limited per user -----------------------------------------------

def test_writing_comments_fast_gets_a_clear_429(app, db, entry):
    app.config["COMMENT_LIMIT_PER_USER"] = "3 per minute"
    obs1 = _browser(app)
    for i in range(3):
        assert _post(obs1, entry, f"Comment {i}").status_code == 303
    blocked = _post(obs1, entry, "One too many")
    assert blocked.status_code == 429
    assert "faster than this server allows" in blocked.text and "not saved" in blocked.text
    assert comments.count(db, "checklist", entry) == 3
    # Another user is not held back by obs1's pace.
    assert _post(_browser(app, "obs2"), entry, "From obs2").status_code == 303


def test_refused_comments_do_not_count_against_the_rate(app, entry):
    app.config["COMMENT_LIMIT_PER_USER"] = "2 per minute"
    obs1 = _browser(app)
    for _ in range(4):
        assert _post(obs1, entry, "").status_code == 400
    assert _post(obs1, entry, "Now a real one").status_code == 303


# --- entry pages show the latest N comments and versions ---------------------------------------

def test_the_page_shows_the_latest_comments_and_counts_the_rest(app, db, entry):
    app.config["ENTRY_PAGE_LATEST"] = 5
    _fill(db, entry, 12)
    page = _browser(app).client.get(f"/checklists/{entry}").text
    shown = re.findall(r"Comment number (\d+)\.", page)
    assert shown == ["8", "9", "10", "11", "12"]
    assert "7 earlier comments are not shown here" in page


def test_a_short_thread_is_shown_whole(app, db, entry):
    _fill(db, entry, 3)
    page = _browser(app).client.get(f"/checklists/{entry}").text
    assert re.findall(r"Comment number (\d+)\.", page) == ["1", "2", "3"]
    assert "earlier comment" not in page


def test_the_page_shows_the_latest_versions_and_counts_the_rest(app, db, entry):
    app.config["ENTRY_PAGE_LATEST"] = 2
    row = db.execute("SELECT uuid, station_id, author_id FROM checklists WHERE id = ?",
                     [entry]).fetchone()
    definition = definitions.get("voting")
    for version, overall in enumerate(("good", "bad", "good"), start=1):
        filing = checklists.Filing(
            uuid=row[0], form_type="voting", form_version=definition.version,
            station_id=row[1], timezone="Asia/Almaty", arrival_utc="2023-03-19T04:00:00Z",
            departure_utc="2023-03-19T04:40:00Z", answers=good_answers(definition),
            overall=overall, serious_count=0)
        assert entries.edit(db, checklists.CHECKLISTS, entry, version, filing, row[2])
    page = _browser(app).client.get(f"/checklists/{entry}").text
    history = page.split('class="card history"', 1)[1]
    assert re.findall(r"Version (\d+)", history) == ["3", "4"]
    assert "2 earlier versions are not shown here" in history
