"""One entry as a PDF for a complaint file, and the commission interaction log as a PDF.

Every PDF is rendered for real with WeasyPrint and read back with pypdf: what
a person reading the file would see is what is asserted.
"""

import io
import json
import uuid
from datetime import date, timedelta

import pypdf
import pytest

import reports.entry
import reports.meeting_log
import reports.pdf
from forms.meeting_log_filter import parse_filters
from models import checklists, comments, definitions, entries, incidents, liaison, meetings, review, users
from reports.meeting_log import build_log
from tests.conftest import Browser, good_answers, station_id
from views import entry_pdfs
from views.cli_entry_reports import interactions_command

KAZAKH = "ҚӘӨҰҮҺІҢҒ қәөұүһіңғ"
SCRIPT = "<script>alert('x')</script>"
IMG = "<img src='file:///etc/passwd'>"
ZONE = "Asia/Almaty"


@pytest.fixture
def pdf_app(app):
    """The app with this blueprint (app.py registers it; registered here if it does not yet)."""
    if "entry_pdfs" not in app.blueprints:
        app.register_blueprint(entry_pdfs.bp)
    return app


def _client(pdf_app, user: str | None) -> Browser:
    browser = Browser(pdf_app.test_client())
    if user:
        assert browser.login(user).status_code == 302
    return browser


def _text(pdf: bytes) -> str:
    """The PDF's text with every run of white space as one space (lines wrap anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _uid(db, name: str) -> int:
    return users.find_by_username(db, name)["id"]


def _filing(definition, db, entry_uuid: str, **answers) -> checklists.Filing:
    values = {**good_answers(definition), **answers}
    values = {k: int(v) if definition.questions.get(k) and definition.questions[k].type ==
              "integer" else v for k, v in values.items()}
    return checklists.Filing(
        uuid=entry_uuid, form_type="voting", form_version=definition.version,
        station_id=station_id(db, "202"), timezone="Asia/Aqtobe",
        arrival_utc="2023-03-19T05:00:00Z", departure_utc="2023-03-19T05:45:00Z",
        answers=values, overall="bad", serious_count=len(definition.serious_problems(values)))


@pytest.fixture
def checklist(pdf_app, db):
    """A voting checklist by obs1 with a serious answer, edited by obs2, sent back, commented."""
    definition = definitions.get("voting")
    entry_uuid = str(uuid.uuid4())
    first = _filing(definition, db, entry_uuid, identical_signatures="yes",
                    comments=f"{KAZAKH} {SCRIPT}")
    entry_id, created = entries.create(db, checklists.CHECKLISTS, first, _uid(db, "obs1"), "T01")
    assert created
    second = _filing(definition, db, entry_uuid, identical_signatures="yes", overcrowded="yes",
                     comments=f"{KAZAKH} {SCRIPT}")
    assert entries.edit(db, checklists.CHECKLISTS, entry_id, 1, second, _uid(db, "obs2"))
    review.move(db, "checklist", entry_id, "needs_clarification", _uid(db, "coord"),
                "How many identical signatures — Ақтөбе count?")
    comments.add(db, "checklist", entry_id, _uid(db, "obs1"), f"Photo attached {IMG}")
    return entry_id


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks for while rendering."""
    urls: list[str] = []
    original = reports.pdf._fetcher_class

    def recording():
        class Recording(original()):
            def fetch(self, url, headers=None):
                urls.append(url)
                return super().fetch(url, headers)
        return Recording

    monkeypatch.setattr(reports.pdf, "_fetcher_class", recording)
    return urls


def test_checklist_pdf_has_answers_history_review_comments_and_flags(pdf_app, db, checklist,
                                                                      fetched):
    response = _client(pdf_app, "coord").client.get(f"/checklists/{checklist}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f'filename="C{checklist}.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(response.data)
    assert f"Checklist C{checklist}" in text
    assert "No. 202 · Ақтөбе мектебі № 12" in text and "Aktobe" in text and "T01" in text
    assert "Authors obs1, obs2" in text
    # Local time of the Aktobe station (UTC+5 in 2023), with its zone.
    assert "19.03.2023 10:00 UTC+5 (Asia/Aqtobe)" in text
    assert "Number of voters on the voter list" in text
    assert "Did you see a series of seemingly identical signatures on the voter list? " \
           "Yes ⚠ serious problem" in text
    # Only answered questions: the skipped follow-up about the mobile box is not listed.
    assert "Overall assessment Bad" in text
    # History: version 2 by obs2 with what changed.
    assert "2 obs2" in text
    assert "Were there long queues or was the polling station overcrowded?: No → Yes" in text
    # The review decision with its reason, the comment, the automatic flag.
    assert "Submitted → Needs clarification How many identical signatures — Ақтөбе count?" \
        in text
    assert f"Photo attached {IMG}" in text
    assert "Serious answer: Serious: Did you see a series of seemingly identical signatures" \
        in text
    # Observers' markup is text, Kazakh letters survive, nothing outside static/ is fetched.
    assert SCRIPT in text and KAZAKH in text
    assert fetched and all(url.startswith(reports.pdf.STATIC.as_uri() + "/") for url in fetched)
    assert not [url for url in fetched if "passwd" in url]


def test_a_long_thread_prints_the_newest_comments_and_counts_the_rest(pdf_app, db, checklist):
    # 300 comments of 2,000 characters once held a worker past gunicorn's time-out.
    # Written straight to the table: a thread this long may predate any cap on comments.
    author = _uid(db, "obs1")
    db.conn.executemany(
        "INSERT INTO comments (entry_kind, entry_id, author_id, at_utc, body)"
        " VALUES ('checklist', ?, ?, '2023-03-20T08:00:00Z', ?)",
        [(checklist, author, f"Comment {n:03d} " + "x" * 1988) for n in range(300)])
    db.conn.commit()
    response = _client(pdf_app, "coord").client.get(f"/checklists/{checklist}.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    printed = reports.entry.COMMENTS_PRINTED
    # 301 comments: the fixture's own and the 300 above; the newest ones in full.
    left_out = 301 - printed
    assert f"and {left_out} earlier comments, not printed" in text
    assert "Comment 299 " in text and f"Comment {300 - printed:03d} " in text
    assert f"Comment {299 - printed:03d} " not in text and "Photo attached" not in text
    assert len(pypdf.PdfReader(io.BytesIO(response.data)).pages) < 40


def _fonts(pdf: bytes) -> set[str]:
    """The base font names embedded in a PDF, without their subset prefix."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_emoji_and_other_scripts_print_with_the_noto_fallback(pdf_app, db, checklist):
    # Before the Noto fonts (make pdf-deps), these printed as empty boxes.
    text = "Ballot box 🗳️ sealed 👍 — مرحبا — გამარჯობა — 选举观察员"
    comments.add(db, "checklist", checklist, _uid(db, "obs1"), text)
    pdf = _client(pdf_app, "coord").client.get(f"/checklists/{checklist}.pdf").data
    fonts = _fonts(pdf)
    assert any(name.startswith("Noto-Color-Emoji") for name in fonts), fonts
    assert any(name.startswith("Noto-Sans-CJK") for name in fonts), fonts
    assert "选举观察员" in _text(pdf) and "გამარჯობა" in _text(pdf)


def test_a_long_history_prints_the_newest_versions_and_counts_the_rest(pdf_app, db):
    definition = definitions.get("voting")
    entry_uuid = str(uuid.uuid4())
    entry_id, _created = entries.create(db, checklists.CHECKLISTS,
                                        _filing(definition, db, entry_uuid),
                                        _uid(db, "obs1"), "T01")
    edits = reports.entry.VERSIONS_PRINTED + 4
    for version in range(1, edits + 1):
        assert entries.edit(db, checklists.CHECKLISTS, entry_id, version,
                            _filing(definition, db, entry_uuid, comments=f"edit {version}"),
                            _uid(db, "obs1"))
    text = _text(_client(pdf_app, "coord").client.get(f"/checklists/{entry_id}.pdf").data)
    assert "and 5 earlier versions, not printed" in text
    assert "original submission" not in text


def test_pages_carry_the_running_header_and_page_numbers(pdf_app, checklist):
    pdf = _client(pdf_app, "coord").client.get(f"/checklists/{checklist}.pdf").data
    pages = [" ".join(page.extract_text().split())
             for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    assert f"Checklist C{checklist} · polling station No. 202" in pages[1]
    assert "Election Observation Mission" in pages[1]  # MISSION_NAME's default
    assert all(f"page {n} of {len(pages)}" in text for n, text in enumerate(pages, 1))
    assert all("Generated " in text for text in pages)


def test_download_leaves_an_audit_record(pdf_app, db, checklist):
    browser = _client(pdf_app, "obs2")
    assert browser.client.get(f"/checklists/{checklist}.pdf").status_code == 200
    row = db.execute("SELECT user_id, entry_kind, entry_id, details FROM audit_log"
                     " WHERE action = 'export' ORDER BY id DESC LIMIT 1").fetchone()
    assert row[:3] == (_uid(db, "obs2"), "checklist", checklist)
    assert json.loads(row[3]) == {"kind": "checklist", "id": checklist, "format": "pdf"}


def test_observers_pdf_leaves_out_flags_as_their_page_does(pdf_app, checklist):
    observer = _text(_client(pdf_app, "obs1").client.get(f"/checklists/{checklist}.pdf").data)
    reviewer = _text(_client(pdf_app, "liaison").client.get(f"/checklists/{checklist}.pdf").data)
    assert "Automatic flags" not in observer and "Automatic flags" in reviewer
    assert "How many identical signatures" in observer  # the reason they must act on


def _incident(db) -> int:
    report = incidents.Report(
        uuid=str(uuid.uuid4()), station_id=station_id(db, "202"), region="Aktobe", place="",
        occurred_utc="2023-03-19T06:30:00Z", timezone="Asia/Aqtobe",
        category="observers_obstructed", severity="medium",
        description=f"Observers kept 10 m away. {IMG}", reported_to_commission="yes",
        commission_response="The chair said: Ережені бұзған жоқпыз.")
    entry_id, _created = entries.create(db, incidents.INCIDENTS, report, _uid(db, "obs1"), "T01")
    report.severity, report.description = "high", "Observers kept 15 m away, photos taken."
    assert entries.edit(db, incidents.INCIDENTS, entry_id, 1, report, _uid(db, "obs2"))
    return entry_id


def _meeting(db, when: str, name: str, level: str = "territorial", region: str = "Aktobe",
             items=(), links=(), author: str = "obs1", team: str = "T01") -> int:
    meeting = meetings.Meeting(
        uuid=str(uuid.uuid4()), occurred_utc=when, timezone=ZONE, place="Ақтөбе",
        commission_level=level, commission_name=name, region=region,
        counterparts=[{"name": "Айгүл Серікқызы", "position": "Chairperson"}],
        participants="obs1, obs2", topics=["voter_lists", "complaints_appeals"],
        summary=f"Discussed access. {SCRIPT}",
        follow_ups=[meetings.FollowUp(kind, text, due) for kind, text, due in items],
        links=list(links))
    entry_id, created = entries.create(db, meetings.MEETINGS, meeting, _uid(db, author), team)
    assert created
    return entry_id


def _item(db, meeting_id: int, text: str) -> int:
    return db.execute("SELECT id FROM follow_ups WHERE interaction_id = ? AND text = ?",
                      [meeting_id, text]).fetchone()[0]


def test_incident_pdf_with_history_rejection_and_the_meeting_it_was_raised_in(pdf_app, db):
    entry_id = _incident(db)
    meeting = _meeting(db, "2023-03-20T05:00:00Z", "Aktobe TEC",
                       items=[("request", "Explain why observers were kept away", "2023-03-22")],
                       links=[("incident", entry_id)])
    liaison.answer_follow_up(db, _item(db, meeting, "Explain why observers were kept away"),
                             "2023-03-21", "The PEC chair was reprimanded.", _uid(db, "liaison"))
    review.move(db, "incident", entry_id, "rejected", _uid(db, "coord"), "Duplicate of I7")
    comments.add(db, "incident", entry_id, _uid(db, "coord"), "Kept for the record.")
    response = _client(pdf_app, "admin").client.get(f"/incidents/{entry_id}.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    assert f"Incident report I{entry_id}" in text
    assert "What happened Observers obstructed" in text and "How serious High" in text
    assert "19.03.2023 11:30 UTC+5 (Asia/Aqtobe)" in text
    assert "Ережені бұзған жоқпыз" in text
    assert "How serious: Medium → High" in text
    assert f"Description: Observers kept 10 m away. {IMG} → Observers kept 15 m away" in text
    assert "Submitted → Rejected Duplicate of I7" in text
    assert "counted in no statistic" in text
    assert "Kept for the record." in text
    assert f"M{meeting} · Aktobe TEC" in text
    assert "Explain why observers were kept away (due 22.03.2023) — Answered: " \
           "“The PEC chair was reprimanded.” (21.03.2023)" in text


def test_interaction_pdf_with_follow_ups_links_and_versions(pdf_app, db, checklist):
    overdue_day = (date.today() - timedelta(days=3)).isoformat()
    entry_id = _meeting(db, "2023-03-10T09:00:00Z", "Aktobe regional TEC",
                        items=[("request", "Copies of the accreditation decisions", overdue_day),
                               ("request", "Voter list of PEC 202", "2023-03-17"),
                               ("commitment", "Post the PEC compositions online", None)],
                        links=[("checklist", checklist)])
    liaison.answer_follow_up(db, _item(db, entry_id, "Voter list of PEC 202"), "2023-03-12",
                             "Shown to the observers.", _uid(db, "liaison"))
    entry = meetings.get(db, entry_id)
    edited = meetings.Meeting(
        uuid=entry["uuid"], occurred_utc=entry["occurred_utc"], timezone=ZONE, place="Ақтөбе",
        commission_level="territorial", commission_name="Aktobe regional TEC", region="Aktobe",
        counterparts=entry["counterparts"], participants="obs1, obs2",
        topics=entry["topics"], summary="Discussed access and the voter lists.",
        follow_ups=[meetings.FollowUp(f["kind"], f["text"], f["due_date"], f["id"])
                    for f in entry["follow_ups"] if f["status"] == "open"],
        links=[("checklist", checklist)])
    assert entries.edit(db, meetings.MEETINGS, entry_id, 1, edited, _uid(db, "obs2"))
    response = _client(pdf_app, "obs1").client.get(f"/meetings/{entry_id}.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    assert f"Meeting with a commission M{entry_id}" in text
    assert "Territorial commission (TEC)" in text and "Айгүл Серікқызы — Chairperson" in text
    assert "Voter lists, Complaints and appeals" in text
    assert "10.03.2023 15:00 UTC+6 (Asia/Almaty)" in text
    day = date.fromisoformat(overdue_day).strftime("%d.%m.%Y")
    assert f"Copies of the accreditation decisions {day} Overdue" in text
    assert "Voter list of PEC 202 17.03.2023 Answered 12.03.2023 Shown to the observers." in text
    assert "Post the PEC compositions online — Open" in text
    assert f"C{checklist} · Voting · No. 202 Ақтөбе мектебі № 12 (Aktobe) serious" in text
    # A narrow column may wrap inside the markup ("</" | "script>"): compare without spaces.
    assert _squeezed(f"Summary: Discussed access. {SCRIPT} → Discussed access and the voter "
                     "lists.") in _squeezed(text)


# Who may download which PDF: the entry pages' visibility; the log for reviewers.
ACCESS = [
    (None, "login", "login", "login", "login"),
    ("obs1", 200, 200, 200, 403),
    ("obs3", 404, 404, 404, 403),
    ("liaison", 200, 200, 200, 200),
    ("coord", 200, 200, 200, 200),
    ("admin", 200, 200, 200, 200),
]


@pytest.mark.parametrize("user, checklist_pdf, incident_pdf, meeting_pdf, log_pdf", ACCESS)
def test_who_may_download(pdf_app, db, checklist, user, checklist_pdf, incident_pdf,
                          meeting_pdf, log_pdf):
    incident = _incident(db)
    meeting = _meeting(db, "2023-03-10T09:00:00Z", "Aktobe TEC")
    browser = _client(pdf_app, user)
    for path, expected in ((f"/checklists/{checklist}.pdf", checklist_pdf),
                           (f"/incidents/{incident}.pdf", incident_pdf),
                           (f"/meetings/{meeting}.pdf", meeting_pdf),
                           ("/meetings/log.pdf", log_pdf)):
        response = browser.client.get(path)
        if expected == "login":
            assert response.status_code == 302 and "/login" in response.location, path
        else:
            assert response.status_code == expected, path
            if expected == 200:
                assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("path", ["/checklists/999999.pdf", "/incidents/999999.pdf",
                                  "/meetings/999999.pdf", "/checklists/abc.pdf",
                                  "/checklists/99999999999999999999.pdf"])
def test_missing_entries_are_404(pdf_app, path):
    assert _client(pdf_app, "coord").client.get(path).status_code == 404


@pytest.mark.parametrize("path, endpoint", [
    ("/checklists/5", "checklists.detail"), ("/checklists/5.pdf", "entry_pdfs.checklist"),
    ("/incidents/5", "incidents.detail"), ("/incidents/5.pdf", "entry_pdfs.incident"),
    ("/meetings/5", "meetings.detail"), ("/meetings/5.pdf", "entry_pdfs.meeting"),
    ("/meetings/log.pdf", "entry_pdfs.log"), ("/meetings", "meetings.log"),
])
def test_pdf_routes_do_not_clash_with_the_entry_pages(pdf_app, path, endpoint):
    assert pdf_app.url_map.bind("localhost").match(path)[0] == endpoint


@pytest.fixture
def log_meetings(db):
    """Three meetings filed out of time order: CEC, Aktobe TEC, and a rejected Astana one."""
    cec = _meeting(db, "2023-03-01T05:00:00Z", "Central Election Commission", level="cec",
                   region="", author="liaison", team=meetings.LIAISON_TEAM,
                   items=[("request", "Publish results per PEC", "2023-03-05"),
                          ("request", "Accredit 12 more observers", "2023-03-03")])
    tec = _meeting(db, "2023-02-20T05:00:00Z", "Aktobe regional TEC",
                   items=[("request", "Voter list extract", "2099-01-01"),
                          ("commitment", "Train PEC chairs", "2023-02-25")])
    rejected = _meeting(db, "2023-03-10T05:00:00Z", "Astana city TEC", region="Astana",
                        items=[("request", "Rejected meeting's request", "2023-03-12")])
    liaison.answer_follow_up(db, _item(db, cec, "Accredit 12 more observers"), "2023-03-02",
                             "Accredited on 2 March.", _uid(db, "liaison"))
    review.move(db, "interaction", rejected, "rejected", _uid(db, "coord"), "Not a meeting")
    return {"cec": cec, "tec": tec, "rejected": rejected}


def test_log_counts_per_level_leave_out_rejected_meetings(app, db, log_meetings):
    with app.app_context():
        selection = parse_filters({}, ["Aktobe", "Almaty", "Astana"], ZONE)
        report = build_log(db, selection)
    levels = {row["level"]: row for row in report["levels"]}
    counts = ("meetings", "requests", "answered", "closed", "open", "overdue", "commitments",
              "commitments_overdue")
    assert [levels["Central Election Commission (CEC)"][k] for k in counts] == \
        [1, 2, 1, 0, 1, 1, 0, 0]
    assert [levels["Territorial commission (TEC)"][k] for k in counts] == [1, 1, 0, 0, 1, 0, 1, 1]
    assert [report["total"][k] for k in counts] == [2, 3, 1, 0, 2, 1, 1, 1]
    assert [m["commission"] for m in report["meetings"]] == [
        "Aktobe regional TEC", "Central Election Commission", "Astana city TEC"]
    assert report["rejected"] == 1


def test_log_pdf_prints_the_newest_meetings_and_counts_them_all(pdf_app, db, log_meetings,
                                                                monkeypatch):
    monkeypatch.setattr(reports.meeting_log, "MEETINGS_PRINTED", 2)
    with pdf_app.app_context():
        report = build_log(db, parse_filters({}, ["Aktobe", "Almaty", "Astana"], ZONE))
    # Counted all the same; the oldest (the Aktobe TEC) left out of the list.
    assert report["total"]["meetings"] == 2 and report["listed_out_of"] == 3
    assert [m["commission"] for m in report["meetings"]] == [
        "Central Election Commission", "Astana city TEC"]
    text = _text(_client(pdf_app, "coord").client.get("/meetings/log.pdf").data)
    assert "and 1 earlier meeting, not printed: narrow the selection to print it" in text


def test_log_pdf_is_chronological_with_statuses(pdf_app, db, log_meetings):
    response = _client(pdf_app, "liaison").client.get("/meetings/log.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    positions = [text.index(name) for name in ("Aktobe regional TEC",
                                               "Central Election Commission ·",
                                               "Astana city TEC")]
    assert positions == sorted(positions)
    assert "All levels 2 3 1 0 2 1 1 1" in text
    assert "Publish results per PEC · due 05.03.2023 · Overdue" in text
    assert "Accredit 12 more observers · due 03.03.2023 · Answered " \
           "Answer (02.03.2023): Accredited on 2 March." in text
    assert "Voter list extract · due 01.01.2099 · Open" in text
    assert "Train PEC chairs · due 25.02.2023 · Overdue" in text
    # The rejected meeting is listed, marked, and its late item is not overdue.
    assert "Rejected meeting's request · due 12.03.2023 · Open" in text
    assert SCRIPT in text
    row = db.execute("SELECT user_id, details FROM audit_log WHERE action = 'export'"
                     " ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] == _uid(db, "liaison")
    assert json.loads(row[1])["kind"] == "interaction_log"


@pytest.mark.parametrize("query, shown, hidden", [
    ("?level=cec", ["Central Election Commission ·"], ["Aktobe regional TEC"]),
    ("?region=Aktobe", ["Aktobe regional TEC"], ["Central Election Commission ·"]),
    ("?since=2023-02-25&until=2023-03-05", ["Central Election Commission ·"],
     ["Aktobe regional TEC", "Astana city TEC"]),
    ("?status=answered", ["Central Election Commission ·"], ["Aktobe regional TEC"]),
    ("?topic=media", [], ["Aktobe regional TEC", "Central Election Commission ·"]),
])
def test_log_pdf_uses_the_log_pages_filters(pdf_app, log_meetings, query, shown, hidden):
    response = _client(pdf_app, "coord").client.get("/meetings/log.pdf" + query)
    assert response.status_code == 200
    text = _text(response.data)
    assert all(name in text for name in shown) and not any(name in text for name in hidden)
    if not shown:
        assert "No meetings match this selection." in text


@pytest.mark.parametrize("query, message", [
    ("?level=regional", "Level: Not a valid choice"),
    ("?region=Atlantis", "Region: Not a valid choice"),
    ("?since=2023-13-45", "From: Not a valid date value"),
    ("?since=2023-03-10&until=2023-03-01", "To: The end is before the start."),
    ("?since=0001-01-01", "From: Check the year."),
])
def test_bad_log_filters_get_400_with_a_message(pdf_app, query, message):
    response = _client(pdf_app, "coord").client.get("/meetings/log.pdf" + query)
    assert response.status_code == 400
    assert message in response.text


def test_cli_writes_the_log_pdf(pdf_app, db, log_meetings, tmp_path):
    out = tmp_path / "log.pdf"
    result = pdf_app.test_cli_runner().invoke(interactions_command,
                                              ["--out", str(out), "--level", "cec"])
    assert result.exit_code == 0, result.output
    assert "1 meetings" in result.output
    text = _text(out.read_bytes())
    assert "Central Election Commission ·" in text and "Aktobe regional TEC" not in text
    row = db.execute("SELECT user_id, details FROM audit_log WHERE action = 'export'"
                     " ORDER BY id DESC LIMIT 1").fetchone()
    assert row[0] is None and json.loads(row[1])["via"] == "cli"


def test_cli_refuses_an_impossible_selection(pdf_app, tmp_path):
    out = tmp_path / "log.pdf"
    result = pdf_app.test_cli_runner().invoke(interactions_command, [
        "--out", str(out), "--from", "2023-03-10", "--to", "2023-03-01"])
    assert result.exit_code == 2
    assert "The end is before the start." in result.output
    assert not out.exists()
