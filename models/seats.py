"""Seat arithmetic, pure: votes in, seats out. No database, no mission file.

The rule (README, "Seats"):

1. Threshold. A party takes part when its votes are at least ``threshold_percent``
   of the base: ``valid_votes`` is every valid vote, "against all" included;
   ``party_votes`` the votes for parties only. Exact fractions, no rounding.
2. Hare quota over the parties that passed: quota = their votes / seats. Each
   gets the whole part of votes / quota; the seats left go one each to the
   largest remainders; between equal remainders the larger vote total first.
   Parties with equal remainders and equal votes competing for the last seat(s)
   cannot be told apart by arithmetic: those seats are left ``undecided``
   (the law has them drawn by lot) rather than given by ballot order.
3. Districts: the candidate with the most votes wins; a tie for first place is
   undecided (None). "Against all" never wins a seat.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class ListSeats:
    """The outcome of a list allocation."""

    seats: dict[str, int]  # every party given, 0 below the threshold
    passed: tuple[str, ...]  # parties at or over the threshold, in the order given
    shares: dict[str, Fraction]  # each party's share of the threshold base, 0..1
    base: int  # the votes the threshold is a share of
    quota: Fraction | None  # Hare quota; None when nobody passed
    undecided: tuple[str, ...] = field(default=())  # parties tied for the last seat(s)
    undecided_seats: int = 0


def allocate_list(votes: Mapping[str, int], seats: int, threshold_percent: Fraction | int | str,
                  against_all: int = 0, base: str = "valid_votes") -> ListSeats:
    """Seats per party by the threshold and Hare largest remainder; see the module's rule."""
    if seats < 0 or against_all < 0 or any(v < 0 for v in votes.values()):
        raise ValueError("seats and votes cannot be negative")
    if base not in ("valid_votes", "party_votes"):
        raise ValueError(f"unknown threshold base {base!r}")
    threshold = Fraction(str(threshold_percent)) / 100
    total = sum(votes.values()) + (against_all if base == "valid_votes" else 0)
    shares = {party: Fraction(v, total) if total else Fraction(0) for party, v in votes.items()}
    passed = tuple(p for p, v in votes.items() if total and v > 0 and shares[p] >= threshold)
    result = dict.fromkeys(votes, 0)
    pool = sum(votes[p] for p in passed)
    if not passed or seats == 0:
        return ListSeats(result, passed, shares, total, None)
    quota = Fraction(pool, seats)
    exact = {p: votes[p] / quota for p in passed}
    for p in passed:
        result[p] = int(exact[p])  # floor: the values are non-negative
    left = seats - sum(result.values())

    def rank(party: str) -> tuple[Fraction, int]:
        return exact[party] - result[party], votes[party]

    order = sorted(passed, key=rank, reverse=True)
    undecided: tuple[str, ...] = ()
    undecided_seats = 0
    # The fractional parts add up to ``left``, each under 1: left < len(order).
    if left and rank(order[left]) == rank(order[left - 1]):
        tied = tuple(p for p in order if rank(p) == rank(order[left - 1]))
        ahead = [p for p in order[:left] if p not in tied]
        undecided, undecided_seats = tied, left - len(ahead)
        order, left = ahead, len(ahead)
    for party in order[:left]:
        result[party] += 1
    return ListSeats(result, passed, shares, total, quota, undecided, undecided_seats)


def district_winner(votes: Mapping[str, int]) -> str | None:
    """The candidate with the most votes; None when nobody got a vote or first place is tied."""
    if not votes:
        return None
    top = max(votes.values())
    leaders = [c for c, v in votes.items() if v == top]
    return leaders[0] if top > 0 and len(leaders) == 1 else None
