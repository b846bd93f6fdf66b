"""The checklist form in Chromium: the error banner takes the focus, exclusive choices stay alone.

Reuses the phone-sized browser and server of tests/test_browser.py (CSRF on).
"""

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from models import stations
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


# Ticks the first answer of every visible radio group and fills every visible empty
# box, until nothing required is left (follow-ups appear as answers are given).
FILL_THE_REST = """(form) => {
  for (let round = 0; round < 4; round += 1) {
    const shown = (node) => node.offsetParent !== null;
    const groups = new Set([...form.querySelectorAll("input[type=radio]")].filter(shown)
      .map((r) => r.name));
    for (const name of groups) {
      if (!form.querySelector(`input[type=radio][name="${name}"]:checked`)) {
        form.querySelector(`input[type=radio][name="${name}"]`).click();
      }
    }
    for (const box of [...form.querySelectorAll("fieldset")].filter(shown)) {
      const ticks = box.querySelectorAll("input[type=checkbox]");
      if (ticks.length > 1 && !box.querySelector("input[type=checkbox]:checked")) {
        ticks[ticks.length - 1].click();
      }
    }
    for (const input of [...form.querySelectorAll("input[inputmode=numeric]")].filter(shown)) {
      if (!input.value && !input.name.startsWith("protocol-")) {
        input.value = input.placeholder === "HH:MM" ? "20:30" : "1";
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
  }
}"""


def test_a_protocol_typed_on_the_phone_reaches_the_server_with_the_checklist(
        phone, browser_db_path):  # noqa: F811
    """With JavaScript the form goes through the outbox as JSON: the protocol section's
    figures must go with it, as {contest: {item: number}}, and be stored."""
    page = phone
    page.goto("/checklists/counting/station")
    page.get_by_label("Station number or part of its name").fill("гимназия")
    page.get_by_role("button", name="Find").tap()
    page.locator("ul.stations li").first.get_by_role("link").tap()
    expect(page).to_have_url(re.compile(r"/checklists/counting/new\?station=\d+&uuid="),
                             timeout=SLOW)
    form = page.locator("#checklist-form[data-offline-ready]")
    expect(form).to_have_count(1, timeout=SLOW)
    figures = {"voters_on_list": "1500", "ballots_received": "1500", "ballots_issued": "900",
               "ballots_cancelled": "600", "ballots_in_boxes": "900", "invalid": "20",
               "valid": "880", "amanat": "500", "auyl": "380"}
    for item, value in figures.items():
        page.locator(f"[name=protocol-list-{item}]").fill(value)
    for party in ("respublica", "aq_zhol", "peoples_party", "nsdp", "baytaq", "against_all"):
        page.locator(f"[name=protocol-list-{party}]").fill("0")
    page.locator("#arrival_date").fill("2023-03-19")
    page.locator("#arrival_time").fill("19:40")
    page.locator("#departure_date").fill("2023-03-19")
    page.locator("#departure_time").fill("23:30")
    page.locator("#checklist-form").evaluate(FILL_THE_REST)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/checklists")
                              and r.request.method == "POST", timeout=SLOW) as answered:
        page.get_by_role("button", name="Send checklist").click()
    assert answered.value.status == 201, answered.value.text()
    protocol = answered.value.request.post_data_json["protocol"]
    assert protocol["list"] == {item: int(value) for item, value in figures.items()} | {
        "respublica": 0, "aq_zhol": 0, "peoples_party": 0, "nsdp": 0, "baytaq": 0,
        "against_all": 0}
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"), timeout=SLOW)
    with sqlite3.connect(browser_db_path) as db:
        stored = dict(db.execute("SELECT item, value FROM protocol_figures"
                                 " WHERE contest = 'list'").fetchall())
    assert stored["amanat"] == 500 and stored["valid"] == 880 and len(stored) == 15


def test_a_photo_can_be_about_a_protocol_section(phone):
    """The photo picker on the counting form offers each protocol section first."""
    page = phone
    page.goto("/checklists/counting/station")
    page.get_by_label("Station number or part of its name").fill("гимназия")
    page.get_by_role("button", name="Find").tap()
    page.locator("ul.stations li").first.get_by_role("link").tap()
    expect(page.locator("#checklist-form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    first = page.locator("#photo-question option").nth(1)
    expect(first).to_have_attribute("value", "protocol-list", timeout=SLOW)
    expect(first).to_contain_text("Protocol")


def test_a_form_the_server_refused_has_one_live_region(browser_page):  # noqa: F811
    """The server's banner is the page's one alert; the phone's own (for problems it finds)
    waits hidden without the role until it has something to say."""
    page = browser_page
    log_in(page)
    open_voting_form(page, "школа", "Школа-гимназия № 5")
    expect(page.locator("#checklist-form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    # Sent past the phone's own check (as a phone with an old script would): the server
    # refuses it and draws its banner.
    page.locator("#checklist-form").evaluate("form => HTMLFormElement.prototype.submit.call(form)")
    expect(page.locator("#error-summary")).to_be_visible(timeout=SLOW)
    expect(page.locator("#checklist-form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    expect(page.locator("[role=alert]")).to_have_count(1)


FOLDED_ALIKE = ["Ақсай", "аксай", "Aqsai", "Талдыбұлақ", "талдыбулак", "Семей", "Semey",
                "Шымкент", "Shymkent", "Қарағанды", "Qaragandy", "Жетісу", "Jetisu",
                "Өскемен", "Öskemen", "  Школа-гимназия   № 5 ", "ЁЛКА", "Şımkent"]


def test_the_phone_folds_station_names_as_the_server_does(phone):
    """Offline, the phone searches its cached stations: "Semey" must find "Семей" there as
    on the server, so both fold every letter the same way."""
    folded = phone.evaluate("""async (words) => {
        const { fold } = await import("/static/offline/stations.js");
        return words.map(fold);
    }""", FOLDED_ALIKE)
    assert folded == [stations.fold(word) for word in FOLDED_ALIKE]
    assert stations.fold("Semey") == stations.fold("Семей")
