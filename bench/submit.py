"""Checklist submissions per second under gunicorn, against a bare one-insert Flask baseline.

Run from the project root:

    .venv/bin/python bench/submit.py [--seconds 10] [--clients 64] [--workers 2/core] \\
        [--threads 1] [--repeat 3] [--warmup 2] [--stations 10000] [--quiet-wait 30]

(``--help`` lists the rest: --dir, --app, --baseline, --gunicorn-args, --access-log.)

It builds a fresh SQLite database in a temporary folder (migrations,
``--stations`` stations, one observer per client), starts the app under
gunicorn on it as `make run` does (gunicorn.conf.py, two workers per core),
and bench/bare_insert.py under gunicorn with the same settings on a database
of its own. Each client logs in once, opens one
voting form for its CSRF token, then posts complete, valid voting checklists
(a fresh uuid each) back to back over a keep-alive connection (gunicorn's sync
worker, --threads 1, closes it after each response: the client reconnects);
success is a 303. The baseline gets the same bytes at the same concurrency;
success there is a 201. App and baseline are measured alternately
``--repeat`` times and the medians compared with the targets; the rows stored
are then counted against the successes.

The machine is shared: before each measurement the script waits (up to
``--quiet-wait`` seconds) for an idle second, and each line shows the CPU
used by the client, the server and everything else ("others"); lines marked
"noisy" had others above half a core. "server ms/req" (server CPU time per
request) is the figure least disturbed by noise.

Checklists go to the stations in turn and the app compares each new one with
the others filed for its station (flags), so the cost per submission grows
with checklists per station: the default 10,000 stations (Kazakhstan has about
as many) keep it near an election day's few; 200 stations reach ~60 each
after three runs.
"""

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import bare_insert  # noqa: E402
import cpustat  # noqa: E402
import httpload  # noqa: E402
import mission  # noqa: E402
import serve  # noqa: E402
from serve import HOST  # noqa: E402

from models import checklists  # noqa: E402
from models.db import connect  # noqa: E402
from models.definitions import by_type  # noqa: E402

PASSWORD = "bench-password"
TARGET_RATE, TARGET_RATIO, TARGET_P99_MS = 400, 0.4, 250
NOISY = 0.5  # cores used by other processes during a measurement


def revision() -> str:
    """The commit measured, with "+changes" when the working tree differs from it."""
    def git(*words: str) -> str:
        return subprocess.run(["git", *words], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    return (git("rev-parse", "--short", "HEAD") or "?") + \
        ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def start_server(app_spec: str, env: dict, args, log: Path) -> tuple:
    """The app or the baseline, with the same gunicorn settings for both."""
    return serve.start(app_spec, env, log, args.workers, args.threads, args.gunicorn_args,
                       log.with_suffix(".access") if args.access_log else None)


async def log_in(conn: httpload.Connection, host: str, username: str, station: int) -> tuple:
    """Log one observer in and open one voting form: (session cookie, csrf token)."""
    page = await conn.request(httpload.build("GET", "/login", host))
    cookie = httpload.cookie_of(page)
    body = urlencode({"csrf_token": httpload.csrf_token(page.body), "username": username,
                      "password": PASSWORD}).encode()
    done = await conn.request(httpload.build("POST", "/login", host, cookie, body))
    if done.status != 302:
        raise RuntimeError(f"login of {username}: {done.status} {done.body[:300]!r}")
    cookie = httpload.cookie_of(done) or cookie
    path = f"/checklists/voting/new?station={station}"
    for _hop in range(3):  # the form page may redirect, e.g. to put a uuid in its address
        form = await conn.request(httpload.build("GET", path, host, cookie))
        if form.status not in (301, 302, 303, 307):
            break
        cookie = httpload.cookie_of(form) or cookie
        path = "/" + form.headers["location"].split("//", 1)[-1].split("/", 1)[-1] \
            if "//" in form.headers["location"] else form.headers["location"]
    if form.status != 200:
        raise RuntimeError(f"form page: {form.status} {form.body[:300]!r}")
    # Each submission adds a flash message to the session cookie it returns; like
    # a client that never reads them, keep sending this cookie so it cannot grow.
    return httpload.cookie_of(form) or cookie, httpload.csrf_token(form.body)


def submission_maker(host: str, cookie: str, csrf: str, static: str, first_station: int,
                     station_count: int):
    """A function returning a new checklist POST (fresh uuid, next station) per call."""
    station = [first_station]

    def make() -> bytes:
        station[0] = station[0] % station_count + 1
        body = (f"csrf_token={csrf}&uuid={uuid.uuid4()}&station_id={station[0]}&"
                f"{static}").encode()
        return httpload.build("POST", "/checklists/voting/new", host, cookie, body)
    return make


def summarize(name: str, result: httpload.Result) -> str:
    """One line of figures for a measured phase."""
    used = cpustat.shares(result.cpu, result.seconds)
    per_request = used.get("server", 0) * result.seconds / max(result.ok, 1) * 1000
    noisy = "  noisy" if used.get("others", 0) > NOISY else ""
    return (f"{name:9} requests {result.ok + result.errors:6d}  errors {result.errors:3d}  "
            f"{result.rate:6.1f} req/s  p50 {result.percentile(50):6.1f} ms  "
            f"p99 {result.percentile(99):6.1f} ms  server {per_request:.2f} ms/req  cpu: "
            + " ".join(f"{k} {v:.0%}" for k, v in used.items()) + noisy)


async def measure(name, conns, makers, expected, proc, args) -> httpload.Result:
    """Wait for a quiet machine, run one warm-up + measured phase, print its line."""
    if args.quiet_wait:
        await cpustat.wait_for_quiet(args.quiet_wait)
    result = await httpload.run(conns, makers, expected, args.warmup, args.seconds,
                                cpustat.sampler(proc.pid))
    print("  " + summarize(name, result), flush=True)
    if result.first_error:
        print("    first error: " + result.first_error)
    return result


async def benchmark(args, folder: Path) -> bool:
    """Start both servers, measure them alternately, print the figures; True if all targets met."""
    app_db, bare_db = str(folder / "app.sqlite"), str(folder / "bare.sqlite")
    secret = "bench-" + secrets.token_hex(16)  # not all digits: from_prefixed_env parses JSON
    mission.prepare(app_db, secret, args.clients, args.stations, PASSWORD, team_size=2)
    static = urlencode(mission.form_fields(by_type()["voting"]), doseq=True)
    app_proc = bare_proc = None
    app_runs, bare_runs = [], []
    try:
        app_proc, app_port = start_server(
            args.app, {"FLASK_DATABASE": app_db, "FLASK_SECRET_KEY": secret}, args,
            folder / "app.log")
        bare_proc, bare_port = start_server(
            args.baseline, {"BARE_DATABASE": bare_db}, args, folder / "bare.log")
        app_host, bare_host = f"{HOST}:{app_port}", f"{HOST}:{bare_port}"
        app_conns = [httpload.Connection(HOST, app_port) for _ in range(args.clients)]
        sessions = await asyncio.gather(*(
            log_in(c, app_host, f"observer{i:03d}", i % args.stations + 1)
            for i, c in enumerate(app_conns)))
        app_makers = [submission_maker(app_host, cookie, csrf, static,
                                       i * args.stations // args.clients, args.stations)
                      for i, (cookie, csrf) in enumerate(sessions)]
        bare_conns = [httpload.Connection(HOST, bare_port) for _ in range(args.clients)]
        body = app_makers[0]().split(b"\r\n\r\n", 1)[1]
        bare_request = httpload.build("POST", "/insert", bare_host, "", body)
        bare_makers = [lambda: bare_request] * args.clients
        server = f"gunicorn --workers {args.workers} --threads {args.threads} {args.gunicorn_args}"
        print(f"code {revision()}: {args.clients} clients, {server.rstrip()}, {args.stations} "
              f"stations, {len(body)}-byte checklists, {args.warmup:g} s warm-up + "
              f"{args.seconds:g} s measured", flush=True)
        print("databases in {}: fsync p50 {:.2f} ms, p90 {:.2f} ms".format(
            folder, *cpustat.fsync_ms(folder)), flush=True)
        for n in range(1, args.repeat + 1):
            print(f"run {n}/{args.repeat}")
            app_runs.append(await measure("app", app_conns, app_makers, 303, app_proc, args))
            bare_runs.append(await measure("baseline", bare_conns, bare_makers, 201,
                                           bare_proc, args))
    finally:
        serve.stop(app_proc)
        serve.stop(bare_proc)
    return report(app_runs, bare_runs, app_db, bare_db)


def report(app_runs: list, bare_runs: list, app_db: str, bare_db: str) -> bool:
    """Medians, the ratio, the targets, and the rows stored against the successes."""
    def median(runs, figure):
        return statistics.median(figure(r) for r in runs)
    rate, base = median(app_runs, lambda r: r.rate), median(bare_runs, lambda r: r.rate)
    p50 = median(app_runs, lambda r: r.percentile(50))
    p99 = median(app_runs, lambda r: r.percentile(99))
    ratio = rate / base if base else 0.0
    errors = sum(r.errors for r in app_runs + bare_runs)
    print(f"median of {len(app_runs)}: app {rate:.1f} submissions/s (p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms); baseline {base:.1f} inserts/s (p50 "
          f"{median(bare_runs, lambda r: r.percentile(50)):.1f} ms, p99 "
          f"{median(bare_runs, lambda r: r.percentile(99)):.1f} ms); ratio {ratio:.2f}")
    checks = {f"\u2265{TARGET_RATE}/s": rate >= TARGET_RATE,
              f"ratio \u2265{TARGET_RATIO}": ratio >= TARGET_RATIO,
              f"p99 \u2264{TARGET_P99_MS}ms": p99 <= TARGET_P99_MS, "errors 0": errors == 0}
    print("targets: " + ", ".join(f"{k}: {'PASS' if v else 'FAIL'}" for k, v in checks.items()))
    db = connect(app_db)
    try:
        stored = checklists.count(db)
    finally:
        db.close()
    bare_stored = bare_insert.count(bare_db)
    app_ok, bare_ok = sum(r.total_ok for r in app_runs), sum(r.total_ok for r in bare_runs)
    consistent = stored == app_ok and bare_stored == bare_ok
    print(f"stored: {stored} checklists for {app_ok} responses 303, {bare_stored} baseline "
          f"rows for {bare_ok} responses 201: {'OK' if consistent else 'MISMATCH'}")
    return all(checks.values()) and consistent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured time per run")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2 * len(os.sched_getaffinity(0)),
                        help="gunicorn workers (default: two per core, as `make run`)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stations", type=int, default=10000,
                        help="stations the checklists are spread over (round robin)")
    parser.add_argument("--dir", help="where the temporary databases go (default: the system "
                        "temp dir; /dev/shm takes the disk out of the figures)")
    parser.add_argument("--quiet-wait", type=float, default=30,
                        help="longest wait for an idle machine before each measurement (0: none)")
    parser.add_argument("--app", default="app:create_app()",
                        help="gunicorn app spec to measure (say, a patched variant)")
    parser.add_argument("--baseline", default="bench.bare_insert:create_app()",
                        help="gunicorn app spec of the baseline")
    parser.add_argument("--gunicorn-args", default="",
                        help="more gunicorn options for both servers, e.g. '--keep-alive 0'")
    parser.add_argument("--access-log", action="store_true",
                        help="have gunicorn write an access log, as `make run` does")
    args = parser.parse_args()
    # On kill or Ctrl-C, unwind so that the servers are stopped and the folder removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="bench-submit-", dir=args.dir) as folder:
        ok = asyncio.run(benchmark(args, Path(folder)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
