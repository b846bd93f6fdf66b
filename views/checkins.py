"""Check-ins from the observer's home page: "arrived at No. 123", "leaving", "safe".

The home page's check-in card (templates/checkins/_card.html, included by
templates/checklists/home.html) posts here without JavaScript; with it,
static/checkin.js queues the check-in in the phone's outbox and sends it to
``POST /api/v1/checkins`` (views/api_checkins.py) with its uuid until the
server confirms. Both validate with the same form (forms/checkin.py).
"""

import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.checkin import CheckinForm
from models import access, checkins, stations
from models.db import get_db
from models.entries import DuplicateConflict
from views.auth import roles_required

bp = Blueprint("checkins", __name__)


def checkin_form(**kwargs) -> CheckinForm:
    """The check-in form for the logged-in observer (times default to their region's zone).

    Without ``formdata`` it reads the posted form, as any FlaskForm does.
    """
    db = get_db()
    zone = (stations.region_zone(db, current_user.region) if current_user.region else None) \
        or current_app.config["MISSION_TIMEZONE"]
    return CheckinForm(db=db, fallback_zone=zone, **kwargs)


def blank_checkin_form() -> CheckinForm:
    """Jinja global (views/template_helpers.py): an empty check-in form with a fresh uuid,
    for the home page's card."""
    return CheckinForm(formdata=None, db=None, fallback_zone="",
                       data={"uuid": str(uuid.uuid4())})


@bp.route("/checkins", methods=["POST"])
@roles_required(*access.OBSERVERS)
def new():
    """Record a check-in posted by the plain form (no JavaScript), then back home."""
    form = checkin_form()
    if not form.validate():
        return render_template("checkins/refused.html", form=form), 400
    try:
        _row, created = checkins.create(get_db(), form.to_checkin(), current_user.id,
                                        access.author_team(current_user))
    except DuplicateConflict:
        flash(_("This check-in was already sent with other content; nothing was saved."))
        return redirect(url_for("checklists.home"), 303)
    flash(_("Check-in received.") if created else
          _("This check-in had already been received; nothing was duplicated."))
    return redirect(url_for("checklists.home"), 303)
