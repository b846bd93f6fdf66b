"""Exports of the results: the official figures held, and the protocol discrepancies.

CSV or XLSX through reports.exports' writers (BOM, formula neutralising,
streaming). Official results are the commission's and are not selected by
the entries' filter; discrepancies are, like the results annex.
"""

from collections.abc import Iterator

from models import discrepancies
from models.db import connect
from reports.export_tables import Sheet
from reports.exports import write_csv, write_xlsx
from reports.filters import ReportFilter

KINDS = ("official-results", "discrepancies")
FORMATS = ("csv", "xlsx")
OFFICIAL = Sheet("Official results", ("level", "unit", "contest", "item", "value", "source",
                                      "imported_utc"))
DISCREPANCIES = Sheet("Discrepancies", ("checklist_id", "station_number", "station_name",
                                        "region", "contest", "item", "observed", "official",
                                        "source"))


def _rows(db, kind: str, flt: ReportFilter) -> Iterator[list]:
    if kind == "official-results":
        for row in db.execute("SELECT level, unit, contest, item, value, source, imported_utc"
                              " FROM official_results ORDER BY source, level, unit, contest,"
                              " id"):
            yield list(row)
        return
    for row in discrepancies.station_discrepancies(db, flt)["rows"]:
        yield [row[name] for name in DISCREPANCIES.columns]


def stream(db_path: str, kind: str, fmt: str, flt: ReportFilter,
           busy_timeout_ms: int = 10000) -> Iterator[bytes]:
    """The export of ``kind`` in ``fmt`` as byte chunks, read in one transaction."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"unknown export {kind}.{fmt}")
    sheet = OFFICIAL if kind == "official-results" else DISCREPANCIES
    db = connect(db_path, busy_timeout_ms)
    try:
        db.conn.execute("BEGIN")
        rows = _rows(db, kind, flt)
        yield from (write_csv(sheet, rows) if fmt == "csv"
                    else write_xlsx([(sheet, rows)]))
    finally:
        db.conn.rollback()
        db.close()
