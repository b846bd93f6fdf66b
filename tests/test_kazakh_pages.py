"""Every page of every role rendered in Kazakh carries no English sentence.

The users' accounts are set to Kazakh; each page's visible text, its labels for
screen readers and the messages its scripts show (data-* attributes) are read.
What may stay in Latin letters: proper names and codes (CSV, PDF, UTC+5,
Asia/Almaty), the data the mission typed (station and team names), and what a
page marks as another language on purpose (lang="en": the glossary, the
interpreter's view, the language switch) or as stored codes (translate="no": the
audit record's details, shown as the hash chain holds them).
"""

import json
import re
from html.parser import HTMLParser

from babel.messages.pofile import read_po

from models import plans, team_messages, users
from tests.conftest import Browser, station_id
from tests.test_liaison import file_checklist, file_incident
from tests.test_meetings import make_meeting
from tests.test_translations import ROOT

# Latin words in a row: two or more are a sentence (or a label) left in English.
LATIN_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ \u00a0]+[A-Za-z][a-z']+)+\b")
SHOWN_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}
SKIPPED_TAGS = {"script", "style", "template"}
# The fixtures' own data (tests/conftest.py, test_liaison, test_meetings), not the app's words.
DATA = ["Almaty district", "Aktobe city", "Medeu district", "Observers were kept 10 m from the table.",
        "Astana city TEC", "Asia/Almaty", "Asia/Aqtobe"]


class VisibleText(HTMLParser):
    """Text a Kazakh user meets: nodes, accessible labels, scripts' messages."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # Another language on purpose, or stored codes shown as stored (the audit's details).
        foreign = attributes.get("lang") not in (None, "kk") or attributes.get("translate") == "no"
        skipped = self._skipped() or tag in SKIPPED_TAGS or foreign
        if tag not in ("br", "input", "img", "meta", "link", "hr", "source"):
            self.stack.append((tag, skipped))
        if skipped:
            return
        for name, value in attributes.items():
            if not value:
                continue
            if name in SHOWN_ATTRIBUTES:
                self.texts.append(value)
            elif name.startswith("data-") and name not in ("data-station", "data-config"):
                self._data(value)

    def _data(self, value: str) -> None:
        """A script's message (words with spaces), or the messages of a JSON object; not codes."""
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        if isinstance(parsed, dict):
            self.texts.extend(v for v in parsed.values() if isinstance(v, str) and " " in v)
        elif isinstance(parsed, str) and " " in parsed:
            self.texts.append(parsed)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._skipped() and data.strip():
            self.texts.append(data)


def english_in(html: str, data: list[str], vocabulary: frozenset = frozenset()) -> list[str]:
    """Runs of English words, and single words of the app's English messages, left on a page."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        for known in data:
            text = text.replace(known, " ")
        found.extend(LATIN_RUN.findall(text))
        found.extend(word for word in re.findall(r"\b[A-Za-z]{4,}\b", text)
                     if word.lower() in vocabulary)
    return found


def english_words() -> frozenset:
    """The words of the app's English messages (4 letters or more) that Kazakh does not keep."""
    with (ROOT / "translations" / "kk" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        messages = [m for m in read_po(handle, locale="kk") if m.id]
    kept = {w.lower() for m in messages for s in ([m.string] if isinstance(m.string, str)
                                                  else m.string)
            for w in re.findall(r"[A-Za-z]{4,}", s or "")}
    return frozenset(w.lower() for m in messages for i in ([m.id] if isinstance(m.id, str)
                                                           else m.id)
                     for w in re.findall(r"[A-Za-z]{4,}", i) if w.lower() not in kept)


def test_no_english_on_any_page_for_a_kazakh_account(app, db):
    for name in ("obs1", "liaison", "coord", "admin"):
        users.set_language(db, users.find_by_username(db, name)["id"], "kk")
    checklist = file_checklist(app, db, "101", "obs1")
    incident = file_incident(db, "obs1", "T01")
    meeting = make_meeting(db)
    station = station_id(db, "101")
    # A plan for T01 (visit 1 done by the checklist above), shown on the observer's home.
    assert plans.save_day(db, "T01", "2023-03-19", [
        {"position": "1", "station": "101", "purpose": "voting", "time": "10:00"},
        {"position": "2", "station": "202", "purpose": "counting", "time": ""}], True) == []
    # A message to teams: unread on the observer's home page, in the coordinator's list.
    team_messages.send(db, users.find_by_username(db, "coord")["id"], "team", "T01",
                       "Хаттама ілінгенше қалыңыз.", 500)
    data = DATA + [row["name"] for row in db.query("SELECT name FROM stations")] + \
        [row["region"] for row in db.query("SELECT DISTINCT region FROM stations")] + \
        [row["username"] for row in db.query("SELECT username FROM users")] + \
        [app.config["MISSION_NAME"]]  # the mission's own name, as it configured it
    words = english_words()
    entry_pages = [f"/checklists/{checklist}", f"/incidents/{incident}", f"/meetings/{meeting}",
                   "/glossary"]
    pages = {
        "obs1": ["/checklists/new", "/checklists/voting/station?q=10", "/checklists",
                 f"/checklists/{checklist}/edit", f"/incidents/{incident}/edit",
                 f"/meetings/{meeting}/edit", *[f"/checklists/{kind}/new?station={station}"
                                                for kind in ("opening", "voting", "counting",
                                                             "tabulation")],
                 "/incidents/new", "/meetings/new", "/incidents", "/meetings",
                 "/meetings/overdue", "/observe/offline", *entry_pages],
        "liaison": ["/liaison/queue", f"/liaison/queue/checklist/{checklist}", "/review",
                    "/review?region=Aktobe", *entry_pages],
        "coord": ["/review", "/dashboard", "/control", "/audit", "/reports", "/incidents", "/meetings",
                  f"/review/next?after=checklist:{checklist}", "/results/discrepancies",
                  "/audit/verify", "/plans", "/plans/teams/T01", "/plans/teams/T01/2023-03-19",
                  "/messages",
                  *entry_pages],
        "admin": ["/admin/users", "/admin/users/1", "/admin/tokens", "/audit", *entry_pages],
    }
    leaks = {}
    for name, paths in pages.items():
        browser = Browser(app.test_client())
        browser.login(name)
        for path in paths:
            response = browser.client.get(path, follow_redirects=True)
            assert response.status_code == 200, (path, response.status_code)
            assert '<html lang="kk">' in response.text, path
            found = english_in(response.text, data, words)
            if found:
                leaks[path] = sorted(set(found))
    login = app.test_client().get("/login", headers={"Accept-Language": "kk"}).text
    if english_in(login, data, words):
        leaks["/login"] = english_in(login, data, words)
    assert not leaks, leaks
