"""JSON in, the HTML forms' validation, JSON out: what the API's entry views share.

A JSON body becomes the MultiDict a browser would have posted, and the very
same Flask-WTF form class validates it (CSRF is checked by the API itself,
so the form's own CSRF field is off): the browser and the API accept
exactly the same entries, with the same messages.
"""

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField
from wtforms.form import BaseForm

from forms.checklist import ChecklistForm, form_class
from forms.incident import IncidentForm
from forms.meeting import MeetingForm
from forms.protocol import field_name as protocol_field
from forms.protocol import with_protocol
from models import access, incidents, protocols, stations
from models import definitions as checklist_definitions
from models.db import get_db
from models.definitions import Definition, Question
from models.vocabulary import OVERALL, OVERALL_LABELS, YESNO, YESNO_LABELS
from views.api_errors import ApiError

NO_CSRF = {"csrf": False}


def formdata(body: dict, prefix: str = "") -> MultiDict:
    """A JSON object as the form fields a browser would post.

    Lists of objects become numbered rows (``counterparts-0-name``), lists of
    codes repeat the field (ticked boxes), true becomes "y" and false or null
    is left out, as an unticked box or an empty field is.
    """
    data = MultiDict()
    for key, value in body.items():
        name = f"{prefix}{key}"
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    data.update(formdata(item, f"{name}-{index}-"))
                elif item is not None:
                    data.add(name, str(item))
        elif isinstance(value, bool):
            if value:
                data.add(name, "y")
        elif value is not None:
            data.add(name, str(value))
    return data


def field_errors(form: BaseForm) -> dict[str, list[str]]:
    """Every field's messages, by the field's name in the HTML form."""
    found: dict[str, list[str]] = {}

    def walk(fields) -> None:
        for field in fields:
            if isinstance(field, FieldList | FormField):
                walk(field)
            elif field.errors:
                found[field.name] = [str(message) for message in field.errors]
    walk(form)
    return found


def invalid(fields: dict[str, list[str]]) -> ApiError:
    """The 422 for a rejected entry."""
    return ApiError(422, _("Some fields need correcting; see the message by each field."),
                    fields)


# --- validation, one per kind ------------------------------------------------

def checklist_form(body: dict) -> tuple[ChecklistForm, dict]:
    """The checklist form validated from ``body``, with its station; raises ApiError(422)."""
    kind = body.get("form_type")
    form_cls = form_class(kind) if isinstance(kind, str) else None
    station = stations.get(get_db(), body["station_id"]) \
        if isinstance(body.get("station_id"), int) else None
    problems = {}
    if form_cls is None:
        problems["form_type"] = [_("Choose a checklist type: %(types)s.", types=", ".join(
            checklist_definitions.TYPES))]
    if station is None:
        problems["station_id"] = [_("Unknown polling station. Pick the station again.")]
    if problems:
        raise invalid(problems)
    definition = form_cls.definition
    form_cls = with_protocol(form_cls, get_db(), station)
    header = {k: v for k, v in body.items() if k not in ("answers", "form_type", "protocol")}
    answers = body.get("answers") or {}
    _check_answer_shapes(definition, answers)
    # The HTML form ignores fields it does not know; here a misspelt question
    # id would silently lose an answer, so it is refused instead.
    unknown = {qid: [_("This checklist has no such question.")]
               for qid in answers if qid not in definition.questions}
    figures, unknown_figures = _protocol_fields(form_cls, body.get("protocol") or {})
    form = form_cls(formdata=formdata({**header, **answers, **figures}), meta=NO_CSRF,
                    station=station)
    if not form.validate() or unknown or unknown_figures:
        raise invalid({**field_errors(form), **unknown, **unknown_figures})
    return form, station


def _protocol_fields(form_cls: type[ChecklistForm], protocol: dict) -> tuple[dict, dict]:
    """``{"list": {"amanat": 12}}`` as form fields, and messages for figures the form lacks."""
    known = {b.contest: set(b.codes()) for b in getattr(form_cls, "ballots", ())}
    fields, unknown = {}, {}
    for contest, figures in protocol.items():
        if contest not in known:
            unknown[f"{protocols.QUESTION_PREFIX}-{contest}"] = [
                _("This checklist has no protocol for this contest at this station.")]
            continue
        for item, value in (figures or {}).items():
            if item in known[contest]:
                fields[protocol_field(contest, item)] = value
            else:
                unknown[protocol_field(contest, item)] = [
                    _("This protocol has no such figure.")]
    return fields, unknown


def _check_answer_shapes(definition: Definition, answers: dict) -> None:
    """A list answers a multi question and only that (a browser would post one value)."""
    wrong = {}
    for qid, value in answers.items():
        question = definition.questions.get(qid)
        if question is None or value is None or isinstance(value, list) == (
                question.type == "multi"):
            continue
        wrong[qid] = [_("Expected a list of codes.") if question.type == "multi"
                      else _("Expected one answer, not a list.")]
    if wrong:
        raise ApiError(400, _("Some fields have the wrong type; see the message by each "
                              "field."), wrong)


def incident_form(body: dict) -> IncidentForm:
    """The incident form validated from ``body``; raises ApiError(422)."""
    db = get_db()
    form = IncidentForm(formdata=formdata(body), meta=NO_CSRF, db=db,
                        region_zones=incidents.region_zones(db))
    if not form.validate():
        raise invalid(field_errors(form))
    return form


def interaction_form(body: dict) -> MeetingForm:
    """The meeting form validated from ``body``; raises ApiError(422).

    The liaison's queue picker is a page convenience: through the API,
    queued entries are given by number in ``entry_numbers`` like any other.
    """
    db = get_db()
    form = MeetingForm(
        formdata=formdata(body), meta=NO_CSRF, db=db, regions=stations.regions(db),
        queue_choices=[], mission_zone=current_app.config["MISSION_TIMEZONE"],
        team=access.team_scope(current_user))
    if not form.validate():
        raise invalid(field_errors(form))
    return form


# --- entries as JSON ----------------------------------------------------------

def _common(row: dict, page_endpoint: str) -> dict:
    return {"id": row["id"], "uuid": row["uuid"], "team": row["team"],
            "author": row["author"], "review_state": row["review_state"],
            "version": row["version"], "created_utc": row["created_utc"],
            "updated_utc": row["updated_utc"],
            "url": url_for(page_endpoint, entry_id=row["id"])}


def checklist_json(row: dict) -> dict:
    """A stored checklist (models.checklists.get) as the API shows it."""
    answers = dict(row["answers"])
    comments = answers.pop("comments", "")
    confirmed = bool(answers.pop("figures_confirmed", False))
    return {**_common(row, "checklists.detail"), "form_type": row["form_type"],
            "form_version": row["form_version"],
            "station": {"id": row["station_id"], "number": row["station_number"],
                        "name": row["station_name"], "district": row["district"]},
            "region": row["region"], "arrival_utc": row["arrival_utc"],
            "departure_utc": row["departure_utc"], "timezone": row["timezone"],
            "answers": answers, "overall": row["overall"], "comments": comments,
            "figures_confirmed": confirmed, "serious_count": row["serious_count"],
            **({"protocol": row["protocol"]}
               if row["form_type"] in protocols.PROTOCOL_TYPES else {})}


def incident_json(row: dict) -> dict:
    """A stored incident report (models.incidents.get) as the API shows it."""
    station = None if row["station_id"] is None else {
        "id": row["station_id"], "number": row["station_number"],
        "name": row["station_name"], "district": row["station_district"]}
    return {**_common(row, "incidents.detail"), "station": station,
            **{name: row[name] for name in (
                "region", "place", "occurred_utc", "timezone", "category", "severity",
                "description", "reported_to_commission", "commission_response")}}


_MEETING_FIELDS = ("occurred_utc", "timezone", "place", "commission_level", "commission_name",
                   "region", "counterparts", "participants", "topics", "summary")


def interaction_json(row: dict) -> dict:
    """A stored meeting report (models.meetings.get) with follow-ups and links."""
    return {**_common(row, "meetings.detail"),
            **{name: row[name] for name in _MEETING_FIELDS},
            "follow_ups": [{name: item[name] for name in (
                "id", "kind", "text", "due_date", "status", "answer_date", "answer_text")}
                for item in row["follow_ups"]],
            "links": [{"kind": link["kind"], "id": link["id"], "ref": link["ref"]}
                      for link in row["links"]]}


def interaction_summary_json(row: dict) -> dict:
    """A meeting as the log lists it (models.meeting_log.log), with its item counts."""
    return {**_common(row, "meetings.detail"),
            **{name: row[name] for name in (*_MEETING_FIELDS, "item_count", "open_items",
                                            "overdue_items")}}


def station_json(row: dict) -> dict:
    """A polling station for the phone's station list."""
    return {name: row[name] for name in ("id", "number", "name", "address", "region",
                                         "district", "timezone", "registered_voters",
                                         "smd_district", "area_type")}


def _choices(question: Question) -> list[dict]:
    if question.type == "yesno":
        return [{"value": v, "label": str(YESNO_LABELS[v])} for v in YESNO]
    # "exclusive" only where it is true: such a choice is never ticked with another.
    return [{"value": v, "label": _(label), **({"exclusive": True} if v in question.exclusive
                                                 else {})}
            for v, label in question.choices]


def definition_json(definition: Definition) -> dict:
    """A checklist definition with its labels in the user's language."""
    def question(q: Question) -> dict:
        return {"id": q.id, "type": q.type, "label": _(q.label),
                "help": _(q.help) if q.help else "", "required": q.required,
                "min": q.min, "max": q.max, "choices": _choices(q),
                "relevant": {"question": q.relevant[0], "value": q.relevant[1]}
                if q.relevant else None,
                "serious": q.serious, "problem": q.problem, "max_length": q.max_length}
    return {"type": definition.type, "version": definition.version,
            "title": _(definition.title),
            "description": _(definition.description) if definition.description else "",
            "sections": [{"title": _(s.title), "questions": [question(q) for q in s.questions]}
                         for s in definition.sections],
            "checks": [{"rule": c.rule, "message": _(c.message), "left": c.left,
                        "right": c.right, "total": c.total, "parts": list(c.parts)}
                       for c in definition.checks]}


def overall_choices() -> list[dict]:
    """The overall assessment's four answers with their labels."""
    return [{"value": v, "label": str(OVERALL_LABELS[v])} for v in OVERALL]
