"""``flask --app app report interactions --out FILE.pdf [filters]``: the interaction log as a PDF.

``interactions_command`` joins the ``report`` group of views/cli_reports.py
(the lead adds it with ``report.add_command(interactions_command)``). The
filters are the meetings log page's, with the same messages when one is wrong.
"""

import click
from flask import current_app
from flask.cli import with_appcontext

from forms.meeting_log_filter import parse_filters
from models import audit, stations
from models.db import connect
from reports.meeting_log import build_log, log_pdf
from views.cli_language import in_language


@click.command("interactions")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF.")
@click.option("--level", default="", help="Commission level: cec, territorial, district, precinct.")
@click.option("--region", default="", help="Region, as in the station registry.")
@click.option("--topic", default="", help="Meeting topic code, e.g. voter_lists.")
@click.option("--status", default="",
              help="Meetings with a follow-up item open, answered, closed, or overdue.")
@click.option("--from", "since", default="", help="First day (YYYY-MM-DD, mission's zone).")
@click.option("--to", "until", default="", help="Last day (YYYY-MM-DD, mission's zone).")
@with_appcontext
@in_language
def interactions_command(out: str, level: str, region: str, topic: str, status: str,
                         since: str, until: str) -> None:
    """Write the commission interaction log: meetings in time order with their follow-up."""
    db = connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    try:
        zone = current_app.config["MISSION_TIMEZONE"]
        selection = parse_filters({"level": level, "region": region, "topic": topic,
                                   "status": status, "since": since, "until": until},
                                  stations.regions(db), zone)
        if not selection.ok:
            raise click.UsageError("; ".join(selection.errors))
        report = build_log(db, selection, mission=current_app.config["MISSION_NAME"],
                           mission_zone=zone)
        body = log_pdf(report)
        with open(out, "wb") as file:
            file.write(body)
        audit.record(db, "export", None, details={
            "kind": "interaction_log", "format": "pdf", "selection": selection.description,
            "meetings": report["listed_out_of"], "via": "cli"})
    finally:
        db.close()
    click.echo(f"Wrote {out}: {report['listed_out_of']} meetings ({selection.description}), "
               f"{len(body) // 1024} KB.")
