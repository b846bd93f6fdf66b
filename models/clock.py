"""Time helpers: the database stores UTC; people see their station's local time."""

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    """An aware datetime as the ISO UTC text the database stores."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    """Stored ISO UTC text back to an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def is_timezone(name: str) -> bool:
    """True for an IANA zone name such as Asia/Almaty."""
    if not name or name not in _zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """A wall-clock date and time at a station to UTC (the zone's rules of that date)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def utc_to_local(text: str, zone: str) -> datetime:
    """Stored UTC text to the station's local time."""
    return from_iso(text).astimezone(ZoneInfo(zone))


# How a local time is shown. Pages and the summary PDFs give the offset; an
# entry's PDF (a complaint file) names the zone too; exports use the order
# Excel reads as a date and time.
STYLES = ("time", "date", "datetime", "offset", "zone", "export")
_PATTERNS = {"time": "%H:%M", "date": "%d.%m.%Y", "datetime": "%d.%m.%Y %H:%M",
             "offset": "%d.%m.%Y %H:%M", "zone": "%d.%m.%Y %H:%M", "export": "%Y-%m-%d %H:%M"}


def utc_offset(moment: datetime) -> str:
    """An aware time's offset as people write it: UTC+6, UTC-3:30."""
    minutes = int((moment.utcoffset() or timedelta()).total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


# Visits start on the minute and bunch around opening and closing: a bounded
# cache answers most conversions of a big export without growing with it.
@lru_cache(maxsize=8192)
def local_text(utc_text: str | None, zone: str, style: str = "offset") -> str | None:
    """Stored UTC text as local time in ``zone``, in one of ``STYLES``; None when there is none.

    time 10:00 · date 19.03.2023 · datetime 19.03.2023 10:00 ·
    offset 19.03.2023 10:00 (UTC+6) · zone 19.03.2023 10:00 UTC+6 (Asia/Almaty) ·
    export 2023-03-19 10:00
    """
    if not utc_text:
        return None
    moment = datetime.fromisoformat(utc_text).astimezone(ZoneInfo(zone))
    text = moment.strftime(_PATTERNS[style])
    if style == "offset":
        return f"{text} ({utc_offset(moment)})"
    if style == "zone":
        return f"{text} {utc_offset(moment)} ({zone})"
    return text


def day_text(day: date | str | None, empty: str = "—") -> str:
    """A day (a date or stored YYYY-MM-DD text) as 19.03.2023; text that is no date as it is."""
    if not day:
        return empty
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return day
    return day.strftime(_PATTERNS["date"])


def local_today(zone: str, now: datetime | None = None) -> date:
    """Today's date in ``zone`` (``now`` defaults to the current time)."""
    return (now or utc_now()).astimezone(ZoneInfo(zone)).date()
