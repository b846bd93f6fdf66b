"""The recovery point of the standby: how far the Litestream replica lags behind the app.

Run from the project root:

    .venv/bin/python bench/replication.py [--writes 40] [--photo-every 5] [--busy 0] \\
        [--seed 3] [--keep]

It builds a fresh database in a temporary folder, starts the app under
gunicorn (as `make run`) and ``flask replicate`` to a replica folder (as
`make replicate`), then files checklists one at a time through the JSON API,
at random moments (0.3-2.5 s apart) so they fall at every point of
Litestream's one-second cycle. For each one it measures the time from the
201 to the moment the replica holds it: a new file in the replica's
``ltx/0/`` folder, confirmed by restoring the replica and finding the
checklist's uuid in it. Every ``--photo-every``-th checklist also gets a
photo; its lag runs until the photo and its thumbnail are in the media
replica. With ``--busy N``, N other clients file checklists without pause
meanwhile (election-day load on the writer and on Litestream). It prints
median, p95 and max of both: what a server lost at once with its
replication process can cost (the README's recovery point).
"""

import argparse
import io
import json
import os
import random
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import mission
import serve
from PIL import Image

from models import api_tokens, media, photos, replica
from models.db import connect
from models.definitions import by_type

WAIT = 120.0  # seconds before a write counts as never replicated


def _post(port: int, path: str, token: str, body: bytes, content_type: str) -> dict:
    request = urllib.request.Request(
        f"http://{serve.HOST}:{port}{path}", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201, response.status
        return json.loads(response.read())


def _photo(seed: int) -> tuple[bytes, str]:
    rng = random.Random(seed)
    picture = Image.frombytes("RGB", (320, 240), rng.randbytes(320 * 240 * 3))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="uuid"\r\n\r\n'
            f'{uuid.uuid4()}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n').encode() \
        + out.getvalue() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _newest_txid(folder: Path) -> int:
    names = [p.name for p in (folder / "ltx" / "0").glob("*.ltx")]
    return max((int(n.split("-")[1].split(".")[0], 16) for n in names), default=0)


def _restored_uuids(url: str, work: Path) -> set[str]:
    probe = work / f"probe-{secrets.token_hex(4)}.sqlite"
    try:
        replica.restore_database(url, probe)
        conn = sqlite3.connect(probe)
        try:
            return {r[0] for r in conn.execute("SELECT uuid FROM checklists")}
        finally:
            conn.close()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{probe}{suffix}").unlink(missing_ok=True)


def database_lag(url: str, folder: Path, work: Path, key: str, before: int,
                 acked: float) -> float:
    """Seconds from ``acked`` until a new replica file holding ``key`` was seen."""
    seen = before
    while time.monotonic() - acked < WAIT:
        newest = _newest_txid(folder)
        if newest > seen:
            at = time.monotonic()
            if key in _restored_uuids(url, work):
                return at - acked
            seen = newest
        time.sleep(0.005)
    raise RuntimeError(f"checklist {key} not in the replica after {WAIT} s")


def media_lag(media_replica: Path, digests: list[str], acked: float) -> float:
    """Seconds from ``acked`` until every one of ``digests`` is in the media replica."""
    while time.monotonic() - acked < WAIT:
        if all(media.path_of(media_replica, d).exists() for d in digests):
            return time.monotonic() - acked
        time.sleep(0.005)
    raise RuntimeError(f"photo files {digests} not in the media replica after {WAIT} s")


def _keep_filing(port: int, token: str, station: int, answers: dict, stop: threading.Event,
                 filed: list[int]) -> None:
    """File checklists one after the other until ``stop``: the background load."""
    while not stop.is_set():
        body = json.dumps({"uuid": str(uuid.uuid4()), "form_type": "voting",
                           "station_id": station, **mission.VISIT, "answers": answers,
                           "comments": "", "figures_confirmed": False}).encode()
        _post(port, "/api/v1/checklists", token, body, "application/json")
        filed.append(1)


def _figures(name: str, lags: list[float]) -> str:
    ordered = sorted(lags)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"{name}: {len(lags)} writes, median {statistics.median(lags):.2f} s, "
            f"p95 {p95:.2f} s, max {ordered[-1]:.2f} s")


def main() -> int:
    """Measure the replica's lag; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--photo-every", type=int, default=5)
    parser.add_argument("--busy", type=int, default=0,
                        help="clients filing checklists without pause meanwhile")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="replication-"))
    path = str(work / "observation.sqlite")
    secret = "bench-" + secrets.token_hex(16)
    user_id = mission.prepare(path, secret, 1, 10, secrets.token_hex(8), team_size=1)[0]
    db = connect(path)
    try:
        token = api_tokens.issue(db, user_id, "bench/replication.py")[1]
        station = db.execute("SELECT id FROM stations ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        db.close()
    folder = work / "replica"
    url, media_replica = folder.as_uri(), Path(f"{work / 'replica'}.media")
    env = {"FLASK_DATABASE": path, "FLASK_SECRET_KEY": secret}
    with open(work / "replicate.log", "wb") as log:
        replicating = subprocess.Popen(
            [str(Path(sys.executable).parent / "flask"), "--app", "app", "replicate", "--to", url],
            cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    server = None
    try:
        server, port = serve.start("app:create_app()", env, work / "gunicorn.log", 2, 1)
        while _newest_txid(folder) == 0:
            if replicating.poll() is not None:
                raise RuntimeError((work / "replicate.log").read_text()[-2000:])
            time.sleep(0.05)
        answers = mission.answers(by_type()["voting"])
        checklist_lags, photo_lags = [], []
        stop, filed = threading.Event(), []
        load = [threading.Thread(target=_keep_filing, daemon=True,
                                 args=(port, token, station, answers, stop, filed))
                for _ in range(args.busy)]
        for thread in load:
            thread.start()
        started = time.monotonic()
        for n in range(args.writes):
            time.sleep(rng.uniform(0.3, 2.5))
            key = str(uuid.uuid4())
            body = json.dumps({
                "uuid": key, "form_type": "voting", "station_id": station, **mission.VISIT,
                "answers": answers, "comments": "", "figures_confirmed": False}).encode()
            before = _newest_txid(folder)
            answer = _post(port, "/api/v1/checklists", token, body, "application/json")
            acked = time.monotonic()
            checklist_lags.append(database_lag(url, folder, work, key, before, acked))
            if args.photo_every and n % args.photo_every == 0:
                form, kind = _photo(args.seed * 1000 + n)
                shown = _post(port, f"/api/v1/checklists/{answer['id']}/photos", token, form,
                              kind)
                acked = time.monotonic()
                conn = sqlite3.connect(path)
                try:
                    digests = [d for pid, _w, d in photos.all_hashes(conn) if pid == shown["id"]]
                finally:
                    conn.close()
                photo_lags.append(media_lag(media_replica, digests, acked))
        stop.set()
        for thread in load:
            thread.join(120)
        if args.busy:
            print(f"Background: {len(filed)} checklists from {args.busy} clients, "
                  f"{len(filed) / (time.monotonic() - started):.0f}/s")
    finally:
        serve.stop(server)
        if replicating.poll() is None:
            os.killpg(replicating.pid, signal.SIGTERM)
            replicating.wait(60)
    print(_figures("checklists (acknowledged -> in the replica)", checklist_lags))
    if photo_lags:
        print(_figures("photos (acknowledged -> in the media replica)", photo_lags))
    if args.keep:
        print(f"Folder: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
