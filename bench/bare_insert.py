"""The baseline for bench/submit.py: a Flask app whose one endpoint does one SQLite insert.

It gets its connection with ``models.db.get_db`` (the app's PRAGMAs:
foreign_keys, busy_timeout, synchronous=FULL; under gunicorn each worker
keeps it between requests, gunicorn.conf.py) on a file in WAL mode, and
writes inside ``models.db.writing`` (BEGIN IMMEDIATE ... COMMIT), exactly as
a checklist submission does; everything else a submission costs (session,
login, CSRF, form parsing and validation, templates) is left out.

Run it like the app: ``BARE_DATABASE=/tmp/bare.sqlite gunicorn
'bench.bare_insert:create_app()'`` from the project root.
"""

import os
import time

from flask import Flask, request

from models.db import close_db, connect, get_db, writing
from models.settings import defaults

SCHEMA = """CREATE TABLE IF NOT EXISTS hits (
    id INTEGER PRIMARY KEY,
    received REAL NOT NULL,
    body_length INTEGER NOT NULL
)"""


def create_app(database: str | None = None) -> Flask:
    """The baseline app on ``database`` (default: the BARE_DATABASE env variable)."""
    app = Flask(__name__)
    app.config["DATABASE"] = database or os.environ["BARE_DATABASE"]
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = defaults()["SQLITE_BUSY_TIMEOUT_MS"]
    db = connect(app.config["DATABASE"])
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(SCHEMA)
    finally:
        db.close()

    app.teardown_appcontext(close_db)

    @app.post("/insert")
    def insert():
        db = get_db()
        # The body is read (the client sends a checklist-sized form) but not parsed.
        length = len(request.get_data())
        with writing(db):
            db.execute("INSERT INTO hits (received, body_length) VALUES (?, ?)",
                       [time.time(), length])
        return "", 201

    return app


def count(database: str) -> int:
    """How many rows the baseline stored."""
    db = connect(database)
    try:
        return db.execute("SELECT count(*) FROM hits").fetchone()[0]
    finally:
        db.close()
