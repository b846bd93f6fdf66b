"""The ordinary forms, offline-first, in a real (headless) Chromium at 390×844.

Issue: "fill a voting checklist on the ordinary form, go offline, Send → the
'saved on this phone' message; reload the page while offline → the entry is
still in the outbox; go online → exactly one row in SQLite with the answers
typed." Also: a phone that logged in once opens New → Voting with no
connection and files; leaving a form with unsent changes asks first; reopening
the form for the same station offers the draft.

Fixtures and helpers come from tests/test_offline_browser.py (the same server,
recorder and phone). Every wait is for an event, with generous bounds.
"""

import json
import re
import uuid as uuids

from playwright.sync_api import Page, expect

from models import candidates
from models.db import connect
from tests import test_offline_browser as phone
from tests.test_offline_browser import SLOW, checklists_in, fill_answers, fill_visit_and_figures

pytestmark = phone.pytestmark
# The same fixtures (pytest finds them as this module's attributes).
offline_db_path = phone.offline_db_path
offline_app = phone.offline_app
offline_server = phone.offline_server
offline_context = phone.offline_context
offline_page = phone.offline_page

SAVED = "Saved on this phone — it will be sent when the connection is back."


def log_in_and_keep(page: Page, username: str = "obs1") -> None:
    """Log in, and wait until the service worker has kept the form pages and data."""
    phone.log_in(page, username)
    ok = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        for (let i = 0; i < 60; i += 1) {
            const channel = new MessageChannel();
            const reply = new Promise((resolve) => { channel.port1.onmessage = (e) => resolve(e.data); });
            registration.active.postMessage({ type: "warm" }, [channel.port2]);
            if ((await reply).ok) { return true; }
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        return false;
    }""")
    assert ok


def open_voting_form(page: Page, number: str = "202") -> str:
    """The ordinary voting checklist for a station, found by the server; returns its uuid."""
    page.goto(f"/checklists/voting/station?q={number}")
    page.locator("ul.stations a").filter(has_text=f"No. {number}").tap()
    expect(page.locator("form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    uuid = page.locator("#uuid").input_value()
    expect(page).to_have_url(re.compile(rf"/checklists/voting/new\?.*uuid={uuid}"))
    return uuid


def stored_form(page: Page, uuid: str, username: str = "obs1") -> dict | None:
    """One record of the phone's outbox/drafts (IndexedDB), as the page stores it."""
    return page.evaluate("""async ([name, uuid]) => {
        const open = indexedDB.open(name);
        const db = await new Promise((ok) => { open.onsuccess = () => ok(open.result); });
        const get = db.transaction("forms").objectStore("forms").get(uuid);
        const found = await new Promise((ok) => { get.onsuccess = () => ok(get.result); });
        db.close();
        return found ? { status: found.status, fields: found.fields } : null;
    }""", [f"eom-offline-{username}", uuid])


def station_row(db_path: str, uuid: str) -> tuple:
    import sqlite3
    from contextlib import closing
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT s.number, c.answers FROM checklists c JOIN stations s "
                            "ON s.id = c.station_id WHERE c.uuid = ?", [uuid]).fetchone()


def test_ordinary_form_sent_offline_reaches_the_server_once(offline_page, offline_context,
                                                            offline_server, offline_db_path):
    page, (_url, recorder) = offline_page, offline_server
    log_in_and_keep(page)
    uuid = open_voting_form(page)
    fill_visit_and_figures(page, "1200", "420")
    fill_answers(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    offline_context.set_offline(True)
    seen_before = len(recorder.seen)
    page.get_by_role("button", name="Send checklist").tap()
    expect(page.locator("[data-offline-status]")).to_have_text(SAVED, timeout=SLOW)
    assert stored_form(page, uuid)["status"] == "waiting"

    # Reloaded with no connection: the page comes from the service worker, the
    # entry from the phone's storage, still waiting with its answers.
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.locator("form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    expect(page.locator("[data-offline-status]")).to_have_text(SAVED, timeout=SLOW)
    expect(page.locator("#uuid")).to_have_value(uuid)
    expect(page.locator("#voters_voted")).to_have_value("420")
    assert stored_form(page, uuid)["status"] == "waiting"
    assert checklists_in(offline_db_path) == []
    # Nothing reached the server while offline, the browser's own update checks of
    # the worker script aside (not covered by Playwright's offline emulation).
    assert phone.without_worker_checks(recorder.seen[seen_before:]) == []

    # Back online: sent by itself (no "online" event on a page the worker served),
    # and the entry's page opens.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/checklists")
                              and r.request.method == "POST", timeout=SLOW) as answered:
        offline_context.set_offline(False)
    assert answered.value.status == 201
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"), timeout=SLOW)
    expect(page.locator("h1")).to_contain_text("No. 202")
    stored = checklists_in(offline_db_path)
    assert [row[0] for row in stored] == [uuid]
    answers = json.loads(stored[0][1])
    assert answers["voters_voted"] == 420 and answers["voters_on_list"] == 1200
    assert answers["comments"] == "Всё спокойно."
    assert stored_form(page, uuid) is None  # the draft is gone from the phone


def test_phone_that_logged_in_once_files_from_new_voting_offline(offline_page, offline_context,
                                                                 offline_db_path):
    """Logged in once, then no connection: New → Voting → station → form → Send."""
    page = offline_page
    log_in_and_keep(page)
    offline_context.set_offline(True)
    page.locator("header nav").get_by_role("link", name="New").tap()
    expect(page).to_have_url(re.compile(r"/checklists/new$"), timeout=SLOW)
    page.get_by_role("link", name=re.compile(r"^Voting")).tap()
    page.get_by_label("Station number or part of its name").fill("лицей")
    page.get_by_role("button", name="Find").tap()
    found = page.locator("ul.stations a")
    expect(found).to_have_count(1, timeout=SLOW)
    found.tap()
    expect(page.locator("form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    # The copy the phone kept was for another station: this one is shown and sent.
    expect(page.locator("p.station-head")).to_contain_text("No. 203 · Ақтөбе лицей № 3")
    uuid = page.locator("#uuid").input_value()
    assert re.fullmatch(r"[0-9a-f-]{36}", uuid)
    expect(page).to_have_url(re.compile(rf"uuid={uuid}"))
    fill_visit_and_figures(page, "800", "300")
    fill_answers(page)
    page.get_by_role("button", name="Send checklist").tap()
    expect(page.locator("[data-offline-status]")).to_have_text(SAVED, timeout=SLOW)

    with page.expect_response(lambda r: r.url.endswith("/api/v1/checklists")
                              and r.request.method == "POST", timeout=SLOW):
        offline_context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"), timeout=SLOW)
    number, answers = station_row(offline_db_path, uuid)
    assert number == "203" and json.loads(answers)["voters_voted"] == 300
    assert len(checklists_in(offline_db_path)) == 1


def test_leaving_a_form_with_unsent_changes_asks_first(offline_page):
    page = offline_page
    phone.log_in(page, "obs1")
    open_voting_form(page)
    page.locator("#voters_on_list").fill("1200")
    phone.choose(page, "overcrowded", "No")

    # The browser's own question, when the tab is closed or reloaded.
    with page.expect_event("dialog", timeout=SLOW) as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # stays
    expect(page.locator("#voters_on_list")).to_have_value("1200")

    # A link inside the app: the app's own question, in words. (Answered from a
    # handler: the tap does not end while the question is open.)
    questions = []
    page.once("dialog", lambda dialog: (questions.append((dialog.type, dialog.message)),
                                        dialog.dismiss()))
    page.locator("header nav").get_by_role("link", name="My entries").tap()
    assert len(questions) == 1
    assert questions[0][0] == "confirm"
    assert questions[0][1].startswith("This form has changes that were not sent.")
    expect(page).to_have_url(re.compile(r"/checklists/voting/new\?"))
    expect(page.locator("#voters_on_list")).to_have_value("1200")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("header nav").get_by_role("link", name="My entries").tap()
    expect(page).to_have_url(re.compile(r"/checklists$"), timeout=SLOW)


def test_unchanged_form_is_left_without_a_question(offline_page):
    page = offline_page
    phone.log_in(page, "obs1")
    open_voting_form(page)
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator("header nav").get_by_role("link", name="My entries").tap()
    expect(page).to_have_url(re.compile(r"/checklists$"), timeout=SLOW)
    assert questions == []


def test_reopening_the_form_for_the_same_station_offers_the_draft(offline_page):
    page = offline_page
    phone.log_in(page, "obs1")
    first = open_voting_form(page)
    page.locator("#voters_on_list").fill("1234")
    expect(page.locator("[data-draft-state]")).to_contain_text("Draft saved on this phone",
                                                               timeout=SLOW)
    page.on("dialog", lambda dialog: dialog.accept())  # leaving: yes

    # Another station: no offer.
    open_voting_form(page, "203")
    expect(page.locator("[data-draft-continue]")).to_have_count(0)

    # The same station again (a new form, a new uuid): the draft is offered.
    second = open_voting_form(page)
    assert second != first
    offer = page.locator("[data-offline-status]")
    expect(offer).to_contain_text(re.compile(r"You have a draft for station No\. 202 from \d"),
                                  timeout=SLOW)
    offer.get_by_role("button", name="Continue").tap()
    expect(page.locator("#voters_on_list")).to_have_value("1234")
    expect(page.locator("#uuid")).to_have_value(first)
    expect(page).to_have_url(re.compile(rf"uuid={first}"))
    expect(offer).to_be_hidden()

    # Discarded: gone from the phone, not offered again.
    third = open_voting_form(page)
    assert third not in (first, second)
    offer.get_by_role("button", name="Discard").tap()
    expect(offer).to_be_hidden()
    assert stored_form(page, first) is None
    open_voting_form(page)
    expect(page.locator("[data-draft-continue]")).to_have_count(0)


def rows_in(db_path: str, table: str) -> list[tuple]:
    import sqlite3
    from contextlib import closing
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(f"SELECT uuid FROM {table}").fetchall()  # noqa: S608 (fixed names)


def first_choice(page: Page, question: str) -> None:
    page.locator(f"#q-{question} label.choice").first.tap()


def test_incident_and_meeting_forms_send_through_the_outbox(offline_page, offline_context,
                                                            offline_db_path):
    """The other two forms of the menu: the same outbox, the same uuid, one row each."""
    page = offline_page
    phone.log_in(page, "obs1")
    page.locator("header nav").get_by_role("link", name="Incident").tap()
    expect(page.locator("form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    incident = page.locator("#uuid").input_value()
    page.locator("#occurred_date").fill("2023-03-19")
    page.locator("#occurred_time").fill("11:30")
    page.locator("#station_number").fill("202")
    first_choice(page, "category")
    first_choice(page, "severity")
    page.locator("#description").fill("Наблюдателя не пустили в помещение.")
    phone.choose(page, "reported_to_commission", "No")
    offline_context.set_offline(True)
    page.get_by_role("button", name="Send report").tap()
    expect(page.locator("[data-offline-status]")).to_have_text(SAVED, timeout=SLOW)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/incidents")
                              and r.request.method == "POST", timeout=SLOW) as answered:
        offline_context.set_offline(False)
    assert answered.value.status == 201, (answered.value.json(), answered.value.request.post_data)
    expect(page).to_have_url(re.compile(r"/incidents/\d+$"), timeout=SLOW)
    expect(page.locator(".flash")).to_have_text("Incident report received.")
    assert rows_in(offline_db_path, "incidents") == [(incident,)]

    page.goto("/meetings/new")
    expect(page.locator("form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
    meeting = page.locator("#uuid").input_value()
    page.locator("#date").fill("2023-03-18")
    page.locator("#time").fill("15:00")
    first_choice(page, "commission_level")
    page.locator("#commission_name").fill("ТИК Актобе")
    page.locator("#counterparts-0-name").fill("А. Серикова")
    first_choice(page, "topics")
    page.locator("#summary").fill("Обсудили доступ наблюдателей.")
    page.locator("[id='requests-0-text']").fill("Копию протокола.")
    page.get_by_role("button", name="Save the meeting report").tap()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"), timeout=SLOW)
    expect(page.locator(".flash")).to_have_text("Meeting logged.")
    expect(page.locator("main")).to_contain_text("А. Серикова")
    expect(page.locator("main")).to_contain_text("Копию протокола.")
    assert rows_in(offline_db_path, "interactions") == [(meeting,)]


def test_server_refusal_comes_back_next_to_the_field(offline_page, offline_db_path):
    """The server's own check (more voters than on the list): the message by the field."""
    page = offline_page
    phone.log_in(page, "obs1")
    uuid = open_voting_form(page)
    fill_visit_and_figures(page, "1200", "1300")
    fill_answers(page)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/checklists")
                              and r.request.method == "POST", timeout=SLOW) as answered:
        page.get_by_role("button", name="Send checklist").tap()
    assert answered.value.status == 422
    field = page.locator("#q-voters_voted")
    expect(field).to_have_class(re.compile(r"\bhas-error\b"), timeout=SLOW)
    expect(field.locator(".error").first).to_have_text(
        "The number of voters who had voted cannot exceed the number of voters on the list.")
    expect(page.locator("#q-overall input[value=good]")).to_be_checked()
    assert stored_form(page, uuid)["status"] == "rejected"
    assert checklists_in(offline_db_path) == []

    page.locator("#voters_voted").fill("300")
    page.get_by_role("button", name="Send checklist").tap()
    expect(page).to_have_url(re.compile(r"/checklists/\d+$"), timeout=SLOW)
    expect(page.locator(".flash")).to_have_text("Checklist received.")
    assert [row[0] for row in checklists_in(offline_db_path)] == [uuid]


def test_offline_counting_form_shows_the_ballots_of_the_station_asked_for(
        offline_page, offline_context, offline_db_path):
    """The counting form's protocol lists the station's district candidates: the phone
    keeps one copy per single-member district of the region, and offline serves the
    copy of the station asked for (202: district 10; 203: no district ballot)."""
    db = connect(offline_db_path)
    try:
        db.execute("UPDATE stations SET smd_district = 10 WHERE number = '202'")
        db.conn.commit()
        candidates.replace(db, [{"district": 10, "code": "d10_c1", "name": "Candidate One",
                                 "party": "self_nominated", "position": 1}])
        ids = dict(db.execute("SELECT number, id FROM stations").fetchall())
    finally:
        db.close()
    page = offline_page
    log_in_and_keep(page)
    offline_context.set_offline(True)
    for number, has_district in (("203", False), ("202", True)):
        response = page.goto(f"/checklists/counting/new?station={ids[number]}"
                             f"&uuid={uuids.uuid4()}")
        assert response is not None and response.from_service_worker
        expect(page.locator("form[data-offline-ready]")).to_have_count(1, timeout=SLOW)
        expect(page.locator("p.station-head")).to_contain_text(f"No. {number}", timeout=SLOW)
        expect(page.locator("[name=protocol-list-amanat]")).to_have_count(1)
        expect(page.locator("[name=protocol-smd-d10_c1]")).to_have_count(
            1 if has_district else 0, timeout=SLOW)
