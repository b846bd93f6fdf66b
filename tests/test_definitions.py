"""Checklist definitions are data: the shipped ones load, malformed ones are refused by name."""

import io

import pytest

from models.definitions import TYPES, DefinitionError, by_type, load
from models.definitions.extract import extract_checklists


def test_the_four_odihr_checklists_load():
    definitions = by_type()
    assert list(definitions) == list(TYPES)
    for definition in definitions.values():
        assert definition.version >= 1
        assert len(definition.questions) >= 10
        assert any(q.serious for q in definition.questions.values())
    counting = definitions["counting"]
    assert any(c.rule == "sum" for c in counting.checks)
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
