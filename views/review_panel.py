"""What every entry page shows under the entry: review state, flags, history, comments, actions.

Entry views (checklists, incidents, interactions) call ``review_panel`` and
pass the result to ``templates/review/_panel.html``; the template never queries.

The review list's filters travel in the entry page's query string
(``/checklists/5?state=submitted&kind=checklist:voting``): the panel reads them
back so its next/previous links and its forms keep the reviewer in the same
filtered list.
"""

from flask import current_app, request, url_for
from flask_login import current_user

from forms.review import CommentForm, FilterForm, MoveForm
from models import access, comments, discrepancies, flags, liaison, meetings, review
from models.db import get_db
from models.review_list import Filters
from models.vocabulary import MOVE_LABELS
from views.photo_panel import photo_panel

# Each kind's entry page; written by the checklists, incidents and meetings blueprints.
ENDPOINTS = {"checklist": "checklists.detail", "incident": "incidents.detail",
             "interaction": "meetings.detail"}


def entry_url(kind: str | None, entry_id: int | None, filters: Filters | None = None
              ) -> str | None:
    """The page of an entry (checklist, incident or meeting), carrying the review list's
    filters when given; None for records that are not entries (an API token, a log-in).

    Every link to an entry is made here: pages, the audit log, the dashboard and
    templates (the ``entry_url`` global).
    """
    if kind not in ENDPOINTS or entry_id is None:
        return None
    args = filters.query_args() if filters else {}
    return url_for(ENDPOINTS[kind], entry_id=entry_id, **args)


def current_filters() -> Filters:
    """The review list's filters in this request's query string; unusable ones are dropped."""
    form = FilterForm(formdata=request.args)
    return form.filters() if form.validate() else Filters()


def new_comment_form(**kwargs) -> CommentForm:
    """The comment form, limited to the MAX_TEXT_LENGTH setting."""
    return CommentForm(max_length=current_app.config["MAX_TEXT_LENGTH"], **kwargs)


def review_panel(kind: str, entry: dict, move_form: MoveForm | None = None,
                 comment_form: CommentForm | None = None,
                 photo_errors: dict[str, list[str]] | None = None) -> dict:
    """Everything the review partial needs for one entry.

    ``move_form``/``comment_form`` are passed back when a submission was
    refused, so the partial shows the errors and what was typed;
    ``photo_errors`` are a refused photo's messages by field.
    """
    db = get_db()
    state = entry["review_state"]
    reviewer = access.is_reviewer(current_user)
    can_review = access.can_review(current_user, entry)
    filters = current_filters()
    args = filters.query_args()
    position = f"{kind}:{entry['id']}"
    linkable = kind in meetings.LINK_KINDS
    entry_flags = flags.for_entry(db, kind, entry["id"]) if reviewer else []
    for flag in entry_flags:
        flag["url"] = entry_url(kind, flag["other_id"], filters) if flag["other_id"] else None
    # One page view stays cheap however long the thread: the latest comments, the rest counted.
    comment_count = comments.count(db, kind, entry["id"])
    shown = current_app.config["ENTRY_PAGE_LATEST"]
    return {
        "kind": kind,
        "entry_id": entry["id"],
        "state": state,
        "events": review.events(db, kind, entry["id"]),
        "comments": comments.latest(db, kind, entry["id"], shown),
        "earlier_comments": max(comment_count - shown, 0),
        "thread_full": comment_count >= current_app.config["COMMENTS_PER_ENTRY"],
        "max_comments": current_app.config["COMMENTS_PER_ENTRY"],
        "reviewer": reviewer,
        "can_review": can_review,
        "own_entry": reviewer and not can_review,
        "moves": [(to, MOVE_LABELS[to]) for to in review.TRANSITIONS.get(state, ())]
        if can_review else [],
        "author_can_edit": state in review.AUTHOR_EDITABLE,
        "flags": entry_flags,
        # Computed, not stored: official results can arrive after the review.
        "discrepancies": discrepancies.for_checklist(db, entry["id"])
        if reviewer and kind == "checklist" else [],
        "move_form": move_form or MoveForm(formdata=None, data={"and_next": True}),
        "move_url": url_for("review.move", entry_kind=kind, entry_id=entry["id"], **args),
        "comment_form": comment_form or new_comment_form(formdata=None),
        "photos": photo_panel(kind, entry, photo_errors),
        "comment_url": url_for("review.comment", entry_kind=kind, entry_id=entry["id"], **args),
        "next_url": url_for("review.next_entry", after=position, **args) if reviewer else None,
        "previous_url": url_for("review.previous_entry", before=position, **args)
        if reviewer else None,
        "list_url": url_for("review.entries", **args) if reviewer else None,
        # Where the entry was raised with a commission, and the liaison's queue.
        "linkable": linkable,
        "meetings": [{**m, "readable": access.can_read(current_user, m)}
                     for m in liaison.meetings_for_entry(db, kind, entry["id"])] if linkable else [],
        "queued": liaison.queued_entry(db, kind, entry["id"]) if linkable and reviewer else None,
        # How observers cite this entry when logging a meeting ("C12", "I3").
        "reference": meetings.ref(kind, entry["id"]) if linkable else "",
    }
