"""Review states shared by checklists, incidents and meetings.

submitted → verified, needs clarification (back to its authors, who edit and
resubmit) or rejected (kept, but excluded from every statistic). Every
transition records who, when and why.
"""

from sqlite_utils import Database

from models import audit, flags
from models.clock import to_iso, utc_now
from models.db import writing

KINDS = {"checklist": "checklists", "incident": "incidents", "interaction": "interactions"}
# States in which the authors may still edit their entry.
AUTHOR_EDITABLE = ("submitted", "needs_clarification")
# Which states a reviewer may move an entry to, from each state.
TRANSITIONS = {
    "submitted": ("verified", "needs_clarification", "rejected"),
    "needs_clarification": ("verified", "rejected"),
    "verified": ("needs_clarification", "rejected"),
    "rejected": ("submitted",),
}
# A reviewer must say why when sending back or rejecting.
REASON_REQUIRED = ("needs_clarification", "rejected")


class IllegalTransition(Exception):
    """The move is not allowed from the entry's current state, or lacks a reason."""


def table(kind: str) -> str:
    """The table that holds entries of this kind."""
    return KINDS[kind]


def state_of(db: Database, kind: str, entry_id: int) -> str | None:
    """The entry's review state, None when it does not exist."""
    row = db.execute(f"SELECT review_state FROM {table(kind)} WHERE id = ?", [entry_id]).fetchone()
    return row[0] if row else None


def move(db: Database, kind: str, entry_id: int, to_state: str, user_id: int,
         reason: str = "") -> None:
    """Change the review state, recording the event and an audit record."""
    reason = reason.strip()
    with writing(db):
        current = state_of(db, kind, entry_id)
        if current is None or to_state not in TRANSITIONS.get(current, ()):
            raise IllegalTransition(f"{current} → {to_state}")
        if to_state in REASON_REQUIRED and not reason:
            raise IllegalTransition("a reason is required")
        _set_state(db, kind, entry_id, current, to_state, user_id, reason)


def resubmitted(db: Database, kind: str, entry_id: int, user_id: int) -> None:
    """After its authors edit an entry sent back for clarification, it is submitted again.

    Call inside the edit's write transaction.
    """
    current = state_of(db, kind, entry_id)
    if current == "needs_clarification":
        _set_state(db, kind, entry_id, current, "submitted", user_id, "edited by its authors")


def _set_state(db, kind, entry_id, current, to_state, user_id, reason) -> None:
    now = to_iso(utc_now())
    db.execute(f"UPDATE {table(kind)} SET review_state = ? WHERE id = ?", [to_state, entry_id])
    db.execute("INSERT INTO review_events (entry_kind, entry_id, from_state, to_state, user_id,"
               " at_utc, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
               [kind, entry_id, current, to_state, user_id, now, reason])
    audit.record(db, "review", user_id, kind, entry_id,
                 {"from": current, "to": to_state, "reason": reason})
    if kind == "checklist":
        # Rejecting or reinstating a checklist changes which conflicts exist.
        flags.refresh_checklist(db, entry_id)


def events(db: Database, kind: str, entry_id: int) -> list[dict]:
    """The entry's review history, oldest first, with reviewers' names."""
    return list(db.query(
        "SELECT e.*, u.username FROM review_events e JOIN users u ON u.id = e.user_id"
        " WHERE e.entry_kind = ? AND e.entry_id = ? ORDER BY e.id", [kind, entry_id]))
