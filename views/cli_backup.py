"""Backup and restore on the command line: flask --app app backup / restore [--from-replica]."""

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import backup as backups
from models import media, replica
from models.db import connect
from views.cli_replica import replica_options, replicate_command


def _show(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {number}" for name, number in counts.items())


def _media_root() -> Path:
    return media.root_for(current_app.config["DATABASE"], current_app.config.get("MEDIA_DIR"))


def _photos(found: dict[str, int], folder: Path) -> None:
    """Say what happened to the photo files; missing ones make the command fail."""
    click.echo(f"Photo files in {folder}: {found['copied']} copied, {found['kept']} already "
               "there.")
    if found["missing"]:
        raise click.ClickException(f"{found['missing']} photo files were missing or altered "
                                   "and not copied: run flask verify-media.")

@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="File to write; replaced atomically if it exists.")
@with_appcontext
def backup_command(out: str) -> None:
    """Copy the database to FILE while the app keeps running (SQLite online backup).

    The copy is the database at one instant, checked with integrity_check and
    flushed to disk before it takes the name FILE; the photo files it refers
    to are copied (checked by their sha256) into FILE.media/.
    """
    database = current_app.config["DATABASE"]
    db = connect(database, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    try:
        found = backups.backup(db.conn, database, out)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    click.echo(f"Backed up {database} to {out}: {_show(found)}.")
    # The photos the copy refers to: files added since are in the next backup.
    _photos(backups.copy_media(out, _media_root(), backups.media_folder(out)),
            backups.media_folder(out))


@click.command("restore")
@click.argument("backup_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--from-replica", "url", default=None,
              help="Rebuild from this Litestream replica (what flask replicate streams to) "
                   "instead of a backup file: bringing a standby up.")
@replica_options
@click.option("--force", is_flag=True,
              help="Replace a database that already holds users or checklists "
                   "(its current contents are copied aside first).")
@with_appcontext
def restore_command(backup_file: str | None, url: str | None, media_replica: str | None,
                    force: bool) -> None:
    """Put the backup BACKUP_FILE, or the replica's latest state, into the configured database.

    Stop the app first: entries saved while the app runs during a restore
    would be overwritten, so stop gunicorn (all workers), restore, then start
    it again. The photo files are copied back from BACKUP_FILE.media/ (or the
    media replica) into the media folder.
    """
    if (backup_file is None) == (url is None):
        raise click.UsageError("Give either BACKUP_FILE or --from-replica URL.")
    if url is None:
        _restore(backup_file, backups.media_folder(backup_file), force)
        return
    database = current_app.config["DATABASE"]
    rebuilt = Path(f"{database}.replica-{time.strftime('%Y%m%dT%H%M%S')}")
    try:
        photos_from = replica.media_replica(url, media_replica)
        replica.restore_database(url, rebuilt)
        click.echo(f"Rebuilt the replica {url} as {rebuilt}.")
        _restore(str(rebuilt), photos_from, force)
    except replica.ReplicaError as error:
        raise click.ClickException(str(error)) from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{rebuilt}{suffix}").unlink(missing_ok=True)


def _restore(backup_file: str, photos_from: Path, force: bool) -> None:
    database = current_app.config["DATABASE"]
    try:
        found, saved = backups.restore(backup_file, database, force,
                                       current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    if saved:
        click.echo(f"The previous contents of {database} were copied to {saved}.")
    main = {name: found[name] for name in backups.MAIN_TABLES if name in found}
    click.echo(f"Restored {backup_file} into {database}: {_show(main)}.")
    _photos(backups.copy_media(database, photos_from, _media_root()), _media_root())
    click.echo("Start the app again; it serves the restored data.")


def register(app: Flask) -> None:
    """Add the commands to ``flask --app app`` (``replicate`` from views/cli_replica.py too)."""
    for command in (backup_command, restore_command, replicate_command):
        app.cli.add_command(command)
