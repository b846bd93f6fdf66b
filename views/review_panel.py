"""What every entry page shows under the entry: review state, history, comments.

Entry views (checklists, incidents, interactions) call ``review_panel`` and
pass the result to ``templates/review/_panel.html``; the template never queries.
"""

from flask_login import current_user

from models import comments, review
from models.db import get_db

REVIEWERS = ("coordinator", "liaison", "admin")


def review_panel(kind: str, entry: dict) -> dict:
    """Everything the review partial needs for one entry."""
    db = get_db()
    state = entry["review_state"]
    can_review = current_user.role in REVIEWERS
    return {
        "kind": kind,
        "entry_id": entry["id"],
        "state": state,
        "events": review.events(db, kind, entry["id"]),
        "comments": comments.for_entry(db, kind, entry["id"]),
        "can_review": can_review,
        "moves": review.TRANSITIONS.get(state, ()) if can_review else (),
        "author_can_edit": state in review.AUTHOR_EDITABLE,
    }
