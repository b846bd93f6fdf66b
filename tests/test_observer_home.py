"""The observer's home: a badge and a link when entries are sent back to their team."""

import re

import pytest

from models import definitions, review
from tests.conftest import Browser, good_answers, station_id, visit


def _file(app, db, user: str) -> int:
    browser = Browser(app.test_client())
    browser.login(user)
    hidden = browser.open_form("voting", station_id(db, "202"))
    data = {**hidden, **visit(), **good_answers(definitions.get("voting"))}
    response = browser.client.post("/checklists/voting/new", data=data)
    assert response.status_code == 303, response.text
    return int(response.location.rsplit("/", 1)[1])


def _coordinator(db) -> int:
    return db.execute("SELECT id FROM users WHERE username = 'coord'").fetchone()[0]


def _badge(browser: Browser) -> str | None:
    page = browser.client.get("/checklists/new")
    assert page.status_code == 200
    match = re.search(r'<span class="count">(\d+)</span>\s*([^<]+)</a>', page.text)
    if match is None:
        assert "sent-back" not in page.text
        return None
    assert 'href="/checklists#sent-back"' in page.text
    return f"{match.group(1)} {match.group(2).strip()}"


@pytest.mark.parametrize("sent_back, other_team, expected", [
    (0, 0, None),
    (1, 0, "1 entry was sent back to your team for clarification: open it, answer and "
           "send it again."),
    (2, 0, "2 entries were sent back to your team for clarification: open them, answer "
           "and send them again."),
    (0, 1, None),  # obs3 is in another team
])
def test_home_counts_the_entries_sent_back(app, db, sent_back, other_team, expected):
    for _ in range(sent_back):
        review.move(db, "checklist", _file(app, db, "obs2"), "needs_clarification",
                    _coordinator(db), "Which voters were turned away?")
    for _ in range(other_team):
        review.move(db, "checklist", _file(app, db, "obs3"), "needs_clarification",
                    _coordinator(db), "Check the time.")
    _file(app, db, "obs1")  # submitted, not sent back: not counted
    browser = Browser(app.test_client())
    browser.login("obs1")
    assert _badge(browser) == expected


def test_the_badge_goes_once_the_entry_is_verified(app, db):
    entry_id = _file(app, db, "obs1")
    review.move(db, "checklist", entry_id, "needs_clarification", _coordinator(db), "Why?")
    browser = Browser(app.test_client())
    browser.login("obs1")
    assert _badge(browser).startswith("1 entry")
    page = browser.client.get("/checklists")
    assert 'id="sent-back"' in page.text and "Why?" in page.text
    review.move(db, "checklist", entry_id, "verified", _coordinator(db))
    assert _badge(browser) is None
