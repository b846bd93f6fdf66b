"""`flask backup` while checklists keep arriving, and `flask restore` into a fresh or used database."""

import sqlite3
import threading
import time
import uuid

import pytest
from sqlite_utils import Database

from app import create_app
from models import audit, checklists, entries
from models import backup as backups
from models.checklists import Filing
from models.db import connect
from tests.conftest import station_id
from views import cli_backup

PREFILL = 4000  # checklists already there, so a backup takes long enough to overlap writes


def _cli(app):
    # The lead registers the commands in create_app; until then, here.
    if "backup" not in app.cli.commands:
        cli_backup.register(app)
    return app.test_cli_runner()


def _open(path: str) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _uuids(path: str) -> list[str]:
    conn = _open(path)
    try:
        return [r[0] for r in conn.execute("SELECT uuid FROM checklists ORDER BY id")]
    finally:
        conn.close()


def _all_counts(path: str) -> dict[str, int]:
    conn = _open(path)
    try:
        return backups.all_counts(conn)
    finally:
        conn.close()


def _prefill(db) -> None:
    """Thousands of plain checklists (with their first versions), a few kB each."""
    author = db.execute("SELECT id FROM users WHERE username = 'obs1'").fetchone()[0]
    station = station_id(db, "202")
    db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO checklists (uuid, form_type, form_version, station_id, team, author_id,"
        " arrival_utc, departure_utc, timezone, answers, overall, content_hash, created_utc,"
        " updated_utc) SELECT printf('00000000-0000-4000-8000-%012d', i), 'voting', 1, ?,"
        " 'T01', ?, '2023-03-19T04:00:00Z', '2023-03-19T04:30:00Z', 'Asia/Aqtobe',"
        " json_object('note', hex(randomblob(1500))), 'good', 'x', '2023-03-19T05:00:00Z',"
        " '2023-03-19T05:00:00Z' FROM n", [PREFILL, station, author])
    db.execute("INSERT INTO entry_versions (entry_kind, entry_id, version, edited_by,"
               " edited_utc, snapshot, changes) SELECT 'checklist', id, 1, author_id,"
               " created_utc, answers, '{}' FROM checklists")
    db.conn.commit()


class Writer(threading.Thread):
    """Files checklists through models.entries.create, back to back, until stopped."""

    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.committed: list[tuple[float, str]] = []  # (time after commit, uuid)
        self.error: Exception | None = None

    def run(self) -> None:
        db = connect(self.path)
        try:
            author = db.execute("SELECT id FROM users WHERE username = 'obs2'").fetchone()[0]
            station = station_id(db, "101")
            while not self.stop.is_set():
                filing = Filing(uuid=str(uuid.uuid4()), form_type="voting", form_version=1,
                                station_id=station, timezone="Asia/Almaty",
                                arrival_utc="2023-03-19T04:00:00Z",
                                departure_utc="2023-03-19T04:30:00Z",
                                answers={"note": "filed during the backup"}, overall="good",
                                serious_count=0)
                entries.create(db, checklists.CHECKLISTS, filing, author, "T01")
                self.committed.append((time.perf_counter(), filing.uuid))
        except Exception as error:  # noqa: BLE001 - reported by the test, not lost here
            self.error = error
        finally:
            db.close()

    def written_between(self, start: float, end: float) -> int:
        return sum(1 for at, _ in self.committed if start <= at <= end)


@pytest.fixture
def loaded(app, db):
    _prefill(db)
    return app


def test_backup_under_write_load_is_consistent_and_restores_equal(loaded, db_path, tmp_path):
    runner = _cli(loaded)
    writer = Writer(db_path)
    writer.start()
    try:
        while len(writer.committed) < 5 and writer.is_alive():
            time.sleep(0.01)
        outputs, overlapped = [], 0
        for n in range(3):
            out = tmp_path / f"backup-{n}.sqlite"
            start = time.perf_counter()
            result = runner.invoke(args=["backup", "--out", str(out)])
            overlapped += writer.written_between(start, time.perf_counter())
            assert result.exit_code == 0, result.output
            assert f"to {out}:" in result.output and "checklists " in result.output
            outputs.append(out)
    finally:
        writer.stop.set()
        writer.join(10)
    assert writer.error is None
    assert overlapped > 0, "no checklist was filed while a backup ran"

    written = [u for _, u in writer.committed]
    previous = -1
    for out in outputs:
        assert not (tmp_path / (out.name + ".tmp")).exists()
        conn = _open(str(out))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            versions = conn.execute("SELECT count(*) FROM entry_versions"
                                    " WHERE entry_kind = 'checklist'").fetchone()[0]
            assert audit.verify(Database(conn)).ok  # the audit hash chain is unbroken
        finally:
            conn.close()
        uuids = _uuids(str(out))
        assert versions == len(uuids)  # no checklist without its version
        # One instant: the writer's checklists in the copy are exactly its first k commits.
        from_writer = uuids[PREFILL:]
        assert from_writer == written[:len(from_writer)]
        assert len(from_writer) > previous
        previous = len(from_writer)

    fresh = str(tmp_path / "restored.sqlite")
    target = create_app({"DATABASE": fresh, "SECRET_KEY": "test-secret", "TESTING": True})
    result = _cli(target).invoke(args=["restore", str(outputs[-1])])
    assert result.exit_code == 0, result.output
    assert f"Restored {outputs[-1]} into {fresh}" in result.output
    assert f"checklists {PREFILL + previous}" in result.output
    assert _all_counts(fresh) == _all_counts(str(outputs[-1]))
    assert _uuids(fresh) == _uuids(str(outputs[-1]))
    check = _open(fresh)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        check.close()


def test_restore_refuses_a_database_in_use_unless_forced(app, db, db_path, tmp_path):
    runner = _cli(app)
    out = str(tmp_path / "backup.sqlite")
    assert runner.invoke(args=["backup", "--out", out]).exit_code == 0
    db.execute("DELETE FROM stations WHERE number = '303'")  # a change after the backup
    db.conn.commit()
    before = _all_counts(db_path)

    refused = runner.invoke(args=["restore", out])
    assert refused.exit_code == 1
    assert "is not empty (6 users, 0 checklists). Add --force" in refused.output
    assert _all_counts(db_path) == before

    forced = runner.invoke(args=["restore", out, "--force"])
    assert forced.exit_code == 0, forced.output
    assert _all_counts(db_path) == _all_counts(out)
    assert _all_counts(db_path)["stations"] == 3
    kept = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and f"copied to {kept[0]}" in forced.output
    assert _all_counts(str(kept[0])) == before


def _not_sqlite(path):
    path.write_bytes(b"this is not a database at all" * 100)


def _other_sqlite(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()


def _damaged(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _sqlite_migrations (migration_set, name)")
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3:4096 * 3 + 200] = b"\xff" * 200  # scribble over a table page
    path.write_bytes(bytes(data))


def _newer(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set,"
                 " name, applied_at)")
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name) VALUES"
                 " ('observation', 'm001_wal'), ('observation', 'm999_from_the_future')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make, message", [
    (_not_sqlite, "is not a usable SQLite database"),
    (_other_sqlite, "not a database of this app"),
    (_damaged, "is damaged"),
    (_newer, "made by a newer version of the app (migrations m999_from_the_future)"),
])
def test_restore_refuses_what_is_not_a_sound_backup(tmp_path, make, message):
    fresh = str(tmp_path / "fresh.sqlite")
    target = create_app({"DATABASE": fresh, "SECRET_KEY": "test-secret", "TESTING": True})
    bad = tmp_path / "bad.sqlite"
    make(bad)
    before = _all_counts(fresh)
    result = _cli(target).invoke(args=["restore", str(bad)])
    assert result.exit_code == 1
    assert message in result.output
    assert _all_counts(fresh) == before


def test_backup_refuses_to_overwrite_the_live_database(app, db_path):
    result = _cli(app).invoke(args=["backup", "--out", db_path])
    assert result.exit_code == 1
    assert "is the live database itself" in result.output
