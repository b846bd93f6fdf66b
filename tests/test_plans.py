"""The deployment plan: the import's bad input, the hour rule, the editing pages, the observer's plan."""

import uuid
from datetime import datetime, timezone

import pytest

from models import checklists, definitions, entries, plans, teams, users
from tests.conftest import Browser, good_answers, station_id

HEADER = "team,day,position,station,purpose,time\n"
GOOD = HEADER + """T01,2023-03-19,1,202,opening,07:30
T01,2023-03-19,2,101,voting,10:00
T01,2023-03-19,3,202,counting,19:45
T02,2023-03-19,1,303,opening,
"""
DAY = "2023-03-19"


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


def _write(tmp_path, text: str, name: str = "plan.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _stored(db) -> list[tuple]:
    return [tuple(row) for row in db.execute(
        "SELECT team, day, position, station_id, purpose, planned_time FROM plan_visits"
        " ORDER BY team, day, position")]


def test_import_writes_the_plan_and_is_audited(runner, db, tmp_path):
    result = runner.invoke(args=["import-plan", _write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "Imported 4 planned visit(s)." in result.output
    assert _stored(db)[:2] == [("T01", DAY, 1, station_id(db, "202"), "opening", "07:30"),
                               ("T01", DAY, 2, station_id(db, "101"), "voting", "10:00")]
    assert _stored(db)[3][5] is None  # no time: None, not ""
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'plan_change'"
                      ).fetchone()[0] == 1


def test_reimport_replaces_only_the_team_days_it_names(runner, db, tmp_path):
    runner.invoke(args=["import-plan", _write(tmp_path, GOOD)])
    again = HEADER + "T01,2023-03-19,1,303,voting,09:00\nT01,2023-03-20,1,101,tabulation,\n"
    result = runner.invoke(args=["import-plan", _write(tmp_path, again, "again.csv")])
    assert result.exit_code == 0, result.output
    stored = _stored(db)
    assert [(r[0], r[1], r[2], r[4]) for r in stored] == [
        ("T01", DAY, 1, "voting"), ("T01", "2023-03-20", 1, "tabulation"),
        ("T02", DAY, 1, "opening")]


# Each bad line (after one good line 2) and what the import says about it.
BAD = [
    ("T01,2023-03-19,2,999,voting,10:00", "line 3: unknown station '999' (not in the registry)"),
    ("T99,2023-03-19,2,101,voting,10:00", "line 3: unknown team 'T99' (no user belongs to it)"),
    ("T01,2023-03-19,2,101,closing,10:00", "line 3: purpose must be one of opening, voting,"
                                           " counting, tabulation, got 'closing'"),
    ("T01,19.03.2023,2,101,voting,10:00", "line 3: day must be a date as YYYY-MM-DD"),
    ("T01,2023-02-30,2,101,voting,10:00", "line 3: day must be a date as YYYY-MM-DD"),
    ("T01,2023-03-19,2,101,voting,25:00", "line 3: time must be a local time as HH:MM"),
    ("T01,2023-03-19,0,101,voting,10:00", "line 3: position must be a whole number from 1"),
    ("T01,2023-03-19,two,101,voting,", "line 3: position must be a whole number from 1"),
    ("T01,2023-03-19,1,101,voting,10:00", "line 3: position 1 of team T01 on 2023-03-19 is "
                                          "already on line 2"),
    ("T01,2023-03-19,2,101,opening,10:00", "line 3: team T01 already has its Opening visit"),
    ("T01,2023-03-19,2,,voting,10:00", "line 3: station is missing"),
    ("T02,2023-03-19,1,202,voting,07:59", "line 3: station 202 is planned for team T01 at "
                                          "07:30 on 2023-03-19 (line 2): one team per "
                                          "station and hour"),
]


@pytest.mark.parametrize("line, message", BAD, ids=[m.split(": ", 1)[1][:30] for _l, m in BAD])
def test_a_bad_line_is_refused_with_its_number_and_nothing_is_imported(
        runner, db, tmp_path, line, message):
    before = HEADER + "T02,2023-03-20,1,303,voting,12:00\n"
    runner.invoke(args=["import-plan", _write(tmp_path, before, "before.csv")])
    stored = _stored(db)
    text = HEADER + "T01,2023-03-19,1,202,opening,07:30\n" + line + "\n"
    result = runner.invoke(args=["import-plan", _write(tmp_path, text)])
    assert result.exit_code == 2
    assert message in result.output
    assert "1 bad line(s); nothing was imported." in result.output
    assert _stored(db) == stored  # nothing half-imported, the earlier plan intact


def test_every_bad_line_is_listed(runner, db, tmp_path):
    text = HEADER + "T01,2023-03-19,1,999,voting,\nT99,2023-03-19,1,101,voting,\n"
    result = runner.invoke(args=["import-plan", _write(tmp_path, text)])
    assert result.exit_code == 2
    assert "line 2: unknown station" in result.output
    assert "line 3: unknown team" in result.output
    assert "2 bad line(s)" in result.output
    assert _stored(db) == []


@pytest.mark.parametrize("text, message", [
    ("team,day,station\nT01,2023-03-19,101\n", "line 1: missing column(s): position, purpose"),
    (HEADER, "line 1: the file has no visits"),
])
def test_a_file_without_columns_or_visits_is_refused(runner, db, tmp_path, text, message):
    result = runner.invoke(args=["import-plan", _write(tmp_path, text)])
    assert result.exit_code == 2 and message in result.output


def test_a_file_that_is_not_utf8_is_refused(runner, db, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes((HEADER + "T01,2023-03-19,1,101,voting,Ä\n").encode("cp1252"))
    result = runner.invoke(args=["import-plan", str(path)])
    assert result.exit_code == 2 and "is not UTF-8 text" in result.output


def test_the_hour_rule_refuses_a_clash_with_another_teams_stored_plan(runner, db, tmp_path):
    runner.invoke(args=["import-plan", _write(tmp_path, GOOD)])
    text = HEADER + "T02,2023-03-19,2,101,voting,10:59\n"
    result = runner.invoke(args=["import-plan", _write(tmp_path, text, "t02.csv")])
    assert result.exit_code == 2
    assert ("station 101 is planned for team T01 at 10:00 on 2023-03-19 (the stored plan)"
            in result.output)
    # An hour apart, or another day, or the same team: no clash.
    text = HEADER + ("T02,2023-03-19,2,101,voting,11:00\nT02,2023-03-20,1,101,voting,10:00\n"
                     "T02,2023-03-19,3,303,voting,11:10\n")
    assert runner.invoke(args=["import-plan", _write(tmp_path, text, "ok.csv")]).exit_code == 0


def test_the_hour_rule_is_off_when_the_mission_allows_it(app, db, tmp_path):
    app.config["PLAN_ONE_TEAM_PER_STATION_HOUR"] = False
    text = GOOD + "T02,2023-03-19,2,101,voting,10:15\n"
    result = app.test_cli_runner().invoke(args=["import-plan", _write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert len(_stored(db)) == 5


def test_a_team_replacing_its_own_day_does_not_clash_with_itself(db):
    one = [{"position": "1", "station": "101", "purpose": "voting", "time": "10:00"}]
    assert plans.save_day(db, "T01", DAY, one, True) == []
    assert plans.save_day(db, "T01", DAY, [{**one[0], "time": "10:30"}], True) == []
    clash = plans.save_day(db, "T02", DAY, [{**one[0], "time": "11:15"}], True)
    assert [(p.line, p.field) for p in clash] == [(0, "time")]


# --- teams: area and phones -------------------------------------------------------------

def test_import_teams_sets_areas_and_phones(runner, db, tmp_path):
    text = ("team,region,districts,phones\nT01,Astana,Almaty district,+7 701 123 4567\n"
            "T02,Aktobe,,\n")
    result = runner.invoke(args=["import-teams", _write(tmp_path, text, "teams.csv")])
    assert result.exit_code == 0, result.output
    assert teams.get(db, "T01") == {"team": "T01", "region": "Astana",
                                    "districts": ["Almaty district"], "phones": "+7 701 123 4567"}
    assert [t["team"] for t in teams.listing(db)] == ["T01", "T02"]
    assert teams.phone_numbers("+7 701 123 4567, 8 (777) 765-43-21") == [
        ("+7 701 123 4567", "+77011234567"), ("8 (777) 765-43-21", "87777654321")]


@pytest.mark.parametrize("line, message", [
    ("T09,Astana,,", "line 2: unknown team 'T09' (no user belongs to it)"),
    ("T01,Atlantis,,", "line 2: unknown region 'Atlantis' (not in the station registry)"),
    ("T01,Astana,Medeu district,", "line 2: 'Medeu district' is not a district of Astana"),
    ("T01,Astana,,call me", "line 2: phone numbers may hold digits"),
])
def test_import_teams_refuses_bad_lines(runner, db, tmp_path, line, message):
    text = "team,region,districts,phones\n" + line + "\n"
    result = runner.invoke(args=["import-teams", _write(tmp_path, text, "teams.csv")])
    assert result.exit_code == 2 and message in result.output
    assert db.execute("SELECT count(*) FROM teams").fetchone()[0] == 0


# --- the coordinators' pages --------------------------------------------------------------

@pytest.fixture
def coordinator(app):
    browser = Browser(app.test_client())
    browser.login("coord")
    return browser


def _rows(token: str, rows: list[tuple]) -> dict:
    data = {"csrf_token": token}
    for index, (position, station, purpose, time, *remove) in enumerate(rows):
        data.update({f"visits-{index}-position": position, f"visits-{index}-station": station,
                     f"visits-{index}-purpose": purpose, f"visits-{index}-time": time})
        if remove:
            data[f"visits-{index}-remove"] = "y"
    return data


def test_the_day_page_adds_moves_and_removes_visits(coordinator, db):
    url = f"/plans/teams/T01/{DAY}"
    page = coordinator.client.get(url)
    assert page.status_code == 200
    token = Browser.hidden(page.text, "csrf_token")
    saved = coordinator.client.post(url, data=_rows(token, [
        ("1", "202", "opening", "7:30"), ("", "101", "voting", "1000"), ("", "", "", "")]))
    assert saved.status_code == 303
    assert [(r[2], r[4], r[5]) for r in _stored(db)] == [(1, "opening", "07:30"),
                                                        (2, "voting", "10:00")]
    # Move the voting visit first, remove the opening, add a count.
    saved = coordinator.client.post(url, data=_rows(token, [
        ("2", "202", "opening", "07:30", "remove"), ("1", "101", "voting", "10:00"),
        ("2", "202", "counting", "")]))
    assert saved.status_code == 303
    assert [(r[2], r[4]) for r in _stored(db)] == [(1, "voting"), (2, "counting")]
    page = coordinator.client.get(url)
    assert 'value="101"' in page.text and "Progress" in page.text


def test_the_day_page_refuses_with_messages_next_to_fields_and_keeps_the_typing(coordinator, db):
    plans.save_day(db, "T02", DAY, [{"position": "1", "station": "101", "purpose": "voting",
                                     "time": "10:00"}], True)
    url = f"/plans/teams/T01/{DAY}"
    token = Browser.hidden(coordinator.client.get(url).text, "csrf_token")
    refused = coordinator.client.post(url, data=_rows(token, [
        ("1", "9999", "voting", "09:00"), ("2", "101", "voting", "10:20"),
        ("3", "<b>303</b>", "", "")]))
    assert refused.status_code == 400
    text = refused.text
    assert "unknown station &#39;9999&#39; (not in the registry)" in text
    assert "one team per station and hour" in text
    assert "Choose the checklist to file there." in text
    assert 'value="9999"' in text and 'value="10:20"' in text
    assert 'value="&lt;b&gt;303&lt;/b&gt;"' in text
    assert [r[0] for r in _stored(db)] == ["T02"]


def test_the_day_page_needs_csrf_and_a_team_with_members(app, coordinator, db):
    url = f"/plans/teams/T01/{DAY}"
    refused = coordinator.client.post(url, data=_rows("wrong", [("1", "101", "voting", "")]))
    assert refused.status_code == 400 and _stored(db) == []
    assert coordinator.client.get(f"/plans/teams/T77/{DAY}").status_code == 404
    assert coordinator.client.get("/plans/teams/T01/2023-02-30").status_code == 404


def test_the_team_page_saves_the_area_and_phones(coordinator, db):
    url = "/plans/teams/T01"
    token = Browser.hidden(coordinator.client.get(url).text, "csrf_token")
    refused = coordinator.client.post(url, data={"csrf_token": token, "region": "Astana",
                                                 "phones": "call <me>"})
    assert refused.status_code == 400
    assert "phone numbers may hold digits" in refused.text
    assert 'value="call &lt;me&gt;"' in refused.text
    assert "Almaty district" in refused.text  # the chosen region's districts to tick
    saved = coordinator.client.post(url, data={"csrf_token": token, "region": "Astana",
                                               "districts": "Almaty district",
                                               "phones": "+7 701 123 4567"})
    assert saved.status_code == 303
    assert teams.get(db, "T01")["districts"] == ["Almaty district"]
    listing = coordinator.client.get("/plans").text
    assert "+7 701 123 4567" in listing and "Almaty district" in listing
    assert "an opening checklist from the opening station by 08:30 local time" in listing


# --- progress and the observer's home -----------------------------------------------------

def _file(db, kind: str, number: str, author: str, arrival: str) -> int:
    definition = definitions.get(kind)
    user = users.find_by_username(db, author)
    zone = db.execute("SELECT timezone FROM stations WHERE number = ?", [number]).fetchone()[0]
    filing = checklists.Filing(
        uuid=str(uuid.uuid4()), form_type=kind, form_version=definition.version,
        station_id=station_id(db, number), timezone=zone, arrival_utc=arrival,
        departure_utc=arrival, answers=good_answers(definition), overall="good",
        serious_count=0)
    return entries.create(db, checklists.CHECKLISTS, filing, user["id"], user["team"])[0]


def test_progress_marks_done_next_and_skipped_in_the_stations_local_day(runner, db, tmp_path):
    runner.invoke(args=["import-plan", _write(tmp_path, GOOD + "T01,2023-03-19,4,303,voting,\n")])
    # 202 is Asia/Aqtobe (UTC+5): 20:30 UTC on the 18th is already the 19th there...
    opening = _file(db, "opening", "202", "obs2", "2023-03-18T20:30:00Z")
    # ...and 19:30 UTC on the 19th is the 20th in Almaty (UTC+6): not this day's visit.
    _file(db, "voting", "303", "obs1", "2023-03-19T18:30:00Z")
    _file(db, "counting", "202", "obs3", "2023-03-19T15:00:00Z")  # T02's, not T01's
    visits = plans.progress(db, "T01", DAY)
    assert [(v["position"], v["state"], v["entry_id"]) for v in visits] == [
        (1, "done", opening), (2, "next", None), (3, "planned", None), (4, "planned", None)]
    counting = _file(db, "voting", "303", "obs1", "2023-03-19T08:00:00Z")
    assert [v["state"] for v in plans.progress(db, "T01", DAY)] == [
        "done", "skipped", "skipped", "done"]
    assert plans.progress(db, "T01", DAY)[3]["entry_id"] == counting


def test_expected_applies_the_rules_with_local_deadlines(runner, db, tmp_path):
    runner.invoke(args=["import-plan", _write(tmp_path, GOOD)])
    at = datetime(2023, 3, 19, 3, 31, tzinfo=timezone.utc)  # 08:31 in Aqtobe
    owed = plans.expected(db, "T01", DAY, at)
    assert [(e["purpose"], e["due_utc"], e["overdue"]) for e in owed] == [
        ("opening", "2023-03-19T03:30:00Z", True), ("voting", "2023-03-19T14:00:00Z", False),
        ("counting", None, False)]
    assert [purpose for purpose, _rule in plans.rules()] == list(plans.PURPOSES)
    assert plans.expected(db, "T02", "2023-03-20", at) == []


def test_the_observers_home_shows_the_plan_with_direct_links(app, runner, db, tmp_path):
    runner.invoke(args=["import-plan", _write(tmp_path, GOOD)])
    opening = _file(db, "opening", "202", "obs1", "2023-03-19T02:00:00Z")
    browser = Browser(app.test_client())
    browser.login("obs2")
    home = browser.client.get("/checklists/new").text
    # Outside the mission's dates the plan shown is election day's (as forms start on it).
    assert "Your plan for 19.03.2023" in home
    assert f'href="/checklists/{opening}"' in home
    voting = f'/checklists/voting/new?station={station_id(db, "101")}'
    assert f'href="{voting}"' in home and "→ Next" in home
    assert f'/checklists/counting/new?station={station_id(db, "202")}' in home
    form = browser.client.get(voting, follow_redirects=True)
    assert form.status_code == 200 and 'name="uuid"' in form.text  # no station search
    other = Browser(app.test_client())
    other.login("obs3")
    assert "/checklists/voting/new?station=" not in other.client.get("/checklists/new").text


def test_an_observer_without_a_plan_sees_no_plan(app):
    browser = Browser(app.test_client())
    browser.login("obs1")
    assert 'id="plan"' not in browser.client.get("/checklists/new").text
