"""``flask --app app export ...``: the downloads of /exports, written to a file.

    export checklists --format csv|xlsx|json --out FILE [--region R]... [--type T]...
                      [--from DATE] [--to DATE] [--verified-only]
    export incidents | interactions | follow-ups | protocols   (same options)
    export database --out FILE
"""

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import audit, stations
from models.db import connect
from reports import exports, filters
from views.cli_language import in_language


def _check_out(out: str) -> None:
    """Refuse, before anything is written or audited, a file that cannot or must not be."""
    live = Path(current_app.config["DATABASE"]).resolve()
    if Path(out).resolve() in (live, Path(f"{live}-wal"), Path(f"{live}-shm")):
        raise click.BadParameter(f"{out} is the live database; choose another file.",
                                 param_hint="--out")
    if not Path(out).resolve().parent.is_dir():
        raise click.BadParameter(f"the folder {Path(out).resolve().parent} does not exist.",
                                 param_hint="--out")


def _write_atomically(out: str, write) -> int:
    """Let ``write(path)`` fill a temporary file beside ``out``, then move it into place.

    A failed export leaves any earlier file of that name untouched.
    """
    handle, temporary = tempfile.mkstemp(dir=Path(out).resolve().parent, prefix=".export-")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, out)
    except BaseException:
        for leftover in (temporary, temporary + "-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        raise
    return os.path.getsize(out)


def _write_chunks(chunks: Iterable[bytes]):
    def write(path: str) -> None:
        with open(path, "wb") as target:
            target.writelines(chunks)
    return write


HELP = {
    "checklists": "Export checklists: one row per checklist, every question's code and label.",
    "incidents": "Export incident reports, one row per report.",
    "interactions": "Export meetings with commissions (counterparts, topics, follow-up counts).",
    "follow-ups": "Export the requests and commitments of meetings, one row per item.",
    "protocols": "Export observed protocol figures: one row per counting checklist and contest, "
                 "one column per control figure, party and candidate.",
}


def _entries_command(kind: str) -> click.Command:
    @click.command(kind)
    @click.option("--format", "fmt", type=click.Choice(exports.FORMATS),
                  help="File format; by default taken from the --out file's extension, "
                       "else csv.")
    @click.option("--out", required=True, type=click.Path(dir_okay=False),
                  help="File to write (replaced if it exists).")
    @click.option("--region", "regions", multiple=True, help="Only this region (repeatable).")
    @click.option("--type", "types", multiple=True,
                  help="Only this checklist type (repeatable; checklists only).")
    @click.option("--from", "date_from", help="First local day, YYYY-MM-DD.")
    @click.option("--to", "date_to", help="Last local day, YYYY-MM-DD.")
    @click.option("--verified-only", is_flag=True, help="Only entries a reviewer verified.")
    @with_appcontext
    @in_language
    def command(fmt, out, regions, types, date_from, date_to, verified_only) -> None:
        config = current_app.config
        if types and kind != "checklists":
            raise click.UsageError("--type selects checklist types; it applies to "
                                   "checklists only.")
        _check_out(out)
        if fmt is None:
            suffix = Path(out).suffix.lower().lstrip(".")
            fmt = suffix if suffix in exports.FORMATS else "csv"
        db = connect(config["DATABASE"], config["SQLITE_BUSY_TIMEOUT_MS"])
        try:
            flt = filters.parse({"from": date_from, "to": date_to, "region": list(regions),
                                 "type": list(types), "verified_only": verified_only},
                                stations.regions(db), config["MISSION_TIMEZONE"])
            if not flt.ok:
                raise click.UsageError(" ".join(flt.errors.values()))
            audit.record(db, "export", None, details={
                "kind": kind, "format": fmt, "via": "cli", **flt.details()})
        finally:
            db.close()
        size = _write_atomically(out, _write_chunks(exports.stream(
            config["DATABASE"], kind, fmt, flt, config["SQLITE_BUSY_TIMEOUT_MS"])))
        selection = f" ({flt.describe()})" if kind == "checklists" else ""
        click.echo(f"Wrote {kind}{selection} to {out} as {fmt}: {size:,} bytes.")

    command.help = HELP[kind] + " Same filters as the reports; rejected entries never included."
    return command


@click.command("database")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="File to write (replaced if it exists).")
@with_appcontext
def database_command(out: str) -> None:
    """Copy the whole database with SQLite's online backup (safe while the app runs).

    Users' password hashes are blanked in the copy.
    """
    config = current_app.config
    _check_out(out)
    db = connect(config["DATABASE"], config["SQLITE_BUSY_TIMEOUT_MS"])
    try:
        audit.record(db, "export", None,
                     details={"kind": "database", "format": "sqlite", "via": "cli"})
    finally:
        db.close()
    size = _write_atomically(out, lambda path: exports.copy_database(
        config["DATABASE"], path, config["SQLITE_BUSY_TIMEOUT_MS"]))
    click.echo(f"Copied the database to {out}: {size:,} bytes.")


@click.group("export")
def export() -> None:
    """Export entries (CSV, XLSX, JSON) or a copy of the database."""


for _kind in exports.KINDS:
    export.add_command(_entries_command(_kind))
export.add_command(database_command)


def register(app: Flask) -> None:
    """Add the ``export`` group to ``flask --app app``."""
    app.cli.add_command(export)
