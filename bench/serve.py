"""gunicorn as `make run` starts it, for the benchmarks: start, stop, and find its workers.

Shared by bench/submit.py (the app and its bare-insert baseline) and
bench/load.py (which kills a worker and counts the connections it held).
"""

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback port nothing listens on (for now)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start(app_spec: str, env: dict, log: Path, workers: int, threads: int,
          extra_args: str = "", access_log: Path | None = None) -> tuple[subprocess.Popen, int]:
    """gunicorn with gunicorn.conf.py on a free loopback port; returns once every worker is up."""
    port = free_port()
    command = [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py"), "--preload",
               "--workers", str(workers), "--threads", str(threads),
               "--bind", f"{HOST}:{port}", *shlex.split(extra_args), app_spec]
    if access_log is not None:
        command[1:1] = ["--access-logfile", str(access_log)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(worker_pids(proc.pid)) >= workers:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    return proc, port
            except OSError:
                pass
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError(f"gunicorn {app_spec} did not start: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen | None) -> None:
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
