"""Build a Flask-WTF form from a checklist definition and validate it on the server.

Question fields carry no WTForms validators: whether a question is asked at
all depends on earlier answers (skip logic), so ``validate`` walks the
definition in order and checks each answer only when it is relevant.
"""

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.i18n import messages_path
from wtforms.validators import InputRequired, Regexp, ValidationError

from forms.times import time_input
from models import definitions
from models.checklists import Filing
from models.clock import local_to_utc, to_iso, utc_now
from models.definitions import Definition, Question
from models.mission_dates import outside_polling_hours
from models.vocabulary import OVERALL, OVERALL_LABELS, YESNO, YESNO_LABELS

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3])[:. ]?([0-5]\d)$")
# A visit cannot start in the future; a few minutes allow for a phone's clock.
CLOCK_SLACK = timedelta(minutes=10)
# Observation data from before this is a typo (0023 for 2023); years before 1
# would also overflow when converted to UTC.
EARLIEST_DAY = date(2000, 1, 1)
# Checklists filled while polls are open: a visit outside those hours is queried.
POLLING_HOURS_TYPES = ("voting",)



def comments_limit() -> int:
    """The longest comment on a checklist, in characters: the MAX_TEXT_LENGTH setting, the
    one limit of free text (the comment box, its counter, the offline form, the API)."""
    return current_app.config["MAX_TEXT_LENGTH"]

class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes: easier to tap on a phone than a multi-select."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def plausible_day(day: date) -> bool:
    """False for dates no observation can have (before 2000, typos like 0023)."""
    return day >= EARLIEST_DAY


def parse_time(text: str) -> time | None:
    """HH:MM (24-hour) to a time, or None."""
    match = TIME_PATTERN.match(text.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


@lru_cache(maxsize=8)
def _wtforms_messages(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class ChecklistForm(FlaskForm):
    """The header and footer every checklist shares; questions are added per type."""

    class Meta:
        # CSRFProtect (app.py) checks the token of every POST before the view
        # runs, so the form's own CSRF field only re-signed a token on every
        # submission (3 % of its CPU); the template puts csrf_token() in the form.
        csrf = False

        def get_translations(self, form):
            # Flask-WTF reads WTForms' .mo file again on every request (0.3 ms
            # of a 4 ms submission); the messages never change while running.
            return _wtforms_messages(str(get_locale()))

    uuid = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l(
        "This form's identifier was damaged. Open a new form and fill it again."))])
    station_id = HiddenField()
    base_version = HiddenField()
    arrival_date = DateField(_l("Arrival date"), validators=[InputRequired(
        _l("Enter the date of your arrival."))])
    arrival_time = StringField(_l("Arrival time (local)"), render_kw=time_input(),
                               validators=[InputRequired(_l("Enter your arrival time."))])
    departure_date = DateField(_l("Departure date"), validators=[InputRequired(
        _l("Enter the date of your departure."))])
    departure_time = StringField(_l("Departure time (local)"), render_kw=time_input(),
                                 validators=[InputRequired(_l("Enter your departure time."))])
    overall = RadioField(_l("Overall assessment"), validate_choice=False,
                         choices=[SelectChoice(v, OVERALL_LABELS[v]) for v in OVERALL])
    # Protocols can be wrong or falsified: when figures do not add up the
    # observer may confirm them as written instead of "correcting" evidence.
    figures_confirmed = BooleanField(_l("The figures are correct as written (as in the protocol)"))
    # A voting visit at 03:00 is more likely a typo (or a 12-hour slip) than a
    # fact; the observer may confirm it, and the entry is kept as typed.
    hours_confirmed = BooleanField(_l("The time is right"))
    # At most MAX_TEXT_LENGTH characters (comments_limit), like every free text.
    comments = TextAreaField(_l("Comments"))

    definition: Definition

    def __init__(self, *args, station: dict, polling_hours: tuple[time, time] | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.station = station
        # Given by the HTML pages only: the JSON API takes the time as sent.
        self.polling_hours = polling_hours
        self.hours_warning = False
        # The box carries the limit, and for static/textcount.js the words of its
        # counter: the script lifts the browser's silent cut and counts down instead.
        self.comments.render_kw = {
            "maxlength": comments_limit(), "data-count": "",
            "data-count-left": _("%(n)s characters left", n="%(n)s"),
            "data-count-over": _("%(n)s characters too many: shorten the text to send it.",
                                 n="%(n)s")}
        self.answers: dict = {}
        # Counting forms at a station: filled by forms/protocol.py's section.
        self.protocol: dict = {}
        self.arrival_utc: datetime | None = None
        self.departure_utc: datetime | None = None

    def validate_comments(self, field) -> None:
        """Over the limit: say so and by how much (the text comes back to be shortened)."""
        text = (field.data or "").strip()
        if len(text) > comments_limit():
            raise ValidationError(_(
                "Comments are limited to %(max)d characters (they have %(n)d): shorten them.",
                max=comments_limit(), n=len(text)))

    def to_record(self) -> Filing:
        """The validated form as the checklist to store (models/entries.py saves it)."""
        definition = self.definition
        answers = dict(self.answers)
        if self.comments.data and self.comments.data.strip():
            answers["comments"] = self.comments.data.strip()
        return Filing(
            uuid=self.uuid.data, form_type=definition.type, form_version=definition.version,
            station_id=self.station["id"], timezone=self.station["timezone"],
            arrival_utc=to_iso(self.arrival_utc),
            departure_utc=to_iso(self.departure_utc),
            answers=answers, overall=self.overall.data,
            serious_count=len(definition.serious_problems(answers)), protocol=self.protocol)

    def questions(self):
        """(question, field) pairs in the order of the definition."""
        return [(q, self[q.id]) for q in self.definition.questions.values()]

    def protocol_fields(self) -> list[Field]:
        """The protocol section's fields (forms/protocol.py); none on this form."""
        return []

    def validate(self, extra_validators=None) -> bool:
        """Check the header, every relevant answer, the cross-field checks and the times."""
        header_ok = super().validate(extra_validators)
        self.answers = {}
        for question, field in self.questions():
            value = _clean(question, field, self.answers)
            if value is not None:
                self.answers[question.id] = value
        self._check_cross_fields()
        if self.overall.data not in OVERALL:
            self.overall.errors.append(_l("Choose the overall assessment."))
        self._check_times()
        self._check_polling_hours()
        return header_ok and not any(f.errors for f in self)

    def _check_polling_hours(self) -> None:
        arrival_at = parse_time(self.arrival_time.data or "")
        if (self.polling_hours is None or self.definition.type not in POLLING_HOURS_TYPES
                or arrival_at is None or self.arrival_time.errors
                or not outside_polling_hours(arrival_at, self.polling_hours)):
            return
        self.hours_warning = True
        if not self.hours_confirmed.data:
            opens, closes = self.polling_hours
            self.arrival_time.errors.append(_(
                "Polls are open %(opens)s–%(closes)s; is this right? If it is, tick "
                "\u201cThe time is right\u201d below and send again.",
                opens=opens.strftime("%H:%M"), closes=closes.strftime("%H:%M")))

    def _check_cross_fields(self) -> None:
        self.figures_mismatch = []
        for check in self.definition.checks:
            values = [self.answers.get(name) for name in check.fields()]
            if any(v is None for v in values):
                continue
            ok = (values[0] <= values[1]) if check.rule == "lte" else values[0] == sum(values[1:])
            if not ok:
                self.figures_mismatch.append(check)
        if self.figures_mismatch and self.figures_confirmed.data:
            self.answers["figures_confirmed"] = True
            return
        for check in self.figures_mismatch:
            target = self[check.left if check.rule == "lte" else check.total]
            target.errors.append(_l(check.message))
            target.errors.append(_l("If this is really what the protocol says, tick "
                                    "\u201cThe figures are correct as written\u201d "
                                    "at the end and send again."))

    def _check_times(self) -> None:
        zone = self.station["timezone"]
        arrival_at, departure_at = parse_time(self.arrival_time.data or ""), \
            parse_time(self.departure_time.data or "")
        for field, parsed in ((self.arrival_time, arrival_at), (self.departure_time, departure_at)):
            if field.data and parsed is None:
                field.errors.append(_l("Enter the time as HH:MM, for example 07:45."))
        for field in (self.arrival_date, self.departure_date):
            if isinstance(field.data, date) and not plausible_day(field.data):
                field.errors.append(_l("Check the year."))
                field.data = None
        if not (arrival_at and departure_at and isinstance(self.arrival_date.data, date)
                and isinstance(self.departure_date.data, date)):
            return
        self.arrival_utc = local_to_utc(self.arrival_date.data, arrival_at, zone)
        self.departure_utc = local_to_utc(self.departure_date.data, departure_at, zone)
        if self.arrival_utc > utc_now() + CLOCK_SLACK:
            self.arrival_time.errors.append(_l("The arrival time is in the future."))
        if self.departure_utc <= self.arrival_utc:
            self.departure_time.errors.append(_l(
                "Departure must be after arrival. If you left after midnight, "
                "set the departure date to the next day."))
        elif self.departure_utc - self.arrival_utc > timedelta(hours=24):
            self.departure_time.errors.append(_l("A visit cannot last more than 24 hours."))


def _relevant(question: Question, answers: dict) -> bool:
    if question.relevant is None:
        return True
    other, wanted = question.relevant
    return answers.get(other) == wanted


def _clean(question: Question, field: Field, answers: dict):
    """The answer as stored (str, int or list), None when unanswered or not asked."""
    if not _relevant(question, answers):
        field.data = [] if question.type == "multi" else None
        return None
    raw = field.data
    if question.type == "multi":
        value = [v for v in (raw or []) if v]
        if any(v not in question.allowed() for v in value):
            field.errors.append(_l("Choose from the options shown."))
            return None
        alone = [label for code, label in question.choices if code in question.exclusive
                 and code in value]
        if alone and len(value) > 1:
            field.errors.append(_("“%(choice)s” cannot be ticked together with other answers: "
                                  "untick it or the others.", choice=_(alone[0])))
            return None
        if not value and question.required:
            field.errors.append(_l("Tick at least one option."))
        return value or None
    text = (raw or "").strip() if isinstance(raw, str) or raw is None else str(raw)
    if not text:
        if question.required:
            field.errors.append(_l("This question needs an answer."))
        return None
    if question.type in ("yesno", "choice"):
        if text not in question.allowed():
            field.errors.append(_l("Choose one of the options shown."))
            return None
        return text
    if question.type == "integer":
        return _clean_integer(question, field, text)
    if question.type == "time":
        if parse_time(text) is None:
            field.errors.append(_l("Enter the time as HH:MM, for example 07:45."))
            return None
        return parse_time(text).strftime("%H:%M")
    if len(text) > question.max_length:
        field.errors.append(_("This answer is limited to %(max)d characters (it has %(n)d).",
                              max=question.max_length, n=len(text)))
        return None
    return text


def _clean_integer(question: Question, field: Field, text: str) -> int | None:
    if not re.fullmatch(r"\d{1,9}", text):
        field.errors.append(_l("Enter a whole number, for example 350."))
        return None
    value = int(text)
    if question.min is not None and value < question.min or \
            question.max is not None and value > question.max:
        field.errors.append(_("Enter a number from %(min)s to %(max)s.",
                              min=question.min if question.min is not None else 0,
                              max=question.max if question.max is not None else "∞"))
        return None
    return value


def _field_for(question: Question) -> Field:
    label, description = _l(question.label), _l(question.help) if question.help else ""
    kwargs = {"label": label, "description": description,
              "render_kw": {"data-question": question.id}}
    if question.relevant:
        kwargs["render_kw"]["data-relevant"] = "{}={}".format(*question.relevant)
    if question.type == "yesno":
        return RadioField(choices=[SelectChoice(v, YESNO_LABELS[v]) for v in YESNO],
                          validate_choice=False, **kwargs)
    if question.type == "choice":
        return RadioField(choices=[SelectChoice(v, _l(t)) for v, t in question.choices],
                          validate_choice=False, **kwargs)
    if question.type == "multi":
        # data-exclusive: static/skip.js (followExclusiveChoices) unticks the others.
        return MultiCheckboxField(choices=[
            SelectChoice(v, _l(t), render_kw={"data-exclusive": True}
                         if v in question.exclusive else None)
            for v, t in question.choices], validate_choice=False, **kwargs)
    if question.type == "integer":
        kwargs["render_kw"].update(inputmode="numeric", pattern="[0-9]*")
        return StringField(**kwargs)
    if question.type == "time":
        kwargs["render_kw"].update(time_input())
        return StringField(**kwargs)
    kwargs["render_kw"]["maxlength"] = question.max_length
    return TextAreaField(**kwargs)


@lru_cache(maxsize=None)
def form_class(kind: str, version: int | None = None) -> type[ChecklistForm] | None:
    """The form of one checklist type, current or of an earlier ``version`` (built once per
    process), or None for an unknown type or version."""
    definition = definitions.get(kind, version)
    return build_form_class(definition) if definition else None


def build_form_class(definition: Definition) -> type[ChecklistForm]:
    """A ChecklistForm subclass with one field per question of the definition."""
    attributes = {q.id: _field_for(q) for q in definition.questions.values()}
    attributes["definition"] = definition
    return type(f"{definition.type.title()}ChecklistForm", (ChecklistForm,), attributes)
