"""The audit log for coordinators and admins: newest first, filtered, and its chain verified."""

import json
import time

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from models import access, audit, dashboard, users
from models.db import get_db
from views.auth import roles_required
from views.ids import parse_id
from views.review_panel import entry_url

bp = Blueprint("audit", __name__)
PAGE = 50
# Deeper than anyone pages by hand; keeps OFFSET far inside SQLite's integers.
MAX_PAGE = 100_000
ACTION_LABELS = {"create": _l("Created"), "edit": _l("Edited"), "review": _l("Review decision"),
                 "comment": _l("Comment"), "login": _l("Logged in"),
                 "login_failed": _l("Failed login"), "export": _l("Export"),
                 "queue": _l("Queued for the CEC"), "link": _l("Linked"),
                 "follow_up": _l("Follow-up"), "token_issue": _l("API token issued"),
                 "token_revoke": _l("API token revoked"),
                 "user_password": _l("New password set"),
                 "user_deactivate": _l("User deactivated"),
                 "user_reactivate": _l("User reactivated"),
                 "user_change": _l("Team or region changed"),
                 "photo": _l("Photo added"),
                 "plan_change": _l("Deployment plan changed"),
                 "team_change": _l("Team's area or phones changed"),
                 "import": _l("Official figures imported")}
KIND_LABELS = {"checklist": _l("Checklist"), "incident": _l("Incident report"),
               "interaction": _l("Meeting report"), "api_token": _l("API token"),
               "user": _l("User")}


def audit_action(code: str) -> str:
    """Jinja filter: an audit action in words (unknown codes as they are)."""
    return str(ACTION_LABELS.get(code, code))


def entry_kind(code: str | None) -> str:
    """Jinja filter: a kind of entry in words."""
    return str(KIND_LABELS.get(code, code or ""))


def _details(text: str) -> list[tuple[str, str]]:
    """A record's JSON details as (name, value) pairs to show."""
    try:
        data = json.loads(text)
    except ValueError:
        return [("", text)]
    if not isinstance(data, dict):
        return [("", str(data))]
    return [(key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            for key, value in data.items()]


def _listing(verdict: audit.Verdict | None = None, seconds: float | None = None):
    db = get_db()
    args = request.args
    filters = {"action": args.get("action", "").strip()[:40],
               "user": args.get("user", "").strip()[:80],
               "kind": args.get("kind", "").strip()[:40]}
    page = min(parse_id(args.get("page")) or 1, MAX_PAGE)
    user = users.find_by_username(db, filters["user"]) if filters["user"] else None
    unknown_user = bool(filters["user"]) and user is None
    rows = [] if unknown_user else dashboard.audit_entries(
        db, filters["action"] or None, user["id"] if user else None, filters["kind"] or None,
        limit=PAGE + 1, offset=(page - 1) * PAGE)
    for row in rows:
        row["details"] = _details(row["details"])
        row["url"] = entry_url(row["entry_kind"], row["entry_id"])
    return render_template("audit/log.html", rows=rows[:PAGE], has_next=len(rows) > PAGE,
                           page=page, filters=filters, unknown_user=unknown_user,
                           choices=dashboard.audit_choices(db), verdict=verdict,
                           seconds=seconds)


@bp.route("/audit")
@roles_required(*access.COORDINATORS)
def log():
    """Audit records newest first, filtered by action, user and kind of entry."""
    return _listing()


@bp.route("/audit/verify")
@roles_required(*access.COORDINATORS)
def verify():
    """Walk the whole chain (about a second per 100,000 records), then show the log."""
    started = time.perf_counter()
    verdict = audit.verify(get_db())
    return _listing(verdict, time.perf_counter() - started)
