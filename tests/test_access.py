"""Every route × every role: exactly 200, 303, 400, 403, 404 or a redirect to log in.

The table must name every route of the app (and every method it accepts):
a new route without a row here fails ``test_every_route_is_in_the_table``.
POSTs carry a valid CSRF token and no data, so a role that may use the
route gets its validation answer (400) and a role that may not gets 403/404.
"""

import uuid

import pytest

from models import media, photos, users
from tests import photo_samples
from tests.conftest import Browser
from tests.test_liaison import file_checklist, file_incident
from tests.test_meetings import make_meeting

ROLES = ("anonymous", "observer", "other_team", "liaison", "coordinator", "admin")
LOGIN = {"observer": "obs1", "other_team": "obs3", "liaison": "liaison",
         "coordinator": "coord", "admin": "admin"}
L = "login"  # a redirect to the login page


def row(anonymous, observer, other_team, liaison, coordinator, admin):
    return dict(zip(ROLES, (anonymous, observer, other_team, liaison, coordinator, admin)))


EVERYONE = row(L, 200, 200, 200, 200, 200)
OBSERVERS_ONLY = row(L, 200, 200, 403, 403, 403)
REVIEWERS = row(L, 403, 403, 200, 200, 200)
STAFF = row(L, 403, 403, 403, 200, 200)  # coordinators and admins
TEAM_AND_REVIEWERS = row(L, 200, 404, 200, 200, 200)
TEAM_ONLY = row(L, 200, 404, 403, 403, 403)
# The API answers 401 JSON instead of redirecting to the login page.
API_READ = row(401, 200, 200, 200, 200, 200)
API_ENTRY = row(401, 200, 404, 200, 200, 200)
MOVED = row(308, 308, 308, 308, 308, 308)

# (endpoint, method): (url template, expected per role). {c}, {i}, {m}, {f}:
# the T01 checklist, incident, meeting and follow-up item made by the fixture.
TABLE = {
    ("auth.index", "GET"): ("/", row(302, 302, 302, 302, 302, 302)),
    ("auth.login", "GET"): ("/login", row(200, 200, 200, 200, 200, 200)),
    ("auth.login", "POST"): ("/login", row(400, 400, 400, 400, 400, 400)),
    ("auth.logout", "POST"): ("/logout", row(L, 302, 302, 302, 302, 302)),
    # Anyone may switch language, before logging in too; an empty choice is the default.
    ("languages.switch", "POST"): ("/language", row(302, 302, 302, 302, 302, 302)),
    ("languages.glossary", "GET"): ("/glossary", EVERYONE),
    ("checklists.home", "GET"): ("/checklists/new", OBSERVERS_ONLY),
    ("checklists.find_station", "GET"): ("/checklists/voting/station?q=101", OBSERVERS_ONLY),
    # A form opens at an address carrying its uuid: first a redirect there.
    ("checklists.new", "GET"): ("/checklists/voting/new?station=1", row(L, 302, 302, 403, 403, 403)),
    ("checklists.new", "POST"): ("/checklists/voting/new", row(L, 400, 400, 403, 403, 403)),
    ("checklists.my_entries", "GET"): ("/checklists", OBSERVERS_ONLY),
    ("checklists.detail", "GET"): ("/checklists/{c}", TEAM_AND_REVIEWERS),
    ("checklists.edit", "GET"): ("/checklists/{c}/edit", TEAM_ONLY),
    ("checklists.edit", "POST"): ("/checklists/{c}/edit", row(L, 400, 404, 403, 403, 403)),
    ("incidents.listing", "GET"): ("/incidents", EVERYONE),
    ("incidents.new", "GET"): ("/incidents/new", row(L, 302, 302, 403, 403, 403)),
    ("incidents.new", "POST"): ("/incidents/new", row(L, 400, 400, 403, 403, 403)),
    ("incidents.detail", "GET"): ("/incidents/{i}", TEAM_AND_REVIEWERS),
    ("incidents.edit", "GET"): ("/incidents/{i}/edit", TEAM_ONLY),
    ("incidents.edit", "POST"): ("/incidents/{i}/edit", row(L, 400, 404, 403, 403, 403)),
    ("meetings.log", "GET"): ("/meetings", EVERYONE),
    ("meetings.overdue", "GET"): ("/meetings/overdue", EVERYONE),
    # Long-term observers and the liaison log meetings; coordinators read them.
    ("meetings.new", "GET"): ("/meetings/new", row(L, 302, 302, 302, 403, 403)),
    ("meetings.new", "POST"): ("/meetings/new", row(L, 400, 400, 400, 403, 403)),
    ("meetings.detail", "GET"): ("/meetings/{m}", TEAM_AND_REVIEWERS),
    ("meetings.edit", "GET"): ("/meetings/{m}/edit", TEAM_ONLY),
    ("meetings.edit", "POST"): ("/meetings/{m}/edit", row(L, 400, 404, 403, 403, 403)),
    ("meetings.follow_up", "POST"): ("/meetings/follow-ups/{f}",
                                         row(L, 400, 404, 400, 400, 400)),
    ("liaison.queue", "GET"): ("/liaison/queue", REVIEWERS),
    ("liaison.mark", "GET"): ("/liaison/queue/checklist/{c}", row(L, 403, 403, 200, 403, 200)),
    ("liaison.mark", "POST"): ("/liaison/queue/checklist/{c}", row(L, 403, 403, 400, 403, 400)),
    ("liaison.remove", "POST"): ("/liaison/queue/checklist/{c}/remove",
                                 row(L, 403, 403, 303, 403, 303)),
    ("review.entries", "GET"): ("/review", REVIEWERS),
    ("review.next_entry", "GET"): ("/review/next?after=checklist:{c}", row(L, 403, 403, 303, 303, 303)),
    ("review.previous_entry", "GET"): ("/review/previous?before=checklist:{c}",
                                       row(L, 403, 403, 303, 303, 303)),
    ("review.move", "POST"): ("/review/checklist/{c}/move", row(L, 403, 403, 400, 400, 400)),
    ("review.comment", "POST"): ("/review/checklist/{c}/comments",
                                 row(L, 400, 404, 400, 400, 400)),
    ("dashboard.index", "GET"): ("/dashboard", STAFF),
    ("control_room.index", "GET"): ("/control", STAFF),
    ("control_room.teams", "GET"): ("/control/teams", STAFF),
    ("control_room.log_call", "POST"): ("/control/calls", row(L, 403, 403, 403, 400, 400)),
    ("control_room.close_call", "POST"): ("/control/calls/1/close",
                                          row(L, 403, 403, 403, 404, 404)),
    ("checkins.new", "POST"): ("/checkins", row(L, 400, 400, 403, 403, 403)),
    ("audit.log", "GET"): ("/audit", STAFF),
    ("audit.verify", "GET"): ("/audit/verify", STAFF),
    ("entry_pdfs.checklist", "GET"): ("/checklists/{c}.pdf", TEAM_AND_REVIEWERS),
    ("entry_pdfs.incident", "GET"): ("/incidents/{i}.pdf", TEAM_AND_REVIEWERS),
    ("entry_pdfs.meeting", "GET"): ("/meetings/{m}.pdf", TEAM_AND_REVIEWERS),
    ("entry_pdfs.log", "GET"): ("/meetings/log.pdf", REVIEWERS),
    ("api.openapi", "GET"): ("/api/v1/openapi.json", row(200, 200, 200, 200, 200, 200)),
    ("api.me", "GET"): ("/api/v1/me", API_READ),
    ("api.station_list", "GET"): ("/api/v1/stations?q=202", API_READ),
    ("api.definitions", "GET"): ("/api/v1/definitions", API_READ),
    ("api.checklist_list", "GET"): ("/api/v1/checklists", API_READ),
    ("api.checklist", "GET"): ("/api/v1/checklists/{c}", API_ENTRY),
    # A form-encoded POST (valid CSRF token, no JSON): those who may file get 415.
    ("api.create_checklist", "POST"): ("/api/v1/checklists", row(401, 415, 415, 403, 403, 403)),
    ("api.incident_list", "GET"): ("/api/v1/incidents", API_READ),
    ("api.incident", "GET"): ("/api/v1/incidents/{i}", API_ENTRY),
    ("api.create_incident", "POST"): ("/api/v1/incidents", row(401, 415, 415, 403, 403, 403)),
    ("api.interaction_list", "GET"): ("/api/v1/interactions", API_READ),
    ("api.interaction", "GET"): ("/api/v1/interactions/{m}", API_ENTRY),
    ("api.create_checkin", "POST"): ("/api/v1/checkins", row(401, 415, 415, 403, 403, 403)),
    ("api.create_interaction", "POST"): ("/api/v1/interactions",
                                         row(401, 415, 415, 415, 403, 403)),
    ("exports.entries", "GET"): ("/exports/checklists.csv", STAFF),
    ("exports.meetings", "GET"): ("/exports/interactions.csv", REVIEWERS),
    ("exports.database", "GET"): ("/exports/database.sqlite", STAFF),
    ("reports.index", "GET"): ("/reports", STAFF),
    ("reports.summary_pdf", "GET"): ("/reports/summary.pdf", STAFF),
    ("reports.region_pdf", "GET"): ("/reports/region.pdf?region=Aktobe", STAFF),
    # Photos: read like their entry, added by its authors (a form-encoded POST: no file).
    ("photos.original", "GET"): ("/photos/{p}.jpg", TEAM_AND_REVIEWERS),
    ("photos.thumbnail", "GET"): ("/photos/{p}/thumbnail.jpg", TEAM_AND_REVIEWERS),
    ("photos.upload", "POST"): ("/photos/checklist/{c}", row(L, 400, 404, 403, 403, 403)),
    ("photos.export", "GET"): ("/exports/photos.zip", STAFF),
    ("api.checklist_photos", "GET"): ("/api/v1/checklists/{c}/photos", API_ENTRY),
    ("api.incident_photos", "GET"): ("/api/v1/incidents/{i}/photos", API_ENTRY),
    ("api.interaction_photos", "GET"): ("/api/v1/interactions/{m}/photos", API_ENTRY),
    ("api.meeting_photos", "GET"): ("/api/v1/meetings/{m}/photos", API_ENTRY),
    # Not multipart: the entry's authors get 415; the liaison did not write T01's meeting.
    ("api.add_checklist_photo", "POST"): ("/api/v1/checklists/{c}/photos",
                                          row(401, 415, 404, 403, 403, 403)),
    ("api.add_incident_photo", "POST"): ("/api/v1/incidents/{i}/photos",
                                         row(401, 415, 404, 403, 403, 403)),
    ("api.add_interaction_photo", "POST"): ("/api/v1/interactions/{m}/photos",
                                            row(401, 415, 404, 403, 403, 403)),
    ("api.add_meeting_photo", "POST"): ("/api/v1/meetings/{m}/photos",
                                        row(401, 415, 404, 403, 403, 403)),
    ("results.annex_pdf", "GET"): ("/reports/results.pdf", STAFF),
    ("results.discrepancy_list", "GET"): ("/results/discrepancies", REVIEWERS),
    ("results.export", "GET"): ("/exports/official-results.csv", REVIEWERS),
    # Messages to teams: coordinators send; observers confirm (no message 1 here: 404).
    ("team_messages.index", "GET"): ("/messages", STAFF),
    ("team_messages.index", "POST"): ("/messages", row(L, 403, 403, 403, 400, 400)),
    ("team_messages.read", "POST"): ("/messages/1/read", row(L, 404, 404, 403, 403, 403)),
    ("api.message_list", "GET"): ("/api/v1/messages", row(401, 200, 200, 403, 403, 403)),
    # A form-encoded body: not JSON, so observers get 415 before the message is looked up.
    ("api.read_message", "POST"): ("/api/v1/messages/1/read",
                                   row(401, 415, 415, 403, 403, 403)),
    ("offline.service_worker", "GET"): ("/sw.js", row(200, 200, 200, 200, 200, 200)),
    ("manifest", "GET"): ("/manifest.webmanifest", row(200, 200, 200, 200, 200, 200)),
    ("offline.shell", "GET"): ("/observe/offline", OBSERVERS_ONLY),
    ("offline.token", "GET"): ("/observe/offline/token", OBSERVERS_ONLY),
    ("tokens.index", "GET"): ("/admin/tokens", row(L, 403, 403, 403, 403, 200)),
    ("tokens.issue", "POST"): ("/admin/tokens", row(L, 403, 403, 403, 403, 400)),
    ("tokens.revoke", "POST"): ("/admin/tokens/1/revoke", row(L, 403, 403, 403, 403, 404)),
    ("admin.index", "GET"): ("/admin/users", row(L, 403, 403, 403, 403, 200)),
    ("admin.user", "GET"): ("/admin/users/1", row(L, 403, 403, 403, 403, 200)),
    ("admin.language", "POST"): ("/admin/users/1/language", row(L, 403, 403, 403, 403, 303)),
    ("admin.password", "POST"): ("/admin/users/1/password", row(L, 403, 403, 403, 403, 400)),
    ("admin.place", "POST"): ("/admin/users/1/place", row(L, 403, 403, 403, 403, 400)),
    # An empty POST with its CSRF token is a complete request: obs1 (id 1) is deactivated
    # then reactivated. The table runs sorted, so deactivate comes before reactivate.
    ("admin.deactivate", "POST"): ("/admin/users/1/deactivate",
                                   row(L, 403, 403, 403, 403, 303)),
    ("admin.reactivate", "POST"): ("/admin/users/1/reactivate",
                                   row(L, 403, 403, 403, 403, 303)),
    # The deployment plan: coordinators and admins. An empty POST is a complete request
    # (no area, no phones; a day without visits).
    ("plans.index", "GET"): ("/plans", STAFF),
    ("plans.team", "GET"): ("/plans/teams/T01", STAFF),
    ("plans.team", "POST"): ("/plans/teams/T01", row(L, 403, 403, 403, 303, 303)),
    ("plans.day", "GET"): ("/plans/teams/T01/2023-03-19", STAFF),
    ("plans.day", "POST"): ("/plans/teams/T01/2023-03-19", row(L, 403, 403, 403, 303, 303)),
    # Old addresses redirect everyone (308 keeps a POST a POST); the new page then decides.
    ("moved.exact", "GET"): ("/observe", MOVED),
    ("moved.exact", "POST"): ("/interactions", MOVED),
    ("moved.prefixed", "GET"): ("/entries/{c}", MOVED),
    ("moved.prefixed", "POST"): ("/observe/voting/new", MOVED),
}


def _routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_table(app):
    assert _routes(app) == set(TABLE), "add the new route to TABLE with what each role gets"


@pytest.fixture
def entries(app, db):
    checklist = file_checklist(app, db, "202", "obs1")
    incident = file_incident(db, "obs1", "T01")
    meeting = make_meeting(db, follow_ups=[])
    db.execute("INSERT INTO follow_ups (interaction_id, kind, text, status, updated_utc)"
               " VALUES (?, 'request', 'Show the voter lists', 'open', '2023-03-10T09:00:00Z')",
               [meeting])
    item = db.execute("SELECT max(id) FROM follow_ups").fetchone()[0]
    photo, _created = photos.add(
        db, media.root_for(app.config["DATABASE"]), "checklist",
        {"id": checklist, "form_type": "voting", "timezone": "Asia/Aqtobe"}, str(uuid.uuid4()),
        photo_samples.jpeg(), users.find_by_username(db, "obs1")["id"],
        photos.Limits(10**7, 10**7))
    return {"c": checklist, "i": incident, "m": meeting, "f": item, "p": photo["id"]}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_should(app, db, entries, role):
    browser = Browser(app.test_client())
    if role != "anonymous":
        assert users.find_by_username(db, LOGIN[role])
        browser.login(LOGIN[role])
    token = Browser.hidden(browser.client.get("/login").text, "csrf_token")
    wrong = []
    for (endpoint, method), (template, expected) in sorted(TABLE.items()):
        if endpoint == "auth.logout":
            continue  # would end the session for the rows after it; checked below
        url = template.format(**entries)
        response = browser.client.open(url, method=method,
                                        data={"csrf_token": token} if method == "POST" else None)
        got = response.status_code
        response.close()  # streamed downloads hold a request context until closed
        if expected[role] == L:
            ok = got == 302 and "/login" in response.location
        else:
            ok = got == expected[role]
        if not ok:
            wrong.append(f"{method} {url}: expected {expected[role]}, got {got}")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_logout(app, role):
    browser = Browser(app.test_client())
    if role != "anonymous":
        browser.login(LOGIN[role])
    token = Browser.hidden(browser.client.get("/login").text, "csrf_token")
    response = browser.client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.location
    assert browser.client.get("/review").status_code == 302


# The menu's links to pages that only some roles may open.
MENU = {"dashboard.index": "/dashboard", "control_room.index": "/control",
        "liaison.queue": "/liaison/queue",
        "team_messages.index": "/messages",
        "reports.index": "/reports", "audit.log": "/audit", "tokens.index": "/admin/tokens",
        "admin.index": "/admin/users"}


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_menu_links_exactly_the_pages_the_role_may_open(app, role):
    browser = Browser(app.test_client())
    browser.login(LOGIN[role])
    page = browser.client.get("/meetings").text
    menu = page.split("<nav>", 1)[1].split("</nav>", 1)[0]
    shown = {endpoint for endpoint, url in MENU.items() if f'href="{url}"' in menu}
    assert shown == {endpoint for endpoint in MENU if TABLE[endpoint, "GET"][1][role] == 200}
