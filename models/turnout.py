"""Observed turnout through the day: one point per voting checklist.

The voting checklist asks the voters on the list and the voters who had voted
at the time of the visit; their ratio at the visit's local arrival time is an
observed turnout point, to be set against the turnout the commission announced
(issue 12, "Turnout through the day"). A point whose figures cannot be true
(more voters voted than on the list, or no voter on the list) is left out and
counted, so a report can say how many it left out.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlite_utils import Database

from models.clock import utc_to_local

# The voting checklist's two questions (models/definitions/voting.yaml, every version).
ON_LIST, VOTED = "voters_on_list", "voters_voted"


class Selection(Protocol):
    """What a report filter offers (reports.filters.ReportFilter): SQL over checklists ``c``
    joined with stations ``s``, and its parameters."""

    def where(self, kind: str = "checklist") -> tuple[str, Sequence]: ...


@dataclass(frozen=True)
class TurnoutPoint:
    entry_id: int
    station_id: int
    station_number: str
    station_name: str
    region: str
    local_time: datetime  # the visit's arrival, in the station's zone
    zone: str
    voters_on_list: int
    voters_voted: int
    share: float  # voted / on list, 0..1


@dataclass(frozen=True)
class TurnoutPoints:
    points: list[TurnoutPoint]
    excluded: int  # checklists with both figures that cannot be true


def turnout_points(db: Database, filters: Selection | None = None) -> TurnoutPoints:
    """The observed turnout point of each voting checklist with both figures, in time order,
    and how many were left out as impossible (voted > on list, or nobody on the list).

    ``filters``: a report filter; without one every voting checklist not rejected counts.
    """
    where, params = filters.where("checklist") if filters is not None \
        else ("c.review_state != 'rejected'", [])
    rows = db.execute(
        "SELECT c.id, c.station_id, s.number, s.name, s.region, c.arrival_utc, c.timezone,"
        f" json_extract(c.answers, '$.{ON_LIST}'), json_extract(c.answers, '$.{VOTED}')"
        " FROM checklists c JOIN stations s ON s.id = c.station_id"
        f" WHERE ({where}) AND c.form_type = 'voting'"
        f" AND json_extract(c.answers, '$.{ON_LIST}') IS NOT NULL"
        f" AND json_extract(c.answers, '$.{VOTED}') IS NOT NULL"
        " ORDER BY c.arrival_utc, c.id", list(params)).fetchall()
    points, excluded = [], 0
    for entry_id, station_id, number, name, region, arrival, zone, on_list, voted in rows:
        on_list, voted = int(on_list), int(voted)
        if on_list <= 0 or voted > on_list or voted < 0:
            excluded += 1
            continue
        points.append(TurnoutPoint(entry_id, station_id, str(number), name, region,
                                   utc_to_local(arrival, zone), zone, on_list, voted,
                                   voted / on_list))
    return TurnoutPoints(points, excluded)
