"""A choice marked exclusive ("None" among the observer groups) is never combined with others.

The definition marks it; the loader checks the mark strictly; the form, the
JSON API (same form) and the page all keep it alone.
"""

import pytest

from models import definitions
from models.definitions import DefinitionError, load
from tests.conftest import good_answers, station_id, visit
from tests.test_api import Api, checklist_body, token_for

BASE = """type: voting
version: 1
title: Voting
sections:
  - title: S
    questions:
      - id: observers
        type: {kind}
        label: Which other observers were present?
        choices:
          - {{value: party, label: Party observers}}
          - {{value: none, label: None, exclusive: {mark}}}
"""


def _write(tmp_path, kind="multi", mark="true", extra=""):
    path = tmp_path / "voting.yaml"
    path.write_text(BASE.format(kind=kind, mark=mark) + extra, encoding="utf-8")
    return path


def test_exclusive_choice_loads_from_the_definition(tmp_path):
    question = load(_write(tmp_path)).questions["observers"]
    assert question.exclusive == ("none",)
    assert question.choices == (("party", "Party observers"), ("none", "None"))


@pytest.mark.parametrize("kind, mark, extra, reason", [
    ("choice", "true", "", "multi questions only"),  # one answer only anyway
    ("multi", "'true'", "", "multi questions only"),  # a mark is true or absent
    ("multi", "1", "", "multi questions only"),
    ("multi", "false", "", "multi questions only"),
    ("multi", "true", "          - {value: x, label: X, colour: red}\n", "a choice has a value"),
    ("multi", "true", "          - {value: x}\n", "a choice has a value"),
    ("multi", "true", "          - just text\n", "a choice has a value"),
])
def test_malformed_exclusive_marks_are_refused(tmp_path, kind, mark, extra, reason):
    with pytest.raises(DefinitionError, match=reason):
        load(_write(tmp_path, kind, mark, extra))


def test_every_choice_exclusive_is_refused(tmp_path):
    path = tmp_path / "voting.yaml"
    path.write_text(BASE.format(kind="multi", mark="true").replace(
        "label: Party observers}", "label: Party observers, exclusive: true}"), encoding="utf-8")
    with pytest.raises(DefinitionError, match="every choice is exclusive"):
        load(path)


@pytest.mark.parametrize("kind", ["opening", "voting", "counting"])
def test_shipped_observer_questions_mark_none_exclusive(kind):
    assert definitions.get(kind).questions["observers_present"].exclusive == ("none",)


def _post(db, browser, observers):
    browser.login("obs1")
    hidden = browser.open_form("voting", station_id(db, "202"))
    data = {**hidden, **visit(), **good_answers(definitions.get("voting")),
            "observers_present": observers}
    return browser.client.post("/checklists/voting/new", data=data)


@pytest.mark.parametrize("observers, accepted", [
    (["none"], True),
    (["media"], True),
    (["party", "media", "international"], True),
    ([], True),  # not required
    (["none", "media"], False),
    (["party", "none"], False),
])
def test_form_refuses_none_with_other_groups(app, db, browser, observers, accepted):
    response = _post(db, browser, observers)
    if accepted:
        assert response.status_code == 303, response.text
        return
    assert response.status_code == 400
    page = response.text
    field = page[page.index('id="q-observers_present"'):]
    field = field[:field.index("</fieldset>")]
    assert "“None” cannot be ticked together with other answers" in field
    assert db.execute("SELECT count(*) FROM checklists").fetchone()[0] == 0


def test_page_marks_the_exclusive_box_for_the_script(app, db, browser):
    browser.login("obs1")
    page = browser.client.get(f"/checklists/voting/new?station={station_id(db, '202')}",
                              follow_redirects=True).text
    assert '<input data-exclusive data-question="observers_present" id="observers_present-4"' \
        in page
    assert page.count("data-exclusive") == 1


def test_api_serves_the_mark_and_refuses_the_mix(app, db):
    api = Api(app.test_client(), token_for(db, "obs1"))
    voting = api.get("/api/v1/definitions").json["definitions"]["voting"]
    observers = next(q for s in voting["sections"] for q in s["questions"]
                     if q["id"] == "observers_present")
    assert [c["value"] for c in observers["choices"] if c.get("exclusive")] == ["none"]
    body = checklist_body(app, db)
    body["answers"]["observers_present"] = ["none", "party"]
    response = api.post("/api/v1/checklists", body)
    assert response.status_code == 422  # well-formed JSON, answers refused by the form
    assert "cannot be ticked together" in str(response.json)
