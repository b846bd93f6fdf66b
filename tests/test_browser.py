"""End-to-end in a real (headless) Chromium on a phone-sized screen.

Issue: "log in, file a voting checklist for a station found by typing part of
its Cyrillic name, see it in My entries, resubmit the same form, still one
entry." Self-contained: the fixtures here are prefixed ``browser_`` and do not
use conftest.py. CSRF stays on, as in production. Debian's Chromium is used
(never ``playwright install``).
"""

import json
import re
import sqlite3
from contextlib import closing

import pytest
from playwright.sync_api import Page, expect

from app import create_app
from models import stations, users
from models.db import connect
from tests.chromium import PHONE, chromium, needs_chromium, served

pytestmark = needs_chromium

USERNAME, PASSWORD = "obs1", "password1"
STATIONS = [
    # number, name, address, region, district, timezone, registered voters
    ("101", "Школа-гимназия № 5", "ул. Абая, 10", "Astana", "Almaty district",
     "Asia/Almaty", 1500),
    ("202", "Ақтөбе мектебі № 12", "пр. Абилкайыр хана, 3", "Aktobe", "Aktobe city",
     "Asia/Aqtobe", 1200),
    ("303", "Дом культуры", "ул. Ленина, 1", "Almaty", "Medeu district", "Asia/Almaty", 900),
]

# Every required voting question answered without a problem; the skip logic
# (turned away, mobile box, unauthorized persons) keeps the follow-ups unasked.
NO_PROBLEM_ANSWERS = {
    "identical_signatures": "No", "overcrowded": "No", "accessible_disabilities": "Yes",
    "campaign_material": "No", "tension": "No", "intimidation": "No",
    "boxes_sealed": "Yes", "voter_id_checked": "Yes", "all_ballots_issued": "Yes",
    "secrecy_respected": "Yes", "group_voting": "No", "proxy_voting": "No",
    "multiple_voting": "No", "ballot_box_stuffing": "No", "voters_turned_away": "No",
    "mobile_box_used": "No", "unauthorized_present": "No", "observers_restricted": "No",
    "observers_expelled": "No", "complaints_filed": "No",
    # Added with the ODIHR staples (voting v2).
    "supplementary_list_used": "No", "voting_without_id": "No", "voting_not_on_list": "No",
    "absentee_certificates": "No", "ballots_photographed": "No", "vote_buying": "No",
    "carousel_voting": "No", "assisted_voting": "No", "observers_see_identification": "Yes",
    "procedures_followed": "Yes", "commission_understanding": "Good",
    "commission_transparency": "Good",
}


# --------------------------------------------------------------------------- fixtures

@pytest.fixture
def browser_db_path(tmp_path):
    return str(tmp_path / "browser.sqlite")


@pytest.fixture
def browser_app(browser_db_path):
    app = create_app({"DATABASE": browser_db_path, "SECRET_KEY": "test"})
    db = connect(browser_db_path)
    try:
        stations.upsert(db, [
            {"number": number, "name": name, "address": address, "region": region,
             "district": district, "timezone": zone, "registered_voters": voters,
             "latitude": None, "longitude": None,
             "search_text": stations.search_text(number, name, address, district)}
            for number, name, address, region, district, zone, voters in STATIONS])
        users.create_user(db, USERNAME, PASSWORD, "observer", "T01", "Aktobe")
    finally:
        db.close()
    return app


@pytest.fixture
def browser_server(browser_app):
    """The app on a free local port, served from a background thread."""
    with served(browser_app, "browser-server") as base:
        yield base


@pytest.fixture
def browser_page(browser_server):
    """A phone-sized Chromium page; everything is closed before the server stops."""
    yield from phone_page(browser_server, script=True)


@pytest.fixture
def plain_page(browser_server):
    """The same phone with JavaScript off: the plain forms, as they post without scripts."""
    yield from phone_page(browser_server, script=False)


def phone_page(browser_server: str, script: bool):
    with chromium() as browser:
        context = browser.new_context(base_url=browser_server, locale="en-GB",
                                      java_script_enabled=script, **PHONE)
        context.set_default_timeout(10_000)
        try:
            yield context.new_page()
        finally:
            context.close()


# --------------------------------------------------------------------------- helpers

def browser_count_checklists(path: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT count(*) FROM checklists").fetchone()[0]


def log_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/checklists/new$"))


def open_voting_form(page: Page, typed: str, station_name: str) -> None:
    """From the observer home: Voting, search by part of the name, tap the station."""
    page.get_by_role("link", name=re.compile(r"^Voting")).tap()
    expect(page).to_have_url(re.compile(r"/checklists/voting/station$"))
    page.get_by_label("Station number or part of its name").fill(typed)
    page.get_by_role("button", name="Find").tap()
    results = page.locator("ul.stations li")
    expect(results).to_have_count(1)
    expect(results).to_contain_text(station_name)
    results.get_by_role("link").tap()
    expect(page).to_have_url(re.compile(r"/checklists/voting/new\?station=\d+&uuid=[0-9a-f-]{36}$"))
    expect(page.locator("p.station-head")).to_contain_text(station_name)


def choose(page: Page, question: str, label: str) -> None:
    """Tap the visible label of one choice (not the tiny radio itself)."""
    page.locator(f"#q-{question} label.choice").filter(
        has=page.get_by_text(label, exact=True)).tap()


def fill_visit(page: Page) -> None:
    page.locator("#arrival_date").fill("2023-03-19")
    page.locator("#arrival_time").fill("10:00")
    page.locator("#departure_date").fill("2023-03-19")
    page.locator("#departure_time").fill("10:40")


# --------------------------------------------------------------------------- tests

def fill_no_problem_checklist(page: Page) -> None:
    """Visit 19.03.2023 10:00-10:40, every required question, overall Good."""
    fill_visit(page)
    page.locator("#voters_on_list").fill("1500")
    page.locator("#voters_voted").fill("420")
    for question, label in NO_PROBLEM_ANSWERS.items():
        choose(page, question, label)
    page.locator("#q-observers_present label.choice").filter(
        has=page.get_by_text("Media representatives", exact=True)).tap()
    choose(page, "overall", "Good")
    page.locator("#comments").fill("Всё спокойно.")


def test_file_voting_checklist_and_resubmit_keeps_one_entry(browser_page, browser_db_path):
    page = browser_page
    station = "Школа-гимназия № 5"
    log_in(page)
    # Upper case although the registry has it in lower case: matched via casefold.
    open_voting_form(page, "ГИМНАЗИЯ", station)
    expect(page.locator("p.station-head")).to_contain_text("Asia/Almaty")

    # Skip logic (static/skip.js): a follow-up is asked only while its answer calls for it.
    follow_up = page.locator("#q-notes_turned_away")
    expect(follow_up).to_be_hidden()
    choose(page, "voters_turned_away", "Yes")
    expect(follow_up).to_be_visible()
    fill_no_problem_checklist(page)
    # Skip logic: follow-ups of the "no" answers are not shown.
    for follow_up in ("notes_turned_away", "mobile_request_list", "unauthorized_who",
                      "supplementary_count", "supplementary_repeated",
                      "absentee_procedure_followed", "assisted_voting_problems"):
        expect(page.locator(f"#q-{follow_up}")).to_be_hidden()
    expect(page.locator("#overall-1")).to_be_checked()
    # Nothing sticks out sideways on a 390 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    uuid = page.locator("#uuid").input_value()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", uuid)
    page.screenshot(path="/tmp/form.png", full_page=True)

    # With JavaScript, Send goes through the phone's outbox: the JSON API, the form's uuid.
    with page.expect_request(lambda r: r.method == "POST") as sent:
        page.get_by_role("button", name="Send checklist").click()
    posted = sent.value.post_data
    assert sent.value.url.endswith("/api/v1/checklists")
    assert json.loads(posted)["uuid"] == uuid
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"))
    expect(page.locator(".flash")).to_have_text("Checklist received.")
    answers = page.locator("dl.card.answers")
    # Shown in the station's local time (Almaty was UTC+6 in March 2023).
    expect(answers).to_contain_text("19.03.2023 10:00 (UTC+6)")
    expect(answers).to_contain_text("19.03.2023 10:40 (UTC+6)")
    expect(answers).to_contain_text("Good")
    expect(page.locator("h1")).to_contain_text("No. 101")

    page.get_by_role("navigation").get_by_role("link", name="My entries").tap()
    expect(page).to_have_url(re.compile(r"/checklists$"))
    entries = page.locator("ul.entries li")
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text(station)
    expect(entries).to_contain_text("19.03.2023 10:00")
    assert browser_count_checklists(browser_db_path) == 1

    # The phone sends the very same entry again (a retry after a lost answer):
    # the outbox re-posts exactly the body it sent the first time.
    again = page.evaluate("""async ([action, body]) => {
        const token = (await (await fetch("/observe/offline/token")).json()).csrf_token;
        const response = await fetch(action, { method: "POST", body,
            headers: { "Content-Type": "application/json", "X-CSRFToken": token } });
        return [response.status, (await response.json()).uuid];
    }""", [sent.value.url, posted])
    assert again == [200, uuid]
    assert browser_count_checklists(browser_db_path) == 1


def test_plain_form_without_script_files_once_and_resubmits_once(plain_page, browser_db_path):
    """No JavaScript: the form posts itself, and a re-post of the same fields files nothing."""
    page = plain_page
    log_in(page)
    open_voting_form(page, "ГИМНАЗИЯ", "Школа-гимназия № 5")
    fill_no_problem_checklist(page)
    uuid = page.locator("#uuid").input_value()
    with page.expect_request(lambda r: r.method == "POST") as sent:
        page.get_by_role("button", name="Send checklist").click()
    posted = sent.value.post_data
    assert f"uuid={uuid}" in posted
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"))
    entry_url = page.url
    expect(page.locator(".flash")).to_have_text("Checklist received.")
    expect(page.locator("h1")).to_contain_text("No. 101")
    assert browser_count_checklists(browser_db_path) == 1

    # The phone sends the very same form again (a retry after a lost answer,
    # a second tap): the browser re-posts exactly the fields it sent the first time.
    page.evaluate("""([action, body]) => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = action;
        for (const [name, value] of new URLSearchParams(body)) {
            const input = document.createElement("input");
            input.type = "hidden";
            input.name = name;
            input.value = value;
            form.append(input);
        }
        document.body.append(form);
        form.submit();
    }""", [sent.value.url, posted])
    expect(page).to_have_url(entry_url)
    expect(page.locator(".flash")).to_have_text(
        "This checklist had already been received; nothing was duplicated.")

    page.get_by_role("navigation").get_by_role("link", name="My entries").tap()
    expect(page.locator("ul.entries li")).to_have_count(1)
    assert browser_count_checklists(browser_db_path) == 1


def test_back_to_filled_form_and_send_again_keeps_one_entry(browser_page, browser_db_path):
    page = browser_page
    log_in(page)
    open_voting_form(page, "школа", "Школа-гимназия № 5")
    fill_no_problem_checklist(page)
    page.get_by_role("button", name="Send checklist").click()
    expect(page.locator(".flash")).to_have_text("Checklist received.")

    entry_url = page.url
    # Back reaches the form's address, which carries the uuid already used:
    # the app answers with the entry instead of a blank form to file twice.
    page.go_back()
    expect(page).to_have_url(entry_url)
    expect(page.locator(".flash")).to_have_text(
        "This checklist had already been received; nothing was duplicated.")
    assert browser_count_checklists(browser_db_path) == 1


def test_missing_required_answer_shows_error_and_keeps_input(browser_page, browser_db_path):
    page = browser_page
    station = "Ақтөбе мектебі № 12"
    log_in(page)
    open_voting_form(page, "АҚТӨБЕ", station)
    expect(page.locator("p.station-head")).to_contain_text("Asia/Aqtobe")

    fill_visit(page)
    page.locator("#voters_on_list").fill("1200")
    page.locator("#voters_voted").fill("300")
    for question, label in NO_PROBLEM_ANSWERS.items():
        if question != "complaints_filed":  # left unanswered on purpose
            choose(page, question, label)
    choose(page, "overall", "Good")
    uuid = page.locator("#uuid").input_value()
    page.get_by_role("button", name="Send checklist").click()

    # Same form, with the summary and the message at the missing question (checked
    # on the phone with JavaScript, by the server without: see the plain test below).
    expect(page).to_have_url(re.compile(r"/checklists/voting/new"))
    expect(page.locator("p.summary")).to_contain_text("Some answers need attention")
    missing = page.locator("#q-complaints_filed")
    expect(missing).to_have_class(re.compile(r"\bhas-error\b"))
    expect(missing.locator(".error")).to_have_text("This question needs an answer.")
    expect(page.locator(".field.has-error")).to_have_count(1)
    # Nothing typed was lost.
    expect(page.locator("#arrival_date")).to_have_value("2023-03-19")
    expect(page.locator("#arrival_time")).to_have_value("10:00")
    expect(page.locator("#departure_time")).to_have_value("10:40")
    expect(page.locator("#voters_on_list")).to_have_value("1200")
    expect(page.locator("#q-overcrowded input[value=no]")).to_be_checked()
    expect(page.locator("#q-accessible_disabilities input[value=yes]")).to_be_checked()
    expect(page.locator("#overall-1")).to_be_checked()
    expect(page.locator("#uuid")).to_have_value(uuid)
    expect(page.locator("p.station-head")).to_contain_text(station)
    assert browser_count_checklists(browser_db_path) == 0

    # Answering it and sending again files the checklist.
    choose(page, "complaints_filed", "No")
    page.get_by_role("button", name="Send checklist").click()
    expect(page.locator(".flash")).to_have_text("Checklist received.")
    expect(page.locator("dl.card.answers")).to_contain_text("19.03.2023 10:00 (UTC+5)")
    assert browser_count_checklists(browser_db_path) == 1


def test_time_fields_show_19_30_in_a_us_english_browser(browser_server):
    """In en-US Chromium an <input type=time> shows "07:30 PM"; the time fields are 24-hour."""
    with chromium() as browser:
        context = browser.new_context(base_url=browser_server, locale="en-US", **PHONE)
        context.set_default_timeout(20_000)
        page = context.new_page()
        log_in(page)
        open_voting_form(page, "гимназия", "Школа-гимназия № 5")
        for path in (None, "/incidents/new", "/meetings/new"):
            if path:
                page.goto(path)
            assert page.locator("input[type=time]").count() == 0
            times = page.locator("input[inputmode=numeric][placeholder='HH:MM']")
            assert times.count() >= 1
            for index in range(times.count()):
                field = times.nth(index)
                field.fill("19:30")
                expect(field).to_have_value("19:30")
                assert field.evaluate("e => e.type") == "text"
        context.close()


def test_plain_form_missing_answer_comes_back_from_the_server(plain_page, browser_db_path):
    """No JavaScript: the server checks, and answers with the same form and its messages."""
    page = plain_page
    log_in(page)
    open_voting_form(page, "АҚТӨБЕ", "Ақтөбе мектебі № 12")
    fill_visit(page)
    page.locator("#voters_on_list").fill("1200")
    page.locator("#voters_voted").fill("300")
    for question, label in NO_PROBLEM_ANSWERS.items():
        if question != "complaints_filed":  # left unanswered on purpose
            choose(page, question, label)
    choose(page, "overall", "Good")
    uuid = page.locator("#uuid").input_value()
    page.get_by_role("button", name="Send checklist").click()

    expect(page).to_have_url(re.compile(r"/checklists/voting/new$"))
    expect(page.locator("p.summary")).to_contain_text("Some answers need attention")
    missing = page.locator("#q-complaints_filed")
    expect(missing).to_have_class(re.compile(r"\bhas-error\b"))
    expect(missing.locator(".error")).to_have_text("This question needs an answer.")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator("#arrival_time")).to_have_value("10:00")
    expect(page.locator("#voters_on_list")).to_have_value("1200")
    expect(page.locator("#q-overcrowded input[value=no]")).to_be_checked()
    expect(page.locator("#uuid")).to_have_value(uuid)
    assert browser_count_checklists(browser_db_path) == 0

    choose(page, "complaints_filed", "No")
    page.get_by_role("button", name="Send checklist").click()
    expect(page.locator(".flash")).to_have_text("Checklist received.")
    assert browser_count_checklists(browser_db_path) == 1
