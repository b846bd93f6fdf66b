"""Contests as data: the mission file, checked strictly; the station's district and type."""

import sqlite3
from fractions import Fraction

import pytest
import yaml

from app import create_app
from models import contests, stations
from models.contests import AGAINST_ALL, DEFAULT_FILE, ContestError
from models.db import connect
from models.migrations import migrations

SHIPPED = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_the_2023_file_declares_the_mixed_system():
    mission = contests.load(DEFAULT_FILE)
    assert mission.title == "Early Mazhilis elections" and str(mission.date) == "2023-03-19"
    party_list = mission.contest("list")
    assert party_list.seats == 69 and party_list.threshold_percent == Fraction(5)
    assert party_list.threshold_base == "valid_votes" and party_list.against_all
    assert contests.party_codes(party_list) == (
        "amanat", "auyl", "respublica", "aq_zhol", "peoples_party", "nsdp", "baytaq")
    assert contests.item_codes("list")[-1] == AGAINST_ALL
    smd = mission.contest("smd")
    assert [d.number for d in smd.districts] == list(range(1, 30))
    assert party_list.seats + len(smd.districts) == 98
    assert contests.control_codes() == ("voters_on_list", "ballots_received", "ballots_issued",
                                        "ballots_cancelled", "ballots_in_boxes", "invalid",
                                        "valid")
    # Every district lies in one of the demo's 20 regions.
    from models.demo_stations import REGIONS
    assert {d.region for d in smd.districts} == {r.name for r in REGIONS}


def test_api_outside_and_inside_an_app(app):
    assert contests.contest("nope") is None and contests.district(30) is None
    assert contests.district(1).region == "Astana"
    with app.app_context():
        assert contests.mission() is contests.mission()  # read once
        assert contests.list_contest().id == "list"


def _write(tmp_path, data, name="mission.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _maslikhat() -> dict:
    return {"id": "maslikhat_astana", "kind": "party_list", "title": "Astana maslikhat",
            "region": "Astana", "seats": 16, "threshold": {"percent": 7, "base": "party_votes"},
            "against_all": True, "parties": [{"code": "amanat", "label": "Amanat"},
                                             {"code": "auyl", "label": "Auyl"}]}


def test_a_further_ballot_and_the_station_contests(tmp_path):
    data = {**SHIPPED, "contests": [*SHIPPED["contests"], _maslikhat()]}
    path = _write(tmp_path, data)
    app = create_app({"DATABASE": str(tmp_path / "db.sqlite"), "SECRET_KEY": "x",
                      "TESTING": True, "MISSION_FILE": str(path)})
    with app.app_context():
        assert contests.contest("maslikhat_astana").threshold_percent == 7
        in_astana = contests.contests_for_station({"region": "Astana", "smd_district": 2})
        assert [(c.id, d.number if d else None) for c, d in in_astana] == [
            ("list", None), ("smd", 2), ("maslikhat_astana", None)]
        elsewhere = contests.contests_for_station({"region": "Aktobe", "smd_district": None})
        assert [c.id for c, _ in elsewhere] == ["list"]


def _broken(change) -> dict:
    data = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    change(data)
    return data


def _party_list(data) -> dict:
    return data["contests"][0]


@pytest.mark.parametrize("change, reason", [
    (lambda d: d.pop("against_all"), "top level: missing key(s) ['against_all']"),
    (lambda d: d.update(extra=1), "top level: unknown key(s) ['extra']"),
    (lambda d: d["election"].update(date="19 March"), "election: date must be written"),
    (lambda d: d["control_figures"].pop(), "control_figures: must be, in this order"),
    (lambda d: _party_list(d).update(seats=0), "contest list: seats must be a whole number"),
    (lambda d: _party_list(d).update(seats="69"), "contest list: seats must be a whole number"),
    (lambda d: _party_list(d)["threshold"].update(base="turnout"),
     "contest list.threshold: base must be one of"),
    (lambda d: _party_list(d)["threshold"].update(percent=100),
     "contest list.threshold: percent must be a number"),
    (lambda d: _party_list(d)["parties"].append({"code": "amanat", "label": "Twice"}),
     "contest list.parties[8]: code 'amanat' is reserved or used twice"),
    (lambda d: _party_list(d)["parties"].append({"code": "against_all", "label": "X"}),
     "code 'against_all' is reserved"),
    (lambda d: _party_list(d)["parties"].append({"code": "Bad Code", "label": "X"}),
     "code must be a lower-case snake_case name"),
    (lambda d: _party_list(d)["parties"].append({"code": "x", "label": ""}),
     "label must be a non-empty text"),
    (lambda d: _party_list(d).update(kind="mixed"), "contest list: kind must be one of"),
    (lambda d: _party_list(d).update(against_all="yes"), "against_all must be true or false"),
    (lambda d: _party_list(d).update(id="nationwide"), "the nationwide party list must have"),
    (lambda d: d["contests"][1]["districts"].pop(3), "contest smd.districts[4]: districts are "
                                                     "numbered 1, 2, 3... in order: expected 4"),
    (lambda d: d["contests"][1].update(seats=29), "contest smd: unknown key(s) ['seats']"),
    (lambda d: d["contests"].append(dict(d["contests"][0])), "code 'list' is reserved or used"),
])
def test_a_broken_mission_file_names_the_file_and_the_key(tmp_path, change, reason):
    path = _write(tmp_path, _broken(change), "broken.yaml")
    with pytest.raises(ContestError) as error:
        contests.load(path)
    assert str(error.value).startswith("broken.yaml: ")
    assert reason in str(error.value)


def test_a_broken_mission_file_stops_the_app(tmp_path):
    path = _write(tmp_path, _broken(lambda d: d["contests"][0].pop("seats")), "broken.yaml")
    with pytest.raises(ContestError, match="missing key"):
        create_app({"DATABASE": str(tmp_path / "db.sqlite"), "SECRET_KEY": "x",
                    "MISSION_FILE": str(path)})


# --- the station registry's district and type ----------------------------------------

HEADER = ("number,name,address,region,district,timezone,registered_voters,latitude,longitude,"
          "smd_district,area_type\n")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _registry(tmp_path, body: str, header: str = HEADER) -> str:
    path = tmp_path / "registry.csv"
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def test_import_reads_district_and_type_and_a_file_without_them_keeps_them(runner, db, tmp_path):
    path = _registry(tmp_path, "202,Ақтөбе мектебі,,Aktobe,,Asia/Aqtobe,1200,,,10,urban\n"
                               "909,Ауыл мектебі,,Aktobe,,Asia/Aqtobe,300,,,10,rural\n"
                               "910,Мектеп,,Aktobe,,Asia/Aqtobe,300,,,,\n")
    result = runner.invoke(args=["import-stations", path])
    assert result.exit_code == 0, result.output
    rows = db.execute("SELECT number, smd_district, area_type FROM stations"
                      " WHERE number IN ('202', '909', '910') ORDER BY number").fetchall()
    assert rows == [("202", 10, "urban"), ("909", 10, "rural"), ("910", None, None)]
    old = ("number,name,address,region,district,timezone,registered_voters,latitude,"
           "longitude\n")
    path = _registry(tmp_path, "909,Ауыл мектебі (жаңа),,Aktobe,,Asia/Aqtobe,310,,\n", old)
    assert runner.invoke(args=["import-stations", path]).exit_code == 0
    assert db.execute("SELECT name, smd_district, area_type FROM stations WHERE number = '909'"
                      ).fetchone() == ("Ауыл мектебі (жаңа)", 10, "rural")


@pytest.mark.parametrize("cells, reason", [
    ("30,urban", "smd_district '30' is not a district of the mission file (1 to 29)"),
    ("ten,urban", "smd_district 'ten' is not a district"),
    ("0,urban", "smd_district '0' is not a district"),
    ("10,town", "area_type must be urban or rural, got 'town'"),
    ("10,Urban", "area_type must be urban or rural"),
])
def test_a_bad_district_or_type_refuses_the_file(runner, db, tmp_path, cells, reason):
    path = _registry(tmp_path, "707,Мектеп,,Aktobe,,Asia/Aqtobe,100,,,10,rural\n"
                               f"708,Мектеп,,Aktobe,,Asia/Aqtobe,100,,,{cells}\n")
    result = runner.invoke(args=["import-stations", path])
    assert result.exit_code != 0
    assert f"line 3: {reason}" in result.output and "nothing was imported" in result.output
    assert db.execute("SELECT count(*) FROM stations WHERE number = '707'").fetchone() == (0,)


def test_the_station_json_carries_district_and_type(app, db):
    db.execute("UPDATE stations SET smd_district = 10, area_type = 'urban' WHERE number = '202'")
    db.conn.commit()
    row = stations.get(db, db.execute("SELECT id FROM stations WHERE number = '202'"
                                      ).fetchone()[0])
    from views.api_entries import station_json
    assert station_json(row)["smd_district"] == 10 and station_json(row)["area_type"] == "urban"


def test_m014_adds_empty_columns_and_the_tables_to_an_existing_database(tmp_path):
    path = str(tmp_path / "old.sqlite")
    db = connect(path)
    # Every migration before m014, as a database of the previous release has them.
    migrations.apply(db, stop_before="m014_contests")
    db.execute("INSERT INTO stations (number, name, region, timezone, registered_voters,"
               " search_text) VALUES ('1', 'School', 'Abai', 'Asia/Almaty', 100, '1 school')")
    db.conn.commit()
    db.close()
    app = create_app({"DATABASE": path, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        pass
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT number, smd_district, area_type FROM stations").fetchall() == [
        ("1", None, None)]
    columns = [r[1] for r in conn.execute("PRAGMA table_info(official_results)")]
    assert columns == ["id", "level", "unit", "contest", "item", "value", "source",
                       "imported_utc"]
    assert conn.execute("SELECT count(*) FROM candidates").fetchone() == (0,)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE stations SET area_type = 'town'")
