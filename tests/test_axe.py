"""Accessibility: axe-core over the main pages of every role, in Debian's Chromium.

Issue: "color-contrast fails on the 'Needs clarification' rows and badge:
reach WCAG AA; add an axe check over the main pages of every role." One
browser for the module; each role logs in once in its own context and axe
(bundled with axe-playwright-python, so it runs offline) checks each page in
turn. Any serious or critical violation fails, named with its page and nodes.
The pages run with the app's real CSP: what axe sees is what users get.
"""


import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from app import create_app
from models import demo, plans, review, team_messages
from models.db import connect
from tests.chromium import PHONE, needs_chromium, served
from tests.chromium import chromium as launch_chromium

pytestmark = needs_chromium

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
FAILING = ("serious", "critical")
# Each role: its demo login ("{observer}": a member of the team below), its
# screen, and its main pages. {c}: the team's checklist sent back for
# clarification; {i}: the team's incident; {s}: a station the team visited;
# {v}, {r}: another team's verified and rejected checklists.
ROLES = {
    "observer": ("{observer}", PHONE, (
        "/checklists/new", "/checklists", "/checklists/voting/station",
        "/checklists/opening/new?station={s}", "/checklists/voting/new?station={s}",
        "/checklists/counting/new?station={s}", "/checklists/tabulation/new?station={s}",
        "/incidents/new", "/meetings", "/meetings/new",
        "/checklists/{c}", "/incidents/{i}", "/observe/offline")),
    "coordinator": ("coordinator1", DESKTOP, (
        "/review", "/review?state=needs_clarification", "/checklists/{c}", "/checklists/{v}",
        "/incidents/{i}", "/incidents", "/meetings", "/meetings/overdue", "/dashboard",
        "/reports", "/plans", "/plans/teams/{team}", "/plans/teams/{team}/2023-03-19",
        "/messages", "/control")),
    "liaison": ("liaison1", DESKTOP, ("/liaison/queue", "/review", "/meetings/new")),
    "admin": ("admin", DESKTOP, ("/admin/tokens", "/audit", "/review", "/checklists/{r}")),
    "anonymous": (None, PHONE, ("/login",)),
}


def _set_states(db) -> dict:
    """A checklist in each review state (the demo files them all 'submitted')."""
    coordinator = db.execute("SELECT id FROM users WHERE username = 'coordinator1'").fetchone()[0]
    # An observer of a team that filed both checklists and an incident.
    team, incident = db.execute(
        "SELECT team, id FROM incidents WHERE team IN (SELECT team FROM checklists)"
        " ORDER BY id").fetchone()
    observer = db.execute("SELECT username FROM users WHERE team = ? ORDER BY id",
                          [team]).fetchone()[0]
    mine = [row[0] for row in db.execute(
        "SELECT id FROM checklists WHERE team = ? ORDER BY id", [team])]
    others = [row[0] for row in db.execute(
        "SELECT id FROM checklists WHERE team != ? ORDER BY id", [team])]
    review.move(db, "checklist", mine[0], "needs_clarification", coordinator, "Which station?")
    review.move(db, "checklist", others[0], "verified", coordinator)
    review.move(db, "checklist", others[1], "rejected", coordinator, "A duplicate.")
    review.move(db, "checklist", others[2], "needs_clarification", coordinator, "Times?")
    station = db.execute("SELECT station_id FROM checklists WHERE id = ?", [mine[0]]).fetchone()[0]
    # The team's plan for election day, shown on the observer's home page.
    numbers = [row[0] for row in db.execute(
        "SELECT number FROM stations WHERE id = ? UNION ALL SELECT number FROM stations"
        " WHERE id != ? LIMIT 2", [station, station])]
    assert plans.save_day(db, team, "2023-03-19", [
        {"position": str(n), "station": number, "purpose": "voting", "time": ""}
        for n, number in enumerate(numbers, 1)], False) == []
    # Messages to teams: unread on the observer's home page, listed with who has not read.
    team_messages.send(db, coordinator, "team", team, "Stay until the protocol is posted.", 500)
    team_messages.send(db, coordinator, "all", None, "Send the opening checklist by 08:30.", 500)
    return {"c": mine[0], "v": others[0], "r": others[1], "i": incident, "s": station,
            "observer": observer, "team": team}


@pytest.fixture(scope="module")
def axe_server(tmp_path_factory):
    """A small demo mission served from a background thread; yields (base URL, ids)."""
    path = str(tmp_path_factory.mktemp("axe") / "axe.sqlite")
    app = create_app({"DATABASE": path, "SECRET_KEY": "test"})
    db = connect(path)
    try:
        demo.generate(db, 60, 300)
        ids = _set_states(db)
    finally:
        db.close()
    with served(app, "axe-server") as base:
        yield base, ids


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the whole module."""
    with launch_chromium() as browser:
        yield browser


def _log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"), timeout=30_000)


def _failures(page: Page, path: str) -> list[str]:
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in FAILING:
            nodes = "; ".join(" ".join(node["target"]) + ": " + node.get("failureSummary", "")
                              .replace("\n", " ") for node in violation["nodes"][:3])
            found.append(f"{path}: {violation['id']} ({violation['impact']}): {nodes}")
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_accessibility_violations(role, chromium, axe_server):
    """Every main page of the role passes axe with no serious or critical violation."""
    base, ids = axe_server
    username, screen, paths = ROLES[role]
    context = chromium.new_context(base_url=base, locale="en-GB", **screen)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        if username:
            _log_in(page, username.format(**ids))
        found = []
        for path in paths:
            url = path.format(**ids)
            response = page.goto(url, wait_until="load")
            assert response is not None and response.ok, f"{url}: {response and response.status}"
            found += _failures(page, url)
        assert not found, "\n".join(found)
    finally:
        context.close()
