"""Checklist definitions: one YAML file per checklist type, checked strictly at start-up.

Reached through ``by_type()`` (every type's current version, read once per process) and
``get(kind, version=None)``. Earlier versions live in ``archive/<type>.v<N>.yaml``: an
entry keeps the version it was filed with, so it shows, edits, prints and exports with
the questions its observers answered. Every version is loaded and checked at start-up.

A definition that does not load stops the app with the file and the reason:
better than an observer meeting a broken form on election day.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from models.vocabulary import YESNO

FOLDER = Path(__file__).parent
ARCHIVE = "archive"
TYPES = ("opening", "voting", "counting", "tabulation")
QUESTION_TYPES = ("yesno", "integer", "time", "choice", "multi", "text")
# Names the app uses in every checklist's header and footer.
RESERVED = {"uuid", "station_id", "base_version", "arrival_date", "arrival_time",
            "departure_date", "departure_time", "overall", "comments", "csrf_token",
            "figures_confirmed"}
DEFAULT_MAX_LENGTH = 2000
# LibYAML's loader when PyYAML was built with it (the wheels are): the same safe
# constructor, read ten times faster (the pure-Python one took 70 ms of every start).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_QUESTION_KEYS = {"id", "type", "label", "help", "required", "min", "max", "choices",
                  "relevant", "serious", "problem", "max_length"}
_CHOICE_KEYS = {"value", "label", "exclusive"}


class DefinitionError(ValueError):
    """A checklist definition file is malformed."""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    min: int | None = None
    max: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    relevant: tuple[str, str] | None = None  # (question id, answer that makes this one asked)
    serious: bool = False
    problem: str = "yes"
    max_length: int = DEFAULT_MAX_LENGTH
    # Multi-choice answers that exclude every other one ("None" with observer groups).
    exclusive: tuple[str, ...] = ()

    def allowed(self) -> tuple[str, ...]:
        """The answer codes a choice-like question accepts."""
        return YESNO if self.type == "yesno" else tuple(v for v, _ in self.choices)


@dataclass(frozen=True)
class Check:
    rule: str  # "lte": left <= right ; "sum": sum(parts) == total
    message: str
    left: str = ""
    right: str = ""
    total: str = ""
    parts: tuple[str, ...] = ()

    def fields(self) -> tuple[str, ...]:
        """The questions this check reads."""
        return (self.left, self.right) if self.rule == "lte" else (self.total, *self.parts)


@dataclass(frozen=True)
class Section:
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Definition:
    type: str
    version: int
    title: str
    description: str
    sections: tuple[Section, ...]
    checks: tuple[Check, ...] = ()
    questions: dict[str, Question] = field(default_factory=dict)

    def serious_problems(self, answers: dict) -> list[Question]:
        """The serious questions whose answer is their problem answer."""
        return [q for q in self.questions.values()
                if q.serious and answers.get(q.id) == q.problem]


def _fail(path: Path, where: str, reason: str) -> DefinitionError:
    return DefinitionError(f"{path.name}: {where}: {reason}")


def _question(path: Path, raw: dict, earlier: dict[str, Question]) -> Question:
    where = f"question {raw.get('id', '?')}"
    unknown = set(raw) - _QUESTION_KEYS
    if unknown:
        raise _fail(path, where, f"unknown key(s) {sorted(unknown)}")
    qid, kind = raw.get("id"), raw.get("type")
    if not isinstance(qid, str) or not qid.isidentifier() or len(qid) > 40:
        raise _fail(path, where, "id must be a snake_case name of at most 40 characters")
    if qid in RESERVED or qid in earlier:
        raise _fail(path, where, "id is reserved or used twice")
    if kind not in QUESTION_TYPES:
        raise _fail(path, where, f"type must be one of {QUESTION_TYPES}")
    if not raw.get("label"):
        raise _fail(path, where, "label is missing")
    choices, exclusive = _choices(path, where, kind, raw.get("choices") or ())
    if (kind in ("choice", "multi")) != bool(choices):
        raise _fail(path, where, "choices go with choice and multi questions, and only with them")
    relevant = None
    if raw.get("relevant"):
        ((other, value),) = raw["relevant"].items()
        before = earlier.get(other)
        if before is None or before.type not in ("yesno", "choice") \
                or str(value) not in before.allowed():
            raise _fail(path, where, f"relevant must name an earlier yes/no or choice "
                                     f"question and one of its answers, not {other}={value}")
        relevant = (other, str(value))
    problem = str(raw.get("problem", "yes"))
    if kind != "yesno" and ("problem" in raw or raw.get("serious")):
        raise _fail(path, where, "problem and serious go with yes/no questions only")
    if problem not in ("yes", "no"):
        raise _fail(path, where, "problem must be yes or no")
    if kind != "integer" and ("min" in raw or "max" in raw):
        raise _fail(path, where, "min and max go with integer questions only")
    return Question(id=qid, type=kind, label=str(raw["label"]), help=str(raw.get("help", "")),
                    required=bool(raw.get("required", False)), min=raw.get("min"),
                    max=raw.get("max"), choices=choices, relevant=relevant,
                    serious=bool(raw.get("serious", False)), problem=problem,
                    max_length=int(raw.get("max_length", DEFAULT_MAX_LENGTH)),
                    exclusive=exclusive)


def _choices(path: Path, where: str, kind: str,
             raw: list) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The (value, label) pairs of a question, and the values marked exclusive."""
    choices, exclusive = [], []
    for item in raw:
        if not isinstance(item, dict) or set(item) - _CHOICE_KEYS \
                or "value" not in item or not item.get("label"):
            raise _fail(path, where, f"a choice has a value and a label (and optionally "
                                     f"exclusive: true), not {item!r}")
        if "exclusive" in item:
            if item["exclusive"] is not True or kind != "multi":
                raise _fail(path, where, "exclusive: true goes on choices of multi questions only")
            exclusive.append(str(item["value"]))
        choices.append((str(item["value"]), str(item["label"])))
    if exclusive and len(exclusive) == len(choices):
        raise _fail(path, where, "every choice is exclusive: use a choice question instead")
    return tuple(choices), tuple(exclusive)


def _check(path: Path, raw: dict, questions: dict[str, Question]) -> Check:
    check = Check(rule=raw.get("rule", ""), message=str(raw.get("message", "")),
                  left=raw.get("left", ""), right=raw.get("right", ""),
                  total=raw.get("total", ""), parts=tuple(raw.get("parts") or ()))
    if check.rule not in ("lte", "sum") or not check.message:
        raise _fail(path, "checks", f"rule must be lte or sum, with a message: {raw}")
    for name in check.fields():
        if name not in questions or questions[name].type != "integer":
            raise _fail(path, "checks", f"{name!r} is not an integer question")
    return check


def load(path: Path) -> Definition:
    """Read and check one definition file (``voting.yaml`` or an archived ``voting.v1.yaml``)."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    kind, _dot, archived = path.stem.partition(".")
    if raw.get("type") != kind or raw.get("type") not in TYPES:
        raise _fail(path, "type", f"must be the file's name, one of {TYPES}")
    if not isinstance(raw.get("version"), int) or raw["version"] < 1 \
            or (archived and archived != f"v{raw['version']}"):
        raise _fail(path, "version", "must be a whole number from 1, the one in an archived "
                                     "file's name (voting.v1.yaml holds version: 1)")
    questions: dict[str, Question] = {}
    sections = []
    for raw_section in raw.get("sections") or ():
        qs = []
        for raw_q in raw_section.get("questions") or ():
            question = _question(path, raw_q, questions)
            questions[question.id] = question
            qs.append(question)
        sections.append(Section(title=str(raw_section["title"]), questions=tuple(qs)))
    if not questions:
        raise _fail(path, "sections", "no questions")
    checks = tuple(_check(path, c, questions) for c in raw.get("checks") or ())
    return Definition(type=raw["type"], version=int(raw["version"]), title=str(raw["title"]),
                      description=str(raw.get("description", "")), sections=tuple(sections),
                      checks=checks, questions=questions)


def load_all(folder: Path) -> dict[str, Definition]:
    """Every checklist type's current definition in ``folder``, in the order observers meet them."""
    return {kind: load(folder / f"{kind}.yaml") for kind in TYPES}


def load_versions(folder: Path) -> dict[str, dict[int, Definition]]:
    """Every version of every type: the current file and the archived ones, checked together.

    A question id keeps its type across versions, because reports count answers by
    id over every version that asks the question; the current version is the newest.
    """
    current = load_all(folder)
    found: dict[str, dict[int, Definition]] = {kind: {} for kind in TYPES}
    for path in sorted((folder / ARCHIVE).glob("*.v*.yaml")):
        old = load(path)
        if old.version in found[old.type] or old.version >= current[old.type].version:
            raise _fail(path, "version", "archived twice, or not older than the current file")
        found[old.type][old.version] = old
    for kind, definition in current.items():
        found[kind][definition.version] = definition
        _same_types(folder / f"{kind}.yaml", found[kind])
    return {kind: dict(sorted(versions.items())) for kind, versions in found.items()}


def _same_types(path: Path, versions: dict[int, Definition]) -> None:
    seen: dict[str, tuple[int, str]] = {}
    for version, definition in sorted(versions.items()):
        for q in definition.questions.values():
            first = seen.setdefault(q.id, (version, q.type))
            if first[1] != q.type:
                raise _fail(path, f"question {q.id}", f"is {q.type} in version {version} but "
                                                      f"{first[1]} in version {first[0]}: "
                                                      f"give the changed question a new id")


@lru_cache(maxsize=1)
def all_versions() -> dict[str, dict[int, Definition]]:
    """Every shipped version of every checklist type, read once per process."""
    return load_versions(FOLDER)


@lru_cache(maxsize=1)
def by_type() -> dict[str, Definition]:
    """The current definition of every checklist type (what a new checklist is filed with)."""
    return {kind: versions[max(versions)] for kind, versions in all_versions().items()}


def get(kind: str, version: int | None = None) -> Definition | None:
    """One checklist type's definition: the current one, or the given version (an entry's
    ``form_version``); None for a type or version that does not exist."""
    versions = all_versions().get(kind) or {}
    if version is None:
        return versions[max(versions)] if versions else None
    return versions.get(int(version))


def questions_of_all_versions(kind: str) -> list[Question]:
    """The questions any version of ``kind`` asks, once each: the current version's in its
    order, then those only earlier versions asked (an export's columns)."""
    seen: dict[str, Question] = {}
    for _version, definition in sorted(all_versions()[kind].items(), reverse=True):
        for q in definition.questions.values():
            seen.setdefault(q.id, q)
    return list(seen.values())


def versions_filed(db, where: str = "1", params: Sequence = ()) -> dict[str, list[int]]:
    """{checklist type: [versions]} of the checklists a selection holds, for a report's
    "counts checklists filed under voting v1 and v2". ``where`` is SQL over
    ``checklists c`` joined with ``stations s`` (a report filter's clause), values in ``params``."""
    return versions_by_type(db.execute(
        "SELECT DISTINCT c.form_type, c.form_version FROM checklists c"
        f" JOIN stations s ON s.id = c.station_id WHERE {where}", list(params)).fetchall())


def versions_by_type(pairs: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """{checklist type: [versions, oldest first]} from (type, version) pairs, the types in
    the order observers meet them (versions_filed, or a report's own scan)."""
    found: dict[str, set[int]] = {}
    for kind, version in pairs:
        found.setdefault(kind, set()).add(int(version))
    return {kind: sorted(found[kind]) for kind in TYPES if kind in found}
