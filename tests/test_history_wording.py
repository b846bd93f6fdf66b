"""A checklist's edit history in the form's wording, the same on the entry page and in its PDF."""

import re

import pytest

from models import definitions, vocabulary
from reports.entry import build_entry
from tests.conftest import Browser, good_answers, station_id, visit

VOTING = "voting"
OVERCROWDED = "Were there long queues or was the polling station overcrowded?"
VOTED = "Number of voters who had voted at the time of your visit"


@pytest.mark.parametrize("changes, expected", [
    ({"overcrowded": ["no", "yes"]}, [(OVERCROWDED, "No", "Yes")]),
    ({"voters_voted": [412, 450]}, [(VOTED, "412", "450")]),
    ({"voters_voted": [None, 450]}, [(VOTED, "—", "450")]),
    ({"overall": ["good", "very_bad"]}, [("Overall assessment", "Good", "Very bad")]),
    ({"arrival_utc": ["2023-03-19T04:00:00Z", "2023-03-19T05:00:00Z"]},
     [("Arrival", "19.03.2023 10:00 (UTC+6)", "19.03.2023 11:00 (UTC+6)")]),
    ({"comments": [None, "Queue outside"]}, [("Observers' comments", "—", "Queue outside")]),
    ({"figures_confirmed": [None, True]},
     [("The figures are correct as written", "—", "Yes")]),
    ({"an_old_question": ["a", "b"]}, [("an_old_question", "a", "b")]),  # not in this version
    ({"protocol-list-amanat": [400, 401]},
     [("Protocol: Mazhilis, nationwide party list · Amanat", "400", "401")]),
    ({"protocol-smd-valid": [780, None]},
     [("Protocol: Mazhilis, single-member districts · Valid ballots", "780", "—")]),
])
def test_changes_read_as_the_form_words_them(app, changes, expected):
    with app.test_request_context():
        rows = vocabulary.checklist_changes(changes, definitions.get(VOTING), "Asia/Almaty")
    assert [tuple(map(str, row)) for row in rows] == expected


def test_page_and_pdf_show_the_same_words_not_codes(app, db, browser):
    browser.login("obs1")
    answers = {**good_answers(definitions.get(VOTING)), "overcrowded": "no",
               "voters_on_list": "1000", "voters_voted": "412"}
    hidden = browser.open_form(VOTING, station_id(db, "202"))
    data = {**hidden, **visit(), **answers}
    entry = browser.client.post(f"/checklists/{VOTING}/new", data=data).location
    form = browser.client.get(entry + "/edit").text
    saved = browser.client.post(entry + "/edit", data={
        **data, "csrf_token": Browser.hidden(form, "csrf_token"), "base_version": "1",
        "overcrowded": "yes", "voters_voted": "450", "overall": "bad"})
    assert saved.status_code == 303
    page = browser.client.get(entry).text
    history = re.search(r'<section class="card history">(.*?)</section>', page, re.S).group(1)
    shown = [tuple(m) for m in re.findall(r"<li><b>([^<]*)</b>: ([^<]*) → ([^<]*)</li>", history)]
    assert (OVERCROWDED, "No", "Yes") in shown and (VOTED, "412", "450") in shown
    assert ("Overall assessment", "Good", "Bad") in shown
    assert not re.search(r">overcrowded|voters_voted|<code>", history)
    with app.test_request_context():
        report = build_entry(db, "checklist", int(entry.rsplit("/", 1)[1]),
                             definitions.by_type())
    assert [tuple(map(str, c)) for c in report["versions"][1]["changes"]] == shown
