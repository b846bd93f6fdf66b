"""Messages to teams: coordinators write them, observers confirm they read them.

Coordinators and admins send a message to all teams, a region's or one team
and follow who has confirmed (``/messages``); observers see their unread
messages on their home page (templates/messages/_unread.html, fed by the
``unread_messages`` Jinja global) and in the offline app (views/api_messages.py).
When MESSAGE_WEBHOOK_URL is set, each message is also posted to that gateway
in a background thread (models/message_webhook.py).
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.team_message import AUDIENCE_LABELS, MessageForm, message_limit
from models import access, message_webhook, team_messages
from models.db import get_db
from views.auth import roles_required, safe_next

bp = Blueprint("team_messages", __name__)


def start_webhook(message_id: int) -> None:
    """Post the message to MESSAGE_WEBHOOK_URL in the background, if one is set."""
    config = current_app.config
    if config["MESSAGE_WEBHOOK_URL"]:
        message_webhook.start(config["DATABASE"], config["SQLITE_BUSY_TIMEOUT_MS"], message_id,
                              message_webhook.Gateway(config["MESSAGE_WEBHOOK_URL"],
                                                      float(config["MESSAGE_WEBHOOK_TIMEOUT"])))


def _page(form: MessageForm, status: int = 200):
    db = get_db()
    return render_template("messages/index.html", form=form, sent=team_messages.sent(db),
                           teams=team_messages.teams(db), audiences=AUDIENCE_LABELS), status


@bp.route("/messages", methods=["GET", "POST"])
@roles_required(*access.COORDINATORS)
def index():
    """Write a message to teams, and see who has confirmed the ones sent."""
    db = get_db()
    if request.method == "GET":
        return _page(MessageForm(formdata=None, db=db))
    form = MessageForm(db=db)
    if not form.validate():
        # The same page, with what was typed and the messages by the fields.
        return _page(form, 400)
    try:
        message_id = team_messages.send(
            db, current_user.id, form.audience.data, form.target(), form.body.data,
            message_limit(), webhook=bool(current_app.config["MESSAGE_WEBHOOK_URL"]))
    except team_messages.Refused as refused:
        # Checked by the form a moment ago; a region or team gone since lands here.
        getattr(form, refused.field).errors.append(_("This changed meanwhile: check it again."))
        return _page(form, 400)
    start_webhook(message_id)
    flash(_("The message was sent. Observers see it on their home page and confirm it there."))
    return redirect(url_for("team_messages.index"), code=303)


@bp.route("/messages/<id:message_id>/read", methods=["POST"])
@roles_required(*access.OBSERVERS)
def read(message_id: int):
    """An observer confirms reading a message (a second confirmation changes nothing)."""
    db = get_db()
    if not team_messages.is_addressed(db, message_id, current_user.id):
        abort(404)
    team_messages.mark_read(db, message_id, current_user.id)
    flash(_("Thank you: the coordinators see that you have read the message."))
    return redirect(safe_next(request.form.get("next")) or url_for("checklists.home"), code=303)


def unread_messages() -> list[dict]:
    """Jinja global: the logged-in observer's unread messages, newest first ([] for others)."""
    if not current_user.is_authenticated or current_user.role not in access.OBSERVERS:
        return []
    return team_messages.for_reader(get_db(), current_user, unread_only=True)
