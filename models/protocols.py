"""Protocols observed: the figures observers copied from a station's posted results protocols.

A counting checklist carries one protocol per ballot the station's voters get
(``models.contests.contests_for_station``): the party list ``list``, the
station's single-member district ``smd`` and any further ballot of the
mission file. Each protocol is the control figures (``contests.control_codes()``)
and the votes per party or candidate and "against all".

In a filing they are ``{"list": {"amanat": 123, ...}, "smd": {...}}``; only the
figures the observer wrote down are kept, and a ballot with none was not seen.
They are stored twice, in the same transaction: in the checklist's version
snapshot (so its history shows them) and one figure a row in
``protocol_figures`` (m016), which comparisons and the observed votes read.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from models import contests
from models.contests import AGAINST_ALL, Option

# The checklist types whose form has the protocol section.
PROTOCOL_TYPES = ("counting",)
QUESTION_PREFIX = "protocol"


@dataclass(frozen=True)
class Ballot:
    """One protocol of a station: its contest, district (for ``smd``) and ballot options."""

    contest: str
    title: str
    district: int | None
    district_label: str
    options: tuple[Option, ...]  # parties or candidates in ballot order, then against_all

    @property
    def question_id(self) -> str:
        """The id a photo of this protocol is tied to: ``protocol-list``, ``protocol-smd``."""
        return f"{QUESTION_PREFIX}-{self.contest}"

    def option_codes(self) -> tuple[str, ...]:
        """The codes votes are counted for."""
        return tuple(o.code for o in self.options)

    def codes(self) -> tuple[str, ...]:
        """Every figure of the protocol: the control figures, then the votes."""
        return contests.control_codes() + self.option_codes()


@dataclass(frozen=True)
class Check:
    """A rule between a protocol's figures: ``sum(left) <= sum(right)`` or ``==``."""

    rule: str  # "eq" or "lte"
    left: tuple[str, ...]
    right: tuple[str, ...]  # () stands for every vote of the ballot
    message: str
    target: str  # the figure the message is shown next to


# Valid + invalid = found in the boxes and the votes add up to the valid ballots
# are the protocol's own arithmetic; the "lte" ones are what no count can give.
CHECKS = (
    Check("eq", ("ballots_in_boxes",), ("valid", "invalid"), _l(
        "Ballots found in the boxes must equal valid + invalid ballots."), "ballots_in_boxes"),
    Check("eq", ("valid",), (), _l(
        "Valid ballots must equal the votes of all options together (with \u201cagainst "
        "all\u201d)."), "valid"),
    Check("lte", ("ballots_issued",), ("ballots_received",), _l(
        "Ballots issued cannot exceed ballots received."), "ballots_issued"),
    Check("lte", ("ballots_issued", "ballots_cancelled"), ("ballots_received",), _l(
        "Ballots issued + cancelled unused cannot exceed ballots received."),
        "ballots_cancelled"),
    Check("lte", ("ballots_in_boxes",), ("ballots_issued",), _l(
        "Ballots found in the boxes cannot exceed ballots issued."), "ballots_in_boxes"),
    Check("lte", ("ballots_issued",), ("voters_on_list",), _l(
        "Ballots issued cannot exceed the voters on the list."), "ballots_issued"),
)


def ballots(db: Database | None, station: dict,
            by_district: dict[int, list[dict]] | None = None) -> tuple[Ballot, ...]:
    """The protocols a station has, in the mission file's order.

    Candidates come from ``db``, or from ``by_district`` (``candidates.by_district``)
    when many stations are laid out at once (the demo).
    """
    mission = contests.mission()
    against = Option(AGAINST_ALL, mission.against_all_label)
    found = []
    for contest, district in contests_of(station):
        if contest.is_list:
            options = contest.parties
        else:
            listed = by_district.get(district.number, []) if by_district is not None \
                else contests.candidates(db, district.number)
            options = tuple(Option(c["code"], c["name"]) for c in listed)
        found.append(Ballot(contest.id, contest.title, district.number if district else None,
                            district.label if district else "",
                            options + ((against,) if contest.against_all else ())))
    return tuple(found)


def contests_of(station: dict):
    """The station's (contest, district) pairs (``contests.contests_for_station``)."""
    return contests.contests_for_station(station)


def protocol_question_ids(station: dict) -> tuple[str, ...]:
    """The question ids of a station's protocol sections (``protocol-list``, ``protocol-smd``).

    A photo of a protocol is tied to one of these; they are valid only on a
    checklist of ``PROTOCOL_TYPES``.
    """
    return tuple(f"{QUESTION_PREFIX}-{contest.id}" for contest, _d in contests_of(station))


def problems(ballot: Ballot, figures: dict[str, int]) -> list[Check]:
    """The checks one protocol's figures fail; a check with a figure missing is skipped."""
    failed = []
    for check in CHECKS:
        right = check.right or ballot.option_codes()
        needed = check.left + right
        if not right or any(figures.get(code) is None for code in needed):
            continue
        left_sum = sum(figures[code] for code in check.left)
        right_sum = sum(figures[code] for code in right)
        if left_sum > right_sum or (check.rule == "eq" and left_sum != right_sum):
            failed.append(check)
    return failed


def write(db: Database, checklist_id: int, station_id: int,
          protocol: dict[str, dict[str, int]]) -> None:
    """Replace a checklist's protocol figures; the caller holds the write transaction."""
    db.execute("DELETE FROM protocol_figures WHERE checklist_id = ?", [checklist_id])
    write_many(db, [(checklist_id, station_id, protocol)])


def write_many(db: Database, filed: list[tuple[int, int, dict]]) -> None:
    """Insert the figures of new checklists: (checklist id, station id, protocol) each."""
    db.conn.executemany(
        "INSERT INTO protocol_figures (checklist_id, station_id, contest, item, value)"
        " VALUES (?, ?, ?, ?, ?)",
        [(checklist_id, station_id, contest, item, value)
         for checklist_id, station_id, protocol in filed
         for contest, figures in protocol.items() for item, value in figures.items()])


def for_checklist(db: Database, checklist_id: int) -> dict[str, dict[str, int]]:
    """A checklist's protocol as filed: {contest: {item: value}} in the order written."""
    return for_checklists(db, [checklist_id]).get(checklist_id, {})


def for_checklists(db: Database, ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """The protocols of several checklists (a page of a listing) in one query, by id."""
    found: dict[int, dict[str, dict[str, int]]] = {}
    if not ids:
        return found
    marks = ", ".join("?" * len(ids))
    for checklist_id, contest, item, value in db.execute(
            "SELECT checklist_id, contest, item, value FROM protocol_figures"
            f" WHERE checklist_id IN ({marks}) ORDER BY id", list(ids)):
        found.setdefault(checklist_id, {}).setdefault(contest, {})[item] = value
    return found
