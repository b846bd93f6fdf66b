"""Command-line set-up of a mission: flask --app app <command>."""

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import demo, stations, users
from models.db import connect
from models.migrations import migrate


def _db():
    return connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Apply pending migrations (never drops data)."""
    db = _db()
    migrate(db)
    click.echo(f"Database ready: {current_app.config['DATABASE']}")


@click.command("import-stations")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def import_stations(csv_file: str) -> None:
    """Load or update the polling-station registry from a UTF-8 CSV file.

    Columns: number,name,address,region,district,timezone,registered_voters,
    latitude,longitude. Nothing is imported unless every row is valid.
    """
    try:
        written, errors = stations.import_csv(_db(), csv_file)
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{csv_file} is not UTF-8 text ({error.reason} at byte "
                                   f"{error.start}). Save it as CSV UTF-8 and try again.")
    if errors:
        for error in errors:
            click.echo(f"{csv_file}: {error}", err=True)
        raise click.ClickException(f"{len(errors)} bad row(s); nothing was imported.")
    click.echo(f"Imported {written} station(s) (new ones added, existing numbers updated).")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(users.ROLES), required=True)
@click.option("--team", help="Observer team, e.g. T001 (required for observers).")
@click.option("--region", help="Region the user works in.")
def create_user(username: str, role: str, team: str | None, region: str | None) -> None:
    """Create a user; the password comes from a hidden prompt or standard input."""
    if role == "observer" and not team:
        raise click.UsageError("Observers belong to a team: add --team.")
    db = _db()
    if users.find_by_username(db, username):
        raise click.ClickException(f"User {username!r} already exists.")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise click.ClickException("The password must have at least 8 characters.")
    users.create_user(db, username, password, role, team, region)
    click.echo(f"Created {role} {username}" + (f" in team {team}" if team else "") + ".")


@click.command("demo")
@with_appcontext
@click.option("--stations", "station_count", default=1000, show_default=True,
              type=click.IntRange(1, 20000))
@click.option("--checklists", "checklist_count", default=2000, show_default=True,
              type=click.IntRange(0, 200000))
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already has users.")
def demo_command(station_count: int, checklist_count: int, if_empty: bool) -> None:
    """Fill an empty database with a realistic synthetic mission and print its logins."""
    db = _db()
    if users.count_users(db):
        if if_empty:
            click.echo("The database already holds a mission; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; the demo only fills an empty one.")
    summary = demo.generate(db, station_count, checklist_count)
    click.echo(demo.describe(summary))


def register(app: Flask) -> None:
    """Add the commands to ``flask --app app``."""
    for command in (init_db, import_stations, create_user, demo_command):
        app.cli.add_command(command)
