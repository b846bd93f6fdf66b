"""The coordinator dashboard shows exact figures for a small known mission, to the right roles."""

import re
from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale

import views.dashboard
from models import checklists, dashboard, entries, review, stations
from models.checklists import Filing
from tests.conftest import station_id

# 2023-03-19 16:00 in Astana (UTC+6 then): the dashboard's "now" in every test.
NOW = datetime(2023, 3, 19, 10, 0, tzinfo=timezone.utc)
TYPES = ["opening", "voting", "counting", "tabulation"]
MORE_STATIONS = [("404", "Astana", "Asia/Almaty"), ("505", "Astana", "Asia/Almaty"),
                 ("606", "Aktobe", "Asia/Aqtobe")]


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(views.dashboard, "utc_now", lambda: NOW)


def _user(db, name: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0]


def _checklist(db, form_type: str, number: str, author: str, team: str, overall: str,
               created: str, serious: int = 0) -> int:
    """File a checklist through the model, then set when the server received it."""
    n = db.execute("SELECT count(*) FROM checklists").fetchone()[0]
    zone = db.execute("SELECT timezone FROM stations WHERE number = ?", [number]).fetchone()[0]
    filing = Filing(uuid=f"00000000-0000-4000-8000-{n:012d}", form_type=form_type,
                    form_version=1, station_id=station_id(db, number), timezone=zone,
                    arrival_utc="2023-03-19T04:00:00Z", departure_utc="2023-03-19T04:30:00Z",
                    answers={"note": str(n)}, overall=overall, serious_count=serious)
    entry_id, created_now = entries.create(db, checklists.CHECKLISTS, filing, _user(db, author), team)
    assert created_now
    db.execute("UPDATE checklists SET created_utc = ? WHERE id = ?", [created, entry_id])
    db.conn.commit()
    return entry_id


def _incident(db, severity: str, created: str, state: str = "submitted",
              number: str | None = "202") -> int:
    sid = station_id(db, number) if number else None
    cursor = db.execute(
        "INSERT INTO incidents (uuid, station_id, region, place, occurred_utc, timezone,"
        " category, severity, description, reported_to_commission, team, author_id,"
        " content_hash, review_state, created_utc, updated_utc)"
        " VALUES (?, ?, 'Aktobe', 'Market square', ?, 'Asia/Aqtobe', 'intimidation', ?,"
        " 'Men at the door', 'no', 'T02', ?, 'x', ?, ?, ?)",
        [f"incident-{severity}-{created}-{state}", sid, created, severity, _user(db, "obs3"),
         state, created, created])
    db.conn.commit()
    return cursor.lastrowid


def _meeting(db, state: str = "submitted") -> int:
    cursor = db.execute(
        "INSERT INTO interactions (uuid, occurred_utc, timezone, commission_level,"
        " commission_name, region, team, author_id, content_hash, review_state, created_utc,"
        " updated_utc) VALUES (?, '2023-03-15T06:00:00Z', 'Asia/Almaty', 'cec', 'CEC', '',"
        " 'T01', ?, 'x', ?, '2023-03-15T06:00:00Z', '2023-03-15T06:00:00Z')",
        [f"meeting-{state}-{db.execute('SELECT count(*) FROM interactions').fetchone()[0]}",
         _user(db, "liaison"), state])
    db.conn.commit()
    return cursor.lastrowid


def _follow_up(db, meeting: int, text: str, due: str | None, status: str = "open") -> None:
    db.execute("INSERT INTO follow_ups (interaction_id, kind, text, due_date, status,"
               " updated_utc) VALUES (?, 'request', ?, ?, ?, '2023-03-15T06:00:00Z')",
               [meeting, text, due, status])
    db.conn.commit()


@pytest.fixture
def mission(app, db):
    """Six stations in three regions, checklists around the day's edges, review moves,
    incidents, meetings and follow-ups with known due dates."""
    stations.upsert(db, [{"number": n, "name": f"School {n}", "address": "", "region": region,
                          "district": "", "timezone": zone, "registered_voters": 1000,
                          "latitude": None, "longitude": None,
                          "search_text": stations.search_text(n, f"School {n}", "", "")}
                         for n, region, zone in MORE_STATIONS])
    coord = _user(db, "coord")
    ids = {
        # 00:00 on the 19th in Astana is 18:00Z on the 18th: today, though UTC says otherwise.
        "first": _checklist(db, "voting", "101", "obs1", "T01", "good", "2023-03-18T18:00:00Z"),
        "other_team": _checklist(db, "voting", "101", "obs3", "T02", "bad",
                                 "2023-03-19T09:00:00Z"),
        "serious": _checklist(db, "voting", "404", "obs1", "T01", "very_bad",
                              "2023-03-19T09:30:00Z", serious=2),
        "rejected": _checklist(db, "voting", "202", "obs2", "T01", "very_bad",
                               "2023-03-19T09:40:00Z", serious=3),
        "opening": _checklist(db, "opening", "303", "obs3", "T02", "very_good",
                              "2023-03-19T01:00:00Z"),
        # 23:59:59 on the 18th in Astana: yesterday, but it still counts for coverage.
        "yesterday": _checklist(db, "counting", "202", "obs1", "T01", "bad",
                                "2023-03-18T17:59:59Z"),
        # 00:00 on the 20th: tomorrow (clock skew); not received "today".
        "tomorrow": _checklist(db, "tabulation", "606", "obs2", "T01", "good",
                               "2023-03-19T18:00:00Z"),
    }
    review.move(db, "checklist", ids["first"], "verified", coord)
    review.move(db, "checklist", ids["rejected"], "rejected", coord, "Wrong station")
    ids["incident_high"] = _incident(db, "high", "2023-03-19T09:45:00Z")
    ids["incident_low"] = _incident(db, "low", "2023-03-19T09:50:00Z")
    ids["incident_rejected"] = _incident(db, "critical", "2023-03-19T09:55:00Z", "rejected")
    ids["incident_verified"] = _incident(db, "critical", "2023-03-19T08:00:00Z", "verified",
                                         number=None)
    meeting, dropped = _meeting(db), _meeting(db, "rejected")
    _meeting(db, "verified")
    _follow_up(db, meeting, "Access for observers to the count", "2023-03-18")
    _follow_up(db, meeting, "Copy of the protocol", "2023-03-19")  # due today: not overdue
    _follow_up(db, meeting, "Voter list extract", None)
    _follow_up(db, meeting, "Answered long ago", "2023-03-01", "answered")
    _follow_up(db, dropped, "On a rejected meeting", "2023-03-10")
    return ids


def _figures(db) -> dict:
    start, end = dashboard.day_bounds(date(2023, 3, 19), "Asia/Almaty")
    return dashboard.figures(db, TYPES, start, end, "2023-03-19")


@pytest.mark.parametrize("day, zone, bounds", [
    (date(2023, 3, 19), "Asia/Almaty", ("2023-03-18T18:00:00Z", "2023-03-19T18:00:00Z")),
    (date(2023, 3, 19), "Asia/Aqtobe", ("2023-03-18T19:00:00Z", "2023-03-19T19:00:00Z")),
    # Europe/Berlin's spring-forward day has 23 hours.
    (date(2023, 3, 26), "Europe/Berlin", ("2023-03-25T23:00:00Z", "2023-03-26T22:00:00Z")),
])
def test_day_bounds_follow_the_zone(day, zone, bounds):
    assert dashboard.day_bounds(day, zone) == bounds


def test_figures_count_today_coverage_and_negative_share(mission, db):
    figures = _figures(db)
    by_type = {t["form_type"]: t for t in figures["per_type"]}
    # Rejected left out; 18:00Z on the 18th is today in Astana, 17:59:59Z is not.
    assert {k: t["received"] for k, t in by_type.items()} == \
        {"opening": 1, "voting": 3, "counting": 0, "tabulation": 0}
    assert figures["received_total"] == 4
    assert figures["stations"] == 6
    voting = by_type["voting"]
    # Two teams at 101 count as one station observed; 202's only voting entry was rejected.
    assert (voting["observed"], voting["stations"], voting["checklists"], voting["negative"]) \
        == (2, 6, 3, 2)
    assert voting["coverage"] == pytest.approx(2 / 6)
    assert voting["negative_share"] == pytest.approx(2 / 3)
    assert (by_type["counting"]["observed"], by_type["counting"]["negative_share"]) == (1, 1.0)
    assert by_type["opening"]["negative_share"] == 0.0
    regions = {r["region"]: r for r in figures["regions"]}
    assert {name: r["stations"] for name, r in regions.items()} == \
        {"Aktobe": 2, "Almaty": 1, "Astana": 3}
    astana, aktobe = regions["Astana"]["types"]["voting"], regions["Aktobe"]["types"]["voting"]
    assert (astana["observed"], astana["checklists"], astana["negative"]) == (2, 3, 2)
    assert astana["coverage"] == pytest.approx(2 / 3)
    assert (aktobe["observed"], aktobe["checklists"], aktobe["coverage"],
            aktobe["negative_share"]) == (0, 0, 0.0, None)
    assert regions["Aktobe"]["types"]["tabulation"]["coverage"] == 0.5


def test_figures_review_backlog_follow_ups_and_problems(mission, db):
    figures = _figures(db)
    # 7 checklists: one verified, one rejected; incidents: 2 submitted.
    assert figures["awaiting"] == {"checklist": 5, "incident": 2, "interaction": 1}
    follow_ups = figures["follow_ups"]
    assert (follow_ups["open"], follow_ups["overdue"]) == (3, 1)
    assert [f["text"] for f in follow_ups["overdue_list"]] == \
        ["Access for observers to the count"]
    problems = [(p["kind"], p["id"]) for p in figures["problems"]]
    # Newest first; the rejected checklist and incident and the low incident are left out.
    assert problems == [("incident", mission["incident_high"]),
                        ("checklist", mission["serious"]),
                        ("incident", mission["incident_verified"])]
    serious = figures["problems"][1]
    assert (serious["station_number"], serious["region"], serious["team"],
            serious["serious_count"]) == ("404", "Astana", "T01", 2)


def _text(html: str, element_id: str) -> str:
    """The visible text of the element with this id, whitespace collapsed."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def _region_row(html: str, region: str) -> str:
    match = re.search(rf'<tr data-region="{region}">(.*?)</tr>', html, re.S)
    assert match, region
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_page_shows_the_figures(mission, browser, frozen):
    browser.login("coord")
    page = browser.client.get("/dashboard")
    assert page.status_code == 200
    html = page.text
    assert _text(html, "received") == ("Received today 4 checklists Opening 1 Voting 3 "
                                       "Closing and counting 0 Tabulation 0")
    assert _text(html, "type-voting") == "Voting 2 / 6 33.3% 3 66.7% (2)"
    assert _text(html, "type-counting") == "Closing and counting 1 / 6 16.7% 1 100.0% (1)"
    assert _text(html, "type-opening") == "Opening 1 / 6 16.7% 1 0.0% (0)"
    assert _region_row(html, "Astana") == ("Astana 3 0.0% (0) – (N = 0) 66.7% (2) 66.7% (N = 3) "
                                           "0.0% (0) – (N = 0) 0.0% (0) – (N = 0)")
    assert _region_row(html, "Aktobe") == ("Aktobe 2 0.0% (0) – (N = 0) 0.0% (0) – (N = 0) "
                                           "50.0% (1) 100.0% (N = 1) 50.0% (1) 0.0% (N = 1)")
    awaiting = _text(html, "awaiting")
    assert "8 entries" in awaiting and "Checklists 5" in awaiting
    assert "Incident reports 2" in awaiting and "Meeting reports 1" in awaiting
    assert "/review?state=submitted&amp;kind=checklist" in html
    follow_ups = _text(html, "follow-ups")
    assert "3 open" in follow_ups and "1 overdue" in follow_ups
    assert "Access for observers to the count" in follow_ups
    assert "Copy of the protocol" not in follow_ups
    problems = _text(html, "problems")
    assert "404 School 404 Astana T01 2 serious answers" in problems
    # Severity words come from the incidents blueprint's filter.
    assert "202 Ақтөбе мектебі № 12 Aktobe T02 High".lower() in problems.lower()
    assert "Market square Aktobe T02 Critical".lower() in problems.lower()  # no station: place
    assert problems.count("serious answer") == 1  # the rejected checklist is left out
    assert f'href="/checklists/{mission["serious"]}"' in html
    assert "19.03.2023 10:00 (UTC+6)" in problems  # arrival, in the station's zone


def test_past_day_is_chosen_with_day_parameter(mission, browser, frozen):
    browser.login("admin")
    html = browser.client.get("/dashboard?day=2023-03-18").text
    assert 'name="day" value="2023-03-18"' in html
    assert _text(html, "received").startswith("Received on 18.03.2023 1 checklist Opening 0")
    assert "Closing and counting 1" in _text(html, "received")
    # Overdue stays relative to the real today.
    assert "1 overdue" in _text(html, "follow-ups")


@pytest.mark.parametrize("day", ["yesterday", "2023-02-30", "20230319", "0001-01-01",
                                 "9999-12-31", "2023-03-19T00:00"])
def test_bad_day_is_a_400_with_a_message(browser, day):
    browser.login("coord")
    page = browser.client.get(f"/dashboard?day={day}")
    assert page.status_code == 400
    assert "Give the day as a date" in page.text


def test_empty_mission_shows_zeros_not_errors(browser):
    browser.login("coord")
    page = browser.client.get("/dashboard")
    assert page.status_code == 200
    assert "No serious problems reported." in page.text
    assert _text(page.text, "type-voting") == "Voting 0 / 3 0.0% 0 – (0)"


@pytest.mark.parametrize("user, status", [("coord", 200), ("admin", 200), ("obs1", 403),
                                          ("liaison", 403)])
def test_only_coordinators_and_admins_see_it(browser, user, status):
    browser.login(user)
    assert browser.client.get("/dashboard").status_code == status


def test_anonymous_is_sent_to_login(browser):
    response = browser.client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location


def test_heavy_queries_use_the_covering_indexes(mission, db):
    traced: list[str] = []
    db.conn.set_trace_callback(traced.append)
    dashboard.received(db, "2023-03-18T18:00:00Z", "2023-03-19T18:00:00Z")
    dashboard.region_type_figures(db)
    dashboard.serious_problems(db)
    db.conn.set_trace_callback(None)
    plans = [" | ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
             for sql in traced if sql.lstrip().startswith("SELECT")]
    assert "COVERING INDEX checklists_created (created_utc>? AND created_utc<?)" in plans[0]
    assert "COVERING INDEX checklists_stats" in plans[1]
    assert "SCAN c USING INDEX checklists_created" in plans[2]
    # No aggregate reads the checklist rows themselves (kilobytes of answers each).
    assert not any(re.search(r"SCAN (c|checklists)( |$)(?!USING)", p) for p in plans[:2])


@pytest.mark.parametrize("locale, fraction, count, shown", [
    ("en", 2 / 3, 12345, ("66.7%", "12,345")),
    ("ru", 0.5, 12345, ("50,0\xa0%", "12\xa0345")),
    ("tr", 0.0962, 1234567, ("%9,6", "1.234.567")),
    ("en", None, None, ("–", "0")),
])
def test_figures_are_written_the_locale_s_way(app, locale, fraction, count, shown):
    with app.test_request_context(), force_locale(locale):
        assert (views.dashboard.share(fraction), views.dashboard.figure(count)) == shown
