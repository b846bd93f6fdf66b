"""District candidates: CSV import through the CLI, all or nothing, with lines and reasons."""

import pytest

from models import candidates, contests
from models.demo import DEMO_CANDIDATES

HEADER = "district,code,name,party\n"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _write(tmp_path, body: str, name="candidates.csv", header=HEADER) -> str:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def _codes(db) -> list[tuple]:
    return db.execute("SELECT district, code, position FROM candidates"
                      " ORDER BY district, position").fetchall()


def test_import_in_ballot_order_and_reimport_replaces_a_districts_candidates(runner, db,
                                                                             tmp_path):
    path = _write(tmp_path, "1,d1_b,Бекова Айгүл,amanat\n1,d1_a,Асанов Ерлан,self_nominated\n"
                            "2,d2_a,Serikov Timur,nsdp\n")
    result = runner.invoke(args=["import-candidates", path])
    assert result.exit_code == 0, result.output
    assert "Imported 3 candidate(s)" in result.output
    assert _codes(db) == [(1, "d1_b", 1), (1, "d1_a", 2), (2, "d2_a", 1)]
    again = _write(tmp_path, "1,d1_c,Новый Кандидат,auyl\n", "again.csv")
    assert runner.invoke(args=["import-candidates", again]).exit_code == 0
    # District 1 has exactly the new list; district 2 keeps its candidate.
    assert _codes(db) == [(1, "d1_c", 1), (2, "d2_a", 1)]
    assert contests.candidates(db, 1) == [{"code": "d1_c", "name": "Новый Кандидат",
                                           "party": "auyl", "position": 1}]


@pytest.mark.parametrize("row, reason", [
    ("30,x_1,Name,amanat", "unknown district '30' (the mission file has 29 districts)"),
    ("0,x_1,Name,amanat", "unknown district '0'"),
    (",x_1,Name,amanat", "unknown district ''"),
    ("one,x_1,Name,amanat", "unknown district 'one'"),
    ("1,ok_1,Name,amanat", "duplicate code 'ok_1': already on line 2"),
    ("1,x_1,,amanat", "name is empty"),
    ("1,x_1,  ,amanat", "name is empty"),
    ("1,x_1," + "N" * 201 + ",amanat", "name is longer than 200 characters"),
    ("1,,Name,amanat", "code is missing"),
    ("1,X 1,Name,amanat", "code must be a lower-case snake_case name"),
    ("1,against_all,Name,amanat", "code 'against_all' is reserved"),
    ("1,valid,Name,amanat", "code 'valid' is reserved"),
    ("1,x_1,Name,", "party must be a party code of the list contest or self_nominated"),
    ("1,x_1,Name,Amanat", "party must be a party code of the list contest or self_nominated, got 'Amanat'"),
])
def test_a_bad_row_is_named_and_nothing_is_imported(runner, db, tmp_path, row, reason):
    path = _write(tmp_path, "1,ok_1,Good Name,amanat\n" + row + "\n")
    result = runner.invoke(args=["import-candidates", path])
    assert result.exit_code != 0
    assert f"line 3: {reason}" in result.output
    assert "nothing was imported" in result.output
    assert _codes(db) == []


def test_a_code_another_district_keeps_is_refused(runner, db, tmp_path):
    assert runner.invoke(args=["import-candidates",
                               _write(tmp_path, "5,same,First,amanat\n")]).exit_code == 0
    result = runner.invoke(args=["import-candidates",
                                 _write(tmp_path, "6,other,Other,amanat\n6,same,Second,auyl\n",
                                        "b.csv")])
    assert "line 3: duplicate code 'same': district 5 already has a candidate" in result.output
    assert _codes(db) == [(5, "same", 1)]


@pytest.mark.parametrize("content, message", [
    ("district,code,name\n1,a,b\n", "line 1: missing column(s): party"),
    (HEADER, "line 1: the file has no candidates"),
])
def test_missing_column_or_empty_file(runner, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["import-candidates", str(path)])
    assert result.exit_code != 0 and message in result.output


def test_a_file_not_in_utf8_is_refused(runner, tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes((HEADER + "1,a_1,Асанов,amanat\n").encode("cp1251"))
    result = runner.invoke(args=["import-candidates", str(path)])
    assert result.exit_code != 0 and "is not UTF-8" in result.output


def test_the_demo_candidates_are_valid_invented_and_cover_every_district():
    with open(DEMO_CANDIDATES, encoding="utf-8") as handle:
        rows, errors = candidates.parse_rows(handle)
    assert errors == []
    assert {row["district"] for row in rows} == set(contests.district_numbers())
    assert all(row["name"].endswith("(demo)") for row in rows)


def test_the_demo_loads_its_candidates_and_gives_stations_a_district_and_type(tmp_path):
    from models import demo
    from models.db import connect
    from models.migrations import migrate
    db = connect(str(tmp_path / "demo.sqlite"))
    migrate(db)
    summary = demo.generate(db, 60, 0)
    lines = DEMO_CANDIDATES.read_text(encoding="utf-8").splitlines()
    assert summary["counts"]["candidates"] == len(lines) - 1
    assert "invented district candidates" in demo.describe(summary)
    missing = db.execute("SELECT count(*) FROM stations WHERE smd_district IS NULL"
                         " OR area_type IS NULL").fetchone()[0]
    assert missing == 0
    # Each station's district lies in the station's region.
    for region, number in db.execute("SELECT DISTINCT region, smd_district FROM stations"):
        assert contests.district(number).region == region
    db.close()
