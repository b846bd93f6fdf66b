"""The CEC liaison's queue: mark entries, see them by topic and region, link them to meetings.

Coordinators read the queue; only the liaison and admins change it; observers get 403.
"""

import json
import re
import uuid

import pytest
from flask import render_template
from flask_login import login_user

from models import checklists, definitions, entries, liaison, users
from models.clock import to_iso, utc_now
from tests.conftest import Browser, good_answers, station_id
from tests.test_meetings import _meeting_fields, _user_id, csrf, open_meeting_form


def file_checklist(app, db, number: str, author: str) -> int:
    """A voting checklist at station ``number`` filed by ``author`` for their team."""
    definition = definitions.get("voting")
    user = users.find_by_username(db, author)
    filing = checklists.Filing(
        uuid=str(uuid.uuid4()), form_type="voting", form_version=definition.version,
        station_id=station_id(db, number), timezone="Asia/Almaty",
        arrival_utc="2023-03-19T04:00:00Z", departure_utc="2023-03-19T04:40:00Z",
        answers=good_answers(definition), overall="bad", serious_count=0)
    entry_id, _created = entries.create(db, checklists.CHECKLISTS, filing, user["id"], user["team"])
    return entry_id


def file_incident(db, author: str, team: str, region: str = "Aktobe") -> int:
    """An incident row as the incidents blueprint stores it (written here directly)."""
    now = to_iso(utc_now())
    cursor = db.execute(
        "INSERT INTO incidents (uuid, region, place, occurred_utc, timezone, category, severity,"
        " description, reported_to_commission, team, author_id, content_hash, created_utc,"
        " updated_utc) VALUES (?, ?, 'Школа № 12', '2023-03-19T06:00:00Z', 'Asia/Aqtobe',"
        " 'observers_obstructed', 'high', 'Observers were kept 10 m from the table.', 'no',"
        " ?, ?, 'x', ?, ?)", [str(uuid.uuid4()), region, team, _user_id(db, author), now, now])
    db.conn.commit()
    return cursor.lastrowid


def _mark(browser: Browser, kind: str, entry_id: int, topic="voter_lists", note="Raise it",
          **extra):
    return browser.client.post(f"/liaison/queue/{kind}/{entry_id}", data={
        "csrf_token": csrf(browser), "topic": topic, "note": note, **extra})


def test_liaison_marks_an_entry_to_raise(app, db, browser):
    entry = file_checklist(app, db, "202", "obs1")
    browser.login("liaison")
    form = browser.client.get(f"/liaison/queue/checklist/{entry}")
    assert form.status_code == 200 and f"Raise C{entry} with the CEC" in form.text
    response = _mark(browser, "checklist", entry, note="Observers kept away from the list")
    assert response.status_code == 303 and response.location.endswith("/liaison/queue")
    assert f"C{entry} is in the CEC queue." in browser.client.get(response.location).text
    assert db.execute("SELECT entry_kind, entry_id, topic, note FROM liaison_queue").fetchall() \
        == [("checklist", entry, "voter_lists", "Observers kept away from the list")]
    again = _mark(browser, "checklist", entry, topic="accreditation_access", note="Changed")
    assert again.status_code == 303
    assert db.execute("SELECT topic, note FROM liaison_queue").fetchall() == \
        [("accreditation_access", "Changed")]
    ops = [json.loads(d)["op"] for (d,) in db.execute(
        "SELECT details FROM audit_log WHERE action = 'queue' ORDER BY id")]
    assert ops == ["add", "update"]


@pytest.mark.parametrize("topic, note, message", [
    ("voter_lists", "", "Write what to raise with the commission."),
    ("weather", "Raise it", "Choose a topic from the list."),
    ("voter_lists", "x" * 1001, "Limited to 1000 characters."),
])
def test_invalid_marks_are_refused(app, db, browser, topic, note, message):
    entry = file_checklist(app, db, "202", "obs1")
    browser.login("liaison")
    response = _mark(browser, "checklist", entry, topic=topic, note=note)
    assert response.status_code == 400 and message in response.text
    assert db.execute("SELECT count(*) FROM liaison_queue").fetchone()[0] == 0


@pytest.mark.parametrize("path", ["/liaison/queue/checklist/99999",
                                  "/liaison/queue/interaction/1",
                                  "/liaison/queue/checklist/" + "9" * 30])
def test_unknown_entries_cannot_be_queued(app, browser, path):
    browser.login("liaison")
    assert browser.client.get(path).status_code == 404
    assert browser.client.post(path, data={"csrf_token": csrf(browser), "topic": "media",
                                           "note": "x"}).status_code == 404


def test_queue_is_grouped_by_topic_then_region(app, db, browser):
    aktobe = file_checklist(app, db, "202", "obs1")
    astana = file_checklist(app, db, "101", "obs1")
    almaty = file_checklist(app, db, "303", "obs3")
    incident = file_incident(db, "obs3", "T02", region="Aktobe")
    browser.login("liaison")
    _mark(browser, "checklist", aktobe, topic="counting_protocols", note="Note Aktobe")
    _mark(browser, "checklist", astana, topic="voter_lists", note="Note Astana")
    _mark(browser, "checklist", almaty, topic="voter_lists", note="Note Almaty")
    _mark(browser, "incident", incident, topic="accreditation_access", note="Note incident")
    page = browser.client.get("/liaison/queue").text
    order = [page.index(text) for text in (
        "Accreditation and observer access", "Note incident",
        "Voter lists", "<h3>Almaty</h3>", "Note Almaty", "<h3>Astana</h3>", "Note Astana",
        "Counting and protocols", "Note Aktobe")]
    assert order == sorted(order)
    assert page.count("not raised yet") == 4
    groups = liaison.queue(db)
    assert [g["topic"] for g in groups] == ["accreditation_access", "voter_lists",
                                            "counting_protocols"]
    assert [r["region"] for r in groups[1]["regions"]] == ["Almaty", "Astana"]


def test_linking_queued_entries_while_logging_and_the_entry_shows_the_meeting(app, db, browser):
    entry = file_checklist(app, db, "202", "obs1")
    incident = file_incident(db, "obs1", "T01")
    browser.login("liaison")
    _mark(browser, "checklist", entry, note="Voter list not shown to observers")
    _mark(browser, "incident", incident, topic="accreditation_access", note="Obstructed")
    queue_page = browser.client.get("/liaison/queue").text
    assert "/meetings/new?link=checklist" in queue_page.replace("&amp;", "&")
    # From the queue's link the form opens with the queued entry ticked.
    url, hidden = open_meeting_form(browser, f"?link=checklist:{entry}")
    form = browser.client.get(url).text
    assert re.search(rf'checked[^>]*value="checklist:{entry}"|value="checklist:{entry}"[^>]*'
                     rf'checked', form)
    data = {**hidden, **_meeting_fields(commission_level="cec", region="",
                                        commission_name="Central Election Commission"),
            "queued": [f"checklist:{entry}", f"incident:{incident}"]}
    response = browser.client.post("/meetings/new", data=data)
    assert response.status_code == 303
    meeting_id = int(response.location.rsplit("/", 1)[1])
    assert db.execute("SELECT entry_kind, entry_id FROM interaction_links ORDER BY 1").fetchall() \
        == [("checklist", entry), ("incident", incident)]
    item = db.execute("SELECT id FROM follow_ups WHERE kind = 'request' ORDER BY id").fetchone()[0]
    liaison.answer_follow_up(db, item, "2023-03-13", "Lists will be shown from 14 March",
                             _user_id(db, "liaison"))
    meetings = liaison.meetings_for_entry(db, "checklist", entry)
    assert [(m["id"], m["commission_name"]) for m in meetings] == \
        [(meeting_id, "Central Election Commission")]
    assert meetings[0]["follow_ups"][0]["answer_text"] == "Lists will be shown from 14 March"
    assert liaison.meetings_for_entry(db, "checklist", entry + 1000) == []
    queue_page = browser.client.get("/liaison/queue").text
    assert "not raised yet" not in queue_page
    assert "Central Election Commission" in queue_page
    assert "Lists will be shown from 14 March" in queue_page
    # The partial the lead includes on checklist pages shows the meeting and the answer.
    with app.test_request_context(f"/checklists/{entry}"):
        login_user(_login_user(db, "obs1"))
        html = render_template("liaison/_meetings.html", meetings=meetings)
    assert "Raised with the commission" in html and "Lists will be shown from 14 March" in html
    # obs1's team did not log the liaison's meeting: the name shows, without a link to a 404.
    assert f"/meetings/{meeting_id}" not in html
    # The entry's own page, as its observer and as the liaison, shows it too.
    observer = Browser(app.test_client())
    observer.login("obs1")
    page = observer.client.get(f"/checklists/{entry}").text
    assert "Raised with the commission" in page and "Lists will be shown from 14 March" in page
    assert f"Entry number C{entry}" in page
    page = browser.client.get(f"/checklists/{entry}").text
    assert f"/meetings/{meeting_id}" in page and "Take off the queue" in page


def _login_user(db, name: str):
    from views.auth import User
    return User(users.find_by_username(db, name))


def test_mark_partial_for_entry_pages(app, db):
    entry = file_checklist(app, db, "202", "obs1")
    for name, shown in (("liaison", True), ("admin", True), ("coord", False), ("obs1", False)):
        with app.test_request_context(f"/checklists/{entry}"):
            login_user(_login_user(db, name))
            html = render_template("liaison/_mark.html", kind="checklist", entry_id=entry)
        assert (f'action="/liaison/queue/checklist/{entry}"' in html) is shown, name
    liaison.mark(db, "checklist", entry, "media", "Press excluded", _user_id(db, "liaison"))
    with app.test_request_context(f"/checklists/{entry}"):
        login_user(_login_user(db, "liaison"))
        html = render_template("liaison/_mark.html", kind="checklist", entry_id=entry,
                               queued=liaison.queued_entry(db, "checklist", entry))
    assert "Press excluded" in html and "Take off the queue" in html


def test_mark_from_an_entry_page_returns_there_and_remove(app, db, browser):
    entry = file_checklist(app, db, "202", "obs1")
    browser.login("liaison")
    back = _mark(browser, "checklist", entry, next=f"/checklists/{entry}")
    assert back.location.endswith(f"/checklists/{entry}")
    evil = _mark(browser, "checklist", entry, next="//evil.example/x")
    assert evil.location.endswith("/liaison/queue")
    removed = browser.client.post(f"/liaison/queue/checklist/{entry}/remove",
                                  data={"csrf_token": csrf(browser)})
    assert removed.status_code == 303
    assert f"C{entry} was taken off" in browser.client.get(removed.location).text
    assert db.execute("SELECT count(*) FROM liaison_queue").fetchone()[0] == 0
    twice = browser.client.post(f"/liaison/queue/checklist/{entry}/remove",
                                data={"csrf_token": csrf(browser)})
    assert "was not in the CEC queue" in browser.client.get(twice.location).text


def test_remove_without_csrf_is_refused(app, db, browser):
    entry = file_checklist(app, db, "202", "obs1")
    liaison.mark(db, "checklist", entry, "media", "Note", _user_id(db, "liaison"))
    browser.login("liaison")
    response = browser.client.post(f"/liaison/queue/checklist/{entry}/remove")
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM liaison_queue").fetchone()[0] == 1


@pytest.mark.parametrize("user, method, path, expected", [
    ("obs1", "get", "/liaison/queue", 403),
    ("obs1", "get", "/liaison/queue/checklist/{id}", 403),
    ("obs1", "post", "/liaison/queue/checklist/{id}", 403),
    ("obs1", "post", "/liaison/queue/checklist/{id}/remove", 403),
    ("coord", "get", "/liaison/queue", 200),
    ("coord", "get", "/liaison/queue/checklist/{id}", 403),
    ("coord", "post", "/liaison/queue/checklist/{id}", 403),
    ("coord", "post", "/liaison/queue/checklist/{id}/remove", 403),
    ("admin", "get", "/liaison/queue", 200),
    ("admin", "get", "/liaison/queue/checklist/{id}", 200),
    ("liaison", "get", "/liaison/queue", 200),
    (None, "get", "/liaison/queue", 302),
])
def test_who_reaches_the_queue(app, db, browser, user, method, path, expected):
    entry = file_checklist(app, db, "202", "obs1")
    if user:
        browser.login(user)
    data = {"csrf_token": csrf(browser), "topic": "media", "note": "x"} \
        if method == "post" else None
    response = getattr(browser.client, method)(path.format(id=entry), data=data)
    assert response.status_code == expected
    if user == "coord":
        assert "Read only" in browser.client.get("/liaison/queue").text


def test_observer_linking_is_limited_to_the_team_and_has_no_queue(app, db, browser):
    entry = file_checklist(app, db, "202", "obs1")
    liaison.mark(db, "checklist", entry, "media", "Secret liaison note", _user_id(db, "liaison"))
    browser.login("obs1")
    _url, hidden = open_meeting_form(browser)
    form = browser.client.get(_url).text
    assert "Secret liaison note" not in form and 'name="queued"' not in form
    response = browser.client.post("/meetings/new", data={
        **hidden, **_meeting_fields(), "queued": [f"checklist:{entry}"]})
    assert response.status_code == 400 and "Choose from the entries shown." in response.text
