"""Connections: one per request (kept on ``g``), never shared between threads."""

import logging
import sqlite3
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


def _open(path: str, timeout: float) -> sqlite3.Connection:
    """A connection that can write if the file can be written, else a read-only one.

    sqlite3.connect opens lazily: reading the schema (needed by the first
    query anyway) is what finds out whether the file and its -shm can be used.
    """
    conn = sqlite3.connect(path, timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
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
                         timeout=timeout)
    try:
        ro.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        ro.close()
        raise
    return ro


def connect(path: str, busy_timeout_ms: int = 10000) -> Database:
    """Open the database with the durability settings every connection needs.

    When the file cannot be written (read-only file system, folder or file,
    full disk) the connection is read-only: pages still show, and a write
    fails with "attempt to write a readonly database", which
    views/storage_errors.py answers with a 503.
    """
    # The timeout is SQLite's busy timeout: a writer waits that long for another.
    conn = _open(path, busy_timeout_ms / 1000)
    # sqlite-utils leaves foreign keys off; FULL makes an acknowledged
    # checklist survive a power cut even in WAL mode. Set on the raw
    # connection: this runs on every request.
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    # No triggers here, so sqlite-utils' recursive_triggers PRAGMA is skipped.
    db = Database(conn, execute_plugins=False, recursive_triggers=False)
    # What writing() needs to queue this connection's writers (models/writer_lock.py).
    db.writer_queue = (path, busy_timeout_ms / 1000)
    return db


def get_db() -> Database:
    """The current request's connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"],
                       current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
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
