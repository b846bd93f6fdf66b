"""The reports page in a real (headless) Chromium: the PDF downloads with a progress status.

The request for the PDF is held back until the status has been seen, so the
test waits for events, never for a fixed time (the machine may be busy).
"""

import re

import pytest
from playwright.sync_api import expect

from app import create_app
from models import stations, users
from models.db import connect
from tests.chromium import needs_chromium
from tests.test_browser import (  # noqa: F401 (fixtures)
    STATIONS,
    browser_db_path,
    browser_page,
    browser_server,
)

pytestmark = needs_chromium
PASSWORD = "password1"


@pytest.fixture
def browser_app(browser_db_path):  # noqa: F811 (replaces test_browser's: a coordinator)
    app = create_app({"DATABASE": browser_db_path, "SECRET_KEY": "test"})
    db = connect(browser_db_path)
    try:
        stations.upsert(db, [
            {"number": number, "name": name, "address": address, "region": region,
             "district": district, "timezone": zone, "registered_voters": voters,
             "latitude": None, "longitude": None,
             "search_text": stations.search_text(number, name, address, district)}
            for number, name, address, region, district, zone, voters in STATIONS])
        users.create_user(db, "coord", PASSWORD, "coordinator", None, None)
    finally:
        db.close()
    return app


def test_summary_downloads_after_a_preparing_status(browser_page):  # noqa: F811
    page = browser_page
    page.set_default_timeout(60_000)  # a PDF on a busy machine
    page.goto("/login")
    page.get_by_label("User name").fill("coord")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto("/reports")
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    held = []
    page.route(re.compile(r"/reports/summary\.pdf\?"), lambda route: held.append(route))
    page.locator("input[name=publication]").check()
    page.get_by_role("button", name="Mission summary (PDF)").click()
    status = page.locator("#report-status")
    expect(status).to_contain_text("Preparing the report")
    expect(page.get_by_role("button", name="Mission summary (PDF)")).to_be_disabled()
    assert len(held) == 1 and "publication=1" in held[0].request.url
    with page.expect_download() as download:
        held[0].continue_()
    assert re.fullmatch(r"summary-publication-\d{8}-\d{4}\.pdf",
                        download.value.suggested_filename)
    expect(status).to_contain_text("The report is downloaded.")
    expect(page).to_have_url(re.compile(r"/reports$"))
