"""Log in, log out, and the role and entry checks every other blueprint uses.

The rules themselves are in models/access.py; these helpers apply them to
the logged-in user and answer 403 or 404.
"""

import sqlite3
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)

from forms.auth import LoginForm
from models import access, audit, users
from models.db import get_db
from views import storage_errors
from views.ids import parse_id
from views.security import login_limits

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to continue.")

HOME = {"observer": "checklists.home", "coordinator": "review.entries",
        "liaison": "review.entries", "admin": "review.entries"}


class User(UserMixin):
    """The logged-in mission member."""

    def __init__(self, row: dict):
        self.id = row["id"]
        self.username = row["username"]
        self.role = row["role"]
        self.team = row["team"]
        self.region = row["region"]
        self.session_version = row["session_version"]
        self.locale = row.get("locale")

    def get_id(self) -> str:
        """What the session stores: the id and the session version it was opened under."""
        return f"{self.id}:{self.session_version}"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's user, unless that session was ended (log-out, new password, deactivation).

    A session from before session versions (a bare id) is ended too: its user logs in again.
    """
    user_part, _sep, version_part = session_id.partition(":")
    user_id, version = parse_id(user_part), parse_id(version_part)
    row = users.get_user(get_db(), user_id) if user_id is not None and version else None
    return User(row) if row and row["session_version"] == version else None


def roles_required(*roles: str):
    """Let in only logged-in users with one of these roles; others get 403."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.roles = roles
        return wrapped
    return decorate


def entry_or_404(entry: dict | None, may=access.can_read) -> dict:
    """``entry`` if the logged-in user may read it (or ``may``, a models.access rule); else 404.

    404, not 403: another team's entry is not admitted to exist. In the API
    the 404 is answered as JSON like any other error there.
    """
    if entry is None or not may(current_user, entry):
        abort(404)
    return entry


def may_open(endpoint: str) -> bool:
    """Jinja global: the logged-in user's role passes ``endpoint``'s roles_required.

    Menus and buttons ask this, so a link is shown exactly to those its page lets in.
    """
    roles = getattr(current_app.view_functions.get(endpoint), "roles", None)
    return current_user.is_authenticated and (roles is None or current_user.role in roles)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a crafted link cannot send an observer elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return None


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(HOME[current_user.role]))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if not _usable_json_body():
        return render_template("auth/login.html", form=LoginForm(formdata=None)), 400
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_db()
        row = users.authenticate(db, form.username.data.strip(), form.password.data)
        if row:
            session.permanent = True  # expires after SESSION_IDLE_MINUTES idle
            login_user(User(row))
            audit.record(db, "login", row["id"])
            return redirect(safe_next(request.args.get("next"))
                            or url_for(HOME[row["role"]]))
        audit.record(db, "login_failed", details=_failed_login_details(db, form.username.data))
        form.password.errors.append(_("Wrong user name or password."))
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


def _usable_json_body() -> bool:
    """A JSON log-in is one object of strings (WTForms would fail on a list or a number)."""
    if not request.is_json:
        return True
    body = request.get_json(silent=True)
    return isinstance(body, dict) and all(isinstance(value, str) for value in body.values())


def _failed_login_details(db, typed: str) -> dict:
    """The account a failed log-in tried, or only that the name is unknown.

    What was typed into the name field is not kept when no such user exists:
    it may be a password typed in the wrong box, and coordinators read the log.
    """
    user = users.find_by_username(db, typed.strip())
    return {"username": user["username"]} if user else {"unknown_user": True}


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Ends this user's every session, so a copy of the cookie is of no use either.
    try:
        users.end_sessions(get_db(), current_user.id)
    except sqlite3.OperationalError as error:
        if not storage_errors.is_unavailable(error):
            raise
        # A full or read-only disk must not keep anyone logged in on this device.
        logout_user()
        flash(_("You are logged out on this device. The server cannot write right now, so "
                "sessions elsewhere could not be ended: log out again later."))
        return redirect(url_for("auth.login"))
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Attach the login manager (templates get ``may_open`` from views/template_helpers.py)."""
    login_manager.init_app(app)
