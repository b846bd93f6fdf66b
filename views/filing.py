"""What every kind's "new entry" page does: file a valid form once, and find a form sent before.

Checklists, incidents and meetings are created the same way (models/entries.py);
only their messages and templates differ, so the pages pass those in.
"""

import uuid as uuidlib

from flask import flash, redirect, request, url_for
from flask_login import current_user

from models import access, entries
from models.db import get_db
from models.entries import Kind

# The refused form's button "open a new form with these answers" (see new_form_asked).
NEW_FORM = "new_form"


def file_new(kind: Kind, form, conflict: str) -> tuple[int, bool] | None:
    """File the form's record under the user's team: (id, created).

    None when the form's uuid was already used for other content: ``conflict``
    is then shown on the form, which keeps what the observer typed, and
    ``form.sent_edit_url`` is the edit page of the entry sent under that uuid
    (None when the user may no longer edit it).
    """
    try:
        return entries.create(get_db(), kind, form.to_record(), current_user.id,
                              access.author_team(current_user))
    except entries.DuplicateConflict:
        form.uuid.errors.append(conflict)
        form.sent_edit_url = sent_edit_url(kind, form.uuid.data)
        return None


def sent_edit_url(kind: Kind, form_uuid: str) -> str | None:
    """The edit page of the entry filed under ``form_uuid``, if the user may edit it."""
    sent = entries.find_by_uuid(get_db(), kind, form_uuid)
    if sent is None or not access.can_edit(current_user, kind.code, sent):
        return None
    endpoint = {"checklist": "checklists.edit", "incident": "incidents.edit",
                "interaction": "meetings.edit"}[kind.code]
    return url_for(endpoint, entry_id=sent["id"])


def new_form_asked(form) -> bool:
    """True when the observer chose "open a new form with these answers" on a refused form.

    The form then keeps what was posted under a fresh uuid, to be checked and
    sent as a new entry; nothing is filed by this request.
    """
    if request.form.get(NEW_FORM) != "1":
        return False
    form.uuid.data = str(uuidlib.uuid4())
    return True


def show_filed(endpoint: str, entry_id: int, message: str):
    """After filing (or finding the form filed before): say so and open the entry."""
    flash(message)
    return redirect(url_for(endpoint, entry_id=entry_id), code=303)


def already_filed(existing: dict | None, endpoint: str, message: str):
    """The entry page when a form with this uuid was filed before and the user may read it."""
    if existing is not None and access.can_read(current_user, existing):
        return show_filed(endpoint, existing["id"], message)
    return None
