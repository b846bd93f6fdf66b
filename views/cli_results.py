"""Contests and results from the command line: ``import-candidates``, ``import-results``,
``import-turnout`` and ``results seats``.

The contests themselves are in the mission file (models/contests); these
commands load the district candidates and turn votes into seats.
"""

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from models import audit, candidates, contests, official_results, official_turnout, seats, stations
from models.contests import votes as contest_votes
from models.db import connect
from reports import filters, results_export
from reports import results as annex
from views.cli import import_all_or_nothing


def _db():
    return connect(current_app.config["DATABASE"], current_app.config["SQLITE_BUSY_TIMEOUT_MS"])


@click.command("import-candidates")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def import_candidates(csv_file: str) -> None:
    """Load the single-member district candidates from a UTF-8 CSV file.

    Columns: district,code,name,party (a party code or self_nominated). Each
    district in the file gets exactly the candidates listed, in the file's
    order; nothing is imported unless every row is valid.
    """
    written = import_all_or_nothing(candidates, csv_file)
    click.echo(f"Imported {written} candidate(s).")


@click.command("import-results")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def import_results(csv_file: str) -> None:
    """Load official results from a UTF-8 CSV file, one figure a row.

    Columns: level,unit,contest,item,value,source. level is national, region,
    district or station; unit empty for national, else the region, district
    number or station number. Rows of the sources in the file replace what
    those sources held; nothing is imported unless every row is valid.
    """
    written = import_all_or_nothing(official_results, csv_file)
    click.echo(f"Imported {written} official figure(s); earlier rows of the same source(s) "
               "replaced.")


@click.command("import-turnout")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
def import_turnout(csv_file: str) -> None:
    """Load the commission's announced turnout by time of day from a UTF-8 CSV file.

    Columns: level,unit,time,share,source. level is national or region; unit
    empty for national, else the region; time HH:MM local; share in percent.
    Rows of the sources in the file replace what those sources held.
    """
    written = import_all_or_nothing(official_turnout, csv_file)
    click.echo(f"Imported {written} announced turnout figure(s); earlier rows of the same "
               "source(s) replaced.")


@click.group("results")
def results() -> None:
    """Results of the contests: seats from official or observed votes."""


def _percent(share) -> str:
    return f"{float(share) * 100:.2f}%"


def _seats_text(contest, outcome: seats.ListSeats, winners: dict, names: dict,
                notes: list[str]) -> list[str]:
    threshold = f"{float(contest.threshold_percent):g}%"
    lines = [f"{contest.title}: {contest.seats} seats, threshold {threshold} of "
             f"{'valid votes' if contest.threshold_base == 'valid_votes' else 'party votes'}"]
    if not outcome.passed:
        lines.append("  No party passed the threshold: no seats allocated.")
    for party in contest.parties:
        mark = "" if party.code in outcome.passed else "  (below the threshold)"
        lines.append(f"  {party.label:<42}{_percent(outcome.shares.get(party.code, 0)):>8}"
                     f"{outcome.seats.get(party.code, 0):>5}{mark}")
    if outcome.undecided:
        lines.append(f"  {outcome.undecided_seats} seat(s) undecided: {', '.join(outcome.undecided)}"
                     " tie on remainder and votes (decided by lot)")
    smd = contests.mission().district_contest()
    if smd is not None:
        lines.append(f"{smd.title}: winners by plurality")
        for district in smd.districts:
            code = winners.get(district.number, "")
            who = (f"{code} {names.get(code, '')}".strip() if code
                   else "no figures" if code == "" else "no winner (a tie for first, or no votes)")
            lines.append(f"  {district.label}: {who}")
    lines += [f"Source: {note}" for note in notes]
    return lines


@results.command("seats")
@with_appcontext
@click.option("--source", type=click.Choice(("official", "observed")), default="official",
              show_default=True, help="Official results table, or observed protocols.")
@click.option("--official-source", default=None,
              help="Which official source to use when several are held (its source text).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"list": {party: seats}, "districts": {number: candidate}}.')
def seats_command(source: str, official_source: str | None, as_json: bool) -> None:
    """The party-list seats (threshold, Hare largest remainder) and the district winners."""
    db = _db()
    try:
        found = (contest_votes.official(db, official_source) if source == "official"
                 else contest_votes.observed(db))
    except contest_votes.VotesError as error:
        raise click.ClickException(f"{error} with --official-source.")
    contest = contests.list_contest()
    party_votes = {code: found.party_list.get(code, 0) for code in contests.party_codes(contest)}
    outcome = seats.allocate_list(party_votes, contest.seats, contest.threshold_percent,
                                  found.party_list.get(contests.AGAINST_ALL, 0),
                                  contest.threshold_base)
    winners = {number: seats.district_winner(
        {c: v for c, v in tally.items() if c != contests.AGAINST_ALL})
        for number, tally in sorted(found.districts.items())}
    if as_json:
        payload = {"list": outcome.seats,
                   "districts": {str(n): code for n, code in winners.items() if code}}
        if outcome.undecided:
            payload["undecided"] = {"parties": list(outcome.undecided),
                                    "seats": outcome.undecided_seats}
        click.echo(json.dumps(payload, indent=2))
        return
    if not found.party_list and not found.districts:
        click.echo("No votes to allocate: " + "; ".join(found.notes) + ".")
        return
    names = {row["code"]: row["name"] for rows in candidates.by_district(db).values()
             for row in rows}
    click.echo("\n".join(_seats_text(contest, outcome, winners, names, found.notes)))


def write_annex(out: str, regions: tuple[str, ...], types: tuple[str, ...], date_from: str,
                date_to: str, verified_only: bool) -> None:
    """``flask report results``: the results annex PDF for the filter, audited."""
    db = _db()
    try:
        flt = filters.parse({"from": date_from, "to": date_to, "region": list(regions),
                             "type": list(types), "verified_only": "1" if verified_only else ""},
                            stations.regions(db), current_app.config["MISSION_TIMEZONE"])
        if not flt.ok:
            raise click.UsageError(" ".join(flt.errors.values()))
        data, figures, _html = annex.report_pdf(db, flt, annex.mission_of(current_app.config))
        Path(out).write_bytes(data)
        audit.record(db, "export", None, details={
            "report": "results", "filter": flt.details(), "via": "cli"})
    finally:
        db.close()
    click.echo(f"Wrote {out}: {figures['protocols']['protocols']:,} observed protocol(s), "
               f"{figures['discrepancies']['total']:,} differing figure(s), "
               f"{figures['turnout']['below_total']:,} visit(s) far below the announced "
               f"turnout ({figures['selection']}), {len(data) // 1024} KB.")


@click.command("official-results")
@with_appcontext
@click.option("--format", "fmt", type=click.Choice(results_export.FORMATS), default="csv",
              show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Where to write.")
def export_official(fmt: str, out: str) -> None:
    """Export the official results held, one figure a row (all sources, no filter)."""
    _export("official-results", fmt, out)


@click.command("discrepancies")
@with_appcontext
@click.option("--format", "fmt", type=click.Choice(results_export.FORMATS), default="csv",
              show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Where to write.")
def export_discrepancies(fmt: str, out: str) -> None:
    """Export every station figure that differs from the official results."""
    _export("discrepancies", fmt, out)


def _export(kind: str, fmt: str, out: str) -> None:
    config = current_app.config
    flt = filters.parse({}, [], config["MISSION_TIMEZONE"])
    with open(out, "wb") as target:
        target.writelines(results_export.stream(config["DATABASE"], kind, fmt, flt,
                                                config["SQLITE_BUSY_TIMEOUT_MS"]))
    audit.record(_db(), "export", None, details={"kind": kind, "format": fmt, "via": "cli"})
    click.echo(f"Wrote {kind} to {out} as {fmt}: {Path(out).stat().st_size:,} bytes.")


def register(app: Flask) -> None:
    """Add the commands to ``flask --app app``."""
    app.cli.add_command(import_candidates)
    app.cli.add_command(import_results)
    app.cli.add_command(import_turnout)
    app.cli.add_command(results)
    # Under ``flask export`` with the other exports, without editing that module.
    from views.cli_exports import export
    export.add_command(export_official)
    export.add_command(export_discrepancies)
