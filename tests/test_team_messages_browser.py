"""Messages to teams on an observer's phone (Chromium at 390 px): the home page, and the
offline page, where a confirmation made with no connection waits in the outbox."""

import re
import sqlite3
from contextlib import closing

from playwright.sync_api import expect

from models import team_messages, users
from models.db import connect
from tests import test_offline_browser as phone
from tests.test_offline_browser import SLOW, log_in, open_offline_page

pytestmark = phone.pytestmark
# The same fixtures (pytest finds them as this module's attributes).
offline_db_path = phone.offline_db_path
offline_app = phone.offline_app
offline_server = phone.offline_server
offline_context = phone.offline_context
offline_page = phone.offline_page


def reads(path: str) -> list[int]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute(
            "SELECT message_id FROM message_reads ORDER BY message_id")]


def send_two(path: str) -> tuple[int, int]:
    db = connect(path)
    try:
        coordinator = users.create_user(db, "coord", "password9", "coordinator")
        first = team_messages.send(db, coordinator, "team", "T01",
                                   "Counting in Aktobe starts late.\nStay until the protocol "
                                   "is posted.", 500)
        second = team_messages.send(db, coordinator, "all", None, "Send the opening "
                                    "checklist by 08:30.", 500)
        return first, second
    finally:
        db.close()


def test_an_observer_confirms_on_the_home_page(offline_page, offline_db_path):
    page = offline_page
    first, second = send_two(offline_db_path)
    log_in(page, "obs1")
    messages = page.locator(".team-messages article")
    expect(messages).to_have_count(2)
    expect(messages.first).to_contain_text("Send the opening checklist")  # newest first
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    messages.first.get_by_role("button", name="I have read it").tap()
    expect(page.locator("p.flash")).to_contain_text("you have read the message")
    expect(page.locator(".team-messages article")).to_have_count(1)
    assert reads(offline_db_path) == [second]


def test_a_confirmation_with_no_connection_goes_through_the_outbox(
        offline_page, offline_context, offline_db_path):
    page = offline_page
    first, second = send_two(offline_db_path)
    log_in(page, "obs1")
    open_offline_page(page)
    articles = page.locator("#team-messages article")
    expect(articles).to_have_count(2, timeout=SLOW)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Online: straight to the server.
    articles.nth(0).get_by_role("button", name="I have read it").tap()
    expect(articles.nth(0)).to_contain_text("Read", timeout=SLOW)
    expect(articles.nth(0).get_by_role("button")).to_have_count(0)
    assert reads(offline_db_path) == [second]

    # No connection: the page and the messages come from the phone's copies.
    offline_context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(articles).to_have_count(2, timeout=SLOW)
    expect(articles.nth(0).get_by_role("button")).to_have_count(0)
    articles.nth(1).get_by_role("button", name="I have read it").tap()
    expect(articles.nth(1)).to_contain_text("Confirmed on this phone")
    expect(page.locator("#outbox-count")).to_have_text("1 waiting to send", timeout=SLOW)
    assert reads(offline_db_path) == [second]

    # The next connection sends it (the outbox looks every ~2 s).
    with page.expect_response(lambda r: re.search(r"/api/v1/messages/\d+/read$", r.url)
                              and r.request.method == "POST", timeout=SLOW) as answered:
        offline_context.set_offline(False)
    assert answered.value.status == 201
    expect(page.locator("#outbox-count")).to_have_text("0 waiting to send", timeout=SLOW)
    expect(articles.nth(1).get_by_role("button")).to_have_count(0)
    expect(articles.nth(1)).not_to_contain_text("Confirmed on this phone", timeout=SLOW)
    assert reads(offline_db_path) == [first, second]
