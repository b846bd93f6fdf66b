"""What each export holds: columns, rows and JSON objects, one SQLite cursor at a time.

Every function here iterates a cursor and yields one entry at a time, so memory
does not grow with the number of entries (bench/export.py measures it). Rows
carry raw values; the file writers in reports/exports.py make every text cell
safe for spreadsheets, JSON keeps it exactly as stored.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlite_utils import Database

from models.clock import local_text
from models.definitions import TYPES, Question, by_type, questions_of_all_versions
from models.vocabulary import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    OVERALL_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
    YESNO_LABELS,
)
from reports.filters import ReportFilter

# Answers with a code (yes/no, a choice, ticked options) get a second column
# with the code's label; numbers, times and text are their own label.
CODED = ("yesno", "choice", "multi")
# Local times as 'YYYY-MM-DD HH:MM': Excel reads that as a date and time.
EXPORT = "export"


@dataclass(frozen=True)
class Sheet:
    """A table's title (the XLSX sheet name) and its columns."""

    title: str
    columns: tuple[str, ...]


def _labels(mapping: dict) -> dict[str, str]:
    # Translated once per export, not once per row.
    return {code: str(label) for code, label in mapping.items()}


# ---------------------------------------------------------------- checklists

CHECKLIST_HEADER = ("id", "uuid", "type", "form_version", "station_number", "station_name",
                    "region", "district", "team", "author", "arrival_local", "departure_local",
                    "timezone", "arrival_utc", "departure_utc", "overall", "overall_label",
                    "serious_count", "review_state", "version", "created_utc")
# Not questions but kept in the answers: the observer's note and the tick that
# confirms figures which do not add up as written in the protocol.
CHECKLIST_FOOTER = ("figures_confirmed", "comments")
_CHECKLIST_SQL = (
    "SELECT c.id, c.uuid, c.form_type, c.form_version, s.number, s.name, s.region, s.district,"
    " c.team, u.username, c.arrival_utc, c.departure_utc, c.timezone, c.overall,"
    " c.serious_count, c.review_state, c.version, c.created_utc, c.answers"
    " FROM checklists c JOIN stations s ON s.id = c.station_id"
    " LEFT JOIN users u ON u.id = c.author_id WHERE {where} ORDER BY c.id")


@dataclass(frozen=True)
class _Question:
    id: str
    coded: bool
    text: bool
    labels: dict[str, str]


def _code_labels(q: Question) -> list[tuple[str, str]]:
    """(code, translated label) for every answer a coded question accepts."""
    if q.type == "yesno":
        return [(code, str(YESNO_LABELS[code])) for code in q.allowed()]
    return [(code, _(label)) for code, label in q.choices]


def _questions(kind: str) -> list[_Question]:
    return [_Question(q.id, q.type in CODED, q.type == "text",
                      dict(_code_labels(q)) if q.type in CODED else {})
            for q in questions_of_all_versions(kind)]


def _question_columns(kind: str, prefix: str) -> list[str]:
    columns = []
    for q in questions_of_all_versions(kind):
        columns.append(prefix + q.id)
        if q.type in CODED:
            columns.append(prefix + q.id + "_label")
    return columns


def _answer_cells(questions: list[_Question], answers: dict) -> list:
    # The hot loop of a 100,000-row export: bound methods, no tuples per cell.
    cells: list = []
    append, get = cells.append, answers.get
    for q in questions:
        value = get(q.id)
        if not q.coded:
            append(value)
        elif value is None:
            append(None)
            append(None)
        elif value.__class__ is list:  # ticked options, in the order of the choices
            append(";".join(value))
            append("; ".join(q.labels.get(v, v) for v in value))
        else:
            append(value)
            append(q.labels.get(value, value))
    return cells


def checklist_types(flt: ReportFilter) -> tuple[str, ...]:
    """The checklist types an export covers, in the order observers meet them."""
    return tuple(t for t in TYPES if not flt.types or t in flt.types)


def _checklist_cursor(db: Database, flt: ReportFilter):
    where, params = flt.where("checklist")
    return db.conn.execute(_CHECKLIST_SQL.format(where=where), params)


def _header_cells(row: tuple, overall: dict[str, str]) -> list:
    (entry_id, uuid, kind, form_version, number, name, region, district, team, author,
     arrival, departure, zone, code, serious, state, version, created, _answers) = row
    return [entry_id, uuid, kind, form_version, number, name, region, district, team, author,
            local_text(arrival, zone, EXPORT), local_text(departure, zone, EXPORT), zone, arrival, departure,
            code, overall.get(code, code), serious, state, version, created]


def _footer_cells(answers: dict) -> list:
    return ["yes" if answers.get("figures_confirmed") else None, answers.get("comments")]


def checklist_table(db: Database, flt: ReportFilter) -> tuple[Sheet, Iterator[list]]:
    """One row per checklist, the questions of every selected type side by side.

    Columns are named ``<type>.<question>`` (and ``..._label`` for coded
    answers); a voting checklist leaves the other types' columns empty.
    """
    types = checklist_types(flt)
    columns = list(CHECKLIST_HEADER)
    spans, start = {}, len(CHECKLIST_HEADER)
    for kind in types:
        names = _question_columns(kind, f"{kind}.")
        columns += names
        spans[kind] = (start - len(CHECKLIST_HEADER), len(names))
        start += len(names)
    width = start - len(CHECKLIST_HEADER)
    columns += CHECKLIST_FOOTER
    sheet = Sheet("Checklists", tuple(columns))

    def rows() -> Iterator[list]:
        overall = _labels(OVERALL_LABELS)
        questions = {kind: _questions(kind) for kind in types}
        for row in _checklist_cursor(db, flt):
            answers = json.loads(row[-1])
            before, size = spans[row[2]]
            yield (_header_cells(row, overall) + [None] * before
                   + _answer_cells(questions[row[2]], answers)
                   + [None] * (width - before - size) + _footer_cells(answers))
    return sheet, rows()


def checklist_sheets(db: Database, flt: ReportFilter) -> list[tuple[Sheet, Iterator[list]]]:
    """One sheet per selected type with only its questions: (sheet, its rows) for each.

    Each sheet reads its own cursor when its rows are first asked for: a
    workbook writer fills one sheet after the other. Called inside one read
    transaction (``exports.stream``), the sheets agree with each other.
    """
    def rows(kind: str) -> Iterator[list]:
        overall, questions = _labels(OVERALL_LABELS), _questions(kind)
        for row in _checklist_cursor(db, replace(flt, types=(kind,))):
            answers = json.loads(row[-1])
            yield (_header_cells(row, overall) + _answer_cells(questions, answers)
                   + _footer_cells(answers))

    return [(Sheet(by_type()[kind].title,
                   CHECKLIST_HEADER + tuple(_question_columns(kind, "")) + CHECKLIST_FOOTER),
             rows(kind)) for kind in checklist_types(flt)]


CODEBOOK = Sheet("Questions", ("type", "column", "section", "question", "answer_type",
                               "serious", "problem_answer", "codes"))


def codebook_rows(flt: ReportFilter) -> Iterator[list]:
    """What every question column means: its text, answer type and codes with labels."""
    definitions = by_type()
    for kind in checklist_types(flt):
        for section in definitions[kind].sections:
            for q in section.questions:
                codes = "; ".join(f"{code} = {label}" for code, label in _code_labels(q)) \
                    if q.type in CODED else ""
                yield [kind, q.id, _(section.title), _(q.label), q.type,
                       "yes" if q.serious else None,
                       q.problem if q.type == "yesno" else None, codes]


def checklist_objects(db: Database, flt: ReportFilter) -> Iterator[str]:
    """Each checklist as a JSON object: the header fields and its answers exactly as stored."""
    overall = _labels(OVERALL_LABELS)
    for row in _checklist_cursor(db, flt):
        head = json.dumps(dict(zip(CHECKLIST_HEADER, _header_cells(row, overall))),
                          ensure_ascii=False)
        # The stored answers are JSON already: spliced in, not parsed and re-encoded.
        yield head[:-1] + ', "answers": ' + row[-1] + "}"


# ---------------------------------------------------------------- incidents

INCIDENTS = Sheet("Incidents", (
    "id", "uuid", "occurred_local", "timezone", "occurred_utc", "station_number",
    "station_name", "region", "place", "category", "category_label", "severity",
    "severity_label", "description", "reported_to_commission", "commission_response", "team",
    "author", "review_state", "version", "created_utc"))


def incident_rows(db: Database, flt: ReportFilter) -> Iterator[list]:
    """One row per incident report, oldest first."""
    where, params = flt.where("incident", "i")
    categories, severities = _labels(CATEGORY_LABELS), _labels(SEVERITY_LABELS)
    cursor = db.conn.execute(
        "SELECT i.id, i.uuid, i.occurred_utc, i.timezone, s.number, s.name, i.region, i.place,"
        " i.category, i.severity, i.description, i.reported_to_commission,"
        " i.commission_response, i.team, u.username, i.review_state, i.version, i.created_utc"
        " FROM incidents i LEFT JOIN stations s ON s.id = i.station_id"
        f" LEFT JOIN users u ON u.id = i.author_id WHERE {where}"
        " ORDER BY i.occurred_utc, i.id", params)
    for (entry_id, uuid, occurred, zone, number, name, region, place, category, severity,
         description, reported, response, team, author, state, version, created) in cursor:
        yield [entry_id, uuid, local_text(occurred, zone, EXPORT), zone, occurred, number, name, region,
               place, category, categories.get(category, category), severity,
               severities.get(severity, severity), description, reported, response, team,
               author, state, version, created]


def incident_objects(db: Database, flt: ReportFilter) -> Iterator[str]:
    """Each incident report as a JSON object with the same fields as the CSV."""
    for row in incident_rows(db, flt):
        yield json.dumps(dict(zip(INCIDENTS.columns, row)), ensure_ascii=False)


# ---------------------------------------------------------------- meetings

MEETINGS = Sheet("Meetings", (
    "id", "uuid", "occurred_local", "timezone", "occurred_utc", "place", "commission_level",
    "commission_level_label", "commission_name", "region", "counterparts", "participants",
    "topics", "topics_label", "summary", "requests", "commitments", "open", "answered",
    "closed", "overdue", "follow_ups", "team", "author", "review_state", "version",
    "created_utc"))
_FOLLOW_UP_COUNTS = (
    "(SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id AND f.kind = 'request'),"
    " (SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id"
    "  AND f.kind = 'commitment'),"
    " (SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id AND f.status = 'open'),"
    " (SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id"
    "  AND f.status = 'answered'),"
    " (SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id"
    "  AND f.status = 'closed'),"
    " (SELECT count(*) FROM follow_ups f WHERE f.interaction_id = i.id AND f.status = 'open'"
    "  AND f.due_date < ?),"
    " (SELECT json_group_array(json_object('id', id, 'kind', kind, 'text', text,"
    "  'due_date', due_date, 'status', status, 'answer_date', answer_date,"
    "  'answer_text', answer_text)) FROM (SELECT * FROM follow_ups f"
    "  WHERE f.interaction_id = i.id ORDER BY f.id))")


def _meeting_cursor(db: Database, flt: ReportFilter, today: str):
    where, params = flt.where("interaction", "i")
    return db.conn.execute(
        "SELECT i.id, i.uuid, i.occurred_utc, i.timezone, i.place, i.commission_level,"
        " i.commission_name, i.region, i.counterparts, i.participants, i.topics, i.summary, "
        + _FOLLOW_UP_COUNTS + ", i.team, u.username, i.review_state, i.version, i.created_utc"
        f" FROM interactions i LEFT JOIN users u ON u.id = i.author_id WHERE {where}"
        " ORDER BY i.occurred_utc, i.id", [today, *params])


def _follow_up_line(item: dict, statuses: dict[str, str]) -> str:
    due = f", due {item['due_date']}" if item.get("due_date") else ""
    line = f"[{item['kind']}, {statuses.get(item['status'], item['status'])}{due}] {item['text']}"
    if item.get("answer_text"):
        line += f" \u2192 {item['answer_text']}"
    return line


def interaction_rows(db: Database, flt: ReportFilter, today: str) -> Iterator[list]:
    """One row per meeting; counterparts, topics and follow-ups flattened into text and counts.

    ``today`` (YYYY-MM-DD, mission zone) decides which open items are overdue.
    """
    levels, topics_labels = _labels(LEVEL_LABELS), _labels(TOPIC_LABELS)
    statuses = _labels(STATUS_LABELS)
    for row in _meeting_cursor(db, flt, today):
        (entry_id, uuid, occurred, zone, place, level, commission, region, counterparts,
         participants, topics, summary, requests, commitments, open_, answered, closed,
         overdue, items, team, author, state, version, created) = row
        people = "; ".join(", ".join(p for p in (c.get("name"), c.get("position")) if p)
                           for c in json.loads(counterparts))
        codes = json.loads(topics)
        yield [entry_id, uuid, local_text(occurred, zone, EXPORT), zone, occurred, place, level,
               levels.get(level, level), commission, region, people, participants,
               ";".join(codes), "; ".join(topics_labels.get(t, t) for t in codes), summary,
               requests, commitments, open_, answered, closed, overdue,
               "\n".join(_follow_up_line(i, statuses) for i in json.loads(items)),
               team, author, state, version, created]


def interaction_objects(db: Database, flt: ReportFilter, today: str) -> Iterator[str]:
    """Each meeting as a JSON object: counterparts, topics and follow-ups as stored lists."""
    for row in _meeting_cursor(db, flt, today):
        (entry_id, uuid, occurred, zone, place, level, commission, region, counterparts,
         participants, topics, summary, *_counts, overdue, items, team, author, state, version,
         created) = row
        text = json.dumps({
            "id": entry_id, "uuid": uuid, "occurred_local": local_text(occurred, zone, EXPORT),
            "timezone": zone, "occurred_utc": occurred, "place": place,
            "commission_level": level, "commission_name": commission, "region": region,
            "participants": participants, "summary": summary, "overdue": overdue, "team": team,
            "author": author, "review_state": state, "version": version,
            "created_utc": created}, ensure_ascii=False)
        # Lists stored as JSON are spliced in as they are.
        yield (text[:-1] + ', "counterparts": ' + counterparts + ', "topics": ' + topics
               + ', "follow_ups": ' + items + "}")


FOLLOW_UPS = Sheet("Follow-ups", (
    "id", "interaction_id", "meeting_local", "commission_level", "commission_name", "region",
    "kind", "text", "due_date", "status", "status_label", "overdue", "answer_date",
    "answer_text", "updated_utc"))


def follow_up_rows(db: Database, flt: ReportFilter, today: str) -> Iterator[list]:
    """One row per request or commitment of the selected meetings, in meeting order."""
    where, params = flt.where("interaction", "i")
    statuses = _labels(STATUS_LABELS)
    cursor = db.conn.execute(
        "SELECT f.id, f.interaction_id, i.occurred_utc, i.timezone, i.commission_level,"
        " i.commission_name, i.region, f.kind, f.text, f.due_date, f.status, f.answer_date,"
        " f.answer_text, f.updated_utc FROM follow_ups f"
        f" JOIN interactions i ON i.id = f.interaction_id WHERE {where}"
        " ORDER BY i.occurred_utc, i.id, f.id", params)
    for (item_id, meeting, occurred, zone, level, commission, region, kind, text, due, status,
         answered, answer, updated) in cursor:
        overdue = "yes" if status == "open" and due and due < today else "no"
        yield [item_id, meeting, local_text(occurred, zone, EXPORT), level, commission, region, kind,
               text, due, status, statuses.get(status, status), overdue, answered, answer,
               updated]


def follow_up_objects(db: Database, flt: ReportFilter, today: str) -> Iterator[str]:
    """Each follow-up item as a JSON object with the same fields as the CSV."""
    for row in follow_up_rows(db, flt, today):
        yield json.dumps(dict(zip(FOLLOW_UPS.columns, row)), ensure_ascii=False)
