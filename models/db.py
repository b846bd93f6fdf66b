"""Connections: one per request (kept on ``g``), never shared between threads."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlite_utils import Database


def connect(path: str, busy_timeout_ms: int = 10000) -> Database:
    """Open the database with the durability settings every connection needs."""
    conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000)
    db = Database(conn, execute_plugins=False)
    # sqlite-utils leaves foreign keys off; FULL makes an acknowledged
    # checklist survive a power cut even in WAL mode.
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.execute("PRAGMA synchronous = FULL")
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


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """A write transaction taken with BEGIN IMMEDIATE.

    A deferred transaction that reads before it writes fails at once with
    "database is locked" when another writer got there first; IMMEDIATE
    takes the write lock up front, so concurrent submissions queue on the
    busy timeout instead. Inside an open transaction it becomes a savepoint
    of that transaction, so write functions compose.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
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
        migrate(db)
    finally:
        db.close()
