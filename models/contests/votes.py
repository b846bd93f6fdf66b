"""Votes per contest from a source: the official results table, or the observed protocols.

``official(db)`` and ``observed(db)`` both return ``Votes``: the nationwide
list's votes per party (and against_all), each district's votes per
candidate, and notes saying where the figures came from (or why there are
none). ``models.seats`` turns them into seats.
"""

from dataclasses import dataclass, field

from sqlite_utils import Database

from models import contests

# Highest first: a national figure is used as published; lower levels are summed.
LEVELS = ("national", "region", "district", "station")


class VotesError(ValueError):
    """The figures cannot be read without a choice the user must make."""


@dataclass
class Votes:
    """Votes of the nationwide list and of the districts, with notes on where they come from."""

    party_list: dict[str, int] = field(default_factory=dict)  # party code or against_all -> votes
    districts: dict[int, dict[str, int]] = field(default_factory=dict)  # number -> code -> votes
    notes: list[str] = field(default_factory=list)


def sources(db: Database) -> list[str]:
    """The sources of the official results held, by name."""
    return [row[0] for row in db.execute(
        "SELECT DISTINCT source FROM official_results ORDER BY source")]


def _level_rows(db: Database, contest: str, source: str | None) -> tuple[str | None, list]:
    """The rows of the highest level that has figures for ``contest``: (level, rows)."""
    for level in LEVELS:
        rows = db.execute(
            "SELECT unit, item, value, source FROM official_results WHERE contest = ?"
            " AND level = ?" + (" AND source = ?" if source else ""),
            [contest, level, *([source] if source else [])]).fetchall()
        if rows:
            held = sorted({row[3] for row in rows})
            if len(held) > 1:
                raise VotesError(f"official {contest} results at {level} level come from "
                                 f"{len(held)} sources ({', '.join(held)}): choose one")
            return level, rows
    return None, []


def official(db: Database, source: str | None = None) -> Votes:
    """Votes from the official_results table (of ``source`` only, when given)."""
    votes = Votes()
    items = set(contests.item_codes("list"))
    level, rows = _level_rows(db, "list", source)
    for _unit, item, value, _source in rows:
        if item in items:
            votes.party_list[item] = votes.party_list.get(item, 0) + value
    if level:
        units = len({row[0] for row in rows})
        votes.notes.append(f"party list: {level} figures of {rows[0][3]}"
                           + ("" if level == "national" else f", summed over {units} units"))
    else:
        votes.notes.append("party list: no official results")
    votes.districts = _official_districts(db, source, votes.notes)
    return votes


def _official_districts(db: Database, source: str | None,
                        notes: list[str]) -> dict[int, dict[str, int]]:
    """Each district's votes per candidate and against_all (no control figures)."""
    if contests.mission().district_contest() is None:
        return {}
    skip = set(contests.CONTROL_FIGURES)
    numbers = set(contests.district_numbers())
    found: dict[int, dict[str, int]] = {}
    level, rows = _level_rows(db, "smd", source)
    if level == "station":
        # A station's figures count for the district the registry gives it.
        districts = {number: smd for number, smd in db.execute(
            "SELECT number, smd_district FROM stations WHERE smd_district IS NOT NULL")}
        rows = [(str(districts.get(unit, "")), item, value, src)
                for unit, item, value, src in rows]
    elif level not in (None, "district"):
        notes.append(f"districts: only {level} figures, which do not name a district")
        return {}
    for unit, item, value, _source in rows:
        if item in skip or not str(unit).isdigit() or int(unit) not in numbers:
            continue
        tally = found.setdefault(int(unit), {})
        tally[item] = tally.get(item, 0) + value
    notes.append(f"districts: {level} figures for {len(found)} of {len(numbers)} districts"
                 if level else "districts: no official results")
    return found


# Per station, one counting checklist counts: the latest verified one if a
# reviewer verified any, else the latest; rejected ones never. "Latest" is the
# visit's departure, then the id (the order the server received them).
_CHOSEN = """
    WITH ranked AS (
        SELECT c.id, c.station_id, row_number() OVER (
            PARTITION BY c.station_id
            ORDER BY c.review_state = 'verified' DESC, c.departure_utc DESC, c.id DESC) AS rank
        FROM checklists c
        WHERE c.review_state != 'rejected'
          AND EXISTS (SELECT 1 FROM protocol_figures p WHERE p.checklist_id = c.id))
"""
_OBSERVED_SQL = _CHOSEN + """
    SELECT p.contest, s.smd_district, p.item, sum(p.value)
    FROM ranked r
    JOIN protocol_figures p ON p.checklist_id = r.id
    JOIN stations s ON s.id = r.station_id
    WHERE r.rank = 1 AND p.contest IN ('list', 'smd')
    GROUP BY p.contest, s.smd_district, p.item
"""
_STATIONS_SQL = _CHOSEN + """
    SELECT p.contest, count(DISTINCT p.station_id)
    FROM ranked r JOIN protocol_figures p ON p.checklist_id = r.id
    WHERE r.rank = 1 GROUP BY p.contest
"""


def observed(db: Database) -> Votes:
    """Votes summed from the observed protocols (``protocol_figures``), one checklist per station.

    Per station the latest verified counting checklist with protocol figures
    counts, else the latest one; rejected checklists never. District figures
    count for the district the registry gives the station. The observed
    stations are not a sample: the totals are what was observed, no more.
    """
    votes = Votes()
    items = set(contests.item_codes("list"))
    numbers = set(contests.district_numbers())
    skip = set(contests.CONTROL_FIGURES)
    for contest, district, item, value in db.execute(_OBSERVED_SQL):
        if contest == "list" and item in items:
            votes.party_list[item] = votes.party_list.get(item, 0) + value
        elif contest == "smd" and item not in skip and district in numbers:
            tally = votes.districts.setdefault(district, {})
            tally[item] = tally.get(item, 0) + value
    stations = dict(db.execute(_STATIONS_SQL).fetchall())
    if not stations:
        votes.notes.append("no observed protocols yet")
        return votes
    votes.notes.append(f"party list: observed protocols of {stations.get('list', 0)} stations "
                       "(per station the latest verified counting checklist, else the latest;"
                       " not a random sample)")
    votes.notes.append(f"districts: observed protocols of {stations.get('smd', 0)} stations "
                       f"in {len(votes.districts)} of {len(numbers)} districts")
    return votes
