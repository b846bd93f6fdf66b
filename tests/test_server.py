"""The app under gunicorn as `make run` serves it (gunicorn.conf.py): connections and the database."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
THREADS = 1  # the Makefile's THREADS: sync workers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(folder: Path) -> tuple[subprocess.Popen, int]:
    """One worker as `make run` starts each: anything that holds it shows at once."""
    port = _free_port()
    env = {**os.environ, "FLASK_DATABASE": str(folder / "observation.sqlite"),
           "FLASK_SECRET_KEY": "test-secret"}
    with open(folder / "gunicorn.log", "wb") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "1",
             "--threads", str(THREADS), "--bind", f"127.0.0.1:{port}", "app:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail((folder / "gunicorn.log").read_text()[-2000:])
            time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(15)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process, port = _start(tmp_path_factory.mktemp("server"))
    yield port
    _stop(process)


def _response(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a sync worker always does)."""
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _served_after_one_that(port: int, hangs_up: bool) -> float:
    """Seconds until the next client is answered, after a client that hangs up or not."""
    first = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        first.sendall(b"GET /login HTTP/1.1\r\nHost: test\r\n\r\n")
        assert _response(first).startswith(b"HTTP/1.1 200")
        if hangs_up:
            first.close()
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as nxt:
            nxt.sendall(b"GET /login HTTP/1.1\r\nHost: test\r\n\r\n")
            assert _response(nxt).startswith(b"HTTP/1.1 200")
        return time.monotonic() - started
    finally:
        first.close()


def test_a_client_that_hangs_up_after_its_answer_frees_the_worker_at_once(server):
    """The proxy in front (README, "Running in production") hangs up once it has the answer."""
    assert _served_after_one_that(server, hangs_up=True) < 1.0


def test_a_client_that_never_hangs_up_holds_the_worker_two_seconds_at_most(server):
    """After its answer a sync worker waits for the client to hang up, for 2 s at most.

    gunicorn's close (RFC 9112 section 9.6): request bytes the app never read
    are read off meanwhile, so that no reset cuts the answer short. A phone
    on a weak network would hold a worker that long: phones reach the
    workers only through the proxy.
    """
    assert _served_after_one_that(server, hangs_up=False) < 3.0


def test_an_answer_given_before_the_body_is_read_arrives_whole(server):
    """Request bytes the app never read are read off before closing, so no reset cuts the answer."""
    body = b"x" * 30000
    with socket.create_connection(("127.0.0.1", server), timeout=5) as conn:
        conn.sendall(b"POST /static/app.css HTTP/1.1\r\nHost: test\r\n"
                     b"Content-Type: application/octet-stream\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body)
        time.sleep(0.2)  # the whole body has arrived before the answer is sent
        answer = _response(conn)
    head, _, page = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    assert len(page) == length


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit() and \
                    int(Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except OSError:  # exited meanwhile
            pass
    return found


def _open_database_files(pid: int, database: Path) -> int:
    """How many file descriptors of process ``pid`` are open on ``database`` itself."""
    count = 0
    for fd in os.scandir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(fd.path) == str(database)
        except OSError:  # closed meanwhile
            pass
    return count


def test_a_worker_keeps_its_connection_and_closes_it_when_it_stops(tmp_path):
    """A worker (each of its threads) keeps one SQLite connection between requests, closed at exit.

    A cleanly closed last connection folds the -wal file back into the database
    and deletes it, so no -wal left means none was abandoned open.
    """
    process, port = _start(tmp_path)
    database = tmp_path / "observation.sqlite"
    try:
        for _ in range(3):  # a token is looked up in the database, then refused
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: test\r\n"
                             b"Authorization: Bearer no-such-token\r\n\r\n")
                assert _response(conn).startswith(b"HTTP/1.1 401")
        [worker] = _children(process.pid)
        assert 1 <= _open_database_files(worker, database) <= THREADS
        assert Path(f"{database}-wal").exists()
    finally:
        _stop(process)
    assert not Path(f"{database}-wal").exists()
