"""``flask --app app report summary|region|interactions``: the PDF reports from the command line.

Same filters and the same messages as the reports page; a filter that cannot
make a report prints what is wrong and exits with status 2, writing nothing.
Each report written leaves an "export" record in the audit log (no user).
"""

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import audit, stations, tallies
from models.db import connect
from reports import filters, summary
from views.cli_language import in_language


@click.group("report")
def report() -> None:
    """PDF reports: the mission summary, one region, the commission interaction log; tallies."""


def _options(command):
    """The filter options shared by ``summary`` and ``region``."""
    for option in reversed((
            click.option("--out", required=True, type=click.Path(dir_okay=False),
                         help="Where to write the PDF."),
            click.option("--type", "types", multiple=True,
                         help="Checklist type (opening, voting, counting, tabulation); repeat."),
            click.option("--from", "date_from", default="",
                         help="First day, YYYY-MM-DD, local to the mission's time zone."),
            click.option("--to", "date_to", default="", help="Last day, YYYY-MM-DD."),
            click.option("--verified-only", is_flag=True,
                         help="Only verified entries (rejected ones are always left out)."))):
        command = option(command)
    return command


@contextmanager
def _one_shot_collector() -> Iterator[None]:
    """Write a report without the garbage collector's passes, and end the process without
    its last pass over the heap.

    While WeasyPrint lays the report out, its boxes stay alive until the PDF is written:
    at 50,000 checklists the collector ran 460 passes that walked them (and everything
    start-up built) to find under 4,000 objects, then the exit walked the whole heap once
    more; together a fifth of the command's time. The collector is back on afterwards, so
    a long-lived process (the tests) collects as before, and an exit handler freezes
    what is left (``gc.freeze``): at exit a collection only delays giving the memory back.
    """
    atexit.unregister(gc.freeze)  # once per process, however many reports it writes
    atexit.register(gc.freeze)
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(name: str, out: str, regions: tuple[str, ...], types: tuple[str, ...],
           date_from: str, date_to: str, verified_only: bool, publication: bool = False) -> None:
    db = connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    try:
        flt = filters.parse({"from": date_from, "to": date_to, "region": list(regions),
                             "type": list(types), "verified_only": "1" if verified_only else ""},
                            stations.regions(db), current_app.config["MISSION_TIMEZONE"],
                            one_region=name == "region")
        if not flt.ok:
            raise click.UsageError(" ".join(flt.errors.values()))
        with _one_shot_collector():
            data, figures = summary.report_pdf(
                db, name, flt, summary.mission_of(current_app.config), publication=publication,
                small_n=current_app.config["PUBLICATION_MIN_N"])
        Path(out).write_bytes(data)
        audit.record(db, "export", None, details={
            "report": name, "filter": flt.details(), "publication": publication, "via": "cli"})
    finally:
        db.close()
    empty = " It says so: no entry matches this selection." if figures["empty"] else ""
    click.echo(f"Wrote {out}: {figures['totals']['checklists']:,} checklists "
               f"({figures['selection']}), {len(data) // 1024} KB.{empty}")


@report.command("summary")
@click.option("--region", "regions", multiple=True, help="Region as in the registry; repeat.")
@click.option("--publication", is_flag=True,
              help="The version for publication: verified entries only, no station names,"
                   " entry numbers or observers' words, small cells as 'X of Y'.")
@_options
@with_appcontext
@in_language
def summary_command(out: str, regions: tuple[str, ...], types: tuple[str, ...],
                    date_from: str, date_to: str, verified_only: bool,
                    publication: bool) -> None:
    """Write the mission summary (the statistical annex of a preliminary statement)."""
    _write("summary", out, regions, types, date_from, date_to, verified_only, publication)


@report.command("region")
@click.argument("region")
@_options
@with_appcontext
@in_language
def region_command(region: str, out: str, types: tuple[str, ...], date_from: str,
                   date_to: str, verified_only: bool) -> None:
    """Write the report of one REGION, by district, with its stations' serious problems."""
    _write("region", out, (region,), types, date_from, date_to, verified_only)


@report.command("tallies")
@click.option("--rebuild", is_flag=True,
              help="Recount the tallies from the checklists (in one transaction).")
@with_appcontext
def tallies_command(rebuild: bool) -> None:
    """Check the answer tallies behind the indicators against a recount; --rebuild recounts.

    Exits 1 when they disagree and --rebuild was not given.
    """
    db = connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    try:
        wrong = tallies.differences(db)
        if rebuild:
            rows = tallies.rebuild(db)
            click.echo(f"Answer tallies rebuilt: {rows:,} rows ({len(wrong):,} were wrong).")
            return
    finally:
        db.close()
    if wrong:
        click.echo(f"Answer tallies disagree with a recount in {len(wrong):,} rows, e.g."
                   f" {wrong[0]}: run 'flask --app app report tallies --rebuild'.", err=True)
        raise SystemExit(1)
    click.echo("Answer tallies agree with a recount of the checklists.")


@report.command("results")
@click.option("--region", "regions", multiple=True, help="Region as in the registry; repeat.")
@_options
@with_appcontext
@in_language
def results_command(out: str, regions: tuple[str, ...], types: tuple[str, ...],
                    date_from: str, date_to: str, verified_only: bool) -> None:
    """Write the results annex: protocols, discrepancies, turnout against announced, seats."""
    from views.cli_results import write_annex  # the results commands' own module
    write_annex(out, regions, types, date_from, date_to, verified_only)


try:  # the interaction log's command is the entries helper's (views/cli_entry_reports.py)
    from views.cli_entry_reports import interactions_command
except ImportError:  # pragma: no cover - only while that module is missing
    interactions_command = None
if interactions_command is not None:
    report.add_command(interactions_command)


def register(app: Flask) -> None:
    """Add ``report`` to ``flask --app app``."""
    app.cli.add_command(report)
