"""Markup typed by an observer or imported with the stations comes back as text, never live.

Stations are imported with markup in every text column (through the CLI, as a
mission does), markup is posted into every field of every form the way a
browser posts (CSRF on), and every page a user reaches is parsed: no element
made from the payload may exist in any of them.
"""

import ast
import csv
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

from models import definitions
from tests.conftest import Browser, good_answers, visit
from tests.test_meetings import _answer, _meeting_fields, csrf, open_meeting_form

# Each piece breaks out of an attribute first, then carries a marker attribute.
PAYLOAD = ('"><meta http-equiv="refresh" content="1;url=https://evil.example/" data-xss>'
           '<img src=x onerror="alert(1)" data-xss><script data-xss>alert(1)</script>')
SHORT = "<img src=x onerror=alert(2) data-xss>"  # for fields of 100 characters at most
UNKNOWN = "<img src=y onerror=alert(3) data-xss>"  # in no station's number or name
# One token of the entry numbers: no spaces or commas (the form upper-cases it).
REF = "<svg/onload=alert(4)>"
ROOT = Path(__file__).parent.parent


class LiveMarkup(HTMLParser):
    """Collects every element the payload could have made live, and the page's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if "data-xss" in names or (tag == "meta" and "http-equiv" in names) \
                or any(name.startswith("on") for name in names):
            self.live.append(self.get_starttag_text())
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.live.append(data)
        self.text.append(data)


def live_elements(html: str) -> tuple[list[str], str]:
    """The live elements made from the payload, and the page's text as a reader sees it."""
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.live, "".join(parser.text)


def assert_inert(response, where: str) -> str:
    """No live element from the payload in this HTML response; returns its text."""
    live, text = live_elements(response.get_data(as_text=True))
    assert not live, f"{where}: live markup {live}"
    return text


@pytest.fixture
def marked_stations(app, tmp_path):
    """Two stations imported with markup in every text column (name, address, district, number)."""
    path = tmp_path / "evil.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["number", "name", "address", "region", "district", "timezone",
                         "registered_voters", "latitude", "longitude"])
        writer.writerow(["901", "Evil school " + PAYLOAD, PAYLOAD, "Aktobe", PAYLOAD,
                         "Asia/Aqtobe", "1000", "", ""])
        writer.writerow(["902" + SHORT, "Evil college " + PAYLOAD, PAYLOAD, "Aktobe", PAYLOAD,
                         "Asia/Aqtobe", "800", "", ""])
    result = app.test_cli_runner().invoke(args=["import-stations", str(path)])
    assert result.exit_code == 0, result.output


def _checklist_fields(definition, value: str) -> dict:
    """Every question of a definition answered with ``value`` (multi-choice ones included)."""
    return {q.id: value for q in definition.questions.values()}


def _file_checklist(browser: Browser, db) -> tuple[int, int]:
    """A voting checklist at the markup station, every free text holding markup: (station, entry)."""
    station = db.execute("SELECT id FROM stations WHERE number = '901'").fetchone()[0]
    definition = definitions.get("voting")
    hidden = browser.open_form("voting", station)
    refused = browser.client.post("/checklists/voting/new", data={
        **hidden, **_checklist_fields(definition, PAYLOAD),
        **{name: PAYLOAD for name in visit()}, "comments": PAYLOAD})
    assert refused.status_code == 400
    assert_inert(refused, "refused checklist")
    answers = good_answers(definition)
    answers.update({q.id: PAYLOAD for q in definition.questions.values() if q.type == "text"
                    and (not q.relevant or answers.get(q.relevant[0]) == q.relevant[1])})
    sent = browser.client.post("/checklists/voting/new", data={
        **hidden, **answers, **visit(), "comments": PAYLOAD})
    assert sent.status_code == 303, sent.text
    return station, int(sent.location.rsplit("/", 1)[1])


def _file_incident(browser: Browser) -> int:
    """Refused incidents (unknown and ambiguous station) and one filed with markup: its id."""
    page = browser.client.get("/incidents/new", follow_redirects=True)
    hidden = {"csrf_token": Browser.hidden(page.text, "csrf_token"),
              "uuid": Browser.hidden(page.text, "uuid")}
    fields = {"occurred_date": "2023-03-19", "occurred_time": "10:00", "region": "Aktobe",
              "place": PAYLOAD, "category": "other", "severity": "low",
              "description": PAYLOAD, "reported_to_commission": "yes",
              "commission_response": PAYLOAD}
    for typed, message in ((UNKNOWN, "No polling station has the number or name"),
                           ("Evil", "Several polling stations match")):
        refused = browser.client.post("/incidents/new", data={
            **hidden, **fields, "station_number": typed})
        assert refused.status_code == 400
        text = assert_inert(refused, f"incident refused for {typed!r}")
        assert message in text
        # The markup is shown, as text, to the observer who must fix it.
        assert ('onerror="alert(1)"' if typed == "Evil" else UNKNOWN) in text
    all_markup = {name: PAYLOAD for name in (*fields, "station_number")}
    refused = browser.client.post("/incidents/new", data={**hidden, **all_markup})
    assert refused.status_code == 400
    assert_inert(refused, "incident with markup everywhere")
    sent = browser.client.post("/incidents/new", data={**hidden, **fields, "station_number": "901"})
    assert sent.status_code == 303, sent.text
    return int(sent.location.rsplit("/", 1)[1])


def _file_meeting(browser: Browser, checklist_id: int) -> tuple[int, int]:
    """A refused meeting with markup everywhere, then one filed with markup: (meeting, item)."""
    _url, hidden = open_meeting_form(browser)
    everything = {name: PAYLOAD for name in _meeting_fields()}
    refused = browser.client.post("/meetings/new", data={**hidden, **everything})
    assert refused.status_code == 400
    assert_inert(refused, "meeting with markup everywhere")
    bad_number = browser.client.post("/meetings/new", data={
        **hidden, **_meeting_fields(entry_numbers=f"C{checklist_id}, {REF}")})
    assert bad_number.status_code == 400
    assert REF.upper() in assert_inert(bad_number, "meeting with a bad entry number")
    texts = {name: PAYLOAD for name, value in _meeting_fields().items()
             if isinstance(value, str) and value and not name.endswith(("date", "level"))
             and name not in ("time", "region")}
    sent = browser.client.post("/meetings/new", data={
        **hidden, **_meeting_fields(**texts, entry_numbers=f"C{checklist_id}")})
    assert sent.status_code == 303, sent.text
    meeting = int(sent.location.rsplit("/", 1)[1])
    page = browser.client.get(sent.location).text
    item = int(re.search(r'name="item(\d+)-csrf_token"', page).group(1))
    return meeting, item


def test_markup_from_stations_and_every_form_never_comes_back_live(app, db, marked_stations):
    observer, liaison, coordinator, admin = (Browser(app.test_client()) for _ in range(4))
    observer.login("obs1")
    station, checklist = _file_checklist(observer, db)
    incident = _file_incident(observer)
    meeting, item = _file_meeting(observer, checklist)
    answered = _answer(observer, meeting, item, action="answer", answer_date="2023-03-19",
                       answer_text=PAYLOAD)
    assert answered.status_code in (303, 400), answered.text
    refused_answer = _answer(observer, meeting, item, action="answer", answer_date=PAYLOAD,
                             answer_text=PAYLOAD * 20)
    assert_inert(refused_answer, "refused follow-up answer")
    checked_in = observer.client.post("/checkins", data={
        "csrf_token": csrf(observer), "uuid": str(uuid.uuid4()), "kind": "safe",
        "note": PAYLOAD})
    assert checked_in.status_code == 303, checked_in.text
    refused_checkin = observer.client.post("/checkins", data={
        "csrf_token": csrf(observer), "uuid": PAYLOAD, "kind": PAYLOAD,
        "station_number": SHORT, "note": PAYLOAD * 3})
    assert_inert(refused_checkin, "refused check-in")
    comment = observer.client.post(f"/review/checklist/{checklist}/comments", data={
        "csrf_token": csrf(observer), "body": PAYLOAD})
    assert comment.status_code == 303

    liaison.login("liaison")
    for kind, entry in (("checklist", checklist), ("incident", incident)):
        marked = liaison.client.post(f"/liaison/queue/{kind}/{entry}", data={
            "csrf_token": csrf(liaison), "topic": "voter_lists", "note": PAYLOAD})
        assert marked.status_code == 303, marked.text
    refused_mark = liaison.client.post(f"/liaison/queue/checklist/{checklist}", data={
        "csrf_token": csrf(liaison), "topic": PAYLOAD, "note": PAYLOAD})
    assert_inert(refused_mark, "refused queue mark")

    coordinator.login("coord")
    moved = coordinator.client.post(f"/review/incident/{incident}/move", data={
        "csrf_token": csrf(coordinator), "to_state": "needs_clarification", "reason": PAYLOAD})
    assert moved.status_code == 303, moved.text
    refused_move = coordinator.client.post(f"/review/checklist/{checklist}/move", data={
        "csrf_token": csrf(coordinator), "to_state": PAYLOAD, "reason": PAYLOAD})
    assert_inert(refused_move, "refused review move")
    refused_comment = coordinator.client.post(f"/review/checklist/{checklist}/comments", data={
        "csrf_token": csrf(coordinator), "body": PAYLOAD * 40})
    assert_inert(refused_comment, "refused comment")
    for url, fields in (("/plans/teams/T01", {"region": PAYLOAD, "districts": PAYLOAD,
                                              "phones": PAYLOAD}),
                        ("/plans/teams/T01/2023-03-19", {
                            f"visits-0-{name}": PAYLOAD
                            for name in ("position", "station", "purpose", "time")})):
        refused_plan = coordinator.client.post(url, data={"csrf_token": csrf(coordinator),
                                                          **fields})
        assert refused_plan.status_code == 400
        assert_inert(refused_plan, f"refused {url}")
    called = coordinator.client.post("/control/calls", data={
        "csrf_token": csrf(coordinator), "team": "T01", "outcome": "no_answer",
        "note": PAYLOAD, "follow_up": "y"})
    assert called.status_code == 303, called.text
    refused_call = coordinator.client.post("/control/calls", data={
        "csrf_token": csrf(coordinator), "team": PAYLOAD, "outcome": PAYLOAD, "time": SHORT,
        "note": PAYLOAD * 3})
    assert_inert(refused_call, "refused call")

    admin.login("admin")
    issued = admin.client.post("/admin/tokens", data={
        "csrf_token": csrf(admin), "username": PAYLOAD, "label": PAYLOAD})
    assert_inert(issued, "refused token")
    anonymous = Browser(app.test_client())
    failed_login = anonymous.client.post("/login", data={
        "csrf_token": csrf(anonymous), "username": PAYLOAD, "password": PAYLOAD})
    assert_inert(failed_login, "refused log-in")

    entry_pages = [f"/checklists/{checklist}", f"/incidents/{incident}", f"/meetings/{meeting}"]
    pages = {
        observer: ["/checklists/new", "/checklists/voting/station?q=Evil", "/checklists",
                   f"/checklists/{checklist}/edit", f"/incidents/{incident}/edit",
                   f"/meetings/{meeting}/edit", f"/checklists/voting/new?station={station}",
                   "/incidents/new?station=" + SHORT, "/meetings/new", "/incidents",
                   "/meetings", "/meetings/overdue", "/observe/offline", *entry_pages],
        liaison: ["/liaison/queue", f"/liaison/queue/checklist/{checklist}", "/review",
                  "/review?region=Aktobe", "/meetings", *entry_pages],
        coordinator: ["/review", "/dashboard", "/control", "/control/teams", "/audit",
                      "/reports", "/incidents", "/meetings", "/meetings/overdue", "/plans",
                      "/plans/teams/T01", "/plans/teams/T01/2023-03-19", *entry_pages],
        admin: ["/admin/tokens", "/audit", *entry_pages],
    }
    shown = []
    for user, paths in pages.items():
        for path in paths:
            response = user.client.get(path, follow_redirects=True)
            assert response.status_code == 200, (path, response.status_code)
            assert response.mimetype == "text/html"
            shown.append(assert_inert(response, path))
    # The markup did reach the pages, as text: escaped, not dropped.
    assert sum('onerror="alert(1)"' in text for text in shown) >= len(entry_pages) * 4


LAZY = {"_l", "lazy_gettext"}


def _lazy_interpolations(path: Path) -> list[str]:
    """Calls of a lazy translation with values (``_l("… %(x)s", x=...)``) in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in LAZY \
                and (node.keywords or len(node.args) > 1):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_lazy_translation_carries_values():
    """Flask-Babel's lazy strings are safe HTML to Jinja: values go through gettext instead.

    ``gettext`` returns plain text, which Jinja escapes; a lazy string with a
    value would put that value on the page as markup.
    """
    modules = [p for folder in ("forms", "views", "models", "reports")
               for p in sorted((ROOT / folder).rglob("*.py"))]
    assert [hit for path in modules for hit in _lazy_interpolations(path)] == []
