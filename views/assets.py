"""Static files for phones on slow lines: versioned URLs, cached for good, no extra headers.

``url_for('static', filename='app.css')`` gives ``/static/app.<hash>.css``,
the hash being the start of the file's SHA-256: a changed file gets a new
URL, so a versioned URL is sent with a one-year ``immutable`` max-age and a
phone never asks for it again. Plain URLs still work (``no-cache``, as
Flask sends them). Modules that import one another (``./store.js``) ask for
plain URLs: the import map in templates/base.html sends each to its
versioned URL, and the CSP admits that one inline script by its hash.
Hashes sit in the path, not in a query, because the service worker
(static/sw.js) keys its shell by path.

A static file is not a document: it goes without the session cookie (the
cookie would be re-signed and sent on each one) and without the page-only
headers (CSP, framing, referrer; see views/security.py).
"""

import base64
import hashlib
import mimetypes
import posixpath
import re
import time
from collections.abc import Callable
from pathlib import Path
from stat import S_ISREG

from flask import Flask, current_app, request, send_from_directory, url_for
from flask.sessions import SecureCookieSessionInterface
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
# The header's navy (static/app.css) and the page's grey, for the phone's splash screen.
THEME, BACKGROUND = "#12355b", "#f3f4f6"
HASH_LENGTH = 10
VERSIONED = re.compile(rf"(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)")
# Not documents: a CSP or framing rule on these has nothing to protect.
SUBRESOURCES = ("text/css", "text/javascript", "application/javascript", "image/png",
                "image/x-icon", "image/vnd.microsoft.icon", "application/manifest+json")
# (path, size, mtime) -> hash; a file edited in place gets a new entry.
_hashes: dict[tuple[str, int, int], str] = {}
# What every page needs (the module list, the import map, preloads), remade at
# most once a RECHECK: walking static/ for each response cost ~1 ms. Files
# change on a deploy (a restart) or while developing (seen within a second).
RECHECK = 1.0
_memo: dict[tuple, tuple[float, object]] = {}
# The static imports of our modules: `import { x } from "./skip.js";`, `import "./a.js";`.
IMPORTS = re.compile(r"""^import\b[^"';]*?["'](\.{1,2}/[\w/.-]+)["'];?$""", re.MULTILINE)


def fingerprint(name: str) -> str | None:
    """The start of the SHA-256 of static file ``name``; None when there is no such file."""
    joined = safe_join(current_app.static_folder, name)  # never outside static/
    if joined is None:
        return None
    path = Path(joined)
    try:
        stat = path.stat()
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
    return _hashes[key]


def versioned(name: str) -> str:
    """``offline/store.js`` as ``offline/store.<hash>.js`` (unchanged when there is no such file)."""
    folder, _slash, base = name.rpartition("/")
    stem, dot, ext = base.rpartition(".")
    digest = fingerprint(name) if stem and dot else None
    if digest is None:
        return name
    return f"{folder}{_slash}{stem}.{digest}.{ext}"


def source_name(filename: str) -> str:
    """The file a (possibly versioned) static name stands for: ``app.<hash>.css`` is ``app.css``."""
    match = VERSIONED.fullmatch(filename)
    return match["stem"] + match["ext"] if match else filename


def _version_static_urls(endpoint: str, values: dict) -> None:
    """url_defaults hook: every url_for('static', ...) names the versioned file."""
    if endpoint == "static" and "filename" in values:
        values["filename"] = versioned(values["filename"])


def serve(filename: str):
    """The static view: a versioned name is cached for a year, a plain one revalidated."""
    match = VERSIONED.fullmatch(filename)
    name = source_name(filename)
    if match and fingerprint(name) == match["hash"]:
        path = Path(safe_join(current_app.static_folder, name))
        # Read whole (static files are small): compressed in one piece, with a
        # Content-Length. No validators: this URL is never asked for twice.
        response = current_app.response_class(
            path.read_bytes(), mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        return response
    # A plain name, or an older hash (a page from before a deploy): today's file, revalidated.
    return _in_memory(send_from_directory(current_app.static_folder, name))


def _in_memory(response):
    """The file read into the response, so that it is compressed in one piece.

    A streamed file would be compressed chunk by chunk and sent without a
    Content-Length (Flask-Compress).
    """
    if response.status_code == 200:
        wrapped = response.response
        try:
            body = b"".join(wrapped)
        finally:
            wrapped.close()
        response.direct_passthrough = False
        response.set_data(body)
        response.headers.pop("Accept-Ranges", None)  # no byte ranges of a compressed body
    return response


def is_subresource(response) -> bool:
    """A static CSS, JS, icon or manifest response: no page-only headers needed."""
    return request.endpoint in ("static", "manifest") and response.mimetype in SUBRESOURCES


def modules() -> list[str]:
    """Every JS module under static/ (the service worker is a classic script, served by a view)."""
    folder = Path(current_app.static_folder)
    return _recent(("modules", str(folder)), lambda: sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*.js")
        if path.name != "sw.js"))


def _recent(key: tuple, compute: Callable):
    """``compute()``, remembered under ``key`` for RECHECK seconds."""
    now = time.monotonic()
    made, value = _memo.get(key, (None, None))
    if made is None or now - made > RECHECK:
        value = compute()
        _memo[key] = (now, value)
    return value


def _imports(name: str) -> list[str]:
    """The modules ``name`` imports directly (relative specifiers), as static names."""
    source = (Path(current_app.static_folder) / name).read_text(encoding="utf-8")
    folder = posixpath.dirname(name)
    return [posixpath.normpath(posixpath.join(folder, target))
            for target in IMPORTS.findall(source)]


def module_preloads(*entries: str) -> list[str]:
    """Jinja global: versioned URLs of every module the ``entries`` import, and theirs.

    Named in <link rel="modulepreload"> they load beside the entry instead of
    one round trip after it (400 ms each on a slow 3G line).
    """
    def walk() -> list[str]:
        found: list[str] = []
        pending = [target for entry in entries for target in _imports(entry)]
        while pending:
            name = pending.pop(0)
            if name not in found and name not in entries:
                found.append(name)
                pending += _imports(name)
        return [url_for("static", filename=name) for name in found]
    return _recent(("preloads", current_app.static_folder, request.script_root, *entries), walk)


def _import_map() -> tuple[str, str]:
    """The import map's text and its CSP source ('sha256-...'), remade within RECHECK of a change."""
    root = request.script_root + current_app.static_url_path + "/"

    def make() -> tuple[str, str]:
        text = str(htmlsafe_json_dumps(
            {"imports": {root + name: root + versioned(name) for name in modules()}},
            separators=(",", ":")))
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        return text, f"'sha256-{digest}'"
    return _recent(("import map", current_app.static_folder, root), make)


def import_map() -> Markup:
    """Jinja global: the import map's JSON, for the inline script in templates/base.html."""
    return Markup(_import_map()[0])


def import_map_source() -> str:
    """The CSP script source that admits the import map (and nothing else inline)."""
    return _import_map()[1]


def manifest():
    """The web-app manifest: the app on a phone's home screen, opening without the browser's bar."""
    name = current_app.config["MISSION_NAME"]
    response = current_app.json.response({
        "name": name, "short_name": name if len(name) <= 12 else name[:11] + "…",
        "start_url": url_for("auth.index"), "scope": url_for("auth.index"),
        "display": "standalone", "theme_color": THEME, "background_color": BACKGROUND,
        "icons": [{"src": url_for("static", filename=f"icons/icon-{size}.png"),
                   "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
                  for size in (192, 512)]})
    response.mimetype = "application/manifest+json"
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, left out of static responses."""

    def save_session(self, app, session, response) -> None:
        """Re-sign the cookie on pages only: a static file needs no session."""
        if request.endpoint in ("static", "manifest"):
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Versioned static URLs, the static view and the page-only session cookie.

    The ``import_map`` and ``module_preloads`` globals are registered with the
    others (views/template_helpers.py).
    """
    app.url_defaults(_version_static_urls)
    app.view_functions["static"] = serve
    app.session_interface = PageSessionInterface()
    app.add_url_rule("/manifest.webmanifest", "manifest", manifest)
