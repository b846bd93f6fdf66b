"""Connections: one per request (kept on ``g``), or one per thread of a gunicorn worker.

A connection is never shared between threads. Under gunicorn each worker
thread keeps its connection from request to request (``keep_connections``,
called by gunicorn.conf.py after the fork); everywhere else (CLI commands,
the test client, ``flask run``) each request opens and closes its own.
"""

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g
from sqlite_utils import Database

from models import writer_lock

# Opening a WAL database for writing needs its -shm file: these errors mean
# it could not be made (read-only folder or file system, full disk).
_UNWRITABLE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR}
_warned: set[str] = set()


def _open(path: str, timeout: float, same_thread: bool) -> tuple[sqlite3.Connection, bool]:
    """A connection that can write if the file can be written, else a read-only one.

    Returns it with True when it can write. sqlite3.connect opens lazily:
    reading the schema (needed by the first query anyway) is what finds out
    whether the file and its -shm can be used.
    """
    conn = sqlite3.connect(path, timeout=timeout, check_same_thread=same_thread)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, True
    except sqlite3.OperationalError as error:
        conn.close()
        if error.sqlite_errorcode & 0xFF not in _UNWRITABLE or not Path(path).is_file():
            raise
    if path not in _warned:
        _warned.add(path)
        logging.getLogger(__name__).warning(
            "%s cannot be opened for writing: serving it read-only; saving fails with 503",
            path)
    # immutable: no locks and no -shm, the only way to read a WAL database in a
    # folder that cannot be written. A leftover -wal file is not read: pages
    # show the database as of its last checkpoint until the folder is writable.
    ro = sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro&immutable=1", uri=True,
                         timeout=timeout, check_same_thread=same_thread)
    try:
        ro.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        ro.close()
        raise
    return ro, False


def connect(path: str, busy_timeout_ms: int = 10000, *, same_thread: bool = True) -> Database:
    """Open the database with the durability settings every connection needs.

    When the file cannot be written (read-only file system, folder or file,
    full disk) the connection is read-only: pages still show, and a write
    fails with "attempt to write a readonly database", which
    views/storage_errors.py answers with a 503; ``db.writable`` is then False.
    ``same_thread=False`` lets another thread close it (sqlite3's
    check_same_thread); it must still be used by one thread only.
    """
    # The timeout is SQLite's busy timeout: a writer waits that long for another.
    conn, writable = _open(path, busy_timeout_ms / 1000, same_thread)
    # sqlite-utils leaves foreign keys off; FULL makes an acknowledged
    # checklist survive a power cut even in WAL mode. Set on the raw
    # connection: this runs on every request.
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    # No triggers here, so sqlite-utils' recursive_triggers PRAGMA is skipped.
    db = Database(conn, execute_plugins=False, recursive_triggers=False)
    # What writing() needs to queue this connection's writers (models/writer_lock.py).
    db.writer_queue = (path, busy_timeout_ms / 1000)
    db.writable = writable
    return db


# Kept connections (keep_connections): a submission costs 1.5 ms of CPU on a
# kept one, 2.7 ms when each request opens and closes its own
# (bench/profile_submit.py). Per thread and per database path (tests run many
# apps in one process); the pid tells a forked child from the process that
# filled the cache.
_keeping = False
_kept = threading.local()
_all_kept: list[tuple[int, Database]] = []  # (pid, connection): what close_kept closes
_all_kept_lock = threading.Lock()


def keep_connections() -> None:
    """Let each thread of this process keep its connections between requests.

    For a gunicorn worker, after the fork (gunicorn.conf.py's post_fork): a
    process that serves requests for its whole life and exits through
    gunicorn's worker_exit, which calls close_kept().
    """
    global _keeping
    _keeping = True


def close_kept() -> None:
    """Close every connection this process kept (at exit; its threads are done)."""
    with _all_kept_lock:
        mine = [db for pid, db in _all_kept if pid == os.getpid()]
        _all_kept[:] = [(pid, db) for pid, db in _all_kept if pid != os.getpid()]
    for db in mine:
        db.close()
    _kept.__dict__.clear()


def _kept_connection(path: str, busy_timeout_ms: int) -> Database:
    if getattr(_kept, "pid", None) != os.getpid():
        # Connections opened before a fork belong to the parent: SQLite
        # forbids using them here, and closing them could undo its locks.
        _kept.pid, _kept.by_path = os.getpid(), {}
    db = _kept.by_path.get(path)
    if db is None:
        # same_thread=False only so that close_kept may close it from the exit hook.
        db = connect(path, busy_timeout_ms, same_thread=False)
        if not db.writable:
            # Never kept: immutable=1 would show this file as it is now, forever.
            return db
        _kept.by_path[path] = db
        with _all_kept_lock:
            _all_kept.append((os.getpid(), db))
    return db


def _is_kept(db: Database) -> bool:
    return getattr(_kept, "pid", None) == os.getpid() and \
        _kept.by_path.get(db.writer_queue[0]) is db


def get_db() -> Database:
    """The current request's connection, opened on first use (or kept: keep_connections)."""
    if "db" not in g:
        path, timeout = current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"]
        g.db = _kept_connection(path, timeout) if _keeping else connect(path, timeout)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """End the request's use of its connection: close it, or keep it for the next request.

    A kept one is rolled back if the request left a transaction open, as
    closing it would: the next request must not inherit a write lock.
    """
    db = g.pop("db", None)
    if db is None:
        return
    if _is_kept(db):
        if db.conn.in_transaction:
            db.conn.rollback()
    else:
        db.close()


def first_row(db: Database, sql: str, params: list) -> dict | None:
    """The first row of a read as a dict, or None.

    For the reads made on every request (the logged-in user, the station of
    a submission): sqlite-utils' ``query`` wraps each statement in a
    savepoint of its own, two more statements per read.
    """
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """A write transaction: the writers' turn (models/writer_lock.py), then BEGIN IMMEDIATE.

    A deferred transaction that reads before it writes fails at once with
    "database is locked" when another writer got there first; IMMEDIATE
    takes SQLite's write lock up front. Inside an open transaction it becomes
    a savepoint of that transaction, so write functions compose.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    with writer_lock.turn(*db.writer_queue):
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        else:
            db.conn.execute("COMMIT")


def init_app(app: Flask) -> None:
    """Close connections at the end of each request and apply migrations."""
    from models.migrations import migrate

    app.teardown_appcontext(close_db)
    db = connect(app.config["DATABASE"], app.config["SQLITE_BUSY_TIMEOUT_MS"])
    try:
        # Nothing pending (the usual start): only reads, so a read-only or
        # full database still starts and serves pages.
        migrate(db)
    except sqlite3.OperationalError as error:
        raise RuntimeError(f"Cannot apply the pending migrations to "
                           f"{app.config['DATABASE']}: {error}") from error
    finally:
        db.close()
