"""The incident report form, validated on the server (skip logic and time included).

The station is optional: the observer types its number (or part of its name,
if that finds exactly one station) and the registry is searched. Without a
station the region is required; the time zone is the station's, else the
region's.
"""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlite_utils import Database
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Regexp

from forms.checklist import CLOCK_SLACK, UUID_PATTERN, parse_time, plausible_day
from forms.times import time_input
from models import incidents, stations, vocabulary
from models.clock import local_to_utc, to_iso, utc_now
from models.vocabulary import CATEGORY_LABELS, SEVERITY_LABELS, YESNO_LABELS

# Several matches for a name fragment: this many are offered in the message.
SUGGESTIONS = 3


class IncidentForm(FlaskForm):
    """One incident report; ``validate`` leaves ``station``, ``zone`` and ``occurred_utc``."""

    uuid = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l(
        "This form's identifier was damaged. Open a new form and fill it again."))])
    base_version = HiddenField()
    occurred_date = DateField(_l("Date"), validators=[InputRequired(
        _l("Enter the date of the incident."))])
    occurred_time = StringField(_l("Time (local)"), render_kw=time_input(),
                                validators=[InputRequired(_l("Enter the time of the incident."))])
    station_number = StringField(
        _l("Polling station (optional)"),
        description=_l("Its number, or part of its name. Leave empty if it did not happen "
                       "at a polling station."),
        render_kw={"autocomplete": "off", "maxlength": 100})
    region = SelectField(_l("Region"), validate_choice=False,
                         description=_l("Needed when no polling station is given."))
    place = StringField(_l("Place (optional)"),
                        description=_l("Where exactly: an address, outside the entrance, ..."),
                        render_kw={"maxlength": incidents.MAX_PLACE})
    category = RadioField(_l("What happened"), validate_choice=False,
                          choices=[SelectChoice(c, CATEGORY_LABELS[c])
                                   for c in vocabulary.CATEGORIES])
    severity = RadioField(_l("How serious"), validate_choice=False,
                          choices=[SelectChoice(s, SEVERITY_LABELS[s])
                                   for s in vocabulary.SEVERITIES])
    description = TextAreaField(_l("Description"), description=_l(
        "What you saw, who was involved, how long it lasted."),
        render_kw={"maxlength": incidents.MAX_DESCRIPTION, "rows": 6})
    reported_to_commission = RadioField(
        _l("Reported to the election commission?"), validate_choice=False,
        choices=[SelectChoice(v, YESNO_LABELS[v]) for v in incidents.YES_NO])
    commission_response = TextAreaField(
        _l("What did the commission do?"),
        render_kw={"maxlength": incidents.MAX_RESPONSE,
                   "data-relevant": "reported_to_commission=yes"})

    def __init__(self, *args, db: Database, region_zones: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.db = db
        self.region_zones = region_zones
        self.region.choices = [SelectChoice("", _l("— choose —"))] + \
            [SelectChoice(r, r) for r in region_zones]
        self.station: dict | None = None
        self.zone: str | None = None
        self.occurred_utc: datetime | None = None

    def to_record(self) -> incidents.Report:
        """The validated form as the report to store (models/entries.py saves it)."""
        return incidents.Report(
            uuid=self.uuid.data, station_id=self.station["id"] if self.station else None,
            region=self.region.data, place=self.place.data,
            occurred_utc=to_iso(self.occurred_utc), timezone=self.zone,
            category=self.category.data, severity=self.severity.data,
            description=self.description.data,
            reported_to_commission=self.reported_to_commission.data,
            commission_response=self.commission_response.data)

    def validate(self, extra_validators=None) -> bool:
        """Check every field, the station or region, the skip logic and the time."""
        fields_ok = super().validate(extra_validators)
        self._check_where()
        self._check_choice(self.category, vocabulary.CATEGORIES,
                           _l("Choose what happened from the list."))
        self._check_choice(self.severity, vocabulary.SEVERITIES,
                           _l("Choose how serious it was."))
        self._check_choice(self.reported_to_commission, incidents.YES_NO,
                           _l("Say whether it was reported to the commission."))
        self._check_text(self.description, incidents.MAX_DESCRIPTION, required=_l(
            "Describe what happened."))
        self._check_text(self.place, incidents.MAX_PLACE)
        if self.reported_to_commission.data == "yes":
            self._check_text(self.commission_response, incidents.MAX_RESPONSE, required=_l(
                "Say what the commission did (or that it did nothing)."))
        else:
            # Not asked when it was not reported: drop whatever the page still held.
            self.commission_response.data = ""
        self._check_time()
        return fields_ok and not any(f.errors for f in self)

    def _check_where(self) -> None:
        typed = (self.station_number.data or "").strip()
        self.station_number.data = typed
        if typed:
            self.station = self._find_station(typed)
            if self.station is not None:
                self.station_number.data = self.station["number"]
                self.region.data = self.station["region"]
                self.zone = self.station["timezone"]
            return
        region = self.region.data or ""
        if not region:
            self.region.errors.append(_l("Choose the region (or give a polling station)."))
        elif region not in self.region_zones:
            self.region.errors.append(_l("Choose a region from the list."))
        else:
            self.zone = self.region_zones[region]

    def _find_station(self, typed: str) -> dict | None:
        if len(typed) > 100:
            self.station_number.errors.append(_l("Type the station's number."))
            return None
        found = stations.search(self.db, typed).stations
        exact = [s for s in found if s["number"] == typed]
        if exact or len(found) == 1:
            return (exact or found)[0]
        if not found:
            self.station_number.errors.append(_(
                "No polling station has the number or name “%(typed)s”. Check the number, "
                "or leave it empty and choose the region.", typed=typed))
        else:
            shown = "; ".join(f"{s['number']} {s['name']}" for s in found[:SUGGESTIONS])
            self.station_number.errors.append(_(
                "Several polling stations match: %(shown)s. Type the number.", shown=shown))
        return None

    @staticmethod
    def _check_choice(field, allowed: tuple[str, ...], message) -> None:
        if field.data not in allowed:
            field.errors.append(message)

    @staticmethod
    def _check_text(field, limit: int, required=None) -> None:
        text = (field.data or "").strip()
        field.data = text
        if not text and required:
            field.errors.append(required)
        elif len(text) > limit:
            field.errors.append(_("This is limited to %(max)d characters (it has %(n)d).",
                                   max=limit, n=len(text)))

    def _check_time(self) -> None:
        at = parse_time(self.occurred_time.data or "")
        if self.occurred_time.data and at is None:
            self.occurred_time.errors.append(_l("Enter the time as HH:MM, for example 07:45."))
        if self.occurred_date.data is not None and not plausible_day(self.occurred_date.data):
            self.occurred_date.errors.append(_l("Check the year."))
        if at is None or self.zone is None or self.occurred_date.errors \
                or self.occurred_date.data is None:
            return
        self.occurred_utc = local_to_utc(self.occurred_date.data, at, self.zone)
        if self.occurred_utc > utc_now() + CLOCK_SLACK:
            self.occurred_time.errors.append(_l("This time is in the future."))
