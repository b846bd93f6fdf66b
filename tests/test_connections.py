"""Kept connections (models/db.py keep_connections): one per thread and database, per process.

A gunicorn worker turns keeping on after the fork (gunicorn.conf.py); here
it is turned on for one test at a time, and the test's connections closed
after it. tests/test_server.py checks the same under gunicorn.
"""

import sqlite3
import threading

import pytest

from app import create_app
from models import db as database
from models.db import get_db
from tests.conftest import Browser


@pytest.fixture
def keeping(monkeypatch):
    """Keeping on for this test, as in a gunicorn worker; its connections closed after it."""
    monkeypatch.setattr(database, "_keeping", True)
    yield
    database.close_kept()


def _connection_of(app):
    """The connection a request on ``app`` used."""
    if "_used" not in app.extensions:  # hooks only before the app's first request
        app.extensions["_used"] = []
        app.after_request(lambda response: app.extensions["_used"].append(get_db()) or response)
    assert app.test_client().get("/login").status_code == 200
    return app.extensions["_used"][-1]


def test_a_thread_keeps_one_connection_per_database(app, tmp_path, keeping):
    other = create_app({"DATABASE": str(tmp_path / "other.sqlite"), "SECRET_KEY": "test-secret",
                        "TESTING": True})
    first, again = _connection_of(app), _connection_of(app)
    assert first is again
    assert first.execute("SELECT count(*) FROM stations").fetchone() == (3,)  # still open
    elsewhere = _connection_of(other)
    assert elsewhere is not first
    assert elsewhere.writer_queue[0] == other.config["DATABASE"]


def test_another_thread_gets_its_own_connection(app, keeping):
    mine, theirs = _connection_of(app), []
    thread = threading.Thread(target=lambda: theirs.append(_connection_of(app)))
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine
    assert _connection_of(app) is mine


def test_a_forked_child_never_uses_its_parents_connection(app, keeping, monkeypatch):
    parents = _connection_of(app)
    monkeypatch.setattr(database.os, "getpid", lambda: -1)  # what the child sees: another pid
    childs = _connection_of(app)
    assert childs is not parents
    assert parents.execute("SELECT 1").fetchone() == (1,)  # left open: it is the parent's


def test_without_keeping_each_request_closes_its_connection(app):
    used = _connection_of(app)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        used.execute("SELECT 1")
    assert _connection_of(app) is not used


def test_close_kept_closes_them_all(app, keeping):
    kept = [_connection_of(app)]
    thread = threading.Thread(target=lambda: kept.append(_connection_of(app)))
    thread.start()
    thread.join()
    database.close_kept()
    for db in kept:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            db.execute("SELECT 1")
    assert _connection_of(app) not in kept  # a new one, kept in turn


def test_a_transaction_left_open_is_rolled_back_not_kept(app, db_path, keeping):
    @app.post("/_forgets_to_commit")
    def forgets_to_commit():
        # sqlite3 begins a transaction before an INSERT and nothing commits it.
        get_db().conn.execute("INSERT INTO audit_log (id, at_utc, action, details, prev_hash,"
                              " hash) VALUES (999999, 'now', 'x', '{}', '', '')")
        return "", 204

    kept = _connection_of(app)
    client = app.test_client()
    token = Browser.hidden(client.get("/login").text, "csrf_token")
    assert client.post("/_forgets_to_commit", headers={"X-CSRFToken": token}).status_code == 204
    other = database.connect(db_path, busy_timeout_ms=100)
    try:
        with database.writing(other):  # the write lock is free: no "database is locked"
            other.execute("UPDATE stations SET name = name")
        assert other.execute("SELECT count(*) FROM audit_log WHERE id = 999999").fetchone() == (0,)
    finally:
        other.close()
    assert _connection_of(app) is kept and not kept.conn.in_transaction
