"""A database that cannot be written (read-only, disk full) gives a clear 503, never a 500.

Reads keep working: models.db.connect falls back to a read-only connection
when the file cannot be opened for writing. Any write then fails inside
SQLite with one of the errors below; this module turns them into a page (or,
under /api/, JSON) that tells the observer the entry is still on the phone.
The phone's outbox treats 503 like no connection: it keeps the entry and
sends it again later, with the same uuid.
"""

import sqlite3

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from markupsafe import escape

# Primary SQLite result codes that mean "the server cannot store this now",
# not "this request is wrong": read-only file or folder, disk full, file
# unreachable, I/O error from the disk, and a write lock held past the busy
# timeout.
UNAVAILABLE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
               sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
RETRY_AFTER_SECONDS = 120


def is_unavailable(error: BaseException) -> bool:
    """True for the SQLite errors a retry later can cure (see UNAVAILABLE)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in UNAVAILABLE


def message() -> str:
    """What the person is told, by what they were doing."""
    if request.method not in WRITE_METHODS:
        return _("The server cannot use its database right now. Try again in a few minutes.")
    if request.endpoint == "auth.login":
        return _("Could not log you in: the server cannot write right now. "
                 "Try again in a few minutes.")
    return _("Could not save: the server cannot write right now. Your entry is kept on "
             "your phone; try again in a few minutes.")


def init_app(app: Flask) -> None:
    """Answer storage failures with 503 and a plain message (JSON under /api/)."""

    @app.errorhandler(sqlite3.OperationalError)
    def storage_unavailable(error: sqlite3.OperationalError):
        if not is_unavailable(error):
            raise error  # a programming error: the usual 500 with its traceback logged
        # One line, not a traceback: during an outage every write logs this.
        current_app.logger.warning("storage unavailable (%s %s): %s [%s]", request.method,
                                   request.path, error, error.sqlite_errorname)
        text = message()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.path.startswith("/api/"):
            return jsonify({"error": text}), 503, headers
        try:
            page = render_template("error.html", code=503, message=text)
        except sqlite3.Error:
            # The layout reads the logged-in user; when even reads fail, plain text.
            page = f"<!doctype html><title>503</title><p>{escape(text)}</p>"
        return page, 503, headers
