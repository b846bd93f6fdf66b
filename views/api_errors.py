"""JSON errors for the API: ``{"error": message, "fields": {name: [message]}}``, never a page.

A phone's outbox reads these: ``error`` is shown to the observer as it is,
``fields`` puts each message next to the field it is about (the same names
as the HTML form's fields).
"""

import sqlite3

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions

PREFIX = "/api/"
MESSAGES = {
    400: lambda: _("Something in this request was not right."),
    401: lambda: _("Log in, or send a valid API token (Authorization: Bearer ...)."),
    403: lambda: _("Your role does not give access to this."),
    404: lambda: _("This does not exist, or is not yours to see."),
    405: lambda: _("This address cannot be used with this method."),
    409: lambda: _("This conflicts with what was already saved."),
    413: lambda: _("What you sent is too large."),
    415: lambda: _("Send JSON, with the header Content-Type: application/json."),
    422: lambda: _("Some fields need correcting; see the message by each field."),
    429: lambda: _("Too many requests. Wait a few minutes, then try again."),
    500: lambda: _("Something went wrong on the server; nothing was saved. Try again later."),
}
CSRF_MESSAGE = lambda: _(  # noqa: E731 - translated per request, like MESSAGES
    "The security token (X-CSRFToken header) is missing or expired. Get a fresh one from "
    "GET /api/v1/me and send again.")
# The database refused (read-only, disk full, locked for too long): the
# client keeps the entry and retries later, so say so and suggest when.
UNAVAILABLE_SECONDS = 30


class ApiError(Exception):
    """Raise in an API view to answer with this status, message and field messages."""

    def __init__(self, status: int, message: str | None = None,
                 fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


def error_response(status: int, message: str | None = None,
                   fields: dict[str, list[str]] | None = None) -> Response:
    """The JSON error answer; ``message`` defaults to the plain one for ``status``."""
    if message is None:
        default = MESSAGES.get(status)
        message = default() if default else str(status)
    body = {"error": str(message)}
    if fields:
        body["fields"] = {name: [str(m) for m in messages] for name, messages in fields.items()}
    response = jsonify(body)
    response.status_code = status
    return response


def under_api() -> bool:
    """True when the current request is for the API (its errors must be JSON)."""
    return request.path.startswith(PREFIX)


def http_error_response(error: HTTPException) -> Response:
    """An HTTPException as JSON: its own description when a view gave one."""
    if isinstance(error, CSRFError):
        response = error_response(400, CSRF_MESSAGE())
    else:
        described = error.description if error.description and \
            error.description != type(error).description else None
        response = error_response(error.code or 500, described)
    # 405 must name the methods that do work; werkzeug keeps them on the error.
    for name, value in error.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, error.fields)


def _database_unavailable(_error: sqlite3.OperationalError) -> Response:
    response = error_response(503, _(
        "The server could not save or read this right now. Nothing is lost: what you "
        "sent stays on your phone and can be sent again in a few minutes."))
    response.headers["Retry-After"] = str(UNAVAILABLE_SECONDS)
    return response


def register(bp: Blueprint) -> None:
    """Answer every error raised in ``bp``'s views (and before them) with JSON.

    Handlers are registered per status code: Flask prefers any handler for the
    exact code, even an app-wide one, over a blueprint's catch-all handler.
    """
    for code in default_exceptions:
        bp.register_error_handler(code, http_error_response)
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(sqlite3.OperationalError, _database_unavailable)
    bp.before_app_request(_unrouted)


def _unrouted() -> Response | None:
    """An /api/ address that matches no route (404) or not with this method (405).

    No view, hence no blueprint, would handle these: the app's HTML error
    page would answer. Answering before dispatch keeps them JSON.
    """
    error = request.routing_exception
    # A RequestRedirect (308, a missing trailing slash) is not an error.
    if isinstance(error, HTTPException) and (error.code or 0) >= 400 and under_api():
        return http_error_response(error)
    return None
