"""A database written by an earlier release upgrades with every version, audit record and link.

tests/fixtures/release_02afda7.sql is the SQL dump of a small mission written
by release 02afda7's own code (its models' submit/create, edit and review
functions, not hand-made rows): checklists edited twice, sent back and
verified, rejected; incidents edited and verified; meetings with follow-ups
and links, edited (links changed) and sent back. Its checklist versions are
in checklist_versions, which migration m009 moves into entry_versions.
"""

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from app import create_app
from models import audit, checklists, entries, incidents, meetings, stations
from models.db import connect
from models.migrations import migrations

FIXTURE = Path(__file__).parent / "fixtures" / "release_02afda7.sql"
# Tables the upgrade must leave exactly as they were, row for row.
UNTOUCHED = ("audit_log", "checklists", "incidents", "interactions", "follow_ups",
             "interaction_links", "review_events", "flags", "users")
# Stations keep every column but search_text, which m012 refolds.
STATION_COLUMNS = ("id, number, name, address, region, district, timezone, registered_voters,"
                   " latitude, longitude")


def _rows(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


@pytest.fixture
def released(tmp_path) -> tuple[str, dict]:
    """The release's database on disk, and what it held before the upgrade."""
    path = str(tmp_path / "observation.sqlite")
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    held = {table: _rows(conn, f"SELECT * FROM {table} ORDER BY rowid") for table in UNTOUCHED}
    held["stations"] = _rows(conn, f"SELECT {STATION_COLUMNS} FROM stations ORDER BY id")
    held["checklist_versions"] = _rows(
        conn, "SELECT checklist_id, version, edited_by, edited_utc, snapshot, changes"
              " FROM checklist_versions ORDER BY id")
    held["entry_versions"] = _rows(conn, "SELECT * FROM entry_versions ORDER BY id")
    conn.close()
    return path, held


@pytest.fixture
def upgraded(released):
    """The app started on the release's database (start-up applies the pending migration)."""
    path, held = released
    app = create_app({"DATABASE": path, "SECRET_KEY": "test-secret", "TESTING": True})
    return app, path, held


def test_the_fixture_is_the_release_schema_with_data(released):
    _path, held = released
    assert len(held["checklist_versions"]) == 7 and len(held["entry_versions"]) == 7
    assert len(held["audit_log"]) == 26 and len(held["interaction_links"]) == 3
    kinds = {row[1] for row in held["entry_versions"]}
    assert kinds == {"incident", "interaction"}


def test_every_version_moves_into_entry_versions_unchanged(upgraded):
    _app, path, held = upgraded
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "checklist_versions" not in tables and "entry_versions_new" not in tables
    rows = _rows(conn, "SELECT * FROM entry_versions ORDER BY id")
    # The release's incident and meeting versions keep their ids and every value...
    assert rows[:len(held["entry_versions"])] == held["entry_versions"]
    # ...and each checklist version follows with the same number, editor, time,
    # snapshot and changes, byte for byte.
    moved = [row[2:] for row in rows[len(held["entry_versions"]):]]
    assert [row[1] for row in rows[len(held["entry_versions"]):]] == ["checklist"] * 7
    assert moved == [tuple(v) for v in held["checklist_versions"]]
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    # m009 ran (later migrations, such as m011_photos, follow it).
    assert "m009_one_versions_table" in applied
    assert migrations.pending(Database(conn)) == []
    conn.close()


def test_audit_records_links_and_entries_are_untouched(upgraded):
    _app, path, held = upgraded
    conn = sqlite3.connect(path)
    for table in UNTOUCHED:
        rows = _rows(conn, f"SELECT * FROM {table} ORDER BY rowid")
        if table == "users":
            # m010 adds session_version, 1 for every user; m017 then locale, none chosen.
            assert {row[-2] for row in rows} == {1}
            assert {row[-1] for row in rows} == {None}
            rows = [row[:-2] for row in rows]
        assert rows == held[table], table
    assert _rows(conn, f"SELECT {STATION_COLUMNS} FROM stations ORDER BY id") == held["stations"]
    conn.close()
    db = connect(path)
    verdict = audit.verify(db)
    db.close()
    assert verdict.ok and verdict.checked == len(held["audit_log"])


def test_verify_audit_passes_after_the_upgrade(upgraded):
    app, _path, held = upgraded
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert f"{len(held['audit_log'])} records checked" in result.output


def test_the_upgraded_histories_read_and_grow(upgraded):
    app, path, held = upgraded
    db = connect(path)
    history = entries.versions(db, checklists.CHECKLISTS, 1)
    assert [(v["version"], v["editor"]) for v in history] == [(1, "obs1"), (2, "obs2"),
                                                              (3, "obs1")]
    assert history[1]["changes"] == {"overall": ["good", "bad"]}
    assert [v["version"] for v in entries.versions(db, incidents.INCIDENTS, 1)] == [1, 2]
    meeting = entries.versions(db, meetings.MEETINGS, 1)
    assert meeting[1]["changes"]["links"] == [["C1", "I1"], ["C1", "C4"]]
    assert {(e["kind"], e["id"]) for e in meetings.get(db, 1)["links"]} == \
        {("checklist", 1), ("checklist", 4)}
    # A new edit of an upgraded checklist becomes version 4 in the same table.
    row = checklists.get(db, 1)
    filing = checklists.Filing(
        uuid=row["uuid"], form_type=row["form_type"], form_version=row["form_version"],
        station_id=row["station_id"], timezone=row["timezone"], arrival_utc=row["arrival_utc"],
        departure_utc=row["departure_utc"], answers=row["answers"], overall="good",
        serious_count=row["serious_count"])
    with app.app_context():
        assert entries.edit(db, checklists.CHECKLISTS, 1, 3, filing, row["author_id"])
    assert [v["version"] for v in entries.versions(db, checklists.CHECKLISTS, 1)] == [1, 2, 3, 4]
    assert audit.verify(db).checked == len(held["audit_log"]) + 1
    db.close()


def test_station_search_keys_are_refolded_and_indexed(upgraded):
    _app, path, held = upgraded
    db = connect(path)
    for row in db.query("SELECT * FROM stations"):
        assert row["search_text"] == stations.search_text(
            row["number"], row["name"], row["address"], row["district"])
    first = held["stations"][0]
    # Typed without Kazakh letters or in Latin, the upgraded stations are found.
    found = stations.search(db, stations.fold(first[2])).stations
    assert first[1] in [s["number"] for s in found]
    db.close()
