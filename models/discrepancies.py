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

# Units named in official_results, per level: how a station belongs to one
# (identifiers from constants, never from input).
_UNIT_OF_STATION = {"national": "''", "region": "s.region",
                    "district": "CAST(s.smd_district AS TEXT)"}
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


def station_discrepancies(db: Database, flt=None, limit: int | None = None) -> dict:
    """Every differing station figure in the selection: ``rows`` (the first ``limit``, by
    station, contest and figure order of the protocol) and ``total``."""
    where, params = _selection(flt)
    base = f"{_STATION_JOIN} WHERE p.value != o.value AND {where}"
    total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    sql = (f"SELECT c.id AS checklist_id, s.id AS station_id, s.number AS station_number,"
           f" s.name AS station_name, s.region, p.contest, p.item, p.value AS observed,"
           f" o.value AS official, o.source {base}"
           f" ORDER BY s.region, s.number, p.contest, c.id, p.id, o.source")
    rows = list(db.query(sql + (" LIMIT ?" if limit is not None else ""),
                         [*params, *([limit] if limit is not None else [])]))
    return {"rows": rows, "total": total}


def open_count(db: Database) -> int:
    """Differing station figures on checklists not rejected: the dashboard's open discrepancies."""
    return db.execute(f"SELECT count(*) {_STATION_JOIN} WHERE p.value != o.value"
                      " AND c.review_state != 'rejected'").fetchone()[0]


def for_checklist(db: Database, checklist_id: int) -> list[dict]:
    """One checklist's differing figures, for the reviewer on the entry page."""
    return list(db.query(
        f"SELECT p.contest, p.item, p.value AS observed, o.value AS official, o.source"
        f" {_STATION_JOIN} WHERE p.checklist_id = ? AND p.value != o.value"
        " ORDER BY p.contest, p.id, o.source", [checklist_id]))


def protocols_received(db: Database, flt=None) -> dict:
    """Observed protocols in the selection: checklists with figures, stations, per region.

    ``regions`` maps each region of the registry to (stations observed, stations).
    """
    where, params = _selection(flt)
    found = db.execute(
        "SELECT count(DISTINCT p.checklist_id), count(DISTINCT p.station_id)"
        " FROM protocol_figures p JOIN checklists c ON c.id = p.checklist_id"
        f" JOIN stations s ON s.id = p.station_id WHERE {where}", params).fetchone()
    observed = dict(db.execute(
        "SELECT s.region, count(DISTINCT p.station_id) FROM protocol_figures p"
        " JOIN checklists c ON c.id = p.checklist_id JOIN stations s ON s.id = p.station_id"
        f" WHERE {where} GROUP BY s.region", params).fetchall())
    s_where, s_params = flt.where("station", "s") if flt is not None else ("1", [])
    regions = {region: (observed.get(region, 0), size) for region, size in db.execute(
        f"SELECT s.region, count(*) FROM stations s WHERE {s_where} GROUP BY s.region"
        " ORDER BY s.region", s_params)}
    return {"protocols": found[0], "stations": found[1], "regions": regions}


def _observed_by_station(where: str) -> str:
    """SQL (a CTE body) of each station's latest non-rejected protocol figures per contest."""
    return (
        "latest AS (SELECT p.station_id, p.contest, max(p.checklist_id) AS checklist_id"
        " FROM protocol_figures p JOIN checklists c ON c.id = p.checklist_id"
        f" JOIN stations s ON s.id = p.station_id WHERE {where}"
        " GROUP BY p.station_id, p.contest),"
        " figures AS (SELECT p.station_id, p.contest, p.item, p.value FROM protocol_figures p"
        " JOIN latest l ON l.checklist_id = p.checklist_id AND l.contest = p.contest)")


def unit_comparisons(db: Database, flt=None) -> list[dict]:
    """Official figures above the station against the sum of the unit's observed stations.

    One dict per (level, unit, contest, source): ``stations`` in the unit,
    ``observed`` of them, ``complete`` (all observed), and when complete the
    ``differing`` items as (item, observed sum, official).
    """
    where, params = _selection(flt)
    found = []
    for level, unit_sql in _UNIT_OF_STATION.items():
        official = db.execute(
            "SELECT unit, contest, source, item, value FROM official_results WHERE level = ?"
            " ORDER BY unit, contest, source", [level]).fetchall()
        if not official:
            continue
        sizes = dict(db.execute(f"SELECT {unit_sql}, count(*) FROM stations s GROUP BY 1"))
        observed_stations, sums = {}, {}
        for unit, contest, stations, item, total in db.execute(
                f"WITH {_observed_by_station(where)}"
                f" SELECT {unit_sql}, f.contest, count(DISTINCT f.station_id), f.item,"
                " sum(f.value) FROM figures f JOIN stations s ON s.id = f.station_id"
                " GROUP BY 1, 2, 4", params):
            observed_stations[(unit, contest)] = max(
                observed_stations.get((unit, contest), 0), stations)
            sums[(unit, contest, item)] = total
        units: dict[tuple, dict] = {}
        for unit, contest, source, item, value in official:
            key = (unit, contest, source)
            if key not in units:
                size = sizes.get(unit, 0)
                seen = observed_stations.get((unit, contest), 0)
                units[key] = {"level": level, "unit": unit, "contest": contest,
                              "source": source, "stations": size, "observed": seen,
                              "complete": bool(size) and seen == size, "differing": [],
                              "compared": 0}
            entry = units[key]
            if entry["complete"]:
                mine = sums.get((unit, contest, item))
                if mine is not None:
                    entry["compared"] += 1
                    if mine != value:
                        entry["differing"].append((item, mine, value))
        found += units.values()
    return found


def item_label(contest_id: str, item: str) -> str:
    """A figure's label from the mission file (party, control figure) or its code."""
    contest = contests.contest(contest_id)
    labels = {f.code: f.label for f in contests.mission().control_figures}
    if contest is not None:
        labels.update({p.code: p.label for p in contest.parties})
    labels.setdefault(contests.AGAINST_ALL, contests.mission().against_all_label)
    return labels.get(item, item)
