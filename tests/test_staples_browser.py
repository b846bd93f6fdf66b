"""The four checklists with the ODIHR staples, on a 390 px phone in Debian's Chromium:
nothing sticks out sideways, follow-ups appear only when their answer calls for them,
and a filed checklist of each type (demo answers, the new questions filled) shows."""


import pytest
from playwright.sync_api import Page, expect

from app import create_app
from models import demo
from models.db import connect
from tests.chromium import PHONE, needs_chromium, served
from tests.chromium import chromium as launch_chromium

pytestmark = needs_chromium
# Per form: a question, the answer that opens its follow-up, and the follow-up.
FOLLOW_UPS = {
    "opening": ("opened_on_time", "No", "minutes_late"),
    "voting": ("supplementary_list_used", "Yes", "supplementary_repeated"),
    "counting": ("mobile_box_counted", "Yes", "mobile_checked_against_requests"),
    "tabulation": ("recounts", "Yes", "recounts_by_procedure"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A small demo mission served from a background thread; yields (base URL, ids)."""
    path = str(tmp_path_factory.mktemp("staples") / "staples.sqlite")
    app = create_app({"DATABASE": path, "SECRET_KEY": "test"})
    db = connect(path)
    try:
        demo.generate(db, 20, 80)
        row = db.execute("SELECT team, station_id FROM checklists ORDER BY id").fetchone()
        observer = db.execute("SELECT username FROM users WHERE team = ? ORDER BY id",
                              [row[0]]).fetchone()[0]
        # Every type's first checklist: the coordinator reads them all.
        entries = dict(db.execute("SELECT form_type, min(id) FROM checklists GROUP BY 1"))
    finally:
        db.close()
    with served(app, "staples-server") as base:
        yield base, observer, row[1], entries


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser


def _phone(chromium, base: str, username: str) -> Page:
    context = chromium.new_context(base_url=base, locale="en-GB", **PHONE)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"), timeout=30_000)
    return page


def test_forms_fit_a_phone_and_ask_follow_ups_only_when_called_for(chromium, server):
    base, observer, station, _entries = server
    page = _phone(chromium, base, observer)
    try:
        for kind, (question, answer, follow_up) in FOLLOW_UPS.items():
            response = page.goto(f"/checklists/{kind}/new?station={station}")
            assert response is not None and response.ok, kind
            expect(page.locator("#q-procedures_followed")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, kind
            expect(page.locator(f"#q-{follow_up}")).to_be_hidden()
            page.locator(f"#q-{question} label.choice").filter(
                has=page.get_by_text(answer, exact=True)).tap()
            expect(page.locator(f"#q-{follow_up}")).to_be_visible()
    finally:
        page.context.close()


def test_filed_checklists_show_the_new_answers_on_a_phone(chromium, server):
    base, _observer, _station, entries = server
    page = _phone(chromium, base, "coordinator1")
    try:
        for kind, entry_id in entries.items():
            response = page.goto(f"/checklists/{entry_id}")
            assert response is not None and response.ok, kind
            expect(page.locator("main")).to_contain_text(
                "How well did the commission understand the procedures?")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, kind
    finally:
        page.context.close()
