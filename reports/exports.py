"""Streamed exports (CSV, XLSX, JSON) and a consistent copy of the whole database.

Each export is a generator of byte chunks read from SQLite cursors one row at a
time, so a download of 100,000 checklists needs no more memory than one of ten. The web
views and the ``flask export`` commands both call ``stream``; nothing here
knows about HTTP.
"""

import csv
import io
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from rustpy_xlsxwriter import FastExcel

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
# A text cell starting with one of these is run as a formula by Excel, LibreOffice
# and Google Sheets; any text (free text, but also a station's name, region or
# number from the imported station file) could carry =HYPERLINK(...) or a DDE call.
FORMULA_STARTS = frozenset("=+-@\t\r")
# Excel's limit for text in a cell, in UTF-16 units.
_XLSX_MAX_TEXT = 32767


def safe_cells(row: list) -> list:
    """Every text cell of ``row`` that a spreadsheet would run, neutralised in place.

    The one place the rule is applied: every CSV and XLSX row passes here,
    whatever its columns; JSON is data for programs and keeps text as stored.
    """
    starts = FORMULA_STARTS
    for i, value in enumerate(row):
        # value[:1] of a number fails: test the type first. ("" is not in the set.)
        if isinstance(value, str) and value[:1] in starts:
            row[i] = "'" + str(value)
    return row


def write_csv(sheet: Sheet, rows: Iterable[list]) -> Iterator[bytes]:
    """The header and rows as UTF-8 CSV with a BOM, in chunks of about CHUNK bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(safe_cells(list(sheet.columns)))
    for row in rows:
        writer.writerow(safe_cells(row))
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _fit_text(row: list) -> list:
    """Text longer than Excel takes, cut at 32,767 UTF-16 units, in place (as XlsxWriter does).

    rustpy-xlsxwriter refuses such text (its limit counts code points, Excel's
    UTF-16 units): one long comment must not fail the whole download.
    """
    for i, value in enumerate(row):
        # A text can only be too long when it is over half the limit in code points.
        if value.__class__ is str and len(value) > _XLSX_MAX_TEXT // 2:
            units = value.encode("utf-16-le")
            if len(units) > 2 * _XLSX_MAX_TEXT:
                row[i] = units[:2 * _XLSX_MAX_TEXT].decode("utf-16-le", "ignore")
    return row


def _records(sheet: Sheet, rows: Iterable[list]) -> Iterator[dict]:
    """A sheet's rows as the {column: value} records rustpy-xlsxwriter takes, made safe.

    The first record's keys are the header row; a sheet without rows gets one
    record of blanks, which writes the header alone (a row of blanks is no row).
    """
    keys = safe_cells(list(sheet.columns))
    if len(set(keys)) != len(keys):  # a repeated key would drop a column's cells
        raise ValueError(f"repeated column in sheet {sheet.title}")
    empty = True
    for row in rows:
        empty = False
        yield dict(zip(keys, _fit_text(safe_cells(row))))
    if empty:
        yield dict.fromkeys(keys)


def write_xlsx(sheets: list[tuple[Sheet, Iterable[list]]]) -> Iterator[bytes]:
    """A workbook with a sheet for each (sheet, rows) of ``sheets``, filled in that order.

    rustpy-xlsxwriter (rust_xlsxwriter underneath) writes every sheet in
    constant-memory mode: each row goes to an unnamed temporary file as it is
    read, so memory does not grow with rows. Text is always an inline string
    cell, never a formula, link or number. The workbook is written in a
    temporary folder, streamed, and removed afterwards, even when the export
    fails half-way (a failed save leaves no file).
    """
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = os.path.join(folder, "export.xlsx")
        book = FastExcel(path)
        for sheet, rows in sheets:
            # Excel's limit for sheet names is 31 characters.
            book.sheet(sheet.title[:31], _records(sheet, rows))
        book.save()
        yield from _file_chunks(path)


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


def _produce(db, kind: str, fmt: str, flt: ReportFilter, today: str) -> Iterator[bytes]:
    if kind == "checklists":
        if fmt == "csv":
            return write_csv(*tables.checklist_table(db, flt))
        if fmt == "xlsx":
            return write_xlsx([*tables.checklist_sheets(db, flt),
                               (tables.CODEBOOK, tables.codebook_rows(flt))])
        return write_json(tables.checklist_objects(db, flt))
    if kind == "protocols":
        return _protocols(db, fmt, flt)
    if kind == "incidents":
        if fmt == "json":
            return write_json(tables.incident_objects(db, flt))
        rows = tables.incident_rows(db, flt)
        return write_csv(tables.INCIDENTS, rows) if fmt == "csv" \
            else write_xlsx([(tables.INCIDENTS, rows)])
    if kind == "interactions":
        if fmt == "json":
            return write_json(tables.interaction_objects(db, flt, today))
        rows = tables.interaction_rows(db, flt, today)
        if fmt == "csv":
            return write_csv(tables.MEETINGS, rows)
        # The workbook carries the follow-ups on a second sheet, one row per item.
        return write_xlsx([(tables.MEETINGS, rows),
                           (tables.FOLLOW_UPS, tables.follow_up_rows(db, flt, today))])
    if fmt == "json":
        return write_json(tables.follow_up_objects(db, flt, today))
    rows = tables.follow_up_rows(db, flt, today)
    return write_csv(tables.FOLLOW_UPS, rows) if fmt == "csv" \
        else write_xlsx([(tables.FOLLOW_UPS, rows)])


def _protocols(db, fmt: str, flt: ReportFilter) -> Iterator[bytes]:
    """Observed protocol figures (reports/protocols.py), one row per checklist × contest."""
    if fmt == "json":
        return write_json(protocols.protocol_objects(db, flt))
    sheet, rows = protocols.protocol_table(db, flt)
    return write_csv(sheet, rows) if fmt == "csv" else write_xlsx([(sheet, rows)])


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
