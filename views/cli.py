"""Command-line set-up of a mission: flask --app app <command>."""

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import stations, users
from models.db import connect
from models.migrations import migrate


def _db():
    return connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])


def import_all_or_nothing(module, csv_file: str) -> int:
    """Run ``module.import_csv`` (stations, candidates, official figures): every bad line is
    printed with its number and the whole file refused (exit 1); else the rows written."""
    try:
        written, errors = module.import_csv(_db(), csv_file)
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{csv_file} is not UTF-8 text ({error.reason} at byte "
                                   f"{error.start}). Save it as CSV UTF-8 and try again.")
    if errors:
        for error in errors:
            click.echo(f"{csv_file}: {error}", err=True)
        raise click.ClickException(f"{len(errors)} bad row(s); nothing was imported.")
    return written


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
    latitude,longitude, optionally smd_district,area_type (urban or rural).
    Nothing is imported unless every row is valid.
    """
    written = import_all_or_nothing(stations, csv_file)
    click.echo(f"Imported {written} station(s) (new ones added, existing numbers updated).")


def _read_password() -> str:
    """A password from a hidden prompt, or the first line of standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < users.MIN_PASSWORD:
        raise click.ClickException(
            f"The password must have at least {users.MIN_PASSWORD} characters.")
    if len(password) > users.MAX_PASSWORD:
        raise click.ClickException(
            f"The password must have at most {users.MAX_PASSWORD} characters.")
    return password


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
    password = _read_password()
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
    # Here, not at the top: the demo's six modules stay out of every other command's start-up.
    from models import demo

    summary = demo.generate(db, station_count, checklist_count)
    click.echo(demo.describe(summary))


@click.group("users")
def users_group() -> None:
    """List users, set a password, (de)activate, change a team or region (all audited)."""


def _user(db, username: str) -> dict:
    user = users.find_by_username(db, username)
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    return user


@users_group.command("list")
@with_appcontext
def list_users() -> None:
    """One line per user: name, role, team, region, active or not, live API tokens."""
    for row in users.listing(_db()):
        click.echo("\t".join([row["username"], row["role"], row["team"] or "-",
                              row["region"] or "-", "active" if row["active"] else "deactivated",
                              f"{row['live_tokens']} live token(s)"]))


@users_group.command("set-password")
@with_appcontext
@click.argument("username")
def set_password(username: str) -> None:
    """Give USERNAME a new password (hidden prompt or standard input); ends their sessions."""
    db = _db()
    user = _user(db, username)
    users.set_password(db, user["id"], _read_password())
    click.echo(f"New password set for {user['username']}; their sessions have ended.")


@users_group.command("deactivate")
@with_appcontext
@click.argument("username")
def deactivate(username: str) -> None:
    """Lock USERNAME out: sessions end at once and their API tokens are revoked."""
    db = _db()
    user = _user(db, username)
    if not user["active"]:
        raise click.ClickException(f"{user['username']} is already deactivated.")
    revoked = users.deactivate(db, user["id"])
    click.echo(f"{user['username']} deactivated; sessions ended, {revoked} API token(s) "
               "revoked.")


@users_group.command("reactivate")
@with_appcontext
@click.argument("username")
def reactivate(username: str) -> None:
    """Let USERNAME log in again (revoked API tokens stay revoked)."""
    db = _db()
    user = _user(db, username)
    if user["active"]:
        raise click.ClickException(f"{user['username']} is already active.")
    users.reactivate(db, user["id"])
    click.echo(f"{user['username']} can log in again.")


@users_group.command("set-place")
@with_appcontext
@click.argument("username")
@click.option("--team", help="New team, e.g. T007; '' for none (not for observers).")
@click.option("--region", help="New region; '' for none.")
def set_place(username: str, team: str | None, region: str | None) -> None:
    """Move USERNAME to another team and/or region (options left out stay as they are)."""
    if team is None and region is None:
        raise click.UsageError("Give --team, --region or both.")
    db = _db()
    user = _user(db, username)
    team = user["team"] if team is None else team.strip()
    region = user["region"] if region is None else region.strip()
    if user["role"] == "observer" and not team:
        raise click.ClickException("Observers belong to a team: give --team.")
    if team and len(team) > users.MAX_TEAM or region and len(region) > users.MAX_REGION:
        raise click.ClickException(f"A team has at most {users.MAX_TEAM} characters, a region "
                                   f"at most {users.MAX_REGION}.")
    if region and region not in stations.regions(db) and region != user["region"]:
        raise click.ClickException(f"No polling station is in region {region!r}; import the "
                                   "stations first or check the spelling.")
    changes = users.change_place(db, user["id"], team, region)
    if not changes:
        click.echo(f"Nothing changed for {user['username']}.")
        return
    click.echo(f"{user['username']}: " + ", ".join(
        f"{name} {old or '-'} -> {new or '-'}" for name, (old, new) in changes.items()) + ".")


def register(app: Flask) -> None:
    """Add the commands to ``flask --app app``."""
    for command in (init_db, import_stations, create_user, demo_command, users_group):
        app.cli.add_command(command)
