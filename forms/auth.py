"""Log-in form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    """Name and password; the view checks them against the database."""

    username = StringField(_l("User name"), validators=[
        InputRequired(_l("Enter your user name.")), Length(max=80)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"})
