"""Every field is validated on the server; a rejected checklist keeps what was typed."""

import json
import re

import pytest

from models import definitions
from tests.conftest import good_answers, station_id, visit


def _post(app, db, browser, form_type="voting", **overrides):
    browser.login("obs1")
    definition = definitions.get(form_type)
    hidden = browser.open_form(form_type, station_id(db, "202"))
    data = {**hidden, **visit(), **good_answers(definition)}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return browser.client.post(f"/checklists/{form_type}/new", data=data)


def _count(db) -> int:
    return db.execute("SELECT count(*) FROM checklists").fetchone()[0]


@pytest.mark.parametrize("overrides, message", [
    ({"voters_voted": "1200", "voters_on_list": "1000"}, "cannot exceed the number of voters"),
    ({"voters_on_list": "abc"}, "Enter a whole number"),
    ({"voters_on_list": "-5"}, "Enter a whole number"),
    ({"voters_on_list": "1.5"}, "Enter a whole number"),
    ({"voters_on_list": "99999"}, "Enter a number from 0 to 10000"),
    ({"voters_on_list": None}, "This question needs an answer"),
    ({"ballot_box_stuffing": "maybe"}, "Choose one of the options shown"),
    ({"ballot_box_stuffing": None}, "This question needs an answer"),
    ({"mobile_box_used": "sometimes"}, "Choose one of the options shown"),
    ({"unauthorized_present": "yes", "unauthorized_who": "army",
      "unauthorized_interfering": "no"}, "Choose from the options shown"),
    ({"voters_turned_away": "yes", "notes_turned_away": "x" * 2001},
     "limited to 2000 characters"),
    ({"arrival_time": "25:00"}, "Enter the time as HH:MM"),
    ({"arrival_time": "ten"}, "Enter the time as HH:MM"),
    ({"arrival_time": ""}, "Enter your arrival time"),
    ({"arrival_date": "2023-02-30"}, "Not a valid date value"),
    ({"arrival_date": "0001-01-01", "arrival_time": "01:00"}, "Check the year"),
    ({"departure_date": "0023-03-19"}, "Check the year"),
    ({"departure_time": "09:00"}, "Departure must be after arrival"),
    ({"departure_date": "2023-03-21"}, "cannot last more than 24 hours"),
    ({"arrival_date": "2099-03-19", "departure_date": "2099-03-19"}, "in the future"),
    ({"overall": None}, "Choose the overall assessment"),
    ({"overall": "excellent"}, "Choose the overall assessment"),
    ({"comments": "c" * 2001}, "Comments are limited to 2000 characters (they have 2001)"),
])
def test_bad_answers_are_refused_next_to_the_field(app, db, browser, overrides, message):
    response = _post(app, db, browser, **overrides)
    assert response.status_code == 400
    assert message in response.text
    assert "Nothing you typed was lost" in response.text
    assert _count(db) == 0


@pytest.mark.parametrize("typed, refused", [(1500, False), (1501, True)])
def test_the_comment_box_takes_its_one_limit_from_max_text_length(app, db, browser, typed,
                                                                  refused):
    """One limit for free text (MAX_TEXT_LENGTH): the box's maxlength, its counter's words
    and the server's check all follow the setting, and a long text is said, not cut."""
    app.config["MAX_TEXT_LENGTH"] = 1500
    response = _post(app, db, browser, comments="я" * typed)
    if refused:
        assert response.status_code == 400
        assert "Comments are limited to 1500 characters (they have 1501)" in response.text
        box = re.search(r"<textarea[^>]*name=\"comments\"[^>]*>", response.text).group(0)
        assert 'maxlength="1500"' in box and "data-count-over" in box
        assert "я" * 1501 in response.text  # what was typed comes back whole
        assert _count(db) == 0
    else:
        assert response.status_code in (302, 303)
        assert _count(db) == 1


def test_rejected_form_keeps_what_was_typed(app, db, browser):
    response = _post(app, db, browser, voters_on_list="abc", voters_voted="321",
                     comments="Очередь у входа", ballot_box_stuffing="no")
    assert response.status_code == 400
    assert 'value="abc"' in response.text and 'value="321"' in response.text
    assert "Очередь у входа" in response.text
    radios = re.findall(r'<input[^>]*name="ballot_box_stuffing"[^>]*>', response.text)
    assert [tag for tag in radios if "checked" in tag] == \
        [tag for tag in radios if 'value="no"' in tag]


def test_answers_to_skipped_questions_are_dropped(app, db, browser):
    response = _post(app, db, browser, voters_turned_away="no",
                     notes_turned_away="should not be kept")
    assert response.status_code == 303
    answers = json.loads(db.execute("SELECT answers FROM checklists").fetchone()[0])
    assert "notes_turned_away" not in answers
    assert answers["voters_turned_away"] == "no"


def test_skip_logic_asks_follow_up_when_relevant(app, db, browser):
    response = _post(app, db, browser, "opening", opened_on_time="no")
    assert response.status_code == 400
    assert "This question needs an answer" in response.text
    ok = _post(app, db, browser, "opening", opened_on_time="no", minutes_late="25")
    assert ok.status_code == 303
    answers = json.loads(db.execute("SELECT answers FROM checklists").fetchone()[0])
    assert answers["minutes_late"] == 25


def test_count_after_midnight_with_next_day_departure(app, db, browser):
    # The party-list protocol, in the protocol section (the one place for its figures).
    figures = {"protocol-list-ballots_received": "1000", "protocol-list-ballots_cancelled": "400",
               "protocol-list-valid": "590", "protocol-list-invalid": "10",
               "protocol-list-amanat": "590"}
    response = _post(app, db, browser, "counting", arrival_time="19:45", departure_time="02:30",
                     departure_date="2023-03-20", **figures)
    assert response.status_code == 303, response.text
    row = db.execute("SELECT arrival_utc, departure_utc FROM checklists").fetchone()
    assert row == ("2023-03-19T14:45:00Z", "2023-03-19T21:30:00Z")


def test_figures_that_do_not_add_up_need_confirmation(app, db, browser):
    # A definition's own check; the protocol section's are in test_protocols.py.
    figures = {"voters_on_list": "1000", "voters_voted": "1030"}
    refused = _post(app, db, browser, "voting", **figures)
    assert refused.status_code == 400
    assert "The figures are correct as written" in refused.text
    confirmed = _post(app, db, browser, "voting", figures_confirmed="y", **figures)
    assert confirmed.status_code == 303
    answers = json.loads(db.execute("SELECT answers FROM checklists").fetchone()[0])
    assert answers["figures_confirmed"] is True


def test_serious_problem_is_counted(app, db, browser):
    response = _post(app, db, browser, ballot_box_stuffing="yes", identical_signatures="yes")
    assert response.status_code == 303
    assert db.execute("SELECT serious_count FROM checklists").fetchone()[0] == 2
