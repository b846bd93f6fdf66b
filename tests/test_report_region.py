"""The region report: the summary's figures for one region, by district, then every serious
problem of its stations, read back from the PDF and checked against the raw entries."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from models import definitions
from tests.test_report_summary import (
    KAZAKH,
    _cli,
    assert_figures,
    coordinator,  # noqa: F401 (fixture)
    data,  # noqa: F401 (fixture)
    download,
    expected_rows,
    pdf_text,
    selected,
)

CATEGORY = "Intimidation or pressure on voters"


def local(utc_text: str, zone: str) -> str:
    moment = datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
    return f"{moment:%d.%m.%Y %H:%M} (UTC{int(moment.utcoffset().total_seconds() // 3600):+d})"


def station_problems(app, db, entries: dict, region: str) -> list[tuple[str, list[str]]]:
    """(station heading, [problem lines in time order]) by station number, from the raw entries."""
    known = definitions.by_type()
    stations = {r[0]: r[1:] for r in db.execute(
        "SELECT number, name, district, timezone FROM stations WHERE region = ?", [region])}
    found: dict[str, list[tuple[str, str]]] = {}
    for c in entries["checklists"]:
        if c["region"] != region or not selected(c, "arrival_utc", {}):
            continue
        definition = known[c["type"]]
        labels = [q.label for q in definition.questions.values()
                  if q.serious and c["answers"].get(q.id) == q.problem]
        if labels:
            zone = stations[c["number"]][2]
            # Ties in time go as the report orders them: kind, then id.
            found.setdefault(c["number"], []).append(((c["arrival_utc"], "checklist", c["id"]), (
                f"{local(c['arrival_utc'], zone)} Checklist {c['id']}, {definition.title}:"
                f" {'; '.join(labels)}")))
    numbers = {row[0]: row[1] for row in db.execute(
        "SELECT i.id, s.number FROM incidents i JOIN stations s ON s.id = i.station_id")}
    for i in entries["incidents"]:
        if i["region"] == region and i["severity"] in ("high", "critical") \
                and selected(i, "occurred_utc", {}):
            number = numbers[i["id"]]
            found.setdefault(number, []).append(((i["occurred_utc"], "incident", i["id"]), (
                f"{local(i['occurred_utc'], stations[number][2])} Incident {i['id']},"
                f" {CATEGORY} ({i['severity'].title()}): {i['description']}")))
    result = []
    for number in sorted(found):
        name, district, _zone = stations[number]
        heading = f"Station {number} · {name}" + (f" · {district}" if district else "")
        result.append((heading, [text for _at, text in sorted(found[number])]))
    return result


@pytest.mark.parametrize("region", ["Astana", "Aktobe", "Almaty"])
def test_region_report_figures_by_district(app, db, data, coordinator, region):  # noqa: F811
    response, (text, pages) = download(coordinator, f"/reports/region.pdf?region={region}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert re.search(rf'filename="region-{region}-\d{{8}}-\d{{4}}\.pdf"',
                     response.headers["Content-Disposition"])
    assert f"Region report: {region}" in text and f"page {pages} of {pages}" in text
    assert_figures(text, expected_rows(app, db, data, {"regions": [region]}, group="district"))
    assert "Assessed negatively, by district" in text


@pytest.mark.parametrize("region", ["Astana", "Aktobe"])
def test_region_report_lists_its_stations_serious_problems(app, db, data, coordinator,  # noqa: F811
                                                           region):
    _response, (text, _pages) = download(coordinator, f"/reports/region.pdf?region={region}")
    section = text[text.index("Serious problems by polling station"):]
    expected = station_problems(app, db, data, region)
    assert expected, "the dataset gives every region some serious problems"
    at = 0
    for heading, lines in expected:
        at = section.find(heading, at)
        assert at >= 0, f"{heading!r} missing or out of order"
        for line in lines:
            at = section.find(line, at)
            assert at >= 0, f"{line!r} missing or out of order"
    # Other regions' stations are not listed.
    for other in ("Station 202 ", "Station 303 ", "Station 101 ", "Station 505 ", "Station 404 "):
        if not any(heading.startswith(other) for heading, _lines in expected):
            assert other not in section


def test_kazakh_station_name_in_the_region_report(app, db, data, coordinator):  # noqa: F811
    _response, (text, _pages) = download(coordinator, "/reports/region.pdf?region=Astana")
    assert f"Station 404 · Мектеп {KAZAKH} · Есіл ауданы" in text


@pytest.mark.parametrize(("query", "message"), [
    ("", "Choose one region for a region report."),
    ("?region=Astana&region=Aktobe", "Choose one region for a region report."),
    ("?region=Nowhere", "Unknown region: Nowhere."),
    ("?region=Astana&from=2023-03-21&to=2023-03-20", "The end date is before the start date."),
])
def test_region_report_needs_one_known_region(app, coordinator, query, message):  # noqa: F811
    response = coordinator.client.get("/reports/region.pdf" + query)
    assert response.status_code == 400 and message in response.text


def test_region_report_from_the_command_line(app, db, data, tmp_path):  # noqa: F811
    out = tmp_path / "aktobe.pdf"
    result = _cli(app, "region", "Aktobe", "--out", str(out))
    assert result.exit_code == 0, result.output
    text, _pages = pdf_text(out.read_bytes())
    assert_figures(text, expected_rows(app, db, data, {"regions": ["Aktobe"]}, group="district"))
    details = db.execute("SELECT details FROM audit_log WHERE action = 'export'").fetchone()[0]
    assert '"report": "region"' in details and '"regions": ["Aktobe"]' in details
    bad = _cli(app, "region", "Nowhere", "--out", str(tmp_path / "nowhere.pdf"))
    assert bad.exit_code == 2 and "Unknown region: Nowhere." in bad.output
    assert not (tmp_path / "nowhere.pdf").exists()
