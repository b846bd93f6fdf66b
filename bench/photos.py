"""Photo uploads per second under gunicorn, against a bare write of the same bytes.

Run from the project root:

    .venv/bin/python bench/photos.py [--seconds 10] [--clients 32] [--workers 2/core] \\
        [--threads 1] [--repeat 3] [--warmup 2] [--photos 300] [--quiet-wait 30]

It builds a fresh database in a temporary folder (one observer and one
voting checklist per client, an API token each), makes ``--photos``
realistic phone photos with Pillow (1600 x 1200, noise and gradients, JPEG
~300 KB, as the phone's shrinking sends them) and starts
bench/photo_baseline.py under gunicorn as `make run` starts the app
(gunicorn.conf.py, two workers per core). Each client then posts photos
back to back to ``POST /api/v1/checklists/<its checklist>/photos`` (multipart,
a fresh uuid each, bearer token), success a 201; the baseline posts the very
same requests to a bench-only route of the same app that only writes the
bytes to disk (staged, flushed, renamed) - no Pillow, no thumbnail, no row.
The two are measured alternately ``--repeat`` times; medians are compared
with the targets, and the rows and files stored are checked against the
successes (``flask verify-media`` on the result).

The machine is shared: as bench/submit.py does, it waits for a quiet second
before each phase and prints the CPU used by client, server and others;
"server ms/photo" (server CPU time per upload) is the figure least disturbed
by noise. Photos are reused round robin after ``--photos`` uploads: the same
bytes are then stored once (the file is kept, a new row refers to it), which
is what the app does with a resent photo under a new uuid.
"""

import argparse
import asyncio
import io
import os
import random
import secrets
import signal
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import cpustat  # noqa: E402
import httpload  # noqa: E402
import mission  # noqa: E402
import serve  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402
from serve import HOST  # noqa: E402

from models import api_tokens, checklists, definitions, entries, media, photos  # noqa: E402
from models.db import connect  # noqa: E402

PASSWORD = "bench-password"
TARGET_RATE, TARGET_RATIO, TARGET_P99_MS = 50, 0.3, 1000
NOISY = 0.5
WIDTH, HEIGHT = 1600, 1200


def make_photos(count: int, seed: int = 1) -> list[bytes]:
    """``count`` different phone-like JPEGs: blurred noise (texture) over colour gradients."""
    rng = random.Random(seed)
    texture = Image.frombytes("RGB", (WIDTH + 400, HEIGHT + 300),
                              rng.randbytes((WIDTH + 400) * (HEIGHT + 300) * 3)
                              ).filter(ImageFilter.GaussianBlur(1.2))
    gradients = [Image.merge("RGB", [Image.linear_gradient("L").rotate(angle).resize(
        (WIDTH, HEIGHT)) for angle in angles]) for angles in ((0, 90, 180), (45, 135, 270))]
    made = []
    for n in range(count):
        x, y = (n * 37) % 400, (n * 53) % 300
        picture = Image.blend(gradients[n % 2], texture.crop((x, y, x + WIDTH, y + HEIGHT)),
                              0.5)
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=82)
        made.append(out.getvalue())
    return made


def prepare(path: str, secret: str, clients: int) -> list[tuple[str, int]]:
    """Observers, one checklist each and an API token each: [(token, checklist id)]."""
    user_ids = mission.prepare(path, secret, clients, max(clients, 10), PASSWORD, team_size=2)
    definition = definitions.get("voting")
    answers = mission.answers(definition)
    db = connect(path)
    try:
        found = []
        for n, user_id in enumerate(user_ids):
            team = db.execute("SELECT team FROM users WHERE id = ?", [user_id]).fetchone()[0]
            filing = checklists.Filing(
                uuid=str(uuid.uuid4()), form_type="voting", form_version=definition.version,
                station_id=n + 1, timezone="Asia/Almaty", arrival_utc="2023-03-19T04:00:00Z",
                departure_utc="2023-03-19T04:40:00Z", answers=answers, overall="good",
                serious_count=0)
            entry_id, _created = entries.create(db, checklists.CHECKLISTS, filing, user_id, team)
            found.append((api_tokens.issue(db, user_id, "bench")[1], entry_id))
        return found
    finally:
        db.close()


def upload(path: str, host: str, token: str, photo: bytes) -> bytes:
    """The bytes of one multipart photo upload (a fresh uuid)."""
    boundary = secrets.token_hex(12)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"uuid\"\r\n\r\n"
            f"{uuid.uuid4()}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f"name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            ).encode() + photo + f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\n"
            f"Authorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    return head + body


def makers(host: str, sessions: list[tuple[str, int]], pool: list[bytes], baseline: bool):
    """One request maker per client; photos are taken from the pool in turn."""
    turn = [0]

    def maker(token: str, entry_id: int):
        path = "/api/v1/bench/photo-write" if baseline else \
            f"/api/v1/checklists/{entry_id}/photos"

        def make() -> bytes:
            turn[0] += 1
            return upload(path, host, token, pool[turn[0] % len(pool)])
        return make
    return [maker(token, entry_id) for token, entry_id in sessions]


def summarize(name: str, result: httpload.Result) -> str:
    """One line of figures for a measured phase."""
    used = cpustat.shares(result.cpu, result.seconds)
    per_photo = used.get("server", 0) * result.seconds / max(result.ok, 1) * 1000
    noisy = "  noisy" if used.get("others", 0) > NOISY else ""
    return (f"{name:9} uploads {result.ok + result.errors:5d}  errors {result.errors:3d}  "
            f"{result.rate:6.1f} photos/s  p50 {result.percentile(50):6.1f} ms  "
            f"p99 {result.percentile(99):6.1f} ms  server {per_photo:5.1f} ms/photo  cpu: "
            + " ".join(f"{k} {v:.0%}" for k, v in used.items()) + noisy)


async def measure(name, conns, request_makers, proc, args) -> httpload.Result:
    """Wait for a quiet machine, run one warm-up + measured phase, print its line."""
    others = await cpustat.wait_for_quiet(args.quiet_wait) if args.quiet_wait else 0.0
    result = await httpload.run(conns, request_makers, 201, args.warmup, args.seconds,
                                cpustat.sampler(proc.pid))
    print(f"  {summarize(name, result)}  (others before: {others:.0%})", flush=True)
    if result.first_error:
        print("    first error: " + result.first_error)
    return result


async def benchmark(args, folder: Path) -> bool:
    """Start the server, measure app and baseline alternately, print figures; True if met."""
    database = str(folder / "app.sqlite")
    secret = "bench-" + secrets.token_hex(16)
    sessions = prepare(database, secret, args.clients)
    pool = make_photos(args.photos)
    size = statistics.median(len(p) for p in pool)
    proc = None
    app_runs, bare_runs = [], []
    try:
        proc, port = serve.start("bench.photo_baseline:create_app()",
                                 {"FLASK_DATABASE": database, "FLASK_SECRET_KEY": secret},
                                 folder / "server.log", args.workers, args.threads,
                                 args.gunicorn_args)
        host = f"{HOST}:{port}"
        conns = [httpload.Connection(HOST, port) for _ in range(args.clients)]
        server = f"gunicorn --workers {args.workers} --threads {args.threads} {args.gunicorn_args}"
        print(f"{args.clients} clients, {server.rstrip()}, {len(pool)} photos of "
              f"{WIDTH}x{HEIGHT} (median {size / 1024:.0f} KB), {args.warmup:g} s warm-up + "
              f"{args.seconds:g} s measured, {os.cpu_count()} CPUs", flush=True)
        print("media in {}: fsync p50 {:.2f} ms, p90 {:.2f} ms".format(
            folder, *cpustat.fsync_ms(folder)), flush=True)
        for n in range(1, args.repeat + 1):
            print(f"run {n}/{args.repeat}")
            app_runs.append(await measure("app", conns, makers(host, sessions, pool, False),
                                          proc, args))
            bare_runs.append(await measure("baseline", conns,
                                           makers(host, sessions, pool, True), proc, args))
    finally:
        serve.stop(proc)
    return report(app_runs, bare_runs, database)


def report(app_runs: list, bare_runs: list, database: str) -> bool:
    """Medians, the ratio, the targets, and the photos stored against the successes."""
    def median(runs, figure):
        return statistics.median(figure(r) for r in runs)

    def cpu_per_photo(r):
        return r.cpu.get("server", 0) / max(r.ok, 1) * 1000
    rate, base = median(app_runs, lambda r: r.rate), median(bare_runs, lambda r: r.rate)
    p50, p99 = median(app_runs, lambda r: r.percentile(50)), \
        median(app_runs, lambda r: r.percentile(99))
    ratio = rate / base if base else 0.0
    errors = sum(r.errors for r in app_runs + bare_runs)
    print(f"median of {len(app_runs)}: app {rate:.1f} photos/s (p50 {p50:.0f} ms, p99 "
          f"{p99:.0f} ms, server {median(app_runs, cpu_per_photo):.1f} ms CPU/photo); "
          f"baseline {base:.1f} writes/s (p50 {median(bare_runs, lambda r: r.percentile(50)):.0f}"
          f" ms, p99 {median(bare_runs, lambda r: r.percentile(99)):.0f} ms, server "
          f"{median(bare_runs, cpu_per_photo):.1f} ms CPU/write); ratio {ratio:.2f}")
    checks = {f"\u2265{TARGET_RATE}/s": rate >= TARGET_RATE,
              f"ratio \u2265{TARGET_RATIO}": ratio >= TARGET_RATIO,
              f"p99 \u2264{TARGET_P99_MS}ms": p99 <= TARGET_P99_MS, "errors 0": errors == 0}
    print("targets: " + ", ".join(f"{k}: {'PASS' if v else 'FAIL'}" for k, v in checks.items()))
    db = connect(database)
    try:
        stored = db.execute("SELECT count(*) FROM photos").fetchone()[0]
        files = db.execute("SELECT count(DISTINCT sha256) FROM photos").fetchone()[0]
        broken = photos.verify(db, media.root_for(database))
    finally:
        db.close()
    app_ok = sum(r.total_ok for r in app_runs)
    consistent = stored == app_ok and not broken
    print(f"stored: {stored} photo rows for {app_ok} responses 201 ({files} distinct files); "
          f"verify-media: {len(broken)} problems: {'OK' if consistent else 'MISMATCH'}")
    return all(checks.values()) and consistent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured time per run")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * len(os.sched_getaffinity(0)),
                        help="gunicorn workers (default: two per core, as `make run`)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--photos", type=int, default=300,
                        help="different photos made before the runs (then reused in turn)")
    parser.add_argument("--dir", help="where the temporary database and media go")
    parser.add_argument("--quiet-wait", type=float, default=30,
                        help="longest wait for an idle machine before each phase (0: none)")
    parser.add_argument("--gunicorn-args", default="", help="more gunicorn options")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="bench-photos-", dir=args.dir) as folder:
        ok = asyncio.run(benchmark(args, Path(folder)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
