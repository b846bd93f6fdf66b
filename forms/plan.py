"""The coordinators' forms for the deployment plan: a team's area and phones, a team's day.

A day's plan is a list of rows (position, station number, purpose, time)
without a JavaScript framework: fully blank rows are ignored, a row ticked
"remove" is dropped, a row without a position goes after the others. The
rows are checked here for what a person must fill in, then by
models/plan_checks.py (``validate``, the same checks as a plan file), whose
problems are shown next to the row's field.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, SelectChoice, SelectField, StringField

from forms.checklist import MultiCheckboxField
from forms.meeting import RowList
from forms.times import time_input
from models import plans

BLANK_ROWS = 3
MAX_ROWS = plans.MAX_POSITION


class TeamForm(FlaskForm):
    """A team's area of responsibility (a region, some of its districts) and phones."""

    region = SelectField(_l("Region"), default="", validate_choice=False)
    districts = MultiCheckboxField(_l("Districts"), validate_choice=False, description=_l(
        "None ticked: the whole region. After choosing another region, save to see its "
        "districts."))
    phones = StringField(_l("Phone numbers"), filters=[lambda v: (v or "").strip()],
                         description=_l("The members' numbers, separated by commas, "
                                        "e.g. +7 701 123 4567, +7 777 765 4321."),
                         render_kw={"inputmode": "tel", "autocomplete": "off"})

    def __init__(self, *args, regions: list[str], districts: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [SelectChoice("", _l("No region"))] + [
            SelectChoice(region, region) for region in regions]
        self.districts.choices = [SelectChoice(d, d) for d in districts]

    def show(self, problems: list[tuple[str, str]]) -> None:
        """Put the model's problems (field, reason) next to their fields."""
        for field, reason in problems:
            self[field].errors = [*self[field].errors, reason]


class VisitRow(Form):
    """One planned visit."""

    position = StringField(_l("No."), render_kw={"inputmode": "numeric", "maxlength": 2,
                                                 "autocomplete": "off", "class": "short"})
    station = StringField(_l("Station number"), render_kw={"autocomplete": "off",
                                                           "class": "short"})
    purpose = SelectField(_l("Checklist"), default="", validate_choice=False)
    time = StringField(_l("Time (local)"), render_kw=time_input())
    remove = BooleanField(_l("Remove"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose.choices = [SelectChoice("", "—")] + [
            SelectChoice(p, plans.purpose_label(p)) for p in plans.PURPOSES]


class DayPlanForm(FlaskForm):
    """A team's visits on one day, in order."""

    visits = RowList(FormField(VisitRow), min_entries=0, max_entries=MAX_ROWS)

    def add_blank_rows(self, count: int = BLANK_ROWS) -> None:
        """Blank rows at the end, for new visits."""
        for _row in range(min(count, MAX_ROWS - len(self.visits))):
            self.visits.append_entry()

    def kept_rows(self) -> list[tuple[VisitRow, dict]]:
        """The rows to save (not blank, not removed), each with its values as text.

        A row without a position takes the next number after the highest typed.
        Fields left empty get their message here.
        """
        kept = []
        for entry in self.visits:
            row = entry.form
            values = {name: (row[name].data or "").strip()
                      for name in ("position", "station", "purpose", "time")}
            if row.remove.data or not any(values.values()):
                continue
            kept.append((row, values))
        typed = [int(v["position"]) for _row, v in kept if v["position"].isascii()
                 and v["position"].isdigit()]
        following = max(typed, default=0)
        for row, values in kept:
            if not values["position"]:
                following += 1
                values["position"] = str(following)
                row.position.data = values["position"]
            if not values["station"]:
                row.station.errors = [_("Enter the station's number.")]
            if not values["purpose"]:
                row.purpose.errors = [_("Choose the checklist to file there.")]
        return kept

    @property
    def incomplete(self) -> bool:
        """True when a kept row lacks its station or checklist (see ``kept_rows``)."""
        return any(entry.form.station.errors or entry.form.purpose.errors
                   for entry in self.visits)

    def show(self, kept: list[tuple[VisitRow, dict]], problems: list) -> None:
        """Put the model's problems next to the field of the row they are about."""
        for problem in problems:
            row = kept[problem.line][0]
            field = row[problem.field] if problem.field in row else row.station
            field.errors = [*field.errors, problem.reason]


def plan_rows(visits: list[dict]) -> dict:
    """A stored day's visits as the form's initial data."""
    return {"visits": [{"position": str(v["position"]), "station": v["number"],
                        "purpose": v["purpose"], "time": v["planned_time"] or ""}
                       for v in visits]}
