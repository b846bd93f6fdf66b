"""Streamed exports (CSV, XLSX, JSON) and a consistent copy of the whole database.

Each export is a generator of byte chunks read from one SQLite cursor, so a
download of 100,000 checklists needs no more memory than one of ten. The web
views and the ``flask export`` commands both call ``stream``; nothing here
knows about HTTP.
"""

import csv
import io
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from openpyxl import Workbook

from models.clock import local_today
from models.db import connect
from reports import export_tables as tables
from reports import protocols
from reports.export_tables import Sheet
from reports.filters import ReportFilter

KINDS = ("checklists", "incidents", "interactions", "follow-ups", "protocols")
FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "json": "application/json", "sqlite": "application/vnd.sqlite3"}
CHUNK = 64 * 1024
# Excel opens a CSV as the local ANSI code page unless it starts with a BOM:
# without it every Cyrillic and Kazakh letter comes out garbled.
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by Excel, LibreOffice
# and Google Sheets; observers' free text could carry =HYPERLINK(...) or a DDE call.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Free text a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _neutraliser(sheet: Sheet) -> Callable[[list], list]:
    """A function that neutralises the sheet's free-text cells of a row in place."""
    columns = [i for i, name in enumerate(sheet.columns) if name in sheet.free_text]

    def clean(row: list) -> list:
        for i in columns:
            value = row[i]
            # Most cells are empty: test that first, it is the hot path.
            if value and value.__class__ is str and value.startswith(FORMULA_STARTS):
                row[i] = "'" + value
        return row
    return clean


def write_csv(sheet: Sheet, rows: Iterable[list]) -> Iterator[bytes]:
    """The header and rows as UTF-8 CSV with a BOM, in chunks of about CHUNK bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(sheet.columns)
    clean = _neutraliser(sheet)
    for row in rows:
        writer.writerow(clean(row))
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(sheets: list[Sheet], rows: Iterable[tuple[int, list]]) -> Iterator[bytes]:
    """A workbook with one sheet per ``sheets``; ``rows`` are (sheet index, row).

    openpyxl's write-only mode writes rows to disk as they come; the finished
    file is then streamed from a temporary file that is removed afterwards.
    """
    workbook = Workbook(write_only=True)
    targets = []
    for sheet in sheets:
        target = workbook.create_sheet(sheet.title[:31])  # Excel's limit for sheet names
        target.append(list(sheet.columns))
        targets.append((target, _neutraliser(sheet)))
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-")
    os.close(handle)
    try:
        for index, row in rows:
            target, clean = targets[index]
            target.append(clean(row))
        workbook.save(path)
        yield from _file_chunks(path)
    finally:
        os.unlink(path)


def write_json(objects: Iterable[str]) -> Iterator[bytes]:
    """A JSON array of already-encoded objects, one per line, in chunks."""
    parts, size, first = ["["], 1, True
    for text in objects:
        parts.append(("\n" if first else ",\n") + text)
        size += len(text) + 2
        first = False
        if size >= CHUNK:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


def _file_chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _tagged(index: int, rows: Iterable[list]) -> Iterator[tuple[int, list]]:
    for row in rows:
        yield index, row


def _produce(db, kind: str, fmt: str, flt: ReportFilter, today: str) -> Iterator[bytes]:
    if kind == "checklists":
        if fmt == "csv":
            return write_csv(*tables.checklist_table(db, flt))
        if fmt == "xlsx":
            sheets, rows = tables.checklist_sheets(db, flt)
            codebook = _tagged(len(sheets), tables.codebook_rows(flt))
            return write_xlsx([*sheets, tables.CODEBOOK], _chain(rows, codebook))
        return write_json(tables.checklist_objects(db, flt))
    if kind == "protocols":
        return _protocols(db, fmt, flt)
    if kind == "incidents":
        if fmt == "json":
            return write_json(tables.incident_objects(db, flt))
        rows = tables.incident_rows(db, flt)
        return write_csv(tables.INCIDENTS, rows) if fmt == "csv" \
            else write_xlsx([tables.INCIDENTS], _tagged(0, rows))
    if kind == "interactions":
        if fmt == "json":
            return write_json(tables.interaction_objects(db, flt, today))
        rows = tables.interaction_rows(db, flt, today)
        if fmt == "csv":
            return write_csv(tables.MEETINGS, rows)
        # The workbook carries the follow-ups on a second sheet, one row per item.
        items = _tagged(1, tables.follow_up_rows(db, flt, today))
        return write_xlsx([tables.MEETINGS, tables.FOLLOW_UPS],
                          _chain(_tagged(0, rows), items))
    if fmt == "json":
        return write_json(tables.follow_up_objects(db, flt, today))
    rows = tables.follow_up_rows(db, flt, today)
    return write_csv(tables.FOLLOW_UPS, rows) if fmt == "csv" \
        else write_xlsx([tables.FOLLOW_UPS], _tagged(0, rows))


def _protocols(db, fmt: str, flt: ReportFilter) -> Iterator[bytes]:
    """Observed protocol figures (reports/protocols.py), one row per checklist × contest."""
    if fmt == "json":
        return write_json(protocols.protocol_objects(db, flt))
    sheet, rows = protocols.protocol_table(db, flt)
    return write_csv(sheet, rows) if fmt == "csv" else write_xlsx([sheet], _tagged(0, rows))


def _chain(*iterables: Iterable) -> Iterator:
    for iterable in iterables:
        yield from iterable


def stream(db_path: str, kind: str, fmt: str, flt: ReportFilter,
           busy_timeout_ms: int = 10000) -> Iterator[bytes]:
    """The export of ``kind`` in ``fmt`` as byte chunks, read on its own connection.

    One read transaction covers the whole file (WAL: writers carry on), so a
    workbook's sheets agree with each other even while observers file.
    """
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"unknown export {kind}.{fmt}")
    today = local_today(flt.zone).isoformat()
    db = connect(db_path, busy_timeout_ms)
    try:
        db.conn.execute("BEGIN")
        yield from _produce(db, kind, fmt, flt, today)
    finally:
        db.conn.rollback()
        db.close()


def file_name(kind: str, fmt: str, now: datetime) -> str:
    """A download's name, e.g. checklists-20230319-2215.csv (mission-local time)."""
    return f"{kind}-{now.strftime('%Y%m%d-%H%M')}.{fmt}"


# ---------------------------------------------------------------- database copy

def copy_database(source_path: str, target_path: str, busy_timeout_ms: int = 10000) -> None:
    """Copy the live database with SQLite's online backup into a single self-contained file.

    The backup runs as one step: it reads one snapshot (in WAL mode writers
    carry on meanwhile) and never restarts because of them. The copy uses a
    rollback journal, so it is one file Datasette or DB Browser opens as is, and
    users' password hashes are blanked: an analyst needs none, and a copy that
    travels by e-mail must not allow guessing passwords offline.
    """
    source = sqlite3.connect(source_path, timeout=busy_timeout_ms / 1000)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        # Overwrite the old hashes on disk too, not only unlink them.
        target.execute("PRAGMA secure_delete = ON")
        target.execute("UPDATE users SET password_hash = ''")
        target.commit()
    finally:
        target.close()
        source.close()


def database_chunks(source_path: str, busy_timeout_ms: int = 10000) -> Iterator[bytes]:
    """The database copy as byte chunks, from a temporary file removed afterwards."""
    handle, path = tempfile.mkstemp(suffix=".sqlite", prefix="export-")
    os.close(handle)
    try:
        copy_database(source_path, path, busy_timeout_ms)
        yield from _file_chunks(path)
    finally:
        for leftover in (path, path + "-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
