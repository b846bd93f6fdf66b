"""models.clock: every local time the app shows, in its named styles."""

from datetime import date

import pytest

from models.clock import day_text, local_text, local_today, utc_offset, utc_to_local

AT = "2023-03-19T04:00:00Z"


@pytest.mark.parametrize(("zone", "style", "shown"), [
    ("Asia/Almaty", "time", "10:00"),
    ("Asia/Almaty", "date", "19.03.2023"),
    ("Asia/Almaty", "datetime", "19.03.2023 10:00"),
    ("Asia/Almaty", "offset", "19.03.2023 10:00 (UTC+6)"),
    ("Asia/Aqtobe", "offset", "19.03.2023 09:00 (UTC+5)"),
    ("Asia/Almaty", "zone", "19.03.2023 10:00 UTC+6 (Asia/Almaty)"),
    ("Asia/Kolkata", "zone", "19.03.2023 09:30 UTC+5:30 (Asia/Kolkata)"),
    ("America/St_Johns", "offset", "19.03.2023 01:30 (UTC-2:30)"),
    ("Asia/Almaty", "export", "2023-03-19 10:00"),
])
def test_each_style(zone, style, shown):
    assert local_text(AT, zone, style) == shown


def test_the_default_style_is_the_pages_and_nothing_gives_none():
    assert local_text(AT, "Asia/Almaty") == "19.03.2023 10:00 (UTC+6)"
    assert local_text(None, "Asia/Almaty") is None and local_text("", "Asia/Almaty") is None


def test_offsets_with_minutes_and_behind_utc():
    assert utc_offset(utc_to_local(AT, "Asia/Kathmandu")) == "UTC+5:45"
    assert utc_offset(utc_to_local(AT, "UTC")) == "UTC+0"


@pytest.mark.parametrize(("day", "shown"), [
    ("2023-03-19", "19.03.2023"), (date(2023, 3, 19), "19.03.2023"), (None, "—"), ("", "—"),
    ("soon", "soon")])
def test_days(day, shown):
    assert day_text(day) == shown


def test_local_today_is_the_zones_date():
    moment = utc_to_local("2023-03-19T20:00:00Z", "UTC")
    assert local_today("Asia/Almaty", moment) == date(2023, 3, 20)
    assert local_today("Europe/London", moment) == date(2023, 3, 19)
