"""Plausible answers for the demo mission's checklists, valid per the definitions.

Answers take the shape the server-side form stores (forms/checklist.py): yes/no
and choice codes as text, whole numbers as int, ticked options as a list in the
order of the choices, times as HH:MM; questions skipped or left empty are absent.
Anything the definitions do not let an observer send, the demo does not send.
"""

import random

from models.definitions import Definition, Question

OVERALL = ("very_good", "good", "bad", "very_bad")
# Weights of the four assessments per form type. Counting and tabulation are
# worse than voting, as ODIHR found in Kazakhstan 2022-2023; overall about one
# checklist in nine is negative (bad or very bad).
OVERALL_WEIGHTS = {"opening": (30, 61, 7, 2), "voting": (35, 57, 6, 2),
                   "counting": (15, 60, 19, 6), "tabulation": (20, 62, 14, 4)}
# Chance that an ordinary question gets its problem answer: the assessment
# follows from what the observers saw, so bad visits see more problems.
PROBLEM_RATE = {"very_good": 0.01, "good": 0.04, "bad": 0.18, "very_bad": 0.35}
# Chance that the visit saw one or two serious problems (stuffing and the
# like): about 3% of all checklists, nearly all of them assessed negatively.
SERIOUS_RATE = {"very_good": 0.0, "good": 0.004, "bad": 0.12, "very_bad": 0.55}
# Problems common whatever the assessment (access for voters with disabilities
# was lacking in many stations in every recent ODIHR report on Kazakhstan).
BASE_RATE = {"accessible_disabilities": 0.35, "overcrowded": 0.08, "group_voting": 0.06,
             "campaign_material": 0.02, "unauthorized_present": 0.06, "voters_turned_away": 0.04,
             "complaints_filed": 0.03, "signatures_counted_first": 0.12,
             "unused_cancelled_first": 0.08, "figures_reconciled": 0.08, "ballots_shown": 0.1,
             # Election-day additions and absentee voting are common and legal in Kazakhstan.
             "supplementary_list_used": 0.55, "absentee_certificates": 0.3,
             "ballots_photographed": 0.05, "observers_see_identification": 0.1,
             "sequence_followed": 0.15, "choices_announced": 0.2, "protocol_from_draft": 0.1,
             "count_complaints": 0.03, "tec_complaints": 0.15, "tec_protocol_copy_given": 0.2}
# Which serious problems observers report most (weights; others count 1).
SERIOUS_WEIGHT = {"identical_signatures": 4, "ballot_box_stuffing": 2,
                  "ballots_exceed_signatures": 3, "protocol_presigned": 3, "figures_differ": 2,
                  "protocols_altered": 2}
# Questions whose help text asks for "not observed" when the thing did not happen.
NOT_OBSERVED_RATE = {"protocols_corrected_by_procedure": 0.4, "results_posted": 0.3,
                     "materials_sealed": 0.3, "tec_protocol_copy_given": 0.3,
                     "mobile_more_than_requests": 0.2}
CHOICE_WEIGHTS = {"queue_at_close": (82, 16, 2), "mobile_box_used": (30, 60, 10),
                  "mobile_box_counted": (45, 45, 10), "tec_level": (25, 75),
                  "assisted_voting": (40, 60), "recounts": (15, 75, 10),
                  # Most chairs of Kazakhstan's precinct commissions are women.
                  "chair_gender": (65, 35)}
# The commission's ratings follow the visit's overall assessment, give or take a step.
RATINGS = ("commission_understanding", "commission_transparency")
# Local times (minutes from midnight) of the count's start, after polls close at 20:00.
POLLS_CLOSE = 20 * 60
MULTI_WEIGHTS = {"unauthorized_who": {"police": 0.45, "local_officials": 0.45,
                                      "candidate_party_reps": 0.1, "other": 0.1},
                 "observers_present": {"party": 0.7, "public_association": 0.6,
                                       "media": 0.15, "international": 0.2}}
NOTES = {
    "notes_restrictions": (
        "The chairperson kept us behind a rope about five metres from the counting table.",
        "We were not allowed to see the voter list or the marks on the ballots.",
        "A police officer told us to stop taking notes and later asked us to leave.",
        "We were told to stay seated in the corner; the count table was out of view."),
    "notes_turned_away": (
        "Two voters were not on the list and were sent to another polling station.",
        "A voter without an identity document was turned away.",
        "Voters registered elsewhere were refused; the PEC had no absentee certificates."),
}
GENERIC_NOTE = "See comments."
GOOD_COMMENTS = (
    "Calm and well organized; the PEC chairperson answered all our questions.",
    "Procedures followed; a queue formed briefly around midday.",
    "Orderly; several citizen observers present and active.")
BAD_COMMENTS = (
    "The PEC secretary pre-filled parts of the protocol before the count.",
    "Several voters signed the list for family members without objection.",
    "Local akimat officials gave instructions to PEC members during our visit.",
    "Unused ballots were not cancelled before the boxes were opened.",
    "Observers were kept too far away to see how ballots were marked.",
    "Many identical signatures in one section of the voter list.")


def overall_for(form_type: str, rng: random.Random) -> str:
    """An overall assessment drawn with the type's weights."""
    return rng.choices(OVERALL, OVERALL_WEIGHTS[form_type])[0]


def answers_for(definition: Definition, overall: str, visit: dict,
                rng: random.Random) -> dict:
    """A complete, valid set of answers consistent with the overall assessment.

    ``visit`` carries the station's registered voters, the local arrival and
    departure (minutes from midnight on election day) and the names of the
    territorial commissions nearby: the figures and times depend on them.
    """
    level = PROBLEM_RATE[overall]
    serious = _serious_picks(definition, overall, rng)
    presets = _tabulation_presets(visit, rng) if definition.type == "tabulation" else {}
    figures: dict | None = None
    out: dict = {}
    for q in definition.questions.values():
        # Skip logic exactly as the server applies it: an irrelevant question has no answer.
        if q.relevant and out.get(q.relevant[0]) != q.relevant[1]:
            continue
        if q.id in presets:
            value = presets[q.id]
        elif q.id in RATINGS:
            value = _rating(overall, rng)
        elif q.type == "integer":
            if figures is None:  # figures depend on the yes/no answers before them
                figures = _figures(definition.type, out, visit, rng)
            value = figures.get(q.id, (q.min or 0) if q.required else None)
        else:
            value = _answer(q, level, serious, visit, rng)
        if value is not None:
            out[q.id] = value
    negative = overall in ("bad", "very_bad")
    if rng.random() < (0.5 if negative else 0.04):
        out["comments"] = rng.choice(BAD_COMMENTS if negative else GOOD_COMMENTS)
    return out


def _serious_picks(definition: Definition, overall: str, rng: random.Random) -> set[str]:
    candidates = [q.id for q in definition.questions.values() if q.serious]
    if not candidates or rng.random() >= SERIOUS_RATE[overall]:
        return set()
    weights = [SERIOUS_WEIGHT.get(qid, 1) for qid in candidates]
    return set(rng.choices(candidates, weights, k=1 if rng.random() < 0.8 else 2))


def _rating(overall: str, rng: random.Random) -> str:
    step = rng.choices((-1, 0, 1), (15, 70, 15))[0]
    return OVERALL[min(len(OVERALL) - 1, max(0, OVERALL.index(overall) + step))]


def _answer(q: Question, level: float, serious: set[str], visit: dict, rng: random.Random):
    if q.type == "yesno":
        fine = "no" if q.problem == "yes" else "yes"
        if q.serious:
            return q.problem if q.id in serious else fine
        if rng.random() < NOT_OBSERVED_RATE.get(q.id, 0.015):
            return "not_observed"
        return q.problem if rng.random() < BASE_RATE.get(q.id, 0.0) + level else fine
    if q.type == "choice":
        values = [v for v, _ in q.choices]
        weights = CHOICE_WEIGHTS.get(q.id)
        if weights is None or len(weights) != len(values):
            weights = [1] * len(values)
        return rng.choices(values, weights)[0]
    if q.type == "multi":
        return _ticks(q, rng)
    if q.type == "time":
        if q.id == "count_started":
            at = POLLS_CLOSE + rng.randint(5, 40)
        elif q.id == "count_ended":  # before the protocol was signed, below
            at = (visit["departure"] - rng.randint(45, 90)) % 1440
        else:  # the moment something was signed: shortly before the observers left
            at = (visit["departure"] - rng.randint(5, 40)) % 1440
        return f"{at // 60:02d}:{at % 60:02d}" if rng.random() < 0.85 else None
    if q.type == "text":
        if not q.required and rng.random() < 0.3:
            return None
        return rng.choice(NOTES.get(q.id, (GENERIC_NOTE,)))[:q.max_length]
    return None


def _ticks(q: Question, rng: random.Random) -> list[str] | None:
    values = [v for v, _ in q.choices]
    if "none" in values and rng.random() < 0.1:
        return ["none"]
    weights = MULTI_WEIGHTS.get(q.id, {})
    ticked = [v for v in values if v != "none" and rng.random() < weights.get(v, 0.3)]
    if not ticked and (q.required or q.id in MULTI_WEIGHTS):
        ticked = [values[0]]
    return ticked or None


def _tabulation_presets(visit: dict, rng: random.Random) -> dict:
    # The commission's name must agree with its level, so both are drawn together.
    level = rng.choices(("regional", "district"), CHOICE_WEIGHTS["tec_level"])[0]
    regional, district = visit["tec"]
    return {"tec_level": level, "tec_name": regional if level == "regional" else district}


def _figures(form_type: str, answers: dict, visit: dict, rng: random.Random) -> dict:
    """Whole-number answers that satisfy the definition's lte and sum checks."""
    figures = _commission(rng)
    figures.update(_station_figures(form_type, answers, visit, rng))
    return figures


def _commission(rng: random.Random) -> dict:
    """The commission's size and its women members, when the observers found out."""
    if rng.random() < 0.15:
        return {}
    members = rng.randint(5, 11)
    return {"commission_members": members,
            "commission_women": min(members, round(members * rng.uniform(0.4, 0.8)))}


def _station_figures(form_type: str, answers: dict, visit: dict, rng: random.Random) -> dict:
    voters = visit["voters"]
    on_list = min(10000, voters + rng.randint(0, voters // 50))  # added on election day
    if form_type == "voting":
        # Turnout builds up through the day (polls 07:00-20:00) to about 54%.
        progress = min(1.0, max(0.0, (visit["arrival"] - 420) / 780)) ** 0.85
        voted = int(on_list * rng.uniform(0.38, 0.8) * progress * rng.uniform(0.9, 1.1))
        return {"voters_on_list": on_list, "voters_voted": min(voted, on_list),
                "supplementary_count": max(1, on_list - voters)}
    if form_type == "opening":
        figures = {"minutes_late": min(720, 1 + int(rng.expovariate(1 / 12)))}
        if rng.random() < 0.9:
            figures["ballots_received"] = min(10000, voters + rng.randint(0, voters // 20))
        return figures
    # Counting: the protocol's figures are the protocol section's (models/demo_protocols.py).
    return {}
