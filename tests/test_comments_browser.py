"""The comment box in Chromium: a counter near the limit, a message instead of a silent cut."""

import sqlite3
from contextlib import closing

from playwright.sync_api import expect

from models import users
from models.db import connect
from tests.test_browser import browser_app as browser_app  # noqa: F401 (fixture)
from tests.test_browser import browser_db_path as browser_db_path  # noqa: F401 (fixture)
from tests.test_browser import browser_page as browser_page  # noqa: F401 (fixture)
from tests.test_browser import browser_server as browser_server  # noqa: F401 (fixture)
from tests.test_browser import log_in
from tests.test_browser import pytestmark as pytestmark  # noqa: F401 (skip without chromium)
from tests.test_liaison import file_checklist

LIMIT = 100
WAIT = 30_000  # ms: a shared, busy machine; each expect returns as soon as it holds


def _comment_count(path: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT count(*) FROM comments").fetchone()[0]


def test_the_counter_warns_near_the_limit_and_holds_back_a_long_comment(
        browser_app, browser_page, browser_db_path):
    browser_app.config["MAX_TEXT_LENGTH"] = LIMIT
    db = connect(browser_db_path)
    try:
        assert users.find_by_username(db, "obs1")
        entry_id = file_checklist(browser_app, db, "202", "obs1")
    finally:
        db.close()
    page = browser_page
    log_in(page)
    page.goto(f"/checklists/{entry_id}")
    box = page.locator("#body")
    counter = page.locator("#body-count")
    box.fill("a" * 50)
    expect(counter).to_be_hidden(timeout=WAIT)
    box.fill("a" * 85)
    expect(counter).to_have_text("15 characters left", timeout=WAIT)
    # A paste longer than the limit is kept whole (no silent cut) and the counter says by how much.
    box.fill("b" * (LIMIT + 30))
    expect(counter).to_have_text("30 characters too many: shorten the text to send it.",
                                 timeout=WAIT)
    assert len(box.input_value()) == LIMIT + 30
    page.get_by_role("button", name="Add comment").click()
    expect(box).to_be_focused(timeout=WAIT)
    assert _comment_count(browser_db_path) == 0
    box.fill("Short enough now.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("p.comment")).to_contain_text("Short enough now.", timeout=WAIT)
    assert _comment_count(browser_db_path) == 1
