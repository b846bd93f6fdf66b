"""Reviewing entries the way browsers do (CSRF on): states, reasons, comments, list, navigation."""

import html
import itertools
import re
import uuid

import pytest

from models import definitions, review, review_list, vocabulary
from tests.conftest import Browser, good_answers, station_id, visit


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


def _file(app, db, people, user="obs1", form_type="voting", number="202", **overrides) -> int:
    browser = people(user)
    hidden = browser.open_form(form_type, station_id(db, number))
    definition = definitions.get(form_type)
    data = {**hidden, **visit(), **good_answers(definition), **overrides}
    response = browser.client.post(f"/checklists/{form_type}/new", data=data)
    assert response.status_code == 303, response.text
    return int(response.location.rsplit("/", 1)[1])


def _user_id(db, name: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0]


def _set(db, table: str, entry_id: int, **values) -> None:
    assignments = ", ".join(f"{k} = ?" for k in values)
    with db.conn:
        db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), entry_id])


def _state(db, entry_id: int, table: str = "checklists") -> str:
    return db.execute(f"SELECT review_state FROM {table} WHERE id = ?", [entry_id]).fetchone()[0]


def _events(db, kind="checklist") -> list[tuple]:
    return db.execute("SELECT entry_id, from_state, to_state, reason FROM review_events"
                      " WHERE entry_kind = ? ORDER BY id", [kind]).fetchall()


def _token(browser: Browser, path: str) -> str:
    """The CSRF token of any page (the log-out form in the header carries one)."""
    page = browser.client.get(path)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


def _move(browser: Browser, entry_id: int, to_state: str, reason="Checked with the team.",
          kind="checklist", query="", **extra):
    token = _token(browser, "/review")
    return browser.client.post(f"/review/{kind}/{entry_id}/move{query}", data={
        "csrf_token": token, "to_state": to_state, "reason": reason, **extra})


def _incident(db, team="T02", author="obs3", region="Almaty", severity="high",
              created="2023-03-19T09:00:00Z") -> int:
    with db.conn:
        return db.execute(
            "INSERT INTO incidents (uuid, region, occurred_utc, timezone, category, severity,"
            " description, reported_to_commission, team, author_id, content_hash, created_utc,"
            " updated_utc) VALUES (?, ?, ?, 'Asia/Almaty', 'intimidation', ?, 'Voters were"
            " threatened.', 'no', ?, ?, 'x', ?, ?)",
            [str(uuid.uuid4()), region, created, severity, team, _user_id(db, author),
             created, created]).lastrowid


def _interaction(db, team="T01", author="obs1", region="Astana",
                 created="2023-03-19T08:00:00Z") -> int:
    with db.conn:
        return db.execute(
            "INSERT INTO interactions (uuid, occurred_utc, timezone, commission_level,"
            " commission_name, region, team, author_id, content_hash, created_utc, updated_utc)"
            " VALUES (?, ?, 'Asia/Almaty', 'cec', 'Central Election Commission', ?, ?, ?, 'x',"
            " ?, ?)", [str(uuid.uuid4()), created, region, team, _user_id(db, author),
                      created, created]).lastrowid


# --- the state machine -------------------------------------------------------

@pytest.mark.parametrize("from_state, to_state", list(itertools.product(vocabulary.STATES,
                                                                       vocabulary.STATES)))
def test_every_transition_is_allowed_or_409(app, db, people, from_state, to_state):
    entry_id = _file(app, db, people)
    _set(db, "checklists", entry_id, review_state=from_state)
    response = _move(people("coord"), entry_id, to_state)
    if to_state in review.TRANSITIONS[from_state]:
        assert response.status_code == 303
        assert _state(db, entry_id) == to_state
        assert _events(db) == [(entry_id, from_state, to_state, "Checked with the team.")]
        audit = db.execute("SELECT action, user_id FROM audit_log ORDER BY id DESC").fetchone()
        assert audit == ("review", _user_id(db, "coord"))
    else:
        assert response.status_code == 409
        assert "cannot be moved to" in response.text
        assert _state(db, entry_id) == from_state and _events(db) == []


@pytest.mark.parametrize("to_state", review.REASON_REQUIRED)
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_sending_back_or_rejecting_needs_a_reason(app, db, people, to_state, reason):
    entry_id = _file(app, db, people)
    response = _move(people("coord"), entry_id, to_state, reason=reason)
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error"[^>]*id="q-reason">.*?</div>',
                      response.text, re.S)
    assert field and "Say why" in field.group(0)
    assert _state(db, entry_id) == "submitted" and _events(db) == []


@pytest.mark.parametrize("to_state", ["", "approved", "verified'--"])
def test_unknown_target_state_is_400(app, db, people, to_state):
    entry_id = _file(app, db, people)
    response = _move(people("coord"), entry_id, to_state)
    assert response.status_code == 400
    assert _state(db, entry_id) == "submitted"


def test_a_long_reason_is_refused_and_kept(app, db, people):
    entry_id = _file(app, db, people)
    response = _move(people("coord"), entry_id, "rejected", reason="Ж" * 2001)
    assert response.status_code == 400
    assert "limited to 2000 characters" in response.text and "Ж" * 2001 in response.text
    assert _state(db, entry_id) == "submitted"


@pytest.mark.parametrize("user", ["obs1", "obs2", "obs3"])
def test_observers_cannot_move_entries_not_even_their_own(app, db, people, user):
    entry_id = _file(app, db, people, "obs1")
    browser = people(user)
    response = browser.client.post(f"/review/checklist/{entry_id}/move", data={
        "csrf_token": _token(browser, "/checklists"), "to_state": "verified"})
    assert response.status_code == 403
    assert "an observer cannot verify" in html.unescape(response.text)
    assert _state(db, entry_id) == "submitted" and _events(db) == []


def test_a_reviewer_cannot_decide_on_an_entry_they_wrote(db, people):
    meeting = _interaction(db, team="CEC", author="liaison")
    response = _move(people("liaison"), meeting, "verified", kind="interaction")
    assert response.status_code == 403 and "You wrote this entry" in response.text
    assert _move(people("coord"), meeting, "verified", kind="interaction").status_code == 303
    assert _state(db, meeting, "interactions") == "verified"


@pytest.mark.parametrize("path", ["/review/checklist/999/move", "/review/ballot/1/move",
                                  "/review/checklist/" + "9" * 30 + "/move",
                                  "/review/checklist/999/comments"])
def test_unknown_entries_get_404(people, path):
    coord = people("coord")
    response = coord.client.post(path, data={"csrf_token": _token(coord, "/review"),
                                             "to_state": "verified", "body": "x"})
    assert response.status_code == 404


def test_move_without_csrf_is_refused(app, db, people):
    entry_id = _file(app, db, people)
    response = people("coord").client.post(f"/review/checklist/{entry_id}/move",
                                           data={"to_state": "verified"})
    assert response.status_code == 400 and "session expired" in response.text
    assert _state(db, entry_id) == "submitted"


def test_anonymous_is_sent_to_log_in(app, db, people, browser):
    entry_id = _file(app, db, people)
    response = browser.client.post(f"/review/checklist/{entry_id}/move",
                                   data={"to_state": "verified"})
    assert response.status_code in (302, 400)
    assert _state(db, entry_id) == "submitted"


def test_panel_offers_only_the_allowed_moves(app, db, people):
    entry_id = _file(app, db, people)
    page = people("coord").client.get(f"/checklists/{entry_id}").text
    buttons = re.findall(r'name="to_state" value="(\w+)"', page)
    assert buttons == list(review.TRANSITIONS["submitted"])
    assert 'name="to_state"' not in people("obs1").client.get(f"/checklists/{entry_id}").text


# --- authors and reviewed entries -----------------------------------------------

def _edit_post(app, people, user, entry_id, **overrides):
    browser = people(user)
    page = browser.client.get(f"/checklists/{entry_id}/edit", follow_redirects=True).text
    definition = definitions.get("voting")
    return browser.client.post(f"/checklists/{entry_id}/edit", data={
        "csrf_token": Browser.hidden(page, "csrf_token"), "base_version": "1",
        **visit(), **good_answers(definition), **overrides})


def test_a_verified_entry_cannot_be_edited_by_its_observer(app, db, people):
    entry_id = _file(app, db, people)
    assert _move(people("coord"), entry_id, "verified").status_code == 303
    before = db.execute("SELECT answers, version FROM checklists").fetchone()
    response = _edit_post(app, people, "obs1", entry_id, voters_on_list="999")
    assert response.status_code == 303
    page = people("obs1").client.get(response.location).text
    assert "can no longer be edited" in page
    assert db.execute("SELECT answers, version FROM checklists").fetchone() == before


def test_clarification_goes_back_to_authors_and_their_edit_resubmits(app, db, people):
    entry_id = _file(app, db, people)
    other = _file(app, db, people, "obs3")
    reason = "The number of voters on the list looks wrong: check the protocol."
    assert _move(people("coord"), entry_id, "needs_clarification", reason).status_code == 303
    waiting = review_list.awaiting_authors(db, "T01")
    assert [(w["kind"], w["id"], w["reason"]) for w in waiting] == [
        ("checklist", entry_id, reason)]
    assert review_list.awaiting_authors(db, "T02") == [] and other
    page = people("obs2").client.get(f"/checklists/{entry_id}").text
    assert "sent this entry back" in page and html.escape(reason) in page
    response = _edit_post(app, people, "obs2", entry_id, voters_on_list="950")
    assert response.status_code == 303
    assert _state(db, entry_id) == "submitted"
    assert _events(db)[-1] == (entry_id, "needs_clarification", "submitted",
                               "edited by its authors")
    edited_by = db.execute("SELECT user_id FROM review_events ORDER BY id DESC").fetchone()[0]
    assert edited_by == _user_id(db, "obs2")
    assert review_list.awaiting_authors(db, "T01") == []


# --- comments ------------------------------------------------------------------

@pytest.mark.parametrize("user, status", [("obs1", 303), ("obs2", 303), ("coord", 303),
                                          ("liaison", 303), ("admin", 303), ("obs3", 404)])
def test_who_may_comment(app, db, people, user, status):
    entry_id = _file(app, db, people, "obs1")
    browser = people(user)
    token = _token(browser, "/checklists" if user.startswith("obs") else "/review")
    response = browser.client.post(f"/review/checklist/{entry_id}/comments",
                                   data={"csrf_token": token, "body": f"Note from {user}"})
    assert response.status_code == status
    saved = db.execute("SELECT body FROM comments").fetchall()
    assert saved == ([(f"Note from {user}",)] if status == 303 else [])


@pytest.mark.parametrize("body, message", [("", "Write the comment first."),
                                           ("  \n\t ", "Write the comment first."),
                                           ("x" * 2001, "limited to 2000 characters (it has 2001)")])
def test_bad_comments_are_refused_next_to_the_field(app, db, people, body, message):
    entry_id = _file(app, db, people)
    browser = people("obs1")
    response = browser.client.post(f"/review/checklist/{entry_id}/comments", data={
        "csrf_token": _token(browser, "/checklists"), "body": body})
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error"[^>]*id="q-body">.*?</div>',
                      response.text, re.S)
    assert field and message in field.group(0)
    assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 0


def test_comments_are_seen_by_the_team_and_reviewers_only(app, db, people):
    entry_id = _file(app, db, people, "obs1")
    for user in ("coord", "obs2"):
        browser = people(user)
        browser.client.post(f"/review/checklist/{entry_id}/comments", data={
            "csrf_token": _token(browser, f"/checklists/{entry_id}"),
            "body": f"{user}: longest comment allowed " + "." * 1960})
    for user in ("obs1", "obs2", "coord", "liaison"):
        page = people(user).client.get(f"/checklists/{entry_id}").text
        assert "coord: longest comment" in page and "obs2: longest comment" in page
    assert people("obs3").client.get(f"/checklists/{entry_id}").status_code == 404


# --- the review list -------------------------------------------------------------

@pytest.fixture
def mission(app, db, people):
    """Six entries of every kind, received at known times (newest first: keys in order)."""
    c1 = _file(app, db, people, "obs1")                                   # Aktobe, T01
    c2 = _file(app, db, people, "obs3", ballot_box_stuffing="yes")        # conflicts with c1
    c3 = _file(app, db, people, "obs1", form_type="opening", number="101")  # Astana
    c4 = _file(app, db, people, "obs3", form_type="counting", number="303")  # Almaty
    for entry_id, created in ((c1, "10:00"), (c2, "10:30"), (c3, "07:30"), (c4, "16:00")):
        _set(db, "checklists", entry_id, created_utc=f"2023-03-19T{created}:00Z")
    _set(db, "checklists", c4, review_state="rejected")
    i1 = _incident(db, created="2023-03-19T09:00:00Z")                    # T02, Almaty, high
    n1 = _interaction(db, created="2023-03-19T08:00:00Z")                 # T01, Astana
    return {"c1": ("checklists", c1), "c2": ("checklists", c2), "c3": ("checklists", c3),
            "c4": ("checklists", c4), "i1": ("incidents", i1), "n1": ("meetings", n1)}


ORDER = ["c4", "c2", "c1", "i1", "n1", "c3"]


def _listed(page: str) -> list[tuple[str, int]]:
    """(path kind, id) of each row of the review list, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = body.split("<tr")[1:]
    return [(m.group(1), int(m.group(2))) for m in
            (re.search(r'href="/(checklists|incidents|meetings)/(\d+)', row) for row in rows)]


@pytest.mark.parametrize("query, expected", [
    ("", ORDER),
    ("?state=rejected", ["c4"]),
    ("?state=submitted", ["c2", "c1", "i1", "n1", "c3"]),
    ("?kind=checklist", ["c4", "c2", "c1", "c3"]),
    ("?kind=checklist:voting", ["c2", "c1"]),
    ("?kind=incident", ["i1"]),
    ("?kind=interaction", ["n1"]),
    ("?region=Aktobe", ["c2", "c1"]),
    ("?region=Almaty", ["c4", "i1"]),
    ("?team=T02", ["c4", "c2", "i1"]),
    ("?serious=y", ["c2", "i1"]),
    ("?flag=conflict", ["c2", "c1"]),
    ("?flag=serious&team=T02", ["c2"]),
    ("?flag=any&kind=checklist:voting", ["c2", "c1"]),
    ("?region=Atlantis", []),
])
def test_review_list_filters_return_the_right_rows(people, mission, query, expected):
    response = people("coord").client.get("/review" + query)
    assert response.status_code == 200
    if expected:
        assert _listed(response.text) == [mission[key] for key in expected]
    else:
        assert "No entries match these filters." in response.text


def test_review_list_rows_show_what_a_reviewer_needs(people, mission):
    page = people("coord").client.get("/review").text
    rows = page.split("<tbody>", 1)[1].split("<tr")[1:]
    c2 = rows[ORDER.index("c2")]
    assert "Checklist · Voting" in c2 and "19.03.2023 15:30 (UTC+5)" in c2
    assert "T02" in c2 and "Aktobe" in c2 and "Serious: Did you observe ballot-box" in c2
    assert '<b class="serious">1</b>' in c2
    # The default view keeps rejected entries, greyed out.
    assert 'class="state-rejected rejected"' in rows[ORDER.index("c4")]


@pytest.mark.parametrize("query, message", [("?state=archived", "Choose a state"),
                                            ("?kind=ballot", "Choose a kind"),
                                            ("?flag=red", "Choose a flag"),
                                            ("?team=" + "T" * 41, "team name is short")])
def test_bad_filters_are_400_with_a_message(people, query, message):
    response = people("coord").client.get("/review" + query)
    assert response.status_code == 400 and message in response.text


def test_review_list_pages_keep_the_filters(people, mission, monkeypatch):
    monkeypatch.setattr("views.review.PAGE", 2)
    first = people("coord").client.get("/review?kind=checklist").text
    assert _listed(first) == [mission["c4"], mission["c2"]]
    older = html.unescape(re.search(r'href="([^"]*page=2[^"]*)"', first).group(1))
    assert "kind=checklist" in older
    assert _listed(people("coord").client.get(older).text) == [mission["c1"], mission["c3"]]


def _walk(client, start: str, link: str) -> list[tuple[str, int]]:
    """Follow the panel's next (or previous) link from ``start`` until the list ends."""
    seen, url = [], start
    while True:
        path = url.split("?", 1)[0]
        kind, number = path.strip("/").split("/")
        seen.append((kind, int(number)))
        if kind == "checklists":
            page = html.unescape(client.get(url).text)
            step = re.search(rf'href="([^"]+)" rel="{link}"', page).group(1)
        else:  # incidents and meetings: the same link the panel makes
            after = {"incidents": "incident", "meetings": "interaction"}[kind]
            query = url.split("?", 1)[1] if "?" in url else ""
            key = "after" if link == "next" else "before"
            step = f"/review/{link if link == 'next' else 'previous'}?{key}={after}:{number}" \
                   + (f"&{query}" if query else "")
        response = client.get(step)
        assert response.status_code == 303
        if response.location.startswith("/review"):
            return seen
        url = response.location


@pytest.mark.parametrize("query, expected", [
    ("", ORDER),
    ("?kind=checklist", ["c4", "c2", "c1", "c3"]),
    ("?team=T02", ["c4", "c2", "i1"]),
    ("?state=submitted&region=Aktobe", ["c2", "c1"]),
])
def test_next_and_previous_walk_the_filtered_list(people, mission, query, expected):
    client = people("coord").client
    rows = _listed(client.get("/review" + query).text)
    assert rows == [mission[key] for key in expected]
    first = html.unescape(re.search(r'<tbody>.*?href="([^"]+)"', client.get(
        "/review" + query).text, re.S).group(1))
    assert first.endswith(query[1:])
    assert _walk(client, first, "next") == rows
    kind, number = rows[-1]
    last = f"/{kind}/{number}" + query
    assert _walk(client, last, "prev") == rows[::-1]


def test_save_and_next_opens_the_next_entry_of_the_filter(people, mission):
    coord = people("coord")
    c2 = mission["c2"][1]
    response = _move(coord, c2, "verified", query="?state=submitted&kind=checklist",
                     and_next="y")
    assert response.status_code == 303
    assert response.location == f"/checklists/{mission['c1'][1]}?state=submitted&kind=checklist"
    page = coord.client.get(response.location).text
    assert f"Entry #{c2} is now “Verified”." in html.unescape(page)
    # The last one of the list leads back to the list, with its filters.
    last = _move(coord, mission["c3"][1], "verified", query="?kind=checklist", and_next="y")
    assert last.location == "/review?kind=checklist"
    assert "That was the last entry" in coord.client.get(last.location).text


@pytest.mark.parametrize("step", ["/review/next?after=checklist", "/review/next?after=x:1",
                                  "/review/previous?before=checklist:abc",
                                  "/review/next?after=checklist:1&state=nope"])
def test_damaged_navigation_links_are_400(people, mission, step):
    assert people("coord").client.get(step).status_code == 400


@pytest.mark.parametrize("user, status", [("obs1", 403), ("coord", 303)])
def test_navigation_is_for_reviewers(people, mission, user, status):
    response = people(user).client.get(f"/review/next?after=checklist:{mission['c1'][1]}")
    assert response.status_code == status
