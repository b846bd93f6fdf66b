"""The demo mission: right counts, real regions and zones, answers the forms would accept."""

import json
import re
from collections import Counter
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app import create_app
from forms.checklist import form_class as checklist_form_class
from forms.protocol import field_name, with_protocol
from models import demo, protocols, stations, users
from models.checklists import Filing
from models.clock import from_iso, utc_to_local
from models.db import connect
from models.definitions import by_type
from models.migrations import migrate
from models.vocabulary import YESNO

ZONES = {"Abai": "Asia/Almaty", "Akmola": "Asia/Almaty", "Aktobe": "Asia/Aqtobe",
         "Almaty Region": "Asia/Almaty", "Atyrau": "Asia/Atyrau",
         "West Kazakhstan": "Asia/Oral", "Zhambyl": "Asia/Almaty", "Zhetisu": "Asia/Almaty",
         "Karaganda": "Asia/Almaty", "Kostanay": "Asia/Almaty", "Kyzylorda": "Asia/Qyzylorda",
         "Mangystau": "Asia/Aqtau", "Pavlodar": "Asia/Almaty", "North Kazakhstan": "Asia/Almaty",
         "Turkistan": "Asia/Almaty", "Ulytau": "Asia/Almaty", "East Kazakhstan": "Asia/Almaty",
         "Astana": "Asia/Almaty", "Almaty": "Asia/Almaty", "Shymkent": "Asia/Almaty"}


@pytest.fixture(scope="module")
def mission(tmp_path_factory):
    """One generated mission shared by the read-only tests (generation takes a second)."""
    path = str(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    db = connect(path)
    migrate(db)
    summary = demo.generate(db, 200, 800)
    yield db, summary, path
    db.close()


def _rows(db, sql, params=()):
    return list(db.query(sql, params))


def test_counts(mission):
    db, summary, _ = mission
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("stations", "checklists")}
    counts["checklist_versions"] = db.execute(
        "SELECT count(*) FROM entry_versions WHERE entry_kind = 'checklist'").fetchone()[0]
    assert counts == {"stations": 200, "checklists": 800, "checklist_versions": 800}
    assert summary["counts"]["checklist_versions"] == 800
    assert summary["counts"]["checklists"] == 800
    by_type = dict(db.execute("SELECT form_type, count(*) FROM checklists GROUP BY form_type"))
    assert by_type == {"opening": 80, "voting": 600, "counting": 80, "tabulation": 40}
    roles = Counter(r["role"] for r in _rows(db, "SELECT role FROM users"))
    assert roles["admin"] == 1 and roles["liaison"] >= 1 and roles["coordinator"] >= 2
    assert roles["observer"] == 2 * summary["teams"]
    assert len(summary["logins"]) == summary["counts"]["users"] == sum(roles.values())


def test_all_regions_with_their_2023_zones(mission):
    db, _, _ = mission
    zones = {r["region"]: r["timezone"] for r in _rows(
        db, "SELECT DISTINCT region, timezone FROM stations")}
    assert zones == ZONES
    bounds = db.execute("SELECT min(latitude), max(latitude), min(longitude), max(longitude),"
                        " min(registered_voters), max(registered_voters),"
                        " count(DISTINCT number) FROM stations").fetchone()
    assert 40.5 < bounds[0] and bounds[1] < 55.5 and 46.5 < bounds[2] and bounds[3] < 87.5
    assert 300 <= bounds[4] and bounds[5] <= 3000 and bounds[6] == 200
    names = " ".join(r["name"] + r["address"] for r in _rows(db, "SELECT * FROM stations"))
    assert set("ҚӘӨҰҮІҢҒ") & set(names) and "№" in names
    station = _rows(db, "SELECT * FROM stations LIMIT 1")[0]
    assert station["search_text"] == stations.fold(" ".join(
        (station["number"], station["name"], station["address"], station["district"])))


def test_teams_of_two_in_one_region(mission):
    db, _, _ = mission
    teams = _rows(db, "SELECT team, count(*) AS n, count(DISTINCT region) AS regions"
                      " FROM users WHERE role = 'observer' GROUP BY team")
    assert teams and all(t["n"] == 2 and t["regions"] == 1 for t in teams)
    assert all(re.fullmatch(r"T\d{3,}", t["team"]) for t in teams)
    # The author belongs to the team that filed, and observes in the station's region.
    wrong = db.execute("SELECT count(*) FROM checklists c JOIN users u ON u.id = c.author_id"
                       " JOIN stations s ON s.id = c.station_id"
                       " WHERE u.team != c.team OR u.region != s.region").fetchone()[0]
    assert wrong == 0


def _check_answers(definition, answers):
    """Every rule the server-side form applies to stored answers."""
    for key, value in answers.items():
        if key in ("comments", "figures_confirmed"):  # the form's own fields, not questions
            continue
        q = definition.questions[key]
        assert q.relevant is None or answers.get(q.relevant[0]) == q.relevant[1], key
        if q.type == "yesno":
            assert value in YESNO, key
        elif q.type == "choice":
            assert value in q.allowed(), key
        elif q.type == "multi":
            assert value and set(value) <= set(q.allowed()), key
        elif q.type == "integer":
            assert isinstance(value, int) and (q.min or 0) <= value <= (q.max or 10**9), key
        elif q.type == "time":
            assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value), key
        else:
            assert isinstance(value, str) and 0 < len(value) <= q.max_length, key
    for q in definition.questions.values():
        asked = q.relevant is None or answers.get(q.relevant[0]) == q.relevant[1]
        if q.required and asked:
            assert q.id in answers, q.id
    for check in definition.checks:
        values = [answers.get(name) for name in check.fields()]
        if None not in values:
            ok = values[0] <= values[1] if check.rule == "lte" else values[0] == sum(values[1:])
            assert ok, check.message


def test_every_checklist_is_valid(mission):
    db, _, _ = mission
    definitions = by_type()
    rows = _rows(db, "SELECT c.*, s.timezone AS station_zone FROM checklists c"
                     " JOIN stations s ON s.id = c.station_id")
    versions = {r["entry_id"]: r for r in _rows(
        db, "SELECT * FROM entry_versions WHERE entry_kind = 'checklist'")}
    for row in rows:
        definition = definitions[row["form_type"]]
        answers = json.loads(row["answers"])
        _check_answers(definition, answers)
        arrival, departure = from_iso(row["arrival_utc"]), from_iso(row["departure_utc"])
        assert arrival < departure <= arrival + timedelta(hours=24)
        assert row["timezone"] == row["station_zone"]
        local = utc_to_local(row["arrival_utc"], row["timezone"])
        assert (local.month, local.day) in ((3, 19), (3, 20))
        if row["form_type"] == "opening":
            assert 6 <= local.hour < 8
        elif row["form_type"] == "voting":
            assert 8 <= local.hour < 20
        filing = Filing(row["uuid"], row["form_type"], row["form_version"], row["station_id"],
                        row["timezone"], row["arrival_utc"], row["departure_utc"], answers,
                        row["overall"], row["serious_count"],
                        # Counting checklists carry their protocol figures (test_protocols.py).
                        protocols.for_checklist(db, row["id"]))
        assert row["serious_count"] == len(definition.serious_problems(answers))
        assert row["content_hash"] == filing.content_hash()
        assert row["version"] == 1 and row["created_utc"] >= row["departure_utc"]
        version = versions[row["id"]]
        assert (version["version"], version["edited_by"]) == (1, row["author_id"])
        assert json.loads(version["snapshot"]) == {
            **filing.content(), "form_version": row["form_version"],
            "serious_count": row["serious_count"]}
    assert len({r["uuid"] for r in rows}) == len(rows)


def test_assessments_and_serious_problems(mission):
    db, summary, _ = mission
    overall = Counter(r["overall"] for r in _rows(db, "SELECT overall FROM checklists"))
    negative = (overall["bad"] + overall["very_bad"]) / 800
    assert 0.05 <= negative <= 0.30
    assert overall["good"] + overall["very_good"] > 600 and overall["very_bad"] > 0
    serious = db.execute("SELECT count(*) FROM checklists WHERE serious_count > 0").fetchone()[0]
    assert 0 < serious < 0.1 * 800 and summary["serious"] == serious


def _form_data(row, answers, protocol):
    """A stored checklist as the browser would post it, its protocol figures included."""
    data = MultiDict({"uuid": row["uuid"], "station_id": str(row["station_id"]),
                      "overall": row["overall"], "comments": answers.get("comments", "")})
    for contest, figures in protocol.items():
        for item, value in figures.items():
            data[field_name(contest, item)] = str(value)
    for prefix in ("arrival", "departure"):
        moment = utc_to_local(row[f"{prefix}_utc"], row["timezone"])
        data[f"{prefix}_date"] = moment.strftime("%Y-%m-%d")
        data[f"{prefix}_time"] = moment.strftime("%H:%M")
    for key, value in answers.items():
        if key == "figures_confirmed":
            data[key] = "y"
        elif key != "comments":
            for item in value if isinstance(value, list) else [value]:
                data.add(key, str(item))
    return data


def test_real_form_accepts_a_sample(mission):
    db, _, path = mission
    app = create_app({"DATABASE": path, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False})
    rows = _rows(db, "SELECT c.*, s.id AS sid, s.timezone AS stz FROM checklists c"
                     " JOIN stations s ON s.id = c.station_id WHERE c.id % 10 = 0"
                     " OR c.serious_count > 0 OR c.form_type IN ('counting', 'tabulation')")
    for row in rows:
        answers = json.loads(row["answers"])
        station = stations.get(db, row["sid"])
        form_class = with_protocol(checklist_form_class(row["form_type"]), db, station)
        protocol = protocols.for_checklist(db, row["id"])
        with app.test_request_context(method="POST", data=_form_data(row, answers, protocol)):
            form = form_class(station=station)
            assert form.validate(), {f.name: f.errors for f in form if f.errors}
            assert form.answers == {k: v for k, v in answers.items() if k != "comments"}


def test_demo_password_works(mission):
    db, summary, _ = mission
    assert summary["password"] == "observe2023"
    user = users.authenticate(db, "observer1", "observe2023")
    assert user and user["role"] == "observer" and user["team"] == "T001"
    assert users.authenticate(db, "admin", "observe2023")["role"] == "admin"
    assert users.authenticate(db, "observer1", "wrong") is None


def test_describe_lists_logins_before_counts(mission):
    _, summary, _ = mission
    text = demo.describe(summary)
    assert text.index("admin") < text.index("observe2023") < text.index("Checklists")
    assert "coordinator1" in text and "liaison1" in text and "observer6" in text
    assert "observer7 " not in text
    assert f"and {2 * summary['teams'] - 6} more observers" in text


def test_same_seed_same_mission(tmp_path):
    answers = []
    for name in ("a", "b"):
        db = connect(str(tmp_path / f"{name}.sqlite"))
        migrate(db)
        demo.generate(db, 30, 60, seed=7)
        answers.append([tuple(r) for r in db.execute(
            "SELECT uuid, station_id, answers, arrival_utc FROM checklists ORDER BY id")])
        db.close()
    assert answers[0] == answers[1] and len(answers[0]) == 60


def test_cli_fills_only_an_empty_database(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "x.sqlite"), "SECRET_KEY": "t"})
    runner = app.test_cli_runner()
    args = ["demo", "--stations", "50", "--checklists", "100"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "observer1" in first.output and "observe2023" in first.output
    second = runner.invoke(args=args)
    assert second.exit_code != 0 and "not empty" in second.output
    again = runner.invoke(args=[*args, "--if-empty"])
    assert again.exit_code == 0 and "already holds a mission" in again.output
    db = connect(str(tmp_path / "x.sqlite"))
    assert db.execute("SELECT count(*) FROM checklists").fetchone()[0] == 100
    db.close()
