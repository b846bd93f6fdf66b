"""Protocols observed, for people: a table per contest on the entry page and PDF, and the export.

``entry_tables`` turns a checklist's ``protocol`` (models.checklists.get) into
display rows with the parties' and candidates' names; ``protocol_table`` is
the ``protocols`` export: one row per counting checklist and contest, one
column per control figure, party and candidate (codes as column names, as in
the other exports), read from ``protocol_figures`` one cursor at a time.
"""

import json
from collections.abc import Iterator

from flask_babel import gettext as _
from sqlite_utils import Database

from models import contests, protocols, stations
from reports.export_tables import Sheet
from reports.filters import ReportFilter


def entry_tables(db: Database, entry: dict) -> list[dict]:
    """Per contest of the entry's protocol: its title and (label, value) rows, controls first."""
    protocol = entry.get("protocol") or {}
    if not protocol:
        return []
    station = stations.get(db, entry["station_id"]) or {}
    layout = {b.contest: b for b in protocols.ballots(db, station)}
    controls = {f.code: _(f.label) for f in contests.mission().control_figures}
    tables = []
    for contest_id, figures in protocol.items():
        ballot, contest = layout.get(contest_id), contests.contest(contest_id)
        names = {}
        if ballot is not None:
            names = {o.code: (_(o.label) if ballot.district is None
                              or o.code == contests.AGAINST_ALL else o.label)
                     for o in ballot.options}
        title = _(contest.title) if contest else contest_id
        if ballot is not None and ballot.district_label:
            title = f"{title} · {ballot.district_label}"
        tables.append({
            "contest": contest_id, "title": title,
            "question_id": f"{protocols.QUESTION_PREFIX}-{contest_id}",
            "controls": [(controls[code], figures[code]) for code in controls
                         if code in figures],
            # Options no longer on the station's ballot (a re-imported list) by their code.
            "votes": [(names.get(code, code), value) for code, value in figures.items()
                      if code not in controls]})
    return tables


# ---------------------------------------------------------------- export

_HEADER = ("checklist_id", "station_number", "station_name", "region", "district",
           "smd_district", "team", "review_state", "figures_confirmed", "contest")
_SQL = (
    "SELECT c.id, s.number, s.name, s.region, s.district, s.smd_district, c.team,"
    " c.review_state, c.answers, p.contest, p.item, p.value"
    " FROM protocol_figures p JOIN checklists c ON c.id = p.checklist_id"
    " JOIN stations s ON s.id = c.station_id WHERE {where} ORDER BY c.id, p.contest, p.id")


def _item_columns(db: Database) -> tuple[str, ...]:
    """Every party of every list contest, against_all, then every candidate by district."""
    columns = list(contests.control_codes())
    for contest in contests.mission().contests:
        columns += [p.code for p in contest.parties if p.code not in columns]
    columns.append(contests.AGAINST_ALL)
    columns += [row[0] for row in db.execute(
        "SELECT code FROM candidates ORDER BY district, position")]
    return tuple(dict.fromkeys(columns))


def protocol_sheet(db: Database) -> Sheet:
    """The protocols export's columns."""
    return Sheet(_("Protocols"), _HEADER + _item_columns(db))


def _grouped(db: Database, flt: ReportFilter) -> Iterator[tuple[tuple, dict]]:
    """(checklist and station cells, {item: value}) per checklist and contest, in id order."""
    where, params = flt.where("checklist")
    key, cells, figures = None, None, {}
    for row in db.conn.execute(_SQL.format(where=where), params):
        (entry_id, number, name, region, district, smd, team, state, answers,
         contest, item, value) = row
        if (entry_id, contest) != key:
            if key is not None:
                yield cells, figures
            key, figures = (entry_id, contest), {}
            confirmed = "yes" if json.loads(answers).get("figures_confirmed") else None
            cells = (entry_id, number, name, region, district, smd, team, state, confirmed,
                     contest)
        figures[item] = value
    if key is not None:
        yield cells, figures


def protocol_table(db: Database, flt: ReportFilter) -> tuple[Sheet, Iterator[list]]:
    """The sheet and its rows: one per counting checklist × contest, figures by column."""
    sheet = protocol_sheet(db)
    items = sheet.columns[len(_HEADER):]

    def rows() -> Iterator[list]:
        for cells, figures in _grouped(db, flt):
            yield [*cells, *(figures.get(item) for item in items)]
    return sheet, rows()


def protocol_objects(db: Database, flt: ReportFilter) -> Iterator[str]:
    """The same as JSON objects: the header fields and ``figures`` {item: value}."""
    for cells, figures in _grouped(db, flt):
        yield json.dumps({**dict(zip(_HEADER, cells)), "figures": figures},
                         ensure_ascii=False)
