"""The language switch in the menu (one button per language), and the admin's choice for a user."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from models.languages import LANGUAGES, supported


class LanguageForm(FlaskForm):
    """The language asked for (any text: an unknown code falls back, never an error page)."""

    lang = StringField()
    next = HiddenField()

    def language(self, default: str) -> str:
        """The language to switch to: the one asked for when the app speaks it, else ``default``."""
        return supported(self.lang.data) or default


class UserLanguageForm(FlaskForm):
    """The language an admin sets on an account (a domestic observer who reads Kazakh only)."""

    lang = SelectField(_l("Language"), default="",
                       choices=[SelectChoice("", _l("As the browser asks"))]
                       + [SelectChoice(code, name, render_kw={"lang": code})
                          for code, name in LANGUAGES.items()],
                       invalid_choice_message=_l("Choose a language from the list."),
                       description=_l("What the user's pages, messages and offline forms speak; "
                                      "the user can switch it in the menu."))
