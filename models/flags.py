"""Automatic flags on checklists, computed whenever a checklist is saved.

A flag is a code (for filtering) and a reason a reviewer can read without
opening the entry. Rules: more voters than on the list, departure before
arrival, figures that do not reconcile (the definition's checks, and a counting
checklist's protocol figures against ``models.protocols.CHECKS``), serious answers, and
conflicts: two teams' checklists for the same station and type that disagree
on a serious question or on the overall assessment by two steps or more.

Reasons are written in the interface language when the entry is saved (the
mission runs one interface language, BABEL_DEFAULT_LOCALE); codes are
language-free. ``refresh_checklist`` joins the caller's write transaction, so
an entry and its flags are never out of step.
"""

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlite_utils import Database

from models import protocols, stations
from models.clock import local_text
from models.db import writing
from models.definitions import Check, Definition, by_type
from models.vocabulary import OVERALL

# Counting figures about the voter list read as "more voters than on the list".
VOTER_LIST = "voters_on_list"
STEPS = {code: step for step, code in enumerate(OVERALL)}
KIND = "checklist"
_ROW_SQL = ("SELECT id, form_type, station_id, team, arrival_utc, departure_utc, timezone,"
            " answers, overall, review_state FROM checklists")


@dataclass(frozen=True)
class Flag:
    """One reason a checklist deserves a reviewer's look."""

    code: str
    reason: str
    other_id: int | None = None


def _yesno(value: str) -> str:
    return {"yes": _("yes"), "no": _("no")}.get(value, value)


def _overall(value: str) -> str:
    return {"very_good": _("very good"), "good": _("good"), "bad": _("bad"),
            "very_bad": _("very bad")}.get(value, value)


def _label(definition: Definition, question_id: str) -> str:
    question = definition.questions.get(question_id)
    return _(question.label) if question else question_id


def _inner(label: str) -> str:
    """A label inside a sentence: "Number of ..." → "number of ...", "PEC ..." kept."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def _check_flag(definition: Definition, check: Check, answers: dict) -> Flag | None:
    values = [answers.get(name) for name in check.fields()]
    if any(not isinstance(v, int) for v in values):
        return None
    if check.rule == "lte":
        left, right = values
        if left <= right:
            return None
        if check.right == VOTER_LIST:
            return Flag("voters_exceed_list", _(
                "%(what)s (%(voted)d) exceeds the number of voters on the list (%(listed)d).",
                what=_label(definition, check.left), voted=left, listed=right))
        return Flag("figures_mismatch", _(
            "%(left)s (%(a)d) exceeds the %(right)s (%(b)d).",
            left=_label(definition, check.left), a=left,
            right=_inner(_label(definition, check.right)), b=right))
    total, parts = values[0], values[1:]
    if total == sum(parts):
        return None
    return Flag("figures_mismatch", _(
        "%(total)s is %(a)d, but the figures that make it up add up to %(b)d (%(parts)s).",
        total=_label(definition, check.total), a=total, b=sum(parts),
        parts=", ".join(_inner(_label(definition, p)) for p in check.parts)))


def protocol_flags(ballots: tuple[protocols.Ballot, ...], protocol: dict) -> list[Flag]:
    """The flags a checklist's protocol figures earn: one per check a protocol fails."""
    found = []
    for ballot in ballots:
        figures = protocol.get(ballot.contest)
        if not figures:
            continue
        for check in protocols.problems(ballot, figures):
            left = sum(figures[code] for code in check.left)
            right = sum(figures[code] for code in check.right or ballot.option_codes())
            code = "voters_exceed_list" if check.right == (VOTER_LIST,) else "figures_mismatch"
            found.append(Flag(code, _("Protocol “%(ballot)s”: %(rule)s (%(a)d against "
                                      "%(b)d)", ballot=_(ballot.title), rule=str(check.message),
                                      a=left, b=right)))
    return found


def own_flags(definition: Definition, row: dict,
              ballots: tuple[protocols.Ballot, ...] = ()) -> list[Flag]:
    """The flags one checklist earns by itself (everything but conflicts).

    ``ballots``: the station's protocols (``protocols.ballots``) when ``row``
    carries protocol figures under ``"protocol"``.
    """
    answers = row["answers"]
    found = []
    for check in definition.checks:
        flag = _check_flag(definition, check, answers)
        if flag:
            found.append(flag)
    found.extend(protocol_flags(ballots, row.get("protocol") or {}))
    # ISO UTC text compares in time order.
    if row["departure_utc"] <= row["arrival_utc"]:
        zone = row["timezone"]
        found.append(Flag("departure_before_arrival", _(
            "Departure (%(departure)s) is not after arrival (%(arrival)s).",
            departure=local_text(row["departure_utc"], zone, "datetime"),
            arrival=local_text(row["arrival_utc"], zone, "datetime"))))
    serious = definition.serious_problems(answers)
    if serious:
        found.append(Flag("serious", _("Serious: %(questions)s",
                                       questions="; ".join(_(q.label) for q in serious))))
    return found


def differences(definition: Definition, mine: dict, theirs: dict) -> list[str]:
    """What two checklists of one station disagree on, seen from ``mine``; empty if nothing.

    A serious question counts when one has the problem answer and the other the
    opposite yes/no ("not observed" is no disagreement); the overall
    assessment counts when it is two steps apart or more.
    """
    found = []
    for question in definition.questions.values():
        if not question.serious or question.type != "yesno":
            continue
        opposite = "no" if question.problem == "yes" else "yes"
        a, b = mine["answers"].get(question.id), theirs["answers"].get(question.id)
        if {a, b} == {question.problem, opposite}:
            found.append(_("“%(question)s” %(mine)s here, %(theirs)s there",
                           question=_(question.label), mine=_yesno(a), theirs=_yesno(b)))
    a, b = mine["overall"], theirs["overall"]
    if a in STEPS and b in STEPS and abs(STEPS[a] - STEPS[b]) >= 2:
        found.append(_("overall assessment %(mine)s here, %(theirs)s there",
                       mine=_overall(a), theirs=_overall(b)))
    return found


def _conflict(definition: Definition, mine: dict, theirs: dict) -> Flag | None:
    found = differences(definition, mine, theirs)
    if not found:
        return None
    return Flag("conflict", _(
        "Team %(team)s's checklist #%(id)d for the same station disagrees: %(what)s.",
        team=theirs["team"], id=theirs["id"], what="; ".join(found)), other_id=theirs["id"])


def _decode(row) -> dict:
    names = ("id", "form_type", "station_id", "team", "arrival_utc", "departure_utc",
             "timezone", "answers", "overall", "review_state")
    entry = dict(zip(names, row))
    entry["answers"] = json.loads(entry["answers"])
    return entry


def _insert(db: Database, entry_id: int, flags: list[Flag]) -> None:
    db.conn.executemany(
        "INSERT INTO flags (entry_kind, entry_id, code, reason, other_id) VALUES (?, ?, ?, ?, ?)",
        [(KIND, entry_id, f.code, f.reason, f.other_id) for f in flags])


def refresh_checklist(db: Database, entry_id: int,
                      known: dict[str, Definition] | None = None, new: bool = False) -> None:
    """Recompute a checklist's flags and its conflict partners' flags about it.

    Call inside the write transaction that saved the entry (or its review
    state: rejected entries make no conflicts); opens one when there is none.
    ``new``: the entry was just inserted, so it has no flags to clear yet
    (this runs inside every submission's write lock).
    """
    if db.conn.in_transaction:
        _refresh(db, entry_id, known or by_type(), new)
    else:
        with writing(db):
            _refresh(db, entry_id, known or by_type(), new)


def _refresh(db: Database, entry_id: int, known: dict[str, Definition], new: bool) -> None:
    if not new:
        _clear(db, entry_id)
    found = db.execute(_ROW_SQL + " WHERE id = ?", [entry_id]).fetchone()
    definition = known.get(found[1]) if found else None
    if definition is None:
        return
    mine = _decode(found)
    mine["protocol"] = protocols.for_checklist(db, entry_id) \
        if mine["form_type"] in protocols.PROTOCOL_TYPES else {}
    flags = own_flags(definition, mine, _ballots(db, mine))
    if mine["review_state"] != "rejected":
        # One look-up on the (station_id, form_type) index.
        others = db.execute(_ROW_SQL + " WHERE station_id = ? AND form_type = ? AND id != ?"
                            " AND team != ? AND review_state != 'rejected'",
                            [mine["station_id"], mine["form_type"], entry_id, mine["team"]])
        for other in map(_decode, others.fetchall()):
            flag = _conflict(definition, mine, other)
            if flag:
                flags.append(flag)
                _insert(db, other["id"], [_conflict(definition, other, mine)])
    _insert(db, entry_id, flags)


def _ballots(db: Database, entry: dict) -> tuple[protocols.Ballot, ...]:
    """The station's protocols, looked up only when the entry has protocol figures."""
    if not entry.get("protocol"):
        return ()
    return protocols.ballots(db, stations.get(db, entry["station_id"]))


def _clear(db: Database, entry_id: int) -> None:
    # Conflict flags are always written in pairs, so the partners to clean up
    # are exactly those named in this entry's own conflict flags.
    partners = [r[0] for r in db.execute(
        "SELECT other_id FROM flags WHERE entry_kind = ? AND entry_id = ? AND code = 'conflict'",
        [KIND, entry_id])]
    db.conn.executemany(
        "DELETE FROM flags WHERE entry_kind = ? AND entry_id = ? AND code = 'conflict'"
        " AND other_id = ?", [(KIND, partner, entry_id) for partner in partners])
    db.execute("DELETE FROM flags WHERE entry_kind = ? AND entry_id = ?", [KIND, entry_id])


def rebuild(db: Database, known: dict[str, Definition] | None = None) -> int:
    """Recompute every checklist's flags (after a bulk import or the demo); returns the count.

    Reads station by station so conflicts are found without one query per entry.
    """
    known = known or by_type()
    count = 0
    with writing(db):
        db.execute("DELETE FROM flags WHERE entry_kind = ?", [KIND])
        group, key = [], None
        rows = db.execute(_ROW_SQL + " ORDER BY station_id, form_type, id").fetchall()
        for entry in map(_decode, rows):
            if (entry["station_id"], entry["form_type"]) != key:
                count += _rebuild_group(db, group, known)
                group, key = [], (entry["station_id"], entry["form_type"])
            group.append(entry)
        count += _rebuild_group(db, group, known)
    return count


def _rebuild_group(db: Database, group: list[dict], known: dict[str, Definition]) -> int:
    definition = known.get(group[0]["form_type"]) if group else None
    if definition is None:
        return 0
    count = 0
    if group[0]["form_type"] in protocols.PROTOCOL_TYPES:
        found = protocols.for_checklists(db, [entry["id"] for entry in group])
        for entry in group:
            entry["protocol"] = found.get(entry["id"], {})
    # One station per group: its protocols are laid out once.
    ballots = next((_ballots(db, entry) for entry in group if entry.get("protocol")), ())
    for mine in group:
        flags = own_flags(definition, mine, ballots)
        if mine["review_state"] != "rejected":
            for other in group:
                if other["team"] != mine["team"] and other["review_state"] != "rejected":
                    flag = _conflict(definition, mine, other)
                    if flag:
                        flags.append(flag)
        _insert(db, mine["id"], flags)
        count += len(flags)
    return count


def for_entry(db: Database, kind: str, entry_id: int) -> list[dict]:
    """An entry's flags, in the order they were found."""
    return list(db.query("SELECT code, reason, other_id FROM flags WHERE entry_kind = ?"
                         " AND entry_id = ? ORDER BY id", [kind, entry_id]))
