"""Comparisons: observed protocols against official results, observed turnout against announced."""

import pytest

from models import discrepancies
from models import turnout_comparison as tc
from tests.results_helpers import checklist, official, protocol, turnout

LIST = {"amanat": 500, "auyl": 100, "valid": 600, "invalid": 10}


def test_station_figures_that_differ_are_discrepancies(db):
    c101 = checklist(db, "101")
    protocol(db, c101, "list", LIST)
    official(db, "station", "101", "list", {**LIST, "amanat": 520, "valid": 620})
    c202 = checklist(db, "202")
    protocol(db, c202, "list", LIST)
    official(db, "station", "202", "list", LIST)  # agrees
    rejected = checklist(db, "303", state="rejected")
    protocol(db, rejected, "list", LIST)
    official(db, "station", "303", "list", {"amanat": 1})
    found = discrepancies.station_discrepancies(db)
    assert found["total"] == 2
    assert [(r["station_number"], r["item"], r["observed"], r["official"])
            for r in found["rows"]] == [("101", "amanat", 500, 520), ("101", "valid", 600, 620)]
    assert discrepancies.open_count(db) == 2
    assert [r["item"] for r in discrepancies.for_checklist(db, c101)] == ["amanat", "valid"]
    assert discrepancies.for_checklist(db, c202) == []
    assert discrepancies.station_discrepancies(db, limit=1)["rows"][0]["item"] == "amanat"


def test_a_figure_on_one_side_only_is_not_a_discrepancy_and_each_source_counts(db):
    c = checklist(db, "101")
    protocol(db, c, "list", {"amanat": 5})
    official(db, "station", "101", "list", {"auyl": 7})
    assert discrepancies.open_count(db) == 0
    official(db, "station", "101", "list", {"amanat": 6}, source="Corrected")
    official(db, "station", "101", "smd", {"amanat": 9})  # another contest
    assert [(r["source"], r["official"]) for r in discrepancies.for_checklist(db, c)] == [
        ("Corrected", 6)]


def test_above_the_station_only_a_wholly_observed_unit_is_compared(db):
    for number in ("101", "202", "303"):
        protocol(db, checklist(db, number), "list", {"amanat": 100, "valid": 150})
    # Two checklists at one station: the latest counts, not both.
    protocol(db, checklist(db, "303", team="T02"), "list", {"amanat": 90, "valid": 150})
    official(db, "national", "", "list", {"amanat": 300, "valid": 450})
    official(db, "region", "Astana", "list", {"amanat": 100, "valid": 150})
    db.execute("UPDATE stations SET smd_district = 1 WHERE number IN ('101', '202')")
    db.conn.commit()
    official(db, "district", "1", "smd", {"d1_a": 10})
    units = {(u["level"], u["unit"]): u for u in discrepancies.unit_comparisons(db)}
    national = units[("national", "")]
    assert national["complete"] and national["stations"] == national["observed"] == 3
    assert national["differing"] == [("amanat", 290, 300)]
    assert units[("region", "Astana")]["differing"] == []
    assert units[("region", "Astana")]["compared"] == 2
    district = units[("district", "1")]
    assert not district["complete"] and district["observed"] == 0 and district["stations"] == 2


def test_protocols_received_by_region(db):
    protocol(db, checklist(db, "101"), "list", {"amanat": 1})
    protocol(db, checklist(db, "101", team="T02"), "list", {"amanat": 1})
    protocol(db, checklist(db, "202", state="rejected"), "list", {"amanat": 1})
    found = discrepancies.protocols_received(db)
    assert (found["protocols"], found["stations"]) == (2, 1)
    assert found["regions"] == {"Aktobe": (0, 1), "Almaty": (0, 1), "Astana": (1, 1)}


CURVE = [(600, 10.0), (720, 30.0), (1080, 60.0)]


@pytest.mark.parametrize("at, opening, result", [
    ("10:00", "07:00", (10.0, "announced")),
    ("11:00", "07:00", (20.0, "interpolated")),
    ("15:00", "07:00", (45.0, "interpolated")),
    ("08:30", "07:00", (5.0, "interpolated")),   # from 0 % at the opening
    ("06:30", "07:00", None),                    # before the polls open
    ("08:30", None, None),
    ("19:30", "07:00", (60.0, "after_last")),
])
def test_announced_turnout_is_interpolated(at, opening, result):
    assert tc.expected(CURVE, tc.minutes(at), tc.minutes(opening) if opening else None) \
        == result


def test_turnout_far_below_the_announced_figure_is_listed(db):
    # 101 and 303 are in Asia/Almaty (UTC+6 in 2023), 202 in Asia/Aqtobe (UTC+5).
    checklist(db, "101", "voting", {"voters_on_list": 1000, "voters_voted": 100},
              "2023-03-19T05:00:00Z")  # 11:00, 10 % against 20 % (Astana's own curve)
    checklist(db, "202", "voting", {"voters_on_list": "200", "voters_voted": "10"},
              "2023-03-19T07:00:00Z")  # 12:00, 5 % against the national 30 %
    checklist(db, "303", "voting", {"voters_on_list": 0, "voters_voted": 0},
              "2023-03-19T05:00:00Z")  # nobody on the list: no point
    checklist(db, "303", "voting", {"voters_on_list": 100}, "2023-03-19T05:00:00Z")
    checklist(db, "303", "voting", {"voters_on_list": 100, "voters_voted": 1},
              "2023-03-19T00:30:00Z")  # 06:30: before the opening, not compared
    turnout(db, "national", "", {"10:00": 10, "12:00": 30, "18:00": 60})
    turnout(db, "region", "Astana", {"10:00": 10, "12:00": 30})
    points = tc.observed_points(db)
    assert [(p["station_number"], p["local_time"], p["share"]) for p in points] == [
        ("101", "11:00", 10.0), ("202", "12:00", 5.0), ("303", "06:30", 1.0)]
    result = tc.compare(points, tc.announced(db), threshold=15, opening="07:00")
    assert result["not_compared"] == 1
    assert [(r["station_number"], r["announced"], r["gap"], r["scope"]) for r in result["below"]
            ] == [("202", 30.0, 25.0, "national")]
    assert [r["scope"] for r in result["points"]] == ["region", "national"]
    assert tc.compare(points, tc.announced(db), threshold=10)["below"][-1]["station_number"] \
        == "101"
    slots = tc.by_slot(result, tc.announced(db))
    assert [(s["label"], s["n"]) for s in slots] == [("10:00–12:00", 2)]
