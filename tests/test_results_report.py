"""The results annex PDF, the liaison's discrepancy list and the entry page's discrepancies:
rendered for real, read back with pypdf, every figure recounted here from the data written."""

import random

import pytest

from models import contests
from reports import results
from tests.results_helpers import checklist, official, protocol, turnout
from tests.test_report_summary import pdf_text

STATIONS = {"101": "Astana", "202": "Aktobe", "303": "Almaty"}
ITEMS = ("amanat", "auyl", "respublica", "invalid", "valid")
LABELS = {"amanat": "Amanat", "auyl": "Auyl", "respublica": "Respublica",
          "invalid": "Invalid ballots", "valid": "Valid ballots"}
# 2023 official shares (per mille of 1,000,000 valid votes): the seats test's figures.
NATIONAL = {"amanat": 539000, "auyl": 109000, "respublica": 85900, "aq_zhol": 84100,
            "peoples_party": 68000, "nsdp": 52000, "baytaq": 23000, "against_all": 39000}


@pytest.fixture
def mission(db):
    """Protocols at every station (one rejected, one station twice), official results with
    some figures changed, voting visits and the announced turnout. Returns what was written."""
    rng = random.Random(12)
    written = {"protocols": [], "official": {}, "rejected": []}
    for number in STATIONS:
        figures = {item: rng.randrange(10, 900) for item in ITEMS}
        official_figures = {item: value + (rng.randrange(1, 50) if rng.random() < 0.5 else 0)
                            for item, value in figures.items()}
        official(db, "station", number, "list", official_figures)
        written["official"][number] = official_figures
        c = checklist(db, number)
        protocol(db, c, "list", figures)
        written["protocols"].append((c, number, figures))
    bad = checklist(db, "303", state="rejected")
    protocol(db, bad, "list", {item: 1 for item in ITEMS})
    official(db, "national", "", "list", NATIONAL)
    # Visits at 11:00 local; Aktobe (UTC+5) at 12:00 local.
    for number, arrival, voted in (("101", "2023-03-19T05:00:00Z", 300),
                                   ("202", "2023-03-19T07:00:00Z", 50),
                                   ("303", "2023-03-19T05:00:00Z", 10)):
        checklist(db, number, "voting", {"voters_on_list": 1000, "voters_voted": voted},
                  arrival)
    turnout(db, "national", "", {"10:00": 10, "12:00": 30, "18:00": 60})
    return written


def expected_discrepancies(written, regions=None) -> list[tuple]:
    """(station, region, label, observed, official) recounted from what was written."""
    rows = []
    for _c, number, figures in written["protocols"]:
        if regions and STATIONS[number] not in regions:
            continue
        rows += [(number, STATIONS[number], LABELS[item], figures[item],
                  written["official"][number][item])
                 for item in ITEMS if figures[item] != written["official"][number][item]]
    return sorted(rows, key=lambda r: (r[1], r[0]))


def test_the_annex_from_the_command_line_holds_every_figure(app, db, mission, tmp_path):
    out = tmp_path / "results.pdf"
    result = app.test_cli_runner().invoke(args=["report", "results", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text, pages = pdf_text(out.read_bytes())
    rows = expected_discrepancies(mission)
    assert rows, "the seed makes some figures differ"
    assert f"{len(rows):,} differing figure(s)" in result.output
    assert f"Observed protocols {len(mission['protocols'])}" in text
    assert "Polling stations with an observed protocol 3 of 3 in the registry" in text
    assert f"Differing figures (station level) {len(rows)}" in text
    for number, region, label, observed, official_value in rows:
        assert f"{number} {region} list {label} {observed:,} {official_value:,} –" in text
    # Turnout: 101 30 % vs 20 %, 202 5 % vs 30 %, 303 1 % vs 20 %: two are 15 points below.
    assert "2 visits (threshold 15 percentage points)" in text
    assert "303 Almaty 11:00 1.0% 20.0% 19.0 national, interpolated" in text
    assert "202 Aktobe 12:00 5.0% 30.0% 25.0 national, as announced" in text
    assert "101 Astana 11:00" not in text
    # The chart: the three visits fall in 10:00-12:00; means recounted from the shares above.
    assert "Turnout: observed and announced, mean per interval" in text
    assert f"{(30 + 5 + 1) / 3:.1f}% (N 3)" in text and f"{(20 + 30 + 20) / 3:.1f}%" in text
    # Seats from the official national figures (the README's 2023 example).
    seats = {"amanat": 40, "auyl": 8, "respublica": 6, "aq_zhol": 6, "peoples_party": 5,
             "nsdp": 4, "baytaq": 0}
    total = sum(NATIONAL.values())
    for party in contests.list_contest().parties:
        votes = NATIONAL[party.code]
        state = "passed" if seats[party.code] else "below"
        assert (f"{party.label} {votes:,} {100 * votes / total:.2f}% {seats[party.code]} "
                f"{state}") in text
    # Above the station: all three stations observed, so the national figures are compared.
    observed_sum = sum(figures[item] for _c, _n, figures in mission["protocols"]
                       for item in ("amanat",))
    assert (f"national (national), list (CEC): every station observed; Amanat "
            f"{observed_sum:,} observed / 539,000 official; Auyl") in text
    assert "not a random sample" in text and "No projection" in text
    assert "interpolated linearly" in text
    action = db.execute("SELECT details FROM audit_log WHERE action = 'export'"
                        " ORDER BY id DESC").fetchone()[0]
    assert '"report": "results"' in action and pages >= 2


def test_the_page_download_follows_the_filter_and_cuts_long_tables(app, db, mission, browser,
                                                                   monkeypatch):
    browser.login("coord")
    response = browser.client.get("/reports/results.pdf?region=Astana")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, _pages = pdf_text(response.data)
    rows = expected_discrepancies(mission, {"Astana"})
    assert f"Differing figures (station level) {len(rows)}" in text
    assert "Aktobe list" not in text
    assert "national (national), list (CEC): not compared: 1 of 3 stations observed" in text
    assert browser.client.get("/reports/results.pdf?region=Atlantis").status_code == 400
    monkeypatch.setattr(results, "DISCREPANCIES_LISTED", 1)
    text, _pages = pdf_text(browser.client.get("/reports/results.pdf").data)
    assert f"… and {len(expected_discrepancies(mission)) - 1} more" in text
    assert "Results annex (PDF)" in browser.client.get("/reports").text


def test_the_liaison_list_and_the_entry_page_show_the_discrepancies(app, db, mission, browser):
    browser.login("liaison")
    page = browser.client.get("/results/discrepancies")
    assert page.status_code == 200
    rows = expected_discrepancies(mission)
    assert page.text.count('href="/checklists/') == len(rows)
    first = next(c for c, number, _f in mission["protocols"]
                 if any(r[0] == number for r in rows))
    entry = browser.client.get(f"/checklists/{first}")
    assert entry.status_code == 200
    assert "Differs from the official results" in entry.text
    number = next(n for c, n, _f in mission["protocols"] if c == first)
    for _n, _region, label, observed, official_value in (r for r in rows if r[0] == number):
        assert f"<td>{label}</td><td>{observed}</td><td>{official_value}</td>" in entry.text
    browser.client.post("/logout", data={"csrf_token": browser.hidden(entry.text,
                                                                       "csrf_token")})
    browser.login("obs1")  # the author's team: the entry, not the reviewers' comparison
    entry = browser.client.get(f"/checklists/{first}")
    assert entry.status_code == 200 and "Differs from the official results" not in entry.text


def test_an_empty_annex_says_so(app, db, tmp_path):
    out = tmp_path / "empty.pdf"
    result = app.test_cli_runner().invoke(args=["report", "results", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text, _pages = pdf_text(out.read_bytes())
    assert "Observed protocols 0" in text
    assert "No announced turnout imported" in text
    assert "No official party-list results imported" in text


def test_the_dashboard_shows_protocols_received_and_open_discrepancies(app, db, mission,
                                                                       browser):
    from models import dashboard
    found = dashboard.results_figures(db)
    rows = expected_discrepancies(mission)
    assert found == {"protocols": 3, "stations": 3, "discrepancies": len(rows)}
    browser.login("coord")
    page = browser.client.get("/dashboard").text
    assert 'id="protocols"' in page and "Open discrepancies" in page


def test_exports_hold_the_official_results_and_the_discrepancies(app, db, mission, browser,
                                                                 tmp_path):
    import csv
    import io
    browser.login("liaison")
    response = browser.client.get("/exports/official-results.csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0] == ["level", "unit", "contest", "item", "value", "source", "imported_utc"]
    held = db.execute("SELECT count(*) FROM official_results").fetchone()[0]
    assert len(table) - 1 == held
    assert ["national", "", "list", "amanat", "539000", "CEC"] == table[1][:6]
    out = tmp_path / "discrepancies.csv"
    result = app.test_cli_runner().invoke(args=["export", "discrepancies", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[1:]
    assert sorted((r[1], r[5], int(r[6]), int(r[7])) for r in rows) == sorted(
        (number, next(k for k, v in LABELS.items() if v == label), observed, official_value)
        for number, _region, label, observed, official_value in expected_discrepancies(mission))
    xlsx = browser.client.get("/exports/discrepancies.xlsx?region=Astana")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert browser.client.get("/exports/discrepancies.csv?region=Atlantis").status_code == 400
