"""Checklist definitions: one YAML file per checklist type, checked strictly at start-up.

Reached through ``by_type()`` (every type, read once per process) and ``get(kind)``.

A definition that does not load stops the app with the file and the reason:
better than an observer meeting a broken form on election day.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from models.vocabulary import YESNO

FOLDER = Path(__file__).parent
TYPES = ("opening", "voting", "counting", "tabulation")
QUESTION_TYPES = ("yesno", "integer", "time", "choice", "multi", "text")
# Names the app uses in every checklist's header and footer.
RESERVED = {"uuid", "station_id", "base_version", "arrival_date", "arrival_time",
            "departure_date", "departure_time", "overall", "comments", "csrf_token",
            "figures_confirmed"}
DEFAULT_MAX_LENGTH = 2000

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
    """Read and check one definition file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if raw.get("type") != path.stem or raw.get("type") not in TYPES:
        raise _fail(path, "type", f"must be the file's name, one of {TYPES}")
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
    """Every checklist type's definition in ``folder``, in the order observers meet them."""
    return {kind: load(folder / f"{kind}.yaml") for kind in TYPES}


@lru_cache(maxsize=1)
def by_type() -> dict[str, Definition]:
    """The shipped definitions of every checklist type, read once per process."""
    return load_all(FOLDER)


def get(kind: str) -> Definition | None:
    """One checklist type's definition, or None for a type that does not exist."""
    return by_type().get(kind)
