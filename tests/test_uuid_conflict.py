"""A form sent again under its uuid with other content offers the two ways out it names.

"Open a new form with these answers" posts the same answers back and gets the
form again under a fresh uuid (nothing filed); "Edit the entry that was sent"
links to that entry's edit page while its authors may still edit it. Posted the
way a browser posts (CSRF on), for every kind of entry.
"""

import re

import pytest

from models import review
from tests.conftest import Browser
from tests.test_incidents import _file as file_incident
from tests.test_meetings import log_meeting
from tests.test_submit import _file as file_checklist

TABLES = {"checklists": "checklists", "incidents": "incidents", "meetings": "interactions"}


def _checklist(app, db, browser):
    data, sent = file_checklist(browser, app, db)
    return data, sent, {"voters_on_list": "777", "voters_voted": "700"}, "/checklists/voting/new"


def _incident(app, db, browser):
    data, sent = file_incident(browser)
    return data, sent, {"description": "Совсем другое описание"}, "/incidents/new"


def _meeting(app, db, browser):
    data, sent = log_meeting(browser)
    return data, sent, {"summary": "A different summary"}, "/meetings/new"


def _count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _banner(html: str) -> str:
    start = html.index('id="error-summary"')
    return html[start:html.index("</div>", start)]


@pytest.mark.parametrize("kind, send", [("checklists", _checklist), ("incidents", _incident),
                                        ("meetings", _meeting)])
def test_conflict_offers_a_new_form_with_the_answers_and_the_sent_entry(app, db, browser,
                                                                         kind, send):
    browser.login("obs1")
    data, sent, other, url = send(app, db, browser)
    entry_id = int(sent.location.rsplit("/", 1)[1])
    changed = {**data, **other}
    refused = browser.client.post(url, data=changed)
    assert refused.status_code == 409
    banner = _banner(refused.text)
    assert 'name="new_form" value="1"' in banner
    assert re.search(r'<button type="submit" form="(\w+-form)"', banner).group(1) in \
        re.findall(r'<form [^>]*id="(\w+-form)"', refused.text)
    assert f'href="/{kind}/{entry_id}/edit">Edit the entry that was sent</a>' in banner

    # The way out: the same answers under a fresh uuid; nothing is filed yet.
    reopened = browser.client.post(url, data={**changed, "new_form": "1"})
    assert reopened.status_code == 200
    fresh = Browser.hidden(reopened.text, "uuid")
    assert fresh != data["uuid"] and re.fullmatch(r"[0-9a-f-]{36}", fresh)
    assert "error-summary" not in reopened.text
    assert all(value in reopened.text for value in other.values())
    assert _count(db, TABLES[kind]) == 1
    # Sent from there, it is a second entry with the new answers.
    filed = browser.client.post(url, data={**changed, "uuid": fresh})
    assert filed.status_code == 303 and filed.location != sent.location
    assert _count(db, TABLES[kind]) == 2


def test_no_edit_link_once_the_entry_sent_was_verified(app, db, browser):
    browser.login("obs1")
    data, sent, other, url = _checklist(app, db, browser)
    entry_id = int(sent.location.rsplit("/", 1)[1])
    db.execute("UPDATE checklists SET review_state = 'verified' WHERE id = ?", [entry_id])
    db.conn.commit()
    assert "verified" not in review.AUTHOR_EDITABLE
    refused = browser.client.post(url, data={**data, **other})
    assert refused.status_code == 409
    banner = _banner(refused.text)
    assert "Edit the entry that was sent" not in banner
    assert "Open a new form with these answers" in banner


def test_a_damaged_uuid_offers_a_new_form_too(app, db, browser):
    browser.login("obs1")
    data, _sent, other, url = _checklist(app, db, browser)
    refused = browser.client.post(url, data={**data, **other, "uuid": "not-a-uuid"})
    assert refused.status_code == 400
    assert "Open a new form with these answers" in _banner(refused.text)
    reopened = browser.client.post(url, data={**data, **other, "uuid": "x", "new_form": "1"})
    assert reopened.status_code == 200 and 'value="777"' in reopened.text
