"""The meeting-report form, the follow-up answer form and the liaison's queue form.

Several counterparts, requests and commitments fit on one page without a
JavaScript framework: each is a list of rows (four blank ones to start with),
fully empty rows are ignored and partly filled ones are checked.
"""

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlite_utils import Database
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from forms.checklist import CLOCK_SLACK, UUID_PATTERN, MultiCheckboxField, parse_time
from forms.times import time_input
from models import meetings, stations, vocabulary
from models.clock import local_to_utc, to_iso, utc_now, utc_to_local
from models.vocabulary import LEVEL_LABELS, STATUS_LABELS, TOPIC_LABELS

ROWS_SHOWN = 4
MAX_ROWS = 40  # more rows than this in one post is tampering, not a meeting
NAME_MAX, ITEM_MAX, SUMMARY_MAX, NOTE_MAX = 200, 1000, 8000, 1000
MAX_LINKS = 60
# Observers on a Russian or Kazakh keyboard type Cyrillic С and І, which look the same.
_REF_LETTERS = str.maketrans({"С": "C", "с": "C", "c": "C", "І": "I", "і": "I", "i": "I"})
_REF = re.compile(r"([CI])([0-9]{1,18})")


class RowList(FieldList):
    """A FieldList that reads only ASCII row numbers.

    WTForms accepts any key whose index passes str.isdigit() and then calls
    int() on it: a tampered "counterparts-²-name" would be a 500.
    """

    def _extract_indices(self, prefix, formdata):
        for key in formdata:
            match = re.fullmatch(re.escape(prefix) + r"-([0-9]{1,6})-.*", key)
            if match:
                yield int(match.group(1))


class CounterpartRow(Form):
    """One person from the commission."""

    name = StringField(_l("Name"))
    position = StringField(_l("Position"))


class RequestRow(Form):
    """One request the mission made."""

    item_id = HiddenField()
    text = TextAreaField(_l("Request by the mission"), render_kw={"rows": 2})
    due_date = DateField(_l("Answer expected by"), validators=[Optional()])


class CommitmentRow(RequestRow):
    """One answer or commitment the commission gave."""

    text = TextAreaField(_l("Answer or commitment by the commission"), render_kw={"rows": 2})
    due_date = DateField(_l("To be done by"), validators=[Optional()])


def _rows(form_class) -> RowList:
    return RowList(FormField(form_class), min_entries=ROWS_SHOWN, max_entries=MAX_ROWS)


class MeetingForm(FlaskForm):
    """A meeting or exchange with an election commission."""

    uuid = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l(
        "This form's identifier was damaged. Open a new form and fill it again."))])
    base_version = HiddenField()
    date = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date of the meeting."))])
    time = StringField(_l("Time (local)"), render_kw=time_input(),
                       validators=[InputRequired(_l("Enter the time the meeting began."))])
    place = StringField(_l("Place"), validators=[Length(max=NAME_MAX)])
    commission_level = RadioField(_l("Commission level"), validate_choice=False, choices=[
        SelectChoice(code, LEVEL_LABELS[code]) for code in vocabulary.LEVELS])
    commission_name = StringField(_l("Commission"), description=_l(
        "For example: Aktobe regional territorial election commission."), validators=[
        DataRequired(_l("Enter the name of the commission.")), Length(max=NAME_MAX)])
    region = SelectField(_l("Region"), validate_choice=False,
                         description=_l("Optional for the CEC."))
    counterparts = _rows(CounterpartRow)
    participants = StringField(_l("Mission participants"), validators=[Length(max=500)],
                               description=_l("Who from the mission took part."))
    topics = MultiCheckboxField(_l("Topics"), validate_choice=False, choices=[
        SelectChoice(code, TOPIC_LABELS[code]) for code in vocabulary.TOPICS])
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 6}, validators=[
        DataRequired(_l("Summarise what was discussed.")),
        Length(max=SUMMARY_MAX, message=_l("The summary is limited to %(max)d characters."))])
    requests = _rows(RequestRow)
    commitments = _rows(CommitmentRow)
    queued = MultiCheckboxField(_l("Entries from the CEC queue raised in this meeting"),
                                validate_choice=False)
    entry_numbers = StringField(_l("Other entries raised"), description=_l(
        "Entry numbers separated by commas: C and the number of a checklist, I and the "
        "number of an incident, for example C12, I3."))

    def __init__(self, *args, db: Database, regions: list[str], queue_choices: list[dict],
                 mission_zone: str, team: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.db, self.regions, self.mission_zone, self.team = db, regions, mission_zone, team
        self.region.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(r, r) for r in regions]
        self._queued = {f"{e['kind']}:{e['id']}": (e["kind"], e["id"]) for e in queue_choices}
        self.queued.choices = [SelectChoice(f"{e['kind']}:{e['id']}", e["label"])
                               for e in queue_choices]
        self.failed = False
        self.zone = mission_zone
        self.occurred_utc = ""
        self.links: list[tuple[str, int]] = []
        self.follow_ups: list[meetings.FollowUp] = []
        self.people: list[dict] = []

    def error(self, field, message) -> None:
        """Put a message next to ``field`` and mark the form as failed."""
        field.errors.append(message)
        self.failed = True

    def validate(self, extra_validators=None) -> bool:
        """Check every field, the rows, the links and the time; collect the clean values."""
        self.failed = not super().validate(extra_validators)
        level = self.commission_level.data
        if level not in vocabulary.LEVELS:
            self.error(self.commission_level, _l("Choose the commission level."))
        region = self.region.data or ""
        if region and region not in self.regions:
            self.error(self.region, _l("Choose a region from the list."))
        elif not region and level in vocabulary.LEVELS and level != "cec":
            self.error(self.region, _l("Choose the region of this commission."))
        topics = self.topics.data or []
        if not topics:
            self.error(self.topics, _l("Tick at least one topic."))
        elif any(t not in vocabulary.TOPICS for t in topics):
            self.error(self.topics, _l("Choose from the topics shown."))
        self.people = self._counterparts()
        self.follow_ups = self._items(self.requests, "request") + \
            self._items(self.commitments, "commitment")
        self.links = self._links()
        self._check_when(level, region)
        return not self.failed

    def _counterparts(self) -> list[dict]:
        people = []
        for row in self.counterparts:
            name = (row.form.name.data or "").strip()
            position = (row.form.position.data or "").strip()
            if not name and not position:
                continue
            if not name:
                self.error(row.form.name, _l("Enter the name, or clear the position."))
            for field, text in ((row.form.name, name), (row.form.position, position)):
                if len(text) > NAME_MAX:
                    self.error(field, _("Limited to %(max)d characters.", max=NAME_MAX))
            people.append({"name": name, "position": position})
        return people

    def _items(self, rows: RowList, kind: str) -> list[meetings.FollowUp]:
        items = []
        for row in rows:
            text = (row.form.text.data or "").strip()
            due = row.form.due_date.data
            if not text and due is None and not row.form.due_date.errors:
                continue  # a blank row; on an edit, a cleared open item is removed
            if not text:
                self.error(row.form.text, _l("Write the text, or clear the date."))
            elif len(text) > ITEM_MAX:
                self.error(row.form.text, _("Limited to %(max)d characters.", max=ITEM_MAX))
            if isinstance(due, date) and isinstance(self.date.data, date) \
                    and due < self.date.data:
                self.error(row.form.due_date, _l("This date is before the meeting."))
            raw_id = row.form.item_id.data or ""
            items.append(meetings.FollowUp(
                kind, text, due.isoformat() if isinstance(due, date) else None,
                int(raw_id) if re.fullmatch(r"[0-9]{1,18}", raw_id) else None))
        return items

    def _links(self) -> list[tuple[str, int]]:
        links = []
        for value in self.queued.data or []:
            if value not in self._queued:
                self.error(self.queued, _l("Choose from the entries shown."))
                return []
            links.append(self._queued[value])
        text = (self.entry_numbers.data or "").translate(_REF_LETTERS).upper()
        tokens = [t for t in re.split(r"[\s,;]+", text) if t]
        bad = [t for t in tokens if not _REF.fullmatch(t)]
        if bad:
            self.error(self.entry_numbers, _(
                "Write entry numbers as C12 (checklist 12) or I3 (incident 3); "
                "%(bad)s is not one.", bad=bad[0]))
            return []
        typed = [(meetings.KIND_OF_PREFIX[m[1]], int(m[2])) for m in map(_REF.fullmatch, tokens)]
        if len(typed) > MAX_LINKS:
            self.error(self.entry_numbers, _("At most %(max)d entries.", max=MAX_LINKS))
            return []
        # Observers may link only their own team's entries; another team's
        # entry is reported as unknown, as it would be on its page (404).
        missing = meetings.missing_entries(self.db, typed, team=self.team)
        if missing:
            self.error(self.entry_numbers, _(
                "Unknown entry: %(refs)s. Check the number on the entry's page.",
                refs=", ".join(meetings.ref(k, i) for k, i in missing)))
        return sorted(set(links) | set(typed))

    def _check_when(self, level: str, region: str) -> None:
        at = parse_time(self.time.data or "")
        if self.time.data and at is None:
            self.error(self.time, _l("Enter the time as HH:MM, for example 15:30."))
        day = self.date.data
        if isinstance(day, date) and day.year < 2000:
            self.error(self.date, _l("Check the year."))
            return
        # The CEC sits in the capital: its meetings keep the mission's zone.
        if level != "cec" and region:
            self.zone = stations.region_zone(self.db, region) or self.mission_zone
        if at is None or not isinstance(day, date):
            return
        moment = local_to_utc(day, at, self.zone)
        if moment > utc_now() + CLOCK_SLACK:
            self.error(self.date, _l("The meeting is in the future: log it once it has "
                                     "taken place."))
        self.occurred_utc = to_iso(moment)

    def to_record(self) -> meetings.Meeting:
        """The validated form as the meeting report to store (models/entries.py saves it)."""
        return meetings.Meeting(
            uuid=self.uuid.data, occurred_utc=self.occurred_utc, timezone=self.zone,
            place=(self.place.data or "").strip(), commission_level=self.commission_level.data,
            commission_name=self.commission_name.data.strip(), region=self.region.data or "",
            counterparts=self.people, participants=(self.participants.data or "").strip(),
            topics=[t for t in vocabulary.TOPICS if t in self.topics.data],
            summary=self.summary.data.strip(), follow_ups=self.follow_ups, links=self.links)

    def add_rows(self, count: int = ROWS_SHOWN) -> None:
        """More blank rows at the end of each list (the "more rows" button)."""
        for rows in (self.counterparts, self.requests, self.commitments):
            for _row in range(min(count, MAX_ROWS - len(rows))):
                rows.append_entry()

    def ensure_blank_rows(self, count: int = 2) -> None:
        """At least ``count`` blank rows in each list, after the rows an edit starts with."""
        for rows, key in ((self.counterparts, "name"), (self.requests, "text"),
                          (self.commitments, "text")):
            blank = sum(1 for row in rows if not row.form[key].data)
            for _row in range(max(0, min(count - blank, MAX_ROWS - len(rows)))):
                rows.append_entry()


def form_data(entry: dict, queue_choices: list[dict]) -> dict:
    """A stored meeting as the form's initial data, in its local time.

    Open follow-ups become editable rows; answered and closed ones are shown
    on the page but stay as they are. Linked entries in the queue are ticked,
    the others written as entry numbers.
    """
    local = utc_to_local(entry["occurred_utc"], entry["timezone"])
    queued = {(e["kind"], e["id"]) for e in queue_choices}
    links = [(link["kind"], link["id"]) for link in entry["links"]]

    def items(kind):
        return [{"item_id": f["id"], "text": f["text"],
                 "due_date": date.fromisoformat(f["due_date"]) if f["due_date"] else None}
                for f in entry["follow_ups"] if f["kind"] == kind and f["status"] == "open"]
    return {"uuid": entry["uuid"], "base_version": entry["version"], "date": local.date(),
            "time": local.strftime("%H:%M"), "place": entry["place"],
            "commission_level": entry["commission_level"],
            "commission_name": entry["commission_name"], "region": entry["region"],
            "counterparts": entry["counterparts"], "participants": entry["participants"],
            "topics": entry["topics"], "summary": entry["summary"],
            "requests": items("request"), "commitments": items("commitment"),
            "queued": [f"{k}:{i}" for k, i in links if (k, i) in queued],
            "entry_numbers": ", ".join(meetings.ref(k, i) for k, i in links
                                       if (k, i) not in queued)}


class LogFilterForm(Form):
    """The meetings log's filters, read from the address (GET: no CSRF needed)."""

    level = SelectField(_l("Level"), default="", choices=[SelectChoice("", _l("any"))] + [
        SelectChoice(code, LEVEL_LABELS[code]) for code in vocabulary.LEVELS])
    region = SelectField(_l("Region"), default="")
    topic = SelectField(_l("Topic"), default="", choices=[SelectChoice("", _l("any"))] + [
        SelectChoice(code, TOPIC_LABELS[code]) for code in vocabulary.TOPICS])
    status = SelectField(_l("Follow-up"), default="", choices=[SelectChoice("", _l("any"))] + [
        SelectChoice(code, STATUS_LABELS[code]) for code in (*vocabulary.FOLLOW_UP_STATUSES,
                                                              "overdue")])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, regions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [SelectChoice("", _l("any"))] + [SelectChoice(r, r) for r in regions]

    def validate(self, extra_validators=None) -> bool:
        """Known choices, plausible years, and a range that does not end before it starts."""
        ok = super().validate(extra_validators)
        for field in (self.since, self.until):
            # Year 1 or 9999 would overflow when turned into UTC bounds.
            if field.data and not 2000 <= field.data.year <= 2100:
                field.errors.append(_l("Check the year."))
                ok = False
        if ok and self.since.data and self.until.data and self.until.data < self.since.data:
            self.until.errors.append(_l("The end is before the start."))
            return False
        return ok


class FollowUpForm(FlaskForm):
    """The commission's answer to one item, or closing it; prefixed by the item's id."""

    action = HiddenField()
    answer_date = DateField(_l("Date of the answer"), validators=[Optional()])
    answer_text = TextAreaField(_l("The answer"), render_kw={"rows": 2}, validators=[
        Length(max=ITEM_MAX, message=_l("Limited to %(max)d characters."))])

    def __init__(self, *args, meeting_date: date, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_date, self.today = meeting_date, today

    def validate(self, extra_validators=None) -> bool:
        """An answer needs its date (from the meeting to today) and its text."""
        ok = super().validate(extra_validators)
        if self.action.data not in ("answer", "close"):
            self.action.errors.append(_l("Choose “Record the answer” or “Close”."))
            return False
        if self.action.data == "close":
            return ok
        day = self.answer_date.data
        if not isinstance(day, date):
            if not self.answer_date.errors:
                self.answer_date.errors.append(_l("Enter the date of the answer."))
        elif day > self.today:
            self.answer_date.errors.append(_l("This date is in the future."))
        elif day < self.meeting_date:
            self.answer_date.errors.append(_l("This date is before the meeting."))
        if not (self.answer_text.data or "").strip():
            self.answer_text.errors.append(_l("Write what the commission answered."))
        return not any(f.errors for f in self)


class QueueForm(FlaskForm):
    """The liaison marks an entry "to raise with the CEC"."""

    topic = SelectField(_l("Topic"), validate_choice=False, choices=[
        SelectChoice(code, TOPIC_LABELS[code]) for code in vocabulary.TOPICS])
    note = TextAreaField(_l("Note: what to raise"), render_kw={"rows": 3}, validators=[
        DataRequired(_l("Write what to raise with the commission.")),
        Length(max=NOTE_MAX, message=_l("Limited to %(max)d characters."))])
    next = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """Besides the note, the topic must be one from the list."""
        ok = super().validate(extra_validators)
        if self.topic.data not in vocabulary.TOPICS:
            self.topic.errors.append(_l("Choose a topic from the list."))
            return False
        return ok
