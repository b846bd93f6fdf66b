"""Photos on the command line: ``flask --app app export photos --out FILE.zip`` and
``flask --app app verify-media``."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import audit, media, photos
from models.db import connect
from reports.photo_export import write_zip
from views.cli_exports import _check_out, _write_atomically, export


def _root() -> Path:
    return media.root_for(current_app.config["DATABASE"], current_app.config.get("MEDIA_DIR"))


def _connect():
    return connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])


@click.command("photos")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="ZIP file to write (replaced if it exists).")
@with_appcontext
def photos_command(out: str) -> None:
    """Export every photo in a ZIP with manifest.csv (entry, kind, question, sha256, capture
    time, uploaded by, uploaded at, file)."""
    _check_out(out)
    db = _connect()
    try:
        audit.record(db, "export", None, details={"kind": "photos", "format": "zip",
                                                   "via": "cli"})
        found = {}

        def write(path: str) -> None:
            with open(path, "wb") as target:
                found.update(write_zip(db, _root(), target))
        size = _write_atomically(out, write)
    finally:
        db.close()
    click.echo(f"Wrote {found['photos']} photos to {out}: {size:,} bytes.")
    if found["missing"]:
        click.echo(f"{found['missing']} photo files are missing or altered (left out, listed "
                   "with an empty file in the manifest): run flask verify-media.", err=True)


@click.command("verify-media")
@with_appcontext
def verify_media_command() -> None:
    """Check every photo file against its sha256; list those missing or altered (exit 1)."""
    db = _connect()
    try:
        checked = len(photos.all_hashes(db))
        problems = photos.verify(db, _root())
    finally:
        db.close()
    for problem in problems:
        click.echo(f"photo {problem['photo_id']} {problem['file']} {problem['sha256']}: "
                   f"{problem['problem']}")
    if problems:
        raise click.ClickException(f"{len(problems)} of {checked} photo files are missing or "
                                   f"altered in {_root()}.")
    click.echo(f"All {checked} photo files in {_root()} match their sha256.")


def register(app: Flask) -> None:
    """Add ``verify-media``, and ``photos`` to the ``export`` group."""
    export.add_command(photos_command)
    app.cli.add_command(verify_media_command)
