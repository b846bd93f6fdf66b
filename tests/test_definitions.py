"""Checklist definitions are data: the shipped ones load, malformed ones are refused by name."""

import io
import random

import pytest

from models.definitions import TYPES, DefinitionError, by_type, get, load
from models.definitions.extract import extract_checklists
from models.demo_answers import answers_for


def test_the_four_odihr_checklists_load():
    definitions = by_type()
    assert list(definitions) == list(TYPES)
    for definition in definitions.values():
        assert definition.version >= 1
        assert len(definition.questions) >= 10
        assert any(q.serious for q in definition.questions.values())
    # Counting v2 leaves the protocol's figures to the protocol section (forms/protocol.py):
    # no party-list questions and no sums over them; version 1 keeps both for its entries.
    counting = definitions["counting"]
    assert not any(c.rule == "sum" for c in counting.checks)
    assert not {"voters_signed", "ballots_valid", "votes_amanat"} & set(counting.questions)
    assert any(c.rule == "sum" for c in get("counting", 1).checks)
    assert definitions["voting"].questions["ballot_box_stuffing"].serious


BASE = """type: voting
version: 1
title: Voting
sections:
  - title: S
    questions:
      - {id: opened, type: yesno, label: Opened}
"""


@pytest.mark.parametrize("extra, reason", [
    ("      - {id: opened, type: yesno, label: Again}\n", "reserved or used twice"),
    ("      - {id: overall, type: yesno, label: Clash}\n", "reserved or used twice"),
    ("      - {id: x, type: essay, label: X}\n", "type must be one of"),
    ("      - {id: x, type: yesno}\n", "label is missing"),
    ("      - {id: x, type: yesno, label: X, colour: red}\n", "unknown key"),
    ("      - {id: x, type: choice, label: X}\n", "choices go with choice"),
    ("      - {id: x, type: integer, label: X, relevant: {later: 'yes'}}\n", "relevant must name"),
    ("      - {id: x, type: integer, label: X, relevant: {opened: maybe}}\n", "relevant must name"),
    ("      - {id: x, type: integer, label: X, serious: true}\n", "yes/no questions only"),
    ("      - {id: x, type: text, label: X, min: 1}\n", "integer questions only"),
    ("checks:\n  - {rule: lte, left: opened, right: opened, message: m}\n",
     "is not an integer question"),
])
def test_malformed_definition_is_refused_with_the_reason(tmp_path, extra, reason):
    path = tmp_path / "voting.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(DefinitionError, match=reason):
        load(path)


def test_file_name_must_match_type(tmp_path):
    path = tmp_path / "opening.yaml"
    path.write_text(BASE, encoding="utf-8")
    with pytest.raises(DefinitionError, match="must be the file's name"):
        load(path)


def test_definition_strings_are_extracted_for_translation():
    with open("models/definitions/voting.yaml", "rb") as handle:
        messages = {m[2] for m in extract_checklists(io.BytesIO(handle.read()), [], [], {})}
    definition = by_type()["voting"]
    for question in definition.questions.values():
        assert question.label in messages
    assert all(c.message in messages for c in definition.checks)


# --- the ODIHR staples (shared/domain.md, "ODIHR staples to cover in the checklists") ------

COMMON_STAPLES = ("procedures_followed", "commission_understanding", "commission_transparency",
                  "commission_members", "commission_women", "chair_gender")
STAPLES = {
    "voting": ("supplementary_list_used", "supplementary_count", "supplementary_repeated",
               "absentee_certificates", "voting_without_id", "voting_not_on_list",
               "ballots_photographed", "vote_buying", "carousel_voting", "assisted_voting",
               "assisted_voting_problems", "observers_see_identification"),
    "counting": ("count_started", "count_ended", "sequence_followed", "choices_announced",
                 "mobile_box_counted", "mobile_counted_separately",
                 "mobile_checked_against_requests", "protocol_in_pen", "protocol_from_draft",
                 "count_complaints", "materials_sealed"),
    "tabulation": ("unauthorized_interfering", "tec_protocol_copy_given", "recounts",
                   "recounts_by_procedure", "tec_complaints"),
    "opening": (),
}
# The answer that points to a problem, so flags and the summary's indicators count it.
PROBLEMS = {"procedures_followed": "no", "observers_see_identification": "no",
            "sequence_followed": "no", "choices_announced": "no", "protocol_in_pen": "no",
            "protocol_from_draft": "yes", "materials_sealed": "no", "vote_buying": "yes",
            "carousel_voting": "yes", "mobile_more_than_requests": "yes",
            "tec_protocol_copy_given": "no", "supplementary_repeated": "yes"}
# Asked only after the answer that calls for them, so a visit still takes minutes.
FOLLOW_UPS = {"supplementary_count": ("supplementary_list_used", "yes"),
              "supplementary_repeated": ("supplementary_list_used", "yes"),
              "absentee_procedure_followed": ("absentee_certificates", "yes"),
              "assisted_voting_problems": ("assisted_voting", "seen"),
              "mobile_counted_separately": ("mobile_box_counted", "used"),
              "mobile_more_than_requests": ("mobile_box_counted", "used"),
              "recounts_by_procedure": ("recounts", "held"),
              "notes_tec_complaints": ("tec_complaints", "yes")}


@pytest.mark.parametrize("kind", TYPES)
def test_every_checklist_asks_the_odihr_staples(kind):
    definition = by_type()[kind]
    assert definition.version == 2
    missing = [q for q in COMMON_STAPLES + STAPLES[kind] if q not in definition.questions]
    assert missing == []
    ratings = [v for v, _label in definition.questions["commission_understanding"].choices]
    assert ratings == ["very_good", "good", "bad", "very_bad"]
    assert any(c.left == "commission_women" and c.right == "commission_members"
               for c in definition.checks)


def test_staples_mark_their_problem_answers_and_follow_ups():
    questions = {q.id: q for d in by_type().values() for q in d.questions.values()}
    assert {qid: questions[qid].problem for qid in PROBLEMS} == PROBLEMS
    assert questions["vote_buying"].serious and questions["carousel_voting"].serious
    assert {qid: questions[qid].relevant for qid in FOLLOW_UPS} == FOLLOW_UPS


def test_new_labels_are_short_enough_to_read_aloud():
    new = [q for kind, d in by_type().items() for q in d.questions.values()
           if q.id not in get(kind, 1).questions]
    assert len(new) >= 40
    assert [q.label for q in new if len(q.label) > 110] == []
    # Terms an interpreter may not know come with help text.
    assert all(by_type()["voting"].questions[qid].help
               for qid in ("carousel_voting", "absentee_certificates", "vote_buying"))


@pytest.mark.parametrize("overall", ["very_good", "bad"])
def test_demo_answers_fill_the_staples_plausibly(overall):
    rng = random.Random(7)
    visit = {"voters": 1500, "arrival": 600, "departure": 23 * 60,
             "tec": ("Almaty city TEC", "Medeu district TEC")}
    for _round in range(30):
        for kind, definition in by_type().items():
            answers = answers_for(definition, overall, visit, rng)
            assert answers["procedures_followed"] in ("yes", "no", "not_observed")
            assert answers["commission_understanding"] in ("very_good", "good", "bad",
                                                           "very_bad")
            if "commission_members" in answers:
                assert 0 <= answers["commission_women"] <= answers["commission_members"] <= 50
            if kind == "counting" and "count_started" in answers:
                assert "20:00" < answers["count_started"] < "21:00"
            if kind == "voting" and answers["supplementary_list_used"] == "yes":
                assert "supplementary_repeated" in answers
            if kind == "voting" and answers["supplementary_list_used"] != "yes":
                assert "supplementary_count" not in answers
