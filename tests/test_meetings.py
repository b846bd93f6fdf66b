"""Meeting reports with commissions, the way a browser files them (CSRF on).

Idempotent by uuid, validated field by field, versioned on edit, scoped to
the team, followed up item by item, with a filterable log and an overdue view.
"""

import json
import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models import entries, liaison, meetings, review
from tests.conftest import Browser

MISSION_ZONE = "Asia/Almaty"


def _today() -> date:
    return datetime.now(ZoneInfo(MISSION_ZONE)).date()


def _meeting_fields(**overrides) -> dict:
    """A meeting with the Aktobe TEC: 2 counterparts, 2 topics, 2 requests, 1 commitment."""
    fields = {
        "date": "2023-03-10", "time": "15:30", "place": "Ақтөбе, Әбілқайыр хан даңғылы 40",
        "commission_level": "territorial", "region": "Aktobe",
        "commission_name": "Aktobe regional territorial election commission",
        "counterparts-0-name": "Айгүл Серікқызы", "counterparts-0-position": "Chairperson",
        "counterparts-1-name": "Marat Zhaksybekov", "counterparts-1-position": "Secretary",
        "counterparts-2-name": "", "counterparts-2-position": "",
        "counterparts-3-name": "", "counterparts-3-position": "",
        "participants": "obs1, obs2",
        "topics": ["accreditation_access", "voter_lists"],
        "summary": "The TEC explained how observers are accredited at precinct level.",
        "requests-0-text": "Copies of the accreditation decisions of 3 March",
        "requests-0-due_date": "2023-03-15",
        "requests-1-text": "Access to the voter list of PEC No. 202 for verification",
        "requests-1-due_date": "2023-03-17",
        "requests-2-text": "", "requests-2-due_date": "",
        "commitments-0-text": "The TEC will post the PEC compositions on its website",
        "commitments-0-due_date": "2023-03-14",
        "entry_numbers": "",
    }
    fields.update(overrides)
    return fields


def open_meeting_form(browser: Browser, query: str = "") -> tuple[str, dict]:
    """GET a new meeting form (following the uuid redirect); its address and hidden fields."""
    first = browser.client.get("/meetings/new" + query)
    assert first.status_code == 302 and "uuid=" in first.location
    page = browser.client.get(first.location)
    assert page.status_code == 200, page.text
    return first.location, {"csrf_token": Browser.hidden(page.text, "csrf_token"),
                            "uuid": Browser.hidden(page.text, "uuid")}


def log_meeting(browser: Browser, **overrides):
    """Open a form and send it; returns (data sent, response)."""
    _url, hidden = open_meeting_form(browser)
    data = {**hidden, **_meeting_fields(**overrides)}
    return data, browser.client.post("/meetings/new", data=data)


def csrf(browser: Browser) -> str:
    """A CSRF token of the session, read from the login page's form."""
    return Browser.hidden(browser.client.get("/login").text, "csrf_token")


def _count(db, table: str = "interactions") -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _user_id(db, name: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0]


def make_meeting(db, author: str = "obs1", team: str = "T01", **overrides) -> int:
    """A meeting stored through the model (for the log and follow-up tests)."""
    values = {"uuid": str(uuid.uuid4()), "occurred_utc": "2023-03-10T09:00:00Z",
              "timezone": MISSION_ZONE, "place": "", "commission_level": "territorial",
              "commission_name": "Astana city TEC", "region": "Astana", "counterparts": [],
              "participants": "", "topics": ["voter_lists"], "summary": "Met.",
              "follow_ups": [], "links": []}
    values.update(overrides)
    entry_id, created = entries.create(db, meetings.MEETINGS, meetings.Meeting(**values),
                                            _user_id(db, author), team)
    assert created
    return entry_id


def test_observer_logs_a_meeting_in_the_regions_local_time(app, db, browser):
    browser.login("obs1")
    _data, response = log_meeting(browser)
    assert response.status_code == 303
    page = browser.client.get(response.location, follow_redirects=True).text
    assert "Meeting logged." in page
    # Aktobe kept UTC+5 in March 2023: 15:30 there is 10:30 UTC.
    assert "10.03.2023 15:30 (UTC+5)" in page
    for text in ("Айгүл Серікқызы", "Secretary", "Accreditation and observer access",
                 "Voter lists", "Copies of the accreditation decisions", "15.03.2023",
                 "post the PEC compositions"):
        assert text in page
    row = db.execute("SELECT occurred_utc, timezone, team, counterparts, topics, region,"
                     " review_state FROM interactions").fetchone()
    assert row[:3] == ("2023-03-10T10:30:00Z", "Asia/Aqtobe", "T01")
    assert [p["position"] for p in json.loads(row[3])] == ["Chairperson", "Secretary"]
    assert json.loads(row[4]) == ["accreditation_access", "voter_lists"]
    assert row[5:] == ("Aktobe", "submitted")
    items = db.execute("SELECT kind, due_date, status FROM follow_ups ORDER BY id").fetchall()
    assert items == [("request", "2023-03-15", "open"), ("request", "2023-03-17", "open"),
                     ("commitment", "2023-03-14", "open")]
    assert _count(db, "entry_versions") == 1
    assert db.execute("SELECT action, entry_kind FROM audit_log WHERE action = 'create'"
                      ).fetchall() == [("create", "interaction")]


def test_cec_meeting_keeps_the_missions_zone(app, db, browser):
    browser.login("liaison")
    _data, response = log_meeting(browser, commission_level="cec", region="",
                                  commission_name="Central Election Commission")
    assert response.status_code == 303
    assert db.execute("SELECT occurred_utc, timezone, team FROM interactions").fetchone() == \
        ("2023-03-10T09:30:00Z", "Asia/Almaty", meetings.LIAISON_TEAM)


@pytest.mark.parametrize("repeats", [2, 3])
def test_repeated_submission_returns_the_same_meeting(app, db, browser, repeats):
    browser.login("obs1")
    data, first = log_meeting(browser)
    for _ in range(repeats - 1):
        again = browser.client.post("/meetings/new", data=data)
        assert again.status_code == 303 and again.location == first.location
    assert "already been received" in browser.client.get(first.location).text
    assert (_count(db), _count(db, "follow_ups")) == (1, 3)


def test_same_uuid_with_other_content_is_refused_and_keeps_the_text(app, db, browser):
    browser.login("obs1")
    data, _first = log_meeting(browser)
    response = browser.client.post("/meetings/new",
                                   data={**data, "summary": "A different summary"})
    assert response.status_code == 409
    assert "already sent with different content" in response.text
    assert "A different summary" in response.text
    assert _count(db) == 1


def test_back_to_the_form_address_leads_to_the_meeting(app, db, browser):
    browser.login("obs1")
    url, hidden = open_meeting_form(browser)
    sent = browser.client.post("/meetings/new", data={**hidden, **_meeting_fields()})
    back = browser.client.get(url)
    assert back.status_code == 303 and back.location == sent.location


def _tomorrow() -> str:
    return (_today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("overrides, message", [
    ({"commission_name": ""}, "Enter the name of the commission."),
    ({"topics": []}, "Tick at least one topic."),
    ({"topics": ["weather"]}, "Choose from the topics shown."),
    ({"commission_level": "regional"}, "Choose the commission level."),
    ({"commission_level": ""}, "Choose the commission level."),
    ({"region": ""}, "Choose the region of this commission."),
    ({"region": "Atlantis"}, "Choose a region from the list."),
    ({"requests-2-due_date": "2023-03-20"}, "Write the text, or clear the date."),
    ({"requests-0-due_date": "2023-03-01"}, "This date is before the meeting."),
    ({"requests-1-due_date": "17/03/2023"}, "Not a valid date value."),
    ({"commitments-0-text": "x" * 1001}, "Limited to 1000 characters."),
    ({"counterparts-2-position": "Member"}, "Enter the name, or clear the position."),
    ({"entry_numbers": "C99999"}, "Unknown entry: C99999."),
    ({"entry_numbers": "C12, checklist 5"}, "is not one"),
    ({"date": _tomorrow()}, "The meeting is in the future"),
    ({"date": "0001-01-01"}, "Check the year."),
    ({"date": ""}, "Enter the date of the meeting."),
    ({"time": "25:00"}, "Enter the time as HH:MM"),
    ({"summary": "x" * 8001}, "The summary is limited to 8000 characters."),
    ({"summary": "   "}, "Summarise what was discussed."),
])
def test_invalid_meetings_are_refused_with_the_message_next_to_the_field(
        app, db, browser, overrides, message):
    browser.login("obs1")
    _data, response = log_meeting(browser, **overrides)
    assert response.status_code == 400
    assert message in response.text
    assert "Nothing you typed was lost" in response.text
    assert "Marat Zhaksybekov" in response.text  # what was typed comes back
    assert (_count(db), _count(db, "follow_ups")) == (0, 0)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'create'").fetchone()[0] == 0


@pytest.mark.parametrize("field", ["counterparts-²-name", "requests-99999999999-text",
                                   "commitments--1-text", "counterparts-x-name"])
def test_tampered_row_numbers_are_ignored_not_a_500(app, db, browser, field):
    browser.login("obs1")
    _data, response = log_meeting(browser, **{field: "tampered"})
    assert response.status_code == 303
    stored = db.execute("SELECT counterparts || (SELECT group_concat(text) FROM follow_ups)"
                        " FROM interactions").fetchone()[0]
    assert "tampered" not in stored


def test_more_rows_button_adds_rows_and_saves_nothing(app, db, browser):
    browser.login("obs1")
    _url, hidden = open_meeting_form(browser)
    response = browser.client.post("/meetings/new",
                                   data={**hidden, **_meeting_fields(), "more_rows": "1"})
    assert response.status_code == 200
    assert 'name="counterparts-7-name"' in response.text
    assert 'name="requests-6-text"' in response.text  # 3 posted + 4 more
    assert "Marat Zhaksybekov" in response.text
    assert _count(db) == 0


def test_linking_entries_by_number(app, db, browser):
    from tests.test_liaison import file_checklist, file_incident
    checklist = file_checklist(app, db, "202", "obs1")
    incident = file_incident(db, "obs1", "T01")
    other_team = file_checklist(app, db, "303", "obs3")
    browser.login("obs1")
    refused = log_meeting(browser, entry_numbers=f"C{other_team}")[1]
    assert refused.status_code == 400 and f"Unknown entry: C{other_team}." in refused.text
    # Cyrillic С and І, as typed on a Kazakh keyboard, are read as C and I.
    data, response = log_meeting(browser, entry_numbers=f"С{checklist}; і{incident}")
    assert response.status_code == 303
    assert db.execute("SELECT entry_kind, entry_id FROM interaction_links ORDER BY 1"
                      ).fetchall() == [("checklist", checklist), ("incident", incident)]
    page = browser.client.get(response.location).text
    assert f'href="/checklists/{checklist}"' in page and f"I{incident}" in page
    # Editing the numbers takes the incident off; each entry's audit trail says so.
    form = browser.client.get(response.location + "/edit").text
    assert f'value="C{checklist}, I{incident}"' in form
    edited = browser.client.post(response.location + "/edit", data={
        **data, "csrf_token": csrf(browser), "base_version": "1", "entry_numbers": f"C{checklist}",
        "requests-0-item_id": "1", "requests-1-item_id": "2", "commitments-0-item_id": "3"})
    assert edited.status_code == 303
    trail = [(kind, entry, json.loads(details)) for kind, entry, details in db.execute(
        "SELECT entry_kind, entry_id, details FROM audit_log WHERE action = 'link' ORDER BY id")]
    meeting = int(response.location.rsplit("/", 1)[1])
    assert trail == [("checklist", checklist, {"interaction": meeting}),
                     ("incident", incident, {"interaction": meeting}),
                     ("incident", incident, {"interaction": meeting, "removed": True})]


def test_filters_return_the_right_meetings(app, db, browser):
    cec = make_meeting(db, "liaison", meetings.LIAISON_TEAM, commission_level="cec",
                       commission_name="Meeting CEC", region="", topics=["list_quota_30"],
                       follow_ups=[meetings.FollowUp("request", "Quota rules", "2023-03-01")])
    aktobe = make_meeting(db, commission_name="Meeting Aktobe", region="Aktobe",
                          topics=["voter_lists", "media"], occurred_utc="2023-03-12T09:00:00Z",
                          follow_ups=[meetings.FollowUp("request", "Lists", "2023-03-20")])
    astana = make_meeting(db, "obs3", "T02", commission_name="Meeting Astana",
                          commission_level="district", topics=["media"],
                          occurred_utc="2023-03-14T09:00:00Z")
    item = db.execute("SELECT id FROM follow_ups WHERE interaction_id = ?", [aktobe]).fetchone()[0]
    liaison.answer_follow_up(db, item, "2023-03-18", "Lists given", _user_id(db, "liaison"))
    browser.login("coord")

    def shown(query):
        page = browser.client.get("/meetings" + query)
        assert page.status_code == 200
        return {name for name in ("Meeting CEC", "Meeting Aktobe", "Meeting Astana")
                if name in page.text}

    assert shown("") == {"Meeting CEC", "Meeting Aktobe", "Meeting Astana"}
    assert shown("?level=cec") == {"Meeting CEC"}
    assert shown("?level=district") == {"Meeting Astana"}
    assert shown("?region=Aktobe") == {"Meeting Aktobe"}
    assert shown("?topic=media") == {"Meeting Aktobe", "Meeting Astana"}
    assert shown("?topic=list_quota_30") == {"Meeting CEC"}
    assert shown("?status=answered") == {"Meeting Aktobe"}
    assert shown("?status=open") == {"Meeting CEC"}
    assert shown("?status=overdue") == {"Meeting CEC"}
    assert shown("?topic=media&region=Astana") == {"Meeting Astana"}
    assert shown("?since=2023-03-12&until=2023-03-13") == {"Meeting Aktobe"}
    page = browser.client.get("/meetings").text
    assert page.index("Meeting Astana") < page.index("Meeting Aktobe") < page.index("Meeting CEC")
    assert {cec, astana}  # ids used above only to make the meetings


@pytest.mark.parametrize("query", ["?level=regional", "?topic=weather", "?status=late",
                                   "?since=yesterday", "?since=2023-03-14&until=2023-03-01",
                                   "?since=0001-01-01", "?until=9999-12-31",
                                   "?region=Atlantis"])
def test_bad_filters_get_400_with_a_message(app, browser, query):
    browser.login("coord")
    response = browser.client.get("/meetings" + query)
    assert response.status_code == 400
    assert 'class="error"' in response.text


def test_observer_sees_only_the_teams_meetings(app, db, browser):
    mine = make_meeting(db, commission_name="Meeting of T01")
    theirs = make_meeting(db, "obs3", "T02", commission_name="Meeting of T02")
    by_liaison = make_meeting(db, "liaison", meetings.LIAISON_TEAM, commission_level="cec",
                              commission_name="Meeting of the liaison", region="")
    browser.login("obs3")
    log_page = browser.client.get("/meetings").text
    assert "Meeting of T02" in log_page and "Meeting of T01" not in log_page
    assert "Meeting of the liaison" not in log_page
    for entry_id in (mine, by_liaison):
        assert browser.client.get(f"/meetings/{entry_id}").status_code == 404
        assert browser.client.get(f"/meetings/{entry_id}/edit").status_code == 404
    assert browser.client.get(f"/meetings/{theirs}").status_code == 200


@pytest.mark.parametrize("user, path, expected", [
    (None, "/meetings", 302),
    (None, "/meetings/new", 302),
    (None, "/meetings/overdue", 302),
    ("coord", "/meetings/new", 403),
    ("admin", "/meetings/new", 403),
    ("coord", "/meetings", 200),
    ("admin", "/meetings/overdue", 200),
    ("obs1", "/meetings/overdue", 200),
    ("liaison", "/meetings/new", 302),
    ("obs1", "/meetings/99999", 404),
    ("obs1", "/meetings/" + "9" * 30, 404),
    ("obs1", "/meetings?page=" + "9" * 30, 200),
])
def test_roles_reach_only_their_meeting_pages(browser, user, path, expected):
    if user:
        browser.login(user)
    response = browser.client.get(path)
    assert response.status_code == expected


def _answer(browser: Browser, entry_id: int, item_id: int, **fields):
    page = browser.client.get(f"/meetings/{entry_id}").text
    token = re.search(rf'name="item{item_id}-csrf_token" type="hidden" value="([^"]*)"', page)
    data = {f"item{item_id}-{k}": v for k, v in fields.items()}
    data[f"item{item_id}-csrf_token"] = token.group(1) if token else ""
    return browser.client.post(f"/meetings/follow-ups/{item_id}", data=data)


def test_answering_and_closing_a_follow_up(app, db, browser):
    entry_id = make_meeting(db, follow_ups=[meetings.FollowUp("request", "Lists", None)])
    item = db.execute("SELECT id FROM follow_ups").fetchone()[0]
    browser.login("liaison")
    response = _answer(browser, entry_id, item, action="answer", answer_date="2023-03-16",
                       answer_text="The TEC gave access on 16 March.")
    assert response.status_code == 303
    assert db.execute("SELECT status, answer_date, answer_text FROM follow_ups").fetchone() == \
        ("answered", "2023-03-16", "The TEC gave access on 16 March.")
    page = browser.client.get(response.location).text
    assert "Answer recorded." in page and "16.03.2023" in page
    assert _answer(browser, entry_id, item, action="close").status_code == 303
    assert db.execute("SELECT status, answer_text FROM follow_ups").fetchone() == \
        ("closed", "The TEC gave access on 16 March.")
    details = [json.loads(d) for (d,) in db.execute(
        "SELECT details FROM audit_log WHERE action = 'follow_up' ORDER BY id")]
    assert [(d["from"], d["to"]) for d in details] == [("open", "answered"),
                                                       ("answered", "closed")]
    # A closed item takes no more answers (and shows no form to give one).
    assert f'name="item{item}-csrf_token"' not in browser.client.get(response.location).text
    assert browser.client.post(f"/meetings/follow-ups/{item}", data={
        f"item{item}-action": "answer", f"item{item}-answer_date": "2023-03-17",
        f"item{item}-answer_text": "Late", f"item{item}-csrf_token": csrf(browser)
    }).status_code == 409


@pytest.mark.parametrize("fields, message", [
    ({"action": "answer", "answer_date": "2023-03-16", "answer_text": ""},
     "Write what the commission answered."),
    ({"action": "answer", "answer_date": "", "answer_text": "Yes"},
     "Enter the date of the answer."),
    ({"action": "answer", "answer_date": "2023-03-01", "answer_text": "Yes"},
     "This date is before the meeting."),
    ({"action": "answer", "answer_date": _tomorrow(), "answer_text": "Yes"},
     "This date is in the future."),
    ({"action": "delete"}, "Record the answer"),
])
def test_invalid_answers_are_refused(app, db, browser, fields, message):
    entry_id = make_meeting(db, follow_ups=[meetings.FollowUp("request", "Lists", None)])
    item = db.execute("SELECT id FROM follow_ups").fetchone()[0]
    browser.login("obs2")  # a team mate of the author may follow up too
    response = _answer(browser, entry_id, item, **fields)
    assert response.status_code == 400 and message in response.text
    assert db.execute("SELECT status FROM follow_ups").fetchone()[0] == "open"


def test_other_team_cannot_follow_up(app, db, browser):
    entry_id = make_meeting(db, follow_ups=[meetings.FollowUp("request", "Lists", None)])
    item = db.execute("SELECT id FROM follow_ups").fetchone()[0]
    browser.login("obs3")
    response = browser.client.post(f"/meetings/follow-ups/{item}", data={
        f"item{item}-action": "close", f"item{item}-csrf_token": csrf(browser)})
    assert response.status_code == 404
    assert browser.client.get(f"/meetings/{entry_id}").status_code == 404


def test_overdue_lists_open_items_past_due_but_not_answered_ones(app, db, browser):
    yesterday = (_today() - timedelta(days=1)).isoformat()
    held = (datetime.now(ZoneInfo("UTC")) - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    make_meeting(db, occurred_utc=held, follow_ups=[
        meetings.FollowUp("request", "Overdue request about voter lists", yesterday),
        meetings.FollowUp("request", "Answered request about protocols", yesterday),
        meetings.FollowUp("commitment", "Not due yet", _tomorrow())])
    answered = db.execute("SELECT id FROM follow_ups WHERE text LIKE 'Answered%'").fetchone()[0]
    liaison.answer_follow_up(db, answered, yesterday, "Done", _user_id(db, "liaison"))
    browser.login("coord")
    page = browser.client.get("/meetings/overdue").text
    assert "Overdue request about voter lists" in page and "1 day" in page
    assert "Answered request about protocols" not in page and "Not due yet" not in page
    detail = browser.client.get("/meetings").text
    assert "1 overdue" in detail
    browser.login("obs3")  # another team's overdue items are not theirs to see
    assert "Overdue request" not in browser.client.get("/meetings/overdue").text


def _edit_form(browser: Browser, entry_url: str) -> str:
    page = browser.client.get(entry_url + "/edit")
    assert page.status_code == 200, page.text
    return page.text


def test_team_mate_edits_and_every_version_is_kept(app, db, browser):
    browser.login("obs1")
    data, response = log_meeting(browser)
    entry = response.location
    browser.login("obs2")
    form = _edit_form(browser, entry)
    assert 'value="15:30"' in form and "Marat Zhaksybekov" in form
    ids = [r[0] for r in db.execute("SELECT id FROM follow_ups ORDER BY id")]
    assert f'value="{ids[0]}"' in form
    edited = {**data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": "1",
              "summary": "Corrected summary.",
              "requests-0-item_id": str(ids[0]), "requests-1-item_id": str(ids[1]),
              "requests-1-text": "", "requests-1-due_date": "",  # withdrawn
              "commitments-0-item_id": str(ids[2]),
              "commitments-1-text": "The TEC will reply in writing"}
    saved = browser.client.post(entry + "/edit", data=edited)
    assert saved.status_code == 303
    texts = [r[0] for r in db.execute("SELECT text FROM follow_ups ORDER BY id")]
    assert texts == ["Copies of the accreditation decisions of 3 March",
                     "The TEC will post the PEC compositions on its website",
                     "The TEC will reply in writing"]
    versions = db.execute("SELECT version, changes FROM entry_versions ORDER BY version"
                          ).fetchall()
    assert [v[0] for v in versions] == [1, 2]
    assert set(json.loads(versions[1][1])) == {"summary", "follow_ups"}
    page = browser.client.get(entry).text
    assert "original report" in page and "Corrected summary." in page and "obs2" in page
    stale = browser.client.post(entry + "/edit", data={**edited, "summary": "Third"})
    assert stale.status_code == 409 and "newer version" in stale.text
    assert db.execute("SELECT version FROM interactions").fetchone()[0] == 2


def test_edit_refused_when_an_item_was_answered_meanwhile(app, db, browser):
    browser.login("obs1")
    data, response = log_meeting(browser)
    form = _edit_form(browser, response.location)
    first = db.execute("SELECT id FROM follow_ups ORDER BY id").fetchone()[0]
    liaison.answer_follow_up(db, first, "2023-03-12", "Given", _user_id(db, "liaison"))
    edited = {**data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": "1",
              "requests-0-item_id": str(first), "requests-0-text": "Changed"}
    assert browser.client.post(response.location + "/edit", data=edited).status_code == 409
    assert db.execute("SELECT text FROM follow_ups WHERE id = ?", [first]).fetchone()[0] == \
        "Copies of the accreditation decisions of 3 March"


def test_review_states_decide_whether_authors_may_edit(app, db, browser):
    browser.login("obs1")
    data, response = log_meeting(browser)
    entry_id = int(response.location.rsplit("/", 1)[1])
    coord = _user_id(db, "coord")
    review.move(db, "interaction", entry_id, "needs_clarification", coord, "Which PEC?")
    form = _edit_form(browser, response.location)
    edited = {**data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": "1",
              "summary": "PEC No. 202.", **{f"requests-{i}-item_id": str(i + 1) for i in (0, 1)},
              "commitments-0-item_id": "3"}
    assert browser.client.post(response.location + "/edit", data=edited).status_code == 303
    assert review.state_of(db, "interaction", entry_id) == "submitted"
    review.move(db, "interaction", entry_id, "verified", coord)
    refused = browser.client.get(response.location + "/edit", follow_redirects=True)
    assert "can no longer be edited" in refused.text
    assert browser.client.post(response.location + "/edit",
                               data={**edited, "base_version": "2"}).status_code == 303
    assert db.execute("SELECT version, summary FROM interactions").fetchone() == (2, "PEC No. 202.")
    browser.login("liaison")  # a reviewer, not an author
    assert browser.client.get(response.location + "/edit").status_code == 403


def test_edit_with_damaged_ids_is_refused(app, db, browser):
    browser.login("obs1")
    data, response = log_meeting(browser)
    form = _edit_form(browser, response.location)
    base = {**data, "csrf_token": Browser.hidden(form, "csrf_token")}
    assert browser.client.post(response.location + "/edit",
                               data={**base, "base_version": "x"}).status_code == 400
    other = make_meeting(db, follow_ups=[meetings.FollowUp("request", "Other", None)])
    foreign = db.execute("SELECT id FROM follow_ups WHERE interaction_id = ?",
                         [other]).fetchone()[0]
    response = browser.client.post(response.location + "/edit", data={
        **base, "base_version": "1", "requests-0-item_id": str(foreign)})
    assert response.status_code == 400
    assert db.execute("SELECT text FROM follow_ups WHERE id = ?", [foreign]).fetchone()[0] == \
        "Other"


def test_demo_meetings_are_plausible_and_render(app, db, browser):
    import random

    from models.demo_meetings import generate_meetings
    # The conftest mission has no checklists: meetings without links, no queue.
    summary = generate_meetings(db, random.Random(5), 40)
    assert summary["interactions"] == _count(db) == 40
    assert summary["follow_ups"] == _count(db, "follow_ups") > 40
    assert _count(db, "entry_versions") == 40
    zones = dict(db.execute("SELECT region, timezone FROM interactions WHERE region != ''"
                            " GROUP BY region"))
    assert zones.get("Aktobe", "Asia/Aqtobe") == "Asia/Aqtobe"
    assert set(db.execute("SELECT team FROM interactions WHERE commission_level = 'cec'")) == \
        {(meetings.LIAISON_TEAM,)}
    statuses = dict(db.execute("SELECT status, count(*) FROM follow_ups GROUP BY status"))
    assert set(statuses) == {"open", "answered", "closed"}
    assert summary["overdue"] > 0
    first, _rest = db.execute("SELECT min(occurred_utc), max(occurred_utc) FROM interactions"
                              ).fetchone()
    assert first >= "2023-02-16T18:00:00Z"
    browser.login("coord")
    assert browser.client.get("/meetings").status_code == 200
    assert "overdue" in browser.client.get("/meetings/overdue").text
    meeting = db.execute("SELECT id FROM interactions LIMIT 1").fetchone()[0]
    assert browser.client.get(f"/meetings/{meeting}").status_code == 200


def test_demo_links_serious_checklists_and_queues_them(tmp_path):
    from models import demo
    from models.db import connect
    from models.migrations import migrate
    db = connect(str(tmp_path / "demo.sqlite"))
    migrate(db)
    summary = demo.generate(db, 200, 800)  # the demo logs meetings itself
    assert summary["counts"]["interactions"] > 0
    assert _count(db, "liaison_queue") > 0
    assert _count(db, "interaction_links") > 0
    # A territorial meeting raises checklists of its own region; the CEC raises queued ones.
    wrong = db.execute(
        "SELECT count(*) FROM interaction_links l JOIN interactions i ON i.id = l.interaction_id"
        " JOIN checklists c ON c.id = l.entry_id JOIN stations s ON s.id = c.station_id"
        " WHERE c.serious_count = 0 OR (i.commission_level != 'cec' AND s.region != i.region)"
        " OR (i.commission_level = 'cec' AND l.entry_id NOT IN"
        "     (SELECT entry_id FROM liaison_queue))").fetchone()[0]
    assert wrong == 0
    assert db.execute("SELECT min(i.occurred_utc) > '2023-03-19' FROM interaction_links l"
                      " JOIN interactions i ON i.id = l.interaction_id").fetchone()[0] == 1
    assert liaison.queue(db)  # groups build from the demo queue
    db.close()
