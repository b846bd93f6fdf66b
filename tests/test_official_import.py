"""Official results and announced turnout: CSV import through the CLI, all or nothing."""

import json

import pytest

from models import candidates

RESULTS = "level,unit,contest,item,value,source\n"
TURNOUT = "level,unit,time,share,source\n"
GOOD = ("national,,list,amanat,3431510,CEC 27 March\n"
        "region,Astana,list,auyl,1200,CEC 27 March\n"
        "district,1,smd,d1_a,500,CEC 27 March\n"
        "station,101,list,valid,900,CEC 27 March\n"
        "station,101,smd,against_all,12,CEC 27 March\n")


@pytest.fixture
def runner(app, db):
    candidates.replace(db, [{"district": 1, "code": "d1_a", "name": "A", "party": "amanat",
                             "position": 1}, {"district": 2, "code": "d2_a", "name": "B",
                                              "party": "nsdp", "position": 1}])
    db.execute("UPDATE stations SET smd_district = 1 WHERE number = '101'")
    db.conn.commit()
    return app.test_cli_runner()


def _write(tmp_path, body: str, header=RESULTS, name="results.csv") -> str:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def _rows(db, table="official_results"):
    return db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_results_import_stores_figures_and_is_audited(runner, db, tmp_path):
    result = runner.invoke(args=["import-results", _write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "Imported 5 official figure(s)" in result.output
    stored = db.execute("SELECT level, unit, contest, item, value, source FROM official_results"
                        " ORDER BY id").fetchall()
    assert stored[0] == ("national", "", "list", "amanat", 3431510, "CEC 27 March")
    assert stored[2] == ("district", "1", "smd", "d1_a", 500, "CEC 27 March")
    action, details = db.execute("SELECT action, details FROM audit_log ORDER BY id DESC"
                                 " LIMIT 1").fetchone()
    assert action == "import"
    assert json.loads(details) == {"what": "official_results", "file": "results.csv",
                                   "rows": 5, "sources": ["CEC 27 March"], "replaced": 0}


def test_reimport_replaces_the_rows_of_the_same_source_only(runner, db, tmp_path):
    assert runner.invoke(args=["import-results", _write(tmp_path, GOOD)]).exit_code == 0
    other = _write(tmp_path, "national,,list,amanat,1,Other\n", name="other.csv")
    assert runner.invoke(args=["import-results", other]).exit_code == 0
    again = _write(tmp_path, "national,,list,amanat,3431511,CEC 27 March\n", name="again.csv")
    assert runner.invoke(args=["import-results", again]).exit_code == 0
    assert db.execute("SELECT source, value FROM official_results ORDER BY source").fetchall() \
        == [("CEC 27 March", 3431511), ("Other", 1)]
    assert json.loads(db.execute("SELECT details FROM audit_log ORDER BY id DESC LIMIT 1")
                      .fetchone()[0])["replaced"] == 5


@pytest.mark.parametrize("row, reason", [
    ("station,999,list,amanat,1,S", "unknown station '999'"),
    ("region,Atlantis,list,amanat,1,S", "unknown region 'Atlantis'"),
    ("district,30,smd,d1_a,1,S", "district '30' does not exist (the mission file has 29"),
    ("district,0,list,amanat,1,S", "district '0' does not exist"),
    ("district,x,list,amanat,1,S", "district 'x' does not exist"),
    ("province,X,list,amanat,1,S", "level must be one of national, region, district, station"),
    ("national,Astana,list,amanat,1,S", "a national figure has no unit"),
    ("station,,list,amanat,1,S", "a station figure needs its unit"),
    ("national,,senate,amanat,1,S", "unknown contest 'senate'"),
    ("national,,list,green,1,S", "unknown party or figure 'green' for contest 'list'"),
    ("national,,list,d1_a,1,S", "unknown party or figure 'd1_a'"),
    ("district,1,smd,d2_a,1,S", "unknown candidate or figure 'd2_a' of district 1"),
    ("station,101,smd,d2_a,1,S", "unknown candidate or figure 'd2_a' of district 1"),
    ("national,,smd,amanat,1,S", "unknown candidate or figure 'amanat'"),
    ("national,,list,amanat,-5,S", "value must be a whole number from 0 to 1,000,000,000, got '-5'"),
    ("national,,list,amanat,12.5,S", "got '12.5'"),
    ("national,,list,amanat,abc,S", "got 'abc'"),
    ("national,,list,amanat,,S", "got ''"),
    ("national,,list,amanat,١٢,S", "got '١٢'"),
    ("national,,list,amanat,99999999999,S", "value must be a whole number"),
    ("national,,list,amanat,1,", "source is empty"),
    ("national,,list,amanat,1," + "s" * 201, "source is longer than 200 characters"),
    ("national,,list,amanat,7,CEC 27 March", "duplicate of line 2 (same level, unit, contest,"
                                             " item and source)"),
])
def test_a_bad_results_row_is_named_and_nothing_is_imported(runner, db, tmp_path, row, reason):
    path = _write(tmp_path, "national,,list,amanat,5,CEC 27 March\n" + row + "\n")
    result = runner.invoke(args=["import-results", path])
    assert result.exit_code == 1
    bad = [line for line in result.output.splitlines() if ": line " in line]
    assert len(bad) == 1 and ": line 3: " in bad[0] and reason in bad[0], result.output
    assert "nothing was imported" in result.output
    assert _rows(db) == []


def test_every_bad_line_is_listed_and_a_missing_column_refuses_the_file(runner, db, tmp_path):
    path = _write(tmp_path, "station,999,list,amanat,1,S\nnational,,list,amanat,-1,S\n")
    result = runner.invoke(args=["import-results", path])
    assert "line 2: unknown station" in result.output and "line 3: value" in result.output
    assert "2 bad row(s); nothing was imported" in result.output
    bad = _write(tmp_path, "national,,list,amanat\n", header="level,unit,contest,item\n")
    assert "line 1: missing column(s): value, source" in runner.invoke(
        args=["import-results", bad]).output
    assert "the file has no figures" in runner.invoke(
        args=["import-results", _write(tmp_path, "")]).output
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((RESULTS + "region,Ülytau,list,amanat,1,S\n").encode("latin-1"))
    assert "is not UTF-8 text" in runner.invoke(args=["import-results", str(latin1)]).output
    assert _rows(db) == []


def test_turnout_import_and_reimport(runner, db, tmp_path):
    body = ("national,,10:00,7.5,CEC\nnational,,12:00,25.21,CEC\n"
            "region,Astana,10:00,6,CEC\n")
    result = runner.invoke(args=["import-turnout", _write(tmp_path, body, TURNOUT)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 announced turnout figure(s)" in result.output
    assert db.execute("SELECT level, unit, local_time, share FROM official_turnout ORDER BY id"
                      ).fetchall() == [("national", "", "10:00", 7.5),
                                       ("national", "", "12:00", 25.21),
                                       ("region", "Astana", "10:00", 6.0)]
    again = _write(tmp_path, "national,,10:00,8,CEC\n", TURNOUT, "again.csv")
    assert runner.invoke(args=["import-turnout", again]).exit_code == 0
    assert db.execute("SELECT count(*), max(share) FROM official_turnout").fetchone() == (1, 8.0)
    assert json.loads(db.execute("SELECT details FROM audit_log ORDER BY id DESC LIMIT 1")
                      .fetchone()[0])["what"] == "official_turnout"


@pytest.mark.parametrize("row, reason", [
    ("district,1,12:00,30,CEC", "level must be national or region, got 'district'"),
    ("region,Atlantis,12:00,30,CEC", "unknown region 'Atlantis'"),
    ("national,Astana,12:00,30,CEC", "a national figure has no unit"),
    ("national,,24:00,30,CEC", "time must be HH:MM (00:00 to 23:59), got '24:00'"),
    ("national,,noon,30,CEC", "time must be HH:MM"),
    ("national,,9:00,30,CEC", "time must be HH:MM"),
    ("national,,12:00,-3,CEC", "share must be a percentage from 0 to 100, got '-3'"),
    ("national,,12:00,100.5,CEC", "share must be a percentage from 0 to 100"),
    ("national,,12:00,abc,CEC", "share must be a percentage"),
    ("national,,12:00,30,", "source is empty"),
    ("national,,10:00,9,CEC", "duplicate of line 2 (same level, unit, time and source)"),
    ("national,,12:00,5,CEC", "share 5% at 12:00 is below 7.5% announced at 10:00 (line 2)"),
])
def test_a_bad_turnout_row_is_named_and_nothing_is_imported(runner, db, tmp_path, row, reason):
    path = _write(tmp_path, "national,,10:00,7.5,CEC\n" + row + "\n", TURNOUT)
    result = runner.invoke(args=["import-turnout", path])
    assert result.exit_code == 1
    assert f"line 3: {reason}" in result.output
    assert _rows(db, "official_turnout") == []
