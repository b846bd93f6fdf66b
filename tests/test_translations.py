"""The Kazakh and Russian catalogues: complete, compilable, with the checklists' own words.

Each test reads the catalogue a translator edits (translations/<lang>/LC_MESSAGES/
messages.po) against a fresh extraction of every marked string (as `make messages`
makes it), so a new message without its translation fails here.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from models import definitions
from models.languages import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [code for code in LANGUAGES if code != "en"]
PLURAL_FORMS = {"ru": 3, "kk": 2}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every user-facing string of the code, the templates and the checklist YAML."""
    pot = tmp_path_factory.mktemp("messages") / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
                    "-k", "_l", "--ignore-dirs=.venv", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True,
                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    with pot.open("rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0]: message
                for message in read_po(handle) if message.id}


def catalogue(code: str):
    with (ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


def key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(extracted, code):
    translated = {key(m): m for m in catalogue(code) if m.id}
    missing = [mid for mid in extracted if mid not in translated]
    assert not missing, f"{len(missing)} messages missing in {code} (run make messages): {missing[:5]}"
    empty = [mid for mid in extracted
             if not all(translated[mid].string if isinstance(translated[mid].string, tuple)
                        else [translated[mid].string])]
    assert not empty, f"{len(empty)} messages untranslated in {code}: {empty[:5]}"
    fuzzy = [mid for mid in extracted if translated[mid].fuzzy]
    assert not fuzzy, f"fuzzy in {code}: {fuzzy[:5]}"
    assert not catalogue(code).fuzzy, "the catalogue's header is marked fuzzy: it would not compile"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalogue_compiles_with_every_placeholder_kept(code):
    messages = catalogue(code)
    problems = [(key(message), [str(e) for e in errors])
                for message, errors in messages.check() if errors]
    assert not problems, problems[:5]
    write_mo(io.BytesIO(), messages)
    assert messages.num_plurals == PLURAL_FORMS[code]
    for message in messages:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == PLURAL_FORMS[code], key(message)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_checklist_question_and_choice_of_every_version_is_translated(code):
    """Archived versions too: a checklist filed under version 1 is shown in Kazakh as well."""
    translated = {key(m): m.string for m in catalogue(code) if m.id and m.string}
    wanted = set()
    for versions in definitions.all_versions().values():
        for definition in versions.values():
            wanted.add(definition.title)
            for section in definition.sections:
                wanted.add(section.title)
            for question in definition.questions.values():
                wanted.update(text for text in (question.label, question.help) if text)
                wanted.update(label for _code, label in question.choices)
    missing = sorted(text for text in wanted if text not in translated)
    assert not missing, f"{len(missing)} checklist texts lack a {code} translation: {missing[:5]}"
