"""Definition versions: an entry keeps the version it was filed with, and every page,
print and export still works with it; reports count answers by question id across
versions and say which versions they count; a new question reaches the exports and
the summary with no code written for it."""

import csv
import io
import re
import shutil
import uuid

import pypdf
import pytest

from forms.checklist import form_class
from models import checklists, definitions, entries, users
from models.definitions import DefinitionError, load_versions
from tests.conftest import Browser, good_answers, station_id, visit

# Questions per type in version 1, as shipped before the ODIHR staples (archive/*.v1.yaml).
V1_QUESTIONS = {"opening": 20, "voting": 28, "counting": 40, "tabulation": 16}
V2_ONLY = "Did you see signs of vote buying?"
# Counting v1's party-list figures; v2 asks them once, in the protocol section.
PARTY_LIST_V1 = {"voters_on_list", "voters_signed", "ballots_received", "ballots_unused_cancelled",
                 "ballots_valid", "ballots_invalid", "votes_amanat", "votes_auyl",
                 "votes_respublica", "votes_aq_zhol", "votes_peoples_party", "votes_nsdp",
                 "votes_baytaq", "votes_against_all"}


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _typed(definition, answers: dict) -> dict:
    """Form answers (text) as the server stores them (whole numbers as int)."""
    return {k: int(v) if definition.questions[k].type == "integer" else v
            for k, v in answers.items()}


def _file(db, version: int, extra: dict | None = None, number: str = "101") -> int:
    definition = definitions.get("voting", version)
    answers = {**_typed(definition, good_answers(definition)),
               "voters_on_list": 1000, "voters_voted": 400, **(extra or {})}
    author = users.find_by_username(db, "obs1")
    filing = checklists.Filing(
        uuid=str(uuid.uuid4()), form_type="voting", form_version=version,
        station_id=station_id(db, number), timezone="Asia/Almaty",
        arrival_utc="2023-03-19T04:00:00Z", departure_utc="2023-03-19T04:40:00Z",
        answers=answers, overall="good", serious_count=0)
    entry_id, created = entries.create(db, checklists.CHECKLISTS, filing, author["id"], "T01")
    assert created
    return entry_id


def _browser(app, user: str) -> Browser:
    browser = Browser(app.test_client())
    browser.login(user)
    return browser


# --- the shipped versions -------------------------------------------------------------------

def test_every_type_keeps_version_1_and_files_under_version_2():
    for kind, versions in definitions.all_versions().items():
        assert list(versions) == [1, 2], kind
        assert definitions.get(kind).version == 2 == definitions.by_type()[kind].version
        old, new = versions[1], versions[2]
        assert len(old.questions) == V1_QUESTIONS[kind]
        # Counting by id across versions is sound: an id keeps its type.
        assert all(new.questions[q].type == old.questions[q].type
                   for q in old.questions.keys() & new.questions.keys())
        # Only counting drops questions: its party-list figures moved to the protocol section.
        dropped = set(old.questions) - set(new.questions)
        assert dropped == (PARTY_LIST_V1 if kind == "counting" else set()), kind
    assert definitions.get("voting", 3) is None and definitions.get("nope") is None


def test_export_columns_cover_every_version():
    ids = [q.id for q in definitions.questions_of_all_versions("voting")]
    assert len(ids) == len(set(ids))
    assert set(definitions.get("voting", 1).questions) <= set(ids)
    assert ids[:len(definitions.get("voting").questions)] == list(
        definitions.get("voting").questions)


@pytest.fixture
def folder(tmp_path):
    """A copy of the shipped definitions to break."""
    copy = tmp_path / "definitions"
    shutil.copytree(definitions.FOLDER, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return copy


def test_the_copy_loads(folder):
    assert {k: list(v) for k, v in load_versions(folder).items()} == {
        k: [1, 2] for k in definitions.TYPES}


@pytest.mark.parametrize("breakage, reason", [
    # An archived file's name and its version disagree.
    (lambda f: (f / "archive/voting.v1.yaml").rename(f / "archive/voting.v3.yaml"),
     "archived file's name"),
    # An archived version as new as the current file.
    (lambda f: (f / "archive/voting.v2.yaml").write_text(
        (f / "archive/voting.v1.yaml").read_text().replace("version: 1", "version: 2")),
     "not older than the current"),
    # A question that changes type under the same id.
    (lambda f: (f / "archive/voting.v1.yaml").write_text(
        (f / "archive/voting.v1.yaml").read_text().replace(
            "id: notes_turned_away\n        type: text", "id: notes_turned_away\n"
            "        type: integer")), "give the changed question a new id"),
])
def test_inconsistent_versions_are_refused_by_name(folder, breakage, reason):
    breakage(folder)
    with pytest.raises(DefinitionError, match=reason):
        load_versions(folder)


# --- an entry filed under version 1 ---------------------------------------------------------

def test_a_version_1_entry_shows_edits_prints_and_exports_with_its_own_questions(app, db):
    entry_id = _file(db, 1)
    observer = _browser(app, "obs1")
    page = observer.client.get(f"/checklists/{entry_id}")
    assert page.status_code == 200
    assert "Were all ballot boxes properly sealed?" in page.text and V2_ONLY not in page.text

    # Editing keeps the entry's own version: the v1 form, without v2's new questions.
    form = observer.client.get(f"/checklists/{entry_id}/edit")
    assert form.status_code == 200
    assert 'name="voters_on_list"' in form.text and 'name="vote_buying"' not in form.text
    v1 = definitions.get("voting", 1)
    saved = observer.client.post(f"/checklists/{entry_id}/edit", data={
        **good_answers(v1), **visit(arrival_time="10:00", departure_time="10:40"),
        "csrf_token": Browser.hidden(form.text, "csrf_token"),
        "uuid": Browser.hidden(form.text, "uuid"), "station_id": station_id(db, "101"),
        "base_version": "1", "voters_on_list": "1000", "voters_voted": "450"})
    assert saved.status_code == 303, saved.text
    row = checklists.get(db, entry_id)
    assert (row["form_version"], row["version"], row["answers"]["voters_voted"]) == (1, 2, 450)
    assert "vote_buying" not in row["answers"]

    printed = observer.client.get(f"/checklists/{entry_id}.pdf")
    assert printed.mimetype == "application/pdf"
    text = pdf_text(printed.data)
    assert "Were all ballot boxes properly sealed?" in text and V2_ONLY not in text

    coordinator = _browser(app, "coord")
    rows = list(csv.DictReader(io.StringIO(coordinator.client.get(
        "/exports/checklists.csv?type=voting").data.decode("utf-8-sig"))))
    assert [(r["form_version"], r["voting.voters_voted"], r["voting.vote_buying"])
            for r in rows] == \
        [("1", "450", "")]


V1_FIGURES = {"voters_on_list": 1000, "voters_signed": 600, "ballots_received": 700,
              "ballots_unused_cancelled": 100, "ballots_valid": 580, "ballots_invalid": 20,
              "votes_amanat": 300, "votes_auyl": 100, "votes_respublica": 80, "votes_aq_zhol": 50,
              "votes_peoples_party": 20, "votes_nsdp": 10, "votes_baytaq": 10,
              "votes_against_all": 10}


def test_a_version_1_counting_entry_keeps_its_party_list_figures(app, db):
    """v2 asks them in the protocol section only; a v1 entry still has them as questions."""
    v1 = definitions.get("counting", 1)
    author = users.find_by_username(db, "obs1")
    filing = checklists.Filing(
        uuid=str(uuid.uuid4()), form_type="counting", form_version=1,
        station_id=station_id(db, "101"), timezone="Asia/Almaty",
        arrival_utc="2023-03-19T13:45:00Z", departure_utc="2023-03-19T17:30:00Z",
        answers={**_typed(v1, good_answers(v1)), **V1_FIGURES}, overall="good",
        serious_count=0)
    entry_id, created = entries.create(db, checklists.CHECKLISTS, filing, author["id"], "T01")
    assert created
    observer = _browser(app, "obs1")
    page = observer.client.get(f"/checklists/{entry_id}")
    assert page.status_code == 200 and "Votes for Amanat" in page.text

    # Editing uses v1's form, party-list questions and their sums included.
    form = observer.client.get(f"/checklists/{entry_id}/edit")
    assert 'name="votes_amanat"' in form.text and 'name="ballots_valid"' in form.text
    data = {**good_answers(v1), **visit(arrival_time="19:45", departure_time="23:30"),
            "csrf_token": Browser.hidden(form.text, "csrf_token"),
            "uuid": Browser.hidden(form.text, "uuid"), "station_id": station_id(db, "101"),
            "base_version": "1", **{k: str(v) for k, v in V1_FIGURES.items()},
            "votes_amanat": "320"}
    refused = observer.client.post(f"/checklists/{entry_id}/edit", data=data)
    assert refused.status_code == 400 and "The figures are correct as written" in refused.text
    saved = observer.client.post(f"/checklists/{entry_id}/edit",
                                 data={**data, "votes_amanat": "310", "votes_auyl": "90"})
    assert saved.status_code == 303, saved.text
    row = checklists.get(db, entry_id)
    assert (row["form_version"], row["answers"]["votes_amanat"]) == (1, 310)

    printed = pdf_text(observer.client.get(f"/checklists/{entry_id}.pdf").data)
    assert "Votes for Amanat" in printed and "310" in printed

    coordinator = _browser(app, "coord")
    rows = list(csv.DictReader(io.StringIO(coordinator.client.get(
        "/exports/checklists.csv?type=counting").data.decode("utf-8-sig"))))
    assert [(r["form_version"], r["counting.votes_amanat"], r["counting.voters_signed"])
            for r in rows] == [("1", "310", "600")]


def test_reports_count_across_versions_and_say_which(app, db):
    _file(db, 1, {"boxes_sealed": "no"})
    _file(db, 2, {"boxes_sealed": "no", "vote_buying": "no"}, number="303")
    assert definitions.versions_filed(db) == {"voting": [1, 2]}
    text = pdf_text(_browser(app, "coord").client.get("/reports/summary.pdf").data)
    assert "Counts checklists filed under: Voting v1, v2." in text
    # Both checklists counted for a question both versions ask: 2 of 2 unsealed.
    assert "Were all ballot boxes properly sealed? no 2 2 100.0%" in text


# --- a new question needs no code -----------------------------------------------------------

NEW_LABEL = "Was tea served to the observers?"


@pytest.fixture
def with_new_question(folder, monkeypatch):
    """The shipped definitions plus one yes/no question in the voting checklist."""
    path = folder / "voting.yaml"
    path.write_text(path.read_text().replace(
        "  - title: The commission\n    questions:\n",
        "  - title: The commission\n    questions:\n      - id: tea_served\n"
        f"        type: yesno\n        label: {NEW_LABEL}\n"), encoding="utf-8")
    monkeypatch.setattr(definitions, "FOLDER", folder)
    _forget_definitions()
    yield
    _forget_definitions()


def _forget_definitions():
    definitions.all_versions.cache_clear()
    definitions.by_type.cache_clear()
    form_class.cache_clear()


def test_a_new_question_reaches_the_csv_export_and_the_summary(app, db, with_new_question):
    assert "tea_served" in definitions.get("voting").questions
    _file(db, 2, {"tea_served": "yes"})
    coordinator = _browser(app, "coord")
    rows = list(csv.DictReader(io.StringIO(coordinator.client.get(
        "/exports/checklists.csv?type=voting").data.decode("utf-8-sig"))))
    assert [(r["voting.tea_served"], r["voting.tea_served_label"]) for r in rows] == \
        [("yes", "Yes")]
    text = pdf_text(coordinator.client.get("/reports/summary.pdf").data)
    assert f"{NEW_LABEL} yes 1 1 100.0%" in text
