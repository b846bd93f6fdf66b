"""The commission interaction log: every meeting in time order, with what was asked and answered.

The selection is the meetings log page's own (forms.interaction.LogFilterForm
read into models.meeting_log.LogFilter), and the meetings come from the
page's listing function, so the PDF lists exactly what the page lists. The
counts at the top leave out rejected meeting reports, as every statistic
does; the list shows them, marked as rejected.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import gettext as _
from sqlite_utils import Database
from werkzeug.datastructures import MultiDict

from forms.interaction import LEVEL_LABELS, STATUS_LABELS, TOPIC_LABELS, LogFilterForm
from forms.review import STATE_LABELS
from models import interactions, meeting_log
from models.clock import local_to_utc, to_iso, utc_now
from reports.entry import day, follow_up_row, label, local, number
from reports.pdf import render_pdf

# A mission logs a few hundred meetings; beyond this the PDF says it was cut.
MAX_MEETINGS = 5000
# The log shows the start of each summary; the meeting's own PDF has all of it.
SUMMARY_CHARS = 400
COUNTS = ("meetings", "requests", "answered", "closed", "open", "overdue",
          "commitments", "commitments_overdue")


@dataclass
class LogSelection:
    """A validated selection of the log, or the messages saying what is wrong."""

    filters: meeting_log.LogFilter | None
    description: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the filters could be read."""
        return not self.errors


def parse_filters(args, regions: list[str], mission_zone: str,
                  now: datetime | None = None) -> LogSelection:
    """Read the log's filters (level, region, topic, status, since, until) as the page does.

    ``args`` is a request's query arguments or a plain dict from the command line.
    """
    formdata = args if hasattr(args, "getlist") else \
        MultiDict({k: v for k, v in args.items() if v not in (None, "")})
    form = LogFilterForm(formdata, regions=regions)
    if not form.validate():
        return LogSelection(None, errors=[_message(form[name], message)
                                          for name, messages in form.errors.items()
                                          for message in messages])
    today = (now or utc_now()).astimezone(ZoneInfo(mission_zone)).date()

    def bound(day) -> str:
        return to_iso(local_to_utc(day, time(0), mission_zone))

    filters = meeting_log.LogFilter(
        level=form.level.data or "", region=form.region.data or "",
        topic=form.topic.data or "", status=form.status.data or "",
        since_utc=bound(form.since.data) if form.since.data else "",
        until_utc=bound(form.until.data + timedelta(days=1)) if form.until.data else "",
        today=today.isoformat())
    return LogSelection(filters, _describe(form))


def _message(field, message) -> str:
    """What is wrong with one filter; for a list, the codes it accepts (the CLI types codes)."""
    codes = [choice[0] for choice in field.iter_choices() if choice[0]] \
        if hasattr(field, "iter_choices") else []
    known = (" " + _("Choose one of: %(codes)s.", codes=", ".join(codes))) if codes else ""
    return f"{field.label.text}: {message}{known}"


def _describe(form: LogFilterForm) -> str:
    """The selection in words, for the cover and the running header."""
    since, until = form.since.data, form.until.data
    if since and until:
        dates = _("%(start)s to %(end)s", start=f"{since:%d.%m.%Y}", end=f"{until:%d.%m.%Y}")
    elif since or until:
        dates = _("from %(start)s", start=f"{since:%d.%m.%Y}") if since \
            else _("until %(end)s", end=f"{until:%d.%m.%Y}")
    else:
        dates = _("all dates")
    return "; ".join([
        dates,
        label(LEVEL_LABELS, form.level.data) if form.level.data else _("all commission levels"),
        form.region.data or _("all regions"),
        label(TOPIC_LABELS, form.topic.data) if form.topic.data else _("all topics"),
        _("follow-up: %(status)s", status=label(STATUS_LABELS, form.status.data))
        if form.status.data else _("any follow-up status")])


def _items_by_meeting(db: Database, ids: list[int]) -> dict[int, list[dict]]:
    """Every meeting's requests and commitments in one query, requests first."""
    found: dict[int, list[dict]] = {}
    for row in db.query("SELECT interaction_id, kind, text, due_date, status, answer_date,"
                        " answer_text FROM follow_ups WHERE interaction_id IN"
                        " (SELECT value FROM json_each(?)) ORDER BY kind DESC, id",
                        [json.dumps(ids)]):
        found.setdefault(row.pop("interaction_id"), []).append(row)
    return found


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


def build_log(db: Database, selection: LogSelection, *, mission: str = "",
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
    items = _items_by_meeting(db, [r["id"] for r in rows])
    per_level = {level: dict.fromkeys(COUNTS, 0) for level in interactions.LEVELS}
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
    return {
        "mission": mission, "title": _("Commission interaction log"),
        "selection": selection.description, "generated": local(to_iso(now), mission_zone),
        "today": day(filters.today), "truncated": truncated, "limit": MAX_MEETINGS,
        "levels": [{"level": label(LEVEL_LABELS, level), **per_level[level]}
                   for level in interactions.LEVELS],
        "total": total, "meetings": meetings,
        "rejected": sum(m["rejected"] for m in meetings),
    }


def log_pdf(report: dict) -> bytes:
    """The PDF of the interaction log (needs an app context for the template)."""
    return render_pdf(render_template("reports/interactions.html", report=report))
