"""The station registry: CSV import through the CLI (all or nothing) and search."""

import pytest

from models import stations

HEADER = "number,name,address,region,district,timezone,registered_voters,latitude,longitude\n"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _write(tmp_path, body: str, name="registry.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def _numbers(db):
    return [r[0] for r in db.execute("SELECT number FROM stations ORDER BY number")]


def test_import_adds_and_reimport_updates(runner, db, tmp_path):
    path = _write(tmp_path, "404,Мектеп № 7,Абай к-сі 1,Turkistan,Sairam,Asia/Almaty,800,,\n"
                            "505,Қазығұрт ауылы мектебі,,Turkistan,Kazygurt,Asia/Almaty,650,41.7,69.4\n")
    result = runner.invoke(args=["import-stations", path])
    assert result.exit_code == 0, result.output
    assert "Imported 2 station(s)" in result.output
    again = _write(tmp_path, "404,Мектеп № 7 (жаңа),Абай к-сі 1,Turkistan,Sairam,Asia/Almaty,820,,\n",
                   "again.csv")
    assert runner.invoke(args=["import-stations", again]).exit_code == 0
    assert _numbers(db) == ["101", "202", "303", "404", "505"]
    row = db.execute("SELECT name, registered_voters FROM stations WHERE number = '404'").fetchone()
    assert row == ("Мектеп № 7 (жаңа)", 820)


@pytest.mark.parametrize("row, reason", [
    ("606,Школа,,Aktobe,,Asia/Aktobe,100,,", "unknown time zone 'Asia/Aktobe'"),
    ("606,Школа,,Aktobe,,UTC+5,100,,", "unknown time zone"),
    (",Школа,,Aktobe,,Asia/Aqtobe,100,,", "number is missing"),
    ("606,Школа,,Aktobe,,Asia/Aqtobe,many,,", "registered_voters must be a number"),
    ("606,Школа,,Aktobe,,Asia/Aqtobe,,,", "registered_voters is missing"),
    ("606,Школа,,Aktobe,,Asia/Aqtobe,100,95,50", "latitude must be between"),
    ("606,,,Aktobe,,Asia/Aqtobe,100,,", "name is missing"),
])
def test_a_bad_row_is_named_and_nothing_is_imported(runner, db, tmp_path, row, reason):
    good = "707,Хорошая школа,,Aktobe,,Asia/Aqtobe,100,,\n"
    path = _write(tmp_path, good + row + "\n")
    result = runner.invoke(args=["import-stations", path])
    assert result.exit_code != 0
    assert f"line 3: {reason}" in result.output
    assert "nothing was imported" in result.output
    assert "707" not in _numbers(db)


def test_duplicate_number_in_one_file_is_reported(runner, tmp_path):
    path = _write(tmp_path, "808,A,,Aktobe,,Asia/Aqtobe,1,,\n808,B,,Aktobe,,Asia/Aqtobe,1,,\n")
    result = runner.invoke(args=["import-stations", path])
    assert "line 3: number 808 already on line 2" in result.output


def test_missing_column_and_non_utf8_file(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("number,name\n1,x\n", encoding="utf-8")
    assert "missing column(s): region, timezone" in runner.invoke(
        args=["import-stations", str(path)]).output
    path.write_bytes(HEADER.encode() + "1,Школа,,A,,Asia/Almaty,1,,\n".encode("cp1251"))
    result = runner.invoke(args=["import-stations", str(path)])
    assert result.exit_code != 0 and "is not UTF-8" in result.output


@pytest.mark.parametrize("query, expected", [
    ("202", ["202"]),
    ("гимназия", ["101"]),
    ("ГИМНАЗИЯ", ["101"]),
    ("ақтөбе", ["202"]),
    ("АҚТӨБЕ", ["202"]),
    ("medeu", ["303"]),
    ("%", []),
    ("нет такого", []),
])
def test_search_by_number_or_part_of_a_cyrillic_name(db, query, expected):
    assert [s["number"] for s in stations.search(db, query).stations] == expected
