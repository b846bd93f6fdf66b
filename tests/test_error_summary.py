"""A refused form opens on one banner listing every problem as a link to its field.

The banner is the page's only live region (an empty checklist used to fire
some 25 alerts at a screen reader), it takes the focus, and each message is
tied to its field with aria-describedby. Posted the way a browser posts (CSRF on).
"""

from html.parser import HTMLParser

import pytest

from tests.conftest import Browser, station_id
from tests.test_meetings import open_meeting_form


class Page(HTMLParser):
    """Every element's attributes by id, the live regions, and the banner's links."""

    def __init__(self):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.live: list[dict] = []
        self.described: list[tuple[str, str]] = []  # (element id or tag, aria-describedby)
        self.links: list[str] = []
        self._in_banner = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.by_id[attributes["id"]] = {"tag": tag, **attributes}
        if attributes.get("role") in ("alert", "status") or "aria-live" in attributes:
            self.live.append(attributes)
        if "aria-describedby" in attributes:
            self.described.append((attributes.get("id", tag), attributes["aria-describedby"]))
        if attributes.get("id") == "error-summary":
            self._in_banner = 1
        elif self._in_banner and tag == "div":
            self._in_banner += 1
        if self._in_banner and tag == "a":
            self.links.append(attributes["href"])

    def handle_endtag(self, tag):
        if self._in_banner and tag == "div":
            self._in_banner -= 1


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def _checklist(app, db, browser):
    hidden = browser.open_form("voting", station_id(db, "202"))
    return browser.client.post("/checklists/voting/new", data=hidden)


def _incident(app, db, browser):
    page = browser.client.get("/incidents/new", follow_redirects=True).text
    return browser.client.post("/incidents/new", data={
        name: Browser.hidden(page, name) for name in ("csrf_token", "uuid")})


def _meeting(app, db, browser):
    _url, hidden = open_meeting_form(browser)
    return browser.client.post("/meetings/new", data={
        **hidden, "counterparts-0-position": "Secretary", "requests-0-due_date": "2023-03-15"})


@pytest.mark.parametrize("send, at_least", [(_checklist, 25), (_incident, 6), (_meeting, 6)])
def test_empty_form_has_one_live_banner_linking_every_problem(app, db, browser, send, at_least):
    browser.login("obs1")
    response = send(app, db, browser)
    assert response.status_code == 400
    page = parse(response.text)
    banner = page.by_id["error-summary"]
    # The one live region; focus goes to it when the page opens.
    assert page.live == [{k: v for k, v in banner.items() if k != "tag"}]
    assert banner["role"] == "alert" and banner["tabindex"] == "-1" and "autofocus" in banner
    messages = [i for i in page.by_id if "-error" in i]
    assert len(page.links) >= at_least and len(page.links) == len(messages)
    for link in page.links:
        target = link.removeprefix("#")
        assert target in page.by_id, f"{link} jumps nowhere"
        assert page.by_id[target]["tag"] in ("input", "textarea", "select"), link
    # Each message is read with its field: its input's (or choice group's) aria-describedby.
    described = " ".join(ids for _element, ids in page.described).split()
    assert sorted(messages) == sorted(m for m in described if "-error" in m)


def test_banner_lists_fields_in_the_pages_order(app, db, browser):
    browser.login("obs1")
    page = parse(_checklist(app, db, browser).text)
    assert page.links[:4] == ["#arrival_date", "#arrival_time", "#departure_date",
                              "#departure_time"]
    assert page.links[-1] == "#overall-0"  # the assessment comes after the questions


def test_help_and_message_both_describe_the_field(app, db, browser):
    browser.login("obs1")
    page = parse(_checklist(app, db, browser).text)
    assert ("voters_on_list", "voters_on_list-help voters_on_list-error1") in page.described
    assert ("fieldset", "overcrowded-error1") in page.described
    assert page.by_id["voters_on_list"]["aria-invalid"] == "true"


def test_a_blank_form_has_no_banner(app, db, browser):
    browser.login("obs1")
    page = browser.client.get(f"/checklists/voting/new?station={station_id(db, '202')}",
                              follow_redirects=True).text
    assert "error-summary" not in page and 'role="alert"' not in page
