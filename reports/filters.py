"""What a report or export covers: dates, regions, checklist types, verified only.

One filter for the PDF reports, the exports and their command-line twins, so
a coordinator gets the same selection whichever file they ask for. Rejected
entries are always left out.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from flask_babel import gettext as _

from models.clock import local_to_utc, to_iso
from models.definitions import TYPES

_MIDNIGHT = time(0)
# Per kind of entry, the time that puts it on a day (identifiers: constants, never input).
_WHEN = {"checklist": "arrival_utc", "incident": "occurred_utc", "interaction": "occurred_utc"}


@dataclass(frozen=True)
class ReportFilter:
    """A validated selection. Dates are local days in the mission's time zone."""

    date_from: date | None = None
    date_to: date | None = None
    regions: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    verified_only: bool = False
    zone: str = "Asia/Almaty"
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def utc_bounds(self) -> tuple[str | None, str | None]:
        """[start, end) in stored UTC text for the chosen local days (None: open)."""
        start = to_iso(local_to_utc(self.date_from, _MIDNIGHT, self.zone)) \
            if self.date_from else None
        end = to_iso(local_to_utc(self.date_to + timedelta(days=1), _MIDNIGHT, self.zone)) \
            if self.date_to else None
        return start, end

    def where(self, kind: str = "checklist", alias: str = "c", stations: str = "s"
              ) -> tuple[str, list]:
        """The SQL condition and its parameters that select this filter's entries of ``kind``.

        ``kind`` is "checklist", "incident", "interaction" or "station", its table aliased
        ``alias``; a checklist's region is its station's (``stations`` is the alias of
        the joined stations table), an incident's or meeting's its own. A checklist
        belongs to the day its visit began, the others to the day they happened.
        Checklist types apply to checklists only; stations are selected by region alone.
        """
        if kind == "station":  # the registry: only the regions apply
            return self._in(f"{alias}.region", self.regions) or ("1", [])
        when = _WHEN[kind]
        where = [f"{alias}.review_state != 'rejected'"]
        params: list = []
        if self.verified_only:
            where.append(f"{alias}.review_state = 'verified'")
        start, end = self.utc_bounds()
        if start:
            where.append(f"{alias}.{when} >= ?")
            params.append(start)
        if end:
            where.append(f"{alias}.{when} < ?")
            params.append(end)
        located = stations if kind == "checklist" else alias
        for condition in (self._in(f"{located}.region", self.regions),
                          self._in(f"{alias}.form_type", self.types if kind == "checklist" else ())):
            if condition:
                where.append(condition[0])
                params += condition[1]
        return " AND ".join(where), params

    @staticmethod
    def _in(column: str, values: tuple[str, ...]) -> tuple[str, list] | None:
        """``column IN (?, ...)`` for the chosen values; None when none were chosen (all)."""
        if not values:
            return None
        return f"{column} IN ({', '.join('?' * len(values))})", list(values)

    def details(self) -> dict:
        """The filter as plain data, for the audit record of every report and export."""
        return {"from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
                "regions": list(self.regions), "types": list(self.types),
                "verified_only": self.verified_only}

    def describe(self) -> str:
        """The selection in words, for the report's cover and running header."""
        parts = []
        if self.date_from and self.date_to:
            parts.append(_("%(start)s to %(end)s", start=self.date_from.isoformat(),
                           end=self.date_to.isoformat()))
        elif self.date_from:
            parts.append(_("from %(start)s", start=self.date_from.isoformat()))
        elif self.date_to:
            parts.append(_("until %(end)s", end=self.date_to.isoformat()))
        else:
            parts.append(_("all dates"))
        parts.append(", ".join(self.regions) if self.regions else _("all regions"))
        parts.append(", ".join(self.types) if self.types else _("all checklist types"))
        parts.append(_("verified entries only") if self.verified_only
                     else _("verified and not yet reviewed entries (rejected excluded)"))
        return "; ".join(parts)


def _day(raw: str | None, name: str, errors: dict) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = _("Write the date as YYYY-MM-DD, for example 2023-03-19.")
        return None


def parse(args: Mapping, known_regions: list[str], zone: str, *,
          one_region: bool = False) -> ReportFilter:
    """Read a filter from query arguments or CLI options; ``errors`` says what is wrong.

    ``args`` may hold lists (``regions``, ``types``) or a MultiDict's getlist;
    ``one_region`` asks for exactly one region (the region report).
    """
    errors: dict[str, str] = {}

    def values(name: str) -> tuple[str, ...]:
        raw = args.getlist(name) if hasattr(args, "getlist") else args.get(name) or ()
        if isinstance(raw, str):
            raw = [raw]
        return tuple(v.strip() for v in raw if v and v.strip())

    date_from = _day(args.get("from"), "from", errors)
    date_to = _day(args.get("to"), "to", errors)
    if date_from and date_to and date_from > date_to:
        errors["to"] = _("The end date is before the start date.")
    regions, types = values("region"), values("type")
    unknown = [r for r in regions if r not in known_regions]
    if unknown:
        errors["region"] = _("Unknown region: %(names)s. Known regions: %(known)s.",
                             names=", ".join(unknown), known=", ".join(known_regions))
    elif one_region and len(regions) != 1:
        errors["region"] = _("Choose one region for a region report.")
    wrong = [t for t in types if t not in TYPES]
    if wrong:
        errors["type"] = _("Unknown checklist type: %(names)s. Types: %(known)s.",
                           names=", ".join(wrong), known=", ".join(TYPES))
    verified = str(args.get("verified_only", "")).lower() in ("1", "true", "yes", "on", "y")
    return ReportFilter(date_from, date_to, regions, types, verified, zone, errors)
