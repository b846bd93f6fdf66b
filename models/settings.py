"""Every configuration key the app reads, declared once with its default and help.

Set them in ``instance/config.py`` or as ``FLASK_<NAME>`` environment variables
(``FLASK_DATABASE=/srv/eom.sqlite``). A test checks each one is in the README.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = [
    Setting("DATABASE", None,
            "Path of the SQLite file. Default: instance/observation.sqlite."),
    Setting("SECRET_KEY", None,
            "Signs sessions and CSRF tokens. When unset, one is generated into "
            "instance/secret_key on first start and reused."),
    Setting("MISSION_NAME", "Election Observation Mission",
            "Shown in the page header and on reports."),
    Setting("ELECTION_NAME", "Early Mazhilis elections, 19 March 2023",
            "The election this mission observes."),
    Setting("ELECTION_DATE", "2023-03-19",
            "Election day, YYYY-MM-DD (empty for none). On days outside the mission's "
            "dates, new forms' date fields start on this day instead of today."),
    Setting("MISSION_FILE", None,
            "The mission file: the election's contests (party lists, parties in ballot "
            "order, seats, threshold; single-member districts). Default: "
            "models/contests/kz2023.yaml. Checked at start-up."),
    Setting("MISSION_START", None,
            "First day of the mission, YYYY-MM-DD. Default: 35 days before ELECTION_DATE "
            "(long-term observers deploy about five weeks before)."),
    Setting("MISSION_END", None,
            "Last day of the mission, YYYY-MM-DD. Default: 14 days after ELECTION_DATE."),
    Setting("POLLS_OPEN", "07:00",
            "When polls open, local time (HH:MM). A voting checklist whose visit starts "
            "before this asks the observer to confirm the time."),
    Setting("POLLS_CLOSE", "20:00",
            "When polls close, local time (HH:MM). A voting checklist whose visit starts "
            "after this asks the observer to confirm the time."),
    Setting("LATE_AFTER_MINUTES", 90,
            "The control room marks a team late when nothing (an entry or a check-in) "
            "was heard from it for this many minutes while polls are open in its region."),
    Setting("PUBLICATION_MIN_N", 10,
            "In the summary for publication, a share over fewer observations than this "
            "is printed as 'X of Y', without a percentage or bar."),
    Setting("TURNOUT_GAP_POINTS", 15,
            "Results annex: a station is listed when its observed turnout is this many "
            "percentage points or more below the commission's announced turnout."),
    Setting("MISSION_TIMEZONE", "Asia/Almaty",
            "Where the core team works: 'today' on the dashboard and times not tied "
            "to a station are shown in this zone."),
    Setting("PLAN_ONE_TEAM_PER_STATION_HOUR", True,
            "The deployment plan refuses a station planned for two teams less than an hour "
            "apart on the same day. Set it to false when teams may meet at a station."),
    Setting("SQLITE_BUSY_TIMEOUT_MS", 10000,
            "How long a write waits for another writer before giving up. "
            "Checklists arrive in bursts after polls open and close."),
    Setting("MAX_TEXT_LENGTH", 2000,
            "Longest free-text answer or comment accepted, in characters."),
    Setting("MESSAGE_MAX_LENGTH", 500,
            "Longest message to teams, in characters: a few SMS long, read on a phone "
            "at a polling station."),
    Setting("MESSAGE_WEBHOOK_URL", "",
            "Each message to teams is POSTed as JSON to this address (an SMS gateway's, "
            "say); empty: none. See 'Messages to teams' for the JSON and the retries."),
    Setting("MESSAGE_WEBHOOK_TIMEOUT", 5,
            "Seconds one webhook attempt waits for the gateway's answer."),
    Setting("COMMENTS_PER_ENTRY", 200,
            "Most comments one entry's thread takes; then the comment box says so."),
    Setting("COMMENT_LIMIT_PER_USER", "10 per minute;120 per hour",
            "Comments one user may write (Flask-Limiter notation); more get a 429 "
            "asking to wait."),
    Setting("ENTRY_PAGE_LATEST", 50,
            "Latest comments and versions shown on an entry's page; older ones are "
            "counted, and the PDF holds them."),
    Setting("MAX_CONTENT_LENGTH", 1024 * 1024,
            "Largest request accepted, in bytes; a checklist is a few kilobytes."),
    Setting("MEDIA_DIR", None,
            "Folder of the photos (named by their sha256). Default: media/ beside the "
            "database file. Back it up with the database (flask backup does)."),
    Setting("PHOTO_MAX_BYTES", 10 * 1024 * 1024,
            "Largest photo accepted, in bytes; an upload request may be this much plus "
            "64 KB of form fields. Phones send ~300 KB (they shrink photos first)."),
    Setting("PHOTO_MAX_PIXELS", 50_000_000,
            "Most pixels a photo may have (width x height), read from its header before "
            "it is decoded: a 'decompression bomb' is refused without costing memory."),
    Setting("SESSION_IDLE_MINUTES", 12 * 60,
            "A session ends after this many minutes without a request."),
    Setting("WTF_CSRF_TIME_LIMIT", None,
            "Seconds a form's CSRF token stays valid; none means as long as the session. "
            "A count takes hours: a one-hour token would reject the counting checklist."),
    Setting("SESSION_COOKIE_SECURE", False,
            "Send the session cookie over HTTPS only: set it to true behind a TLS proxy."),
    Setting("PROXY_COUNT", 0,
            "How many reverse proxies (nginx, Caddy) stand in front of the app: 1 behind "
            "one TLS proxy, so the client's address and https come from X-Forwarded-For/"
            "-Proto. 0 when clients connect directly (they could forge those headers)."),
    Setting("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes",
            "Failed log-ins allowed for one user name before a pause."),
    Setting("LOGIN_LIMIT_PER_ADDRESS", "50 per 15 minutes",
            "Failed log-ins allowed from one address before a pause."),
    Setting("RATELIMIT_STORAGE_URI", "memory://",
            "Where log-in attempts are counted (Flask-Limiter): memory:// per worker "
            "process, or redis://host:6379 to share the count between workers."),
    Setting("BABEL_DEFAULT_LOCALE", "en", "Language of the interface."),
    Setting("BABEL_DEFAULT_TIMEZONE", "UTC",
            "Only for times with no station; station times show in the station's zone."),
]


def defaults() -> dict[str, Any]:
    """The defaults as a mapping for ``app.config.from_mapping``."""
    return {s.name: s.default for s in SETTINGS}
