"""Hostile and random input on every form and API endpoint, as every role.

Whatever arrives, the answer is never a 5xx, and a refused request (4xx)
writes no row. Posts carry a valid CSRF token, so they reach validation.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from forms.admin import PasswordForm, PlaceForm
from forms.auth import LoginForm
from forms.incident import IncidentForm
from forms.meeting import FollowUpForm, MeetingForm, QueueForm
from forms.review import CommentForm, MoveForm
from models import definitions
from models.definitions import by_type
from tests.conftest import Browser, good_answers, visit
from tests.test_access import LOGIN, ROLES, TABLE
from tests.test_access import entries as entries  # noqa: F401 (fixture)

# Tables a refused request must leave alone (the audit log records refusals
# such as failed log-ins on purpose, so it is not among them).
TABLES = ("users", "checklists", "incidents", "interactions",
          "follow_ups", "interaction_links", "entry_versions", "review_events", "comments",
          "liaison_queue", "api_tokens")
HOSTILE = ["' OR 1=1 --", "'); DROP TABLE checklists; --", "<script>alert(1)</script>",
           "<img src=file:///etc/passwd>", "\x00", "9" * 40, "-1", "1e309", "NaN",
           "２０２３-03-19", "2023-02-30", "25:61", "../../etc/passwd", "%s%s%n",
           "Ақтөбе Қ Ә Ө", "\u202e", "x" * 9000, "", " ", "yes", "no", "not_observed",
           "very_bad", "verified", "rejected", "checklist:1", "C1, I1", "{}", "[]"]


def _names(*classes) -> list[str]:
    return sorted({name for cls in classes for name in dir(cls)
                   if isinstance(getattr(cls, name, None), UnboundField)})


FIELDS = _names(LoginForm, IncidentForm, MeetingForm, FollowUpForm, QueueForm, MoveForm,
                CommentForm, PasswordForm, PlaceForm) + sorted(
    {q for d in by_type().values() for q in d.questions}) + [
    "uuid", "station_id", "base_version", "arrival_date", "arrival_time", "departure_date",
    "departure_time", "overall", "comments", "figures_confirmed", "counterparts-0-name",
    "counterparts-0-position", "requests-0-text", "requests-0-due_date",
    "commitments-0-text", "to_state", "reason", "body", "label", "username", "note", "topic"]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                   st.integers(min_value=-10**20, max_value=10**20).map(str))
form_data = st.dictionaries(st.sampled_from(FIELDS), values, max_size=10)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.sampled_from(HOSTILE), st.text(max_size=20)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8)
json_body = st.dictionaries(st.sampled_from(FIELDS + ["form_type", "answers"]), json_values,
                            max_size=10)
POSTS = sorted(key for key in TABLE if key[1] == "POST" and key[0] != "auth.logout")


def _counts(db) -> dict:
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _valid_checklist(app) -> dict:
    """A complete voting checklist, so mutations of one field reach deep validation."""
    return {**visit(), **good_answers(definitions.get("voting")),
            "uuid": "6f1c2b1e-1d2a-4c3b-9a8b-7c6d5e4f3a2b", "station_id": "2"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", POSTS, ids=lambda key: key[0])
def test_hostile_posts_never_500_and_refusals_write_nothing(app, db, entries, role, endpoint):
    browser = Browser(app.test_client())
    if role != "anonymous":
        browser.login(LOGIN[role])
    token = Browser.hidden(browser.client.get("/login").text, "csrf_token")
    url = TABLE[endpoint][0].format(**entries)
    base = _valid_checklist(app) if endpoint[0] in ("checklists.new", "checklists.edit") else {}
    api = endpoint[0].startswith("api.")

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=json_body if api else form_data)
    def attempt(data):
        before = _counts(db)
        if api:
            response = browser.client.post(url, data=json.dumps(data),
                                           headers={"X-CSRFToken": token,
                                                    "Content-Type": "application/json"})
        else:
            response = browser.client.post(url, data={**base, **data, "csrf_token": token})
        status = response.status_code
        response.close()
        assert status < 500, f"{endpoint} as {role}: {status} for {data!r}"[:500]
        if status >= 400:
            assert _counts(db) == before, f"{endpoint} as {role} wrote rows with {status}"

    attempt()
