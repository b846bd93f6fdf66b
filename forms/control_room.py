"""The control room's call log form: "called 14:05, no answer", kept open as a follow-up."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired

from forms.checklist import parse_time
from forms.times import time_input
from models import control_room

OUTCOME_LABELS = {"reached": _l("Reached"), "no_answer": _l("No answer"),
                  "left_message": _l("Left a message")}


class CallForm(FlaskForm):
    """One call to a team; ``validate`` leaves ``called_at`` (a time, or None for now)."""

    team = StringField(_l("Team"), validators=[InputRequired(_l("Give the team called."))],
                       render_kw={"autocomplete": "off", "list": "team-names", "maxlength": 40})
    time = StringField(_l("Called at (your time, empty: now)"), render_kw=time_input())
    outcome = RadioField(_l("Outcome"), validate_choice=False,
                         choices=[SelectChoice(code, OUTCOME_LABELS[code])
                                  for code in control_room.OUTCOMES])
    note = TextAreaField(_l("Note (optional)"),
                         render_kw={"maxlength": control_room.CALL_NOTE_MAX, "rows": 2})
    follow_up = BooleanField(_l("Keep open as a follow-up"), default=True)

    def __init__(self, *args, known_team, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_team = known_team
        self.called_at = None

    def validate(self, extra_validators=None) -> bool:
        """Check the team exists, the outcome, the time and the note's length."""
        fields_ok = super().validate(extra_validators)
        team = (self.team.data or "").strip()
        self.team.data = team
        if team and not self.known_team(team):
            self.team.errors.append(_l("No team has this name."))
        if self.outcome.data not in control_room.OUTCOMES:
            self.outcome.errors.append(_l("Choose how the call went."))
        typed = (self.time.data or "").strip()
        if typed:
            self.called_at = parse_time(typed)
            if self.called_at is None:
                self.time.errors.append(_l("Enter the time as HH:MM, e.g. 14:05."))
        note = (self.note.data or "").strip()
        self.note.data = note
        if len(note) > control_room.CALL_NOTE_MAX:
            self.note.errors.append(_("At most %(n)d characters (this note has %(count)d).",
                                       n=control_room.CALL_NOTE_MAX, count=len(note)))
        return fields_ok and not any(field.errors for field in self)
