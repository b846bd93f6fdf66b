"""Offline-safe phones: the service worker, the offline forms page and a fresh CSRF token.

The ordinary checklist, incident and meeting forms are the offline-capable
ones: templates/offline/_form_hooks.html gives them static/offline/form_page.js
(drafts on the phone, Send through the outbox, photos) and the settings below.
The service worker keeps those pages, so a phone that logged in once can open
New → Voting with no connection. /observe/offline stays as the outbox's own
page (drafts, what waits, what was sent) and a form picker of its own.

That page is a shell: the checklists are drawn in the browser from the cached
definitions (GET /api/v1/definitions), the incident and meeting forms come as
<template>s rendered here from the same form classes as the online pages.
Drafts and the outbox live in the phone's IndexedDB (static/offline/*.js) and
are sent through the JSON API with the same uuid until the server confirms.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from forms.checklist import comments_limit
from forms.incident import IncidentForm
from forms.meeting import MeetingForm
from models import access, incidents, protocols, stations
from models.db import get_db
from models.definitions import TYPES
from models.vocabulary import OVERALL_LABELS, YESNO_LABELS
from views.auth import roles_required

bp = Blueprint("offline", __name__)
# The app shell: every file the offline page needs, cached when the worker installs.
SHELL_FILES = ("app.css", "offline.css", "incidents.css", "meetings.css", "checklist.js",
               "skip.js", "offline.js", "offline/store.js", "offline/outbox.js", "offline/forms.js",
               "offline/stations.js", "offline/ui.js", "offline/lists.js", "offline/guard.js",
               "offline/photos.js", "offline/form_page.js", "offline/find_station.js",
               "offline/messages.js",
               "textcount.js", "interpreter.js")
# Where a photo of an entry goes: the photos API, by the entry's kind (see the API's
# POST /api/v1/{kind}/{id}/photos); "{id}" is the entry's id the server answered with.
PHOTO_KINDS = {"checklist": "checklists", "incident": "incidents", "interaction": "meetings"}
NO_CACHE = "no-cache, no-store, must-revalidate, max-age=0"


def data_urls() -> tuple[str, ...]:
    """What the phone keeps to work with no connection, besides the shell page.

    Who is logged in, the checklist definitions, the stations of the observer's
    region, the coordinators' messages to the observer (with their read flags).
    """
    return (url_for("api.me"), url_for("api.definitions"),
            url_for("api.station_list", region="mine"), url_for("api.message_list"))


def form_pages() -> dict[str, bool]:
    """The form path's pages the worker keeps, each with whether it is a form.

    A form (True) gets a uuid of its own when opened with no connection; the
    checklist forms also need a station (the worker picks one of the region's
    to fetch a copy; the page puts the chosen one in its place).
    """
    pages = {url_for("checklists.home"): False, url_for("incidents.new"): True,
             url_for("meetings.new"): True}
    for kind in TYPES:
        pages[url_for("checklists.find_station", form_type=kind)] = False
        pages[url_for("checklists.new", form_type=kind)] = True
    return pages


def _static(name: str) -> Path:
    return Path(current_app.static_folder) / name


@lru_cache(maxsize=8)
def _version(stamp: tuple) -> str:
    """A short hash of the shell files: a new version makes phones fetch the shell again."""
    digest = hashlib.sha256()
    for name, _mtime in stamp:
        digest.update(name.encode())
        digest.update(_static(name).read_bytes())
    return digest.hexdigest()[:16]


def shell_version() -> str:
    """The current shell version (re-hashed only when a file's modification time changes)."""
    stamp = tuple((name, _static(name).stat().st_mtime_ns)
                  for name in (*SHELL_FILES, "sw.js"))
    return _version(stamp)


@bp.route("/sw.js")
def service_worker():
    """The service worker, at the root so its scope is the whole app.

    Served by a view (not /static/) because a worker's scope is its folder
    (or what Service-Worker-Allowed permits), and because the shell's version
    and file list are written into it: a changed file changes the worker's
    bytes, which is what makes a browser install the new one.
    """
    source = _static("sw.js").read_text(encoding="utf-8")
    pages = form_pages()
    settings = {"version": shell_version(),
                "shell": [url_for("static", filename=name) for name in SHELL_FILES],
                "pages": [url_for("offline.shell"), *pages],
                "forms": [page for page, is_form in pages.items() if is_form],
                "station_forms": [url_for("checklists.new", form_type=kind) for kind in TYPES],
                # Drawn per single-member district: the protocol lists its candidates.
                "district_forms": [url_for("checklists.new", form_type=kind)
                                   for kind in protocols.PROTOCOL_TYPES],
                "login": url_for("auth.login"),
                "data": list(data_urls())}
    body = source.replace("/*SETTINGS*/{}", json.dumps(settings), 1)
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = NO_CACHE
    return response


@bp.route("/observe/offline")
@roles_required(*access.OBSERVERS)
def shell():
    """The offline forms page: checklists, incidents, meetings, drafts and the outbox."""
    db = get_db()
    incident = IncidentForm(formdata=None, db=db, region_zones=incidents.region_zones(db))
    meeting = MeetingForm(formdata=None, db=db, regions=stations.regions(db),
                              queue_choices=[], team=current_user.team,
                              mission_zone=current_app.config["MISSION_TIMEZONE"])
    response = Response(render_template(
        "offline/page.html", incident=incident, meeting=meeting,
        config_json=_page_config(), messages_json=_messages()))
    # The service worker keeps its own copy; the HTTP cache must not serve a stale one.
    response.headers["Cache-Control"] = NO_CACHE
    return response


@bp.route("/observe/offline/token")
@roles_required(*access.OBSERVERS)
def token():
    """A fresh CSRF token for sending the outbox (the page's own may be hours old)."""
    response = current_app.json.response({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = NO_CACHE
    return response


def offline_form_settings() -> dict:
    """Jinja global (views/template_helpers.py): what the ordinary forms' script needs
    (addresses, limits, sentences)."""
    return {"config": _page_config(), "messages": _form_messages()}


def _page_config() -> dict:
    me, definitions, region_stations, messages = data_urls()
    photos = url_for("api.create_checklist").rsplit("/", 1)[0] + "/{kind}/{id}/photos"
    return {"me": me, "definitions": definitions, "stations": region_stations,
            "photos": {kind: photos.replace("{kind}", path) for kind, path in PHOTO_KINDS.items()},
            "drafts": url_for("offline.shell", _anchor="drafts"), "messages": messages,
            "station_search": url_for("api.station_list"), "token": url_for("offline.token"),
            "worker": url_for("offline.service_worker"), "types": list(TYPES),
            "send": {"checklist": url_for("api.create_checklist"),
                     "incident": url_for("api.create_incident"),
                     "interaction": url_for("api.create_interaction"),
                     "checkin": url_for("api.create_checkin")},
            "login": url_for("auth.login", next=url_for("offline.shell")),
            # The server's own limits, served here rather than copied into the scripts.
            "limits": {"comments": comments_limit(), "station_results": stations.SEARCH_LIMIT}}


def _form_messages() -> dict:
    """The sentences of the ordinary forms' script and the station picker offline."""
    every = _messages()
    wanted = ("sending", "login_again", "log_in", "server_busy", "required", "choose_overall",
              "enter_required", "fix_summary", "rejected", "draft_saved", "station_no",
              "times_local", "no_station_found")
    return {**{key: every[key] for key in wanted},
            "saved_phone": _("Saved on this phone — it will be sent when the connection "
                             "is back."),
            "leave_unsaved": _("This form has changes that were not sent. Leave it? (What you "
                               "typed stays on this phone as a draft.)"),
            "draft_offer": _("You have a draft for station No. %(number)s from %(time)s."),
            "draft_offer_any": _("You have a draft of this form from %(time)s."),
            "draft_continue": _("Continue"), "draft_discard": _("Discard"),
            "photos": _("Photos"),
            "photos_help": _("Photos of the evidence, e.g. the results protocol. They are made "
                             "smaller on this phone before sending."),
            "photo_question": _("About"), "photo_no_question": _("The whole entry"),
            "photo_camera": _("Take a photo"), "photo_gallery": _("Choose from the gallery"),
            "photo_remove": _("Remove"), "photo_alt": _("Photo"),
            "photo_unreadable": _("This file is not a picture this phone can read."),
            "photo_refused": _("The server refused this photo"),
            "photos_waiting": _("The entry was received; its photos are saved on this phone "
                                "and will be sent when the connection is back."),
            "see_entry": _("See it"), "drafts_link": _("Drafts on this phone"),
            # The same sentences as the plain forms' (views.checklists, incidents, meetings),
            # shown on the entry's page once the outbox has sent it.
            "received": {"checklist": _("Checklist received."),
                         "incident": _("Incident report received."),
                         "interaction": _("Meeting logged.")},
            "already": {"checklist": _("This checklist had already been received; nothing "
                                       "was duplicated."),
                        "incident": _("This incident report had already been received; "
                                      "nothing was duplicated."),
                        "interaction": _("This meeting had already been received; nothing "
                                         "was duplicated.")}}


def _messages() -> dict:
    """Every sentence the offline scripts show, translated here (the scripts hold no text)."""
    return {
        "time_placeholder": _("HH:MM"),
        "waiting": _("%(n)s waiting to send"),
        "to_fix": _("%(n)s sent back to fix"),
        "sending": _("Sending…"),
        "all_sent": _("Everything was sent."),
        "online": _("Online."),
        "offline": _("No connection: what you file is kept on this phone and sent later."),
        "ready": _("Ready to work offline."),
        "not_ready": _("Not ready to work offline yet: keep this page open while online."),
        "no_cache": _("This page has not been opened online yet on this phone. Connect, "
                      "log in and open it once."),
        "login_again": _("Your session has ended: log in again to send what is waiting. "
                         "Nothing is lost, it stays on this phone."),
        "log_in": _("Log in"),
        "retry_at": _("Next try at %(time)s."),
        "server_busy": _("The server could not take it now; trying again shortly."),
        "saved_outbox": _("Saved on this phone. It will be sent when there is a connection."),
        "received": _("Received by the server."),
        "already": _("It had already been received; nothing was duplicated."),
        "rejected": _("The server sent this back: correct the answers in red and send again."),
        "conflict_new": _("Send as a new entry"),
        "draft_saved": _("Draft saved on this phone at %(time)s."),
        "delete_draft": _("Delete this draft?"),
        "required": _("This question needs an answer."),
        "choose_overall": _("Choose the overall assessment."),
        "enter_required": _("Enter this."),
        "fix_summary": _("Some answers need attention: see the messages in red. Nothing you "
                         "typed was lost."),
        "no_station_found": _("No station of your region matches. Type the number."),
        "pick_station": _("Polling station: number or part of its name"),
        "no_station": _("Not at a polling station"),
        "drafts_empty": _("No drafts on this phone."),
        "station_no": _("No. %(number)s"),
        "times_local": _("times are local (%(zone)s)"),
        "visit": _("Visit"),
        "arrival_date": _("Arrival date"), "arrival_time": _("Arrival time (local)"),
        "departure_date": _("Departure date"), "departure_time": _("Departure time (local)"),
        "overall": _("Overall assessment"),
        "overall_choices": {code: str(text) for code, text in OVERALL_LABELS.items()},
        "yesno": {code: str(text) for code, text in YESNO_LABELS.items()},
        "figures_confirmed": _("The figures are correct as written (as in the protocol)"),
        "comments": _("Comments"),
        "send_checklist": _("Send checklist"), "send_report": _("Send report"),
        "save_meeting": _("Save the meeting report"),
        "incident": _("Incident report"), "meeting": _("Meeting with a commission"),
        "incident_help": _("Something serious, at a polling station or elsewhere."),
        "meeting_help": _("A meeting or exchange with an election commission."),
        "open": _("Open"), "delete": _("Delete"), "saved_at": _("saved %(time)s"),
        "sent_at": _("sent %(time)s"), "see_entry": _("See it"),
        # The same sentence is base.html's data-unsent on the log-out form.
        "logout_unsent": _("Entries on this phone not yet received by the server: %(n)s. "
                           "They stay on this phone under your name and are sent when you "
                           "log in again. Log out anyway?"),
        "logout_offline": _("There is no connection: logging out is not possible now."),
        "required_mark": _("required"), "more_rows": _("More rows"),
        # The coordinators' messages (static/offline/messages.js).
        "message_confirm": _("I have read it"), "message_read": _("Read"),
        "message_waiting": _("Confirmed on this phone: it will be sent when the connection "
                             "is back."),
        "message_receipt": _("Message read: %(text)s"),
    }
