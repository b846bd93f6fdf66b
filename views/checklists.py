"""Observers: pick a checklist type and station, file it, see and edit the team's entries."""

import re
import uuid as uuidlib
from datetime import time

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from forms.checklist import POLLING_HOURS_TYPES, UUID_PATTERN, ChecklistForm, form_class
from forms.protocol import form_data as protocol_form_data
from forms.protocol import with_protocol
from models import access, checklists, entries, mission_dates, review_list, stations, vocabulary
from models.clock import utc_to_local
from models.db import get_db
from models.definitions import Definition, all_versions, by_type
from models.definitions import get as get_definition
from reports.protocols import entry_tables as protocol_tables
from views import filing
from views.auth import entry_or_404, roles_required
from views.ids import parse_id
from views.plans import observer_plan
from views.review_panel import entry_url, review_panel

bp = Blueprint("checklists", __name__)


def init_app(app: Flask) -> None:
    """Load the checklist definitions once and build their forms."""
    # Build every form at start-up: a broken definition stops the app, not an observer.
    for kind, versions in all_versions().items():
        for version in versions:  # the archived ones too: old entries are still edited
            form_class(kind, version)
    # The same for a mistyped ELECTION_DATE, MISSION_START/END or POLLS_OPEN/CLOSE.
    mission_dates.from_config(app.config)
    mission_dates.polling_hours(app.config)


def _polling_hours() -> tuple[time, time]:
    return mission_dates.polling_hours(current_app.config)


def _checklist(form_type: str,
               version: int | None = None) -> tuple[Definition, type[ChecklistForm]]:
    # An entry shows and edits with the definition version it was filed with.
    definition, form_cls = get_definition(form_type, version), form_class(form_type, version)
    if definition is None:
        abort(404)
    return definition, form_cls


def _station_or_400(raw: str | None) -> dict:
    station_id = parse_id(raw)
    station = stations.get(get_db(), station_id) if station_id is not None else None
    if station is None:
        abort(400, _("Unknown polling station. Go back and pick the station again."))
    return station


@bp.route("/checklists/new")
@roles_required(*access.OBSERVERS)
def home():
    sent_back = len(review_list.awaiting_authors(get_db(), current_user.team))
    return render_template("checklists/home.html", definitions=list(by_type().values()),
                           sent_back=sent_back, plan=observer_plan(current_user))


@bp.route("/checklists/<form_type>/station")
@roles_required(*access.OBSERVERS)
def find_station(form_type: str):
    definition, _form = _checklist(form_type)
    query = request.args.get("q", "")[:100]
    found = stations.search(get_db(), query, prefer=current_user.region)
    return render_template("checklists/find_station.html", definition=definition,
                           query=query, found=found.stations, more=found.more,
                           region=current_user.region)


@bp.route("/checklists/<form_type>/new", methods=["GET", "POST"])
@roles_required(*access.OBSERVERS)
def new(form_type: str):
    definition, form_class = _checklist(form_type)
    source = request.form if request.method == "POST" else request.args
    station = _station_or_400(source.get("station_id") or source.get("station"))
    form_class = with_protocol(form_class, get_db(), station)
    if request.method == "GET":
        return _blank_form(form_class, station)
    form = form_class(station=station, polling_hours=_polling_hours())
    if filing.new_form_asked(form):
        return render_template("checklists/form.html", form=form, station=station)
    if not form.validate():
        return render_template("checklists/form.html", form=form, station=station), 400
    filed = filing.file_new(checklists.CHECKLISTS, form, _(
        "This form was already sent with different answers. Your answers are "
        "below: open a new form to file them as a new checklist, or edit the "
        "entry that was sent."))
    if filed is None:
        return render_template("checklists/form.html", form=form, station=station), 409
    entry_id, created = filed
    return filing.show_filed("checklists.detail", entry_id, _("Checklist received.") if created
                             else _("This checklist had already been received; nothing was duplicated."))


def _blank_form(form_class: type[ChecklistForm], station: dict):
    """A new form whose uuid lives in its address.

    Back, reload or a re-opened tab then reach the same uuid, so sending the
    same visit again returns the entry already received instead of a twin.
    """
    form_uuid = request.args.get("uuid", "")
    if not re.fullmatch(UUID_PATTERN, form_uuid):
        return redirect(url_for("checklists.new", form_type=form_class.definition.type,
                                station=station["id"], uuid=str(uuidlib.uuid4())))
    seen = filing.already_filed(checklists.find_by_uuid(get_db(), form_uuid), "checklists.detail",
                                _("This checklist had already been received; nothing was duplicated."))
    if seen:
        return seen
    day = mission_dates.default_day(current_app.config, station["timezone"])
    form = form_class(station=station, formdata=None, data={
        "uuid": form_uuid, "station_id": station["id"],
        "arrival_date": day, "departure_date": day})
    return render_template("checklists/form.html", form=form, station=station)


@bp.route("/checklists")
@roles_required(*access.OBSERVERS)
def my_entries():
    db = get_db()
    awaiting = review_list.awaiting_authors(db, current_user.team)
    for item in awaiting:
        item["url"] = entry_url(item["kind"], item["id"])
    return render_template("checklists/my_entries.html", awaiting=awaiting,
                           entries=checklists.for_team(db, current_user.team))


@bp.route("/checklists/<id:entry_id>")
@roles_required(*access.EVERYONE)
def detail(entry_id: int):
    db = get_db()
    row = entry_or_404(checklists.get(db, entry_id))
    definition, _form = _checklist(row["form_type"], row["form_version"])
    # The history in the form's wording, as the PDF words it (models/vocabulary.py).
    versions = [{**v, "changes": vocabulary.checklist_changes(v["changes"], definition,
                                                              row["timezone"])}
                for v in entries.versions(db, checklists.CHECKLISTS, entry_id)]
    return render_template("checklists/detail.html", entry=row, definition=definition,
                           protocol=protocol_tables(db, row),
                           panel=review_panel("checklist", row), versions=versions,
                           can_edit=access.can_edit(current_user, "checklist", row))


@bp.route("/checklists/<id:entry_id>/edit", methods=["GET", "POST"])
@roles_required(*access.OBSERVERS)
def edit(entry_id: int):
    db = get_db()
    row = entry_or_404(checklists.get(db, entry_id))
    if not access.can_edit(current_user, "checklist", row):
        flash(_("This entry was already reviewed (verified or rejected) and can no longer be "
                "edited. Add a comment to it instead."))
        return redirect(url_for("checklists.detail", entry_id=entry_id), code=303)
    # Its own version's form: the observers answered those questions, and the new
    # required ones of a later version were never put to them (README "Checklist versions").
    definition, form_class = _checklist(row["form_type"], row["form_version"])
    station = stations.get(db, row["station_id"])
    form_class = with_protocol(form_class, db, station)
    if request.method == "GET":
        form = form_class(station=station, formdata=None, data=_form_data(row))
        return render_template("checklists/form.html", form=form, station=station, entry=row)
    form = form_class(station=station, polling_hours=_polling_hours())
    form.uuid.data = row["uuid"]
    base_version = parse_id(form.base_version.data)
    if base_version is None:
        abort(400, _("This form was damaged. Open the entry and edit it again."))
    if not form.validate():
        return render_template("checklists/form.html", form=form, station=station,
                               entry=row), 400
    try:
        changed = entries.edit(db, checklists.CHECKLISTS, entry_id, base_version,
                               form.to_record(), current_user.id)
    except entries.NotEditable:
        flash(_("This entry was already reviewed (verified or rejected) and can no longer be "
                "edited. Add a comment to it instead."))
        return redirect(url_for("checklists.detail", entry_id=entry_id), code=303)
    except entries.StaleEdit:
        form.base_version.errors.append(_(
            "Your team mate saved a newer version while you were editing. Your answers "
            "are below: open the entry again to see their changes."))
        return render_template("checklists/form.html", form=form, station=station,
                               entry=row), 409
    flash(_("Changes saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("checklists.detail", entry_id=entry_id), code=303)


def _form_data(row: dict) -> dict:
    """A stored entry as the form's initial data, in the station's local time."""
    arrival = utc_to_local(row["arrival_utc"], row["timezone"])
    departure = utc_to_local(row["departure_utc"], row["timezone"])
    answers = row["answers"]
    return {**answers, **protocol_form_data(row["protocol"]),
            "uuid": row["uuid"], "station_id": row["station_id"],
            "base_version": row["version"], "overall": row["overall"],
            "comments": answers.get("comments", ""),
            "arrival_date": arrival.date(), "arrival_time": arrival.strftime("%H:%M"),
            "departure_date": departure.date(), "departure_time": departure.strftime("%H:%M"),
            # Stored outside polling hours means confirmed when it was sent.
            "hours_confirmed": row["form_type"] in POLLING_HOURS_TYPES
            and mission_dates.outside_polling_hours(arrival.time(), _polling_hours())}
