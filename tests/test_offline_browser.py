"""Offline phones, end to end in a real (headless) Chromium at 390×844.

Issue: "log in online, go offline, fill and submit a checklist, reload the
page, come back online, and find exactly one entry on the server." Also: a
draft survives a reload, a server validation error comes back to the
observer with its message, a lost answer is retried with the same uuid, and
another user on the same phone sees none of the previous user's entries.

Service workers need a secure context: http://127.0.0.1 is one. The app is
served from a thread (as in tests/test_browser.py) behind a recorder that
proves no request reached the server while the phone was offline. Debian's
Chromium is used (never ``playwright install``). CSRF and the CSP stay on.
"""

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from app import create_app
from models import stations, users
from models.db import connect
from tests.chromium import served

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="browser tests need Debian's chromium at /usr/bin/chromium")

PASSWORDS = {"obs1": "password1", "obs2": "password2"}
STATIONS = [
    ("101", "Школа-гимназия № 5", "ул. Абая, 10", "Astana", "Almaty district",
     "Asia/Almaty", 1500),
    ("202", "Ақтөбе мектебі № 12", "пр. Абилкайыр хана, 3", "Aktobe", "Aktobe city",
     "Asia/Aqtobe", 1200),
    ("203", "Ақтөбе лицей № 3", "ул. Мира, 5", "Aktobe", "Aktobe city", "Asia/Aqtobe", 800),
    ("303", "Дом культуры", "ул. Ленина, 1", "Almaty", "Medeu district", "Asia/Almaty", 900),
]
STATION = "Ақтөбе мектебі № 12"
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
# ms: sending after the connection returns, the worker installing. Generous: the
# suite runs on shared, busy machines; every wait on it waits for an event.
SLOW = 60_000


# --------------------------------------------------------------------------- fixtures

class Recorder:
    """WSGI middleware: every request the server received, in order."""

    def __init__(self, app):
        self.app, self.seen = app, []

    def __call__(self, environ, start_response):
        self.seen.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        return self.app(environ, start_response)


@pytest.fixture
def offline_db_path(tmp_path):
    return str(tmp_path / "offline.sqlite")


@pytest.fixture
def offline_app(offline_db_path):
    app = create_app({"DATABASE": offline_db_path, "SECRET_KEY": "test"})
    db = connect(offline_db_path)
    try:
        stations.upsert(db, [
            {"number": number, "name": name, "address": address, "region": region,
             "district": district, "timezone": zone, "registered_voters": voters,
             "latitude": None, "longitude": None,
             "search_text": stations.search_text(number, name, address, district)}
            for number, name, address, region, district, zone, voters in STATIONS])
        for name, password in PASSWORDS.items():
            users.create_user(db, name, password, "observer", "T01", "Aktobe")
    finally:
        db.close()
    return app


@pytest.fixture
def offline_server(offline_app):
    """The app on a free local port, with a recorder of what reached it."""
    recorder = Recorder(offline_app)
    with served(recorder, "offline-server") as base:
        yield base, recorder


@pytest.fixture
def offline_context(offline_server):
    """A phone-sized Chromium context; everything is closed before the server stops."""
    base_url, _recorder = offline_server
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"])
        try:
            context = browser.new_context(base_url=base_url,
                                          viewport={"width": 390, "height": 844},
                                          is_mobile=True, has_touch=True, locale="en-GB")
            context.set_default_timeout(10_000)
            try:
                yield context
            finally:
                context.close()
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def offline_page(offline_context):
    page = offline_context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    assert errors == [], errors  # no script failed, nothing was refused by the CSP


# --------------------------------------------------------------------------- helpers

def checklists_in(path: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT uuid, answers FROM checklists").fetchall()


def without_worker_checks(requests: list[tuple]) -> list[tuple]:
    """The requests, less the browser's update checks of the service worker's script."""
    return [request for request in requests if request != ("GET", "/sw.js")]


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/checklists/new$"), timeout=SLOW)


def open_offline_page(page: Page) -> None:
    """Open the offline forms online, and wait until the phone has what it needs."""
    page.goto("/observe/offline")
    expect(page.locator("#offline-app[data-booted]")).to_have_count(1, timeout=SLOW)
    expect(page.locator("#net")).to_have_text("Online. Ready to work offline.", timeout=SLOW)


def start_voting_checklist(page: Page, typed: str = "МЕКТЕБІ", number: str = "202",
                           name: str = STATION) -> str:
    """Voting, the station found in the cached list by part of its name; returns the uuid."""
    page.get_by_role("link", name=re.compile(r"^Voting")).tap()
    page.get_by_label("Station number or part of its name").fill(typed)
    results = page.locator("#station-results li")
    expect(results).to_have_count(1)
    results.get_by_role("button").tap()
    expect(page.locator("p.station-head")).to_contain_text(f"No. {number} · {name}")
    expect(page.locator("p.station-head")).to_contain_text("Asia/Aqtobe")
    uuid = page.locator("#uuid").input_value()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        uuid)
    expect(page).to_have_url(re.compile(rf"/observe/offline#form/{uuid}$"))
    return uuid


def choose(page: Page, question: str, label: str) -> None:
    page.locator(f"#q-{question} label.choice").filter(
        has=page.get_by_text(label, exact=True)).tap()


def fill_visit_and_figures(page: Page, on_list: str, voted: str) -> None:
    page.locator("#arrival_date").fill("2023-03-19")
    page.locator("#arrival_time").fill("10:00")
    page.locator("#departure_date").fill("2023-03-19")
    page.locator("#departure_time").fill("10:40")
    page.locator("#voters_on_list").fill(on_list)
    page.locator("#voters_voted").fill(voted)


def fill_answers(page: Page) -> None:
    for question, label in NO_PROBLEM_ANSWERS.items():
        choose(page, question, label)
    choose(page, "overall", "Good")
    page.locator("#comments").fill("Всё спокойно.")


def add_logout_hook(page: Page) -> None:
    """The log-out form's hook, as templates/base.html is asked to carry it.

    Only when the page lacks it: once base.html has the hook (see the
    report), this does nothing and the real one is tested.
    """
    page.evaluate("""() => {
        const form = document.querySelector('form[action$="/logout"]');
        if (form.hasAttribute("data-logout")) { return; }
        form.setAttribute("data-logout", "");
        form.setAttribute("data-username", /\\((.+)\\)/.exec(form.textContent)[1]);
        form.setAttribute("data-role", "observer");
        form.setAttribute("data-unsent", "Entries on this phone not yet received by the " +
            "server: %(n)s. They stay on this phone under your name and are sent when you " +
            "log in again. Log out anyway?");
        const script = document.createElement("script");
        script.type = "module";
        script.src = "/static/offline/guard.js";
        document.head.append(script);
    }""")
    expect(page.locator("form[data-guarded]")).to_have_count(1)


# --------------------------------------------------------------------------- tests

def test_checklist_filed_offline_reaches_the_server_once(offline_page, offline_context,
                                                         offline_server, offline_db_path):
    page, (_url, recorder) = offline_page, offline_server
    log_in(page, "obs1")
    open_offline_page(page)

    offline_context.set_offline(True)
    seen_before = len(recorder.seen)
    uuid = start_voting_checklist(page)
    # Times are 24-hour text, as on the server's forms: never the locale's AM/PM picker.
    assert page.locator("input[type=time]").count() == 0
    expect(page.locator("#arrival_time")).to_have_attribute("placeholder", "HH:MM")
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Send checklist").tap()
    expect(page.locator("#outbox-count")).to_have_text("1 waiting to send")
    expect(page.locator("#flash")).to_have_text(
        "Saved on this phone. It will be sent when there is a connection.")
    expect(page.locator("#net")).to_have_text(
        "No connection: what you file is kept on this phone and sent later.")

    # Reloading with no connection: the page comes from the service worker,
    # and the outbox from the phone's storage.
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.locator("#outbox-count")).to_have_text("1 waiting to send", timeout=SLOW)
    page.get_by_role("link", name="Drafts").tap()
    expect(page.locator("#list-waiting li")).to_have_count(1)
    expect(page.locator("#list-waiting li")).to_contain_text("Voting · No. 202")
    # Any other page with no connection leads to the offline forms.
    page.goto("/checklists")
    expect(page).to_have_url(re.compile(r"/observe/offline$"), timeout=SLOW)
    expect(page.locator("#outbox-count")).to_have_text("1 waiting to send", timeout=SLOW)
    assert checklists_in(offline_db_path) == []
    # Nothing reached the server while offline. Chromium's own update checks of the
    # worker script (GET /sw.js) are the browser's, not the page's, and Playwright's
    # offline emulation does not cover them: those, and only those, are left out.
    assert without_worker_checks(recorder.seen[seen_before:]) == []

    # The page was reloaded offline from the service worker: the browser fires no
    # "online" event for it when the network returns. The outbox looks by itself
    # (every ~2 s while something waits): wait for that request, then for the count.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/checklists")
                              and r.request.method == "POST", timeout=SLOW) as answered:
        offline_context.set_offline(False)
    assert answered.value.status == 201
    expect(page.locator("#outbox-count")).to_have_text("0 waiting to send", timeout=SLOW)
    expect(page.locator("#flash")).to_contain_text("Received by the server.", timeout=SLOW)
    page.get_by_role("link", name="Drafts").tap()
    expect(page.locator("#list-sent li")).to_contain_text("Voting · No. 202")
    stored = checklists_in(offline_db_path)
    assert [row[0] for row in stored] == [uuid]
    assert '"voters_voted": 420' in stored[0][1]

    # Sending again has nothing to send: still one entry.
    page.get_by_role("button", name="Send now").tap()
    expect(page.locator("#outbox-note")).to_be_hidden()
    assert len(checklists_in(offline_db_path)) == 1
    page.locator("#flash").get_by_role("link", name="See it").tap()
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"))
    expect(page.locator("h1")).to_contain_text("No. 202")


def test_lost_answer_is_retried_with_the_same_uuid(offline_page, offline_context,
                                                   offline_db_path):
    """The server stores the checklist but the answer never reaches the phone."""
    page = offline_page
    log_in(page, "obs1")
    open_offline_page(page)
    posted = []

    def lose_first_answer(route):
        posted.append(route.request.post_data_json["uuid"])
        if len(posted) == 1:
            route.fetch()  # the server stores it ...
            route.abort("connectionreset")  # ... and the answer is lost on the way back
        else:
            route.continue_()

    offline_context.route("**/api/v1/checklists", lose_first_answer)
    uuid = start_voting_checklist(page)
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    # The lost answer looks like a lost connection: the outbox tries again by
    # itself a moment later, with the same uuid, and learns it was received.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/checklists")
                              and r.status == 200, timeout=SLOW):
        page.get_by_role("button", name="Send checklist").tap()
    expect(page.locator("#outbox-count")).to_have_text("0 waiting to send", timeout=SLOW)
    expect(page.locator("#flash")).to_contain_text(
        "It had already been received; nothing was duplicated.", timeout=SLOW)
    assert posted == [uuid, uuid]
    assert [row[0] for row in checklists_in(offline_db_path)] == [uuid]

    # Nothing left to send: "Send now" sends nothing, still one entry.
    page.get_by_role("button", name="Send now").tap()
    expect(page.locator("#outbox-note")).to_be_hidden()
    assert posted == [uuid, uuid]
    assert [row[0] for row in checklists_in(offline_db_path)] == [uuid]


def test_draft_survives_reload_and_server_error_comes_back(offline_page, offline_db_path):
    page = offline_page
    log_in(page, "obs1")
    open_offline_page(page)
    uuid = start_voting_checklist(page, typed="202")
    fill_visit_and_figures(page, "1200", "1300")
    expect(page.locator("[data-draft-state]")).to_contain_text("Draft saved on this phone")

    page.reload()
    expect(page.locator("#voters_voted")).to_have_value("1300", timeout=SLOW)
    expect(page.locator("#uuid")).to_have_value(uuid)
    page.get_by_role("link", name="Drafts").tap()
    drafts = page.locator("#list-draft li")
    expect(drafts).to_have_count(1)
    drafts.get_by_role("link", name="Voting · No. 202").tap()
    expect(page.locator("#voters_on_list")).to_have_value("1200")
    expect(page.locator("#arrival_time")).to_have_value("10:00")
    fill_answers(page)
    page.get_by_role("button", name="Send checklist").tap()

    # More voters than on the list: the server's own check sends it back.
    expect(page.locator("#fix-count")).to_have_text("1 sent back to fix", timeout=SLOW)
    expect(page.locator("#outbox-count")).to_have_text("0 waiting to send")
    assert checklists_in(offline_db_path) == []
    page.locator("#flash").get_by_role("link").tap()
    field = page.locator("#q-voters_voted")
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field.locator(".error").first).to_have_text(
        "The number of voters who had voted cannot exceed the number of voters on the list.")
    expect(page.locator("[data-summary]")).to_contain_text("Some fields need correcting")
    expect(page.locator("#q-overall input[value=good]")).to_be_checked()

    page.locator("#voters_voted").fill("300")
    page.get_by_role("button", name="Send checklist").tap()
    expect(page.locator("#flash")).to_contain_text("Received by the server.", timeout=SLOW)
    expect(page.locator("#fix-count")).to_be_hidden()
    assert [row[0] for row in checklists_in(offline_db_path)] == [uuid]


def test_logout_warns_and_the_next_user_sees_nothing(offline_page, offline_context,
                                                     offline_db_path):
    page = offline_page
    log_in(page, "obs1")
    open_offline_page(page)
    # The server is busy: the checklist stays in the outbox.
    offline_context.route("**/api/v1/checklists", lambda route: route.fulfill(
        status=503, json={"error": "Busy."}))
    start_voting_checklist(page)
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    page.get_by_role("button", name="Send checklist").tap()
    expect(page.locator("#outbox-note")).to_have_text(
        "The server could not take it now; trying again shortly.", timeout=SLOW)
    start_voting_checklist(page, typed="лицей", number="203", name="Ақтөбе лицей № 3")
    page.locator("#voters_on_list").fill("800")
    expect(page.locator("[data-draft-state]")).to_contain_text("Draft saved")

    page.goto("/checklists/new")
    add_logout_hook(page)
    with page.expect_event("dialog") as asked:
        page.get_by_role("button", name="Log out (obs1)").tap()
    assert asked.value.message.startswith(
        "Entries on this phone not yet received by the server: 1. They stay on this phone")
    asked.value.dismiss()  # changed their mind: still logged in
    expect(page.get_by_role("button", name="Log out (obs1)")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/checklists/new$"))
    with page.expect_event("dialog") as asked:
        page.get_by_role("button", name="Log out (obs1)").tap()
    asked.value.accept()
    expect(page).to_have_url(re.compile(r"/login$"), timeout=SLOW)
    # The worker emptied its cache of obs1's page and data before the log-out went.
    assert "eom-user" not in page.evaluate("caches.keys()")

    log_in(page, "obs2")
    open_offline_page(page)
    expect(page.locator("#outbox-count")).to_have_text("0 waiting to send")
    page.get_by_role("link", name="Drafts").tap()
    expect(page.locator("#list-draft")).to_have_text("No drafts on this phone.")
    expect(page.locator("[data-list=waiting]")).to_be_hidden()
    page.goto("/checklists/new")
    add_logout_hook(page)
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Log out (obs2)").tap()
    expect(page).to_have_url(re.compile(r"/login$"), timeout=SLOW)
    assert questions == []  # nothing unsent: no question

    offline_context.unroute("**/api/v1/checklists")
    log_in(page, "obs1")
    open_offline_page(page)
    page.get_by_role("button", name="Send now").tap()
    expect(page.locator("#outbox-count")).to_have_text("0 waiting to send", timeout=SLOW)
    page.get_by_role("link", name="Drafts").tap()
    expect(page.locator("#list-draft li")).to_contain_text("Voting · No. 203")
    assert len(checklists_in(offline_db_path)) == 1


def test_offline_forms_follow_the_skip_logic_and_the_server_s_limits(offline_page,
                                                                    offline_context):
    """The same skip logic as online (static/skip.js); limits as the page serves them."""
    page = offline_page
    log_in(page, "obs1")
    open_offline_page(page)
    offline_context.set_offline(True)
    limits = page.evaluate("""() => JSON.parse(
        document.getElementById("offline-app").getAttribute("data-config")).limits""")

    start_voting_checklist(page)
    follow_up = page.locator("#q-notes_turned_away")
    expect(follow_up).to_be_hidden()
    choose(page, "voters_turned_away", "Yes")
    expect(follow_up).to_be_visible()
    choose(page, "voters_turned_away", "No")
    expect(follow_up).to_be_hidden()
    expect(page.locator("#comments")).to_have_attribute("maxlength", str(limits["comments"]))

    page.goto("/observe/offline#new/incident")
    page.get_by_role("button", name="Not at a polling station").tap()
    response = page.locator("#q-commission_response")
    expect(response).to_be_hidden(timeout=SLOW)
    choose(page, "reported_to_commission", "Yes")
    expect(response).to_be_visible()

    page.goto("/observe/offline#new/interaction")
    rows = page.locator('[data-rows="requests"] > .row')
    expect(rows).to_have_count(4, timeout=SLOW)
    more = page.get_by_role("button", name="More rows")
    for _ in range(2):
        more.tap()
    expect(rows).to_have_count(6)
    maximum = int(page.locator('[data-rows="requests"]').get_attribute("data-max-rows"))
    page.evaluate("""(times) => { for (let i = 0; i < times; i += 1) {
        document.querySelector("[data-more-rows]").click(); } }""", maximum)
    expect(rows).to_have_count(maximum)


def test_ended_session_keeps_the_entry_until_the_observer_logs_in_again(
        offline_page, offline_context, offline_db_path):
    page = offline_page
    log_in(page, "obs1")
    open_offline_page(page)
    # A token the server does not accept (as an expired one): the API answers 400.
    offline_context.route("**/observe/offline/token", lambda route: route.fulfill(
        json={"csrf_token": "not-a-valid-token"}))
    uuid = start_voting_checklist(page)
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    with page.expect_response("**/api/v1/checklists") as answered:
        page.get_by_role("button", name="Send checklist").tap()
    assert answered.value.status == 400
    expect(page.locator("#outbox-note")).to_contain_text(
        "Your session has ended: log in again to send what is waiting.", timeout=SLOW)
    expect(page.locator("#outbox-count")).to_have_text("1 waiting to send")
    expect(page.locator("#fix-count")).to_be_hidden()

    # The session itself ends (cookie gone): still kept, still asking to log in.
    offline_context.unroute("**/observe/offline/token")
    offline_context.clear_cookies()
    page.get_by_role("button", name="Send now").tap()
    expect(page.locator("#outbox-note")).to_contain_text("log in again", timeout=SLOW)
    expect(page.locator("#outbox-count")).to_have_text("1 waiting to send")
    assert checklists_in(offline_db_path) == []

    page.locator("#outbox-note").get_by_role("link", name="Log in").tap()
    page.get_by_label("User name").fill("obs1")
    page.get_by_label("Password").fill(PASSWORDS["obs1"])
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/observe/offline$"), timeout=SLOW)
    expect(page.locator("#offline-app[data-booted]")).to_have_count(1, timeout=SLOW)
    expect(page.locator("#outbox-count")).to_have_text("0 waiting to send", timeout=SLOW)
    expect(page.locator("#flash")).to_contain_text("Received by the server.", timeout=SLOW)
    assert [row[0] for row in checklists_in(offline_db_path)] == [uuid]


def test_same_uuid_with_other_content_comes_back_as_a_conflict(offline_page, offline_context,
                                                               offline_db_path):
    """The server already holds this uuid with other answers (sent from elsewhere): 409."""
    page = offline_page
    log_in(page, "obs1")
    open_offline_page(page)
    offline_context.set_offline(True)
    uuid = start_voting_checklist(page)
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    page.get_by_role("button", name="Send checklist").tap()
    expect(page.locator("#outbox-count")).to_have_text("1 waiting to send")
    body = page.evaluate("""async (uuid) => {
        const open = indexedDB.open("eom-offline-obs1");
        const db = await new Promise((ok) => { open.onsuccess = () => ok(open.result); });
        const get = db.transaction("forms").objectStore("forms").get(uuid);
        return new Promise((ok) => { get.onsuccess = () => ok(get.result.body); });
    }""", uuid)
    api = offline_context.request
    token = api.get("/observe/offline/token").json()["csrf_token"]
    other = api.post("/api/v1/checklists", data={**body, "comments": "Другой текст."},
                     headers={"X-CSRFToken": token})
    assert other.status == 201

    offline_context.set_offline(False)
    expect(page.locator("#fix-count")).to_have_text("1 sent back to fix", timeout=SLOW)
    expect(page.locator("#outbox-count")).to_have_text("0 waiting to send")
    page.locator("#flash").get_by_role("link").tap()
    expect(page.locator("[data-summary]")).to_contain_text(
        "This uuid was already sent with different content.")
    expect(page.locator("#comments")).to_have_value("Всё спокойно.")
    page.get_by_role("button", name="Send as a new entry").tap()
    expect(page.locator("#flash")).to_contain_text("Received by the server.", timeout=SLOW)
    expect(page.locator("#fix-count")).to_be_hidden()
    stored = dict(checklists_in(offline_db_path))
    assert len(stored) == 2 and uuid in stored
    assert "Другой текст." in stored[uuid]
    (new_uuid,) = set(stored) - {uuid}
    assert "Всё спокойно." in stored[new_uuid]
