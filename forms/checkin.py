"""The check-in form ("arrived at No. 123", "leaving", "safe"): the home page's and the API's.

The station is optional ("safe, no signal for a while" is nowhere in
particular) but, when given, must be a polling station of the registry, by
its exact number. ``occurred_utc`` is when the observer tapped, made on the
phone: a check-in may wait in the outbox for hours, and the control room
wants when the team was there, not when the signal came back.
"""

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlite_utils import Database
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Regexp

from forms.checklist import CLOCK_SLACK, UUID_PATTERN
from models import checkins
from models.clock import from_iso, to_iso, utc_now

KIND_LABELS = {"arrived": _l("Arrived at a polling station"), "leaving": _l("Leaving"),
               "safe": _l("Safe — no signal for a while")}
# Older than this, a tap time is a phone's wrong clock, not a check-in held offline.
OLDEST = timedelta(days=3)
STATION_MAX = 20


class CheckinForm(FlaskForm):
    """One check-in; ``validate`` leaves ``station`` (a stations row or None)."""

    uuid = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l(
        "This form's identifier was damaged. Open the page again."))])
    kind = RadioField(_l("Check in"), validate_choice=False,
                      choices=[SelectChoice(k, KIND_LABELS[k]) for k in checkins.KINDS])
    station_number = StringField(
        _l("Polling station No. (optional)"),
        render_kw={"autocomplete": "off", "maxlength": STATION_MAX, "inputmode": "numeric"})
    note = TextAreaField(_l("Note (optional)"),
                         render_kw={"maxlength": checkins.NOTE_MAX, "rows": 2})
    occurred_utc = HiddenField()

    def __init__(self, *args, db: Database, fallback_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.db = db
        self.fallback_zone = fallback_zone
        self.station: dict | None = None

    def validate(self, extra_validators=None) -> bool:
        """Check the kind, the station (in the registry), the note's length and the time."""
        fields_ok = super().validate(extra_validators)
        if self.kind.data not in checkins.KINDS:
            self.kind.errors.append(_l("Choose one of: arrived, leaving, safe."))
        typed = (self.station_number.data or "").strip()
        self.station_number.data = typed
        if len(typed) > STATION_MAX:
            self.station_number.errors.append(_l("Type the station's number."))
        elif typed:
            self.station = self.db.execute(
                "SELECT id, number, timezone FROM stations WHERE number = ?", [typed]).fetchone()
            if self.station is None:
                self.station_number.errors.append(
                    _l("No polling station of the registry has this number."))
        elif self.kind.data == "arrived":
            self.station_number.errors.append(_l("Give the number of the station you arrived at."))
        note = (self.note.data or "").strip()
        self.note.data = note
        if len(note) > checkins.NOTE_MAX:
            self.note.errors.append(_("At most %(n)d characters (this note has %(count)d).",
                                       n=checkins.NOTE_MAX, count=len(note)))
        self._check_time()
        return fields_ok and not any(field.errors for field in self)

    def _check_time(self) -> None:
        now = utc_now()
        raw = (self.occurred_utc.data or "").strip()
        if not raw:
            self.occurred_utc.data = to_iso(now)
            return
        try:
            moment = from_iso(raw)
        except ValueError:
            moment = None
        if moment is None:
            self.occurred_utc.errors.append(_l("Expected a UTC time, YYYY-MM-DDTHH:MM:SSZ."))
        elif moment > now + CLOCK_SLACK or moment < now - OLDEST:
            self.occurred_utc.errors.append(_l("This time is not plausible: check the "
                                               "phone's clock."))
        else:
            # A phone a few minutes fast: its check-in happened now, not in the future.
            self.occurred_utc.data = to_iso(min(moment, now))

    def to_checkin(self) -> checkins.Checkin:
        """The validated form as the check-in to store."""
        station = self.station
        return checkins.Checkin(
            uuid=self.uuid.data, kind=self.kind.data,
            station_id=station[0] if station else None, note=self.note.data,
            occurred_utc=self.occurred_utc.data,
            timezone=station[2] if station else self.fallback_zone)

