"""The access policy (models/access.py) as tables: role × team × review state × kind of entry.

tests/test_access.py checks what each route answers; this file checks the
rules those answers come from, including the combinations no fixture files
(a verified meeting of the liaison's, an admin's own entry, ...).
"""

from dataclasses import dataclass

import pytest

from models import access, users

KINDS = ("checklist", "incident", "interaction")
STATES = ("submitted", "needs_clarification", "verified", "rejected")
# Whose entry: the observer's team, another observer team, the liaisons' shared team.
TEAMS = ("T01", "T02", "liaison")


@dataclass
class Member:
    id: int
    role: str
    team: str | None


MEMBERS = {"observer": Member(1, "observer", "T01"), "liaison": Member(2, "liaison", None),
           "coordinator": Member(3, "coordinator", None), "admin": Member(4, "admin", None)}
SOMEONE_ELSE = 99


def entry(team: str, state: str = "submitted", author_id: int = SOMEONE_ELSE) -> dict:
    return {"id": 7, "team": team, "review_state": state, "author_id": author_id}


# Which teams' entries each role reads (and comments on), whatever the kind and state.
READS = {"observer": {"T01"}, "liaison": set(TEAMS), "coordinator": set(TEAMS),
         "admin": set(TEAMS)}
# Which teams' entries each role edits, by kind; missing pairs edit nothing.
EDITS = {("observer", "checklist"): {"T01"}, ("observer", "incident"): {"T01"},
         ("observer", "interaction"): {"T01"}, ("liaison", "interaction"): {"liaison"}}
# The authors edit in these states only: once verified or rejected, an entry is locked.
EDITABLE = {"submitted": True, "needs_clarification": True, "verified": False, "rejected": False}
# May review (someone else's entry, their own entry), whatever the team, kind and state.
REVIEWS = {"observer": (False, False), "liaison": (True, False), "coordinator": (True, False),
           "admin": (True, False)}


@pytest.mark.parametrize("role", MEMBERS)
@pytest.mark.parametrize("team", TEAMS)
@pytest.mark.parametrize("state", STATES)
def test_who_reads_and_comments(role, team, state):
    user, found = MEMBERS[role], entry(team, state)
    assert access.can_read(user, found) is (team in READS[role])
    assert access.can_comment(user, found) is (team in READS[role])


@pytest.mark.parametrize("role", MEMBERS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("team", TEAMS)
@pytest.mark.parametrize("state", STATES)
def test_who_edits(role, kind, team, state):
    author = team in EDITS.get((role, kind), set())
    user, found = MEMBERS[role], entry(team, state)
    assert access.is_author(user, kind, found) is author
    assert access.can_edit(user, kind, found) is (author and EDITABLE[state])


@pytest.mark.parametrize("role", MEMBERS)
@pytest.mark.parametrize("team", TEAMS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("own", [False, True], ids=["others", "own"])
def test_who_reviews(role, team, state, own):
    user = MEMBERS[role]
    found = entry(team, state, author_id=user.id if own else SOMEONE_ELSE)
    assert access.can_review(user, found) is REVIEWS[role][own]
    assert access.is_reviewer(user) is REVIEWS[role][False]


def test_an_observer_of_another_team_reads_none_of_the_first_teams_entries():
    other = Member(5, "observer", "T02")
    assert not access.can_read(other, entry("T01"))
    assert not access.can_edit(other, "checklist", entry("T01"))
    assert access.can_edit(other, "checklist", entry("T02"))


@pytest.mark.parametrize(("role", "scope", "files_under"), [
    ("observer", "T01", "T01"), ("liaison", None, "liaison"),
    ("coordinator", None, None), ("admin", None, None)])
def test_listing_scope_and_filing_team(role, scope, files_under):
    assert access.team_scope(MEMBERS[role]) == scope
    assert access.author_team(MEMBERS[role]) == files_under


NAMED_SETS = {name: value for name, value in vars(access).items()
              if name.isupper() and isinstance(value, tuple)}


def test_role_sets_name_real_roles_once():
    assert set(access.EVERYONE) == set(users.ROLES)
    for name, roles in NAMED_SETS.items():
        assert roles and set(roles) <= set(users.ROLES), name
    distinct = {frozenset(roles) for roles in NAMED_SETS.values()}
    assert len(distinct) == len(NAMED_SETS), "two names for the same set of roles"
    for kind in KINDS:
        assert access.AUTHORS[kind] in NAMED_SETS.values()


def test_every_route_admits_a_named_role_set(app):
    """No route spells out its own tuple of roles: each takes one from models/access.py."""
    named = {frozenset(roles) for roles in NAMED_SETS.values()}
    checked = {endpoint: view.roles for endpoint, view in app.view_functions.items()
               if hasattr(view, "roles")}
    assert checked, "roles_required no longer marks its views"
    assert {e: r for e, r in checked.items() if frozenset(r) not in named} == {}
