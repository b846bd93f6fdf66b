"""The mission's vocabulary: every stored code and the words people read for it.

Answers, categories, levels and states are stored as codes (so an entry filed
in one language counts with one filed in another); pages, PDFs and exports
show these labels. Models, forms and reports all import from here: it sits
beneath all three, so no lower layer reaches up for a label.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models.clock import local_text

# Checklist answers.
YESNO = ("yes", "no", "not_observed")
OVERALL = ("very_good", "good", "bad", "very_bad")
YESNO_LABELS = {"yes": _l("Yes"), "no": _l("No"), "not_observed": _l("Not observed")}
OVERALL_LABELS = {"very_good": _l("Very good"), "good": _l("Good"),
                  "bad": _l("Bad"), "very_bad": _l("Very bad")}

# A checklist's own fields (not questions), as its history and its PDF name them.
CHECKLIST_FIELD_LABELS = {"arrival_utc": _l("Arrival"), "departure_utc": _l("Departure"),
                          "overall": _l("Overall assessment"),
                          "comments": _l("Observers' comments"),
                          "figures_confirmed": _l("The figures are correct as written")}

# Kinds of entry, as stored in entry_kind columns and the audit log.
ENTRY_KINDS = ("checklist", "incident", "interaction")
KIND_LABELS = {"checklist": _l("Checklist"), "incident": _l("Incident report"),
               "interaction": _l("Meeting with a commission")}

# Incident reports.
CATEGORIES = ("intimidation", "ballot_box_stuffing", "carousel_multiple_voting",
              "observers_obstructed", "campaign_in_station", "vote_buying",
              "unauthorized_persons", "violence", "other")
CATEGORY_LABELS = {
    "intimidation": _l("Intimidation or pressure on voters"),
    "ballot_box_stuffing": _l("Ballot-box stuffing"),
    "carousel_multiple_voting": _l("Carousel or multiple voting"),
    "observers_obstructed": _l("Observers obstructed"),
    "campaign_in_station": _l("Campaigning in the polling station"),
    "vote_buying": _l("Vote buying"),
    "unauthorized_persons": _l("Unauthorized persons present"),
    "violence": _l("Violence"),
    "other": _l("Other"),
}
# An incident report's fields, as its history and its PDF name them.
INCIDENT_FIELD_LABELS = {
    "occurred_utc": _l("Time"), "station_id": _l("Polling station"), "region": _l("Region"),
    "place": _l("Place"), "category": _l("What happened"), "severity": _l("How serious"),
    "description": _l("Description"),
    "reported_to_commission": _l("Reported to the election commission?"),
    "commission_response": _l("What did the commission do?")}
SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High"),
                   "critical": _l("Critical")}
# Severities a reviewer must not miss: badged in every listing.
SERIOUS_SEVERITIES = ("high", "critical")

# Meetings with election commissions.
LEVELS = ("cec", "territorial", "district", "precinct")
ROLE_LABELS = {"observer": _l("Observer"), "coordinator": _l("Coordinator"),
               "liaison": _l("CEC liaison"), "admin": _l("Administrator")}
LEVEL_LABELS = {"cec": _l("Central Election Commission (CEC)"),
                "territorial": _l("Territorial commission (TEC)"),
                "district": _l("District (okrug) commission"),
                "precinct": _l("Precinct commission (PEC)")}
TOPICS = ("accreditation_access", "voter_lists", "candidate_party_registration",
          "list_quota_30", "complaints_appeals", "polling_procedures", "counting_protocols",
          "results_tabulation", "media", "other")
TOPIC_LABELS = {"accreditation_access": _l("Accreditation and observer access"),
                "voter_lists": _l("Voter lists"),
                "candidate_party_registration": _l("Candidate and party registration"),
                "list_quota_30": _l("Party-list quota (30%)"),
                "complaints_appeals": _l("Complaints and appeals"),
                "polling_procedures": _l("Polling procedures"),
                "counting_protocols": _l("Counting and protocols"),
                "results_tabulation": _l("Results and tabulation"),
                "media": _l("Media"), "other": _l("Other")}
# A meeting report's fields, as its history and its PDF name them.
MEETING_FIELD_LABELS = {
    "occurred_utc": _l("When"), "timezone": _l("Time zone"), "place": _l("Place"),
    "commission_level": _l("Commission level"), "commission_name": _l("Commission"),
    "region": _l("Region"), "counterparts": _l("Counterparts"),
    "participants": _l("Mission participants"), "topics": _l("Topics"), "summary": _l("Summary"),
    "follow_ups": _l("Requests and commitments"), "links": _l("Linked entries")}
FOLLOW_UP_KINDS = ("request", "commitment")
FOLLOW_UP_STATUSES = ("open", "answered", "closed")
# "overdue" is not stored: an open item past its due date is shown as overdue.
STATUS_LABELS = {"open": _l("Open"), "answered": _l("Answered"), "closed": _l("Closed"),
                 "overdue": _l("Overdue")}

# Review.
STATES = ("submitted", "verified", "needs_clarification", "rejected")
STATE_LABELS = {"submitted": _l("Submitted"), "verified": _l("Verified"),
                "needs_clarification": _l("Needs clarification"), "rejected": _l("Rejected")}
# What the button that moves an entry to each state says.
MOVE_LABELS = {"submitted": _l("Reopen"), "verified": _l("Verify"),
               "needs_clarification": _l("Send back for clarification"),
               "rejected": _l("Reject")}
FLAGS = ("voters_exceed_list", "departure_before_arrival", "figures_mismatch", "serious",
         "conflict")
FLAG_LABELS = {"voters_exceed_list": _l("More voters than on the list"),
               "departure_before_arrival": _l("Departure before arrival"),
               "figures_mismatch": _l("Figures do not add up"),
               "serious": _l("Serious answer"),
               "conflict": _l("Teams disagree (conflict)")}


def label(labels: dict, code: str | None) -> str:
    """The words for a code, or the code itself when it has none (old or unknown data)."""
    return str(labels.get(code, code or ""))


def answer_text(value, question, empty: str = "—") -> str:
    """A stored checklist answer as the observer saw it in the form (pages, PDFs)."""
    if value in (None, "", []):
        return empty
    if question.type == "yesno":
        return str(YESNO_LABELS.get(value, value))
    choices = {code: str(_l(text)) for code, text in question.choices}
    if question.type == "multi":
        return ", ".join(choices.get(v, v) for v in value)
    if question.type == "choice":
        return choices.get(value, value)
    return str(value)


def checklist_changes(changes: dict, definition, zone: str, time_style: str = "offset",
                      empty: str = "—") -> list[tuple[str, str, str]]:
    """One version's changes as (what, before, after) in the form's own wording.

    The entry page and the PDF both show a checklist's history through this:
    question text and answer labels, never the stored codes. Times are local
    to ``zone`` in a ``models.clock`` style (the PDF names the zone).
    """
    questions = definition.questions
    rows = []
    for key, (before, after) in changes.items():
        question = questions.get(key)
        if question is not None:
            rows.append((_(question.label), answer_text(before, question, empty),
                         answer_text(after, question, empty)))
            continue
        if key.startswith("protocol-"):
            rows.append((protocol_figure_label(key), *(empty if value is None else str(value)
                                                      for value in (before, after))))
            continue
        rows.append((label(CHECKLIST_FIELD_LABELS, key),
                     *(_checklist_field_text(key, value, zone, time_style, empty)
                       for value in (before, after))))
    return rows


def protocol_figure_label(key: str) -> str:
    """``protocol-list-amanat`` in words: "Protocol: Party list · Amanat".

    Control figures and parties by their mission-file labels; candidates by
    their code (their names are in the database, not here).
    """
    from models import contests  # the mission file is read with the app, not at import
    _prefix, contest_id, item = key.split("-", 2)
    contest = contests.contest(contest_id)
    names = {f.code: f.label for f in contests.mission().control_figures}
    names[contests.AGAINST_ALL] = contests.mission().against_all_label
    if contest is not None:
        names.update((p.code, p.label) for p in contest.parties)
    what = _(names[item]) if item in names else item
    return _("Protocol: %(contest)s · %(figure)s",
             contest=_(contest.title) if contest else contest_id, figure=what)


def _checklist_field_text(key: str, value, zone: str, time_style: str, empty: str) -> str:
    if value in (None, "", []):
        return empty
    if key.endswith("_utc"):
        return local_text(value, zone, time_style) or empty
    if key == "overall":
        return label(OVERALL_LABELS, value)
    if value is True:
        return str(YESNO_LABELS["yes"])
    return str(value)
