"""The counting checklist's protocol section: fields per station, checks, storage, API, history."""

import json
import re

import pytest
from flask import render_template

from forms.protocol import field_name
from models import candidates, checklists, contests, definitions, entries, protocols, review
from models.contests import votes as contest_votes
from models.demo import DEMO_CANDIDATES
from reports.entry import build_entry
from tests.conftest import Browser, good_answers, station_id, visit

CONTROLS = {"voters_on_list": 1200, "ballots_received": 1100, "ballots_issued": 800,
            "ballots_cancelled": 300, "ballots_in_boxes": 790, "invalid": 10, "valid": 780}
LIST_VOTES = {"amanat": 400, "auyl": 100, "respublica": 80, "aq_zhol": 70,
              "peoples_party": 60, "nsdp": 40, "baytaq": 20, "against_all": 10}
SMD_VOTES = {"d10_c1": 300, "d10_c2": 200, "d10_c3": 250, "against_all": 30}
PROTOCOL = {"list": {**CONTROLS, **LIST_VOTES}, "smd": {**CONTROLS, **SMD_VOTES}}


@pytest.fixture
def smd_station(db):
    """Station 202 in single-member district 10, with the demo's candidates."""
    db.execute("UPDATE stations SET smd_district = 10 WHERE number = '202'")
    db.conn.commit()
    written, errors = candidates.import_csv(db, str(DEMO_CANDIDATES))
    assert errors == [] and written
    return station_id(db, "202")


def fields(protocol: dict) -> dict:
    """A protocol as the form fields a browser posts."""
    return {field_name(contest, item): str(value)
            for contest, figures in protocol.items() for item, value in figures.items()}


def post(browser, db, number="202", user="obs1", **overrides):
    browser.login(user)
    hidden = browser.open_form("counting", station_id(db, number))
    data = {**hidden, **visit(arrival_time="19:45", departure_time="23:30"),
            **good_answers(definitions.get("counting")), **overrides}
    return browser.client.post("/checklists/counting/new",
                               data={k: v for k, v in data.items() if v is not None})


def stored(db) -> dict:
    """{checklist id: protocol} for every checklist, read from protocol_figures."""
    ids = [row[0] for row in db.execute("SELECT id FROM checklists ORDER BY id")]
    return {i: protocols.for_checklist(db, i) for i in ids}


def test_the_form_has_one_section_per_ballot_with_the_districts_candidates(browser, db,
                                                                           smd_station):
    browser.login("obs1")
    page = browser.client.get(f"/checklists/counting/new?station={smd_station}",
                              follow_redirects=True)
    assert page.status_code == 200
    assert 'id="protocol-list"' in page.text and 'id="protocol-smd"' in page.text
    for name in ("protocol-list-amanat", "protocol-list-valid", "protocol-smd-d10_c2",
                 "protocol-smd-against_all", "protocol-smd-ballots_in_boxes"):
        assert f'name="{name}"' in page.text
    assert "Khamitova Serik (demo)" in page.text
    assert 'name="protocol-smd-d01_c1"' not in page.text  # another district's candidate
    # A station with no district has the party list only; other checklists have no protocol.
    other = browser.client.get(f"/checklists/counting/new?station={station_id(db, '101')}",
                               follow_redirects=True)
    assert 'id="protocol-list"' in other.text and 'id="protocol-smd"' not in other.text
    voting = browser.client.get(f"/checklists/voting/new?station={smd_station}",
                                follow_redirects=True)
    assert "protocol-list" not in voting.text


def test_protocol_question_ids_follow_the_stations_ballots(app):
    with app.app_context():
        assert protocols.protocol_question_ids({"region": "Aktobe", "smd_district": 10}) == \
            ("protocol-list", "protocol-smd")
        assert protocols.protocol_question_ids({"region": "Astana", "smd_district": None}) \
            == ("protocol-list",)


def test_a_reconciling_protocol_is_stored_with_the_checklist(app, browser, db, smd_station):
    response = post(browser, db, **fields(PROTOCOL))
    assert response.status_code == 303, response.text
    (entry_id, protocol), = stored(db).items()
    assert protocol == PROTOCOL
    rows = db.execute("SELECT count(*), min(station_id), max(station_id) FROM protocol_figures"
                      ).fetchone()
    assert rows == (len(PROTOCOL["list"]) + len(PROTOCOL["smd"]), smd_station, smd_station)
    # The version snapshot keeps them too: the history shows what was filed.
    (version,) = entries.versions(db, checklists.CHECKLISTS, entry_id)
    assert version["snapshot"]["protocol"] == PROTOCOL
    page = browser.client.get(f"/checklists/{entry_id}")
    assert "Baimukhanov Serik (demo)" in page.text and ">300<" in page.text
    assert "Amanat" in page.text and ">400<" in page.text


def test_no_protocol_seen_leaves_the_section_empty(browser, db, smd_station):
    assert post(browser, db).status_code == 303
    assert stored(db) == {1: {}}
    # Part of one protocol is kept as written: a check with a missing figure is skipped.
    partial = {"list": {"valid": 780, "amanat": 400}}
    assert post(browser, db, **fields(partial)).status_code == 303
    assert stored(db)[2] == partial


NOT_A_NUMBER = "Enter a whole number (0 or more)"


@pytest.mark.parametrize("changes, field, message", [
    ({"list-amanat": "abc"}, "list-amanat", NOT_A_NUMBER),
    ({"list-amanat": "-5"}, "list-amanat", NOT_A_NUMBER),
    ({"list-amanat": "1.5"}, "list-amanat", NOT_A_NUMBER),
    ({"smd-d10_c1": "12 000"}, "smd-d10_c1", NOT_A_NUMBER),
    ({"list-valid": "12345678"}, "list-valid", "below 1,000,000"),
    ({"list-ballots_in_boxes": "800"}, "list-ballots_in_boxes",
     "Ballots found in the boxes must equal valid + invalid ballots"),
    ({"list-amanat": "401"}, "list-valid", "Valid ballots must equal the votes"),
    ({"smd-d10_c1": "301"}, "smd-valid", "Valid ballots must equal the votes"),
    ({"list-ballots_issued": "1150", "list-ballots_cancelled": "0"}, "list-ballots_issued",
     "Ballots issued cannot exceed ballots received"),
    ({"smd-ballots_cancelled": "400"}, "smd-ballots_cancelled",
     "Ballots issued + cancelled unused cannot exceed ballots received"),
    ({"list-ballots_issued": "700"}, "list-ballots_in_boxes",
     "Ballots found in the boxes cannot exceed ballots issued"),
    ({"list-voters_on_list": "700"}, "list-ballots_issued",
     "Ballots issued cannot exceed the voters on the list"),
    # Counting v1 asked these as questions with their own checks; v2 has the protocol's.
    ({"list-ballots_received": "1000"}, "list-ballots_cancelled",
     "Ballots issued + cancelled unused cannot exceed ballots received"),
    ({"list-invalid": "800"}, "list-ballots_in_boxes",
     "Ballots found in the boxes must equal valid + invalid ballots"),
    ({"smd-valid": "790", "smd-invalid": "0"}, "smd-valid", "Valid ballots must equal the votes"),
])
def test_bad_figures_are_refused_next_to_the_field(browser, db, smd_station, changes, field,
                                                   message):
    data = fields(PROTOCOL)
    data.update({f"protocol-{name}": value for name, value in changes.items()})
    response = post(browser, db, **data)
    assert response.status_code == 400
    assert "Nothing you typed was lost" in response.text
    # The message sits in the field's own block, next to it.
    block = re.search(rf'<div class="field has-error"\s+id="q-protocol-{field}">(.*?)</div>',
                      response.text, re.S)
    assert block and message in block.group(1), response.text[:200]
    assert stored(db) == {}


def test_a_protocols_own_error_is_kept_when_confirmed_as_written(browser, db, smd_station):
    wrong = {**PROTOCOL, "smd": {**PROTOCOL["smd"], "d10_c1": 350}}
    refused = post(browser, db, **fields(wrong))
    assert refused.status_code == 400
    assert "The figures are correct as written" in refused.text
    confirmed = post(browser, db, figures_confirmed="y", **fields(wrong))
    assert confirmed.status_code == 303
    assert stored(db) == {1: wrong}
    answers = json.loads(db.execute("SELECT answers FROM checklists").fetchone()[0])
    assert answers["figures_confirmed"] is True


def test_a_post_without_the_csrf_token_is_refused(app, db, smd_station):
    browser = Browser(app.test_client())
    browser.login("obs1")
    hidden = browser.open_form("counting", smd_station)
    data = {**hidden, **visit(arrival_time="19:45", departure_time="23:30"),
            **good_answers(definitions.get("counting")), **fields(PROTOCOL)}
    data.pop("csrf_token")
    assert browser.client.post("/checklists/counting/new", data=data).status_code == 400
    assert stored(db) == {}


def test_an_edit_replaces_the_figures_and_the_history_shows_the_change(browser, db,
                                                                      smd_station):
    assert post(browser, db, **fields(PROTOCOL)).status_code == 303
    page = browser.client.get("/checklists/1/edit")
    assert re.search(r'<input[^>]*name="protocol-smd-d10_c1"[^>]*value="300"', page.text)
    smaller = {"list": PROTOCOL["list"]}
    data = {**fields(smaller), **good_answers(definitions.get("counting")),
            **visit(arrival_time="19:45", departure_time="23:30"),
            "csrf_token": Browser.hidden(page.text, "csrf_token"),
            "uuid": Browser.hidden(page.text, "uuid"), "station_id": str(smd_station),
            "base_version": "1"}
    response = browser.client.post("/checklists/1/edit", data=data)
    assert response.status_code == 303, response.text
    assert stored(db) == {1: smaller}
    versions = entries.versions(db, checklists.CHECKLISTS, 1)
    assert versions[1]["changes"]["protocol-smd-d10_c1"] == [300, None]
    assert versions[1]["snapshot"]["protocol"] == smaller


def test_the_entry_report_has_a_table_per_contest(app, browser, db, smd_station):
    assert post(browser, db, **fields(PROTOCOL)).status_code == 303
    with app.test_request_context():
        report = build_entry(db, "checklist", 1, definitions.by_type())
    tables = {t["contest"]: t for t in report["protocol"]}
    assert set(tables) == {"list", "smd"}
    assert ("Baimukhanov Serik (demo)", 300) in tables["smd"]["votes"]
    assert tables["list"]["controls"][0] == ("Voters on the list", 1200)
    assert tables["smd"]["title"].endswith(contests.district(10).label)
    assert ("Against all", 10) in tables["list"]["votes"]
    with app.test_request_context():
        html = render_template("print/entry.html", report=report)
    assert 'id="protocol-smd"' in html and "Baimukhanov Serik (demo)" in html


# --- observed votes ----------------------------------------------------------------

def _file(db, station: int, protocol: dict, departure: str, state: str = "submitted") -> int:
    filing = checklists.Filing(
        uuid=f"00000000-0000-4000-8000-{len(stored(db)) + 1:012d}", form_type="counting",
        form_version=1, station_id=station, timezone="Asia/Aqtobe",
        arrival_utc="2023-03-19T15:00:00Z", departure_utc=departure, answers={},
        overall="good", serious_count=0, protocol=protocol)
    user = db.execute("SELECT id FROM users WHERE username = 'obs1'").fetchone()[0]
    entry_id, _created = entries.create(db, checklists.CHECKLISTS, filing, user, "T01")
    if state != "submitted":
        coordinator = db.execute("SELECT id FROM users WHERE username = 'coord'").fetchone()[0]
        review.move(db, "checklist", entry_id, state, coordinator,
                    "checked" if state != "verified" else "")
    return entry_id


def test_observed_sums_one_checklist_per_station(app, db, smd_station):
    other = station_id(db, "101")
    db.execute("UPDATE stations SET smd_district = 1 WHERE id = ?", [other])
    db.conn.commit()
    # Station 202: a verified checklist and a later unverified one; the verified counts.
    _file(db, smd_station, PROTOCOL, "2023-03-19T18:00:00Z", "verified")
    _file(db, smd_station, {"list": {"amanat": 9999}}, "2023-03-19T19:00:00Z")
    # Station 101: two unverified ones, the later counts; a rejected one never.
    _file(db, other, {"list": {"amanat": 1}}, "2023-03-19T17:00:00Z")
    _file(db, other, {"list": {"amanat": 50, "nsdp": 5, "valid": 55},
                      "smd": {"d01_c1": 30, "d01_c2": 20, "valid": 50}},
          "2023-03-19T18:30:00Z")
    _file(db, other, {"list": {"amanat": 7777}}, "2023-03-19T20:00:00Z", "rejected")
    found = contest_votes.observed(db)
    # By hand: 202's verified protocol plus 101's later one; control figures left out.
    assert found.party_list == {**LIST_VOTES, "amanat": 450, "nsdp": 45}
    assert found.districts == {10: SMD_VOTES, 1: {"d01_c1": 30, "d01_c2": 20}}
    assert "2 stations" in found.notes[0]
    result = app.test_cli_runner().invoke(args=["results", "seats", "--source", "observed",
                                                "--json"])
    assert result.exit_code == 0, result.output
    seats = json.loads(result.output)
    assert seats["districts"] == {"10": "d10_c1", "1": "d01_c1"}
    assert sum(seats["list"].values()) == 69 and seats["list"]["amanat"] > 0


# --- the API ----------------------------------------------------------------------------

def _api_body(db, station: int, **overrides) -> dict:
    body = {"uuid": "5f2b3c4d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", "form_type": "counting",
            "station_id": station, "arrival_date": "2023-03-19", "arrival_time": "19:45",
            "departure_date": "2023-03-19", "departure_time": "23:30",
            "answers": good_answers(definitions.get("counting")), "overall": "good",
            "comments": "", "figures_confirmed": False, "protocol": PROTOCOL}
    body.update(overrides)
    return body


def test_the_api_takes_and_returns_the_protocol(app, db, smd_station):
    from tests.test_api import Api, token_for
    from tests.test_api_openapi import Checked
    doc = app.test_client().get("/api/v1/openapi.json").json
    api = Checked(doc, Api(app.test_client(), token_for(db, "obs1")), set())
    created = api("post", "/api/v1/checklists", _api_body(db, smd_station), status=201)
    assert created.json["entry"]["protocol"] == PROTOCOL
    assert stored(db) == {created.json["id"]: PROTOCOL}
    one = api("get", "/api/v1/checklists/{entry_id}", ids={"entry_id": created.json["id"]},
              status=200)
    assert one.json["protocol"] == PROTOCOL
    listed = api("get", "/api/v1/checklists", status=200)
    assert listed.json["checklists"][0]["protocol"] == PROTOCOL
    # The same checks as the form, with the same messages, by the form's field names.
    wrong = {"list": {**PROTOCOL["list"], "amanat": 401}}
    refused = api("post", "/api/v1/checklists", _api_body(
        db, smd_station, uuid="6f2b3c4d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", protocol=wrong),
        status=422)
    assert "Valid ballots must equal" in " ".join(refused.json["fields"]["protocol-list-valid"])
    unknown = api("post", "/api/v1/checklists", _api_body(
        db, smd_station, uuid="7f2b3c4d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        protocol={"list": {"amanat_party": 1}, "maslikhat": {"valid": 1}}), status=422)
    assert set(unknown.json["fields"]) == {"protocol-list-amanat_party", "protocol-maslikhat"}
    negative = api("post", "/api/v1/checklists", _api_body(
        db, smd_station, uuid="8f2b3c4d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        protocol={"list": {"amanat": -1}}), status=400)
    assert list(negative.json["fields"]) == ["protocol-list-amanat"]
    assert len(stored(db)) == 1


# --- exports ----------------------------------------------------------------------------

def test_the_protocols_export_has_a_row_per_checklist_and_contest(app, db, smd_station,
                                                                  tmp_path):
    import csv
    import io

    from openpyxl import load_workbook
    first = _file(db, smd_station, PROTOCOL, "2023-03-19T18:00:00Z")
    _file(db, smd_station, {"list": {"amanat": 5}}, "2023-03-19T19:00:00Z", "rejected")
    browser = Browser(app.test_client())
    browser.login("coord")
    response = browser.client.get("/exports/protocols.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    # Rejected checklists are never exported, as in every export.
    assert [(r["checklist_id"], r["contest"]) for r in rows] == [(str(first), "list"),
                                                                  (str(first), "smd")]
    header = list(rows[0])
    assert header[header.index("contest") + 1:][:7] == list(CONTROLS)
    assert {"amanat", "baytaq", "against_all", "d01_c1", "d10_c3"} <= set(header)
    by_contest = {r["contest"]: r for r in rows}
    assert by_contest["list"]["amanat"] == "400" and by_contest["list"]["d10_c1"] == ""
    assert by_contest["smd"]["d10_c1"] == "300" and by_contest["smd"]["amanat"] == ""
    assert by_contest["smd"]["smd_district"] == "10"
    assert by_contest["smd"]["valid"] == "780" and by_contest["smd"]["against_all"] == "30"
    objects = browser.client.get("/exports/protocols.json").json
    assert [o["figures"] for o in objects] == [PROTOCOL["list"], PROTOCOL["smd"]]
    book = load_workbook(io.BytesIO(browser.client.get("/exports/protocols.xlsx").data))
    sheet = book.worksheets[0]
    values = list(sheet.values)
    assert list(values[0]) == header and len(values) == 3
    observer = Browser(app.test_client())
    observer.login("obs1")
    assert observer.client.get("/exports/protocols.csv").status_code == 403
    out = tmp_path / "protocols.csv"
    result = app.test_cli_runner().invoke(args=["export", "protocols", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == response.data


# --- the demo ----------------------------------------------------------------------------

def test_demo_counting_checklists_carry_protocols_most_of_which_reconcile(tmp_path):
    from models import demo, stations
    from models.db import connect
    from models.migrations import migrate
    db = connect(str(tmp_path / "demo.sqlite"))
    migrate(db)
    demo.generate(db, 300, 1500)
    counting = [row[0] for row in db.execute(
        "SELECT id FROM checklists WHERE form_type = 'counting'")]
    assert db.execute("SELECT count(DISTINCT checklist_id) FROM protocol_figures"
                      " WHERE checklist_id NOT IN (SELECT id FROM checklists"
                      " WHERE form_type = 'counting')").fetchone()[0] == 0
    reconciling, confirmed = 0, 0
    for entry_id in counting:
        entry = checklists.get(db, entry_id)
        if not entry["protocol"]:
            continue
        station = stations.get(db, entry["station_id"])
        layout = {b.contest: b for b in protocols.ballots(db, station)}
        # Every figure belongs to a ballot of the station, and its version keeps them.
        assert set(entry["protocol"]) <= set(layout)
        for contest, figures in entry["protocol"].items():
            assert set(figures) == set(layout[contest].codes())
        assert entries.versions(db, checklists.CHECKLISTS, entry_id)[0]["snapshot"][
            "protocol"] == entry["protocol"]
        if any(protocols.problems(layout[c], f) for c, f in entry["protocol"].items()):
            # A protocol that does not add up is in the demo only "as written".
            assert entry["answers"]["figures_confirmed"] is True
            confirmed += 1
        else:
            reconciling += 1
    assert reconciling > 5 * confirmed and confirmed >= 1
    assert contest_votes.observed(db).party_list["amanat"] > 0
    db.close()
