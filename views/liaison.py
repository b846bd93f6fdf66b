"""The CEC liaison's queue: entries to raise with the commission, and what came of them.

Who may do what (decided here, tested in tests/test_liaison.py):
- the liaison and admins mark entries, change their note and take them off;
- coordinators read the queue (they set the mission's priorities with the
  liaison and answer observers' "was this raised?") but do not change it;
- observers get 403: the queue holds every team's entries and the liaison's notes.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.meeting import QueueForm
from models import access, liaison, meetings
from models.db import get_db
from views.auth import roles_required, safe_next

bp = Blueprint("liaison", __name__)
ENTRY = "/liaison/queue/<any(checklist, incident):kind>/<id:entry_id>"


@bp.route("/liaison/queue")
@roles_required(*access.REVIEWERS)
def queue():
    """The CEC queue, by topic and region, with the meetings each entry was raised in."""
    groups = liaison.queue(get_db())
    for group in groups:
        # The liaison logs a meeting with these already ticked (see meetings._blank_form).
        group["unraised"] = [f"{e['kind']}:{e['id']}" for region in group["regions"]
                             for e in region["entries"] if not e["meetings"]]
    return render_template("liaison/queue.html", groups=groups,
                           can_manage=current_user.role in access.QUEUE_MANAGERS,
                           can_log=current_user.role in access.MEETING_AUTHORS)


def _entry_or_404(kind: str, entry_id: int) -> dict:
    found = meetings.describe_entries(get_db(), [(kind, entry_id)])
    if (kind, entry_id) not in found:
        abort(404)
    return found[kind, entry_id]


@bp.route(ENTRY, methods=["GET", "POST"])
@roles_required(*access.QUEUE_MANAGERS)
def mark(kind: str, entry_id: int):
    """Put an entry on the CEC queue, or change its topic and note."""
    db = get_db()
    entry = _entry_or_404(kind, entry_id)
    queued = liaison.queued_entry(db, kind, entry_id)
    if request.method == "GET":
        form = QueueForm(formdata=None, data={
            "topic": queued["topic"] if queued else "", "note": queued["note"] if queued else "",
            "next": safe_next(request.args.get("next")) or ""})
        return render_template("liaison/mark.html", form=form, entry=entry, queued=queued)
    form = QueueForm()
    if not form.validate():
        return render_template("liaison/mark.html", form=form, entry=entry, queued=queued), 400
    created = liaison.mark(db, kind, entry_id, form.topic.data, form.note.data.strip(),
                           current_user.id)
    flash(_("%(ref)s is in the CEC queue.", ref=entry["ref"]) if created
          else _("The queue note of %(ref)s was updated.", ref=entry["ref"]))
    return redirect(safe_next(form.next.data) or url_for("liaison.queue"), code=303)


@bp.route(ENTRY + "/remove", methods=["POST"])
@roles_required(*access.QUEUE_MANAGERS)
def remove(kind: str, entry_id: int):
    """Take an entry off the CEC queue (its links to meetings stay)."""
    entry = _entry_or_404(kind, entry_id)
    # A second click on "remove" finds nothing to remove: say so, it is not an error.
    if liaison.unmark(get_db(), kind, entry_id, current_user.id):
        flash(_("%(ref)s was taken off the CEC queue.", ref=entry["ref"]))
    else:
        flash(_("%(ref)s was not in the CEC queue.", ref=entry["ref"]))
    return redirect(safe_next(request.form.get("next")) or url_for("liaison.queue"), code=303)
