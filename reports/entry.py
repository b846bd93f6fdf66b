"""One checklist, incident or meeting report as filed, for a complaint file (PDF).

``build_entry`` gathers the entry with every answer and its question, the
version history with what each version changed, the review decisions with
their reasons, the comment thread, the automatic flags and the meetings where
the entry was raised, all as display text in plain dicts: the template only
lays them out, and a test can read the same text back from the PDF.
"""

import base64
from datetime import datetime
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlite_utils import Database

from models import (
    checklists,
    comments,
    entries,
    flags,
    incidents,
    liaison,
    media,
    meetings,
    photos,
    review,
    stations,
    vocabulary,
)
from models.clock import local_today, to_iso, utc_now
from models.definitions import Definition
from models.definitions import get as get_definition
from models.vocabulary import (
    CATEGORY_LABELS,
    FLAG_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    OVERALL_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
    TOPIC_LABELS,
    YESNO_LABELS,
)
from reports.entry_text import (
    NONE,
    answer_text,
    cut,
    day,
    follow_up_row,
    label,
    left_out,
    local,
    newest,
    number,
)
from reports.pdf import render_pdf
from reports.protocols import entry_tables as protocol_tables

KINDS = ("checklist", "incident", "interaction")
# What one entry's PDF prints at most: the newest comments, versions and review
# decisions, the earlier ones counted. 300 comments of 2,000 characters took 30 s
# and died on gunicorn's time-out; with these bounds any thread renders in a few
# seconds (bench/report.py --entry). The entry's page and the exports keep them all.
COMMENTS_PRINTED = 30
VERSIONS_PRINTED = 30
EVENTS_PRINTED = 50
# Photos printed in an entry's PDF; the rest are counted (the export has them all).
PDF_PHOTOS = 12


def build_entry(db: Database, kind: str, entry_id: int, definitions: dict[str, Definition], *,
                mission: str = "", mission_zone: str = "Asia/Almaty", with_flags: bool = True,
                now: datetime | None = None, media_root: Path | None = None,
                second: str | None = None) -> dict | None:
    """Everything one entry's PDF shows, as display text; None when the entry does not exist.

    ``with_flags`` False leaves out the automatic flags (observers do not see
    them on the entry page either). Review events and comments are shown in
    the mission's zone, the entry's own times in its station's or region's zone.
    ``media_root`` (the media folder) adds the entry's photos, at most PDF_PHOTOS.
    ``second`` (a language code) words a checklist's questions and answers in that
    language too, under the first: the bilingual copy for a commission.
    """
    now = now or utc_now()
    today = local_today(mission_zone, now).isoformat()
    if kind == "checklist":
        entry = checklists.get(db, entry_id)
        body = _checklist(db, entry, definitions, second) if entry else None
    elif kind == "incident":
        entry = incidents.get(db, entry_id)
        body = _incident(db, entry) if entry else None
    elif kind == "interaction":
        entry = meetings.get(db, entry_id)
        body = _meeting(db, entry, today) if entry else None
    else:
        raise ValueError(f"unknown entry kind {kind!r}")
    if entry is None:
        return None
    ref = number(kind, entry_id)
    header = [(_("Number"), ref), *body.pop("header"),
              (_("Team"), _("CEC liaison") if entry["team"] == meetings.LIAISON_TEAM
               else entry["team"]),
              (_("Authors"), ", ".join(body["authors"])),
              (_("Received"), local(entry["created_utc"], entry["timezone"])),
              (_("Last changed"), local(entry["updated_utc"], entry["timezone"])),
              (_("Version"), str(entry["version"])),
              (_("Review state"), label(STATE_LABELS, entry["review_state"]))]
    entry_flags = [{"label": label(FLAG_LABELS, f["code"]), "reason": f["reason"]}
                   for f in flags.for_entry(db, kind, entry_id)] if with_flags else None
    thread, comments_left_out = newest(comments.for_entry(db, kind, entry_id), COMMENTS_PRINTED)
    decisions, events_left_out = newest(review.events(db, kind, entry_id), EVENTS_PRINTED)
    body["versions"], versions_left_out = newest(body["versions"], VERSIONS_PRINTED)
    return {
        **body, "kind": kind, "second": second, "kind_label": str(KIND_LABELS[kind]),
        "id": entry_id,
        "number": ref, "team": entry["team"], "review_state": entry["review_state"],
        "header": header, "mission": mission,
        "title": f"{KIND_LABELS[kind]} {ref}",
        "selection": f"{KIND_LABELS[kind]} {ref} · {body['subject']}",
        "generated": local(to_iso(now), mission_zone),
        "events": [{"at": local(e["at_utc"], mission_zone), "who": e["username"],
                    "from": label(STATE_LABELS, e["from_state"]),
                    "to": label(STATE_LABELS, e["to_state"]), "reason": e["reason"]}
                   for e in decisions],
        "comments": [{"at": local(c["at_utc"], mission_zone), "who": c["username"],
                      "text": c["body"]} for c in thread],
        # "and 260 earlier comments, not printed": what the bounds above left out.
        "comments_left_out": left_out(
            comments_left_out, "and %(num)s earlier comment, not printed",
            "and %(num)s earlier comments, not printed"),
        "events_left_out": left_out(
            events_left_out, "and %(num)s earlier review decision, not printed",
            "and %(num)s earlier review decisions, not printed"),
        "versions_left_out": left_out(
            versions_left_out, "and %(num)s earlier version, not printed",
            "and %(num)s earlier versions, not printed"),
        "flags": entry_flags,
        "meetings": _raised_in(db, kind, entry_id, today),
        "photos": _photos(db, kind, entry_id, media_root, mission_zone,
                          _question_names(kind, entry, definitions)),
    }


def _question_names(kind: str, entry: dict, definitions: dict[str, Definition]) -> dict:
    """What a photo may show, in words: the checklist's questions, or the report's fields."""
    if kind == "checklist":
        return {q.id: _(q.label) for q in definitions[entry["form_type"]].questions.values()}
    return vocabulary.INCIDENT_FIELD_LABELS if kind == "incident" \
        else vocabulary.MEETING_FIELD_LABELS


def _photos(db: Database, kind: str, entry_id: int, root: Path | None, zone: str,
            names: dict) -> dict:
    """The entry's first PDF_PHOTOS photos as data: URLs (the renderer fetches nothing else)."""
    rows = photos.for_entry(db, kind, entry_id) if root is not None else []
    shown = []
    for row in rows[:PDF_PHOTOS]:
        try:
            data = media.read(root, row["sha256"])
        except OSError:
            data = None  # a missing file is listed without its picture (flask verify-media)
        shown.append({"src": "data:image/jpeg;base64," + base64.b64encode(data).decode()
                      if data else "", "sha256": row["sha256"],
                      "question": str(names.get(row["question"], row["question"] or "")),
                      "by": row["uploaded_by_name"], "at": local(row["uploaded_utc"], zone),
                      "taken": local(row["captured_utc"], zone) if row["captured_utc"] else NONE})
    return {"shown": shown, "more": max(0, len(rows) - PDF_PHOTOS)}


def _authors(versions: list[dict]) -> list[str]:
    """Who filed the entry, then who else saved a version of it, in that order."""
    return list(dict.fromkeys(v["editor"] for v in versions))


def _history(versions: list[dict], names, shown) -> list[dict]:
    """Each version with who saved it, when, and its changes as (what, before, after) text.

    ``names(key)`` is the changed field in words ("" leaves it out), ``shown(key, value)``
    one of its values.
    """
    return [{"version": v["version"], "editor": v["editor"], "at": v["at"],
             "changes": [(name, cut(shown(key, old)), cut(shown(key, new)))
                         for key, (old, new) in v["changes"].items() if (name := names(key))]}
            for v in versions]


def _answers(definition: Definition, answers: dict) -> list[dict]:
    """The sections with their answered questions, worded in the current language."""
    sections = []
    for section in definition.sections:
        rows = [{"label": _(q.label), "value": answer_text(answers[q.id], q),
                 "serious": q.serious and answers[q.id] == q.problem}
                for q in section.questions if q.id in answers]
        if rows:
            sections.append({"title": _(section.title), "answers": rows})
    return sections


def _checklist(db: Database, entry: dict, definitions: dict[str, Definition],
               second: str | None = None) -> dict:
    definition = definitions[entry["form_type"]]
    if entry.get("form_version") not in (None, definition.version):  # filed under an older one
        definition = get_definition(entry["form_type"], entry["form_version"]) or definition
    zone, answers = entry["timezone"], entry["answers"]
    sections = _answers(definition, answers)
    if second:
        with force_locale(second):
            worded = _answers(definition, answers)
        for section, other in zip(sections, worded):
            section["second"] = other["title"]
            for row, other_row in zip(section["answers"], other["answers"]):
                row["second_label"], row["second_value"] = other_row["label"], other_row["value"]

    versions = [{**v, "at": local(v["edited_utc"], zone)}
                for v in entries.versions(db, checklists.CHECKLISTS, entry["id"])]
    serious = definition.serious_problems(answers)
    station = f"{_('No.')} {entry['station_number']} · {entry['station_name']}"
    return {
        "subject": _("polling station No. %(number)s", number=entry["station_number"]),
        "type_title": _(definition.title),
        "header": [
            (_("Checklist"), _(definition.title)),
            (_("Polling station"), station),
            (_("District"), entry["district"] or NONE), (_("Region"), entry["region"]),
            (_("Arrival"), local(entry["arrival_utc"], zone)),
            (_("Departure"), local(entry["departure_utc"], zone)),
            (_("Overall assessment"), label(OVERALL_LABELS, entry["overall"])),
            (_("Serious problems"), "; ".join(_(q.label) for q in serious) or _("none"))],
        "serious_count": len(serious), "sections": sections,
        "protocol": protocol_tables(db, entry),
        "observer_comments": answers.get("comments", ""),
        "authors": _authors(versions),
        "versions": [{"version": v["version"], "editor": v["editor"], "at": v["at"],
                      "changes": vocabulary.checklist_changes(v["changes"], definition, zone,
                                                              "zone", NONE)}
                     for v in versions],
    }


def _incident(db: Database, entry: dict) -> dict:
    zone = entry["timezone"]
    station_numbers: dict[int, str] = {}

    def station(station_id) -> str:
        if station_id not in station_numbers:
            found = stations.get(db, station_id)
            station_numbers[station_id] = f"{_('No.')} {found['number']}" if found else "?"
        return station_numbers[station_id]

    def names(key):
        return str(vocabulary.INCIDENT_FIELD_LABELS[key]) if key in vocabulary.INCIDENT_FIELD_LABELS else ""

    def shown(key, value):
        if value in (None, ""):
            return NONE
        return {"occurred_utc": lambda: local(value, zone), "station_id": lambda: station(value),
                "category": lambda: label(CATEGORY_LABELS, value),
                "severity": lambda: label(SEVERITY_LABELS, value),
                "reported_to_commission": lambda: label(YESNO_LABELS, value),
                }.get(key, lambda: str(value))()

    versions = [{**v, "at": local(v["edited_utc"], zone)}
                for v in entries.versions(db, incidents.INCIDENTS, entry["id"])]
    where = f"{_('No.')} {entry['station_number']} · {entry['station_name']}" \
        if entry["station_id"] else NONE
    return {
        "subject": label(CATEGORY_LABELS, entry["category"]),
        "header": [(_("What happened"), label(CATEGORY_LABELS, entry["category"])),
                   (_("How serious"), label(SEVERITY_LABELS, entry["severity"])),
                   (_("Time"), local(entry["occurred_utc"], zone)),
                   (_("Polling station"), where), (_("Place"), entry["place"] or NONE),
                   (_("Region"), entry["region"])],
        "serious": entry["severity"] in vocabulary.SERIOUS_SEVERITIES,
        "fields": [(str(vocabulary.INCIDENT_FIELD_LABELS["description"]), entry["description"]),
                   (str(vocabulary.INCIDENT_FIELD_LABELS["reported_to_commission"]),
                    label(YESNO_LABELS, entry["reported_to_commission"])),
                   (str(vocabulary.INCIDENT_FIELD_LABELS["commission_response"]),
                    entry["commission_response"] or NONE)],
        "authors": _authors(versions), "versions": _history(versions, names, shown),
    }


def _meeting(db: Database, entry: dict, today: str) -> dict:
    zone = entry["timezone"]

    def names(key):
        return str(vocabulary.MEETING_FIELD_LABELS.get(key, key))

    def shown(key, value):
        if value in (None, "", []):
            return NONE
        if key == "occurred_utc":
            return local(value, zone)
        if key == "commission_level":
            return label(LEVEL_LABELS, value)
        if key == "topics":
            return ", ".join(label(TOPIC_LABELS, t) for t in value)
        if key == "counterparts":
            return "; ".join(p["name"] + (f" ({p['position']})" if p.get("position") else "")
                             for p in value)
        if key == "follow_ups":
            return "; ".join(f["text"] + (f" [{day(f['due_date'])}]" if f.get("due_date") else "")
                             for f in value)
        return ", ".join(value) if isinstance(value, list) else str(value)

    versions = [{**v, "at": local(v["edited_utc"], zone)}
                for v in entries.versions(db, meetings.MEETINGS, entry["id"])]
    counted = entry["review_state"] != "rejected"
    items = [follow_up_row(f, today, counted) for f in entry["follow_ups"]]
    return {
        "subject": entry["commission_name"],
        "header": [(_("Commission"), entry["commission_name"]),
                   (_("Commission level"), label(LEVEL_LABELS, entry["commission_level"])),
                   (_("Region"), entry["region"] or NONE), (_("Place"), entry["place"] or NONE),
                   (_("When"), local(entry["occurred_utc"], zone)),
                   (_("Mission participants"), entry["participants"] or NONE)],
        "counterparts": entry["counterparts"],
        "topics": [label(TOPIC_LABELS, t) for t in entry["topics"]],
        "summary": entry["summary"],
        "requests": [i for i in items if i["kind"] == "request"],
        "commitments": [i for i in items if i["kind"] == "commitment"],
        "links": [{"ref": link["ref"], "serious": bool(link["serious"]),
                   "what": label(CATEGORY_LABELS, link["what"]) if link["kind"] == "incident"
                   else _(link["what"].title()),
                   "where": " ".join(filter(None, [
                       f"{_('No.')} {link['station_number']}" if link["station_number"] else "",
                       link["place"]])) + f" ({link['region']})"}
                  for link in entry["links"]],
        "authors": _authors(versions), "versions": _history(versions, names, shown),
    }


def _raised_in(db: Database, kind: str, entry_id: int, today: str) -> list[dict]:
    """The meetings where a checklist or incident was raised, with the commission's answers."""
    if kind not in meetings.LINK_KINDS:
        return []
    return [{"number": number("interaction", m["id"]), "commission": m["commission_name"],
             "level": label(LEVEL_LABELS, m["commission_level"]),
             "at": local(m["occurred_utc"], m["timezone"]),
             "follow_ups": [follow_up_row(f, today, m["review_state"] != "rejected")
                            for f in m["follow_ups"]]}
            for m in liaison.meetings_for_entry(db, kind, entry_id)]


def entry_pdf(report: dict) -> bytes:
    """The PDF of one entry's report (needs an app context for the template)."""
    return render_pdf(render_template("print/entry.html", report=report))
