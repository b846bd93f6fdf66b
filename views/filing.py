"""What every kind's "new entry" page does: file a valid form once, and find a form sent before.

Checklists, incidents and meetings are created the same way (models/entries.py);
only their messages and templates differ, so the pages pass those in.
"""

from flask import flash, redirect, url_for
from flask_login import current_user

from models import access, entries
from models.db import get_db
from models.entries import Kind


def file_new(kind: Kind, form, conflict: str) -> tuple[int, bool] | None:
    """File the form's record under the user's team: (id, created).

    None when the form's uuid was already used for other content: ``conflict``
    is then shown on the form, which keeps what the observer typed.
    """
    try:
        return entries.create(get_db(), kind, form.to_record(), current_user.id,
                              access.author_team(current_user))
    except entries.DuplicateConflict:
        form.uuid.errors.append(conflict)
        return None


def show_filed(endpoint: str, entry_id: int, message: str):
    """After filing (or finding the form filed before): say so and open the entry."""
    flash(message)
    return redirect(url_for(endpoint, entry_id=entry_id), code=303)


def already_filed(existing: dict | None, endpoint: str, message: str):
    """The entry page when a form with this uuid was filed before and the user may read it."""
    if existing is not None and access.can_read(current_user, existing):
        return show_filed(endpoint, existing["id"], message)
    return None
