"""The counting checklist's protocol section: fields built for one station's ballots.

``form_class(kind)`` (forms/checklist.py) builds a checklist type's fields
once per process; the protocol's fields depend on the station (its district's
candidates), so ``with_protocol(form_cls, db, station)`` returns a subclass with
one field per figure, named ``protocol-<contest>-<item>`` (built once per
distinct set of ballots). A ballot left all empty was not seen: nothing is
stored for it. Figures that break a check (models.protocols.CHECKS) are
refused unless the observer ticks "the figures are correct as written", as
for the definition's own checks.
"""

import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database
from wtforms import Field, StringField

from forms.checklist import ChecklistForm
from models import contests, protocols
from models.protocols import Ballot, protocol_question_ids

__all__ = ["field_name", "form_data", "protocol_question_ids", "with_protocol"]

# A station's protocol never reaches a million; more digits is a slip of the finger.
MAX_DIGITS = 6
CONFIRM_HINT = _l("If this is really what the protocol says, tick \u201cThe figures are "
                  "correct as written\u201d at the end and send again.")


def field_name(contest: str, item: str) -> str:
    """The form field of one figure: ``protocol-list-amanat``."""
    return f"{protocols.QUESTION_PREFIX}-{contest}-{item}"


def form_data(protocol: dict[str, dict[str, int]]) -> dict[str, int]:
    """A stored protocol as the form's initial data (for the edit page)."""
    return {field_name(contest, item): value
            for contest, figures in protocol.items() for item, value in figures.items()}


class ProtocolSection:
    """What the counting form adds: the ballots, their fields, their checks."""

    ballots: tuple[Ballot, ...] = ()

    def protocol_fields(self) -> list[Field]:
        """Every protocol field in page order (for the error summary)."""
        return [self[field_name(b.contest, code)] for b in self.ballots for code in b.codes()]

    def protocol_sections(self) -> list[dict]:
        """Per ballot: its title, district, question id and (control, votes) fields."""
        return [{"ballot": b, "question_id": b.question_id,
                 "controls": [self[field_name(b.contest, c)] for c in contests.control_codes()],
                 "votes": [self[field_name(b.contest, c)] for c in b.option_codes()]}
                for b in self.ballots]

    def _check_cross_fields(self) -> None:
        super()._check_cross_fields()
        self.protocol = {}
        failed = []
        for ballot in self.ballots:
            figures = {}
            for code in ballot.codes():
                value = _whole_number(self[field_name(ballot.contest, code)])
                if value is not None:
                    figures[code] = value
            if figures:
                self.protocol[ballot.contest] = figures
            failed += [(ballot, check) for check in protocols.problems(ballot, figures)]
        self.figures_mismatch = [*self.figures_mismatch, *failed]
        if not failed:
            return
        if self.figures_confirmed.data:
            self.answers["figures_confirmed"] = True
            return
        for ballot, check in failed:
            target = self[field_name(ballot.contest, check.target)]
            target.errors.append(check.message)
            if CONFIRM_HINT not in target.errors:
                target.errors.append(CONFIRM_HINT)


def _whole_number(field: Field) -> int | None:
    """A figure as a whole number ≥ 0; None when empty or wrong (with a message)."""
    text = (field.data or "").strip() if isinstance(field.data, str | None) \
        else str(field.data)
    if not text:
        return None
    if not re.fullmatch(r"\d+", text):
        field.errors.append(_l("Enter a whole number (0 or more) as written in the "
                               "protocol, for example 350."))
        return None
    if len(text.lstrip("0")) > MAX_DIGITS:
        field.errors.append(_("A station's protocol has figures below %(max)s: check this "
                              "one.", max=f"{10 ** MAX_DIGITS:,}"))
        return None
    return int(text)


def with_protocol(form_cls: type[ChecklistForm], db: Database,
                  station: dict) -> type[ChecklistForm]:
    """The form for a checklist at ``station``: with the protocol section on counting forms."""
    if form_cls.definition.type not in protocols.PROTOCOL_TYPES:
        return form_cls
    return _protocol_class(form_cls, protocols.ballots(db, station))


@lru_cache(maxsize=256)
def _protocol_class(form_cls: type[ChecklistForm],
                    ballots: tuple[Ballot, ...]) -> type[ChecklistForm]:
    # One class per distinct set of ballots (in 2023: one per district), not per request.
    controls = {f.code: f.label for f in contests.mission().control_figures}
    attributes: dict = {"ballots": ballots}
    for ballot in ballots:
        for code in ballot.codes():
            if code in controls:
                label = _l(controls[code])
            else:
                option = next(o for o in ballot.options if o.code == code)
                # Party labels come from the mission file (translated); names are names.
                label = _l(option.label) if ballot.district is None \
                    or code == contests.AGAINST_ALL else option.label
            attributes[field_name(ballot.contest, code)] = StringField(
                label=label, render_kw={"inputmode": "numeric", "pattern": "[0-9]*",
                                        "data-protocol": ballot.contest,
                                        "autocomplete": "off"})
    return type(f"{form_cls.__name__}WithProtocol", (ProtocolSection, form_cls), attributes)
