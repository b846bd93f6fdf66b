"""Writers take turns on a file lock: nobody's save is lost, a stuck writer gives a 503."""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from models import definitions, writer_lock
from models.db import connect, writing
from tests.conftest import good_answers, station_id, visit

HOLD = """
import sys, time
sys.path.insert(0, {root!r})
from models.db import connect, writing
from models import definitions
db = connect({path!r})
with writing(db):
    db.execute("INSERT INTO audit_log (id, at_utc, action, details, prev_hash, hash)"
               " VALUES (999999, '2023-03-19T00:00:00Z', 'hold', '{{}}', '', '')")
    print("holding", flush=True)
    time.sleep(60)
"""


@contextmanager
def holder(db_path):
    """Another process in the middle of a write transaction (as a gunicorn worker would be)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with subprocess.Popen([sys.executable, "-c", HOLD.format(root=root, path=db_path)],
                          stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout.readline().strip() == "holding"
            yield process
        finally:
            process.kill()


def test_concurrent_savers_in_threads_all_get_their_rows(app, db_path):
    """Eight threads with their own connections insert 25 rows each: 200 rows, no error."""
    errors = []

    def save(worker: int) -> None:
        db = connect(db_path)
        try:
            for n in range(25):
                with writing(db):
                    db.execute("INSERT INTO stations (number, name, address, region, district,"
                               " timezone, registered_voters, search_text) VALUES"
                               " (?, 'S', 'A', 'R', 'D', 'Asia/Almaty', 10, '')",
                               [f"T{worker}-{n}"])
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=save, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db = connect(db_path)
    try:
        assert db.execute("SELECT count(*) FROM stations WHERE number LIKE 'T%'").fetchone()[0] == 200
    finally:
        db.close()


def test_a_writer_waits_for_the_holder_and_then_saves(app, db_path):
    db = connect(db_path, busy_timeout_ms=5000)
    try:
        with holder(db_path) as process:
            threading.Timer(0.3, process.terminate).start()  # it gives up after 0.3 s
            started = time.monotonic()
            with writing(db):
                db.execute("UPDATE users SET region = 'Astana' WHERE username = 'obs1'")
            waited = time.monotonic() - started
    finally:
        db.close()
    assert 0.2 < waited < 4


def test_a_killed_holder_does_not_block_the_next_writer(app, db_path):
    """The kernel drops the lock with its holder: a SIGKILLed worker leaves nothing held."""
    with holder(db_path) as process:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    db = connect(db_path, busy_timeout_ms=2000)
    try:
        with writing(db):
            db.execute("UPDATE users SET region = 'Astana' WHERE username = 'obs1'")
        assert db.execute("SELECT count(*) FROM audit_log WHERE id = 999999").fetchone()[0] == 0
    finally:
        db.close()


def test_a_writer_held_up_past_the_busy_timeout_gets_writer_busy(app, db_path):
    db = connect(db_path, busy_timeout_ms=200)
    try:
        with holder(db_path), pytest.raises(writer_lock.WriterBusy, match="database is locked"):
            with writing(db):
                db.execute("UPDATE users SET region = 'Astana' WHERE username = 'obs1'")
    finally:
        db.close()


def test_a_submission_held_up_past_the_busy_timeout_is_a_503_with_the_answers_kept(
        app, db_path, browser):
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 200
    browser.login("obs1")
    db = connect(db_path)
    station = station_id(db, "202")
    db.close()
    hidden = browser.open_form("voting", station)
    answers = {**hidden, **visit(), **good_answers(definitions.get("voting"))}
    with holder(db_path):
        refused = browser.client.post("/checklists/voting/new", data=answers)
    assert refused.status_code == 503
    assert "Could not save" in refused.text
    saved = browser.client.post("/checklists/voting/new", data=answers)
    assert saved.status_code == 303  # the same form, sent again, is stored once
    db = connect(db_path)
    try:
        assert db.execute("SELECT count(*) FROM checklists WHERE uuid = ?",
                          [hidden["uuid"]]).fetchone()[0] == 1
    finally:
        db.close()


def test_without_a_writable_folder_writers_go_straight_to_sqlite(tmp_path, monkeypatch):
    """No lock file can be made (read-only folder): the write still happens."""
    path = str(tmp_path / "plain.sqlite")
    real_open = os.open

    def refuse_lock_file(name, *args, **kwargs):
        if str(name).endswith("-writelock"):
            raise PermissionError(13, "Permission denied", name)
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(writer_lock.os, "open", refuse_lock_file)
    db = connect(path)
    try:
        with writing(db):
            db.execute("CREATE TABLE t (x)")
            db.execute("INSERT INTO t VALUES (1)")
        assert db.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        db.close()
    assert not os.path.exists(path + "-writelock")
