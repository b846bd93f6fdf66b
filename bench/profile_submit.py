"""Where a checklist submission's time goes, measured in-process (no server, no network).

Run from the project root:

    .venv/bin/python bench/profile_submit.py [--count 1000] [--dir /dev/shm] \\
        [--cprofile 30] [--save out.prof]

One observer logs in and opens a voting form; then ``--count`` valid voting
checklists (a fresh uuid each, spread over 10,000 stations, as bench/submit.py
sends them) are posted through Flask's test client on one thread, which keeps
its SQLite connection between requests as a gunicorn worker does.

The main table times the parts of the request with a few wrappers around
known functions (CPU time of this process, and wall time), so it costs almost
nothing and the machine's other load barely moves the CPU column. Indented
parts are included in the part above them; "rest" is what the listed parts
leave out (Flask and Werkzeug, routing, the limiter, flash, the redirect).
With ``--cprofile N`` it also prints cProfile's N costliest functions, which
inflates pure-Python code several times more than SQLite's C calls.
"""

import argparse
import cProfile
import functools
import itertools
import pstats
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import flask  # noqa: E402
import flask_wtf.csrf  # noqa: E402
import flask_wtf.i18n  # noqa: E402
import sqlite_utils  # noqa: E402
import wtforms.form  # noqa: E402
from mission import form_fields, prepare  # noqa: E402
from submit import PASSWORD  # noqa: E402

import forms.checklist  # noqa: E402
import models.db  # noqa: E402
from app import create_app  # noqa: E402
from models import audit, entries, flags, stations  # noqa: E402
from models.definitions import by_type  # noqa: E402
from views import auth  # noqa: E402

STATIONS = 10000  # as bench/submit.py
CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
# (label, depth, owner, attribute): the functions timed, in the order a request meets them.
PARTS = [
    ("whole request in the app (Flask.wsgi_app)", 0, flask.Flask, "wsgi_app"),
    ("open the session cookie", 1, flask.sessions.SecureCookieSessionInterface, "open_session"),
    ("CSRF check", 1, flask_wtf.csrf.CSRFProtect, "protect"),
    ("load the user (Flask-Login; first get_db)", 1, auth.login_manager, "_user_callback"),
    ("open the SQLite connection (models.db.connect)", 2, models.db, "connect"),
    ("station look-up", 1, stations, "get"),
    ("build the WTForms form", 1, wtforms.form.FormMeta, "__call__"),
    ("load wtforms' .mo translations", 2, flask_wtf.i18n, "_get_translations"),
    ("validate the form", 1, forms.checklist.ChecklistForm, "validate"),
    ("entries.create (write transaction)", 1, entries, "create"),
    ("audit.record", 2, audit, "record"),
    ("flags.refresh_checklist", 2, flags, "refresh_checklist"),
    ("close the SQLite connection", 1, sqlite_utils.Database, "close"),
    ("save the session cookie", 1, flask.sessions.SecureCookieSessionInterface, "save_session"),
]


class Clock:
    """CPU and wall seconds spent inside wrapped functions, by label (outermost call only)."""

    def __init__(self):
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.active: set[str] = set()

    def wrap(self, label: str, owner, attribute: str) -> bool:
        """Time every call of ``owner.attribute``; False when the app no longer has it."""
        original = getattr(owner, attribute, None)
        if original is None:
            return False

        @functools.wraps(original)
        def timed(*args, **kwargs):
            if label in self.active:  # re-entered: counted by the outer call
                return original(*args, **kwargs)
            self.active.add(label)
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[label] = self.cpu.get(label, 0.0) + time.process_time() - cpu
                self.wall[label] = self.wall.get(label, 0.0) + time.perf_counter() - wall
                self.active.discard(label)
        setattr(owner, attribute, timed)
        return True

    def reset(self) -> None:
        self.cpu.clear()
        self.wall.clear()


def make_client(path: str):
    """A logged-in test client and a function posting one new checklist with it."""
    app = create_app({"DATABASE": path, "SECRET_KEY": "bench-profile"})
    models.db.keep_connections()  # as gunicorn.conf.py does in each worker
    client = app.test_client()
    token = CSRF.search(client.get("/login").data).group(1).decode()
    done = client.post("/login", data={"csrf_token": token, "username": "observer000",
                                       "password": PASSWORD})
    assert done.status_code == 302, done.status_code
    page = client.get("/checklists/voting/new?station=1", follow_redirects=True)
    token = CSRF.search(page.data).group(1).decode()
    cookie = client.get_cookie("session").value
    static = urlencode(form_fields(by_type()["voting"]), doseq=True)
    station = itertools.cycle(range(1, STATIONS + 1))

    def submit_one() -> None:
        client.set_cookie("session", cookie)  # as bench/submit.py: flashes never pile up
        response = client.post(
            "/checklists/voting/new", content_type="application/x-www-form-urlencoded",
            data=f"csrf_token={token}&uuid={uuid.uuid4()}&station_id={next(station)}&{static}")
        assert response.status_code == 303, response.data[:500]
    return submit_one


def timed(submit_one, count: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per submission over ``count`` submissions."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        submit_one()
    return ((time.perf_counter() - wall) / count * 1000,
            (time.process_time() - cpu) / count * 1000)


def print_parts(clock: Clock, missing: list[str], count: int, total_cpu: float,
                total_wall: float) -> None:
    """The table of parts: CPU and wall ms per submission, and share of the CPU."""
    print(f"{'ms per submission':52} {'CPU':>6} {'wall':>6} {'CPU share':>9}")
    for label, depth, _owner, _attribute in PARTS:
        if label in missing:
            print(f"{'  ' * depth + label:52} (not found in this version of the app)")
            continue
        cpu = clock.cpu.get(label, 0.0) / count * 1000
        wall = clock.wall.get(label, 0.0) / count * 1000
        print(f"{'  ' * depth + label:52} {cpu:6.2f} {wall:6.2f} {cpu / total_cpu:8.0%}")
        if depth == 0:
            whole_cpu, whole_wall = cpu, wall
    first = [p[0] for p in PARTS if p[1] == 1 and p[0] not in missing]
    rest_cpu = whole_cpu - sum(clock.cpu.get(k, 0.0) for k in first) / count * 1000
    rest_wall = whole_wall - sum(clock.wall.get(k, 0.0) for k in first) / count * 1000
    print(f"{'  rest (Flask, Werkzeug, routing, limiter, flash)':52} {rest_cpu:6.2f} "
          f"{rest_wall:6.2f} {rest_cpu / total_cpu:8.0%}")
    print(f"{'test client around the app (not in a real server)':52} "
          f"{total_cpu - whole_cpu:6.2f} {total_wall - whole_wall:6.2f} "
          f"{(total_cpu - whole_cpu) / total_cpu:8.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--dir", help="where the temporary database goes (/dev/shm: no disk)")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N",
                        help="also run cProfile (CPU time) and print its N costliest functions")
    parser.add_argument("--save", help="write the raw cProfile data here (for pstats, snakeviz)")
    args = parser.parse_args()
    clock = Clock()
    missing = [label for label, _d, owner, attribute in PARTS
               if not clock.wrap(label, owner, attribute)]
    with tempfile.TemporaryDirectory(prefix="bench-profile-", dir=args.dir) as folder:
        path = str(Path(folder) / "profile.sqlite")
        prepare(path, "bench-profile", 1, STATIONS, PASSWORD, team_size=2)
        submit_one = make_client(path)
        timed(submit_one, 200)  # warm-up: caches, first-use imports
        clock.reset()
        wall, cpu = timed(submit_one, args.count)
        print(f"{args.count} submissions on one thread, database in {folder}: "
              f"{wall:.2f} ms wall, {cpu:.2f} ms CPU each\n")
        print_parts(clock, missing, args.count, cpu, wall)
        if args.cprofile or args.save:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            timed(submit_one, args.count)
            profiler.disable()
            stats = pstats.Stats(profiler)
            if args.save:
                stats.dump_stats(args.save)
            print()
            stats.sort_stats("cumulative").print_stats(args.cprofile or 30)


if __name__ == "__main__":
    main()
