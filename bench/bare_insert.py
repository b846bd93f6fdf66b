"""The baseline for bench/submit.py: a Flask app whose one endpoint does one SQLite insert.

It opens its connection per request with ``models.db.connect`` (the app's
PRAGMAs: foreign_keys, busy_timeout, synchronous=FULL) on a file in WAL mode,
and writes inside ``models.db.writing`` (BEGIN IMMEDIATE ... COMMIT), just
as a checklist submission does; everything else a submission costs (session,
login, CSRF, form parsing and validation, templates) is left out.

It opens a connection per request even though the app's workers keep theirs
(models/db.py): the baseline stays what it was when the targets were set, so
ratios compare across versions. Kept, a bare insert does about 1.65 times as
many (2,163-2,280/s against 1,288-1,359/s on 2 cores), because opening and
closing is most of its cost; the closing note of the "one house" issue has both.

Run it like the app: ``BARE_DATABASE=/tmp/bare.sqlite gunicorn
'bench.bare_insert:create_app()'`` from the project root.
"""

import os
import time

from flask import Flask, g, request

from models.db import connect, writing

SCHEMA = """CREATE TABLE IF NOT EXISTS hits (
    id INTEGER PRIMARY KEY,
    received REAL NOT NULL,
    body_length INTEGER NOT NULL
)"""


def create_app(database: str | None = None) -> Flask:
    """The baseline app on ``database`` (default: the BARE_DATABASE env variable)."""
    app = Flask(__name__)
    app.config["DATABASE"] = database or os.environ["BARE_DATABASE"]
    db = connect(app.config["DATABASE"])
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(SCHEMA)
    finally:
        db.close()

    @app.teardown_appcontext
    def close(_exc: BaseException | None = None) -> None:
        conn = g.pop("db", None)
        if conn is not None:
            conn.close()

    @app.post("/insert")
    def insert():
        g.db = connect(app.config["DATABASE"])
        # The body is read (the client sends a checklist-sized form) but not parsed.
        length = len(request.get_data())
        with writing(g.db):
            g.db.execute("INSERT INTO hits (received, body_length) VALUES (?, ?)",
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
