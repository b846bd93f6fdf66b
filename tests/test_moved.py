"""Addresses from before checklists and meetings got their own nouns still lead there."""

import pytest

from tests.conftest import Browser
from tests.test_liaison import file_checklist


@pytest.mark.parametrize("old, new", [
    ("/observe", "/checklists/new"),
    ("/observe/voting/station?q=101", "/checklists/voting/station?q=101"),
    ("/observe/counting/new?station=3&uuid=u", "/checklists/counting/new?station=3&uuid=u"),
    ("/entries", "/checklists"),
    ("/entries/12", "/checklists/12"),
    ("/entries/12/edit", "/checklists/12/edit"),
    ("/entries/12.pdf", "/checklists/12.pdf"),
    ("/interactions", "/meetings"),
    ("/interactions/new?link=C1", "/meetings/new?link=C1"),
    ("/interactions/7", "/meetings/7"),
    ("/interactions/log.pdf?level=cec", "/meetings/log.pdf?level=cec"),
    ("/interactions/overdue", "/meetings/overdue"),
])
def test_old_address_redirects_to_the_new_one(app, old, new):
    response = app.test_client().get(old)
    assert response.status_code == 308
    assert response.location == new


def test_the_offline_page_keeps_its_address(app):
    assert app.test_client().get("/observe/offline").status_code == 302  # to log in, not moved


def test_a_form_opened_before_the_move_is_filed_after_it(app, db):
    """A phone posts a checklist to the old address: the 308 keeps the POST and its body."""
    browser = Browser(app.test_client())
    browser.login("obs1")
    entry_id = file_checklist(app, db, "202", "obs1")
    old = browser.client.get(f"/entries/{entry_id}", follow_redirects=True)
    assert old.status_code == 200 and old.request.path == f"/checklists/{entry_id}"
    token = Browser.hidden(browser.client.get("/login").text, "csrf_token")
    posted = browser.client.post("/interactions/new?uuid=x", data={"csrf_token": token})
    assert posted.status_code == 308 and posted.location == "/meetings/new?uuid=x"
