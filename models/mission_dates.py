"""The mission's dates and polling hours: date fields' defaults and the voting-hours warning.

Observers fill forms on election day, but also days later (a late entry, a
demo, a training run with the 2023 data): outside the mission's dates a date
field starts on election day instead of today.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from models.clock import local_today

# LTOs deploy about five weeks before election day (ODIHR, Kazakhstan 2023:
# 17 February for 19 March); entries still arrive for about two weeks after.
BEFORE_ELECTION = timedelta(days=35)
AFTER_ELECTION = timedelta(days=14)


@dataclass(frozen=True)
class MissionDates:
    """Election day and the first and last day of the mission (all None when unset)."""

    election_day: date | None
    start: date | None
    end: date | None

    def default_day(self, today: date) -> date:
        """What a date field starts with: today during the mission, else election day."""
        if self.election_day is None or self.start <= today <= self.end:
            return today
        return self.election_day


def _day(config: Mapping, name: str) -> date | None:
    value = config.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None


def from_config(config: Mapping) -> MissionDates:
    """ELECTION_DATE, MISSION_START and MISSION_END read from the app's config; checks them."""
    election_day = _day(config, "ELECTION_DATE")
    start, end = _day(config, "MISSION_START"), _day(config, "MISSION_END")
    if election_day is None:
        return MissionDates(None, start, end)
    start = start or election_day - BEFORE_ELECTION
    end = end or election_day + AFTER_ELECTION
    if not start <= election_day <= end:
        raise ValueError(f"ELECTION_DATE {election_day} is not within MISSION_START {start}"
                         f" and MISSION_END {end}")
    return MissionDates(election_day, start, end)


def default_day(config: Mapping, zone: str, now: datetime | None = None) -> date:
    """A new form's date in ``zone``: today during the mission, else election day."""
    return from_config(config).default_day(local_today(zone, now))


def _time(config: Mapping, name: str) -> time:
    value = config.get(name)
    try:
        return value if isinstance(value, time) else time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a time as HH:MM, got {value!r}") from None


def polling_hours(config: Mapping) -> tuple[time, time]:
    """When polls open and close, local time (POLLS_OPEN, POLLS_CLOSE)."""
    opens, closes = _time(config, "POLLS_OPEN"), _time(config, "POLLS_CLOSE")
    if not opens < closes:
        raise ValueError(f"POLLS_OPEN {opens} must be before POLLS_CLOSE {closes}")
    return opens, closes


def outside_polling_hours(at: time, hours: tuple[time, time]) -> bool:
    """True when a voting visit at ``at`` (local) falls outside the polling hours."""
    opens, closes = hours
    return not opens <= at <= closes
