"""The mission summary for publication, rendered for real and read back with pypdf.

Verified entries only; no station names, entry numbers or observers' words;
tabulation coverage against territorial commissions; a share over fewer than
PUBLICATION_MIN_N observations printed as "X of Y" without a percentage or bar.
The figures are recounted here from the raw entries (tests/test_report_summary.py's
dataset: a few dozen verified checklists, so both sides of the rule appear).
"""

import re

import pytest

from models import definitions
from models.definitions import TYPES
from reports import filters, summary
from tests.conftest import STATIONS_CSV, Browser
from tests.test_report_summary import (
    EXTRA_STATIONS,
    HOSTILE,
    MISSION_ZONE,
    download,
    pct,
    pdf_text,
    registry,
    seed,
)
from views import cli_reports

PUBLICATION = "/reports/summary.pdf?publication=1"
BAR = 'fill="#12355b"/>'  # one per bar in reports.charts


@pytest.fixture
def data(app, db):
    """tests/test_report_summary.py's dataset."""
    return seed(app, db)


@pytest.fixture
def coordinator(app):
    browser = Browser(app.test_client())
    browser.login("coord")
    return browser


def _station_names() -> list[str]:
    rows = [line.split(",")[1] for line in STATIONS_CSV.strip().splitlines()[1:]]
    return rows + [name for _n, name, *_rest in EXTRA_STATIONS]


def _verified(data: dict, kind: str, region: str | None = None) -> list[dict]:
    return [c for c in data["checklists"] if c["state"] == "verified" and c["type"] == kind
            and (region is None or c["region"] == region)]


def _negative(rows: list[dict]) -> int:
    return sum(c["overall"] in ("bad", "very_bad") for c in rows)


def test_publication_counts_verified_entries_with_the_small_cell_rule(app, db, data,
                                                                      coordinator):
    small_n = app.config["PUBLICATION_MIN_N"]
    assert small_n == 10
    response, (text, _pages) = download(coordinator, PUBLICATION)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert re.search(r'filename="summary-publication-\d{8}-\d{4}\.pdf"',
                     response.headers["Content-Disposition"])
    titles = {kind: d.title for kind, d in definitions.by_type().items()}
    sizes = {kind: len(_verified(data, kind)) for kind in TYPES}
    # The dataset gives both sides of the rule: voting over 10, the other types under.
    assert sizes["voting"] >= small_n and min(sizes.values()) < small_n
    for kind in TYPES:
        rows = _verified(data, kind)
        n, negative = len(rows), _negative(rows)
        if not n:
            continue
        share = f"{negative:,}" if n < small_n else pct(negative, n)
        assert f"{titles[kind]} was assessed negatively in {share} of {n:,} observations." \
            in text
    # By region: every cell is small here, so "X of Y" and no percentage.
    shown = [k for k in TYPES if sizes[k]]
    for region in ("Aktobe", "Almaty", "Astana"):
        cells = [f"{_negative(_verified(data, k, region)):,} of"
                 f" {len(_verified(data, k, region)):,}" for k in shown]
        assert f"{region} " + " ".join(cells) in text
    # The "All" row of the negative shares: voting with its percentage and counts.
    voting = _verified(data, "voting")
    assert f"{pct(_negative(voting), len(voting))} ({_negative(voting)}/{len(voting)})" in text
    # Indicators: the serious-answer count stays, the entries are not listed.
    assert "checklists with at least one serious answer" in text


def test_publication_leaves_out_station_names_entry_numbers_and_observers_words(
        app, db, data, coordinator):
    _response, (internal, _pages) = download(coordinator, "/reports/summary.pdf")
    _response, (text, _pages) = download(coordinator, PUBLICATION)
    # The internal annex names stations and entries and quotes observers; this one does not.
    assert re.search(r"Checklist \d+,", internal) and "Ballots carried out." in internal
    for name in _station_names():
        assert name not in text, name
    assert not re.search(r"(Checklist|Incident) \d+", text)
    for words in (HOSTILE, "<script>", "Ballots carried out.", "Pressure on voters.",
                  "Queue.", "Not true."):
        assert words not in text
    assert "T01" not in text and "T02" not in text
    assert "Meetings with commissions" in text  # a count on the cover...
    assert "Interactions with election commissions" not in text  # ...but no follow-up table


def test_publication_cover_names_mission_election_and_date_of_the_data(app, db, data,
                                                                       coordinator):
    for path in (PUBLICATION, "/reports/summary.pdf"):
        _response, (text, _pages) = download(coordinator, path)
        cover = text[:text.index("Coverage")]
        assert app.config["MISSION_NAME"] in cover and app.config["ELECTION_NAME"] in cover
        assert re.search(r"Data as of \d\d\.\d\d\.\d{4} \d\d:\d\d", cover)
    _response, (text, _pages) = download(coordinator, PUBLICATION)
    assert "Prepared for publication: verified entries only." in text


def test_tabulation_coverage_counts_territorial_commissions(app, db, data, coordinator):
    _response, (text, _pages) = download(coordinator, PUBLICATION)
    assert "territorial election commissions observed at least once" in text
    for region, rows in registry(db).items():
        commissions = 1 + len({row["district"] for row in rows})
        # good_answers ticks "regional": each region's own commission, once.
        observed = 1 if _verified(data, "tabulation", region) else 0
        assert f"{region} {commissions} {observed} of {commissions}" in text


def test_no_bar_for_a_small_group_and_percentages_above_the_threshold(app, db, data):
    known = definitions.by_type()
    flt = filters.parse({}, ["Astana", "Aktobe", "Almaty"], MISSION_ZONE)
    with app.test_request_context():
        internal = summary.render_html(summary.build_summary(db, flt, known,
                                                             {"zone": MISSION_ZONE}))
        small = summary.render_html(summary.build_summary(
            db, flt, known, {"zone": MISSION_ZONE}, publication=True, small_n=10))
        large = summary.render_html(summary.build_summary(
            db, flt, known, {"zone": MISSION_ZONE}, publication=True, small_n=1))
    # Every region has fewer than 10 verified checklists of each type: no bar at all.
    assert BAR in internal and BAR not in small
    assert large.count(BAR) > 0 and " of " in small
    voting = [c for c in data["checklists"] if c["state"] == "verified"
              and c["type"] == "voting" and c["region"] == "Aktobe"]
    assert f"{_negative(voting)} of {len(voting)}" in small


@pytest.mark.parametrize("flag", [["--publication"], []])
def test_cli_writes_either_version(app, db, data, tmp_path, flag):
    out = tmp_path / "summary.pdf"
    result = app.test_cli_runner().invoke(cli_reports.report,
                                          ["summary", "--out", str(out), *flag])
    assert result.exit_code == 0, result.output
    text, _pages = pdf_text(out.read_bytes())
    assert ("Prepared for publication" in text) == bool(flag)
    details = db.execute("SELECT details FROM audit_log WHERE action = 'export'"
                         " ORDER BY id DESC").fetchone()[0]
    assert f'"publication": {"true" if flag else "false"}' in details


def test_reports_page_offers_the_publication_and_shows_progress(app, coordinator):
    page = coordinator.client.get("/reports").text
    assert 'name="publication"' in page and 'id="report-status"' in page
    assert "Preparing the report" in page and "reports.js" in page
    with coordinator.client.get("/static/reports.js") as script:
        assert script.status_code == 200 and b"fetch(" in script.data
