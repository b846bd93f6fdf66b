"""The offline forms page and its service worker, seen from the server.

What a phone needs to work without a connection: a service worker at the
root (scope /, never cached by HTTP), a shell page for observers only that
holds no inline script and no one's data but the user name and the CSRF
token, and the API addresses the scripts call.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from views import assets, offline

STATIC = Path(__file__).resolve().parent.parent / "static"
OFFLINE_SCRIPTS = [STATIC / "sw.js", STATIC / "offline.js", *sorted((STATIC / "offline").glob("*.js"))]
# Every script of the static folder, the online pages' ones too.
SCRIPTS = sorted(STATIC.rglob("*.js"))
IMPORT = re.compile(r"""^import .* from "(\.{1,2}/[\w/.-]+)";$""", re.MULTILINE)


def imported(script: Path) -> set[Path]:
    """The modules a script imports, and theirs, and so on."""
    found: set[Path] = set()
    for target in IMPORT.findall(script.read_text(encoding="utf-8")):
        module = (script.parent / target).resolve()
        if module not in found:
            found |= {module} | imported(module)
    return found


class Shell(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.scripts, self.inline, self.handlers, self.styles, self.meta = [], [], [], [], {}
        self.data = {}
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name == "style":
                self.styles.append(tag)
        if tag == "style":
            self.styles.append("<style>")
        if tag == "script":
            self.scripts.append(attributes)
            # The import map is admitted by its hash (views/assets.py; tests/test_static.py).
            self._in_script = "src" not in attributes and attributes.get("type") != "importmap"
        if tag == "meta" and "name" in attributes:
            self.meta[attributes["name"]] = attributes.get("content")
        if attributes.get("id") == "offline-app":
            self.data = {k: v for k, v in attributes.items() if k.startswith("data-")}

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(data.strip()[:80])


def parse(html: str) -> Shell:
    shell = Shell()
    shell.feed(html)
    return shell


def shell_page(app, username: str):
    from tests.conftest import Browser
    browser = Browser(app.test_client())
    assert browser.login(username).status_code == 302
    return browser.client.get("/observe/offline")


# --------------------------------------------------------------------------- /sw.js

def test_service_worker_is_served_at_the_root_for_the_whole_app(app):
    response = app.test_client().get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    cache_control = response.headers["Cache-Control"]
    assert "no-cache" in cache_control and "no-store" in cache_control
    assert "max-age=0" in cache_control


def test_service_worker_carries_its_version_and_every_file_it_caches(app):
    client = app.test_client()
    body = client.get("/sw.js").text
    assert "/*SETTINGS*/{}" not in body
    settings = json.loads(re.search(r"const SETTINGS = (\{.*?\});", body).group(1))
    assert re.fullmatch(r"[0-9a-f]{16}", settings["version"])
    # The outbox's page and the whole form path: New, each station picker, each form.
    types = ("opening", "voting", "counting", "tabulation")
    assert settings["pages"][0] == "/observe/offline"
    assert set(settings["pages"]) == {"/observe/offline", "/checklists/new", "/incidents/new",
                                      "/meetings/new",
                                      *(f"/checklists/{t}/station" for t in types),
                                      *(f"/checklists/{t}/new" for t in types)}
    assert set(settings["forms"]) == {"/incidents/new", "/meetings/new",
                                      *(f"/checklists/{t}/new" for t in types)}
    assert settings["station_forms"] == [f"/checklists/{t}/new" for t in types]
    assert settings["data"] == ["/api/v1/me", "/api/v1/definitions",
                                "/api/v1/stations?region=mine", "/api/v1/messages"]
    # Every file of the shell exists: one missing file would make installing fail.
    for url in settings["shell"]:
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
    # Every script the offline page loads or imports is in the shell, or it would not load offline.
    cached = {STATIC / assets.source_name(url.removeprefix("/static/"))
              for url in settings["shell"]}
    pages = {STATIC / "offline.js", STATIC / "checklist.js", STATIC / "offline" / "guard.js",
             STATIC / "offline" / "form_page.js", STATIC / "offline" / "find_station.js"}
    for script in (*OFFLINE_SCRIPTS[1:], *pages, *set().union(*map(imported, pages))):
        assert script in cached, script


def test_service_worker_version_follows_the_shell_files(app, tmp_path, monkeypatch):
    with app.test_request_context():
        before = offline.shell_version()
        assert offline.shell_version() == before
        copy = tmp_path / "static"
        copy.mkdir()
        for name in (*offline.SHELL_FILES, "sw.js"):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / name).write_bytes((STATIC / name).read_bytes())
        monkeypatch.setattr(app, "static_folder", str(copy))
        assert offline.shell_version() == before
        (copy / "offline.css").write_text("/* changed */", encoding="utf-8")
        assert offline.shell_version() != before


# --------------------------------------------------------------------------- the shell page

@pytest.mark.parametrize("username, status", [("coord", 403), ("liaison", 403), ("admin", 403)])
def test_offline_page_is_for_observers(app, username, status):
    assert shell_page(app, username).status_code == status


def test_offline_page_and_token_need_a_login(app):
    client = app.test_client()
    for url in ("/observe/offline", "/observe/offline/token"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_shell_has_no_inline_script_style_or_handler(app):
    response = shell_page(app, "obs1")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    shell = parse(response.text)
    assert shell.inline == []
    assert shell.handlers == []
    assert shell.styles == []
    files = [{**s, "src": "/static/" + assets.source_name(s["src"].removeprefix("/static/"))}
             for s in shell.scripts if "src" in s]
    assert {"src": "/static/offline.js", "type": "module"} in files
    assert all(s.get("src", "").startswith("/static/") for s in shell.scripts
               if s.get("type") != "importmap")


def test_offline_scripts_never_build_markup_from_text_or_evaluate_it():
    for script in SCRIPTS:
        source = script.read_text(encoding="utf-8")
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(",
                          "new Function", "document.write", ".style."):
            assert forbidden not in source, (script.name, forbidden)


def test_shell_holds_the_token_the_settings_and_translated_messages(app):
    shell = parse(shell_page(app, "obs1").text)
    assert re.fullmatch(r"[\w.-]{20,}", shell.meta["csrf-token"])
    config = json.loads(shell.data["data-config"])
    messages = json.loads(shell.data["data-messages"])
    assert config["token"] == "/observe/offline/token"
    assert config["types"] == ["opening", "voting", "counting", "tabulation"]
    assert messages["waiting"] == "%(n)s waiting to send"
    assert all(messages.values())


def test_shell_serves_the_server_s_limits_to_the_scripts(app):
    """The phone offers what the server takes: the limits come from the server's constants."""
    from forms.meeting import MAX_ROWS
    from models.stations import SEARCH_LIMIT
    html = shell_page(app, "obs1").text
    config = json.loads(parse(html).data["data-config"])
    assert config["limits"] == {"comments": app.config["MAX_TEXT_LENGTH"],
                                "station_results": SEARCH_LIMIT}
    rows = dict(re.findall(r'data-rows="(\w+)" data-max-rows="(\d+)"', html))
    assert rows == {name: str(MAX_ROWS) for name in ("counterparts", "requests", "commitments")}


def test_scripts_name_each_cache_store_and_channel_in_one_place():
    """One module owns each storage name; the others import it or ask its owner."""
    owners: dict[str, set[str]] = {}
    for script in SCRIPTS:
        for name in re.findall(r"""["`](eom-[\w-]*)""", script.read_text(encoding="utf-8")):
            owners.setdefault(name, set()).add(script.name)
    assert owners and all(len(files) == 1 for files in owners.values()), owners


def test_shell_has_no_one_s_data_but_the_name_and_token(app):
    """Two observers of different teams get the same page, but for name and token."""
    def normalised(username):
        html = shell_page(app, username).text
        token = parse(html).meta["csrf-token"]
        return html.replace(token, "TOKEN").replace(username, "USER")
    assert normalised("obs1") == normalised("obs3")


def test_shell_calls_addresses_the_api_has(app):
    config = json.loads(parse(shell_page(app, "obs1").text).data["data-config"])
    adapter = app.url_map.bind("localhost")
    for url in (config["me"], config["definitions"], config["stations"].split("?")[0],
                config["station_search"], config["token"]):
        endpoint, _args = adapter.match(url, method="GET")
        assert endpoint.startswith(("api.", "offline.")), url
    for url in config["send"].values():
        endpoint, _args = adapter.match(url, method="POST")
        assert endpoint.startswith("api.create_"), url


def test_what_the_worker_caches_answers_an_observer(app):
    from tests.conftest import Browser
    browser = Browser(app.test_client())
    browser.login("obs1")
    with app.test_request_context():
        urls = offline.data_urls()
    assert urls == ("/api/v1/me", "/api/v1/definitions", "/api/v1/stations?region=mine",
                    "/api/v1/messages")
    for url in urls:
        response = browser.client.get(url)
        assert response.status_code == 200, url
        assert response.is_json
    stations = browser.client.get(urls[2]).json["stations"]
    assert [s["number"] for s in stations] == ["202"]  # obs1's region, Aktobe


def test_token_is_fresh_json_and_never_cached(app):
    from tests.conftest import Browser
    browser = Browser(app.test_client())
    browser.login("obs1")
    response = browser.client.get("/observe/offline/token")
    assert response.status_code == 200
    assert re.fullmatch(r"[\w.-]{20,}", response.json["csrf_token"])
    assert "no-store" in response.headers["Cache-Control"]
