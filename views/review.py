"""Coordinators and the CEC liaison work through every entry: filter, open, decide, comment.

Navigation: the list links each row to the entry's own page with the filters
in its query string; the review panel there links to ``/review/next?after=
<kind>:<id>&<filters>`` and ``/review/previous?before=...``, which find the
neighbour in the same filtered list and redirect to its page. The list's
default view shows every state; rejected entries are greyed out, not hidden.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from forms.review import FilterForm, MoveForm
from models import access, comments, flags, review, review_list, stations
from models.db import get_db
from models.vocabulary import STATE_LABELS
from views.auth import entry_or_404, roles_required
from views.ids import parse_id
from views.review_panel import current_filters, entry_url, new_comment_form, review_panel
from views.security import comment_limits

bp = Blueprint("review", __name__)
PAGE = 50
MAX_PAGE = 10000
KIND = "<any({}):entry_kind>".format(", ".join(review.KINDS))


@bp.route("/review")
@roles_required(*access.REVIEWERS)
def entries():
    """The filtered list of every kind of entry, newest first, a page at a time."""
    db = get_db()
    form = FilterForm(formdata=request.args, regions=stations.regions(db))
    page = min(parse_id(request.args.get("page")) or 1, MAX_PAGE)
    context = {"form": form, "page": page, "teams": review_list.teams(db), "rows": [],
               "has_next": False, "args": {}}
    if not form.validate():
        return render_template("review/entries.html", **context), 400
    filters = form.filters()
    rows = review_list.page(db, filters, PAGE + 1, (page - 1) * PAGE)
    for row in rows:
        row["url"] = entry_url(row["kind"], row["id"], filters)
        for flag in row["flags"]:
            flag["url"] = entry_url(row["kind"], flag["other_id"], filters) \
                if flag["other_id"] else None
    context.update(rows=rows[:PAGE], has_next=len(rows) > PAGE, args=filters.query_args())
    return render_template("review/entries.html", **context)


def _position(db, raw: str | None) -> dict:
    """The entry named by ``<kind>:<id>`` in a next/previous link."""
    kind, _sep, number = (raw or "").partition(":")
    entry_id = parse_id(number)
    if kind not in review.KINDS or entry_id is None:
        abort(400, _("This link is damaged. Go back to the review list."))
    entry = review_list.entry_header(db, kind, entry_id)
    if entry is None:
        abort(404)
    return entry


def _go_next(db, entry: dict, filters, newer: bool = False):
    """Redirect to the neighbour in the filtered list, or to the list when there is none."""
    found = review_list.neighbour(db, filters, entry, newer)
    if found is None:
        flash(_("That was the first entry in this list.") if newer
              else _("That was the last entry in this list."))
        return redirect(url_for("review.entries", **filters.query_args()), code=303)
    return redirect(entry_url(*found, filters), code=303)


def _filters_or_400():
    form = FilterForm(formdata=request.args)
    if not form.validate():
        abort(400, _("The list filters in this link are not valid. Go back to the review list."))
    return form.filters()


@bp.route("/review/next")
@roles_required(*access.REVIEWERS)
def next_entry():
    """Open the entry after ``after=<kind>:<id>`` in the filtered list."""
    db = get_db()
    return _go_next(db, _position(db, request.args.get("after")), _filters_or_400())


@bp.route("/review/previous")
@roles_required(*access.REVIEWERS)
def previous_entry():
    """Open the entry before ``before=<kind>:<id>`` in the filtered list."""
    db = get_db()
    return _go_next(db, _position(db, request.args.get("before")), _filters_or_400(), newer=True)


def _refused(kind: str, entry: dict, status: int, **forms):
    """The entry's review panel alone, with the refused form's messages and typed text."""
    return render_template("review/action.html", kind=kind, entry=entry,
                           entry_link=entry_url(kind, entry["id"], current_filters()),
                           panel=review_panel(kind, entry, **forms)), status


@bp.route(f"/review/{KIND}/<id:entry_id>/move", methods=["POST"])
@roles_required(*access.EVERYONE)
def move(entry_kind: str, entry_id: int):
    """A reviewer moves an entry to another review state (with a reason when required)."""
    # Observers pass the role check only to be told plainly why they cannot do this.
    if not access.is_reviewer(current_user):
        abort(403, _("Only coordinators and the liaison review entries: an observer cannot "
                     "verify, send back or reject an entry, not even their own."))
    db = get_db()
    entry = review_list.entry_header(db, entry_kind, entry_id)
    if entry is None:
        abort(404)
    if not access.can_review(current_user, entry):
        abort(403, _("You wrote this entry: another reviewer has to decide on it."))
    form = MoveForm()
    form.validate()
    if form.to_state.errors:
        return _refused(entry_kind, entry, 400, move_form=form)
    current, target = entry["review_state"], form.to_state.data
    if target not in review.TRANSITIONS.get(current, ()):
        form.to_state.errors.append(_(
            "This entry is “%(current)s”: it cannot be moved to “%(target)s”. Reload the "
            "entry to see its current state.", current=STATE_LABELS[current],
            target=STATE_LABELS[target]))
        return _refused(entry_kind, entry, 409, move_form=form)
    if form.errors:
        return _refused(entry_kind, entry, 400, move_form=form)
    try:
        review.move(db, entry_kind, entry_id, target, current_user.id, form.reason.data)
    except review.IllegalTransition:
        form.to_state.errors.append(_("Someone changed this entry's state meanwhile. Reload "
                                      "the entry to see its current state."))
        return _refused(entry_kind, entry, 409, move_form=form)
    if entry_kind == "checklist":
        # Rejected checklists make no conflicts; a reopened one may again.
        flags.refresh_checklist(db, entry_id)
    flash(_("Entry #%(id)d is now “%(state)s”.", id=entry_id, state=STATE_LABELS[target]))
    filters = current_filters()
    if form.and_next.data:
        return _go_next(db, entry, filters)
    return redirect(entry_url(entry_kind, entry_id, filters), code=303)


@bp.route(f"/review/{KIND}/<id:entry_id>/comments", methods=["POST"])
@roles_required(*access.EVERYONE)
@comment_limits
def comment(entry_kind: str, entry_id: int):
    """Add to an entry's comment thread: its team's observers and reviewers only."""
    db = get_db()
    entry = entry_or_404(review_list.entry_header(db, entry_kind, entry_id), access.can_comment)
    form = new_comment_form()
    if not form.validate():
        return _refused(entry_kind, entry, 400, comment_form=form)
    try:
        comments.add(db, entry_kind, entry_id, current_user.id, form.body.data,
                     max_per_entry=current_app.config["COMMENTS_PER_ENTRY"])
    except comments.ThreadFull:
        form.body.errors.append(_(
            "This entry has reached its %(max)d comments: no more can be added. Say it in "
            "the entry itself, or tell a coordinator another way.",
            max=current_app.config["COMMENTS_PER_ENTRY"]))
        return _refused(entry_kind, entry, 409, comment_form=form)
    flash(_("Comment added."))
    return redirect(entry_url(entry_kind, entry_id, current_filters()) + "#comments", code=303)
