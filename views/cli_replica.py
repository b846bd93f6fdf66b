"""``flask --app app replicate``: stream the database to a standby replica, photos beside it.

Runs next to the app (``make replicate``) until stopped: Litestream as a
child process for the database, and a pass over the photos table every
``--media-interval`` seconds for the media folder. ``flask --app app restore
--from-replica URL`` (views/cli_backup.py) brings a standby up from it.
"""

import signal
import tempfile
import threading
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from models import media, replica


def replica_options(function):
    """The media replica's folder (``--media-replica`` or MEDIA_REPLICA_DIR), for both commands."""
    return click.option(
        "--media-replica", envvar="MEDIA_REPLICA_DIR", default=None,
        help="Folder the photos are copied to (MEDIA_REPLICA_DIR). Default: the replica "
             "folder's name plus .media; required for an S3 replica.")(function)


def _sync(database: str, media_root: Path, target: Path, done: set[str]) -> None:
    found = replica.sync_media(database, media_root, target, done)
    if found["copied"] or found["missing"]:
        click.echo(f"Photos: {found['copied']} copied to {target}"
                   + (f", {found['missing']} missing or altered (verify-media)"
                      if found["missing"] else "") + ".")


@click.command("replicate")
@click.option("--to", "url", envvar="LITESTREAM_REPLICA_URL", required=True,
              help="Replica: a folder (file:///srv/replica/observation) or S3-compatible "
                   "storage (s3://bucket/observation). Default: LITESTREAM_REPLICA_URL.")
@replica_options
@click.option("--media-interval", default=1.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds between two passes copying new photos.")
@with_appcontext
def replicate_command(url: str, media_replica: str | None, media_interval: float) -> None:
    """Stream every change of the database to a replica until stopped (Ctrl-C, SIGTERM).

    Litestream sends the new transactions every second; new photo files are
    copied to the media replica as often. Run it beside the app, as the
    user that runs the app.
    """
    database = current_app.config["DATABASE"]
    media_root = media.root_for(database, current_app.config.get("MEDIA_DIR"))
    try:
        target = replica.media_replica(url, media_replica)
    except replica.ReplicaError as error:
        raise click.ClickException(str(error)) from None
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    with tempfile.TemporaryDirectory(prefix="litestream-") as folder:
        config_path = Path(folder) / "litestream.yml"
        config_path.write_text(replica.config(database, url), encoding="utf-8")
        try:
            process = replica.start(config_path)
        except replica.ReplicaError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Replicating {database} to {url}; photos {media_root} to {target}.")
        done: set[str] = set()
        try:
            while process.poll() is None and not stop.is_set():
                started = time.monotonic()
                _sync(database, media_root, target, done)
                stop.wait(max(0.0, media_interval - (time.monotonic() - started)))
        finally:
            _sync(database, media_root, target, done)
            if process.poll() is None:
                process.terminate()  # Litestream sends what is left, then exits
                process.wait()
    if not stop.is_set():
        raise click.ClickException(f"litestream stopped (exit {process.returncode}).")

