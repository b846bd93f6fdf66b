"""The deployment plan (/plans): coordinators edit teams' areas, phones and day plans.

Observers see their own plan for the day on their home page (``observer_plan``,
templates/checklists/_plan.html). The plan file's import is views/cli_plans.py.
"""

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.plan import DayPlanForm, TeamForm, plan_rows
from models import access, mission_dates, plans, stations, teams
from models.db import get_db
from views.auth import roles_required

bp = Blueprint("plans", __name__, url_prefix="/plans")


def _default_day(zone: str | None = None) -> str:
    """Today in ``zone`` (the mission's zone by default), or election day outside the mission."""
    zone = zone or current_app.config["MISSION_TIMEZONE"]
    return mission_dates.default_day(current_app.config, zone).isoformat()


def _polls_close():
    return mission_dates.polling_hours(current_app.config)[1]


def observer_plan(user) -> dict | None:
    """The observer's team's plan for today (election day outside the mission), with progress."""
    db = get_db()
    zone = (stations.region_zone(db, user.region) if user.region else None)
    day = _default_day(zone)
    visits = plans.progress(db, user.team, day, _polls_close()) if user.team else []
    return {"day": day, "visits": visits, "labels": _labels()} if visits else None


def _labels() -> dict[str, str]:
    return {purpose: plans.purpose_label(purpose) for purpose in plans.PURPOSES}


def _team_or_404(team: str, planned: bool = False) -> str:
    known = teams.with_members(get_db()) if planned else set(teams.names(get_db()))
    if team not in known:
        abort(404)
    return team


@bp.route("")
@roles_required(*access.COORDINATORS)
def index():
    """Every team with its area, phones and planned days; the plan's rules."""
    db = get_db()
    day = plans.parse_day(request.args.get("day", "")) or _default_day()
    return render_template("plans/index.html", teams=teams.listing(db), day=day,
                           planned=plans.planned_days(db), can_plan=teams.with_members(db),
                           rules=plans.rules(_polls_close().strftime("%H:%M")))


def _team_form(team: dict, **kwargs) -> TeamForm:
    db = get_db()
    region = request.form.get("region") if request.method == "POST" else team["region"]
    districts = teams.districts_of(db, region) if region else []
    # Districts kept from another region stay visible, to be unticked.
    districts += [d for d in team["districts"] if d not in districts]
    return TeamForm(regions=stations.regions(db), districts=districts, **kwargs)


@bp.route("/teams/<team>", methods=["GET", "POST"])
@roles_required(*access.COORDINATORS)
def team(team: str):
    """A team's area and phone numbers."""
    db = get_db()
    row = teams.get(db, _team_or_404(team))
    if request.method == "GET":
        form = _team_form(row, formdata=None, data={
            "region": row["region"] or "", "districts": row["districts"],
            "phones": row["phones"]})
        return render_template("plans/team.html", team=team, form=form)
    form = _team_form(row)
    problems = teams.check_area(db, form.region.data or "", form.districts.data or [],
                                form.phones.data or "") if form.validate() else []
    form.show(problems)
    if form.errors:
        return render_template("plans/team.html", team=team, form=form), 400
    changed = teams.save(db, team, form.region.data or None, form.districts.data or [],
                         form.phones.data, by=current_user.id)
    flash(_("Area and phones of team %(team)s saved.", team=team) if changed
          else _("Nothing was changed."))
    return redirect(url_for("plans.index"), code=303)


@bp.route("/teams/<team>/<day>", methods=["GET", "POST"])
@roles_required(*access.COORDINATORS)
def day(team: str, day: str):
    """A team's plan for one day: add, reorder (by number) and remove visits."""
    db = get_db()
    _team_or_404(team, planned=True)
    if plans.parse_day(day) != day:
        abort(404)
    if request.method == "GET":
        form = DayPlanForm(formdata=None, data=plan_rows(plans.day_plan(db, team, day)))
        form.add_blank_rows()
        return _day_page(team, day, form)
    form = DayPlanForm()
    kept = form.kept_rows() if form.validate() else []
    if form.errors:
        return _day_page(team, day, form, 400)
    one_per_hour = bool(current_app.config["PLAN_ONE_TEAM_PER_STATION_HOUR"])
    # Every problem at once: the model's checks on the rows complete enough for them.
    complete = [(row, values) for row, values in kept if values["station"] and values["purpose"]]
    _visits, problems = plans.check_day(db, team, day, [v for _row, v in complete], one_per_hour)
    if problems or form.incomplete:
        form.show(complete, problems)
        return _day_page(team, day, form, 400)
    problems = plans.save_day(db, team, day, [v for _row, v in kept], one_per_hour,
                              by=current_user.id)
    if problems:  # another coordinator's plan came first
        form.show(kept, problems)
        return _day_page(team, day, form, 400)
    flash(_("Plan of team %(team)s for %(day)s saved.", team=team,
            day=date.fromisoformat(day).strftime("%d.%m.%Y")))
    return redirect(url_for("plans.day", team=team, day=day), code=303)


def _day_page(team: str, day: str, form: DayPlanForm, status: int = 200):
    db = get_db()
    plan = {"day": day, "labels": _labels(),
            "visits": plans.progress(db, team, day, _polls_close())}
    return render_template("plans/day.html", team=team, day=day, form=form,
                           area=teams.get(db, team), plan=plan), status
