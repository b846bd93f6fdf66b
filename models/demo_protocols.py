"""The demo's observed protocols: plausible figures for its counting checklists.

Most reconcile; a few do not, as real protocols sometimes do not (more
ballots in the boxes than were issued where the observers saw stuffing, or a
figure miscopied by the commission), and those are confirmed "as written".
Each checklist's figures are drawn from its own generator seeded by its uuid,
so adding them changes nothing else the demo's seed gives.
"""

import random

from models import protocols
from models.contests import AGAINST_ALL

# Party-list result (CEC, 27 March 2023), in per cent, keyed by party code.
PARTY_SHARES = {"amanat": 53.90, "auyl": 10.90, "respublica": 8.59, "aq_zhol": 8.41,
                "peoples_party": 6.80, "nsdp": 5.20, "baytaq": 2.30, AGAINST_ALL: 3.90}
# A protocol with a figure the commission got wrong, besides the stuffed boxes.
MISCOPIED = 0.04
# Observers without a copy of the protocol still noted it a third of the time.
SEEN_WITHOUT_COPY = 0.3


def protocol_for(filing, station: dict, by_district: dict[int, list[dict]]) -> dict:
    """{contest: {item: value}} for one demo counting checklist ({} when not seen).

    Sets ``figures_confirmed`` in the filing's answers when they do not add up.
    """
    rng = random.Random(filing.uuid)
    answers = filing.answers
    if answers.get("protocol_copy_given") != "yes" and rng.random() > SEEN_WITHOUT_COPY:
        return {}
    controls = _controls(answers, station["registered_voters"], rng)
    ballots = protocols.ballots(None, station, by_district)
    found = {}
    for ballot in ballots:
        figures = dict(controls)
        # Each ballot has its own invalid ones.
        invalid = round(controls["ballots_in_boxes"] * rng.uniform(0.005, 0.03))
        figures.update(invalid=invalid, valid=controls["ballots_in_boxes"] - invalid)
        figures.update(_split(figures["valid"], ballot.option_codes(), rng))
        found[ballot.contest] = figures
    if found and rng.random() < MISCOPIED:
        figures = found[rng.choice(list(found))]
        item = rng.choice(list(figures)[7:])  # a vote, not a control figure
        figures[item] += rng.choice((-1, 1)) * rng.randint(1, 20) if figures[item] > 20 else 7
    if any(protocols.problems(b, found[b.contest]) for b in ballots):
        answers["figures_confirmed"] = True
    return found


def _controls(answers: dict, voters: int, rng: random.Random) -> dict:
    """The control figures: more in the boxes than issued where the observers saw it."""
    on_list = voters + rng.randint(0, voters // 50)
    issued = int(on_list * rng.uniform(0.38, 0.8))
    received = on_list + rng.randint(0, 10)
    in_boxes = issued
    if answers.get("ballots_exceed_signatures") == "yes":
        in_boxes = min(received, issued + rng.randint(5, 60))
    return {"voters_on_list": on_list, "ballots_received": received, "ballots_issued": issued,
            "ballots_cancelled": received - max(issued, in_boxes), "ballots_in_boxes": in_boxes}


def _split(valid: int, codes: tuple[str, ...], rng: random.Random) -> dict[str, int]:
    """The valid ballots shared between the options, adding up exactly."""
    # Parties as in 2023, "against all" as on the list, candidates anywhere from 5 to 40.
    weights = {code: (PARTY_SHARES.get(code) or rng.uniform(5, 40))
               * rng.lognormvariate(0, 0.25) for code in codes}
    scale = valid / sum(weights.values())
    votes = {code: int(w * scale) for code, w in weights.items()}
    leftover = valid - sum(votes.values())
    for code in sorted(weights, key=lambda c: weights[c] * scale - votes[c],
                       reverse=True)[:leftover]:
        votes[code] += 1
    return votes
