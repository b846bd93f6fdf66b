"""Security that applies to every response: headers, session expiry, throttling.

A mission's server is a target during elections: the CSP allows scripts and
styles from our own static files only (no inline script can run even if an
observer's text were ever rendered unescaped), pages cannot be framed, and
repeated failed log-ins are slowed per account and per address, and writing
comments per user (each is kept, shown and printed forever).
"""

from datetime import timedelta

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

from views import assets

# {import_map}: the hash of the one inline script, templates/base.html's import map.
CSP = ("default-src 'self'; script-src 'self' {import_map}; style-src 'self'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
       "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")

# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default: per process,
# so with N gunicorn workers an address gets up to N times the limit; point it
# at redis:// or memcached:// to make the limit exact).
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")


def _failed_login(response) -> bool:
    """Only failed attempts count: a mission's observers share one office address."""
    return response.status_code == 401


def _account() -> str:
    """The user name a log-in attempt is for, from a form or a JSON body alike."""
    name = request.form.get("username")
    if name is None and request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return "account:" + (name if isinstance(name, str) else "").strip().casefold()[:80]


def _too_many() -> str:
    return _("Too many failed attempts. Wait a few minutes, then try again.")


def login_limits(view):
    """Throttle failed log-ins per account and per address (POST only)."""
    per_address = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
                                methods=["POST"], deduct_when=_failed_login,
                                error_message=_too_many)
    per_account = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
                                key_func=_account, methods=["POST"], deduct_when=_failed_login,
                                error_message=_too_many)
    return per_address(per_account(view))


def _comment_written(response) -> bool:
    """Only comments written count; a refused one (too long, thread full) does not."""
    return response.status_code == 303


def _comment_writer() -> str:
    # The route admits logged-in users only; the address is a fallback, never used.
    return f"comments:user:{current_user.id}" if current_user.is_authenticated \
        else "comments:" + get_remote_address()


def _too_many_comments() -> str:
    return _("You are writing comments faster than this server allows. Your comment was not "
             "saved: go back (your text is still in the box), wait a minute, then send it again.")


def comment_limits(view):
    """Throttle writing comments per user (COMMENT_LIMIT_PER_USER): each one is kept forever."""
    return limiter.limit(lambda: current_app.config["COMMENT_LIMIT_PER_USER"],
                         key_func=_comment_writer, methods=["POST"],
                         deduct_when=_comment_written, error_message=_too_many_comments)(view)


def _headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if assets.is_subresource(response):
        # A stylesheet, script or icon is no document: these would be ~400 bytes
        # on each, which a phone on a slow line pays for (views/assets.py).
        return response
    response.headers.setdefault("Content-Security-Policy",
                                CSP.format(import_map=assets.import_map_source()))
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Headers on every response, sliding session expiry, the limiter."""
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        minutes=app.config["SESSION_IDLE_MINUTES"])
    # Each request re-signs the cookie, so the lifetime counts from the last
    # activity: an idle session (a lost phone) expires, an active one does not.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    _init_limiter_for(app, "auth", "review")
    app.after_request(_headers)


def _init_limiter_for(app: Flask, *blueprints: str) -> None:
    """Flask-Limiter, with its per-request hooks run for these blueprints' requests only.

    It checks every request of the app against its limits; the only limits
    are on the log-in page and on writing comments, and the check costs
    0.13 ms of a 3.2 ms checklist submission (bench/profile_submit.py). Flask
    runs hooks filed under a blueprint's name for that blueprint's requests only.
    """
    registries = (app.before_request_funcs, app.after_request_funcs,
                  app.teardown_request_funcs)
    before = [list(registry.get(None, [])) for registry in registries]
    limiter.init_app(app)
    for registry, kept in zip(registries, before):
        added = registry.get(None, [])[len(kept):]
        registry[None] = kept
        for blueprint in blueprints:
            registry.setdefault(blueprint, []).extend(added)
