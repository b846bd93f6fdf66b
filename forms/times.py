"""Time fields as 24-hour text: HH:MM on every phone, never an AM/PM picker."""

from flask_babel import lazy_gettext as _l

# <input type="time"> follows the phone's or the browser's locale, not the
# page's lang: an English (US) phone shows "07:30 PM" and a slip of the AM/PM
# wheel files a visit 12 hours off. A text field shows exactly what was typed.
# A phone's numeric keypad has no colon, so "1930" and "19.30" are read as
# 19:30 too (forms.checklist.parse_time); the pattern only styles, the
# server decides.
HTML_PATTERN = "([01]?[0-9]|2[0-3])[:. ]?[0-5][0-9]"


def time_input() -> dict:
    """The render_kw of a time field: a short numeric text field, HH:MM."""
    return {"inputmode": "numeric", "pattern": HTML_PATTERN, "maxlength": 5,
            "placeholder": _l("HH:MM"), "autocomplete": "off", "class": "time"}
