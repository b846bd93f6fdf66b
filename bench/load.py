"""Nothing lost, nothing doubled: checklists through the JSON API while a gunicorn worker is killed.

Run from the project root:

    .venv/bin/python bench/load.py [--checklists 10000] [--clients 200] [--workers 4] \\
        [--threads 4] [--twice 0.1] [--kill-at 0.3] [--timeout 600] [--seed 5] \\
        [--gunicorn-args '--keep-alive 10'] [--keep]

It builds a fresh SQLite database in a temporary folder (migrations, 200
stations, one observer per client, each with an API token) and starts the app
under gunicorn on it (127.0.0.1 only). Each client sends its share of the
checklists, one after the other, to POST /api/v1/checklists with its bearer
token over a keep-alive connection. A share (``--twice``) of the checklists
is sent twice with the same uuid and body: half right after the first answer
(a retry), half on a second connection at the same moment (racing retries).

Once ``--kill-at`` of the checklists are acknowledged, one worker (a child of
the gunicorn master) gets SIGKILL. Its requests in flight fail with a reset
or closed connection: they were never acknowledged, so the client sends them
again (same uuid, same body), as the phone's outbox does; answers 429/5xx are
retried the same way. An acknowledgement is a 201 (created) or a 200 (the
same uuid and content was already there).

Afterwards, with gunicorn stopped, the database is read and compared with
what the clients saw: every acknowledged checklist is stored exactly once
under its uuid, with the id the server gave (bench/load_check.py). Pass: zero
lost, zero duplicated (and the uuids and ids match). gunicorn is started as
`make run` starts it (bench/serve.py).
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import cpustat
import httpload
import load_check
import mission
import serve
from serve import HOST

from models import api_tokens
from models.db import connect
from models.definitions import by_type

STATIONS = 200
PATH = "/api/v1/checklists"
MAX_ATTEMPTS = 20  # per send; a phone would keep trying, the benchmark must end
REQUEST_TIMEOUT = 60.0  # seconds; longer than gunicorn's worker timeout (30 s)
RETRY_STATUSES = {429, 500, 502, 503, 504}


# --- the database -------------------------------------------------------------------

def prepare_database(path: str, secret: str, clients: int) -> list[str]:
    """A fresh mission database with one observer (and team) per client; their API tokens."""
    ids = mission.prepare(path, secret, clients, STATIONS, secrets.token_hex(8), team_size=1)
    db = connect(path)
    try:
        return [api_tokens.issue(db, user_id, "bench/load.py")[1] for user_id in ids]
    finally:
        db.close()


# --- the clients ----------------------------------------------------------------------

@dataclass
class Submission:
    """One checklist as a phone holds it: its uuid and body never change between sends."""

    index: int
    uuid: str
    raw: bytes  # the whole HTTP request, sent unchanged on every attempt
    twice: str = ""  # "", "after" (retry once answered) or "racing" (two at once)
    acks: list = field(default_factory=list)  # (status, id, uuid) of each 200/201
    sends: int = 0  # logical sends: 1, or 2 when sent twice
    given_up: int = 0  # sends that ended without an acknowledgement


@dataclass
class Run:
    """What the clients and the killer saw."""

    started: float = 0.0
    acknowledged: int = 0  # submissions with at least one acknowledgement
    requests: int = 0  # HTTP requests written, answered or not
    in_flight: int = 0
    errors: Counter = field(default_factory=Counter)
    error_times: list = field(default_factory=list)  # seconds from the start
    first_error: dict = field(default_factory=dict)  # kind -> detail, first occurrence
    latencies: list = field(default_factory=list)  # seconds, of acknowledged requests
    statuses: Counter = field(default_factory=Counter)
    # sent once, the connection failed, and the retry found it saved (200): the
    # server had committed it before the worker died, and the uuid kept it single
    saved_before_failure: int = 0
    killed: dict = field(default_factory=dict)
    finished: float = 0.0
    cpu: dict = field(default_factory=dict)  # CPU seconds over the run: client, server, machine


def build_request(host: str, token: str, body: bytes) -> bytes:
    """The bytes of one authenticated JSON POST."""
    return (f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench-load\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def plan(args, host: str, tokens: list[str]) -> list[list[Submission]]:
    """Every client's queue of submissions, ``--twice`` of them marked to be sent twice."""
    rng = random.Random(args.seed)
    answers = mission.answers(by_type()["voting"])
    queues: list[list[Submission]] = [[] for _ in tokens]
    for index in range(args.checklists):
        client = index % len(tokens)
        entry_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        body = json.dumps({
            "uuid": entry_uuid, "form_type": "voting",
            "station_id": rng.randint(1, STATIONS),
            "arrival_date": "2023-03-19", "arrival_time": "10:00",
            "departure_date": "2023-03-19", "departure_time": "10:40",
            "answers": answers, "overall": "good",
            "comments": f"bench checklist {index}", "figures_confirmed": False,
        }, ensure_ascii=False).encode()
        twice = ""
        if rng.random() < args.twice:
            twice = "after" if rng.random() < 0.5 else "racing"
        queues[client].append(Submission(index, entry_uuid,
                                         build_request(host, tokens[client], body), twice))
    return queues


def classify(error: BaseException) -> str:
    """A short name for a failed request."""
    if isinstance(error, asyncio.IncompleteReadError):
        return "closed before a full answer" if error.partial else "closed with no answer"
    if isinstance(error, TimeoutError):
        return "timeout"
    return {ConnectionResetError: "connection reset", BrokenPipeError: "broken pipe",
            ConnectionRefusedError: "connection refused"}.get(type(error), type(error).__name__)


async def send(run: Run, conn: httpload.Connection, sub: Submission, deadline: float) -> None:
    """Send until acknowledged (or out of attempts/time), as an outbox does."""
    sub.sends += 1
    failed = False
    for attempt in range(MAX_ATTEMPTS):
        if time.perf_counter() > deadline:
            break
        if attempt:
            # Backoff with jitter, so the retries after the kill do not all land at once.
            await asyncio.sleep(min(2.0, 0.05 * 2 ** attempt) * random.random())
        started = time.perf_counter()
        run.requests += 1
        run.in_flight += 1
        try:
            response = await asyncio.wait_for(conn.request(sub.raw), REQUEST_TIMEOUT)
        except (OSError, EOFError, ValueError, TimeoutError, asyncio.LimitOverrunError) as error:
            conn.close()
            failed = True
            kind = classify(error)
            run.errors[kind] += 1
            run.error_times.append(time.perf_counter() - run.started)
            run.first_error.setdefault(kind, repr(error))
            continue
        finally:
            run.in_flight -= 1
        run.statuses[response.status] += 1
        if response.status in (200, 201):
            answer = json.loads(response.body)
            if not sub.acks:
                run.acknowledged += 1
                if failed and response.status == 200 and not sub.twice:
                    run.saved_before_failure += 1
            sub.acks.append((response.status, answer.get("id"), answer.get("uuid")))
            run.latencies.append(time.perf_counter() - started)
            return
        kind = f"HTTP {response.status}"
        run.errors[kind] += 1
        run.error_times.append(time.perf_counter() - run.started)
        run.first_error.setdefault(kind, response.body[:300].decode(errors="replace"))
        if response.status not in RETRY_STATUSES:
            break  # a refusal (4xx): sending the same again cannot help
    sub.given_up += 1


async def client(run: Run, port: int, queue: list[Submission], delay: float,
                 deadline: float) -> None:
    """One observer's phone: its submissions in order, some sent twice."""
    await asyncio.sleep(delay)
    main, extra = httpload.Connection(HOST, port), httpload.Connection(HOST, port)
    try:
        for sub in queue:
            if sub.twice == "racing":
                await asyncio.gather(send(run, main, sub, deadline),
                                     send(run, extra, sub, deadline))
                # Idle between races, gunicorn would close it (--keep-alive 2 s).
                extra.close()
            else:
                await send(run, main, sub, deadline)
                if sub.twice == "after":
                    await send(run, main, sub, deadline)
    finally:
        main.close()
        extra.close()


async def killer(run: Run, master: int, port: int, target: int, total: int) -> None:
    """SIGKILL one worker once ``target`` submissions are acknowledged; note its replacement.

    The victim is the worker holding the most client connections, so that the
    kill really cuts requests off (a worker holding none would prove nothing).
    """
    while run.acknowledged < target and run.acknowledged < total:
        await asyncio.sleep(0.02)
    workers = serve.worker_pids(master)
    if not workers:
        run.killed = {"error": "no worker found"}
        return
    held = serve.connections_by_worker(workers, port)
    victim = max(workers, key=lambda pid: held[pid])
    os.kill(victim, signal.SIGKILL)
    at = time.perf_counter()
    run.killed = {"pid": victim, "at": at - run.started, "acknowledged": run.acknowledged,
                  "in_flight": run.in_flight, "held": held}
    for _ in range(300):
        await asyncio.sleep(0.05)
        now = serve.worker_pids(master)
        if victim not in now and len(now) >= len(workers):
            run.killed["replaced_by"] = sorted(set(now) - set(workers))
            run.killed["replaced_in"] = time.perf_counter() - at
            break


async def drive(args, port: int, master: int, queues: list[list[Submission]]) -> Run:
    """All clients at once (started over the first second), and the killer."""
    before = {"client": time.process_time(), "server": cpustat.process_cpu(master),
              "machine": cpustat.machine_cpu()}
    run = Run(started=time.perf_counter())
    deadline = run.started + args.timeout
    ramp = 1.0 / max(len(queues), 1)
    total = sum(len(q) for q in queues)
    kill = asyncio.create_task(killer(run, master, port, int(total * args.kill_at), total)) \
        if args.kill_at < 1 else None
    await asyncio.gather(*(client(run, port, q, i * ramp, deadline)
                           for i, q in enumerate(queues)))
    run.finished = time.perf_counter()
    # The killed worker's CPU leaves the server's sum: "others" absorbs it.
    run.cpu = {"client": time.process_time() - before["client"],
               "server": cpustat.process_cpu(master) - before["server"],
               "machine": cpustat.machine_cpu() - before["machine"]}
    if kill is not None:
        await kill
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checklists", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--twice", type=float, default=0.1,
                        help="share of checklists sent twice (half racing, half as retries)")
    parser.add_argument("--kill-at", type=float, default=0.3,
                        help="share acknowledged when one worker is killed (1: no kill)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds after which clients stop sending")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--gunicorn-args", default="",
                        help="more gunicorn options, e.g. '--keep-alive 10'")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (database, server log)")
    args = parser.parse_args()
    random.seed(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    path, log = str(folder / "load.sqlite"), folder / "gunicorn.log"
    secret = "bench-" + secrets.token_hex(16)  # not all digits: from_prefixed_env parses JSON
    tokens = prepare_database(path, secret, args.clients)
    proc = None
    try:
        proc, port = serve.start("app:create_app()",
                                 {"FLASK_DATABASE": path, "FLASK_SECRET_KEY": secret}, log,
                                 args.workers, args.threads, args.gunicorn_args)
        queues = plan(args, f"{HOST}:{port}", tokens)
        run = asyncio.run(drive(args, port, proc.pid, queues))
    finally:
        serve.stop(proc)
    ok = load_check.report(args, run, load_check.verify(path, queues), log)
    if args.keep:
        print(f"kept {folder}")
    else:
        for name in os.listdir(folder):
            os.remove(folder / name)
        folder.rmdir()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
