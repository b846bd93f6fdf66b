"""The commission interaction log: every meeting in time order, with what was asked and answered.

The selection is the meetings log page's own (forms.meeting_log_filter reads
it into models.meeting_log.LogFilter), and the meetings come from the
page's listing function, so the PDF lists exactly what the page lists. The
counts at the top leave out rejected meeting reports, as every statistic
does; the list shows them, marked as rejected.
"""

from datetime import datetime

from flask import render_template
from flask_babel import gettext as _
from sqlite_utils import Database

from models import meeting_log, vocabulary
from models.clock import to_iso, utc_now
from models.vocabulary import LEVEL_LABELS, STATE_LABELS, TOPIC_LABELS
from reports.entry_text import day, follow_up_row, label, left_out, local, newest, number
from reports.pdf import render_pdf

# A mission logs a few hundred meetings; beyond this the PDF says it was cut.
MAX_MEETINGS = 5000
# The counts cover up to MAX_MEETINGS; the list prints the newest of them, so that
# the PDF renders in a few seconds whatever the selection (the rest are counted).
MEETINGS_PRINTED = 300
# The log shows the start of each summary; the meeting's own PDF has all of it.
SUMMARY_CHARS = 400
COUNTS = ("meetings", "requests", "answered", "closed", "open", "overdue",
          "commitments", "commitments_overdue")


def _count(totals: dict, meeting: dict) -> None:
    totals["meetings"] += 1
    for item in meeting["follow_ups"]:
        if item["kind"] == "request":
            totals["requests"] += 1
            if item["status"] in ("answered", "closed", "open"):
                totals[item["status"]] += 1
            totals["overdue"] += item["overdue"]
        else:
            totals["commitments"] += 1
            totals["commitments_overdue"] += item["overdue"]


def build_log(db: Database, selection: meeting_log.LogSelection, *, mission: str = "",
              mission_zone: str = "Asia/Almaty", now: datetime | None = None) -> dict:
    """The log's figures and rows, oldest meeting first.

    Per commission level: meetings, requests made and how many are answered,
    closed, open and overdue (open past their due date), and the commission's
    commitments with how many are overdue; rejected meeting reports not counted.
    """
    now = now or utc_now()
    filters = selection.filters
    rows = meeting_log.log(db, filters, limit=MAX_MEETINGS)
    truncated = len(rows) == MAX_MEETINGS
    rows.reverse()  # the listing is newest first; a log reads in time order
    items = meeting_log.follow_ups_by_meeting(db, [r["id"] for r in rows])
    per_level = {level: dict.fromkeys(COUNTS, 0) for level in vocabulary.LEVELS}
    meetings = []
    for row in rows:
        counted = row["review_state"] != "rejected"
        meeting = {
            "number": number("interaction", row["id"]), "id": row["id"],
            "at": local(row["occurred_utc"], row["timezone"]),
            "commission": row["commission_name"],
            "level": label(LEVEL_LABELS, row["commission_level"]),
            "region": row["region"] or "—",
            "topics": ", ".join(label(TOPIC_LABELS, t) for t in row["topics"]),
            "summary": row["summary"] if len(row["summary"]) <= SUMMARY_CHARS
            else row["summary"][:SUMMARY_CHARS].rstrip() + "…",
            "author": row["author"], "rejected": not counted,
            "state": label(STATE_LABELS, row["review_state"]),
            "follow_ups": [follow_up_row(i, filters.today, counted)
                           for i in items.get(row["id"], [])]}
        meetings.append(meeting)
        if counted:
            _count(per_level[row["commission_level"]], meeting)
    total = {key: sum(level[key] for level in per_level.values()) for key in COUNTS}
    printed, earlier = newest(meetings, MEETINGS_PRINTED)
    return {
        "mission": mission, "title": _("Commission interaction log"),
        "selection": selection.description, "generated": local(to_iso(now), mission_zone),
        "today": day(filters.today), "truncated": truncated, "limit": MAX_MEETINGS,
        "levels": [{"level": label(LEVEL_LABELS, level), **per_level[level]}
                   for level in vocabulary.LEVELS],
        "total": total, "meetings": printed,
        "rejected": sum(m["rejected"] for m in meetings),
        "listed_out_of": len(meetings),
        "left_out": left_out(earlier, "and %(num)s earlier meeting, not printed: narrow the"
                             " selection to print it",
                             "and %(num)s earlier meetings, not printed: narrow the"
                             " selection to print them"),
    }


def log_pdf(report: dict) -> bytes:
    """The PDF of the interaction log (needs an app context for the template)."""
    return render_pdf(render_template("print/meeting_log.html", report=report))
