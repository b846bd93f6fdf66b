"""The app under gunicorn as `make run` serves it (gunicorn.conf.py): how connections end."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One single-threaded sync worker: anything that holds it shows at once."""
    folder = tmp_path_factory.mktemp("server")
    port = _free_port()
    env = {**os.environ, "FLASK_DATABASE": str(folder / "observation.sqlite"),
           "FLASK_SECRET_KEY": "test-secret"}
    log = open(folder / "gunicorn.log", "wb")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail((folder / "gunicorn.log").read_text()[-2000:])
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(15)
    log.close()


def _response(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_client_that_never_hangs_up_does_not_hold_the_worker(server):
    """A phone that keeps the connection open after its answer: the next one is served at once.

    gunicorn's own close waits up to 2 s for the client to hang up, and a sync
    worker serves nobody meanwhile.
    """
    lingering = socket.create_connection(("127.0.0.1", server), timeout=5)
    try:
        lingering.sendall(b"GET /login HTTP/1.1\r\nHost: test\r\n\r\n")
        assert _response(lingering).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", server), timeout=5) as nxt:
            nxt.sendall(b"GET /login HTTP/1.1\r\nHost: test\r\n\r\n")
            assert _response(nxt).startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 1.0
    finally:
        lingering.close()


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
