"""The control room: states on a small handmade mission at given times, check-ins, the call log.

Stations (conftest): 101 Astana / Asia/Almaty (UTC+6 in 2023), 202 Aktobe, district
"Aktobe city" / Asia/Aqtobe (UTC+5), 303 Almaty. Polls 07:00-20:00 local, so in
Aktobe 02:00-15:00 UTC. Times are passed as ``now``: nothing sleeps.
"""

import json
import uuid
from datetime import date, datetime, time, timezone

import pytest

from models import control_room, users
from models.clock import local_to_utc, local_today, to_iso
from tests.conftest import Browser, station_id
from tests.test_api import Api, token_for

DAY = date(2023, 3, 19)
POLLS = (datetime.strptime("07:00", "%H:%M").time(), datetime.strptime("20:00", "%H:%M").time())


def at(hhmm: str) -> datetime:
    """A UTC moment on election day."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2023, 3, 19, hours, minutes, tzinfo=timezone.utc)


def checklist(db, team: str, number: str, form_type: str, arrival: str, created: str) -> None:
    """A stored checklist, as little as the control room reads."""
    zone = db.execute("SELECT timezone FROM stations WHERE number = ?", [number]).fetchone()[0]
    author = db.execute("SELECT id FROM users WHERE team = ?", [team]).fetchone()[0]
    with db.conn:
        db.execute(
            "INSERT INTO checklists (uuid, form_type, form_version, station_id, team, author_id,"
            " arrival_utc, departure_utc, timezone, answers, overall, content_hash,"
            " created_utc, updated_utc) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, '{}', 'good', 'x',"
            " ?, ?)", [str(uuid.uuid4()), form_type, station_id(db, number), team, author,
                       f"2023-03-19T{arrival}:00Z", f"2023-03-19T{arrival}:00Z", zone,
                       f"2023-03-19T{created}:00Z", f"2023-03-19T{created}:00Z"])


@pytest.fixture
def mission(db):
    """T01 (Aktobe) with a plan; T02 (Aktobe city only); T03 (Almaty) with nobody filing."""
    with db.conn:
        db.execute("INSERT INTO teams (team, region, districts, phones) VALUES"
                   " ('T01', 'Aktobe', '[]', '+7 701 111 2233, +7 777 000 1122'),"
                   " ('T02', 'Aktobe', '[\"Aktobe city\"]', ''),"
                   " ('T03', 'Almaty', '[]', '')")
        for position, purpose, planned in ((1, "opening", None), (2, "voting", "11:00")):
            db.execute("INSERT INTO plan_visits (team, day, position, station_id, purpose,"
                       " planned_time) VALUES ('T01', '2023-03-19', ?, ?, ?, ?)",
                       [position, station_id(db, "202"), purpose, planned])
    return db


def board(db, now: str) -> dict[str, dict]:
    teams = control_room.teams_board(db, DAY, at(now), polls=POLLS, late_after=90,
                                     mission_zone="Asia/Almaty")
    return {t["team"]: t for t in teams} | {"_order": [t["team"] for t in teams]}


def test_before_the_opening_is_due_a_silent_team_is_on_plan(mission):
    found = board(mission, "03:00")  # 08:00 in Aktobe: polls open an hour ago
    assert found["T01"]["state"] == "on_plan" and found["T01"]["minutes_since"] is None
    assert found["T01"]["by_type"]["opening"] == {"expected": 1, "done": 0, "filed": 0}
    assert [p.dial for p in found["T01"]["phones"]] == ["+77011112233", "+77770001122"]


def test_no_opening_checklist_by_0830_is_missing_and_silence_is_late(mission):
    found = board(mission, "03:45")  # 08:45 local, 105 minutes after the opening
    assert found["T01"]["flags"] == ["late", "missing"] and found["T01"]["overdue"] == 1
    assert found["T01"]["state"] == "late"


def test_an_opening_checklist_at_the_planned_station_is_done(mission):
    checklist(mission, "T01", "202", "opening", "02:10", "03:50")
    found = board(mission, "04:00")
    assert found["T01"]["state"] == "on_plan" and found["T01"]["minutes_since"] == 10
    assert found["T01"]["by_type"]["opening"]["done"] == 1
    # The voting visit planned at 11:00 is due at 12:30 local (07:30 UTC) and not filed.
    later = board(mission, "08:00")
    assert later["T01"]["flags"] == ["late", "missing"]
    # A check-in is a contact: no longer late, still missing the voting checklist.
    with mission.conn:
        mission.execute("INSERT INTO checkins (uuid, team, author_id, kind, station_id, note,"
                        " occurred_utc, timezone, created_utc) VALUES (?, 'T01', 1, 'safe',"
                        " NULL, '', '2023-03-19T07:50:00Z', 'Asia/Aqtobe',"
                        " '2023-03-19T07:51:00Z')", [str(uuid.uuid4())])
    assert board(mission, "08:00")["T01"]["flags"] == ["missing"]


def test_a_checklist_at_another_station_does_not_count_for_the_plan(mission):
    checklist(mission, "T01", "303", "opening", "02:10", "03:50")
    found = board(mission, "04:00")
    assert found["T01"]["by_type"]["opening"] == {"expected": 1, "done": 0, "filed": 1}
    assert "missing" in found["T01"]["flags"] and "off_area" in found["T01"]["flags"]


def test_off_area_outside_the_teams_districts_and_no_late_after_the_close(mission):
    checklist(mission, "T02", "202", "voting", "05:00", "05:30")  # Aktobe city: its area
    assert board(mission, "06:00")["T02"]["state"] == "on_plan"
    checklist(mission, "T02", "101", "voting", "06:00", "06:30")  # Astana
    found = board(mission, "06:40")
    assert found["T02"]["state"] == "off_area" and found["T02"]["off_area"] == 1
    evening = board(mission, "16:00")  # 21:00 in Aktobe: polls closed
    assert "late" not in evening["T02"]["flags"] and "late" not in evening["T03"]["flags"]


def test_teams_needing_a_call_come_first(mission):
    checklist(mission, "T02", "101", "voting", "03:00", "03:10")
    found = board(mission, "04:00")  # T01 late and missing; T03 (Almaty, UTC+6) late
    assert found["_order"] == ["T01", "T03", "T02"]
    assert found["T03"]["last_utc"] is None


def test_unread_messages_count_members_who_have_not_confirmed(mission):
    with mission.conn:
        mission.execute("INSERT INTO team_messages (author_id, audience, target, body, sent_utc)"
                        " VALUES (4, 'all', NULL, 'Stay until the protocol', '2023-03-19T03:00:00Z'),"
                        " (4, 'team', 'T02', 'Call us', '2023-03-19T03:00:00Z'),"
                        " (4, 'region', 'Almaty', 'Not yours', '2023-03-19T03:00:00Z')")
        mission.execute("INSERT INTO message_reads VALUES (1, 1, '2023-03-19T03:05:00Z')")
    found = board(mission, "04:00")
    assert (found["T01"]["unread"], found["T02"]["unread"]) == (1, 2)
    assert board(mission, "02:00")["T01"]["unread"] == 0  # not sent yet at that time


def test_coverage_by_region(mission):
    checklist(mission, "T01", "202", "opening", "02:10", "03:50")
    assert control_room.coverage_by_region(mission, DAY) == [
        {"region": "Aktobe", "planned": 2, "visited": 1, "not_visited": 1}]


# --- check-ins through the API --------------------------------------------------

def checkin_body(**overrides) -> dict:
    return {"uuid": str(uuid.uuid4()), "kind": "arrived", "station_number": "202",
            "note": "At the school", **overrides}


def test_a_checkin_is_stored_once_per_uuid(app, db):
    api = Api(app.test_client(), token_for(db, "obs1"))
    body = checkin_body()
    first = api.post("/api/v1/checkins", body)
    assert first.status_code == 201 and first.json["created"] is True
    assert first.json["team"] == "T01" and first.json["timezone"] == "Asia/Aqtobe"
    again = api.post("/api/v1/checkins", body)
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["id"] == first.json["id"]
    assert db.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1
    clash = api.post("/api/v1/checkins", {**body, "kind": "leaving"})
    assert clash.status_code == 409 and "uuid" in clash.json["fields"]
    other_team = Api(app.test_client(), token_for(db, "obs3")).post("/api/v1/checkins", body)
    assert other_team.status_code == 409
    safe = api.post("/api/v1/checkins", checkin_body(kind="safe", station_number=None,
                                                     note="No signal until the count"))
    assert safe.status_code == 201 and safe.json["station_number"] is None


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"station_number": "999"}, 422, "station_number"),
    ({"station_number": None}, 422, "station_number"),  # arrived: where?
    ({"kind": "lunch"}, 422, "kind"),
    ({"note": "x" * 301}, 422, "note"),
    ({"occurred_utc": "2020-01-01T00:00:00Z"}, 422, "occurred_utc"),
    ({"uuid": "not-a-uuid"}, 422, "uuid"),
    ({"kind": 3}, 400, "kind"),
])
def test_a_bad_checkin_is_refused_with_the_field_and_reason(app, db, change, status, field):
    api = Api(app.test_client(), token_for(db, "obs1"))
    response = api.post("/api/v1/checkins", checkin_body(**change))
    assert response.status_code == status, response.json
    assert response.json["fields"][field] and response.json["error"]
    assert db.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


def test_only_observers_check_in(app, db):
    api = Api(app.test_client(), token_for(db, "coord"))
    assert api.post("/api/v1/checkins", checkin_body()).status_code == 403


def test_the_home_page_checks_in_without_javascript(app, db, browser):
    browser.login("obs1")
    home = browser.client.get("/checklists/new").text
    assert 'id="checkin-form"' in home
    token = Browser.hidden(home, "csrf_token")
    sent = browser.client.post("/checkins", data={
        "csrf_token": token, "uuid": str(uuid.uuid4()), "kind": "leaving", "note": "<b>x</b>"})
    assert sent.status_code == 303
    assert db.execute("SELECT kind, note FROM checkins").fetchone() == ("leaving", "<b>x</b>")
    refused = browser.client.post("/checkins", data={
        "csrf_token": token, "uuid": str(uuid.uuid4()), "kind": "arrived",
        "station_number": "999"})
    assert refused.status_code == 400 and "No polling station" in refused.text


# --- the page and the call log -------------------------------------------------------

@pytest.fixture
def coordinator(app, mission):
    browser = Browser(app.test_client())
    browser.login("coord")
    return browser


def test_the_page_lists_teams_with_tel_links_and_the_fragment_refreshes(coordinator):
    page = coordinator.client.get("/control?day=2023-03-19")
    assert page.status_code == 200
    assert 'href="tel:+77011112233"' in page.text and 'data-refresh="/control/teams' in page.text
    fragment = coordinator.client.get("/control/teams?day=2023-03-19")
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("{#") is False
    assert 'id="board"' in fragment.text and "T03" in fragment.text
    assert fragment.headers["Cache-Control"] == "no-store"
    assert coordinator.client.get("/control?day=2023-02-30").status_code == 400


def test_a_contact_older_than_a_day_shows_its_date_not_millions_of_minutes(coordinator, mission):
    # Election day looked at years later: T01's checklist of 19 March, received 08:10 UTC.
    checklist(mission, "T01", "202", "opening", "07:40", "08:10")
    row = coordinator.client.get("/control/teams?day=2023-03-19").text
    assert "19.03.2023 14:10" in row  # the mission's zone, Asia/Almaty (UTC+6 in 2023)
    assert " min ago" not in row.split("T01", 1)[1].split("</tr>", 1)[0]


def test_a_call_is_logged_with_csrf_and_kept_open_until_closed(app, db, coordinator):
    page = coordinator.client.get("/control").text
    token = Browser.hidden(page, "csrf_token")
    no_token = coordinator.client.post("/control/calls", data={
        "team": "T01", "outcome": "no_answer"})
    assert no_token.status_code == 400
    assert db.execute("SELECT count(*) FROM team_calls").fetchone()[0] == 0
    bad = coordinator.client.post("/control/calls", data={
        "csrf_token": token, "team": "T99", "outcome": "maybe", "time": "25:00",
        "note": "x" * 301})
    assert bad.status_code == 400
    for message in ("No team has this name.", "Choose how the call went.",
                    "Enter the time as HH:MM", "At most 300 characters"):
        assert message in bad.text
    logged = coordinator.client.post("/control/calls", data={
        "csrf_token": token, "team": "T01", "outcome": "no_answer", "time": "14:05",
        "note": "<script>x</script>", "follow_up": "y"})
    assert logged.status_code == 303
    call = db.execute("SELECT id, called_utc, outcome, follow_up_open FROM team_calls").fetchone()
    called = local_to_utc(local_today("Asia/Almaty"), time(14, 5), "Asia/Almaty")
    assert call[1] == to_iso(called) and call[2:] == ("no_answer", 1)  # 14:05 where we work
    page = coordinator.client.get("/control").text
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    closed = coordinator.client.post(f"/control/calls/{call[0]}/close",
                                     data={"csrf_token": token})
    assert closed.status_code == 303
    assert db.execute("SELECT follow_up_open FROM team_calls").fetchone()[0] == 0
    again = coordinator.client.post(f"/control/calls/{call[0]}/close",
                                    data={"csrf_token": token})
    assert again.status_code == 404


def test_observers_may_not_open_the_control_room(app, mission):
    browser = Browser(app.test_client())
    browser.login("obs1")
    assert browser.client.get("/control").status_code == 403
    assert users.find_by_username(mission, "coord")["role"] == "coordinator"
    assert json.loads(mission.execute("SELECT districts FROM teams WHERE team = 'T02'")
                      .fetchone()[0]) == ["Aktobe city"]


def test_the_dashboard_shows_coverage_against_the_plan(coordinator, mission):
    checklist(mission, "T01", "202", "opening", "02:10", "03:50")
    page = coordinator.client.get("/dashboard?day=2023-03-19").text
    section = page.split('id="plan-coverage"', 1)[1].split("</section>", 1)[0]
    assert '<tr data-region="Aktobe"><td>Aktobe</td><td class="num">2</td>' in section
    assert '<span class="overdue">1</span>' in section
    empty = coordinator.client.get("/dashboard?day=2023-03-20").text
    assert "No visits are planned for this day." in empty
