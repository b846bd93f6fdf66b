"""Protocol discrepancies: what observers copied from posted protocols against official results.

Rules (README, "Comparisons"):

- Station level: where an observed protocol (``protocol_figures``) and an
  official station result exist for the same station and contest, every
  figure held on both sides that differs is a discrepancy, one per checklist,
  contest, figure and official source. Rejected checklists never count.
- Above the station (district, region, national): the official figure is
  compared with the sum over the unit's stations only when every station of
  the unit in the registry has an observed protocol for that contest (the
  latest one not rejected counts); otherwise the unit is listed as not
  comparable, with how many of its stations were observed.

Discrepancies are computed when asked, never stored: a corrected protocol or
a new official source changes them at once, and nothing can go stale.
"""

from sqlite_utils import Database

from models import contests

_STATION_JOIN = (
    "FROM protocol_figures p JOIN checklists c ON c.id = p.checklist_id"
    " JOIN stations s ON s.id = p.station_id"
    " JOIN official_results o ON o.level = 'station' AND o.unit = s.number"
    " AND o.contest = p.contest AND o.item = p.item")


def _selection(flt) -> tuple[str, list]:
    """The condition of a report filter (reports.filters.ReportFilter, or None: everything
    but rejected checklists) over checklists ``c`` and stations ``s``."""
    if flt is None:
        return "c.review_state != 'rejected'", []
    return flt.where("checklist", "c", "s")


_COLUMNS = ("checklist_id", "station_id", "station_number", "station_name", "region",
            "contest", "item", "observed", "official", "source")


def station_discrepancies(db: Database, flt=None, limit: int | None = None) -> dict:
    """Every differing station figure in the selection: ``rows`` (the first ``limit``, by
    region, station, contest and figure order of the protocol) and ``total``."""
    where, params = _selection(flt)
    # One pass over the join, not a count and then a listing: differing figures
    # are few (bench/results.py), the join of every figure is what costs.
    found = db.execute(
        "SELECT c.id, s.id, s.number, s.name, s.region, p.contest, p.item, p.value, o.value,"
        f" o.source {_STATION_JOIN} WHERE p.value != o.value AND {where}"
        " ORDER BY s.region, s.number, p.contest, c.id, p.id, o.source", params).fetchall()
    shown = found if limit is None else found[:limit]
    return {"rows": [dict(zip(_COLUMNS, row)) for row in shown], "total": len(found)}


def open_count(db: Database) -> int:
    """Differing station figures on checklists not rejected: the dashboard's open discrepancies."""
    return db.execute(f"SELECT count(*) {_STATION_JOIN} WHERE p.value != o.value"
                      " AND c.review_state != 'rejected'").fetchone()[0]


def for_checklist(db: Database, checklist_id: int) -> list[dict]:
    """One checklist's differing figures, for the reviewer on the entry page (with the
    figure's ``label`` from the mission file)."""
    rows = list(db.query(
        f"SELECT p.contest, p.item, p.value AS observed, o.value AS official, o.source"
        f" {_STATION_JOIN} WHERE p.checklist_id = ? AND p.value != o.value"
        " ORDER BY p.contest, p.id, o.source", [checklist_id]))
    for row in rows:
        row["label"] = item_label(row["contest"], row["item"])
    return rows


def protocols_received(db: Database, flt=None) -> dict:
    """Observed protocols in the selection: checklists with figures, stations, per region.

    ``regions`` maps each region of the registry to (stations observed, stations).
    """
    where, params = _selection(flt)
    # Per checklist one probe of the protocol_figures (checklist_id, ...) index.
    found = db.execute(
        "SELECT s.region, count(*), count(DISTINCT c.station_id) FROM checklists c"
        f" JOIN stations s ON s.id = c.station_id WHERE {where} AND EXISTS"
        " (SELECT 1 FROM protocol_figures p WHERE p.checklist_id = c.id)"
        " GROUP BY s.region", params).fetchall()
    observed = {region: stations for region, _protocols, stations in found}
    s_where, s_params = flt.where("station", "s") if flt is not None else ("1", [])
    regions = {region: (observed.get(region, 0), size) for region, size in db.execute(
        f"SELECT s.region, count(*) FROM stations s WHERE {s_where} GROUP BY s.region"
        " ORDER BY s.region", s_params)}
    return {"protocols": sum(row[1] for row in found),
            "stations": sum(observed.values()), "regions": regions}


def _observed_sums(db: Database, where: str, params: list) -> dict[tuple, list[int]]:
    """Each station's latest non-rejected protocol per contest, summed by (region,
    district, contest, item): [stations, total]. A station lies in one region and one
    district, so the sums roll up to any unit without counting a station twice."""
    sums: dict[tuple, list[int]] = {}
    for region, district, contest, item, stations, total in db.execute(
            # Which checklists hold a protocol of which contest: a covering scan of the
            # (checklist_id, contest, item) index; a later one of a station replaces it.
            "WITH held AS (SELECT DISTINCT checklist_id, contest FROM protocol_figures),"
            " latest AS (SELECT max(c.id) AS id, h.contest FROM held h"
            " JOIN checklists c ON c.id = h.checklist_id JOIN stations s ON s.id = c.station_id"
            f" WHERE {where} GROUP BY c.station_id, h.contest)"
            " SELECT s.region, s.smd_district, p.contest, p.item, count(*), sum(p.value)"
            " FROM latest l JOIN protocol_figures p ON p.checklist_id = l.id"
            " AND p.contest = l.contest JOIN stations s ON s.id = p.station_id"
            " GROUP BY 1, 2, 3, 4", params):
        sums[(region, district, contest, item)] = [stations, total]
    return sums


def _unit_sizes(db: Database) -> dict[tuple[str, str], int]:
    """Stations in the registry per (level, unit)."""
    sizes: dict[tuple[str, str], int] = {}
    for region, district, count in db.execute(
            "SELECT region, smd_district, count(*) FROM stations GROUP BY 1, 2"):
        for key in _units_of(region, district):
            sizes[key] = sizes.get(key, 0) + count
    return sizes


def _units_of(region: str, district: int | None) -> tuple[tuple[str, str], ...]:
    """The (level, unit) keys a station of this region and district belongs to."""
    return (("national", ""), ("region", region),
            *((("district", str(district)),) if district is not None else ()))


def unit_comparisons(db: Database, flt=None) -> list[dict]:
    """Official figures above the station against the sum of the unit's observed stations.

    One dict per (level, unit, contest, source): ``stations`` in the unit,
    ``observed`` of them, ``complete`` (all observed), and when complete the
    ``differing`` items as (item, observed sum, official) and how many were ``compared``.
    """
    official = db.execute(
        "SELECT level, unit, contest, source, item, value FROM official_results"
        " WHERE level IN ('national', 'region', 'district')"
        " ORDER BY level = 'district', level = 'region', unit, contest, source").fetchall()
    if not official:
        return []
    where, params = _selection(flt)
    rolled: dict[tuple, list[int]] = {}  # (level, unit, contest, item) -> [stations, total]
    for (region, district, contest, item), (stations, total) in \
            _observed_sums(db, where, params).items():
        for level, unit in _units_of(region, district):
            cell = rolled.setdefault((level, unit, contest, item), [0, 0])
            cell[0] += stations
            cell[1] += total
    observed: dict[tuple, int] = {}
    for (level, unit, contest, _item), (stations, _total) in rolled.items():
        observed[(level, unit, contest)] = max(observed.get((level, unit, contest), 0), stations)
    sizes = _unit_sizes(db)
    units: dict[tuple, dict] = {}
    for level, unit, contest, source, item, value in official:
        key = (level, unit, contest, source)
        if key not in units:
            size = sizes.get((level, unit), 0)
            seen = observed.get((level, unit, contest), 0)
            units[key] = {"level": level, "unit": unit, "contest": contest, "source": source,
                          "stations": size, "observed": seen,
                          "complete": bool(size) and seen == size, "differing": [],
                          "compared": 0}
        entry = units[key]
        mine = rolled.get((level, unit, contest, item)) if entry["complete"] else None
        if mine is not None:
            entry["compared"] += 1
            if mine[1] != value:
                entry["differing"].append((item, mine[1], value))
    return list(units.values())


def item_label(contest_id: str, item: str) -> str:
    """A figure's label from the mission file (party, control figure) or its code."""
    contest = contests.contest(contest_id)
    labels = {f.code: f.label for f in contests.mission().control_figures}
    if contest is not None:
        labels.update({p.code: p.label for p in contest.parties})
    labels.setdefault(contests.AGAINST_ALL, contests.mission().against_all_label)
    return labels.get(item, item)
