"""The admin's forms for managing a user: a new password, team and region, (de)activation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from models.users import MAX_PASSWORD, MAX_TEAM, MIN_PASSWORD


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PasswordForm(FlaskForm):
    """A new password, typed twice; the admin gives it to the user in person."""

    password = PasswordField(_l("New password"), validators=[
        InputRequired(_l("Enter the new password.")),
        Length(min=MIN_PASSWORD, max=MAX_PASSWORD, message=_l(
            "The password must have from %(min)d to %(max)d characters."))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("The new password again"), validators=[
        InputRequired(_l("Type the new password a second time.")),
        EqualTo("password", message=_l("The two passwords differ: type them again."))],
        render_kw={"autocomplete": "new-password"})


class PlaceForm(FlaskForm):
    """The user's team (observers need one) and region (one of the stations' regions)."""

    team = StringField(_l("Team"), filters=[_strip], description=_l(
        "For example T07. Observers see their team's entries only."), validators=[
        Length(max=MAX_TEAM, message=_l("A team name has at most %(max)d characters."))])
    region = SelectField(_l("Region"), default="",
                         invalid_choice_message=_l("Choose a region from the list."))

    def __init__(self, *args, role: str, regions: list[str] = (), current_region: str = "",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        # A region set before the station file changed stays choosable.
        known = list(regions) + ([current_region] if current_region
                                 and current_region not in regions else [])
        self.region.choices = [SelectChoice("", _l("No region"))] + [
            SelectChoice(r, r) for r in known]

    def validate_team(self, field) -> None:
        """An observer without a team could read nobody's entries and file under none."""
        if self.role == "observer" and not field.data:
            raise ValidationError(_l("Observers belong to a team: enter it."))


class ConfirmForm(FlaskForm):
    """No fields: a button that changes something still carries the CSRF token."""
