"""``flask --app app import-plan|import-teams``: the deployment plan and the teams' areas."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import plans, teams
from models.db import connect


def _import(module_import, csv_file: str, *args) -> int:
    """Run an all-or-nothing import: every bad line on standard error and exit 2, or the count."""
    db = connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    try:
        written, problems = module_import(db, csv_file, *args)
    except UnicodeDecodeError as error:
        click.echo(f"{csv_file} is not UTF-8 text ({error.reason} at byte {error.start}). "
                   "Save it as CSV UTF-8 and try again.", err=True)
        raise click.exceptions.Exit(2) from None
    finally:
        db.close()
    if problems:
        for problem in problems:
            click.echo(f"{csv_file}: {problem}", err=True)
        lines = len({problem.line for problem in problems})
        click.echo(f"{lines} bad line(s); nothing was imported.", err=True)
        raise click.exceptions.Exit(2)
    return written


@click.command("import-plan")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def import_plan(csv_file: str) -> None:
    """Load the deployment plan from a UTF-8 CSV file, all or nothing.

    Columns: team,day,position,station,purpose,time (time optional, HH:MM local).
    Each (team, day) in the file gets exactly the file's visits; others keep theirs.
    """
    written = _import(plans.import_csv, csv_file,
                      bool(current_app.config["PLAN_ONE_TEAM_PER_STATION_HOUR"]))
    click.echo(f"Imported {written} planned visit(s).")


@click.command("import-teams")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def import_teams(csv_file: str) -> None:
    """Load teams' areas and phones from a UTF-8 CSV file, all or nothing.

    Columns: team,region,districts,phones (districts separated by ';'; without
    a phones column the teams keep their phones).
    """
    written = _import(teams.import_csv, csv_file)
    click.echo(f"Updated {written} team(s).")


def register(app: Flask) -> None:
    """Add ``import-plan`` and ``import-teams`` to ``flask --app app``."""
    app.cli.add_command(import_plan)
    app.cli.add_command(import_teams)
