"""Meetings with election commissions: log one, read the log, follow up what was asked.

Long-term observers and the CEC liaison log meetings; reviewers read them all,
observers their own team's. Requests and commitments are followed up on the
meeting's page by the liaison, coordinators and the meeting's authors.
"""

import re
import uuid as uuidlib
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.checklist import UUID_PATTERN
from forms.meeting import FollowUpForm, LogFilterForm, MeetingForm, form_data
from models import access, entries, liaison, meeting_log, meetings, stations, users, vocabulary
from models.clock import local_text, local_to_utc, to_iso, utc_now, utc_to_local
from models.db import get_db
from models.mission_dates import default_day
from models.vocabulary import CATEGORY_LABELS, LEVEL_LABELS, TOPIC_LABELS
from views import filing
from views.auth import entry_or_404, roles_required
from views.ids import parse_id
from views.review_panel import review_panel

bp = Blueprint("meetings", __name__)
PAGE = 50
MAX_PAGE = 10000  # beyond this an offset would only be tampering


def _today() -> date:
    return utc_now().astimezone(ZoneInfo(current_app.config["MISSION_TIMEZONE"])).date()


def _queue_choices(db) -> list[dict]:
    """The liaison picks queued entries to link; observers have no queue (it is the reviewers')."""
    if not access.is_reviewer(current_user):
        return []
    def what(e):
        return CATEGORY_LABELS.get(e["what"], e["what"]) if e["kind"] == "incident" \
            else _(e["what"].title())
    return [{**e, "label": f"{e['ref']} · {what(e)} · {e['place']} ({e['region']}) — "
                           f"{TOPIC_LABELS[e['topic']]}: {e['note']}"}
            for e in liaison.choices(db)]


def _form(db, queue: list[dict], **kwargs) -> MeetingForm:
    return MeetingForm(db=db, regions=stations.regions(db), queue_choices=queue,
                       mission_zone=current_app.config["MISSION_TIMEZONE"],
                       team=access.team_scope(current_user), **kwargs)


def _render_form(form: MeetingForm, entry: dict | None = None, status: int = 200):
    return render_template("meetings/form.html", form=form, entry=entry,
                           mission_zone=current_app.config["MISSION_TIMEZONE"]), status


@bp.route("/meetings")
@roles_required(*access.EVERYONE)
def log():
    """The meetings log, newest first, narrowed by the filters in the address."""
    db = get_db()
    form = LogFilterForm(request.args, regions=stations.regions(db))
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    if not form.validate():
        return render_template("meetings/log.html", form=form, meetings=[], page=1,
                               has_next=False, args={}), 400
    zone = current_app.config["MISSION_TIMEZONE"]
    filters = meeting_log.LogFilter(
        level=form.level.data, region=form.region.data, topic=form.topic.data,
        status=form.status.data, team=access.team_scope(current_user), today=_today().isoformat(),
        since_utc=to_iso(local_to_utc(form.since.data, time(0), zone)) if form.since.data else "",
        until_utc=to_iso(local_to_utc(form.until.data + timedelta(days=1), time(0), zone))
        if form.until.data else "")
    rows = meeting_log.log(db, filters, limit=PAGE, offset=(page - 1) * PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("meetings/log.html", form=form, meetings=rows, page=page,
                           has_next=len(rows) == PAGE, args=args)


@bp.route("/meetings/new", methods=["GET", "POST"])
@roles_required(*access.MEETING_AUTHORS)
def new():
    """Log a meeting: a blank form (GET) or the report sent (POST, idempotent by uuid)."""
    db = get_db()
    queue = _queue_choices(db)
    if request.method == "GET":
        return _blank_form(db, queue)
    form = _form(db, queue)
    if request.form.get("more_rows"):
        form.add_rows()
        return _render_form(form)
    if filing.new_form_asked(form):
        return _render_form(form)
    if not form.validate():
        return _render_form(form, status=400)
    try:
        filed = filing.file_new(meetings.MEETINGS, form, _(
            "This form was already sent with different content. What you typed is below: "
            "open a new form to log it as another meeting, or edit the meeting that was sent."))
    except meetings.UnknownEntry:
        form.entry_numbers.errors.append(_("One of these entries no longer exists."))
        return _render_form(form, status=400)
    if filed is None:
        return _render_form(form, status=409)
    entry_id, created = filed
    return filing.show_filed("meetings.detail", entry_id, _("Meeting logged.") if created
                             else _("This meeting had already been received; nothing was duplicated."))


def _blank_form(db, queue: list[dict]):
    """A new form whose uuid lives in its address (see views.checklists._blank_form).

    ``link=checklist:12`` in the address ticks that queued entry (from the queue page).
    """
    form_uuid = request.args.get("uuid", "")
    links = request.args.getlist("link")[:100]
    if not re.fullmatch(UUID_PATTERN, form_uuid):
        return redirect(url_for("meetings.new", uuid=str(uuidlib.uuid4()), link=links))
    seen = filing.already_filed(meetings.find_by_uuid(db, form_uuid), "meetings.detail",
                                _("This meeting had already been received; nothing was duplicated."))
    if seen:
        return seen
    regions = stations.regions(db)
    observer = current_user.role == "observer"
    participants = users.team_members(db, current_user.team) if observer \
        else [current_user.username]
    form = _form(db, queue, formdata=None, data={
        "uuid": form_uuid,
        "date": default_day(current_app.config, current_app.config["MISSION_TIMEZONE"]),
        "commission_level": "territorial" if observer else "cec",
        "region": current_user.region if observer and current_user.region in regions else "",
        "participants": ", ".join(participants),
        "queued": [v for v in links if v in {f"{e['kind']}:{e['id']}" for e in queue}]})
    return _render_form(form)


@bp.route("/meetings/<id:entry_id>")
@roles_required(*access.EVERYONE)
def detail(entry_id: int):
    """One meeting: what was said, its follow-ups (with answer forms), links, review, history."""
    return _detail_page(entry_or_404(meetings.get(get_db(), entry_id)))


def _detail_page(entry: dict, failed: dict | None = None, status: int = 200):
    """The meeting page; ``failed`` maps an item id to its rejected answer form."""
    db, today = get_db(), _today()
    meeting_day = utc_to_local(entry["occurred_utc"], entry["timezone"]).date()
    forms = {}
    if access.can_comment(current_user, entry):
        for item in entry["follow_ups"]:
            if item["status"] != "closed":
                forms[item["id"]] = (failed or {}).get(item["id"]) or FollowUpForm(
                    prefix=f"item{item['id']}", formdata=None, meeting_date=meeting_day,
                    today=today, data={"answer_date": today, "answer_text": item["answer_text"]})
    return render_template(
        "meetings/detail.html", entry=entry, forms=forms, today=today.isoformat(),
        panel=review_panel(meetings.KIND, entry),
        history=_history(entries.versions(db, meetings.MEETINGS, entry["id"]),
                         entry["timezone"]),
        links=[{**link, "readable": access.can_read(current_user, link)} for link in entry["links"]],
        can_edit=access.can_edit(current_user, meetings.KIND, entry)), status


@bp.route("/meetings/<id:entry_id>/edit", methods=["GET", "POST"])
@roles_required(*access.MEETING_AUTHORS)
def edit(entry_id: int):
    """Its authors correct a meeting report, as a new version."""
    db = get_db()
    entry = entry_or_404(meetings.get(db, entry_id))
    if not access.is_author(current_user, meetings.KIND, entry):
        abort(403, _("Only the authors of a meeting report can edit it; add a comment instead."))
    if not access.can_edit(current_user, meetings.KIND, entry):
        return _not_editable(entry_id)
    queue = _queue_choices(db)
    if request.method == "GET":
        form = _form(db, queue, formdata=None, data=form_data(entry, queue))
        form.ensure_blank_rows()
        return _render_form(form, entry)
    form = _form(db, queue)
    form.uuid.data = entry["uuid"]
    if request.form.get("more_rows"):
        form.add_rows()
        return _render_form(form, entry)
    base_version = parse_id(form.base_version.data)
    if base_version is None:
        abort(400, _("This form was damaged. Open the meeting and edit it again."))
    if not form.validate():
        return _render_form(form, entry, 400)
    try:
        changed = entries.edit(db, meetings.MEETINGS, entry_id, base_version,
                               form.to_record(), current_user.id)
    except entries.NotEditable:
        return _not_editable(entry_id)
    except entries.StaleEdit:
        form.base_version.errors.append(_(
            "Someone saved a newer version, or answered a follow-up item, while you were "
            "editing. What you typed is below: open the meeting again to see their changes."))
        return _render_form(form, entry, 409)
    except meetings.UnknownEntry:
        form.entry_numbers.errors.append(_("One of these entries no longer exists."))
        return _render_form(form, entry, 400)
    except meetings.UnknownFollowUp:
        abort(400, _("This form was damaged. Open the meeting and edit it again."))
    flash(_("Changes saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("meetings.detail", entry_id=entry_id), code=303)


def _not_editable(entry_id: int):
    flash(_("This meeting report was already reviewed (verified or rejected) and can no "
            "longer be edited. Add a comment to it instead."))
    return redirect(url_for("meetings.detail", entry_id=entry_id), code=303)


@bp.route("/meetings/follow-ups/<id:item_id>", methods=["POST"])
@roles_required(*access.EVERYONE)
def follow_up(item_id: int):
    """Record the commission's answer to a request or commitment, or close it."""
    db = get_db()
    item = entry_or_404(liaison.follow_up(db, item_id), access.can_comment)
    entry = meetings.get(db, item["interaction_id"])
    form = FollowUpForm(prefix=f"item{item_id}", today=_today(),
                        meeting_date=utc_to_local(item["occurred_utc"], item["timezone"]).date())
    if not form.validate():
        return _detail_page(entry, failed={item_id: form}, status=400)
    try:
        if form.action.data == "close":
            liaison.close_follow_up(db, item_id, current_user.id)
        else:
            liaison.answer_follow_up(db, item_id, form.answer_date.data.isoformat(),
                                     form.answer_text.data.strip(), current_user.id)
    except liaison.FollowUpClosed:
        abort(409, _("This item was already closed; it takes no more answers."))
    flash(_("Item closed.") if form.action.data == "close" else _("Answer recorded."))
    return redirect(url_for("meetings.detail", entry_id=entry["id"],
                            _anchor=f"item-{item_id}"), code=303)


@bp.route("/meetings/overdue")
@roles_required(*access.EVERYONE)
def overdue():
    """Open follow-ups past their due date, oldest due first."""
    today = _today()
    rows = liaison.overdue(get_db(), today.isoformat(), team=access.team_scope(current_user))
    for row in rows:
        row["days_late"] = (today - date.fromisoformat(row["due_date"])).days
    return render_template("meetings/overdue.html", items=rows, today=today)




def _history(versions: list[dict], zone: str) -> list[dict]:
    """Each version with its changes as (label, before, after) text."""
    def text(key, value):
        if value in (None, "", []):
            return "—"
        if key == "occurred_utc":
            return local_text(value, zone)
        if key == "commission_level":
            return str(LEVEL_LABELS.get(value, value))
        if key == "topics":
            return ", ".join(str(TOPIC_LABELS.get(t, t)) for t in value)
        if key == "counterparts":
            return "; ".join(p["name"] + (f" ({p['position']})" if p["position"] else "")
                             for p in value)
        if key == "follow_ups":
            return "; ".join(f"{f['text']}" + (f" [{f['due_date']}]" if f["due_date"] else "")
                             for f in value)
        if key == "links":
            return ", ".join(value)
        return str(value)
    names = vocabulary.MEETING_FIELD_LABELS
    return [{**v, "changes": [(str(names.get(k, k)), text(k, old), text(k, new))
                              for k, (old, new) in v["changes"].items()]} for v in versions]
