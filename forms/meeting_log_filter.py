"""The meetings log's filters, read the same way for the page, its PDF and the command line."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from forms.meeting import LogFilterForm
from models import meeting_log
from models.clock import local_to_utc, to_iso, utc_now
from models.vocabulary import LEVEL_LABELS, STATUS_LABELS, TOPIC_LABELS, label


def parse_filters(args, regions: list[str], mission_zone: str,
                  now: datetime | None = None) -> meeting_log.LogSelection:
    """Read the log's filters (level, region, topic, status, since, until) as the page does.

    ``args`` is a request's query arguments or a plain dict from the command line.
    """
    formdata = args if hasattr(args, "getlist") else \
        MultiDict({k: v for k, v in args.items() if v not in (None, "")})
    form = LogFilterForm(formdata, regions=regions)
    if not form.validate():
        return meeting_log.LogSelection(None, errors=[_message(form[name], message)
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
    return meeting_log.LogSelection(filters, _describe(form))


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
