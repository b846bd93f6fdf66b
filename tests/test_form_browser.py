"""The checklist form in Chromium: the error banner takes the focus, exclusive choices stay alone.

Reuses the phone-sized browser and server of tests/test_browser.py (CSRF on).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.test_browser import (  # noqa: F401  (fixtures used by name)
    browser_app,
    browser_db_path,
    browser_page,
    browser_server,
    log_in,
    open_voting_form,
    pytestmark,
)

# The machine running the suite is shared: wait for events with generous bounds.
SLOW = 20_000


@pytest.fixture
def phone(browser_page):  # noqa: F811  (the fixture imported above)
    """test_browser's phone-sized page, logged in as the observer."""
    log_in(browser_page)
    return browser_page


def test_refused_form_focuses_the_banner_and_its_links_reach_the_fields(phone):
    page = phone
    open_voting_form(page, "школа", "Школа-гимназия № 5")
    page.get_by_role("button", name="Send checklist").click()
    banner = page.locator("#error-summary")
    expect(banner).to_be_visible(timeout=SLOW)
    expect(banner).to_be_focused(timeout=SLOW)
    expect(page.locator("[role=alert]")).to_have_count(1)
    link = banner.get_by_role("link", name=re.compile(r"^Number of voters on the voter list"))
    link.click()
    expect(page).to_have_url(re.compile(r"#voters_on_list$"), timeout=SLOW)
    expect(page.locator("#voters_on_list")).to_be_focused(timeout=SLOW)


def test_ticking_none_unticks_the_other_observer_groups_and_back(phone):
    page = phone
    open_voting_form(page, "школа", "Школа-гимназия № 5")
    box = {value: page.locator(f"#q-observers_present input[value={value}]")
           for value in ("party", "media", "none")}
    box["party"].check()
    box["media"].check()
    box["none"].check()
    expect(box["none"]).to_be_checked(timeout=SLOW)
    expect(box["party"]).not_to_be_checked(timeout=SLOW)
    expect(box["media"]).not_to_be_checked(timeout=SLOW)
    box["media"].check()
    expect(box["none"]).not_to_be_checked(timeout=SLOW)
    expect(box["media"]).to_be_checked()
