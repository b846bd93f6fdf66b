"""Streamed exports (CSV, XLSX, JSON) and a consistent copy of the whole database.

Each export is a generator of byte chunks read from one SQLite cursor, so a
download of 100,000 checklists needs no more memory than one of ten. The web
views and the ``flask export`` commands both call ``stream``; nothing here
knows about HTTP.
"""

import csv
import io
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from models.clock import local_today
from models.db import connect
from reports import export_tables as tables
from reports.export_tables import Sheet
from reports.filters import ReportFilter

KINDS = ("checklists", "incidents", "interactions", "follow-ups")
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
# XlsxWriter's defaults turn text starting with "=" into a formula and text
# that looks like a link into a hyperlink: every string is written as a string.
_XLSX_OPTIONS = {"constant_memory": True, "strings_to_formulas": False,
                 "strings_to_urls": False, "strings_to_numbers": False}
# Excel's limit for text in a cell, in UTF-16 units.
_XLSX_MAX_TEXT = 32767
# What XlsxWriter's escaping would change: XML's &, < and >, control characters
# (as _xHHHH_), text that looks like such an escape, and the two non-characters.
_XLSX_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


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


class _StreamedSheet(Worksheet):
    """A constant-memory worksheet that writes a whole row of XML in one go.

    XlsxWriter's cell-by-cell API costs ~5 us a cell (bench/export.py: ~30 s
    for 100,000 checklists of ~55 cells); the rows of an export are plain
    text and numbers, so each row goes straight to the sheet's row file, with
    XlsxWriter's own escaping. XlsxWriter still writes everything else (the
    package, styles, the sheet's dimension). This leans on XlsxWriter 3.x
    internals (fh, table, dim_*, previous_row, the escape helpers), hence the
    pin below 4; tests/test_exports.py checks the cells read back exactly as
    XlsxWriter's own.
    """

    def __init__(self) -> None:
        super().__init__()
        self._letters: list[str] = []  # column letters (A, B, ... AA ...), made as needed
        self._known: dict[str, str] = {}  # short text -> its <is> element

    def append(self, number: int, row: list) -> None:
        """Write ``row`` as row ``number`` (0-based, ascending); text as inline strings."""
        if self.table:  # cells written through the ordinary API come first
            self._write_single_row(number)
        letters, known, line = self._letters, self._known, number + 1
        while len(letters) < len(row):
            letters.append(xl_col_to_name(len(letters)))
        parts = [f'<row r="{line}">']
        # The hot loop of a 100,000-row workbook: text first, it is most cells.
        for column, value in enumerate(row):
            kind = value.__class__
            if kind is str:
                if not value:
                    continue  # a blank cell: nothing to write
                # Codes and labels repeat on every row: their XML is made once.
                text = known.get(value)
                if text is None:
                    text = self._inline(value)
                    if len(value) <= 64 and len(known) < 4096:
                        known[value] = text
                parts.append(f'<c r="{letters[column]}{line}" t="inlineStr">{text}</c>')
            elif value is None:
                continue
            elif kind is int or kind is float:
                parts.append(f'<c r="{letters[column]}{line}"><v>{value:.16G}</v></c>')
            elif kind is bool:
                parts.append(f'<c r="{letters[column]}{line}" t="b"><v>{int(value)}</v></c>')
            elif str(value):
                parts.append(f'<c r="{letters[column]}{line}" t="inlineStr">'
                             f"{self._inline(str(value))}</c>")
        if len(parts) == 1:
            return  # an empty row is no row
        parts.append("</row>")
        self.fh.write("".join(parts))
        # The sheet's <dimension>: every row starts at column A (an entry's id) and the
        # header fills every column, so the widest row gives the last column.
        if self.dim_rowmin is None:
            self.dim_rowmin, self.dim_colmin, self.dim_colmax = number, 0, 0
        self.dim_rowmax = number
        self.dim_colmax = max(len(row) - 1, self.dim_colmax)
        self.previous_row = number + 1

    def _inline(self, text: str) -> str:
        """The <is> element of a string, escaped and truncated the way XlsxWriter does."""
        if len(text) > 16383 and len(text.encode("utf-16-le")) > 2 * _XLSX_MAX_TEXT:
            text = text.encode("utf-16-le")[:2 * _XLSX_MAX_TEXT].decode("utf-16-le", "ignore")
        if _XLSX_ESCAPE.search(text):
            text = self._escape_data(self._escape_control_characters(text))
        if text[0].isspace() or text[-1].isspace():
            return f'<is><t xml:space="preserve">{text}</t></is>'
        return f"<is><t>{text}</t></is>"


def write_xlsx(sheets: list[Sheet], rows: Iterable[tuple[int, list]]) -> Iterator[bytes]:
    """A workbook with one sheet per ``sheets``; ``rows`` are (sheet index, row).

    XlsxWriter in constant-memory mode keeps no row in memory: each is written
    to the sheet's file on disk as it comes; the finished file is then streamed.
    All of it happens in a temporary folder that is removed afterwards, even
    when the export fails half-way (XlsxWriter's row files are removed only by
    a finished workbook).
    """
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = os.path.join(folder, "export.xlsx")
        workbook = Workbook(path, {**_XLSX_OPTIONS, "tmpdir": folder})
        targets, next_row = [], []
        for sheet in sheets:
            # Excel's limit for sheet names is 31 characters.
            target = workbook.add_worksheet(sheet.title[:31], _StreamedSheet)
            target.append(0, safe_cells(list(sheet.columns)))
            targets.append(target)
            next_row.append(1)
        for index, row in rows:
            targets[index].append(next_row[index], safe_cells(row))
            next_row[index] += 1
        workbook.close()
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
