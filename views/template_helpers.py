"""Every Jinja filter and global of the app, registered once from ``create_app``.

Templates format with these and never query. Codes become words through
models.vocabulary, times through models.clock; the audit log's own labels and
the dashboard's locale-aware numbers stay with their pages and are only
registered here, so a template's helper is found in this one list.
"""

from functools import partial

from flask import Flask, request
from flask_babel import LazyString, force_locale, get_locale
from flask_babel import gettext as _

from models import vocabulary
from models.clock import day_text, local_text
from models.definitions import Question
from models.languages import LANGUAGES
from views.assets import import_map, module_preloads
from views.audit import audit_action, entry_kind
from views.auth import may_open
from views.checkins import blank_checkin_form
from views.dashboard import figure, share
from views.languages import switch_next
from views.offline import offline_form_settings
from views.review_panel import entry_url
from views.team_messages import unread_messages


def local_time(utc_text: str, zone: str) -> str:
    """Jinja filter: stored UTC as local time in ``zone`` with its offset, 19.03.2023 10:00 (UTC+6)."""
    return local_text(utc_text, zone, "offset") or ""


def day_label(day) -> str:
    """Jinja filter: a date or stored YYYY-MM-DD text as 19.03.2023 ('—' when there is none)."""
    return day_text(day)


def answer_label(value, question: Question) -> str:
    """Jinja filter: a stored answer as the observer saw it."""
    return vocabulary.answer_text(value, question)


def worded_in(text, code: str) -> str:
    """Jinja global: a marked text (a question, a choice) as worded in another language.

    For the interpreter's view: a lazy string says itself again under that
    language, a plain one is looked up as an English message (a section's title
    from the definition); text that is no message (a station's name) stays as it
    is. Plain text, so Jinja escapes it.
    """
    with force_locale(code):
        return str(text) if isinstance(text, LazyString) else _(text)


def meeting_topics() -> list[tuple[str, str]]:
    """Jinja global: (code, label) of every topic, for forms rendered by partials."""
    return [(code, str(vocabulary.TOPIC_LABELS[code])) for code in vocabulary.TOPICS]


# Each feature's own stylesheet, linked in the page head by base.html for every
# page of that blueprint (a <link> inside the body would be invalid HTML).
FEATURE_STYLES = {"incidents": ("incidents.css",), "meetings": ("meetings.css",),
                  "liaison": ("meetings.css",), "review": ("review.css",),
                  "dashboard": ("dashboard.css",), "control_room": ("dashboard.css",),
                  "audit": ("dashboard.css",),
                  "offline": ("offline.css",)}


def feature_stylesheets() -> tuple[str, ...]:
    """Jinja global: the stylesheets of the current page's feature."""
    return FEATURE_STYLES.get(request.blueprint or "", ())


# Filters that put a stored code into words: each is models.vocabulary.label on one map.
CODE_LABELS = {"review_state_label": vocabulary.STATE_LABELS,
               "overall_label": vocabulary.OVERALL_LABELS,
               "incident_category": vocabulary.CATEGORY_LABELS,
               "incident_severity": vocabulary.SEVERITY_LABELS,
               "topic_label": vocabulary.TOPIC_LABELS, "level_label": vocabulary.LEVEL_LABELS,
               "follow_up_status": vocabulary.STATUS_LABELS,
               "role_label": vocabulary.ROLE_LABELS}
FILTERS = {**{name: partial(vocabulary.label, labels) for name, labels in CODE_LABELS.items()},
           **{f.__name__: f for f in (local_time, day_label, answer_label, audit_action,
                                      entry_kind, share, figure)}}
GLOBALS = {"entry_url": entry_url, "meeting_topics": meeting_topics, "get_locale": get_locale,
           "may_open": may_open, "feature_stylesheets": feature_stylesheets,
           "import_map": import_map, "module_preloads": module_preloads,
           "offline_form_settings": offline_form_settings, "language_switch_next": switch_next,
           "worded_in": worded_in, "unread_messages": unread_messages,
           "blank_checkin_form": blank_checkin_form,
           "languages": LANGUAGES}


def init_app(app: Flask) -> None:
    """Register every filter and global on the app's Jinja environment."""
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(GLOBALS)
