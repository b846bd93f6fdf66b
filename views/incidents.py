"""Incident reports: observers file and correct them from a phone; reviewers list and read them."""

import re
import uuid as uuidlib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms.checklist import UUID_PATTERN
from forms.incident import IncidentForm
from models import access, entries, incidents, mission_dates, stations, vocabulary
from models.clock import local_text, utc_to_local
from models.db import get_db
from models.vocabulary import CATEGORY_LABELS, SEVERITY_LABELS, YESNO_LABELS, label
from views import filing
from views.auth import entry_or_404, roles_required
from views.ids import parse_id
from views.review_panel import review_panel

bp = Blueprint("incidents", __name__)
PAGE = 100
# Longest old/new text shown in the history; the snapshot keeps it all.
HISTORY_TEXT = 160
NOT_EDITABLE = _l("This report was already reviewed (verified or rejected) and can no longer "
                  "be edited. Add a comment to it instead.")
ALREADY = _l("This incident report had already been received; nothing was duplicated.")


def _form(**kwargs) -> IncidentForm:
    db = get_db()
    return IncidentForm(db=db, region_zones=incidents.region_zones(db), **kwargs)


def _readable_or_404(entry_id: int) -> dict:
    return entry_or_404(incidents.get(get_db(), entry_id))


@bp.route("/incidents/new", methods=["GET", "POST"])
@roles_required(*access.OBSERVERS)
def new():
    if request.method == "GET":
        return _blank_form()
    form = _form()
    if filing.new_form_asked(form):
        return render_template("incidents/form.html", form=form)
    if not form.validate():
        return render_template("incidents/form.html", form=form), 400
    filed = filing.file_new(incidents.INCIDENTS, form, _(
        "This form was already sent with a different report. What you typed is below: "
        "open a new form to file it as a new incident, or edit the report that was sent."))
    if filed is None:
        return render_template("incidents/form.html", form=form), 409
    entry_id, created = filed
    return filing.show_filed("incidents.detail", entry_id,
                             _("Incident report received.") if created else str(ALREADY))


def _blank_form():
    """A new form whose uuid lives in its address, as for checklists (see views.checklists._blank_form)."""
    form_uuid = request.args.get("uuid", "")
    station = request.args.get("station", "")[:100]
    if not re.fullmatch(UUID_PATTERN, form_uuid):
        return redirect(url_for("incidents.new", uuid=str(uuidlib.uuid4()),
                                **({"station": station} if station else {})))
    seen = filing.already_filed(incidents.find_by_uuid(get_db(), form_uuid), "incidents.detail",
                                str(ALREADY))
    if seen:
        return seen
    zones = incidents.region_zones(get_db())
    region = current_user.region if current_user.region in zones else ""
    zone = zones.get(region) or current_app.config["MISSION_TIMEZONE"]
    form = _form(formdata=None, data={"uuid": form_uuid, "station_number": station,
                                      "region": region,
                                      "occurred_date": mission_dates.default_day(
                                          current_app.config, zone)})
    return render_template("incidents/form.html", form=form)


@bp.route("/incidents")
@roles_required(*access.EVERYONE)
def listing():
    db = get_db()
    page = max(request.args.get("page", 1, type=int), 1)
    team = access.team_scope(current_user)
    if team is not None:
        rows = incidents.for_team(db, team, limit=PAGE, offset=(page - 1) * PAGE)
        return render_template("incidents/listing.html", entries=rows, page=page,
                               has_next=len(rows) == PAGE, filters={}, choices={})
    choices = {"region": stations.regions(db), "category": vocabulary.CATEGORIES,
               "severity": vocabulary.SEVERITIES, "state": vocabulary.STATES}
    # Unknown values (an edited address) are ignored rather than matching nothing.
    filters = {name: value for name in choices
               if (value := request.args.get(name, "")) in choices[name]}
    rows = incidents.latest(db, **filters, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("incidents/listing.html", entries=rows, page=page,
                           has_next=len(rows) == PAGE, filters=filters, choices=choices)


@bp.route("/incidents/<id:entry_id>")
@roles_required(*access.EVERYONE)
def detail(entry_id: int):
    row = _readable_or_404(entry_id)
    return render_template("incidents/detail.html", entry=row,
                           reported=YESNO_LABELS.get(row["reported_to_commission"], ""),
                           panel=review_panel(incidents.KIND, row),
                           history=_history(row),
                           can_edit=access.can_edit(current_user, incidents.KIND, row))


@bp.route("/incidents/<id:entry_id>/edit", methods=["GET", "POST"])
@roles_required(*access.OBSERVERS)
def edit(entry_id: int):
    db = get_db()
    row = _readable_or_404(entry_id)
    if not access.can_edit(current_user, incidents.KIND, row):
        if request.method == "POST":
            abort(409, str(NOT_EDITABLE))
        flash(str(NOT_EDITABLE))
        return redirect(url_for("incidents.detail", entry_id=entry_id), code=303)
    if request.method == "GET":
        return render_template("incidents/form.html", form=_form(formdata=None,
                                                                 data=_form_data(row)), entry=row)
    form = _form()
    form.uuid.data = row["uuid"]
    base_version = parse_id(form.base_version.data)
    if base_version is None:
        abort(400, _("This form was damaged. Open the report and edit it again."))
    if not form.validate():
        return render_template("incidents/form.html", form=form, entry=row), 400
    try:
        changed = entries.edit(db, incidents.INCIDENTS, entry_id, base_version,
                               form.to_record(), current_user.id)
    except entries.NotEditable:
        abort(409, str(NOT_EDITABLE))
    except entries.StaleEdit:
        form.base_version.errors.append(_(
            "Your team mate saved a newer version while you were editing. What you typed "
            "is below: open the report again to see their changes."))
        return render_template("incidents/form.html", form=form, entry=row), 409
    flash(_("Changes saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("incidents.detail", entry_id=entry_id), code=303)


def _form_data(row: dict) -> dict:
    """A stored report as the form's initial data, in its local time."""
    occurred = utc_to_local(row["occurred_utc"], row["timezone"])
    return {"uuid": row["uuid"], "base_version": row["version"],
            "occurred_date": occurred.date(), "occurred_time": occurred.strftime("%H:%M"),
            "station_number": row["station_number"] or "", "region": row["region"],
            **{name: row[name] for name in ("place", "category", "severity", "description",
                                            "reported_to_commission", "commission_response")}}


def _history(row: dict) -> list[dict]:
    """The versions with each change in words, old → new, for the detail page."""
    db = get_db()
    numbers: dict[int, str] = {}

    def shown(name: str, value) -> str:
        if value in (None, ""):
            return "—"
        if name == "occurred_utc":
            return local_text(value, row["timezone"])
        if name == "station_id":
            if value not in numbers:
                station = stations.get(db, value)
                numbers[value] = station["number"] if station else "?"
            return numbers[value]
        if name == "category":
            return label(CATEGORY_LABELS, value)
        if name == "severity":
            return label(SEVERITY_LABELS, value)
        if name == "reported_to_commission":
            return str(YESNO_LABELS.get(value, value))
        text = str(value)
        return text if len(text) <= HISTORY_TEXT else text[:HISTORY_TEXT] + "…"

    names = vocabulary.INCIDENT_FIELD_LABELS
    return [{"version": v["version"], "editor": v["editor"], "edited_utc": v["edited_utc"],
             "changes": [(str(names[name]), shown(name, old), shown(name, new))
                         for name, (old, new) in v["changes"].items() if name in names]}
            for v in entries.versions(db, incidents.INCIDENTS, row["id"])]
