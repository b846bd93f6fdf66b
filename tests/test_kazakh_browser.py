"""In Chromium at 390 px: an observer whose account is set to Kazakh files a voting
checklist and never meets an English sentence; an English observer shows each question
with its Russian wording for the interpreter."""

import re

import pytest
from playwright.sync_api import Page, expect

from app import create_app
from models import definitions, demo, users
from models.db import connect
from tests.chromium import PHONE, needs_chromium, served
from tests.chromium import chromium as launch_chromium
from tests.conftest import good_answers
from tests.test_kazakh_pages import LATIN_RUN, english_words

pytestmark = needs_chromium
SLOW = 30_000  # a shared machine: wait for events with generous bounds


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A small demo mission; one observer set to Kazakh, another left in English."""
    path = str(tmp_path_factory.mktemp("kazakh") / "kazakh.sqlite")
    app = create_app({"DATABASE": path, "SECRET_KEY": "test"})
    db = connect(path)
    try:
        demo.generate(db, 20, 40)
        observers = [row["username"] for row in db.query(
            "SELECT username FROM users WHERE role = 'observer' ORDER BY id LIMIT 2")]
        kazakh = users.find_by_username(db, observers[0])
        users.set_language(db, kazakh["id"], "kk")
        station = db.execute("SELECT id FROM stations WHERE region = ? ORDER BY id",
                             [kazakh["region"]]).fetchone()[0]
        data = sorted({text for row in db.query(
            "SELECT name, address, district, region FROM stations") for text in row.values()
            if text} | {row["username"] for row in db.query("SELECT username FROM users")}
            | {row["team"] for row in db.query("SELECT team FROM users") if row["team"]}
            # the coordinators' own words, as they wrote them (the demo writes English)
            | {row["body"] for row in db.query("SELECT body FROM team_messages")}
            | {app.config["MISSION_NAME"]}, key=len, reverse=True)
    finally:
        db.close()
    with served(app, "kazakh-server") as base:
        yield base, observers, station, data


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser


def _english_seen(page: Page, data: list[str], vocabulary: frozenset) -> list[str]:
    """English the observer can see: visible text, minus the mission's own data and what
    the page marks as another language on purpose (the switch's "English")."""
    text = page.evaluate("""() => {
      let text = document.body.innerText;
      for (const node of document.body.querySelectorAll('[lang]:not([lang=kk]), [translate=no]')) {
        text = text.replace(node.innerText, ' ');
      }
      return text;
    }""")
    for known in data:
        text = text.replace(known, " ")
    return LATIN_RUN.findall(text) + [
        word for word in re.findall(r"\b[A-Za-z]{4,}\b", text) if word.lower() in vocabulary]


def _log_in(chromium, base: str, username: str, locale: str) -> Page:
    context = chromium.new_context(base_url=base, locale=locale, **PHONE)
    context.set_default_timeout(SLOW)
    page = context.new_page()
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(demo.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: not url.endswith("/login"), timeout=SLOW)
    return page


def test_a_kazakh_observer_files_a_voting_checklist_without_meeting_english(chromium, server):
    base, observers, station, data = server
    vocabulary = english_words()
    # A phone set to Kazakh: the log-in page already speaks it.
    context = chromium.new_context(base_url=base, locale="kk-KZ", **PHONE)
    context.set_default_timeout(SLOW)
    login = context.new_page()
    login.goto("/login")
    assert login.evaluate("document.documentElement.lang") == "kk"
    assert not _english_seen(login, data, vocabulary)
    context.close()

    page = _log_in(chromium, base, observers[0], "en-GB")  # the account decides, not the phone
    seen = {}
    try:
        assert page.evaluate("document.documentElement.lang") == "kk"
        seen["home"] = _english_seen(page, data, vocabulary)
        page.goto(f"/checklists/voting/new?station={station}")
        expect(page.locator("#checklist-form")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        seen["form"] = _english_seen(page, data, vocabulary)
        # Sent empty first: every message next to its field, in Kazakh.
        page.locator("#checklist-form button[type=submit]").click()
        expect(page.locator("#error-summary")).to_be_visible(timeout=SLOW)
        seen["refused"] = _english_seen(page, data, vocabulary)
        _fill_voting(page)
        page.locator("#checklist-form button[type=submit]").click()
        page.wait_for_url(lambda url: "/new" not in url, timeout=SLOW)
        expect(page.locator(".flash").first).to_be_visible(timeout=SLOW)
        seen["filed"] = _english_seen(page, data, vocabulary)
    finally:
        page.context.close()
    assert not any(seen.values()), seen


def _fill_voting(page: Page) -> None:
    page.locator("#arrival_date").fill("2023-03-19")
    page.locator("#arrival_time").fill("10:00")
    page.locator("#departure_date").fill("2023-03-19")
    page.locator("#departure_time").fill("10:40")
    for question_id, value in good_answers(definitions.get("voting")).items():
        field = page.locator(f"#checklist-form [name={question_id}]")
        kind = field.first.get_attribute("type")
        if kind in ("radio", "checkbox"):
            page.locator(f"#checklist-form [name={question_id}][value={value}]").check()
        else:
            field.fill(value)
    page.locator("#checklist-form [name=overall][value=good]").check()


def test_the_interpreter_shows_each_question_in_english_and_russian(chromium, server):
    base, observers, station, _data = server
    page = _log_in(chromium, base, observers[1], "en-GB")
    try:
        page.goto(f"/checklists/voting/new?station={station}")
        russian = page.locator("#q-voters_on_list .second[lang=ru]")
        expect(russian).to_be_hidden()
        page.locator("#second-language").select_option("ru")
        expect(russian).to_be_visible(timeout=SLOW)
        expect(russian).to_contain_text("избирател")
        expect(page.locator("#q-voters_on_list label").first).to_contain_text("voter")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # The next checklist opens with the same second language (kept on this phone).
        page.goto(f"/checklists/voting/new?station={station}")
        expect(page.locator("#second-language")).to_have_value("ru", timeout=SLOW)
        expect(page.locator("#q-voters_on_list .second[lang=ru]")).to_be_visible(timeout=SLOW)
        # And never sent: the checklist's fields are what they always were.
        names = page.evaluate("[...new FormData(document.getElementById('checklist-form')).keys()]")
        assert "second-language" not in names
    finally:
        page.context.close()
