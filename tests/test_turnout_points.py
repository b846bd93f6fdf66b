"""Observed turnout points (models/turnout.py), with figures recounted by hand."""

import uuid
from datetime import date

import pytest

from models import checklists, entries, review, users
from models.turnout import turnout_points
from reports.filters import ReportFilter
from tests.conftest import station_id


def _file(db, number, arrival_utc, answers, kind="voting", version=2, state="submitted"):
    author = users.find_by_username(db, "obs1")["id"]
    zone = db.execute("SELECT timezone FROM stations WHERE number = ?", [number]).fetchone()[0]
    filing = checklists.Filing(
        uuid=str(uuid.uuid4()), form_type=kind, form_version=version,
        station_id=station_id(db, number), timezone=zone, arrival_utc=arrival_utc,
        departure_utc=arrival_utc[:14] + "59:00Z",
        answers=answers, overall="good", serious_count=0)
    entry_id, created = entries.create(db, checklists.CHECKLISTS, filing, author, "T01")
    assert created
    if state != "submitted":
        review.move(db, "checklist", entry_id, state, users.find_by_username(db, "coord")["id"],
                    reason="checked")
    return entry_id


@pytest.fixture
def filed(db):
    """Six voting checklists and one counting checklist, in three stations and two zones."""
    ids = {
        # Station 101 (Astana, Asia/Almaty, UTC+6 in 2023): 04:30Z is 10:30 local.
        "a": _file(db, "101", "2023-03-19T04:30:00Z",
                   {"voters_on_list": 1500, "voters_voted": 300}),
        # Station 202 (Aktobe, Asia/Aqtobe, UTC+5): 07:15Z is 12:15 local. Filed under v1.
        "b": _file(db, "202", "2023-03-19T07:15:00Z",
                   {"voters_on_list": 1200, "voters_voted": 540}, version=1),
        # Impossible: more voted than on the list (kept as written by the observer).
        "c": _file(db, "303", "2023-03-19T08:00:00Z",
                   {"voters_on_list": 900, "voters_voted": 950}),
        # Impossible too: nobody on the list.
        "d": _file(db, "303", "2023-03-19T09:00:00Z", {"voters_on_list": 0, "voters_voted": 0}),
        # One figure only: not a point, and not counted as excluded.
        "e": _file(db, "101", "2023-03-19T10:00:00Z", {"voters_on_list": 1500}),
        # Rejected by a reviewer: left out of every selection.
        "f": _file(db, "101", "2023-03-19T11:00:00Z",
                   {"voters_on_list": 1500, "voters_voted": 900}, state="rejected"),
        # A counting checklist of version 1 asks voters_on_list too: never a turnout point.
        "g": _file(db, "303", "2023-03-19T15:00:00Z",
                   {"voters_on_list": 900, "voters_signed": 500}, kind="counting", version=1),
    }
    return ids


def test_points_recounted_by_hand(db, filed):
    found = turnout_points(db)
    assert [p.entry_id for p in found.points] == [filed["a"], filed["b"]]
    a, b = found.points
    # 300 / 1500 = 0.2 at 10:30 Astana time; 540 / 1200 = 0.45 at 12:15 Aktobe time.
    assert (a.station_number, a.zone, a.local_time.strftime("%H:%M"), a.share) == \
        ("101", "Asia/Almaty", "10:30", pytest.approx(0.2))
    assert (b.station_number, b.zone, b.local_time.strftime("%H:%M"), b.share) == \
        ("202", "Asia/Aqtobe", "12:15", pytest.approx(0.45))
    assert (b.voters_voted, b.voters_on_list, b.region) == (540, 1200, "Aktobe")
    assert found.excluded == 2  # c (950 > 900) and d (0 on the list)


def test_points_follow_the_report_filter(db, filed):
    aktobe = ReportFilter(date_from=date(2023, 3, 19), date_to=date(2023, 3, 19),
                          regions=("Aktobe",))
    found = turnout_points(db, aktobe)
    assert [p.entry_id for p in found.points] == [filed["b"]]
    assert found.excluded == 0
    # Another day: nothing.
    assert turnout_points(db, ReportFilter(date_from=date(2023, 3, 20))).points == []
