"""What the voting checklist costs a phone on a slow line: bytes on a cold cache, time to the first question.

Run from the project root:

    .venv/bin/python bench/page_weight.py [--runs 3]

Builds a small demo mission in a temporary folder and serves it twice from
this process (werkzeug, threaded): the app as it is, and a baseline in the
same run, the same app with compression and static versioning turned off as
before (plain static URLs sent ``no-cache``, no Flask-Compress, the session
cookie and every header on static files too; the page's own markup, module
preloads included, is today's). In Debian's Chromium at 390 px,
logged in as an observer, with service workers blocked (the worker installs
the offline shell once per phone, in the background), it opens the voting
checklist of a station at the form's own address (the station search links
to ``?station=N``, which redirects there: one more round trip, 0.4 s on
this line, not counted here) on

- a cold cache: bytes received (bodies and response headers, from the
  DevTools protocol's encodedDataLength), requests, and on emulated slow 3G
  (400 kbps down and up, 400 ms latency) the time to the first usable
  question: the later of the first contentful paint and DOMContentLoaded
  (module scripts, hence the skip logic, have run by then), counted from the
  tap;
- a warm cache (the same page again): bytes and requests.

Targets (issue 10, point 17): <= 15 KB on a cold cache, first question <= 1.2 s.
"""

import argparse
import logging
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from flask.sessions import SecureCookieSessionInterface
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from models import demo  # noqa: E402
from models.db import connect  # noqa: E402
from models.migrations import migrate  # noqa: E402
from views import assets, security  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
           "uploadThroughput": 400_000 / 8}
FIRST_USABLE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return Math.max(nav.domContentLoadedEventEnd, paint ? paint.startTime : 0);
}"""


def as_before(app) -> None:
    """The app as it served static files before: plain URLs, no-cache, every header, the cookie."""
    app.url_default_functions[None].remove(assets._version_static_urls)
    app.view_functions["static"] = lambda filename: app.send_static_file(filename)
    app.session_interface = SecureCookieSessionInterface()

    def every_header(response):
        # What views/security.py sent on every response, static files included.
        response.headers.setdefault("Content-Security-Policy",
                                    security.CSP.format(import_map=assets.import_map_source()))
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
    app.after_request(every_header)


def serve(app) -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


class Meter:
    """Bytes and requests of a page's loading, from the DevTools protocol."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.bytes, self.requests = 0, 0
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.requestWillBeSent", self._redirected)

    def _finished(self, event):
        # Nothing received: answered from the browser's cache.
        if event["encodedDataLength"] > 0:
            self.bytes += event["encodedDataLength"]
            self.requests += 1

    def _redirected(self, event):
        if event.get("redirectResponse"):
            self.bytes += event["redirectResponse"].get("encodedDataLength", 0)
            self.requests += 1

    def reset(self):
        self.bytes, self.requests = 0, 0


def measure(browser, base: str, username: str, station: int) -> dict:
    """One cold and one warm visit of the voting checklist, in a fresh context."""
    context = browser.new_context(base_url=base, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, locale="en-GB",
                                  service_workers="block")
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/checklists/new")
    # The form's own address (the search's link redirects there with a fresh uuid).
    page.goto(f"/checklists/voting/new?station={station}")
    url = page.url
    meter = Meter(page)
    meter.cdp.send("Network.clearBrowserCache")
    meter.cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    meter.reset()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    cold = {"bytes": meter.bytes, "requests": meter.requests,
            "first_usable": page.evaluate(FIRST_USABLE) / 1000}
    meter.cdp.send("Network.emulateNetworkConditions", {**SLOW_3G, "latency": 0,
                                                       "downloadThroughput": -1,
                                                       "uploadThroughput": -1})
    meter.reset()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    warm = {"bytes": meter.bytes, "requests": meter.requests}
    context.close()
    return {"cold": cold, "warm": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="visits per variant (median shown)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "weight.sqlite")
        db = connect(path)
        migrate(db)
        demo.generate(db, 40, 80)
        username, station = db.execute(
            "SELECT u.username, c.station_id FROM checklists c JOIN users u ON u.team = c.team"
            " WHERE u.role = 'observer' ORDER BY c.id LIMIT 1").fetchone()
        db.close()
        now = create_app({"DATABASE": path, "SECRET_KEY": "bench"})
        before = create_app({"DATABASE": path, "SECRET_KEY": "bench", "COMPRESS_REGISTER": False})
        as_before(before)
        servers = {"baseline (before)": serve(before), "now": serve(now)}
        results = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name, (base, _server) in servers.items():
                results[name] = [measure(browser, base, username, station)
                                 for _ in range(args.runs)]
            browser.close()
        for _base, server in servers.values():
            server.shutdown()
    print(f"Voting checklist, observer at 390 px, {args.runs} runs each (median); "
          "slow 3G = 400 kbps, 400 ms latency")
    print(f"{'':20}{'cold KB':>9}{'requests':>10}{'first usable s':>16}"
          f"{'warm KB':>9}{'warm requests':>15}")
    for name, runs in results.items():
        def median(visit, key, runs=runs):
            return statistics.median(run[visit][key] for run in runs)
        print(f"{name:20}{median('cold', 'bytes') / 1024:9.1f}{median('cold', 'requests'):10.0f}"
              f"{median('cold', 'first_usable'):16.2f}{median('warm', 'bytes') / 1024:9.1f}"
              f"{median('warm', 'requests'):15.0f}")
    base, now = results["baseline (before)"], results["now"]
    ratio = (statistics.median(r["cold"]["bytes"] for r in base)
             / statistics.median(r["cold"]["bytes"] for r in now))
    print(f"cold-cache bytes: {ratio:.1f}x fewer (target <= 15 KB; first usable <= 1.2 s)")


if __name__ == "__main__":
    main()
