"""The contests of the election, as data: one mission file, checked strictly at start-up.

The file (``kz2023.yaml`` here, or the one the ``MISSION_FILE`` setting names)
declares the election, the control figures of a protocol, and each contest:
party lists (parties in ballot order, seats, threshold and its base) and the
single-member districts. Candidates per district are in the database
(``models.candidates``, loaded with ``flask --app app import-candidates``).

Public API, for the protocols, official results and reports built on it:

- ``mission()`` the loaded ``Mission`` (read once per file and process);
- ``contest(id)`` one ``Contest``; ``list_contest()`` the nationwide party list;
- ``contests_for_station(station)`` the ballots a station's voters get;
- ``party_codes(contest)``, ``item_codes(contest)``, ``control_codes()``;
- ``district(number)``, ``district_numbers()``;
- ``candidates(db, district)`` re-exported from ``models.candidates``.

Labels are the file's English texts; show them through ``_()`` (babel.cfg
extracts them for translation).
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import yaml
from flask import current_app, has_app_context

FOLDER = Path(__file__).parent
DEFAULT_FILE = FOLDER / "kz2023.yaml"
AGAINST_ALL = "against_all"
KINDS = ("party_list", "districts")
# What a list contest's threshold is a share of (see seats.allocate_list).
BASES = ("valid_votes", "party_votes")
CONTROL_FIGURES = ("voters_on_list", "ballots_received", "ballots_issued", "ballots_cancelled",
                   "ballots_in_boxes", "invalid", "valid")
CODE_LENGTH = 40
# LibYAML's loader when PyYAML has it: the same safe constructor, several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TOP_KEYS = {"election", "against_all", "control_figures", "contests"}
_CONTEST_KEYS = {"id", "kind", "title", "seats", "threshold", "against_all", "parties",
                 "districts", "region"}
_LIST_REQUIRED = {"id", "kind", "title", "seats", "threshold", "against_all", "parties"}
_DISTRICT_REQUIRED = {"id", "kind", "title", "against_all", "districts"}


class ContestError(ValueError):
    """The mission file is malformed."""


@dataclass(frozen=True)
class Option:
    """A party, or a control figure: its stored code and its label."""

    code: str
    label: str


@dataclass(frozen=True)
class District:
    """A single-member district: its number, its region, its label."""

    number: int
    region: str
    label: str


@dataclass(frozen=True)
class Contest:
    """One ballot: a party list (``parties``) or single-member districts (``districts``)."""

    id: str
    kind: str
    title: str
    against_all: bool
    seats: int = 0
    threshold_percent: Fraction = Fraction(0)
    threshold_base: str = "valid_votes"
    parties: tuple[Option, ...] = ()
    districts: tuple[District, ...] = ()
    region: str | None = None  # a further ballot held in one region only

    @property
    def is_list(self) -> bool:
        """True for a party-list contest."""
        return self.kind == "party_list"


@dataclass(frozen=True)
class Mission:
    """The election and its contests, in the file's order."""

    path: Path
    title: str
    date: date
    against_all_label: str
    control_figures: tuple[Option, ...]
    contests: tuple[Contest, ...]

    def contest(self, contest_id: str) -> Contest | None:
        """One contest by id, or None."""
        return next((c for c in self.contests if c.id == contest_id), None)

    def district_contest(self) -> Contest | None:
        """The single-member districts contest, or None when the election has none."""
        return next((c for c in self.contests if c.kind == "districts"), None)


def _fail(path: Path, where: str, reason: str) -> ContestError:
    return ContestError(f"{path.name}: {where}: {reason}")


def _code(path: Path, where: str, value, taken: set[str]) -> str:
    if not isinstance(value, str) or not value.isidentifier() or not value.islower() \
            or len(value) > CODE_LENGTH:
        raise _fail(path, where, f"code must be a lower-case snake_case name of at most "
                                 f"{CODE_LENGTH} characters, not {value!r}")
    if value in taken:
        raise _fail(path, where, f"code {value!r} is reserved or used twice")
    taken.add(value)
    return value


def _text(path: Path, where: str, raw: dict, key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"{key} must be a non-empty text")
    return value.strip()


def _mapping(path: Path, where: str, raw, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(raw, dict):
        raise _fail(path, where, f"must be a mapping, not {raw!r}")
    unknown, missing = set(raw) - allowed, required - set(raw)
    if unknown:
        raise _fail(path, where, f"unknown key(s) {sorted(unknown)}")
    if missing:
        raise _fail(path, where, f"missing key(s) {sorted(missing)}")
    return raw


def _options(path: Path, where: str, raw, reserved: set[str]) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, where, "must be a non-empty list")
    taken = set(reserved)
    options = []
    for i, item in enumerate(raw, 1):
        at = f"{where}[{i}]"
        item = _mapping(path, at, item, {"code", "label"}, {"code", "label"})
        options.append(Option(_code(path, at, item["code"], taken), _text(path, at, item, "label")))
    return tuple(options)


def _threshold(path: Path, where: str, raw) -> tuple[Fraction, str]:
    raw = _mapping(path, f"{where}.threshold", raw, {"percent", "base"}, {"percent", "base"})
    value = raw["percent"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 100:
        raise _fail(path, f"{where}.threshold", f"percent must be a number from 0 to 100, "
                                                f"not {value!r}")
    if raw["base"] not in BASES:
        raise _fail(path, f"{where}.threshold", f"base must be one of {BASES}")
    # From the written decimal, so 5.2 is exactly 52/10 and never 5.2000000000000002.
    return Fraction(str(value)), raw["base"]


def _districts(path: Path, where: str, raw) -> tuple[District, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, where, "districts must be a non-empty list")
    districts = []
    for i, item in enumerate(raw, 1):
        at = f"{where}.districts[{i}]"
        item = _mapping(path, at, item, {"number", "region", "label"},
                        {"number", "region", "label"})
        if item["number"] != i or isinstance(item["number"], bool):
            raise _fail(path, at, f"districts are numbered 1, 2, 3... in order: expected {i}, "
                                  f"not {item['number']!r}")
        districts.append(District(i, _text(path, at, item, "region"),
                                  _text(path, at, item, "label")))
    return tuple(districts)


def _contest(path: Path, raw, ids: set[str]) -> Contest:
    where = f"contest {raw.get('id', '?') if isinstance(raw, dict) else '?'}"
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind not in KINDS:
        raise _fail(path, where, f"kind must be one of {KINDS}")
    required = _LIST_REQUIRED if kind == "party_list" else _DISTRICT_REQUIRED
    allowed = required | {"region"} if kind == "party_list" else required
    raw = _mapping(path, where, raw, allowed & _CONTEST_KEYS, required)
    contest_id = _code(path, where, raw["id"], ids)
    if not isinstance(raw["against_all"], bool):
        raise _fail(path, where, "against_all must be true or false")
    common = {"id": contest_id, "kind": kind, "title": _text(path, where, raw, "title"),
              "against_all": raw["against_all"]}
    if kind == "districts":
        return Contest(**common, districts=_districts(path, where, raw["districts"]))
    seats = raw["seats"]
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise _fail(path, where, f"seats must be a whole number of at least 1, not {seats!r}")
    percent, base = _threshold(path, where, raw["threshold"])
    region = _text(path, where, raw, "region") if "region" in raw else None
    parties = _options(path, f"{where}.parties", raw["parties"],
                       {AGAINST_ALL, *CONTROL_FIGURES})
    return Contest(**common, seats=seats, threshold_percent=percent, threshold_base=base,
                   parties=parties, region=region)


def load(path: Path | str) -> Mission:
    """Read and check one mission file; a ContestError names the file, the place and the reason."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, yaml.YAMLError) as error:
        raise ContestError(f"{path.name}: cannot be read: {error}") from error
    raw = _mapping(path, "top level", raw, _TOP_KEYS, _TOP_KEYS)
    election = _mapping(path, "election", raw["election"], {"title", "date"}, {"title", "date"})
    if not isinstance(election["date"], date):
        raise _fail(path, "election", "date must be written YYYY-MM-DD")
    against = _mapping(path, "against_all", raw["against_all"], {"label"}, {"label"})
    figures = _options(path, "control_figures", raw["control_figures"], set())
    if tuple(f.code for f in figures) != CONTROL_FIGURES:
        raise _fail(path, "control_figures", f"must be, in this order: {CONTROL_FIGURES}")
    if not isinstance(raw["contests"], list) or not raw["contests"]:
        raise _fail(path, "contests", "must be a non-empty list")
    ids: set[str] = set()
    contests = tuple(_contest(path, c, ids) for c in raw["contests"])
    if "list" not in ids:
        raise _fail(path, "contests", "the nationwide party list must have the id 'list'")
    if contests[[c.id for c in contests].index("list")].kind != "party_list" \
            or any(c.kind == "districts" and c.id != "smd" for c in contests):
        raise _fail(path, "contests", "'list' is a party_list contest; the districts "
                                      "contest, if any, has the id 'smd'")
    return Mission(path=path, title=_text(path, "election", election, "title"),
                   date=election["date"], against_all_label=_text(path, "against_all",
                                                                    against, "label"),
                   control_figures=figures, contests=contests)


@lru_cache(maxsize=8)
def _cached(path: str) -> Mission:
    return load(path)


def mission_file(config=None) -> Path:
    """The mission file in use: ``MISSION_FILE`` from ``config`` (or the app's), else the 2023 one."""
    if config is None and has_app_context():
        config = current_app.config
    return Path((config or {}).get("MISSION_FILE") or DEFAULT_FILE)


def init_app(app) -> None:
    """Load the mission file at start-up: a broken one stops the app, not a report on the night."""
    _cached(str(mission_file(app.config).resolve()))


def mission() -> Mission:
    """The mission file of the current app (or the shipped one outside an app), read once."""
    return _cached(str(mission_file().resolve()))


def contest(contest_id: str) -> Contest | None:
    """One contest of the mission by id ("list", "smd", ...), or None."""
    return mission().contest(contest_id)


def list_contest() -> Contest:
    """The nationwide party list (id "list"; the mission file always has it)."""
    return mission().contest("list")


def district(number: int) -> District | None:
    """A single-member district by number, or None (also when the election has none)."""
    smd = mission().district_contest()
    if smd is None or not isinstance(number, int) or not 1 <= number <= len(smd.districts):
        return None
    return smd.districts[number - 1]


def district_numbers() -> tuple[int, ...]:
    """Every single-member district's number (none when the election has no districts)."""
    smd = mission().district_contest()
    return tuple(d.number for d in smd.districts) if smd else ()


def party_codes(contest_or_id: Contest | str) -> tuple[str, ...]:
    """A list contest's party codes in ballot order ("against all" not included)."""
    found = contest(contest_or_id) if isinstance(contest_or_id, str) else contest_or_id
    return tuple(p.code for p in found.parties) if found else ()


def item_codes(contest_or_id: Contest | str) -> tuple[str, ...]:
    """A list contest's ballot options in order: its parties, then against_all if on the ballot."""
    found = contest(contest_or_id) if isinstance(contest_or_id, str) else contest_or_id
    if found is None:
        return ()
    return party_codes(found) + ((AGAINST_ALL,) if found.against_all else ())


def control_codes() -> tuple[str, ...]:
    """The control figures of every protocol, in protocol order."""
    return tuple(f.code for f in mission().control_figures)


def contests_for_station(station: dict) -> list[tuple[Contest, District | None]]:
    """The ballots a station's voters get: (contest, the station's district or None).

    The nationwide list, then the station's single-member district (when its
    ``smd_district`` is set), then further list ballots of its region or of
    the whole country, in the mission file's order.
    """
    region = station.get("region")
    number = station.get("smd_district")
    ballots = []
    for item in mission().contests:
        if item.kind == "districts":
            found = district(number) if number is not None else None
            if found is not None:
                ballots.append((item, found))
        elif item.region is None or item.region == region:
            ballots.append((item, None))
    return ballots


def candidates(db, district_number: int) -> list[dict]:
    """The candidates of one district in ballot order (see ``models.candidates.in_district``)."""
    from models.candidates import in_district  # candidates imports this module
    return in_district(db, district_number)
