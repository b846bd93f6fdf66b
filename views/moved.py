"""Old addresses that phones may have bookmarked or cached: each one redirects to its new home.

Checklists moved from /observe and /entries to /checklists, meetings from
/interactions to /meetings (one noun per feature). 308 keeps the method and
body, so a form opened before the move and sent after it is still filed.
The offline page keeps /observe/offline (the service worker caches it).
"""

from flask import Blueprint, redirect, request

bp = Blueprint("moved", __name__)

# old prefix -> new prefix; what follows the prefix is kept as it is.
PREFIXES = {"/observe/": "/checklists/", "/entries/": "/checklists/",
            "/interactions/": "/meetings/"}
EXACT = {"/observe": "/checklists/new", "/entries": "/checklists", "/interactions": "/meetings"}


def _moved(new_path: str):
    query = request.query_string.decode("latin-1")
    return redirect(new_path + ("?" + query if query else ""), code=308)


@bp.route("/observe", methods=["GET", "POST"])
@bp.route("/entries", methods=["GET", "POST"])
@bp.route("/interactions", methods=["GET", "POST"])
def exact():
    """A feature's old front page."""
    return _moved(EXACT[request.path])


@bp.route("/observe/<form_type>/<any(station, new):step>", methods=["GET", "POST"])
@bp.route("/entries/<path:rest>", methods=["GET", "POST"])
@bp.route("/interactions/<path:rest>", methods=["GET", "POST"])
def prefixed(**_parts):
    """Any page below a feature's old prefix."""
    for old, new in PREFIXES.items():
        if request.path.startswith(old):
            return _moved(new + request.path[len(old):])
    raise AssertionError(request.path)  # every route above starts with a known prefix
