"""The mission summary PDF: every percentage and every N, read back from the PDF with pypdf,
against figures computed here from the raw entries the test inserted (plain Python, no SQL).

The dataset goes in through the models: checklists with known answers over three
regions and four types (some rejected, some verified, some not yet reviewed),
incidents and meetings with follow-ups.
"""

import io
import random
import re
import uuid
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pypdf
import pytest

from models import checklists, definitions, entries, incidents, liaison, meetings, review, stations, users
from models.clock import local_to_utc, to_iso, utc_now, utc_to_local
from models.definitions import TYPES
from models.vocabulary import OVERALL
from reports import charts, filters, pdf, summary
from tests.conftest import Browser, good_answers
from views import cli_reports

MISSION_ZONE = "Asia/Almaty"
HOSTILE = "<img src=file:///etc/passwd> <script>alert(1)</script>"
KAZAKH = "Қ Ә Ө Ұ Ү Һ І Ң Ғ"
# Stations added to the three of conftest: registry per region Astana 2, Aktobe 2, Almaty 2.
EXTRA_STATIONS = [
    ("404", f"Мектеп {KAZAKH}", "Astana", "Есіл ауданы", "Asia/Almaty"),
    ("505", "Ақтөбе мектебі № 7", "Aktobe", "Aktobe city", "Asia/Aqtobe"),
    ("606", "Клуб «Береке»", "Almaty", "", "Asia/Almaty"),
]
LEVEL_LABELS = {"cec": "Central Election Commission (CEC)",
                "territorial": "Territorial commission (TEC)",
                "district": "District (okrug) commission", "precinct": "Precinct commission (PEC)"}


# --- the dataset ----------------------------------------------------------------------------

def _user(db, name):
    return users.find_by_username(db, name)


def _add_stations(db):
    rows = [{"number": n, "name": name, "address": "", "region": region, "district": district,
             "timezone": zone, "registered_voters": 1000, "latitude": None, "longitude": None,
             "search_text": stations.search_text(n, name, "", district)}
            for n, name, region, district, zone in EXTRA_STATIONS]
    stations.upsert(db, rows)


def _station_rows(db) -> dict[str, dict]:
    return {r["number"]: r for r in db.query("SELECT id, number, region, district, timezone"
                                             " FROM stations")}


def _answers(definition, rng, force_serious=False) -> dict:
    """Good answers, then each yes/no question kept, made a problem, not observed or dropped."""
    answers = good_answers(definition)
    for q in definition.questions.values():
        if q.type != "yesno" or q.id not in answers:
            continue
        roll = rng.random()
        if roll < 0.2:
            answers[q.id] = q.problem
        elif roll < 0.3:
            answers[q.id] = "not_observed"
        elif roll < 0.35:
            del answers[q.id]
    if force_serious:
        first = next(q for q in definition.questions.values() if q.serious)
        answers[first.id] = first.problem
    return answers


def _file_checklist(app, db, rng, kind, number, author, arrival_utc, state,
                    force_serious=False) -> dict:
    definition = definitions.get(kind)
    station = _station_rows(db)[number]
    answers = _answers(definition, rng, force_serious)
    overall = rng.choice(OVERALL)
    user = _user(db, author)
    filing = checklists.Filing(
        uuid=str(uuid.uuid4()), form_type=kind, form_version=definition.version,
        station_id=station["id"], timezone=station["timezone"], arrival_utc=arrival_utc,
        departure_utc=arrival_utc, answers=answers, overall=overall,
        serious_count=len(definition.serious_problems(answers)))
    entry_id, created = entries.create(db, checklists.CHECKLISTS, filing, user["id"], user["team"])
    assert created
    if state != "submitted":
        review.move(db, "checklist", entry_id, state, _user(db, "coord")["id"], reason="checked")
    return {"id": entry_id, "type": kind, "number": number, "region": station["region"],
            "district": station["district"], "team": user["team"], "arrival_utc": arrival_utc,
            "answers": answers, "overall": overall, "state": state}


def _file_incident(db, number, region, severity, state, description, occurred_utc) -> dict:
    station = _station_rows(db).get(number) if number else None
    user = _user(db, "obs3")
    report = incidents.Report(
        uuid=str(uuid.uuid4()), station_id=station["id"] if station else None, region=region,
        place="" if station else "Акимат", occurred_utc=occurred_utc,
        timezone=station["timezone"] if station else "Asia/Almaty", category="intimidation",
        severity=severity, description=description, reported_to_commission="no",
        commission_response="")
    entry_id, _created = entries.create(db, incidents.INCIDENTS, report, user["id"], user["team"])
    if state != "submitted":
        review.move(db, "incident", entry_id, state, _user(db, "coord")["id"], reason="checked")
    return {"id": entry_id, "region": region, "severity": severity, "state": state,
            "occurred_utc": occurred_utc, "description": description}


def _make_meeting(db, level, region, state, occurred_utc, items) -> dict:
    """items: (kind, due_date, final status) with final status open, answered or closed."""
    user = _user(db, "liaison")
    meeting = meetings.Meeting(
        uuid=str(uuid.uuid4()), occurred_utc=occurred_utc, timezone=MISSION_ZONE, place="",
        commission_level=level, commission_name=f"{region} {level} commission", region=region,
        counterparts=[], participants="", topics=["voter_lists"], summary="Met.",
        follow_ups=[meetings.FollowUp(kind, f"{kind} {i}", due)
                    for i, (kind, due, _status) in enumerate(items)])
    entry_id, _created = entries.create(db, meetings.MEETINGS, meeting, user["id"],
                                        meetings.LIAISON_TEAM)
    ids = [r[0] for r in db.execute("SELECT id FROM follow_ups WHERE interaction_id = ?"
                                    " ORDER BY id", [entry_id])]
    for item_id, (_kind, _due, status) in zip(ids, items):
        if status == "answered":
            liaison.answer_follow_up(db, item_id, "2023-03-16", "Answered.", user["id"])
        elif status == "closed":
            liaison.close_follow_up(db, item_id, user["id"])
    if state != "submitted":
        review.move(db, "interaction", entry_id, state, _user(db, "coord")["id"], reason="ok")
    return {"id": entry_id, "level": level, "region": region, "state": state,
            "occurred_utc": occurred_utc,
            "follow_ups": [{"kind": k, "due": d, "status": s} for k, d, s in items]}


def _utc(day: int, hour: int, minute: int = 0, zone: str = MISSION_ZONE) -> str:
    return to_iso(local_to_utc(date(2023, 3, day), time(hour, minute), zone))


def seed(app, db) -> dict:
    """The dataset; returns the raw entries as inserted."""
    _add_stations(db)
    rng = random.Random(20230319)
    numbers = ["101", "202", "303", "404", "505"]  # 606 (Almaty) is never observed
    kinds = ["voting"] * 5 + ["opening", "counting", "tabulation"]
    states = ["submitted"] * 11 + ["verified"] * 6 + ["rejected"] * 2 + ["needs_clarification"]
    rows = []
    for index in range(90):
        number = numbers[index % len(numbers)]
        day = (18, 19, 19, 19, 20)[rng.randrange(5)]
        zone = "Asia/Aqtobe" if number in ("202", "505") else MISSION_ZONE
        rows.append(_file_checklist(app, db, rng, rng.choice(kinds), number,
                                    rng.choice(["obs1", "obs3"]),
                                    _utc(day, rng.randrange(24), rng.randrange(60), zone),
                                    rng.choice(states)))
    # The station with the Kazakh name has a serious problem, so it is listed.
    rows.append(_file_checklist(app, db, rng, "voting", "404", "obs1", _utc(19, 9, 5),
                                "verified", force_serious=True))
    found = [
        _file_incident(db, "202", "Aktobe", "high", "submitted", HOSTILE, _utc(19, 8, 0)),
        _file_incident(db, "101", "Astana", "critical", "verified", "Ballots carried out.",
                       _utc(19, 11, 0)),
        _file_incident(db, "303", "Almaty", "high", "rejected", "Not true.", _utc(19, 12, 0)),
        _file_incident(db, None, "Astana", "medium", "submitted", "Queue.", _utc(18, 10, 0)),
        _file_incident(db, "404", "Astana", "high", "submitted", "Pressure on voters.",
                       _utc(20, 1, 30)),
        _file_incident(db, "505", "Aktobe", "low", "verified", "Late.", _utc(19, 7, 0)),
    ]
    meetings = [
        _make_meeting(db, "cec", "Astana", "verified", _utc(10, 10),
                      [("request", "2023-03-15", "open"), ("request", "2023-03-14", "answered"),
                       ("commitment", "2099-01-01", "open")]),
        _make_meeting(db, "territorial", "Aktobe", "submitted", _utc(19, 15),
                      [("request", "2023-03-17", "closed"), ("request", None, "open"),
                       ("commitment", "2023-03-12", "open")]),
        _make_meeting(db, "precinct", "Almaty", "submitted", _utc(20, 9),
                      [("request", "2023-03-21", "open")]),
        _make_meeting(db, "territorial", "Almaty", "rejected", _utc(19, 9),
                      [("request", "2023-03-01", "open")]),
    ]
    return {"checklists": rows, "incidents": found, "meetings": meetings}


# --- the figures, computed here from the raw entries -----------------------------------------

def pct(part: int, whole: int) -> str:
    """Share as the methodology states it: one decimal, rounded half up; '–' without a base."""
    if not whole:
        return "–"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value}%"


def local_day(utc_text: str) -> date:
    return datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(MISSION_ZONE)).date()


def selected(entry: dict, when: str, flt: dict, region: str | None = None) -> bool:
    if entry["state"] == "rejected" or (flt.get("verified") and entry["state"] != "verified"):
        return False
    day = local_day(entry[when])
    if flt.get("from") and day < flt["from"] or flt.get("to") and day > flt["to"]:
        return False
    return not flt.get("regions") or (region or entry["region"]) in flt["regions"]


def registry(db) -> dict[str, list[dict]]:
    """The registry by region, read as raw rows."""
    found: dict[str, list[dict]] = {}
    for row in _station_rows(db).values():
        found.setdefault(row["region"], []).append(row)
    return found


def expected_rows(app, db, data: dict, flt: dict, group: str = "region") -> dict:
    """Every line of figures the PDF must print, as text, computed from the raw entries."""
    known = definitions.by_type()
    kinds = [k for k in TYPES if not flt.get("types") or k in flt["types"]]
    chosen = [c for c in data["checklists"] if c["type"] in kinds and selected(c, "arrival_utc", flt)]
    reg = registry(db)
    groups: dict[str, int] = {}
    for region, rows in reg.items():
        if flt.get("regions") and region not in flt["regions"]:
            continue
        for row in rows:
            name = row[group]
            groups[name] = groups.get(name, 0) + 1
    lines, statements, indicator_order = [], [], {}
    titles = {k: known[k].title for k in kinds}
    for kind in kinds:
        mine = [c for c in chosen if c["type"] == kind]
        n = len(mine)
        counts = {code: sum(c["overall"] == code for c in mine) for code in OVERALL}
        negative = counts["bad"] + counts["very_bad"]
        lines.append(f"{titles[kind]} " + " ".join(f"{counts[c]:,} ({pct(counts[c], n)})"
                                                   for c in OVERALL)
                     + f" {pct(negative, n)} {n:,}")
        statements.append(f"{titles[kind]} was assessed negatively in {pct(negative, n)} of"
                          f" {n:,} observations." if n else
                          f"{titles[kind]}: no observations in this selection.")
        if not n:
            continue
        rows = []
        for order, q in enumerate(q for q in known[kind].questions.values()
                                  if q.type == "yesno"):
            given = [c["answers"].get(q.id) for c in mine]
            base = sum(a in ("yes", "no") for a in given)
            hits = sum(a == q.problem for a in given)
            text = (f"{'Serious: ' if q.serious else ''}{q.label} {q.problem} {hits:,}"
                    f" {base:,} {pct(hits, base)}")
            rows.append(((not q.serious, -(hits / base if base else 0), -base, order), text))
        indicator_order[titles[kind]] = [text for _key, text in sorted(rows)]
    for name in sorted(groups):
        cells = []
        for kind in kinds:
            seen = {c["number"] for c in chosen if c["type"] == kind and c[group] == name}
            cells.append(f"{len(seen):,} ({pct(len(seen), groups[name])})")
        lines.append(f"{name or '(none recorded)'} {groups[name]:,} " + " ".join(cells))
        shares = []
        for kind in kinds:
            mine = [c for c in chosen if c["type"] == kind]
            if not mine:
                continue
            here = [c for c in mine if c[group] == name]
            negative = sum(c["overall"] in ("bad", "very_bad") for c in here)
            shares.append(f"{pct(negative, len(here))} ({negative:,}/{len(here):,})")
        lines.append(f"{name or '(none recorded)'} " + " ".join(shares))
    total = sum(groups.values())
    observed = {k: len({c["number"] for c in chosen if c["type"] == k}) for k in kinds}
    lines.append(f"All {total:,} " + " ".join(f"{observed[k]:,} ({pct(observed[k], total)})"
                                             for k in kinds))
    shown = [k for k in kinds if any(c["type"] == k for c in chosen)]
    all_shares = []
    for kind in shown:
        mine = [c for c in chosen if c["type"] == kind]
        negative = sum(c["overall"] in ("bad", "very_bad") for c in mine)
        all_shares.append(f"{pct(negative, len(mine))} ({negative:,}/{len(mine):,})")
    lines.append("All " + " ".join(all_shares))
    serious = sum(1 for c in chosen if any(
        q.serious and c["answers"].get(q.id) == q.problem
        for q in known[c["type"]].questions.values()))
    severe = [i for i in data["incidents"] if i["severity"] in ("high", "critical")
              and selected(i, "occurred_utc", flt)]
    lines.append(f"{serious:,} checklists with at least one serious answer and {len(severe):,}"
                 " high or critical incident reports")
    meetings = [m for m in data["meetings"] if selected(m, "occurred_utc", flt)]
    for level, label in LEVEL_LABELS.items():
        lines.append(f"{label} {sum(m['level'] == level for m in meetings):,}")
    lines.append(f"All {len(meetings):,}")
    today = utc_now().astimezone(ZoneInfo(MISSION_ZONE)).date().isoformat()
    for kind, label in (("request", "Requests by the mission"),
                        ("commitment", "Commitments by commissions")):
        items = [f for m in meetings for f in m["follow_ups"] if f["kind"] == kind]
        figures = [len(items)] + [sum(f["status"] == s for f in items)
                                  for s in ("answered", "closed", "open")]
        figures.append(sum(f["status"] == "open" and f["due"] is not None and f["due"] < today
                           for f in items))
        lines.append(f"{label} " + " ".join(f"{x:,}" for x in figures))
    incident_count = sum(selected(i, "occurred_utc", flt) for i in data["incidents"])
    lines += [f"Checklists {len(chosen):,}",
              f"Observer teams {len({c['team'] for c in chosen}):,}",
              f"Incident reports {incident_count:,}, of which {len(severe):,} high or critical",
              f"Meetings with commissions {len(meetings):,}",
              (f"Polling stations observed {len({c['number'] for c in chosen}):,} of"
               f" {sum(groups.values()):,} in the registry")]
    return {"lines": lines + statements, "indicators": indicator_order,
            "empty": not (chosen or incident_count or meetings)}


# --- reading the PDF ---------------------------------------------------------------------------

def pdf_text(data: bytes) -> tuple[str, int]:
    """All text of the PDF with runs of white space made one space, and its page count."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text), len(reader.pages)


def assert_figures(text: str, expected: dict) -> None:
    missing = [line for line in expected["lines"] if line not in text]
    assert missing == [], f"not in the PDF: {missing}"
    for title, rows in expected["indicators"].items():
        # Within the type's own table (the same question can figure in two types), in order.
        heading = f"{title}: indicators"
        start = text.index(heading)
        ends = [m.start() for m in re.finditer(r": indicators|Assessed negatively, by", text)
                if m.start() > start + len(heading)]
        section, at = text[start:min(ends, default=len(text))], 0
        for row in rows:
            found = section.find(row, at)
            assert found >= 0, f"{title}: {row!r} missing or out of order"
            at = found + len(row)


def download(browser: Browser, path: str):
    response = browser.client.get(path)
    return response, (pdf_text(response.data) if response.mimetype == "application/pdf"
                      else (response.text, 0))


@pytest.fixture
def data(app, db):
    return seed(app, db)


@pytest.fixture
def coordinator(app):
    browser = Browser(app.test_client())
    browser.login("coord")
    return browser


# --- tests -------------------------------------------------------------------------------------

FILTERS = [
    ("", {}),
    ("?verified_only=1", {"verified": True}),
    ("?region=Aktobe", {"regions": ["Aktobe"]}),
    ("?region=Astana&region=Almaty", {"regions": ["Astana", "Almaty"]}),
    ("?type=voting", {"types": ["voting"]}),
    ("?type=opening&type=counting&verified_only=1", {"types": ["opening", "counting"],
                                                     "verified": True}),
    ("?from=2023-03-19&to=2023-03-19", {"from": date(2023, 3, 19), "to": date(2023, 3, 19)}),
    ("?from=2023-03-20&region=Astana", {"from": date(2023, 3, 20), "regions": ["Astana"]}),
]


@pytest.mark.parametrize(("query", "flt"), FILTERS, ids=[q or "all" for q, _f in FILTERS])
def test_every_figure_matches_the_raw_entries(app, db, data, coordinator, query, flt):
    response, (text, pages) = download(coordinator, "/reports/summary.pdf" + query)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    expected = expected_rows(app, db, data, flt)
    assert not expected["empty"]
    assert_figures(text, expected)
    assert f"page 1 of {pages}" in text and f"page {pages} of {pages}" in text


def test_cover_names_the_mission_the_selection_and_the_newest_entry(app, db, data, coordinator):
    _response, (text, _pages) = download(coordinator, "/reports/summary.pdf?verified_only=1")
    assert "Mission summary report" in text and app.config["MISSION_NAME"] in text
    assert "all dates; all regions; all checklist types; verified entries only" in text
    newest = max(db.execute(f"SELECT max(created_utc) FROM {table} WHERE review_state ="
                            " 'verified'").fetchone()[0]
                 for table in ("checklists", "incidents", "interactions"))
    moment = utc_to_local(newest, MISSION_ZONE)
    assert f"Data as of {moment:%d.%m.%Y %H:%M}" in text
    assert "Generated" in text


def test_observers_text_is_printed_as_text_and_fetches_nothing(app, db, data, coordinator,
                                                               monkeypatch):
    fetched = []
    original = pdf._fetcher_class

    def recording():
        base = original()

        class Recording(base):
            def fetch(self, url, headers=None):
                fetched.append(url)
                return super().fetch(url, headers)
        return Recording
    monkeypatch.setattr(pdf, "_fetcher_class", recording)
    html = []
    monkeypatch.setattr(summary, "render_html", lambda *a, _real=summary.render_html, **k:
                        html.append(_real(*a, **k)) or html[-1])
    _response, (text, _pages) = download(coordinator, "/reports/summary.pdf")
    assert HOSTILE in text
    assert "&lt;img src=file:///etc/passwd&gt;" in html[0] and "<script>" not in html[0]
    assert [url.rsplit("/", 1)[-1] for url in fetched] == ["print.css"]


def test_kazakh_letters_survive(app, db, data, coordinator):
    _response, (text, _pages) = download(coordinator, "/reports/summary.pdf?region=Astana")
    assert f"Мектеп {KAZAKH}" in text


def test_empty_selection_says_so(app, db, data, coordinator):
    response, (text, pages) = download(coordinator,
                                       "/reports/summary.pdf?from=2020-01-01&to=2020-01-31")
    assert response.status_code == 200
    assert "No checklist, incident report or meeting report matches this selection" in text
    assert "Checklists 0" in text and f"page 1 of {pages}" in text


@pytest.mark.parametrize(("query", "message"), [
    ("?from=2023-03-20&to=2023-03-19", "The end date is before the start date."),
    ("?region=Nowhere", "Unknown region: Nowhere."),
    ("?type=exit_poll", "Unknown checklist type: exit_poll."),
    ("?from=19.03.2023", "Write the date as YYYY-MM-DD"),
])
def test_impossible_filter_gets_the_form_back(app, db, coordinator, query, message):
    response = coordinator.client.get("/reports/summary.pdf" + query)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert message in response.text and 'action="/reports/summary.pdf"' in response.text
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0] == 0


def test_problem_list_is_capped_and_says_how_many_more(app, db, data):
    known = definitions.by_type()
    zones = {r["number"]: r["timezone"] for r in _station_rows(db).values()}
    listed = []
    for c in data["checklists"]:
        labels = [q.label for q in known[c["type"]].questions.values()
                  if q.serious and c["answers"].get(q.id) == q.problem]
        if labels and c["state"] != "rejected":
            listed.append((c["arrival_utc"], "checklist", c["id"], (
                f"{local_text(c['arrival_utc'], zones[c['number']])} {c['number']}",
                f"Checklist {c['id']}, {known[c['type']].title}: {'; '.join(labels)}")))
    for i in data["incidents"]:
        if i["severity"] in ("high", "critical") and i["state"] != "rejected":
            listed.append((i["occurred_utc"], "incident", i["id"], (
                f"Incident {i['id']}, Intimidation or pressure on voters", i["description"])))
    with app.test_request_context():
        flt = filters.parse({}, ["Astana", "Aktobe", "Almaty"], MISSION_ZONE)
        figures = summary.build_summary(db, flt, known, {"zone": MISSION_ZONE},
                                        problems_limit=5)
        text, _pages = pdf_text(pdf.render_pdf(summary.render_html(figures)))
    section = text[text.index("Serious problems and high or critical incidents"):]
    assert (f"The first 5 in time order are listed; {len(listed) - 5} more are not listed"
            in section)
    at = 0
    for _at, _kind, _id, parts in sorted(listed)[:5]:
        for part in parts:
            at = section.find(part, at)
            assert at >= 0, f"{part!r} missing or out of order"
    _at, kind, entry_id, _parts = sorted(listed)[5]
    assert f"{kind.title()} {entry_id}," not in section


def local_text(utc_text: str, zone: str) -> str:
    moment = utc_to_local(utc_text, zone)
    return f"{moment:%d.%m.%Y %H:%M} (UTC{int(moment.utcoffset().total_seconds() // 3600):+d})"


def test_download_is_a_named_attachment_and_audited(app, db, data, coordinator):
    response = coordinator.client.get("/reports/summary.pdf?region=Aktobe&type=voting")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and re.search(r"summary-\d{8}-\d{4}\.pdf",
                                                               disposition)
    assert response.headers["Cache-Control"] == "no-store"
    row = db.execute("SELECT user_id, details FROM audit_log WHERE action = 'export'").fetchone()
    assert row[0] == _user(db, "coord")["id"]
    assert '"report": "summary"' in row[1] and '"regions": ["Aktobe"]' in row[1]
    assert '"types": ["voting"]' in row[1]


@pytest.mark.parametrize(("user", "status"), [
    (None, 302), ("obs1", 403), ("liaison", 403), ("coord", 200), ("admin", 200)])
def test_only_coordinators_and_admins(app, user, status):
    browser = Browser(app.test_client())
    if user:
        browser.login(user)
    for path in ("/reports", "/reports/summary.pdf", "/reports/region.pdf?region=Astana"):
        assert browser.client.get(path).status_code == status, path


def test_reports_page_has_the_filter_form(app, coordinator):
    page = coordinator.client.get("/reports")
    assert page.status_code == 200
    for text in ('name="from"', 'name="to"', 'value="Aktobe"', 'value="voting"',
                 'name="verified_only"', "/reports/region.pdf", "Mission summary (PDF)"):
        assert text in page.text


def _cli(app, *args):
    if "report" not in app.cli.commands:
        cli_reports.register(app)
    return app.test_cli_runner().invoke(args=["report", *args])


def test_command_line_writes_the_same_figures(app, db, data, tmp_path):
    out = tmp_path / "summary.pdf"
    result = _cli(app, "summary", "--out", str(out), "--region", "Astana", "--region",
                  "Aktobe", "--type", "voting", "--verified-only")
    assert result.exit_code == 0, result.output
    text, _pages = pdf_text(out.read_bytes())
    assert_figures(text, expected_rows(app, db, data, {"regions": ["Astana", "Aktobe"],
                                                       "types": ["voting"], "verified": True}))
    details = db.execute("SELECT user_id, details FROM audit_log WHERE action = 'export'"
                         ).fetchone()
    assert details[0] is None and '"via": "cli"' in details[1]


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2023-03-20", "--to", "2023-03-19"], "The end date is before the start date."),
    (["--region", "Nowhere"], "Unknown region: Nowhere."),
    (["--type", "exit_poll"], "Unknown checklist type: exit_poll."),
])
def test_command_line_refuses_an_impossible_filter(app, tmp_path, args, message):
    out = tmp_path / "summary.pdf"
    result = _cli(app, "summary", "--out", str(out), *args)
    assert result.exit_code == 2 and message in result.output
    assert not out.exists()


def test_command_line_empty_selection(app, data, tmp_path):
    out = tmp_path / "empty.pdf"
    result = _cli(app, "summary", "--out", str(out), "--from", "2020-01-01", "--to", "2020-01-02")
    assert result.exit_code == 0 and "no entry matches this selection" in result.output
    assert "No checklist, incident report or meeting report matches" in pdf_text(
        out.read_bytes())[0]


@pytest.mark.parametrize(("part", "whole", "printed"), [
    (1, 16, "6.3%"), (3, 16, "18.8%"), (1, 8, "12.5%"), (2, 3, "66.7%"), (0, 5, "0.0%"),
    (5, 5, "100.0%"), (0, 0, "–"), (1, 2000, "0.1%"), (1, 2001, "0.0%")])
def test_percent_rounds_half_up_to_one_decimal(app, part, whole, printed):
    with app.app_context():
        assert summary.percent(part, whole) == printed == pct(part, whole)


def test_chart_draws_one_bar_per_value_and_escapes_labels():
    svg = charts.bar_chart([("<b>Astana</b> & co", 0.07, "7.0% of 100"), ("Aktobe", None, "–"),
                            ("Almaty", 0.0, "0.0% of 4")], title="Voting <negative>")
    assert svg.count("<rect") == 2
    assert "&lt;b&gt;Astana&lt;/b&gt; &amp; co" in svg and "<b>" not in svg
    assert "Voting &lt;negative&gt;" in svg
    assert charts.scale_end([0.07, None]) == 0.1 and charts.scale_end([]) == 0.05


def test_grouped_chart_draws_a_bar_per_share_and_text_for_the_rest():
    svg = charts.grouped_bar_chart(
        ["<b>Astana</b>", "Aktobe"],
        [("Voting", [(0.07, ""), (None, "3 of 7")]),
         ("Opening", [(0.0, ""), (None, "no observations")])], title="Negative <share>")
    assert svg.count("<rect") == 2 and "3 of 7" in svg and "no observations" in svg
    assert "&lt;b&gt;Astana&lt;/b&gt;" in svg and "<b>" not in svg
    assert "Negative &lt;share&gt;" in svg and ">10%<" in svg and ">5%<" in svg
