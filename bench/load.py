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
under its uuid, with the id the server gave. Pass: zero lost, zero duplicated
(and the uuids and ids match).
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import shlex
import signal
import socket
import sqlite3
import subprocess
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

from app import create_app
from forms.definitions import Definition, load_all
from models import api_tokens, stations, users
from models.db import connect, writing

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
STATIONS = 200
ZONES = ("Asia/Almaty", "Asia/Aqtobe", "Asia/Aqtau", "Asia/Oral", "Asia/Qostanay")
PATH = "/api/v1/checklists"
MAX_ATTEMPTS = 20  # per send; a phone would keep trying, the benchmark must end
REQUEST_TIMEOUT = 60.0  # seconds; longer than gunicorn's worker timeout (30 s)
RETRY_STATUSES = {429, 500, 502, 503, 504}


# --- the database and the server ---------------------------------------------------

def prepare_database(path: str, secret: str, clients: int) -> list[str]:
    """Migrate a fresh database, add stations and one observer per client; their tokens."""
    create_app({"DATABASE": path, "SECRET_KEY": secret})
    rows = []
    for n in range(1, STATIONS + 1):
        number, name = f"{n:03d}", f"School No. {n}"
        address, district = f"{n} Abay Avenue", f"District {n % 7 + 1}"
        rows.append({"number": number, "name": name, "address": address,
                     "region": f"Region {n % 17 + 1}", "district": district,
                     "timezone": ZONES[n % len(ZONES)], "registered_voters": 1500 + n,
                     "latitude": 43.2 + n / 1000, "longitude": 76.9 + n / 1000,
                     "search_text": stations.search_text(number, name, address, district)})
    db = connect(path)
    try:
        stations.upsert(db, rows)
        hashed = users.hash_password(secrets.token_hex(8))  # argon2 is slow: hash once
        with writing(db):
            ids = [users.create_user(db, f"observer{i:03d}", None, "observer",
                                     team=f"team{i:03d}", password_hash=hashed)
                   for i in range(clients)]
        return [api_tokens.issue(db, user_id, "bench/load.py")[1] for user_id in ids]
    finally:
        db.close()


def answers_for(definition: Definition) -> dict:
    """An answer to every required, relevant question, satisfying the definition's checks."""
    answers: dict = {}
    for q in definition.questions.values():
        if q.relevant and answers.get(q.relevant[0]) != q.relevant[1] or not q.required:
            continue
        if q.type == "integer":
            answers[q.id] = min(q.max if q.max is not None else 1000, 1000)
        elif q.type == "yesno":
            answers[q.id] = "no"
        elif q.type in ("choice", "multi"):
            answers[q.id] = [q.choices[0][0]] if q.type == "multi" else q.choices[0][0]
        elif q.type == "time":
            answers[q.id] = "10:15"
        else:
            answers[q.id] = "Nothing to note."
    for check in definition.checks:  # voters_voted <= voters_on_list, sums that add up
        if check.rule == "lte" and check.left in answers and check.right in answers:
            answers[check.left] = min(answers[check.left], answers[check.right]) // 2
        elif check.rule == "sum" and all(p in answers for p in check.parts):
            answers[check.total] = sum(answers[p] for p in check.parts)
    return answers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(args, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn as `make run` starts it, on a free loopback port; returns once it answers."""
    port = free_port()
    command = [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py"), "--preload",
               "--workers", str(args.workers), "--threads", str(args.threads),
               "--bind", f"{HOST}:{port}", *shlex.split(args.gunicorn_args), "app:create_app()"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(worker_pids(proc.pid)) >= args.workers:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    return proc, port
            except OSError:
                pass
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen | None) -> None:
    """Stop gunicorn (master and workers), forcefully if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's child processes, from /proc."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # from the 3rd field (state) on
        if int(fields[1]) == master and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def connections_by_worker(workers: list[int], port: int) -> dict[int, int]:
    """How many established TCP connections to ``port`` each worker holds (from /proc)."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "01" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                established.add(parts[9])  # the socket's inode
    held = {}
    for pid in workers:
        count = 0
        try:
            for fd in os.scandir(f"/proc/{pid}/fd"):
                target = os.readlink(fd.path)
                if target.startswith("socket:[") and target[8:-1] in established:
                    count += 1
        except OSError:
            pass
        held[pid] = count
    return held


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
    answers = answers_for(load_all()["voting"])
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
    workers = worker_pids(master)
    if not workers:
        run.killed = {"error": "no worker found"}
        return
    held = connections_by_worker(workers, port)
    victim = max(workers, key=lambda pid: held[pid])
    os.kill(victim, signal.SIGKILL)
    at = time.perf_counter()
    run.killed = {"pid": victim, "at": at - run.started, "acknowledged": run.acknowledged,
                  "in_flight": run.in_flight, "held": held}
    for _ in range(300):
        await asyncio.sleep(0.05)
        now = worker_pids(master)
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


# --- checking and reporting ------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """The p-th percentile in milliseconds (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def stored_rows(path: str) -> tuple[list[tuple], dict]:
    """(id, uuid, comments) of every checklist, and other figures of the database."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT id, uuid, json_extract(answers, '$.comments')"
                            " FROM checklists").fetchall()
        extra = {
            "versions": conn.execute("SELECT count(*) FROM checklist_versions").fetchone()[0],
            "audit_creates": conn.execute(
                "SELECT count(*) FROM audit_log WHERE action = 'create'"
                " AND entry_kind = 'checklist'").fetchone()[0],
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0]}
        return rows, extra
    finally:
        conn.close()


def verify(path: str, queues: list[list[Submission]]) -> dict:
    """Compare the clients' acknowledgements with the rows in the database."""
    rows, extra = stored_rows(path)
    subs = {sub.uuid: sub for queue in queues for sub in queue}
    by_uuid = {r[1]: r for r in rows}
    markers = Counter(r[2] for r in rows)
    acked = [s for s in subs.values() if s.acks]
    lost = [s for s in acked if s.uuid not in by_uuid]
    mismatched = [s for s in acked if s.uuid in by_uuid and (
        {a[1] for a in s.acks} != {by_uuid[s.uuid][0]} or {a[2] for a in s.acks} != {s.uuid})]
    return {
        "sent": len(subs), "sent_twice": sum(1 for s in subs.values() if s.twice),
        "acknowledged": len(acked), "stored": len(rows),
        # rows beyond one per submission sent: a second row under another uuid (its
        # comments name the same submission) or a row nobody sent
        "duplicates": len(rows) - len(set(by_uuid) & set(subs)),
        "same_marker": sum(n - 1 for n in markers.values() if n > 1),
        "lost": len(lost), "mismatched": len(mismatched),
        "unacknowledged": sum(1 for s in subs.values() if not s.acks),
        "stored_unacknowledged": sum(1 for s in subs.values() if not s.acks and s.uuid in by_uuid),
        "examples": [s.uuid for s in lost[:3] + mismatched[:3]],
        **extra,
    }


def report(args, run: Run, figures: dict, log: Path) -> bool:
    """Print the figures; True when nothing was lost or duplicated."""
    seconds = run.finished - run.started
    k = run.killed
    print(f"{figures['sent']} checklists from {args.clients} clients ({figures['sent_twice']} "
          f"sent twice), gunicorn --workers {args.workers} --threads {args.threads} "
          f"{args.gunicorn_args}".rstrip() + ", "
          f"{seconds:.1f} s, {figures['acknowledged'] / seconds:.0f} checklists/s")
    if k.get("pid"):
        replaced = (f"replaced by {k['replaced_by']} in {k['replaced_in']:.2f} s"
                    if "replaced_by" in k else "NOT replaced")
        print(f"killed worker {k['pid']} (SIGKILL) at {k['at']:.1f} s, after "
              f"{k['acknowledged']} acknowledged, {k['in_flight']} requests in flight; it held "
              f"{k['held'][k['pid']]} of the clients' connections (workers: "
              + ", ".join(str(n) for n in k["held"].values()) + f"); {replaced}")
    elif k:
        print(f"kill: {k}")
    print(f"sent {figures['sent']}  requests {run.requests}  acknowledged "
          f"{figures['acknowledged']}  stored {figures['stored']}  duplicates "
          f"{figures['duplicates']}  lost {figures['lost']}  uuid/id mismatches "
          f"{figures['mismatched']}  unacknowledged {figures['unacknowledged']} "
          f"(of which stored {figures['stored_unacknowledged']})")
    print("answers: " + ", ".join(f"{status}: {n}" for status, n in sorted(run.statuses.items()))
          + f"; saved by the server, connection lost before the answer, confirmed by the "
          f"retry (200): {run.saved_before_failure}")
    errors = ", ".join(f"{kind} {n}" for kind, n in run.errors.most_common()) or "none"
    print(f"errors (each retried unless 4xx): {errors}")
    if k.get("pid"):
        near = sum(1 for t in run.error_times if k["at"] <= t <= k["at"] + 5)
        other = sorted(t for t in run.error_times if not k["at"] <= t <= k["at"] + 5)
        print(f"  of which within 5 s after the kill: {near}, at other times: {len(other)}"
              + (" (at s: " + " ".join(f"{t:.1f}" for t in other[:20]) + ")" if other else ""))
    for kind, detail in run.first_error.items():
        print(f"  first {kind}: {detail[:200]}")
    used = cpustat.shares(run.cpu, seconds)
    print(f"latency of acknowledged requests: p50 {percentile(run.latencies, 50):.1f} ms, "
          f"p99 {percentile(run.latencies, 99):.1f} ms; cpu (cores): "
          + " ".join(f"{name} {share:.2f}" for name, share in used.items()))
    tracebacks = log.read_text(errors="replace").count("Traceback")
    print(f"database: integrity {figures['integrity']}, checklist_versions "
          f"{figures['versions']}, audit 'create' records {figures['audit_creates']}; "
          f"tracebacks in the server log: {tracebacks}")
    if figures["examples"]:
        print("examples of lost or mismatched uuids: " + ", ".join(figures["examples"]))
    ok = (figures["lost"] == 0 and figures["duplicates"] == 0 and figures["mismatched"] == 0
          and figures["same_marker"] == 0
          and figures["integrity"] == "ok"
          and figures["versions"] == figures["audit_creates"] == figures["stored"])
    print(("PASS" if ok else "FAIL") + ": zero lost, zero duplicated, uuids and ids match"
          + ("" if ok else " - NOT MET"))
    return ok


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
        proc, port = start_server(args, {"FLASK_DATABASE": path, "FLASK_SECRET_KEY": secret},
                                  log)
        queues = plan(args, f"{HOST}:{port}", tokens)
        run = asyncio.run(drive(args, port, proc.pid, queues))
    finally:
        stop_server(proc)
    ok = report(args, run, verify(path, queues), log)
    if args.keep:
        print(f"kept {folder}")
    else:
        for name in os.listdir(folder):
            os.remove(folder / name)
        folder.rmdir()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
