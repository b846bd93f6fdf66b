"""Exports: CSV, XLSX and JSON of checklists, incidents and meetings, and the database copy."""

import csv
import io
import json
import re
import sqlite3
import tempfile
import threading
import time
import uuid
import zipfile
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from models import checklists, entries, incidents, meetings, review, stations, users
from models.definitions import by_type
from reports import export_tables, exports
from reports.filters import ReportFilter
from tests.conftest import Browser, good_answers, station_id
from views import cli_exports

KAZAKH = "Қазақ әріптері: Қ Ә Ө Ұ Ү Һ І Ң Ғ — қ ә ө ұ ү һ і ң ғ"
FORMULA = '=HYPERLINK("http://evil.example","click")'
ZONES = {"101": "Asia/Almaty", "202": "Asia/Aqtobe", "303": "Asia/Almaty"}


def _user(db, name: str) -> dict:
    return users.find_by_username(db, name)


def _checklist(db, form_type: str, number: str, author: str, arrival_utc: str,
               overall: str = "good", state: str | None = None, **answers) -> int:
    definition = by_type()[form_type]
    values = good_answers(definition)
    values.update(answers)
    arrival = datetime.fromisoformat(arrival_utc)
    user = _user(db, author)
    filing = checklists.Filing(
        uuid=str(uuid.uuid4()), form_type=form_type, form_version=definition.version,
        station_id=station_id(db, number), timezone=ZONES[number], arrival_utc=arrival_utc,
        departure_utc=(arrival + timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        answers=values, overall=overall, serious_count=0)
    entry_id, _created = entries.create(db, checklists.CHECKLISTS, filing, user["id"], user["team"])
    if state:
        review.move(db, "checklist", entry_id, state, _user(db, "coord")["id"], "checked")
    return entry_id


def _incident(db, region: str, description: str, state: str | None = None) -> int:
    user = _user(db, "obs1")
    report = incidents.Report(
        uuid=str(uuid.uuid4()), station_id=station_id(db, "202"), region=region,
        place="Школа ауласы", occurred_utc="2023-03-19T06:00:00Z", timezone="Asia/Aqtobe",
        category="observers_obstructed", severity="high", description=description,
        reported_to_commission="no", commission_response="")
    entry_id, _created = entries.create(db, incidents.INCIDENTS, report, user["id"], user["team"])
    if state:
        review.move(db, "incident", entry_id, state, _user(db, "coord")["id"], "checked")
    return entry_id


def _meeting(db, region: str, state: str | None = None) -> int:
    meeting = meetings.Meeting(
        uuid=str(uuid.uuid4()), occurred_utc="2023-03-10T09:00:00Z", timezone="Asia/Almaty",
        place="Астана", commission_level="territorial", commission_name="Астана қалалық ТИК",
        region=region, counterparts=[{"name": "Айгүл Серікқызы", "position": "Secretary"},
                                     {"name": "Ержан Қасымов", "position": ""}],
        participants="LTO team T01", topics=["voter_lists", "media"], summary=KAZAKH,
        follow_ups=[meetings.FollowUp("request", "Copies of the PEC protocols", "2023-03-01"),
                    meetings.FollowUp("request", "-1 voter list extract", "2023-03-02"),
                    meetings.FollowUp("commitment", "Publish the results", "2099-01-01")])
    entry_id, _created = entries.create(db, meetings.MEETINGS, meeting,
                                        _user(db, "obs1")["id"], "T01")
    if state:
        review.move(db, "interaction", entry_id, state, _user(db, "coord")["id"], "checked")
    return entry_id


@pytest.fixture
def seeded(app, db) -> dict:
    """Four checklists (one rejected), two incidents (one rejected), two meetings (one rejected)."""
    ids = {
        # 10:00 in Astana (UTC+6)
        "voting": _checklist(db, "voting", "101", "obs1", "2023-03-19T04:00:00Z", "bad",
                             "verified", comments=FORMULA, voters_on_list=1200, voters_voted=300),
        # 06:30 in Aktobe (UTC+5 in 2023)
        "opening": _checklist(db, "opening", "202", "obs3", "2023-03-19T01:30:00Z",
                              "very_good", observers_present=["party", "media"],
                              observers_restricted="yes",
                              notes_restrictions="@chair told us to leave", comments=KAZAKH),
        "rejected": _checklist(db, "counting", "303", "obs1", "2023-03-19T15:00:00Z", "good",
                               "rejected"),
        "next_day": _checklist(db, "voting", "101", "obs2", "2023-03-20T04:00:00Z"),
    }
    ids["incident"] = _incident(db, "Aktobe", "+7 701 555 0101 called the chairperson")
    ids["incident_rejected"] = _incident(db, "Astana", "A duplicate", "rejected")
    ids["meeting"] = _meeting(db, "Astana")
    ids["meeting_rejected"] = _meeting(db, "Astana", "rejected")
    db.execute("UPDATE follow_ups SET status = 'answered', answer_date = '2023-03-03',"
               " answer_text = 'Sent by e-mail.' WHERE text = 'Copies of the PEC protocols'")
    db.conn.commit()
    return ids


def _get(app, user: str, path: str):
    browser = Browser(app.test_client())
    browser.login(user)
    return browser.client.get(path)


def _csv(response) -> list[dict]:
    assert response.data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


# ---------------------------------------------------------------- checklists

def test_checklists_csv_has_codes_labels_local_times_and_no_rejected(app, db, seeded):
    response = _get(app, "coord", "/exports/checklists.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="checklists-')
    rows = _csv(response)
    assert [int(r["id"]) for r in rows] == [seeded["voting"], seeded["opening"],
                                           seeded["next_day"]]
    voting, opening = rows[0], rows[1]
    assert (voting["type"], voting["station_number"], voting["station_name"], voting["region"]) \
        == ("voting", "101", "Школа-гимназия № 5", "Astana")
    assert (voting["arrival_local"], voting["departure_local"], voting["timezone"],
            voting["arrival_utc"]) == ("2023-03-19 10:00", "2023-03-19 10:40", "Asia/Almaty",
                                       "2023-03-19T04:00:00Z")
    assert (voting["overall"], voting["overall_label"], voting["review_state"]) \
        == ("bad", "Bad", "verified")
    assert (voting["voting.boxes_sealed"], voting["voting.boxes_sealed_label"]) == ("yes", "Yes")
    assert voting["voting.voters_on_list"] == "1200" and voting["author"] == "obs1"
    assert voting["opening.boxes_sealed"] == "" and voting["team"] == "T01"
    # Aktobe kept UTC+5 in March 2023.
    assert (opening["arrival_local"], opening["timezone"]) == ("2023-03-19 06:30", "Asia/Aqtobe")
    assert opening["opening.observers_present"] == "party;media"
    assert opening["opening.observers_present_label"] == \
        "Political party observers; Media representatives"
    assert opening["station_name"] == "Ақтөбе мектебі № 12" and opening["comments"] == KAZAKH
    # Free text a spreadsheet would run as a formula starts with an apostrophe.
    assert voting["comments"] == "'" + FORMULA
    assert opening["opening.notes_restrictions"] == "'@chair told us to leave"


def test_checklists_csv_columns_follow_the_selected_types(app, seeded):
    header = next(csv.reader(io.StringIO(
        _get(app, "coord", "/exports/checklists.csv?type=voting").data.decode("utf-8-sig"))))
    assert "voting.identical_signatures" in header and "voting.identical_signatures_label" in header
    assert not [name for name in header if name.startswith(("opening.", "counting."))]
    # Numbers, times and text have no label column.
    assert "voting.voters_on_list_label" not in header


@pytest.mark.parametrize("query, expected", [
    ("", ["voting", "opening", "next_day"]),
    ("?region=Aktobe", ["opening"]),
    ("?region=Astana&region=Aktobe", ["voting", "opening", "next_day"]),
    ("?type=voting", ["voting", "next_day"]),
    ("?type=counting", []),
    ("?from=2023-03-20", ["next_day"]),
    ("?to=2023-03-19", ["voting", "opening"]),
    ("?from=2023-03-19&to=2023-03-19&type=opening", ["opening"]),
    ("?verified_only=1", ["voting"]),
])
def test_checklist_filters(app, seeded, query, expected):
    rows = _csv(_get(app, "coord", "/exports/checklists.csv" + query))
    assert [int(r["id"]) for r in rows] == [seeded[name] for name in expected]


def test_checklists_xlsx_has_a_sheet_per_type_and_the_questions(app, db, seeded):
    response = _get(app, "admin", "/exports/checklists.xlsx")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Opening", "Voting", "Closing and counting", "Tabulation",
                               "Questions"]
    voting = [[c.value for c in row] for row in book["Voting"].iter_rows()]
    header, rows = voting[0], [dict(zip(voting[0], r)) for r in voting[1:]]
    assert [r["id"] for r in rows] == [seeded["voting"], seeded["next_day"]]
    assert "boxes_sealed" in header and "opening.boxes_sealed" not in header
    assert (rows[0]["boxes_sealed"], rows[0]["boxes_sealed_label"]) == ("yes", "Yes")
    assert rows[0]["voters_on_list"] == 1200  # a number, not text
    assert rows[0]["comments"] == "'" + FORMULA
    assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    opening = [[c.value for c in row] for row in book["Opening"].iter_rows()]
    assert dict(zip(opening[0], opening[1]))["comments"] == KAZAKH
    assert book["Closing and counting"].max_row == 1  # the rejected count: header only
    questions = {(r[0], r[1]): r for r in book["Questions"].iter_rows(values_only=True)}
    sealed = questions[("voting", "boxes_sealed")]
    assert sealed[3] == "Were all ballot boxes properly sealed?" and sealed[6] == "no"
    assert sealed[7] == "yes = Yes; no = No; not_observed = Not observed"


def test_checklists_json_keeps_answers_as_stored(app, db, seeded):
    response = _get(app, "coord", "/exports/checklists.json?region=Aktobe&region=Astana")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/json"
    objects = json.loads(response.data.decode("utf-8"))
    assert [o["id"] for o in objects] == [seeded["voting"], seeded["opening"],
                                         seeded["next_day"]]
    stored = json.loads(db.execute("SELECT answers FROM checklists WHERE id = ?",
                                   [seeded["opening"]]).fetchone()[0])
    assert objects[1]["answers"] == stored and objects[1]["answers"]["comments"] == KAZAKH
    assert objects[0]["answers"]["comments"] == FORMULA  # JSON is data, not a spreadsheet
    assert (objects[1]["arrival_local"], objects[1]["overall_label"]) \
        == ("2023-03-19 06:30", "Very good")


def test_an_empty_selection_is_a_valid_empty_file(app, seeded):
    assert json.loads(_get(app, "coord", "/exports/checklists.json?type=tabulation").data) == []
    rows = _csv(_get(app, "coord", "/exports/checklists.csv?type=tabulation"))
    assert rows == []


def test_export_is_a_generator_of_chunks(app, seeded, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 200)
    with app.app_context():
        chunks = exports.stream(app.config["DATABASE"], "checklists", "csv", ReportFilter())
        assert iter(chunks) is chunks  # a generator: nothing is read before it is asked
        parts = list(chunks)
    assert len(parts) > 3
    text = b"".join(parts).decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 3


# ---------------------------------------------------------------- incidents and meetings

def test_incidents_exports(app, seeded):
    rows = _csv(_get(app, "coord", "/exports/incidents.csv"))
    assert [int(r["id"]) for r in rows] == [seeded["incident"]]
    row = rows[0]
    assert (row["category"], row["category_label"], row["severity_label"]) \
        == ("observers_obstructed", "Observers obstructed", "High")
    assert (row["occurred_local"], row["station_number"], row["place"]) \
        == ("2023-03-19 11:00", "202", "Школа ауласы")
    assert row["description"] == "'+7 701 555 0101 called the chairperson"
    objects = json.loads(_get(app, "coord", "/exports/incidents.json").data)
    assert objects[0]["description"] == "+7 701 555 0101 called the chairperson"
    assert _csv(_get(app, "coord", "/exports/incidents.csv?region=Astana")) == []
    book = load_workbook(io.BytesIO(_get(app, "coord", "/exports/incidents.xlsx").data))
    assert book.sheetnames == ["Incidents"] and book["Incidents"].max_row == 2


def test_interactions_exports_flatten_counterparts_topics_and_follow_ups(app, seeded):
    rows = _csv(_get(app, "liaison", "/exports/interactions.csv"))
    assert [int(r["id"]) for r in rows] == [seeded["meeting"]]
    row = rows[0]
    assert row["counterparts"] == "Айгүл Серікқызы, Secretary; Ержан Қасымов"
    assert (row["topics"], row["topics_label"]) == ("voter_lists;media", "Voter lists; Media")
    assert (row["requests"], row["commitments"], row["open"], row["answered"], row["overdue"]) \
        == ("2", "1", "2", "1", "1")
    assert row["follow_ups"].splitlines() == [
        "[request, Answered, due 2023-03-01] Copies of the PEC protocols \u2192 Sent by e-mail.",
        "[request, Open, due 2023-03-02] -1 voter list extract",
        "[commitment, Open, due 2099-01-01] Publish the results"]
    assert row["summary"] == KAZAKH and row["commission_level_label"] == \
        "Territorial commission (TEC)"
    items = _csv(_get(app, "liaison", "/exports/follow-ups.csv"))
    assert [(r["kind"], r["status"], r["overdue"]) for r in items] == [
        ("request", "answered", "no"), ("request", "open", "yes"), ("commitment", "open", "no")]
    assert items[1]["text"] == "'-1 voter list extract"
    meeting = json.loads(_get(app, "coord", "/exports/interactions.json").data)[0]
    assert meeting["topics"] == ["voter_lists", "media"] and len(meeting["follow_ups"]) == 3
    assert meeting["counterparts"][0] == {"name": "Айгүл Серікқызы", "position": "Secretary"}
    book = load_workbook(io.BytesIO(_get(app, "coord", "/exports/interactions.xlsx").data))
    assert book.sheetnames == ["Meetings", "Follow-ups"] and book["Follow-ups"].max_row == 4
    assert _csv(_get(app, "coord", "/exports/interactions.csv?region=Aktobe")) == []


# ---------------------------------------------------------------- bad input, roles, audit

@pytest.mark.parametrize("query, message", [
    ("?from=2023-03-20&to=2023-03-19", "The end date is before the start date."),
    ("?region=Nowhere", "Unknown region: Nowhere. Known regions: Aktobe, Almaty, Astana."),
    ("?type=exit_poll", "Unknown checklist type: exit_poll."),
    ("?from=19.03.2023", "Write the date as YYYY-MM-DD"),
])
@pytest.mark.parametrize("kind", ["checklists.csv", "incidents.xlsx", "follow-ups.json"])
def test_bad_filters_get_400_with_a_message_and_no_audit(app, db, seeded, query, message, kind):
    response = _get(app, "coord", f"/exports/{kind}{query}")
    assert response.status_code == 400
    assert message in response.text.replace("&#39;", "'")
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0] == 0


@pytest.mark.parametrize("user, expected", [
    ("obs1", {"checklists.csv": 403, "incidents.csv": 403, "interactions.csv": 403,
              "follow-ups.csv": 403, "database.sqlite": 403}),
    ("liaison", {"checklists.csv": 403, "incidents.json": 403, "interactions.xlsx": 200,
                 "follow-ups.json": 200, "database.sqlite": 403}),
    ("coord", {"checklists.json": 200, "incidents.csv": 200, "interactions.csv": 200,
               "follow-ups.xlsx": 200, "database.sqlite": 200}),
    ("admin", {"checklists.csv": 200, "database.sqlite": 200, "checklists.pdf": 404}),
])
def test_who_may_download(app, user, expected):
    browser = Browser(app.test_client())
    browser.login(user)
    assert {path: browser.client.get(f"/exports/{path}").status_code for path in expected} \
        == expected


def test_anonymous_is_sent_to_log_in(app):
    response = app.test_client().get("/exports/checklists.csv")
    assert response.status_code == 302 and "/login" in response.location


def test_the_audit_record_is_written_before_streaming_starts(app, db, seeded):
    browser = Browser(app.test_client())
    browser.login("coord")
    response = browser.client.get("/exports/checklists.csv?region=Aktobe&verified_only=1",
                                  buffered=False)
    assert response.is_streamed
    row = db.execute("SELECT user_id, details FROM audit_log WHERE action = 'export'").fetchone()
    assert row[0] == _user(db, "coord")["id"]
    assert json.loads(row[1]) == {"kind": "checklists", "format": "csv", "via": "web",
                                  "from": None, "to": None, "regions": ["Aktobe"],
                                  "types": [], "verified_only": True}
    response.close()


# ---------------------------------------------------------------- database copy

def test_database_download_is_a_consistent_copy_without_password_hashes(app, db, seeded,
                                                                        tmp_path):
    response = _get(app, "coord", "/exports/database.sqlite")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].endswith('.sqlite"')
    path = tmp_path / "copy.sqlite"
    path.write_bytes(response.data)
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        for table in ("checklists", "incidents", "interactions", "follow_ups", "stations"):
            assert copy.execute(f"SELECT count(*) FROM {table}").fetchone() == \
                db.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert copy.execute("SELECT count(*), max(password_hash) FROM users").fetchone() \
            == (6, "")
        assert copy.execute("SELECT answers FROM checklists WHERE id = ?",
                            [seeded["opening"]]).fetchone()[0].count("Қ") >= 2
    finally:
        copy.close()
    details = db.execute("SELECT details FROM audit_log WHERE action = 'export'").fetchone()[0]
    assert json.loads(details) == {"kind": "database", "format": "sqlite", "via": "web"}


def test_database_copy_is_consistent_while_another_connection_writes(app, db, tmp_path):
    # Enough pages that the copy takes a while, and pairs of rows that a
    # consistent copy can never split: each pair goes in one transaction.
    db.execute("CREATE TABLE padding (data BLOB)")
    db.execute("CREATE TABLE pairs_left (n INTEGER)")
    db.execute("CREATE TABLE pairs_right (n INTEGER)")
    db.execute("INSERT INTO padding SELECT randomblob(4000) FROM"
               " (WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 8000)"
               " SELECT i FROM r)")
    db.conn.commit()
    stop, written = threading.Event(), []

    def writer():
        conn = sqlite3.connect(app.config["DATABASE"], timeout=10)
        n = 0
        while not stop.is_set():
            n += 1
            with conn:
                conn.execute("INSERT INTO pairs_left VALUES (?)", [n])
                conn.execute("INSERT INTO pairs_right VALUES (?)", [n])
            written.append(n)
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            time.sleep(0.005)
        before = len(written)
        exports.copy_database(app.config["DATABASE"], str(tmp_path / "copy.sqlite"))
        after = len(written)
    finally:
        stop.set()
        thread.join()
    assert after > before, "the writer was blocked while the copy ran"
    copy = sqlite3.connect(tmp_path / "copy.sqlite")
    left = copy.execute("SELECT count(*), max(n) FROM pairs_left").fetchone()
    right = copy.execute("SELECT count(*), max(n) FROM pairs_right").fetchone()
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    assert left == right and before <= left[0] <= after


# ---------------------------------------------------------------- command line

@pytest.fixture
def runner(app):
    if "export" not in app.cli.commands:
        cli_exports.register(app)
    return app.test_cli_runner()


def test_cli_exports_checklists_with_filters(runner, db, seeded, tmp_path):
    out = tmp_path / "voting.csv"
    result = runner.invoke(args=["export", "checklists", "--format", "csv", "--out", str(out),
                                 "--type", "voting", "--from", "2023-03-19",
                                 "--to", "2023-03-19", "--region", "Astana"])
    assert result.exit_code == 0, result.output
    assert f"to {out}" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == [seeded["voting"]]
    details = json.loads(db.execute("SELECT details FROM audit_log WHERE action = 'export'"
                                    " AND user_id IS NULL").fetchone()[0])
    assert details["via"] == "cli" and details["types"] == ["voting"]


@pytest.mark.parametrize("kind, name, check", [
    ("checklists", "all.xlsx", lambda p: load_workbook(p).sheetnames[0] == "Opening"),
    ("interactions", "log.json", lambda p: len(json.loads(p.read_text())) == 1),
    ("follow-ups", "items.csv", lambda p: p.read_bytes().startswith(b"\xef\xbb\xbfid,")),
    ("incidents", "incidents.xlsx", lambda p: load_workbook(p).sheetnames == ["Incidents"]),
])
def test_cli_format_follows_the_file_extension(runner, seeded, tmp_path, kind, name, check):
    out = tmp_path / name
    result = runner.invoke(args=["export", kind, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert check(out)


@pytest.mark.parametrize("kind, options, message", [
    ("checklists", ["--region", "Nowhere"], "Unknown region: Nowhere."),
    ("checklists", ["--from", "2023-03-20", "--to", "2023-03-19"],
     "The end date is before the start date."),
    ("checklists", ["--type", "exit_poll"], "Unknown checklist type: exit_poll."),
    ("checklists", ["--format", "pdf"], "'pdf' is not one of 'csv', 'xlsx', 'json'"),
    ("incidents", ["--type", "voting"], "it applies to checklists only"),
    ("interactions", ["--from", "yesterday"], "Write the date as YYYY-MM-DD"),
])
def test_cli_refuses_bad_filters(runner, db, tmp_path, kind, options, message):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["export", kind, "--out", str(out), *options])
    assert result.exit_code != 0 and message in result.output
    assert not out.exists()
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0] == 0


def test_cli_copies_the_database(runner, app, db, seeded, tmp_path):
    out = tmp_path / "copy.sqlite"
    out.write_text("an older file of that name")
    result = runner.invoke(args=["export", "database", "--out", str(out)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(out)
    assert copy.execute("SELECT count(*) FROM checklists").fetchone()[0] == 4
    assert copy.execute("SELECT max(password_hash) FROM users").fetchone()[0] == ""
    copy.close()
    assert list(tmp_path.glob(".export-*")) == []


@pytest.mark.parametrize("kind", ["database", "checklists"])
def test_cli_never_overwrites_the_live_database(runner, app, db, kind):
    result = runner.invoke(args=["export", kind, "--out", app.config["DATABASE"]])
    assert result.exit_code != 0 and "is the live database" in result.output
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 6
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0] == 0


def test_cli_names_a_missing_folder(runner, tmp_path):
    result = runner.invoke(args=["export", "incidents", "--out", str(tmp_path / "no" / "x.csv")])
    assert result.exit_code != 0 and "does not exist" in result.output


# ---------------------------------------------------------------- formulas (issue 10, point 3)

# What a station file or an observer could slip into a spreadsheet: each must
# reach CSV with a leading apostrophe, XLSX as a string cell, JSON as it is.
PAYLOADS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", FORMULA]
STARTS = ("=", "+", "-", "@", "\t", "\r")


def _station_with(db, tmp_path, payload: str) -> dict:
    """A station whose number, name and region all start with ``payload``, imported from a file."""
    path = tmp_path / "payload-stations.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["number", "name", "region", "district", "timezone",
                         "registered_voters"])
        writer.writerow([payload + "7", payload + " Школа", payload + " Region",
                         payload + " district", "Asia/Almaty", "900"])
    assert stations.import_csv(db, str(path)) == (1, [])
    row = db.execute("SELECT id, number, name, region FROM stations WHERE name LIKE ?",
                     ["%Школа"]).fetchone()
    if not row[2].startswith(payload):
        # The importer strips spaces, tabs and line ends around a value: a registry
        # written by other means (the same model function, without the file) keeps them.
        stations.upsert(db, [{"number": payload + "7", "name": payload + " Школа",
                              "address": "", "region": payload + " Region",
                              "district": payload + " district", "timezone": "Asia/Almaty",
                              "registered_voters": 900, "latitude": None, "longitude": None,
                              "search_text": payload.casefold()}])
        db.execute("DELETE FROM stations WHERE id = ?", [row[0]])
        db.conn.commit()
        row = db.execute("SELECT id, number, name, region FROM stations WHERE number = ?",
                         [payload + "7"]).fetchone()
    station = dict(zip(("id", "number", "name", "region"), row))
    assert all(station[k].startswith(payload) for k in ("number", "name", "region"))
    return station


def _entries_with(db, station: dict, payload: str) -> None:
    """A checklist, an incident and a meeting at that station, every free-text field ``payload``."""
    user = _user(db, "obs1")
    definition = by_type()["voting"]
    answers = good_answers(definition)
    answers.update(comments=payload, notes_turned_away=payload)
    filing = checklists.Filing(
        uuid=str(uuid.uuid4()), form_type="voting", form_version=definition.version,
        station_id=station["id"], timezone="Asia/Almaty", arrival_utc="2023-03-19T04:00:00Z",
        departure_utc="2023-03-19T04:40:00Z", answers=answers, overall="good", serious_count=0)
    entries.create(db, checklists.CHECKLISTS, filing, user["id"], user["team"])
    report = incidents.Report(
        uuid=str(uuid.uuid4()), station_id=station["id"], region=station["region"],
        place=payload, occurred_utc="2023-03-19T06:00:00Z", timezone="Asia/Almaty",
        category="observers_obstructed", severity="high", description=payload,
        reported_to_commission="yes", commission_response=payload)
    entries.create(db, incidents.INCIDENTS, report, user["id"], user["team"])
    meeting = meetings.Meeting(
        uuid=str(uuid.uuid4()), occurred_utc="2023-03-10T09:00:00Z", timezone="Asia/Almaty",
        place=payload, commission_level="territorial", commission_name=payload,
        region=station["region"], counterparts=[{"name": payload, "position": ""}],
        participants=payload, topics=["media"], summary=payload,
        follow_ups=[meetings.FollowUp("request", payload, "2023-03-01")])
    entries.create(db, meetings.MEETINGS, meeting, user["id"], "T01")
    db.execute("UPDATE follow_ups SET status = 'answered', answer_date = '2023-03-03',"
               " answer_text = ?", [payload])
    db.conn.commit()


def _formula_free(value) -> bool:
    return not (isinstance(value, str) and value.startswith(STARTS))


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_no_export_cell_starts_a_formula(app, db, tmp_path, payload):
    station = _station_with(db, tmp_path, payload)
    _entries_with(db, station, payload)
    safe = "'" + payload
    for kind in ("checklists", "incidents", "interactions", "follow-ups"):
        rows = _csv(_get(app, "coord", f"/exports/{kind}.csv"))
        assert rows, kind
        cells = [v for row in rows for v in row.values()]
        assert all(_formula_free(v) for v in cells), (kind, cells)
        assert safe in cells
        if kind in ("checklists", "incidents"):
            assert (rows[0]["station_number"], rows[0]["station_name"], rows[0]["region"]) \
                == ("'" + station["number"], "'" + station["name"], "'" + station["region"])

        data = _get(app, "coord", f"/exports/{kind}.xlsx").data
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            assert sheets and not [n for n in sheets if b"<f>" in archive.read(n)]
        book = load_workbook(io.BytesIO(data))
        texts = [c for ws in book for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert texts and all(c.data_type == "s" for c in texts), kind
        # openpyxl leaves Excel's _x000D_ escape of a CR in inline strings as it is.
        values = [unescape(c.value) for c in texts]
        assert all(_formula_free(v) for v in values), kind
        assert safe in values

        objects = json.loads(_get(app, "coord", f"/exports/{kind}.json").data)
        assert objects, kind
        if kind in ("checklists", "incidents"):
            assert (objects[0]["station_number"], objects[0]["station_name"],
                    objects[0]["region"]) == (station["number"], station["name"],
                                              station["region"])
        text = {"checklists": lambda o: o["answers"]["comments"],
                "incidents": lambda o: o["description"],
                "interactions": lambda o: o["summary"],
                "follow-ups": lambda o: o["text"]}[kind]
        assert text(objects[0]) == payload  # JSON is data: exactly as stored


@pytest.mark.parametrize("value, expected", [
    *[(p, "'" + p) for p in PAYLOADS],
    ("", ""), ("1=1", "1=1"), ("Ақсай", "Ақсай"), (None, None), (-5, -5), (2.5, 2.5),
])
def test_safe_cells_prefixes_every_text_cell_and_leaves_the_rest(value, expected):
    assert exports.safe_cells([value, value]) == [expected, expected]


def test_xlsx_rows_read_back_as_xlsxwriters_own_cells(tmp_path):
    """The workbook escapes, keeps spaces and cuts long text exactly as XlsxWriter's API."""
    import xlsxwriter

    row = ["a & b <c> \"d\"", " leading", "trailing ", "tab\tand\nline", "bell\x07",
           "_x0041_ literal", "x" * 40000, "😀" * 20000, "Қазақ", 7, -2.5, 10**16, True, None,
           "", "end"]
    # Each column's type changes from one row to the next: no type is taken from the first row.
    swapped = ["7", 3, "1e5", None, "TRUE", "http://evil.example", 1.5, "2023-03-19 10:00",
               False, "x", "y", "z", "no", 4, "", None]
    ours = load_workbook(io.BytesIO(b"".join(exports.write_xlsx(
        [(exports.Sheet("S", tuple(f"c{i}" for i in range(len(row)))),
          [list(row), list(swapped)])]))))
    path = tmp_path / "reference.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False})
    sheet = book.add_worksheet("S")
    for line, cells in ((1, row), (2, swapped)):
        for column, value in enumerate(cells):
            if isinstance(value, str) and value:
                sheet.write_string(line, column, value)
            elif value not in (None, ""):
                sheet.write(line, column, value)
    book.close()
    reference = load_workbook(path)
    for line in (2, 3):
        assert [(c.value, c.data_type) for c in ours["S"][line]] \
            == [(c.value, c.data_type) for c in reference["S"][line]]
    assert ours["S"].dimensions == "A1:P3"


def test_a_sheet_without_rows_keeps_its_header_and_repeated_columns_are_refused():
    book = load_workbook(io.BytesIO(b"".join(exports.write_xlsx(
        [(exports.Sheet("Empty", ("id", "=name")), iter([]))]))))
    assert [[c.value for c in r] for r in book["Empty"].iter_rows()] == [["id", "'=name"]]
    with pytest.raises(ValueError, match="repeated column"):
        b"".join(exports.write_xlsx([(exports.Sheet("S", ("id", "id")), [[1, 2]])]))


def test_a_failed_xlsx_export_leaves_no_file_behind(tmp_path, monkeypatch):
    """The export's folder and the writer's row files are gone when a row fails half-way."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where rust_xlsxwriter keeps its row files

    def rows():
        for number in range(5000):
            yield [number, "text " * 20]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        b"".join(exports.write_xlsx([(exports.Sheet("S", ("id", "text")), rows())]))
    assert list(tmp_path.iterdir()) == []


def test_every_export_sheet_has_distinct_columns(app):
    """Rows go to the workbook keyed by column: a repeated name would lose a column."""
    with app.test_request_context():
        sheets = [sheet for sheet, _rows in export_tables.checklist_sheets(None, ReportFilter())]
    for sheet in [*sheets, export_tables.CODEBOOK, export_tables.INCIDENTS,
                  export_tables.MEETINGS, export_tables.FOLLOW_UPS]:
        assert len(set(sheet.columns)) == len(sheet.columns), sheet.title


# ---------------------------------------------------------------- on the reports page (point 11)

DOWNLOADS = [f"/exports/{kind}.{fmt}" for kind in ("checklists", "incidents", "interactions",
                                                   "follow-ups") for fmt in ("csv", "xlsx", "json")]


def _reports_page(app, user: str = "coord") -> str:
    response = _get(app, user, "/reports")
    assert response.status_code == 200
    return response.text


def test_the_reports_page_offers_every_export_in_its_filter_form(app):
    page = _reports_page(app)
    start = page.index('action="/reports/summary.pdf"')  # the filter form
    form = page[start:page.index("</form>", start)]
    # Buttons of the filter form: the browser sends the ticked filters to the file.
    assert sorted(re.findall(r'formaction="(/exports/[^"]+)"', form)) == sorted(DOWNLOADS)
    assert 'href="/exports/database.sqlite"' in page
    assert 'aria-label="Checklists as XLSX"' in form


@pytest.mark.parametrize("query, expected", [
    # What the form sends with Astana ticked and ten days chosen.
    ("from=2023-03-10&to=2023-03-19&region=Astana",
     {"checklists": ["voting"], "incidents": [], "interactions": ["meeting"],
      "follow-ups": ["meeting"] * 3}),
    ("region=Aktobe&type=opening",
     {"checklists": ["opening"], "incidents": ["incident"], "interactions": [],
      "follow-ups": []}),
    ("from=2023-03-20&verified_only=1",
     {"checklists": [], "incidents": [], "interactions": [], "follow-ups": []}),
])
def test_a_download_from_the_reports_page_holds_only_the_filtered_rows(app, seeded, query,
                                                                       expected):
    page = _reports_page(app)
    for path in re.findall(r'formaction="(/exports/[^"]+)"', page):
        kind, fmt = path.rsplit("/", 1)[1].split(".")
        response = _get(app, "coord", f"{path}?{query}")
        assert response.status_code == 200, path
        if fmt == "csv":
            rows = _csv(response)
        elif fmt == "json":
            rows = json.loads(response.data)
        else:
            book = load_workbook(io.BytesIO(response.data))
            # Not the codebook, nor the follow-ups sheet of the meetings' workbook.
            sheets = [ws for ws in book if ws.title not in ("Questions", "Follow-ups")
                      or kind == "follow-ups"]
            rows = [dict(zip([c.value for c in ws[1]], values))
                    for ws in sheets for values in ws.iter_rows(min_row=2, values_only=True)]
            rows.sort(key=lambda r: r["id"])
        key = "interaction_id" if kind == "follow-ups" else "id"
        assert [int(r[key]) for r in rows] == [seeded[name] for name in expected[kind]], path
