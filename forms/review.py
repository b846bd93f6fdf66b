"""Reviewers' forms: moving an entry to another review state, commenting, filtering the list."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from models.review import REASON_REQUIRED
from models.review_list import Filters
from models.vocabulary import FLAG_LABELS, STATE_LABELS, STATES

REASON_MAX = 2000
# Checklist types as in models.definitions.TYPES; listed here so each label is extractable.
KIND_CHOICES = [("", _l("All kinds")), ("checklist", _l("Checklists, all types")),
                ("checklist:opening", _l("Checklists: opening")),
                ("checklist:voting", _l("Checklists: voting")),
                ("checklist:counting", _l("Checklists: counting")),
                ("checklist:tabulation", _l("Checklists: tabulation")),
                ("incident", _l("Incident reports")), ("interaction", _l("Commission meetings"))]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(value):
    """Stripped, with the browser's CRLF line breaks as one character each, as counted."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class MoveForm(FlaskForm):
    """A reviewer's decision: the target state (one button per allowed state) and why."""

    to_state = StringField(validators=[
        InputRequired(_l("Choose what to do with this entry.")),
        AnyOf(STATES, message=_l("Choose one of the actions shown."))])
    reason = TextAreaField(_l("Reason (required to send back or reject)"), filters=[_strip],
                           validators=[Length(max=REASON_MAX, message=_l(
                               "The reason is limited to %(max)d characters."))])
    and_next = BooleanField(_l("Then open the next entry in the list"))

    def validate_reason(self, field) -> None:
        """Sending back or rejecting needs a reason the authors can act on."""
        if self.to_state.data in REASON_REQUIRED and not field.data:
            raise ValidationError(_l(
                "Say why: the authors see this reason and need it to correct or accept "
                "the decision."))


class CommentForm(FlaskForm):
    """One comment on an entry's thread, at most ``max_length`` characters (MAX_TEXT_LENGTH).

    The textarea carries the limit as ``maxlength`` and, for static/textcount.js,
    the words of its counter: the script lifts the browser's silent cut and
    counts down near the limit instead.
    """

    body = TextAreaField(_l("Add a comment"), filters=[_text], validators=[
        DataRequired(_l("Write the comment first."))])

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.body.render_kw = {
            "maxlength": max_length, "data-count": "",
            "data-count-left": _("%(n)s characters left", n="%(n)s"),
            "data-count-over": _("%(n)s characters too many: shorten the text to send it.",
                                 n="%(n)s")}

    def validate_body(self, field) -> None:
        """Over the limit: say so and by how much (the text comes back to be shortened)."""
        if field.data and len(field.data) > self.max_length:
            raise ValidationError(_(
                "A comment is limited to %(max)d characters (it has %(n)d): shorten it.",
                max=self.max_length, n=len(field.data)))


class FilterForm(FlaskForm):
    """The review list's filters, read from the query string (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), default="", choices=[SelectChoice("", _l("All states"))] + [
        SelectChoice(code, label) for code, label in STATE_LABELS.items()],
        invalid_choice_message=_l("Choose a state from the list."))
    kind = SelectField(_l("Kind"), default="", choices=[SelectChoice(*c) for c in KIND_CHOICES],
                       invalid_choice_message=_l("Choose a kind from the list."))
    # Regions and teams are matched exactly and bound as parameters: an unknown
    # one simply matches nothing, so the choices are not enforced.
    region = SelectField(_l("Region"), default="", validate_choice=False,
                         validators=[Length(max=100)])
    team = StringField(_l("Team"), default="", filters=[_strip], render_kw={"list": "teams"},
                       validators=[Length(max=40, message=_l("A team name is short."))])
    flag = SelectField(_l("Flag"), default="", choices=[
        SelectChoice("", _l("Any or none")), SelectChoice("any", _l("Flagged (any flag)"))]
        + [SelectChoice(code, label) for code, label in FLAG_LABELS.items()],
        invalid_choice_message=_l("Choose a flag from the list."))
    serious = BooleanField(_l("Serious problems only"))

    def __init__(self, *args, regions: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [SelectChoice("", _l("All regions"))] + [
            SelectChoice(r, r) for r in regions]

    def filters(self) -> Filters:
        """The validated choices as the models' Filters."""
        return Filters(state=self.state.data or "", kind=self.kind.data or "",
                       region=self.region.data or "", team=self.team.data or "",
                       flag=self.flag.data or "", serious=bool(self.serious.data))
