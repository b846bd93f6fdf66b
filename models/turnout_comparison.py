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

``observed_points`` takes the points of ``models.turnout.turnout_points`` (one
per voting visit; impossible figures are left out there and counted);
``compare`` takes the points as given.
"""

from bisect import bisect_left
from datetime import date

from sqlite_utils import Database

from models import turnout

NATIONAL = ("national", "")


def minutes(hhmm: str) -> int:
    """'HH:MM' as minutes after midnight."""
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def observed_points(db: Database, flt=None, day: date | None = None) -> list[dict]:
    """Observed turnout per voting visit in the selection (``flt`` a report filter, or None:
    every checklist not rejected), on the local ``day`` only when given.

    Each point: checklist and station, region, local time 'HH:MM', zone, share in percent,
    from ``models.turnout.turnout_points``, in station number then time order.
    """
    points = []
    for point in turnout.turnout_points(db, flt).points:
        if day is not None and point.local_time.date() != day:
            continue
        points.append({"checklist_id": point.entry_id, "station_id": point.station_id,
                       "station_number": point.station_number,
                       "station_name": point.station_name, "region": point.region,
                       "local_time": point.local_time.strftime("%H:%M"), "zone": point.zone,
                       "share": 100 * point.share})
    points.sort(key=lambda p: (p["station_number"], p["local_time"]))
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

