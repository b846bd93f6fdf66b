"""Incident reports the way a browser files them (CSRF on): idempotent, validated, versioned."""

import json
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models import demo_incidents, entries, incidents, review, vocabulary
from tests.conftest import Browser, station_id

DESCRIPTION = "Агитационные листовки партии лежали на столе у входа."


def report(**overrides) -> dict:
    """A valid report at station 202 (Aktobe, UTC+5 in 2023), reported to the PEC."""
    fields = {"occurred_date": "2023-03-19", "occurred_time": "10:15", "station_number": "202",
              "region": "", "place": "У входа", "category": "campaign_in_station",
              "severity": "low", "description": DESCRIPTION, "reported_to_commission": "yes",
              "commission_response": "The chairperson removed the leaflets."}
    fields.update(overrides)
    return fields


def _open(browser: Browser, query: str = "") -> dict:
    page = browser.client.get("/incidents/new" + query, follow_redirects=True)
    assert page.status_code == 200, page.text
    return {name: Browser.hidden(page.text, name) for name in ("csrf_token", "uuid")}


def _file(browser: Browser, **overrides):
    data = {**_open(browser), **report(**overrides)}
    return data, browser.client.post("/incidents/new", data=data)


def _count(db, table: str = "incidents") -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _user_id(db, name: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0]


def _entry_id(location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[1])


def test_observer_files_report_in_station_local_time(db, browser):
    browser.login("obs1")
    _data, response = _file(browser)
    assert response.status_code == 303
    page = browser.client.get(response.location, follow_redirects=True)
    assert "Incident report received." in page.text
    assert "19.03.2023 10:15 (UTC+5)" in page.text and DESCRIPTION in page.text
    row = db.execute("SELECT occurred_utc, timezone, region, station_id, team, review_state"
                     " FROM incidents").fetchone()
    assert row == ("2023-03-19T05:15:00Z", "Asia/Aqtobe", "Aktobe", station_id(db, "202"),
                   "T01", "submitted")
    assert _count(db, "entry_versions") == 1
    audit = db.execute("SELECT action, entry_kind FROM audit_log"
                       " WHERE action = 'create'").fetchall()
    assert audit == [("create", "incident")]


def test_without_station_the_region_gives_the_zone(db, browser):
    browser.login("obs1")
    _data, response = _file(browser, station_number="", region="Astana", place="Акимат")
    assert response.status_code == 303
    row = db.execute("SELECT occurred_utc, timezone, region, station_id FROM incidents").fetchone()
    assert row == ("2023-03-19T04:15:00Z", "Asia/Almaty", "Astana", None)


def test_station_found_by_part_of_its_name(db, browser):
    browser.login("obs1")
    _data, response = _file(browser, station_number="дом КУЛЬТУРЫ", region="Aktobe")
    assert response.status_code == 303
    # The station's region wins over the region chosen in the form.
    row = db.execute("SELECT station_id, region FROM incidents").fetchone()
    assert row == (station_id(db, "303"), "Almaty")


def test_report_without_csrf_token_is_refused(db, browser):
    browser.login("obs1")
    data = {**_open(browser), **report()}
    for token in ("", "forged"):
        response = browser.client.post("/incidents/new", data={**data, "csrf_token": token})
        assert response.status_code == 400
        assert "session expired" in response.text
    assert _count(db) == 0


def test_repeated_submission_returns_the_same_report(db, browser):
    browser.login("obs1")
    opened = browser.client.get("/incidents/new")
    assert opened.status_code == 302 and "uuid=" in opened.location
    form_url = opened.location
    page = browser.client.get(form_url).text
    data = {"csrf_token": Browser.hidden(page, "csrf_token"),
            "uuid": Browser.hidden(page, "uuid"), **report()}
    first = browser.client.post("/incidents/new", data=data)
    again = browser.client.post("/incidents/new", data=data)
    assert again.status_code == 303 and again.location == first.location
    assert "already been received" in browser.client.get(again.location).text
    back = browser.client.get(form_url)  # the browser's Back button
    assert back.status_code == 303 and back.location == first.location
    assert _count(db) == 1 and _count(db, "entry_versions") == 1


def test_same_uuid_with_other_content_is_409_and_keeps_what_was_typed(db, browser):
    browser.login("obs1")
    data, _first = _file(browser)
    changed = {**data, "description": "Совсем другое описание", "severity": "high"}
    response = browser.client.post("/incidents/new", data=changed)
    assert response.status_code == 409
    assert "already sent with a different report" in response.text
    assert "Совсем другое описание" in response.text
    assert _count(db) == 1


TOMORROW = (date.today() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize("overrides, message", [
    ({"station_number": "999"}, "No polling station has the number or name"),
    ({"station_number": "№"}, "Several polling stations match"),
    ({"station_number": "", "region": ""}, "Choose the region (or give a polling station)."),
    ({"station_number": "", "region": "Atlantis"}, "Choose a region from the list."),
    ({"occurred_date": TOMORROW}, "This time is in the future."),
    ({"occurred_date": "0001-01-01", "occurred_time": "01:00"}, "Check the year."),
    ({"occurred_date": ""}, "Enter the date of the incident."),
    ({"occurred_time": ""}, "Enter the time of the incident."),
    ({"occurred_time": "25:61"}, "Enter the time as HH:MM"),
    ({"description": ""}, "Describe what happened."),
    ({"description": "   \n "}, "Describe what happened."),
    ({"description": "я" * 4001}, "limited to 4000 characters (it has 4001)"),
    ({"place": "x" * 201}, "limited to 200 characters (it has 201)"),
    ({"commission_response": ""}, "Say what the commission did"),
    ({"commission_response": "x" * 2001}, "limited to 2000 characters (it has 2001)"),
    ({"category": "stuffing"}, "Choose what happened from the list."),
    ({"category": ""}, "Choose what happened from the list."),
    ({"severity": "extreme"}, "Choose how serious it was."),
    ({"reported_to_commission": "maybe"}, "Say whether it was reported to the commission."),
    ({"uuid": "not-a-uuid"}, "identifier was damaged"),
    ({"uuid": ""}, "identifier was damaged"),
])
def test_bad_input_is_refused_next_to_the_field(db, browser, overrides, message):
    browser.login("obs1")
    data = {**_open(browser), **report(), **overrides}
    response = browser.client.post("/incidents/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    if "place" not in overrides:
        assert "У входа" in response.text  # what was typed is still there
    assert _count(db) == 0 and _count(db, "entry_versions") == 0


def test_a_phone_clock_a_few_minutes_ahead_is_accepted(db, browser):
    browser.login("obs1")
    soon = datetime.now(ZoneInfo("Asia/Aqtobe")) + timedelta(minutes=5)
    _data, response = _file(browser, occurred_date=soon.date().isoformat(),
                            occurred_time=soon.strftime("%H:%M"))
    assert response.status_code == 303


def test_answer_of_the_commission_is_dropped_when_not_reported(db, browser):
    browser.login("obs1")
    _data, response = _file(browser, reported_to_commission="no",
                            commission_response="left over from a change of mind")
    assert response.status_code == 303
    assert db.execute("SELECT commission_response FROM incidents").fetchone()[0] == ""


def test_teams_see_only_their_reports_reviewers_see_all(app, db, browser):
    browser.login("obs1")
    _data, response = _file(browser, severity="critical", category="ballot_box_stuffing")
    entry = response.location
    mate = Browser(app.test_client())
    mate.login("obs2")
    assert mate.client.get(entry).status_code == 200
    assert entry in mate.client.get("/incidents").text
    other = Browser(app.test_client())
    other.login("obs3")
    assert other.client.get(entry).status_code == 404
    assert other.client.get(entry + "/edit").status_code == 404
    assert entry not in other.client.get("/incidents").text
    coord = Browser(app.test_client())
    coord.login("coord")
    listing = coord.client.get("/incidents").text
    assert entry in listing and 'class="badge sev-critical"' in listing
    assert coord.client.get(entry).status_code == 200
    assert coord.client.get(entry + "/edit").status_code == 403
    assert coord.client.get("/incidents/new").status_code == 403


@pytest.mark.parametrize("path", ["/incidents", "/incidents/new", "/incidents/1",
                                  "/incidents/1/edit"])
def test_anonymous_is_sent_to_log_in(browser, path):
    response = browser.client.get(path)
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("path", ["/incidents/" + "9" * 30, "/incidents/99999",
                                  "/incidents/99999/edit", "/incidents/-1"])
def test_made_up_addresses_get_404(browser, path):
    browser.login("obs1")
    assert browser.client.get(path).status_code == 404


def test_reviewers_filter_by_region_category_severity_and_state(app, db, browser):
    browser.login("obs1")
    _d, high = _file(browser, severity="high", category="intimidation")
    _d, low = _file(browser, station_number="", region="Astana", description="Minor thing")
    coord = Browser(app.test_client())
    coord.login("coord")
    review.move(db, "incident", _entry_id(low.location), "verified", _user_id(db, "coord"))

    def shown(query: str) -> set[str]:
        page = coord.client.get("/incidents" + query)
        assert page.status_code == 200
        return {loc for loc in (high.location, low.location) if f'href="{loc}"' in page.text}

    assert shown("") == {high.location, low.location}
    assert shown("?severity=high") == {high.location}
    assert shown("?region=Astana") == {low.location}
    assert shown("?category=intimidation&region=Aktobe") == {high.location}
    assert shown("?state=verified") == {low.location}
    assert shown("?state=rejected") == set()
    # A made-up filter value is ignored rather than hiding everything.
    assert shown("?severity=apocalyptic&region=%27%20OR%201=1") == {high.location, low.location}


def test_edit_keeps_every_version_and_refuses_a_stale_form(app, db, browser):
    browser.login("obs1")
    data, response = _file(browser)
    entry = response.location
    mate = Browser(app.test_client())
    mate.login("obs2")
    form = mate.client.get(entry + "/edit")
    assert form.status_code == 200 and 'value="10:15"' in form.text and 'value="202"' in form.text
    edited = {**data, "csrf_token": Browser.hidden(form.text, "csrf_token"),
              "base_version": Browser.hidden(form.text, "base_version"),
              "severity": "high", "description": "Листовки и плакаты в помещении."}
    saved = mate.client.post(entry + "/edit", data=edited)
    assert saved.status_code == 303
    assert "Changes saved." in mate.client.get(saved.location).text
    rows = db.execute("SELECT version, edited_by, snapshot, changes FROM entry_versions"
                      " WHERE entry_kind = 'incident' ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [1, 2] and rows[1][1] == _user_id(db, "obs2")
    assert json.loads(rows[0][2])["description"] == DESCRIPTION
    assert json.loads(rows[1][3]) == {
        "severity": ["low", "high"],
        "description": [DESCRIPTION, "Листовки и плакаты в помещении."]}
    page = mate.client.get(entry).text
    assert "original submission" in page and "obs2" in page and "Low → High" in page
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'edit'"
                      " AND entry_kind = 'incident'").fetchone()[0] == 1
    stale = browser.client.post(entry + "/edit", data={
        **edited, "csrf_token": Browser.hidden(browser.client.get(entry + "/edit").text,
                                               "csrf_token"), "severity": "critical"})
    assert stale.status_code == 409 and "newer version" in stale.text
    assert db.execute("SELECT version, severity FROM incidents").fetchone() == (2, "high")


def test_saving_unchanged_report_makes_no_version(db, browser):
    browser.login("obs1")
    data, response = _file(browser)
    form = browser.client.get(response.location + "/edit").text
    saved = browser.client.post(response.location + "/edit", data={
        **data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": "1"})
    assert saved.status_code == 303
    assert "Nothing was changed." in browser.client.get(saved.location).text
    assert _count(db, "entry_versions") == 1


@pytest.mark.parametrize("base_version", ["x1", "", "9" * 30])
def test_edit_with_damaged_base_version_is_refused(db, browser, base_version):
    browser.login("obs1")
    data, response = _file(browser)
    form = browser.client.get(response.location + "/edit").text
    refused = browser.client.post(response.location + "/edit", data={
        **data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": base_version,
        "severity": "high"})
    assert refused.status_code == 400
    assert db.execute("SELECT version, severity FROM incidents").fetchone() == (1, "low")


def test_verified_report_cannot_be_edited(db, browser):
    browser.login("obs1")
    data, response = _file(browser)
    entry = response.location
    form = browser.client.get(entry + "/edit").text
    review.move(db, "incident", _entry_id(entry), "verified", _user_id(db, "coord"))
    page = browser.client.get(entry).text
    assert "Edit this report" not in page
    opened = browser.client.get(entry + "/edit")
    assert opened.status_code == 303
    assert "can no longer be edited" in browser.client.get(opened.location).text
    refused = browser.client.post(entry + "/edit", data={
        **data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": "1",
        "severity": "critical"})
    assert refused.status_code == 409 and "can no longer be edited" in refused.text
    assert db.execute("SELECT version, severity, review_state FROM incidents").fetchone() == \
        (1, "low", "verified")
    with pytest.raises(entries.NotEditable):
        entries.edit(db, incidents.INCIDENTS, _entry_id(entry), 1, incidents.Report(**{
            **{k: v for k, v in incidents.get(db, _entry_id(entry)).items()
               if k in incidents.Report.__dataclass_fields__}, "severity": "high"}),
            _user_id(db, "obs1"))


def test_edit_after_clarification_resubmits(db, browser):
    browser.login("obs1")
    data, response = _file(browser)
    entry = response.location
    review.move(db, "incident", _entry_id(entry), "needs_clarification", _user_id(db, "coord"),
                "Which party's leaflets?")
    form = browser.client.get(entry + "/edit").text
    saved = browser.client.post(entry + "/edit", data={
        **data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": "1",
        "description": DESCRIPTION + " Партия «Аманат»."})
    assert saved.status_code == 303
    events = db.execute("SELECT from_state, to_state FROM review_events ORDER BY id").fetchall()
    assert events == [("submitted", "needs_clarification"), ("needs_clarification", "submitted")]
    assert db.execute("SELECT review_state FROM incidents").fetchone()[0] == "submitted"


def test_region_zone_is_the_most_common_one(db):
    db.execute("INSERT INTO stations (number, name, region, timezone, registered_voters,"
               " search_text) VALUES ('404', 'x', 'Aktobe', 'Asia/Almaty', 10, '404 x')")
    db.execute("INSERT INTO stations (number, name, region, timezone, registered_voters,"
               " search_text) VALUES ('405', 'y', 'Aktobe', 'Asia/Almaty', 10, '405 y')")
    db.conn.commit()
    assert incidents.region_zones(db) == {"Aktobe": "Asia/Almaty", "Almaty": "Asia/Almaty",
                                          "Astana": "Asia/Almaty"}


def test_demo_incidents_are_plausible_and_readable(app, db, browser):
    by_region: dict[str, list[dict]] = {}
    for row in db.query("SELECT id, number, region, timezone FROM stations"):
        by_region.setdefault(row["region"], []).append(row)
    teams = {"T01": {"region": "Aktobe", "members": [_user_id(db, "obs1"), _user_id(db, "obs2")]},
             "T02": {"region": "Almaty", "members": [_user_id(db, "obs3")]}}
    assert demo_incidents.generate_incidents(db, random.Random(7), 300, by_region, teams) == 300
    rows = list(db.query("SELECT i.*, s.region AS station_region, u.team AS author_team"
                         " FROM incidents i LEFT JOIN stations s ON s.id = i.station_id"
                         " JOIN users u ON u.id = i.author_id"))
    assert len(rows) == 300 and _count(db, "entry_versions") == 300
    severities = [r["severity"] for r in rows]
    assert severities.count("low") + severities.count("medium") > 0.6 * len(rows)
    assert 0 < severities.count("critical") < 0.15 * len(rows)
    for r in rows:
        assert r["category"] in vocabulary.CATEGORIES and r["author_team"] == r["team"]
        assert r["station_id"] is None or r["station_region"] == r["region"]
        assert (r["reported_to_commission"] == "yes") == bool(r["commission_response"])
        report = incidents.Report(**{k: r[k] for k in incidents.Report.__dataclass_fields__})
        assert report.content_hash() == r["content_hash"]
    created = [r["created_utc"] for r in sorted(rows, key=lambda r: r["id"])]
    assert created == sorted(created)
    browser.login("obs1")
    mine = next(r for r in rows if r["team"] == "T01")
    assert browser.client.get(f"/incidents/{mine['id']}").status_code == 200
