"""Observed turnout at each voting visit against the commission's announced turnout.

Rules (README, "Comparisons"):

- A voting checklist gives a point: at the local time the visit began, the
  voters who had voted over the voters on the list, in percent.
- The announced figure it is set against is the commission's for the
  station's region, else the national one, at the nearest announced times
  before and after the visit, interpolated linearly between them. Before the
  first announcement, the line runs from 0% at the polls' opening; after the
  last one, the last figure stands (turnout only grows, so it is a lower
  bound). Visits before the opening are not compared.
- A station is listed when its observed turnout is below the announced
  figure by at least the threshold, in percentage points.

``observed_points`` reads the voting checklists' own answers; the shared
``models.turnout.turnout_points`` (station, local time, zone, share per
voting visit) can replace it once merged: ``compare`` takes the points as given.
"""

from bisect import bisect_left
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

VOTERS_ON_LIST = "voters_on_list"
VOTERS_VOTED = "voters_voted"
NATIONAL = ("national", "")


def minutes(hhmm: str) -> int:
    """'HH:MM' as minutes after midnight."""
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def _count(value) -> int | None:
    """An answer as a whole number (stored as a number or as its digits), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def observed_points(db: Database, flt=None, day: date | None = None) -> list[dict]:
    """Observed turnout per voting visit in the selection (``flt`` a report filter, or None:
    every checklist not rejected), on the local ``day`` only when given.

    Each point: checklist and station, region, local time 'HH:MM', zone, share in percent.
    Visits without both figures, or with nobody on the list, give no point.
    """
    where, params = flt.where("checklist", "c", "s") if flt is not None \
        else ("c.review_state != 'rejected'", [])
    rows = db.execute(
        "SELECT c.id, s.id, s.number, s.name, s.region, c.arrival_utc, c.timezone,"
        f" json_extract(c.answers, '$.{VOTERS_ON_LIST}'),"
        f" json_extract(c.answers, '$.{VOTERS_VOTED}')"
        " FROM checklists c JOIN stations s ON s.id = c.station_id"
        f" WHERE c.form_type = 'voting' AND {where} ORDER BY s.number, c.arrival_utc",
        params).fetchall()
    points = []
    for checklist_id, station_id, number, name, region, arrival, zone, listed, voted in rows:
        listed, voted = _count(listed), _count(voted)
        if not listed or voted is None:
            continue
        # fromisoformat reads the stored '...Z' text 30 times faster than strptime
        # (models.clock.from_iso); 10,000 visits make it count.
        local = datetime.fromisoformat(arrival).astimezone(ZoneInfo(zone))
        if day is not None and local.date() != day:
            continue
        points.append({"checklist_id": checklist_id, "station_id": station_id,
                       "station_number": number, "station_name": name, "region": region,
                       "local_time": local.strftime("%H:%M"), "zone": zone,
                       "share": 100 * voted / listed})
    return points


def announced(db: Database) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """The announced curves: (level, unit) -> [(minutes, share)] in time order. Where several
    sources announced the same time, the one imported last counts."""
    curves: dict[tuple[str, str], dict[int, float]] = {}
    for level, unit, at, share in db.execute(
            "SELECT level, unit, local_time, share FROM official_turnout"
            " ORDER BY imported_utc, id"):
        curves.setdefault((level, unit), {})[minutes(at)] = share
    return {key: sorted(values.items()) for key, values in curves.items()}


def expected(curve: list[tuple[int, float]], at: int, opening: int | None
             ) -> tuple[float, str] | None:
    """The announced share at ``at`` minutes and how it was found, or None (not comparable)."""
    times = [t for t, _share in curve]
    index = bisect_left(times, at)
    if index < len(times) and times[index] == at:
        return curve[index][1], "announced"
    if index == len(times):
        return curve[-1][1], "after_last"
    after_time, after = curve[index]
    if index == 0:
        if opening is None or at < opening or after_time <= opening:
            return None
        before_time, before = opening, 0.0
    else:
        before_time, before = curve[index - 1]
    return before + (after - before) * (at - before_time) / (after_time - before_time), \
        "interpolated"


def compare(points: list[dict], curves: dict, threshold: float,
            opening: str | None = "07:00") -> dict:
    """Each point with its announced figure and gap; the points below by ``threshold``
    percentage points or more, largest gap first."""
    start = minutes(opening) if opening else None
    compared, skipped, below = [], 0, []
    for point in points:
        curve = curves.get(("region", point["region"])) or curves.get(NATIONAL)
        found = expected(curve, minutes(point["local_time"]), start) if curve else None
        if found is None:
            skipped += 1
            continue
        figure, how = found
        row = {**point, "announced": figure, "how": how,
               "scope": "region" if ("region", point["region"]) in curves else "national",
               "gap": figure - point["share"]}
        compared.append(row)
        if row["gap"] >= threshold:
            below.append(row)
    below.sort(key=lambda r: (-r["gap"], r["station_number"]))
    return {"points": compared, "not_compared": skipped, "below": below,
            "threshold": threshold, "opening": opening, "announced": bool(curves)}


def by_slot(comparison: dict, curves: dict) -> list[dict]:
    """Mean observed and mean announced share per interval between national announcements
    (or per announced time's hour when there is no national curve): the chart's bars."""
    times = [t for t, _s in curves.get(NATIONAL, [])] or sorted(
        {t for curve in curves.values() for t, _s in curve})
    slots: dict[int, dict] = {}
    for row in comparison["points"]:
        at = minutes(row["local_time"])
        index = bisect_left(times, at) if times else 0  # (before, at] slots
        slot = slots.setdefault(index, {"n": 0, "observed": 0.0, "announced": 0.0})
        slot["n"] += 1
        slot["observed"] += row["share"]
        slot["announced"] += row["announced"]

    def name(t: int) -> str:
        return f"{t // 60:02d}:{t % 60:02d}"

    found = []
    for index in sorted(slots):
        slot = slots[index]
        start = name(times[index - 1]) if index and times else "…"
        end = name(times[index]) if index < len(times) else "…"
        found.append({"label": f"{start}–{end}", "n": slot["n"],
                      "observed": slot["observed"] / slot["n"],
                      "announced": slot["announced"] / slot["n"]})
    return found

