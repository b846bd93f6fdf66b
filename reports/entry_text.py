"""Entries as printed text: numbers (C12), local times, dates, labels, cut values.

Shared by the one-entry PDF (reports/entry.py), the meetings log
(reports/meeting_log.py) and the photo export, so an entry reads the same in each.
"""

from flask_babel import gettext as _
from flask_babel import ngettext

from models import meetings
from models.clock import day_text, local_text
from models.definitions import Question
from models.vocabulary import STATUS_LABELS
from models.vocabulary import answer_text as checklist_answer_text

# Entry numbers as people cite them (C12, I3); meetings have no number in the
# app's forms, so M is this report's own prefix.
PREFIX = {**meetings.REF_PREFIX, "interaction": "M"}
NONE = "—"
# A changed free-text answer is printed in full in the answers; the history shows its start.
HISTORY_VALUE_CHARS = 400


def number(kind: str, entry_id: int) -> str:
    """The entry's number as printed: C12, I3, M5."""
    return f"{PREFIX[kind]}{entry_id}"


def local(utc_text: str | None, zone: str) -> str:
    """Stored UTC text as local time with its offset and zone: 19.03.2023 10:00 UTC+6 (Asia/Almaty)."""
    return local_text(utc_text, zone, "zone") or NONE


def day(iso_day: str | None) -> str:
    """A stored YYYY-MM-DD date as 19.03.2023."""
    return day_text(iso_day, NONE)


def label(labels: dict, code) -> str:
    """A code in words, or the code itself when it has no label."""
    return str(labels.get(code, code)) if code not in (None, "") else NONE


def answer_text(value, question: Question) -> str:
    """A stored answer as the observer saw it in the form."""
    return checklist_answer_text(value, question, NONE)


def newest(items: list, limit: int) -> tuple[list, int]:
    """The last ``limit`` of ``items`` (oldest first), and how many earlier ones are left out."""
    left_out = max(len(items) - limit, 0)
    return items[left_out:], left_out


def left_out(count: int, singular: str, plural: str) -> str:
    """The line that says how many earlier items the PDF does not print ("" for none)."""
    return ngettext(singular, plural, count) if count else ""


def cut(text: str, limit: int = HISTORY_VALUE_CHARS) -> str:
    """``text`` up to ``limit`` characters, marked with … when cut."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def follow_up_row(item: dict, today: str, counted: bool = True) -> dict:
    """A request or commitment as printed; open past its due date is overdue.

    ``counted`` is False for items of a rejected meeting report, which are never overdue.
    """
    overdue = counted and item["status"] == "open" and bool(item["due_date"]) \
        and item["due_date"] < today
    return {"kind": item["kind"],
            "who": _("Request by the mission") if item["kind"] == "request"
            else _("Answer or commitment by the commission"),
            "text": item["text"], "due": day(item["due_date"]), "status": item["status"],
            "status_label": label(STATUS_LABELS, "overdue" if overdue else item["status"]),
            "overdue": overdue, "answer_date": day(item.get("answer_date")),
            "answer_text": item.get("answer_text") or ""}
