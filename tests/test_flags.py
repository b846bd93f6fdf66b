"""Automatic flags: computed when a checklist is filed or edited (CSRF on), shown to reviewers."""

import html
import re

import pytest

from models import checklists, definitions, entries, flags, users
from tests.conftest import PASSWORD, Browser, good_answers, station_id, visit


@pytest.fixture
def people(app):
    """One logged-in browser per user name, made on first use."""
    made = {}

    def get(name: str) -> Browser:
        if name not in made:
            made[name] = Browser(app.test_client())
            made[name].login(name)
        return made[name]
    return get


def _definition(app, form_type):
    return definitions.get(form_type)


def _file(app, db, people, user="obs1", form_type="voting", number="202", **overrides) -> int:
    browser = people(user)
    hidden = browser.open_form(form_type, station_id(db, number))
    data = {**hidden, **visit(), **good_answers(_definition(app, form_type)), **overrides}
    response = browser.client.post(f"/checklists/{form_type}/new", data=data)
    assert response.status_code == 303, response.text
    return int(response.location.rsplit("/", 1)[1])


def _edit(app, db, people, user, entry_id, form_type="voting", **overrides):
    browser = people(user)
    page = browser.client.get(f"/checklists/{entry_id}/edit")
    version = db.execute("SELECT version FROM checklists WHERE id = ?", [entry_id]).fetchone()[0]
    data = {"csrf_token": Browser.hidden(page.text, "csrf_token"),
            "uuid": Browser.hidden(page.text, "uuid"),
            "station_id": Browser.hidden(page.text, "station_id"), "base_version": str(version),
            **visit(), **good_answers(_definition(app, form_type)), **overrides}
    response = browser.client.post(f"/checklists/{entry_id}/edit", data=data)
    assert response.status_code == 303, response.text


def _flags(db, entry_id) -> list[tuple]:
    return db.execute("SELECT code, reason, other_id FROM flags WHERE entry_kind = 'checklist'"
                      " AND entry_id = ? ORDER BY id", [entry_id]).fetchall()


def _codes(db, entry_id) -> list[str]:
    return [f[0] for f in _flags(db, entry_id)]


# The party-list protocol as the counting form posts it (forms/protocol.py), adding up.
COUNTING_OK = {f"protocol-list-{item}": str(value) for item, value in {
    "voters_on_list": 1000, "ballots_received": 700, "ballots_issued": 600,
    "ballots_cancelled": 100, "ballots_in_boxes": 600, "invalid": 20, "valid": 580,
    "amanat": 300, "auyl": 100, "respublica": 80, "aq_zhol": 50, "peoples_party": 20,
    "nsdp": 10, "baytaq": 10, "against_all": 10}.items()}
LIST = "Protocol “Mazhilis, nationwide party list”: "


@pytest.mark.parametrize("form_type, overrides, code, reason", [
    ("voting", {"voters_on_list": "500", "voters_voted": "520", "figures_confirmed": "y"},
     "voters_exceed_list", "Number of voters who had voted at the time of your visit (520) "
                           "exceeds the number of voters on the list (500)."),
    ("counting", {**COUNTING_OK, "protocol-list-ballots_issued": "1010",
                  "protocol-list-ballots_received": "1200", "figures_confirmed": "y"},
     "voters_exceed_list", LIST + "Ballots issued cannot exceed the voters on the list. "
                                 "(1010 against 1000)"),
    ("counting", {**COUNTING_OK, "protocol-list-ballots_received": "650",
                  "figures_confirmed": "y"},
     "figures_mismatch", LIST + "Ballots issued + cancelled unused cannot exceed ballots "
                                "received. (700 against 650)"),
    ("counting", {**COUNTING_OK, "protocol-list-amanat": "320", "figures_confirmed": "y"},
     "figures_mismatch", LIST + "Valid ballots must equal the votes of all options together "
                                "(with “against all”). (580 against 600)"),
    ("counting", {**COUNTING_OK, "protocol-list-invalid": "800", "figures_confirmed": "y"},
     "figures_mismatch", LIST + "Ballots found in the boxes must equal valid + invalid "
                                "ballots. (600 against 1380)"),
    ("voting", {"ballot_box_stuffing": "yes", "intimidation": "yes"},
     "serious", "Serious: Did you observe intimidation of voters?; "
                "Did you observe ballot-box stuffing?"),
    ("counting", {**COUNTING_OK, "protocol_presigned": "yes"},
     "serious", "Had the protocol been signed before the count was completed"),
])
def test_each_rule_flags_with_a_reason(app, db, people, form_type, overrides, code, reason):
    entry_id = _file(app, db, people, form_type=form_type, **overrides)
    found = _flags(db, entry_id)
    assert code in [f[0] for f in found]
    assert any(reason in f[1] for f in found if f[0] == code), found


@pytest.mark.parametrize("form_type, overrides", [
    ("voting", {}), ("counting", COUNTING_OK), ("opening", {}), ("tabulation", {}),
    # "Not observed" on a serious question is not a problem answer.
    ("voting", {"ballot_box_stuffing": "not_observed"}),
])
def test_clean_checklists_get_no_flags(app, db, people, form_type, overrides):
    assert _flags(db, _file(app, db, people, form_type=form_type, **overrides)) == []


def test_departure_before_arrival_from_data_that_skipped_the_form(app, db):
    """The form refuses it, but data may come from an API or import later: keep the rule."""
    definition = _definition(app, "voting")
    answers = {k: int(v) if v.isdigit() else v for k, v in good_answers(definition).items()}
    filing = checklists.Filing(
        uuid="0b9a5c1e-1f7d-4c5e-9a51-3d2f8f0c1a22", form_type="voting", form_version=1,
        station_id=station_id(db, "202"), timezone="Asia/Aqtobe",
        arrival_utc="2023-03-19T06:00:00Z", departure_utc="2023-03-19T05:30:00Z",
        answers=answers, overall="good", serious_count=0)
    author = db.execute("SELECT id FROM users WHERE username = 'obs1'").fetchone()[0]
    entry_id, _created = entries.create(db, checklists.CHECKLISTS, filing, author, "T01")
    assert _flags(db, entry_id) == [(
        "departure_before_arrival",
        "Departure (19.03.2023 10:30) is not after arrival (19.03.2023 11:00).", None)]


@pytest.mark.parametrize("first, second, conflict, what", [
    ({"ballot_box_stuffing": "yes"}, {"ballot_box_stuffing": "no"}, True,
     "“Did you observe ballot-box stuffing?” yes here, no there"),
    ({"overall": "very_good"}, {"overall": "bad"}, True,
     "overall assessment very good here, bad there"),
    ({"overall": "very_good"}, {"overall": "very_bad"}, True, "very bad there"),
    ({"overall": "good"}, {"overall": "bad"}, False, ""),
    ({"ballot_box_stuffing": "yes"}, {"ballot_box_stuffing": "not_observed"}, False, ""),
    ({"tension": "yes"}, {"tension": "no"}, False, ""),  # not a serious question
])
def test_two_teams_disagreeing_on_one_station_are_both_flagged_and_linked(
        app, db, people, first, second, conflict, what):
    mine = _file(app, db, people, "obs1", **first)
    theirs = _file(app, db, people, "obs3", **second)
    conflicts_mine = [f for f in _flags(db, mine) if f[0] == "conflict"]
    conflicts_theirs = [f for f in _flags(db, theirs) if f[0] == "conflict"]
    if not conflict:
        assert conflicts_mine == conflicts_theirs == []
        return
    assert [f[2] for f in conflicts_mine] == [theirs]
    assert [f[2] for f in conflicts_theirs] == [mine]
    assert f"Team T02's checklist #{theirs}" in conflicts_mine[0][1]
    assert f"Team T01's checklist #{mine}" in conflicts_theirs[0][1]
    assert what in conflicts_mine[0][1]


@pytest.mark.parametrize("second_user, number, form_type", [
    ("obs2", "202", "voting"),   # the same team filing twice is no conflict between teams
    ("obs3", "101", "voting"),   # another station
    ("obs3", "202", "opening"),  # another checklist type
])
def test_no_conflict_unless_two_teams_same_station_same_type(app, db, people, second_user,
                                                             number, form_type):
    mine = _file(app, db, people, "obs1", overall="very_good")
    theirs = _file(app, db, people, second_user, form_type=form_type, number=number,
                   overall="very_bad")
    assert "conflict" not in _codes(db, mine) + _codes(db, theirs)


def test_conflict_disappears_when_an_edit_fixes_it(app, db, people):
    mine = _file(app, db, people, "obs1", ballot_box_stuffing="yes")
    theirs = _file(app, db, people, "obs3")
    assert _codes(db, mine) == ["serious", "conflict"] and _codes(db, theirs) == ["conflict"]
    _edit(app, db, people, "obs2", mine, ballot_box_stuffing="no")
    assert _codes(db, mine) == [] and _codes(db, theirs) == []
    # ... and comes back, linked again, when an edit reintroduces it.
    _edit(app, db, people, "obs3", theirs, overall="very_bad")
    assert [(f[0], f[2]) for f in _flags(db, mine)] == [("conflict", theirs)]
    assert [(f[0], f[2]) for f in _flags(db, theirs)] == [("conflict", mine)]


def test_a_third_teams_conflicts_survive_an_edit_that_fixes_another(app, db, people, app_users):
    first = _file(app, db, people, "obs1", ballot_box_stuffing="yes")
    second = _file(app, db, people, "obs3")
    third = _file(app, db, people, "obs4")
    assert sorted(f[2] for f in _flags(db, first) if f[0] == "conflict") == [second, third]
    _edit(app, db, people, "obs3", second, ballot_box_stuffing="not_observed")
    assert [f[2] for f in _flags(db, first) if f[0] == "conflict"] == [third]
    assert [f[2] for f in _flags(db, third)] == [first]
    assert _flags(db, second) == []


@pytest.fixture
def app_users(db):
    """A third team's observer (obs4, T03), for three-way conflicts."""
    users.create_user(db, "obs4", PASSWORD, "observer", "T03", "Aktobe")


def _move(people, db, entry_id, to_state, reason="Checked by phone with the team."):
    coord = people("coord")
    page = coord.client.get(f"/checklists/{entry_id}")
    return coord.client.post(f"/review/checklist/{entry_id}/move", data={
        "csrf_token": Browser.hidden(page.text, "csrf_token"), "to_state": to_state,
        "reason": reason})


def test_rejected_entries_make_no_conflicts(app, db, people):
    mine = _file(app, db, people, "obs1", ballot_box_stuffing="yes")
    theirs = _file(app, db, people, "obs3")
    assert _move(people, db, theirs, "rejected").status_code == 303
    assert _codes(db, mine) == ["serious"] and _codes(db, theirs) == []
    later = _file(app, db, people, "obs2", ballot_box_stuffing="no")  # same team as mine
    assert "conflict" not in _codes(db, later)
    assert _move(people, db, theirs, "submitted").status_code == 303  # reopened
    assert [f[2] for f in _flags(db, theirs) if f[0] == "conflict"] == [mine]


def test_rebuild_gives_the_same_flags_as_saving_one_by_one(app, db, people):
    _file(app, db, people, "obs1", ballot_box_stuffing="yes", overall="very_bad")
    _file(app, db, people, "obs3", overall="very_good")
    _file(app, db, people, "obs2", voters_on_list="10", voters_voted="20",
          figures_confirmed="y")
    _file(app, db, people, "obs2", form_type="counting", figures_confirmed="y",
          **{**COUNTING_OK, "protocol-list-amanat": "320"})
    query = "SELECT entry_id, code, reason, other_id FROM flags ORDER BY entry_id, code, other_id"
    before = db.execute(query).fetchall()
    assert any(row[2].startswith(LIST) for row in before)  # the protocol's flag is rebuilt too
    assert flags.rebuild(db) == len(before) > 0
    assert db.execute(query).fetchall() == before


def test_reviewers_see_flag_reasons_and_the_link_observers_do_not(app, db, people):
    mine = _file(app, db, people, "obs1", ballot_box_stuffing="yes")
    theirs = _file(app, db, people, "obs3")
    listing = people("coord").client.get("/review?flag=conflict")
    assert listing.status_code == 200
    assert f"Team T02&#39;s checklist #{theirs}" in listing.text
    page = html.unescape(people("coord").client.get(f"/checklists/{mine}").text)
    assert "Automatic flags" in page
    assert re.search(rf'href="/checklists/{theirs}"[^>]*>Open checklist #{theirs}', page)
    own = people("obs1").client.get(f"/checklists/{mine}").text
    assert "Automatic flags" not in own and "Team T02" not in own
