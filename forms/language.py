"""The language switch in the menu: one button per language."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from models.languages import supported


class LanguageForm(FlaskForm):
    """The language asked for (any text: an unknown code falls back, never an error page)."""

    lang = StringField()
    next = HiddenField()

    def language(self, default: str) -> str:
        """The language to switch to: the one asked for when the app speaks it, else ``default``."""
        return supported(self.lang.data) or default
