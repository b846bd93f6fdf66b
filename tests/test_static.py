"""Phones on slow lines: compressed responses, versioned static files cached for good, the manifest.

Issue: "nothing is compressed or cached". Responses are compressed when the
browser asks; ``url_for('static', ...)`` names a file by its content hash,
sent ``immutable`` for a year; a changed file gets a new URL; modules that
import each other reach the versioned files through the import map, which
the CSP admits by its hash; static files go without the session cookie and
the page-only headers; the web-app manifest is valid and its icons load.
"""

import base64
import gzip
import hashlib
import io
import json
import re
import shutil
import threading
from pathlib import Path

import brotli
import pytest
from flask import url_for
from PIL import Image
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, Browser
from views import assets, offline

IMMUTABLE = "public, max-age=31536000, immutable"
CHROMIUM = Path("/usr/bin/chromium")


def _import_map(html: str) -> str:
    return re.search(r'<script type="importmap">(.*?)</script>', html, re.S).group(1)


def _static_url(app, name: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=name)


def test_pages_and_static_files_are_compressed_when_asked(app):
    client = app.test_client()
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "<h1>" in gzip.decompress(page.data).decode()
    assert "Accept-Encoding" in page.headers["Vary"]
    css = client.get(_static_url(app, "app.css"), headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    assert int(css.headers["Content-Length"]) == len(css.data)
    assert gzip.decompress(css.data) == (Path(app.static_folder) / "app.css").read_bytes()
    # Brotli when the browser offers it (every current one does); nothing when it offers nothing.
    page = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert page.headers["Content-Encoding"] == "br"
    assert "<h1>" in brotli.decompress(page.data).decode()
    plain = client.get("/login")
    assert "Content-Encoding" not in plain.headers and "<h1>" in plain.text


def test_versioned_static_files_are_cached_for_good_plain_ones_revalidated(app):
    client = app.test_client()
    url = _static_url(app, "offline/store.js")
    assert re.fullmatch(r"/static/offline/store\.[0-9a-f]{10}\.js", url)
    versioned = client.get(url)
    assert versioned.status_code == 200
    assert versioned.headers["Cache-Control"] == IMMUTABLE
    assert "ETag" not in versioned.headers
    plain = client.get("/static/offline/store.js")
    assert plain.headers["Cache-Control"] == "no-cache"
    assert plain.data == versioned.data


def test_no_file_outside_the_static_folder_is_served_or_hashed(app):
    client = app.test_client()
    with app.test_request_context():
        assert assets.fingerprint("../app.py") is None
        source = (Path(app.root_path) / "app.py").read_bytes()
        digest = hashlib.sha256(source).hexdigest()[:assets.HASH_LENGTH]
    for url in ("/static/../app.py", f"/static/..%2Fapp.{digest}.py",
                f"/static/%2E%2E/app.{digest}.py"):
        response = client.get(url)
        assert response.status_code == 404, url
        response.close()


def test_a_changed_file_gets_a_new_url(app, tmp_path, monkeypatch):
    copy = tmp_path / "static"
    shutil.copytree(app.static_folder, copy)
    monkeypatch.setattr(app, "static_folder", str(copy))
    client = app.test_client()
    before = _static_url(app, "app.css")
    (copy / "app.css").write_text("body { color: #000; } /* changed */", encoding="utf-8")
    after = _static_url(app, "app.css")
    assert after != before
    fresh = client.get(after)
    assert fresh.headers["Cache-Control"] == IMMUTABLE and b"changed" in fresh.data
    # A page from before the change still gets the file, but must not keep it for good.
    stale = client.get(before)
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    page = Browser(client)
    assert after in page.client.get("/login").text


def test_modules_reach_versioned_files_through_an_import_map_the_csp_admits(app):
    client = app.test_client()
    response = client.get("/login")
    text = _import_map(response.text)
    imports = json.loads(text)["imports"]
    modules = [p.relative_to(app.static_folder).as_posix()
               for p in Path(app.static_folder).rglob("*.js") if p.name != "sw.js"]
    assert sorted(imports) == sorted(f"/static/{name}" for name in modules)
    for plain, target in imports.items():
        assert target == _static_url(app, plain.removeprefix("/static/")) != plain
        served = client.get(target)
        assert served.status_code == 200 and served.headers["Cache-Control"] == IMMUTABLE
        served.close()
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    csp = response.headers["Content-Security-Policy"]
    assert f"script-src 'self' 'sha256-{digest}';" in csp and "unsafe-inline" not in csp
    # Before any module script, or the browser ignores it.
    assert response.text.index('type="importmap"') < response.text.index('type="module"')


def test_the_service_worker_caches_the_versioned_urls_pages_use(app):
    body = app.test_client().get("/sw.js").text
    settings = json.loads(re.search(r"const SETTINGS = (\{.*?\});", body).group(1))
    assert settings["shell"] == [_static_url(app, name) for name in offline.SHELL_FILES]
    assert all(re.search(r"\.[0-9a-f]{10}\.(js|css)$", url) for url in settings["shell"])


def test_static_files_carry_no_cookie_and_no_page_headers(app):
    browser = Browser(app.test_client())
    browser.login("obs1")
    page = browser.client.get("/checklists/new")
    assert "Content-Security-Policy" in page.headers
    for url in (_static_url(app, "app.css"), "/static/app.css", _static_url(app, "skip.js"),
                _static_url(app, "icons/icon-32.png")):
        response = browser.client.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        for header in ("Set-Cookie", "Content-Security-Policy", "X-Frame-Options",
                       "Referrer-Policy"):
            assert header not in response.headers, (url, header)
        assert "Cookie" not in response.headers.get("Vary", "")
    # The session itself still slides on pages.
    assert "Set-Cookie" in browser.client.get("/checklists/new").headers


def test_manifest_is_valid_and_its_icons_load(app):
    client = app.test_client()
    login = client.get("/login").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in login
    icon = re.search(r'<link rel="icon" href="([^"]+)"', login).group(1)
    assert client.get(icon).headers["Content-Type"] == "image/png"
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"] == app.config["MISSION_NAME"]
    assert manifest["short_name"] and len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = set()
    for entry in manifest["icons"]:
        image = client.get(entry["src"])
        assert image.status_code == 200 and image.mimetype == entry["type"] == "image/png"
        width, height = Image.open(io.BytesIO(image.data)).size
        assert entry["sizes"] == f"{width}x{height}"
        sizes.add(width)
    assert {192, 512} <= sizes  # what Android asks for to offer "add to home screen"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_a_phone_loads_only_versioned_files_and_no_script_fails(app):
    """In Chromium: modules imported by modules come versioned (the import map works under the CSP)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    requested, errors = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            context = browser.new_context(base_url=f"http://127.0.0.1:{server.server_port}",
                                          viewport={"width": 390, "height": 844})
            context.set_default_timeout(30_000)
            page = context.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.on("console", lambda message: message.type == "error" and
                    errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto("/login")
            page.get_by_label("User name").fill("obs1")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url("**/checklists/new")
            for path in ("/checklists/voting/new?station=2", "/observe/offline"):
                page.goto(path, wait_until="networkidle")
            # The offline page's own scripts ran: they fill in the outbox line.
            page.locator("#outbox-count").filter(has_text=re.compile(r"\S")).wait_for()
            browser.close()
    finally:
        server.shutdown()
    scripts = [url for url in requested if "/static/" in url and url.endswith(".js")]
    assert any("/static/offline/store." in url for url in scripts)  # imported, never linked
    assert all(re.search(r"\.[0-9a-f]{10}\.js$", url) for url in scripts), scripts
    assert errors == [], errors
