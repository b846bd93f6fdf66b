"""Time helpers: the database stores UTC; people see their station's local time."""

from datetime import date, datetime, time, timezone
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
