"""``flask --app app verify-audit``: walk the audit chain, name the first broken record."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import audit
from models.db import connect


@click.command("verify-audit")
@with_appcontext
def verify_audit() -> None:
    """Check every audit record against its hash and the one before it.

    Exits 0 when the chain is intact, 1 naming the first record that was
    altered or removed.
    """
    db = connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    try:
        verdict = audit.verify(db)
    finally:
        db.close()
    if verdict.ok:
        click.echo(f"Audit log intact: {verdict.checked} records checked.")
        return
    before = {0: "No record before it.", 1: "The record before it is intact."}.get(
        verdict.checked, f"The {verdict.checked} records before it are intact.")
    click.echo(f"Audit log broken: {verdict.reason}. {before}", err=True)
    raise SystemExit(1)


def register(app: Flask) -> None:
    """Add ``verify-audit`` to ``flask --app app``."""
    app.cli.add_command(verify_audit)
