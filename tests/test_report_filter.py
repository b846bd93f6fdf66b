"""reports.filters.ReportFilter: one WHERE builder and one description for every report and export."""

from datetime import date

import pytest

from reports.filters import ReportFilter, parse

KNOWN = ["Astana", "Aktobe"]
FULL = ReportFilter(date(2023, 3, 19), date(2023, 3, 19), ("Aktobe",), ("voting",), True,
                    "Asia/Almaty")
# 19 March 2023 in Almaty (UTC+6 then), as stored UTC text.
DAY = ["2023-03-18T18:00:00Z", "2023-03-19T18:00:00Z"]


@pytest.mark.parametrize(("kind", "alias", "sql", "params"), [
    ("checklist", "c", "c.review_state != 'rejected' AND c.review_state = 'verified'"
     " AND c.arrival_utc >= ? AND c.arrival_utc < ? AND s.region IN (?) AND c.form_type IN (?)",
     [*DAY, "Aktobe", "voting"]),
    ("incident", "i", "i.review_state != 'rejected' AND i.review_state = 'verified'"
     " AND i.occurred_utc >= ? AND i.occurred_utc < ? AND i.region IN (?)", [*DAY, "Aktobe"]),
    ("interaction", "m", "m.review_state != 'rejected' AND m.review_state = 'verified'"
     " AND m.occurred_utc >= ? AND m.occurred_utc < ? AND m.region IN (?)", [*DAY, "Aktobe"]),
    ("station", "s", "s.region IN (?)", ["Aktobe"]),
])
def test_where_for_each_kind(kind, alias, sql, params):
    assert FULL.where(kind, alias) == (sql, params)


def test_an_open_filter_leaves_out_only_rejected_entries():
    assert ReportFilter().where() == ("c.review_state != 'rejected'", [])
    assert ReportFilter().where("station", "s") == ("1", [])


def test_details_for_the_audit_log():
    assert FULL.details() == {"from": "2023-03-19", "to": "2023-03-19", "regions": ["Aktobe"],
                              "types": ["voting"], "verified_only": True}


@pytest.mark.parametrize(("args", "error"), [
    ({}, "Choose one region for a region report."),
    ({"region": ["Astana", "Aktobe"]}, "Choose one region for a region report."),
    ({"region": ["Atlantis"]}, "Unknown region: Atlantis. Known regions: Astana, Aktobe."),
])
def test_a_region_report_needs_one_known_region(app, args, error):
    with app.test_request_context():
        assert parse(args, KNOWN, "Asia/Almaty", one_region=True).errors == {"region": error}
        assert parse({"region": ["Astana"]}, KNOWN, "Asia/Almaty", one_region=True).ok
