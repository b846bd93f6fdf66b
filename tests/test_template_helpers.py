"""Templates' filters and globals: registered once (views/template_helpers.py), one entry_url."""

import ast
from pathlib import Path

import pytest

from views import template_helpers
from views.review_panel import entry_url

VIEWS = Path(__file__).resolve().parent.parent / "views"
REGISTERING = {"app_template_filter", "app_template_global", "add_template_filter",
               "add_template_global", "template_filter", "template_global", "jinja_env"}


def test_every_helper_is_on_the_apps_environment(app):
    for name, function in template_helpers.FILTERS.items():
        assert app.jinja_env.filters[name] is function
    for name, function in template_helpers.GLOBALS.items():
        assert app.jinja_env.globals[name] is function


def test_no_other_module_registers_a_template_helper():
    found = [f"{path.name}:{node.lineno}" for path in sorted(VIEWS.glob("*.py"))
             if path.name != "template_helpers.py"
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute) and node.attr in REGISTERING]
    assert not found, found


@pytest.mark.parametrize(("kind", "entry_id", "url"), [
    ("checklist", 5, "/checklists/5"), ("incident", 5, "/incidents/5"),
    ("interaction", 5, "/meetings/5"), ("api_token", 5, None), (None, None, None),
    ("checklist", None, None)])
def test_one_entry_url_for_every_kind(app, kind, entry_id, url):
    with app.test_request_context():
        assert entry_url(kind, entry_id) == url
        rendered = app.jinja_env.from_string("{{ entry_url(k, i) }}").render(k=kind, i=entry_id)
        assert rendered == str(url)


def test_filters_format_through_the_clock(app):
    with app.test_request_context():
        template = app.jinja_env.from_string("{{ t|local_time('Asia/Almaty') }} {{ d|day_label }}")
        assert template.render(t="2023-03-19T04:00:00Z", d="2023-03-20") == \
            "19.03.2023 10:00 (UTC+6) 20.03.2023"
