"""Dates and times: date fields default to election day outside the mission, the voting-hours
warning, and 24-hour time fields."""

import re
from datetime import date, datetime, timezone

import pytest

from app import create_app
from models import definitions, mission_dates
from tests.conftest import Browser, good_answers, station_id, visit
from tests.test_api import checklist_body, token_for
from tests.test_incidents import _file as file_incident
from tests.test_meetings import log_meeting

ELECTION = date(2023, 3, 19)


@pytest.mark.parametrize("config, today, expected", [
    ({"ELECTION_DATE": "2023-03-19"}, date(2026, 11, 30), ELECTION),
    ({"ELECTION_DATE": "2023-03-19"}, date(2023, 3, 18), date(2023, 3, 18)),
    ({"ELECTION_DATE": "2023-03-19"}, date(2023, 3, 20), date(2023, 3, 20)),
    # 35 days before and 14 after are still the mission's; a day more is not.
    ({"ELECTION_DATE": "2023-03-19"}, date(2023, 2, 12), date(2023, 2, 12)),
    ({"ELECTION_DATE": "2023-03-19"}, date(2023, 2, 11), ELECTION),
    ({"ELECTION_DATE": "2023-03-19"}, date(2023, 4, 2), date(2023, 4, 2)),
    ({"ELECTION_DATE": "2023-03-19"}, date(2023, 4, 3), ELECTION),
    ({"ELECTION_DATE": date(2023, 3, 19)}, date(2020, 1, 1), ELECTION),
    ({"ELECTION_DATE": "2023-03-19", "MISSION_START": "2023-03-01"}, date(2023, 2, 20), ELECTION),
    ({"ELECTION_DATE": "2023-03-19", "MISSION_END": "2023-05-15"}, date(2023, 5, 10),
     date(2023, 5, 10)),
    ({"ELECTION_DATE": None}, date(2026, 11, 30), date(2026, 11, 30)),
    ({"ELECTION_DATE": ""}, date(2026, 11, 30), date(2026, 11, 30)),
])
def test_default_day(config, today, expected):
    assert mission_dates.from_config(config).default_day(today) == expected


@pytest.mark.parametrize("config, message", [
    ({"ELECTION_DATE": "19.03.2023"}, "ELECTION_DATE must be a date as YYYY-MM-DD"),
    ({"ELECTION_DATE": "2023-03-19", "MISSION_END": "2023-03-01"}, "is not within"),
    ({"POLLS_OPEN": "25:00"}, "POLLS_OPEN must be a time as HH:MM"),
    ({"POLLS_OPEN": "20:00", "POLLS_CLOSE": "07:00"}, "must be before POLLS_CLOSE"),
])
def test_a_mistyped_date_setting_stops_the_app_at_start_up(tmp_path, config, message):
    with pytest.raises(ValueError, match=message):
        create_app({"DATABASE": str(tmp_path / "x.sqlite"), "SECRET_KEY": "x", **config})


# --- date fields of new forms -------------------------------------------------------

def _checklist_page(browser: Browser, db) -> str:
    return browser.client.get(f"/checklists/voting/new?station={station_id(db, '202')}",
                              follow_redirects=True).text


def _incident_page(browser: Browser, db) -> str:
    return browser.client.get("/incidents/new", follow_redirects=True).text


def _meeting_page(browser: Browser, db) -> str:
    return browser.client.get("/meetings/new", follow_redirects=True).text


def _value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


FORMS = [(_checklist_page, "arrival_date"), (_checklist_page, "departure_date"),
         (_incident_page, "occurred_date"), (_meeting_page, "date")]


@pytest.mark.parametrize("page, field", FORMS)
@pytest.mark.parametrize("election_date, now, expected", [
    # Today (2026 and later) is far from the demo's election: election day.
    ("2023-03-19", None, "2023-03-19"),
    # No election day configured: today, as before.
    (None, None, "today"),
    # During the mission: today (in Asia/Almaty or Aktobe's zone: still the 10th).
    ("2023-03-19", datetime(2023, 3, 10, 12, tzinfo=timezone.utc), "2023-03-10"),
])
def test_date_fields_start_on_election_day_outside_the_mission(
        app, db, browser, monkeypatch, page, field, election_date, now, expected):
    app.config["ELECTION_DATE"] = election_date
    if now is not None:
        monkeypatch.setattr("models.clock.utc_now", lambda: now)
    browser.login("obs1")
    if expected == "today":
        expected = datetime.now(timezone.utc).date().isoformat()
        # A test run across midnight in Almaty or Aktobe may see the next day.
        assert _value(page(browser, db), field) in (
            expected, date.fromordinal(date.fromisoformat(expected).toordinal() + 1).isoformat())
    else:
        assert _value(page(browser, db), field) == expected


# --- the voting-hours warning ----------------------------------------------------------

def _send(browser: Browser, db, form_type: str, arrival: str, departure: str, **extra):
    hidden = browser.open_form(form_type, station_id(db, "202"))
    data = {**hidden, **visit(arrival_time=arrival, departure_time=departure),
            **good_answers(definitions.get(form_type)), **extra}
    return browser.client.post(f"/checklists/{form_type}/new", data=data)


WARNING = "Polls are open 07:00–20:00; is this right?"


@pytest.mark.parametrize("form_type, arrival, departure, confirmed, status", [
    ("voting", "03:00", "03:40", False, 400),
    ("voting", "03:00", "03:40", True, 303),
    ("voting", "06:59", "07:30", False, 400),
    ("voting", "07:00", "07:30", False, 303),
    ("voting", "20:00", "20:30", False, 303),
    ("voting", "20:01", "20:30", False, 400),
    ("voting", "23:10", "23:50", True, 303),
    ("voting", "10:00", "10:40", False, 303),
    # Opening and counting happen outside polling hours: no question asked.
    ("opening", "06:30", "07:30", False, 303),
    ("counting", "20:00", "23:30", False, 303),
])
def test_a_voting_visit_outside_polling_hours_asks_for_confirmation(
        db, browser, form_type, arrival, departure, confirmed, status):
    browser.login("obs1")
    extra = {"hours_confirmed": "y"} if confirmed else {}
    response = _send(browser, db, form_type, arrival, departure, **extra)
    assert response.status_code == status, response.text
    if status == 400:
        assert WARNING in response.text
        # What the observer typed is kept, and the box to confirm it is there.
        assert _value(response.text, "arrival_time") == arrival
        assert 'name="hours_confirmed"' in response.text
    else:
        assert WARNING not in response.text


def test_confirming_sends_the_time_as_typed(db, browser):
    browser.login("obs1")
    first = _send(browser, db, "voting", "03:00", "03:40")
    assert first.status_code == 400
    data = {"csrf_token": Browser.hidden(first.text, "csrf_token"),
            "uuid": Browser.hidden(first.text, "uuid"),
            "station_id": Browser.hidden(first.text, "station_id"),
            **visit(arrival_time="03:00", departure_time="03:40"),
            **good_answers(definitions.get("voting")), "hours_confirmed": "y"}
    second = browser.client.post("/checklists/voting/new", data=data)
    assert second.status_code == 303, second.text
    # Aktobe was UTC+5 in March 2023: 03:00 local is 22:00 UTC the day before.
    row = db.execute("SELECT arrival_utc FROM checklists").fetchone()
    assert row == ("2023-03-18T22:00:00Z",)
    # Editing it later does not ask again: the box comes ticked.
    page = browser.client.get(second.location + "/edit")
    assert re.search(r'<input checked[^>]*name="hours_confirmed"', page.text)


def test_the_polling_hours_come_from_the_settings(app, db, browser):
    app.config.update(POLLS_OPEN="08:00", POLLS_CLOSE="19:00")
    browser.login("obs1")
    response = _send(browser, db, "voting", "07:30", "08:10")
    assert response.status_code == 400
    assert "Polls are open 08:00–19:00; is this right?" in response.text


def test_the_api_takes_the_time_as_sent(app, db):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(db, 'obs1')}"}
    body = checklist_body(app, db, arrival_time="03:00", departure_time="03:40")
    assert client.post("/api/v1/checklists", json=body, headers=headers).status_code == 201


# --- 24-hour time fields ------------------------------------------------------------

@pytest.mark.parametrize("page, fields", [
    (_checklist_page, ("arrival_time", "departure_time")),
    (_incident_page, ("occurred_time",)),
    (_meeting_page, ("time",)),
])
def test_time_fields_are_24_hour_text_never_a_locale_picker(db, browser, page, fields):
    browser.login("obs1")
    html = page(browser, db)
    assert 'type="time"' not in html
    for name in fields:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="text"' in tag and 'inputmode="numeric"' in tag
        assert 'placeholder="HH:MM"' in tag and 'maxlength="5"' in tag


def test_time_questions_are_24_hour_text_too(db, browser):
    browser.login("obs1")
    html = browser.client.get(f"/checklists/counting/new?station={station_id(db, '202')}",
                              follow_redirects=True).text
    tag = re.search(r'<input[^>]*name="protocol_signed_time"[^>]*>', html).group(0)
    assert 'type="text"' in tag and 'inputmode="numeric"' in tag


@pytest.mark.parametrize("typed, shown", [
    ("19:30", "19:30"),
    ("1930", "19:30"),
    ("19.30", "19:30"),
    ("7:30", "07:30"),
])
def test_a_time_typed_on_a_numeric_keypad_is_read_as_24_hour(db, browser, typed, shown):
    browser.login("obs1")
    response = _send(browser, db, "voting", typed, "19:59")
    assert response.status_code == 303, response.text
    page = browser.client.get(response.location + "/edit")
    assert _value(page.text, "arrival_time") == shown


@pytest.mark.parametrize("typed", ["7:30 PM", "19:60", "24:00", "930pm"])
def test_other_times_are_refused_and_kept(db, browser, typed):
    browser.login("obs1")
    response = _send(browser, db, "voting", typed, "19:59")
    assert response.status_code == 400
    assert "Enter the time as HH:MM" in response.text
    assert _value(response.text, "arrival_time") == typed


def test_incident_and_meeting_accept_19_30(db, browser):
    browser.login("obs1")
    _data, response = file_incident(browser, occurred_time="19.30")
    assert response.status_code == 303, response.text
    assert db.execute("SELECT occurred_utc FROM incidents").fetchone() == ("2023-03-19T14:30:00Z",)
    _data, response = log_meeting(browser, time="1930")
    assert response.status_code == 303, response.text
    # Aktobe's territorial commission, UTC+5 in March 2023.
    assert db.execute("SELECT occurred_utc FROM interactions").fetchone() == \
        ("2023-03-10T14:30:00Z",)
