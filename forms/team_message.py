"""The coordinators' form for a message to teams: who it goes to, and what it says."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlite_utils import Database
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from models import team_messages

AUDIENCE_LABELS = {"all": _l("All teams"), "region": _l("The teams of a region"),
                   "team": _l("One team")}
TEAM_MAX = 40  # models.users.MAX_TEAM: longer is no team's name


def message_limit() -> int:
    """The longest message, in characters: the MESSAGE_MAX_LENGTH setting."""
    return current_app.config["MESSAGE_MAX_LENGTH"]


class MessageForm(FlaskForm):
    """Audience (all teams, a region, one team) and the message; checked against the registry."""

    audience = RadioField(_l("Send to"), default="all", validate_choice=False,
                          choices=[SelectChoice(code, label)
                                   for code, label in AUDIENCE_LABELS.items()])
    region = SelectField(_l("Region"), validate_choice=False, validators=[Optional()])
    team = StringField(_l("Team"), validators=[Optional()],
                       description=_l("The team's name, as in the users' list."),
                       render_kw={"list": "team-names", "autocomplete": "off"})
    body = TextAreaField(_l("Message"))

    def __init__(self, *args, db: Database, **kwargs):
        super().__init__(*args, **kwargs)
        self.db = db
        self.region.choices = [SelectChoice("", _l("Choose a region"))] + [
            SelectChoice(name, name) for name in team_messages.regions(db)]
        # static/textcount.js lifts the browser's silent cut and counts down instead.
        self.body.render_kw = {
            "rows": 5, "maxlength": message_limit(), "data-count": "",
            "data-count-left": _("%(n)s characters left", n="%(n)s"),
            "data-count-over": _("%(n)s characters too many: shorten the text to send it.",
                                 n="%(n)s")}
        self.body.description = _("At most %(n)d characters. Observers confirm they have "
                                  "read it.", n=message_limit())

    def validate(self, extra_validators=None) -> bool:
        """Every field's own check, then the audience's target against the registry."""
        ok = super().validate(extra_validators)
        audience = self.audience.data
        if audience not in team_messages.AUDIENCES:
            self.audience.errors.append(_l("Choose who the message goes to."))
            ok = False
        region = (self.region.data or "").strip()
        team = (self.team.data or "").strip()
        if audience == "region":
            if not region:
                self.region.errors.append(_l("Choose the region."))
                ok = False
            elif not team_messages.is_region(self.db, region):
                self.region.errors.append(_l("There is no such region in the stations' "
                                             "registry."))
                ok = False
        if audience == "team":
            if not team:
                self.team.errors.append(_l("Type the team's name."))
                ok = False
            elif len(team) > TEAM_MAX or not team_messages.is_team(self.db, team):
                self.team.errors.append(_l("No observer belongs to this team. Check the "
                                           "name in the users' list."))
                ok = False
        body = (self.body.data or "").strip()
        if not body:
            self.body.errors.append(_l("Write the message."))
            ok = False
        elif len(body) > message_limit():
            self.body.errors.append(_("At most %(max)d characters: this message has "
                                      "%(n)d.", max=message_limit(), n=len(body)))
            ok = False
        return ok

    def target(self) -> str | None:
        """The region or team the message goes to (None for all teams)."""
        if self.audience.data == "region":
            return self.region.data.strip()
        if self.audience.data == "team":
            return self.team.data.strip()
        return None
