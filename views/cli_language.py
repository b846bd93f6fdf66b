"""``--lang`` for the commands that write a report or an export: en, ru or kk.

An unknown code writes in the mission's default (BABEL_DEFAULT_LOCALE) and
says so on stderr: never an error, as a wrong language code in a URL is not.
"""

import functools

import click
from flask import current_app
from flask_babel import force_locale

from models import languages


def in_language(command):
    """``--lang``: the command writes its report in en, ru or kk (else the mission's default)."""
    @click.option("--lang", default="",
                  help="Language of the report: en, ru or kk (default: BABEL_DEFAULT_LOCALE).")
    @functools.wraps(command)
    def written_in(*args, lang: str = "", **kwargs):
        code = languages.or_default(lang, current_app.config["BABEL_DEFAULT_LOCALE"])
        if lang and not languages.supported(lang):
            click.echo(f"No language {lang!r} here (en, ru, kk): the report is in {code}.",
                       err=True)
        with force_locale(code):
            return command(*args, **kwargs)
    return written_in
