"""Who may do what: the mission's one access policy, for every kind of entry.

Every page, PDF and API route asks here, through ``views.auth`` (the
``roles_required`` decorator takes one of the role sets below;
``entry_or_404`` asks ``can_read``). No Flask in this module, so models and
reports may use it too: ``user`` is anything with ``id``, ``role`` and ``team``
(the logged-in ``views.auth.User``, a users row as an object), ``entry`` a
stored entry's row (``team``, ``review_state``, ``author_id``).

The rules, in words:
- an observer reads, and comments on, only their own team's entries;
  coordinators, the CEC liaison and admins (the reviewers) read every entry;
- observers file checklists and incident reports; observers and the liaison
  log meetings; an entry is edited by its team (for the liaison's meetings,
  the liaisons' shared team) while it is submitted or sent back for
  clarification, never once verified or rejected;
- the entry's authors add photos to it, in any review state;
- reviewers decide on entries (and see the automatic flags), but never on
  an entry they wrote themselves.

tests/test_access_policy.py is the table of these functions;
tests/test_access.py checks what every route answers to every role.
"""

from typing import Any, Protocol

from models import meetings, review

# The role sets, one name per set a route admits (models.users.ROLES lists the roles).
OBSERVERS = ("observer",)
REVIEWERS = ("coordinator", "liaison", "admin")
EVERYONE = (*OBSERVERS, *REVIEWERS)
# The dashboard, reports, audit log and data exports: the mission's core team.
COORDINATORS = ("coordinator", "admin")
# Meetings with commissions are logged by long-term observers and the CEC liaison.
MEETING_AUTHORS = ("observer", "liaison")
# Put entries on the CEC queue and take them off (coordinators only read it).
QUEUE_MANAGERS = ("liaison", "admin")
ADMINS = ("admin",)
# Who files each kind of entry.
AUTHORS = {"checklist": OBSERVERS, "incident": OBSERVERS, "interaction": MEETING_AUTHORS}


class Member(Protocol):
    """A mission member as the policy sees them."""

    id: int
    role: str
    team: str | None


Entry = dict[str, Any]


def is_reviewer(user: Member) -> bool:
    """Coordinators, the liaison and admins: they review entries and see the flags."""
    return user.role in REVIEWERS


def team_scope(user: Member) -> str | None:
    """The one team whose entries ``user`` may list: an observer's own; None means every team."""
    return user.team if user.role in OBSERVERS else None


def author_team(user: Member) -> str | None:
    """The team a new entry by ``user`` is filed under (and whose entries they edit).

    An observer's own team; the liaison's meetings go under the liaisons'
    shared team, so any liaison may correct them. None for the other roles.
    """
    if user.role in OBSERVERS:
        return user.team
    if user.role == "liaison":
        return meetings.LIAISON_TEAM
    return None


def can_read(user: Member, entry: Entry) -> bool:
    """Observers read their own team's entries; everyone else reads every entry."""
    scope = team_scope(user)
    return scope is None or entry["team"] == scope


def can_comment(user: Member, entry: Entry) -> bool:
    """Add to an entry's thread (a comment; a meeting's follow-up answer): whoever reads it."""
    return can_read(user, entry)


def is_author(user: Member, kind: str, entry: Entry) -> bool:
    """``user`` files this kind of entry and belongs to the team that filed this one."""
    return user.role in AUTHORS[kind] and entry["team"] == author_team(user)


def can_edit(user: Member, kind: str, entry: Entry) -> bool:
    """Its authors edit an entry until a reviewer verifies or rejects it."""
    return is_author(user, kind, entry) and entry["review_state"] in review.AUTHOR_EDITABLE


def can_review(user: Member, entry: Entry) -> bool:
    """Reviewers move an entry between review states, but never one they wrote."""
    return is_reviewer(user) and entry.get("author_id") != user.id


def can_add_photos(user: Member, kind: str, entry: Entry) -> bool:
    """Photos are added by the entry's authors, in every review state.

    Not locked once verified, unlike an edit: a photo only adds evidence, and
    the phone's outbox may still be sending one when a reviewer decides.
    Reviewers read photos but add none (they were not at the station).
    """
    return is_author(user, kind, entry)
