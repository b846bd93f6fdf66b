"""``flask --app app api-token issue|revoke|list``: API tokens from the command line."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import api_tokens, users
from models.db import connect


def _db():
    return connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])


@click.group("api-token")
def api_token() -> None:
    """Issue, revoke and list per-user API tokens (stored hashed)."""


@api_token.command("issue")
@with_appcontext
@click.argument("username")
@click.option("--label", default="", help="What the token is for, e.g. 'bench' or 'phone 12'.")
def issue(username: str, label: str) -> None:
    """Issue a token for USERNAME and print it: it is shown this once only."""
    db = _db()
    try:
        user = users.find_by_username(db, username)
        if user is None or not user["active"]:
            raise click.ClickException(f"No active user named {username!r}.")
        token_id, token = api_tokens.issue(db, user["id"], label)
    finally:
        db.close()
    click.echo(token)
    click.echo(f"Token {token_id} for {user['username']} ({user['role']}). Keep it secret; "
               "it cannot be shown again. Revoke it with: api-token revoke "
               f"{token_id}", err=True)


@api_token.command("revoke")
@with_appcontext
@click.argument("token_id", type=click.IntRange(1, 2**63 - 1))
def revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID at once (its holder gets 401 from then on)."""
    db = _db()
    try:
        if not api_tokens.revoke(db, token_id):
            raise click.ClickException(f"No live token {token_id} (unknown or already revoked).")
    finally:
        db.close()
    click.echo(f"Token {token_id} revoked.")


@api_token.command("list")
@with_appcontext
def list_tokens() -> None:
    """List every token: id, user, label, issued, last used, revoked (never the token)."""
    db = _db()
    try:
        rows = api_tokens.listing(db)
    finally:
        db.close()
    if not rows:
        click.echo("No API tokens.")
        return
    for row in rows:
        state = f"revoked {row['revoked_utc']}" if row["revoked_utc"] else "live"
        click.echo("\t".join([str(row["id"]), row["username"], row["role"],
                              row["label"] or "-", f"issued {row['created_utc']}",
                              f"last used {row['last_used_utc'] or 'never'}", state]))


def register(app: Flask) -> None:
    """Add ``api-token`` to ``flask --app app``."""
    app.cli.add_command(api_token)
