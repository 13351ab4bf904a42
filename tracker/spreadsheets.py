"""How the progress table is written to, and read back from, CSV, XLSX and JSON.

Round trips are exact: exporting a table and importing it unchanged changes nothing, and
an edited cell is stored as written, whatever it starts with.

- CSV cannot tell text from a formula, so text that a spreadsheet would run (starting with
  = + - @, a tab or a carriage return) is written with a leading apostrophe, as is text
  that already starts with one; reading takes exactly that apostrophe off (`guard` and
  `unguard`, inverse of each other).
- XLSX writes text as text cells, which no spreadsheet runs: no apostrophe is added.
- JSON carries the values as they are.

Uploads are checked before they are read, and read no further than the limits allow: a
file that is not what it says, an empty one, one with more rows than
PROGRESS_IMPORT_MAX_ROWS (every row counts, empty or not) or more columns than
MAX_COLUMNS is refused with a message that says why. A workbook's declared size is
checked before any row is read. defusedxml, installed with the project, guards
openpyxl's XML parsing.
"""

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator

import tablib
import xlsxwriter
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, range_boundaries

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The progress table has 17 columns; people may add a few of their own.
MAX_COLUMNS = 30
# A cell longer than this is not a progress table's (csv's own limit is 131,072).
MAX_CELL_CHARACTERS = 100_000
XLSX_MAX_ENTRIES = 1000
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_TAGS = 600_000
XLSX_UNSIZED_TAGS = 150_000
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([A-Z0-9:]+)"')
# A cell that is not empty (not written <c .../>): the letters of its column.
FILLED_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})[0-9]+"[^>]*(?<!/)>')
# A cell of more text than this wraps, and no column is wider.
WRAP_OVER = 60
# Excel keeps at most 65,530 links a sheet; past that, addresses are plain text.
XLSX_MAX_LINKS = 65_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What XML 1.0 does not allow in a cell (tab, line feed and carriage return are fine).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Link(str):
    """A web address: a link in XLSX, text in CSV and JSON."""


class UploadRefused(ValueError):
    """The upload cannot be read as a progress table; the message says why."""


# --- the formula guard of CSV files -------------------------------------------------------


def guard(value):
    """Text a spreadsheet would run as a formula, or that starts with an apostrophe, gets
    a leading apostrophe; other values pass as they are."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")):
        return "'" + value
    return value


def unguard(value):
    """Exactly what `guard` added, taken off; other values pass as they are."""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith((*FORMULA_STARTS, "'")):
        return value[1:]
    return value


# --- writing --------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 text with a byte-order mark (so that spreadsheet programs read the accents
    right), in chunks of a few hundred rows; every cell guarded. None is an empty cell, a
    date is written as 2024-05-01 and yes/no as TRUE/FALSE."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield from _batched(writer.writerow([_csv_cell(value) for value in row]) for row in rows)


def _csv_cell(value):
    """Yes/no as spreadsheet programs write it in CSV (TRUE, FALSE); text guarded."""
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    return guard(value)


def json_chunks(rows: Iterable[list]) -> Iterator[str]:
    """A JSON array of objects keyed by the column headers; dates as ISO strings."""
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    iterator = iter(rows)
    headers = [str(h) for h in next(iterator)]

    def records() -> Iterator[str]:
        for index, row in enumerate(iterator):
            record = {
                h: (v.isoformat() if isinstance(v, dt.date) else v)
                for h, v in zip(headers, row, strict=True)
            }
            yield ("," if index else "") + "\n" + encode(record)

    yield "["
    yield from _batched(records())
    yield "\n]\n"


def workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    """Rows written as they come (constant memory); text is never read as a formula or link."""
    return xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def xlsx_bytes(rows: Iterable[list], *, title: str, about: list | None = None) -> bytes:
    """A sheet with a bold, frozen header row and an autofilter; dates, numbers and yes/no
    stay typed, text is text (long text wraps), web addresses are links, and each column
    is as wide as its content (up to a limit). `about`: (label, value) rows of an "About
    this file" sheet."""
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "valign": "top", "bottom": 1})
    day = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    top = book.add_format({"valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    link = book.add_format({"font_color": "#00558C", "underline": 1, "valign": "top"})
    iterator = iter(rows)
    headers = [text_cell(h) for h in next(iterator)]
    widths = [len(h) for h in headers]
    sheet.freeze_panes(1, 0)
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
    links_left = XLSX_MAX_LINKS
    number = 0
    for number, row in enumerate(iterator, start=1):
        for column, value in enumerate(row):
            kind = type(value)
            if value is None or value == "":
                continue
            if kind is bool:
                sheet.write_boolean(number, column, value, top)
                width = 5
            elif kind is int or kind is float:
                sheet.write_number(number, column, value, top)
                width = len(str(value))
            elif kind is dt.date:
                sheet.write_datetime(number, column, value, day)
                width = 10
            elif kind is Link and links_left:
                sheet.write_url(number, column, value, link, string=value)
                links_left -= 1
                width = len(value)
            else:
                text = text_cell(value)
                long = len(text) > WRAP_OVER or "\n" in text
                sheet.write_string(number, column, text, wrap if long else top)
                width = max(map(len, text.split("\n"))) if long else len(text)
            if width > widths[column]:
                widths[column] = width
    for column, width in enumerate(widths):
        sheet.set_column(column, column, min(width, WRAP_OVER) + 2)
    sheet.autofilter(0, 0, number, len(headers) - 1)
    if about:
        about_sheet(book, about)
    book.close()
    return buffer.getvalue()


def about_sheet(book: xlsxwriter.Workbook, rows: list) -> None:
    """An "About this file" sheet of (label, value) rows; a row whose value is None is a
    heading (see tracker.exports.about)."""
    heading = book.add_format({"bold": True, "valign": "top"})
    top = book.add_format({"valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(str(_("About this file"))[:31])
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 90)
    for index, (label, value) in enumerate(rows):
        sheet.write_string(index, 0, text_cell(label), heading if value is None else top)
        if value is not None:
            sheet.write_string(index, 1, text_cell(value), wrap)


def text_cell(value) -> str:
    """Text as an XLSX cell holds it. Control characters (Word's manual line break is \\x0b)
    are not allowed; a carriage return would be written as "_x000D_", which only Excel
    reads back."""
    text = CONTROL_CHARACTERS.sub("", str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _batched(pieces: Iterable[str], size: int = 500) -> Iterator[str]:
    """Join lines into chunks: one write to the client per few hundred rows, not per row."""
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) == size:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


# --- reading --------------------------------------------------------------------------------


def read_csv(data: bytes) -> tablib.Dataset:
    """UTF-8 (with or without BOM), else Windows-1252; the formula guard taken off."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _dataset([unguard(cell) for cell in row] for row in reader)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise _cell_too_long() from error
        raise UploadRefused(
            _("This CSV file cannot be read (%(problem)s). Save it again as CSV and upload it.")
            % {"problem": error}
        ) from error


def read_xlsx(data: bytes) -> tablib.Dataset:
    """The first sheet. Its declared size is checked first; then rows are read no further
    than the row limit (counting empty rows) and no wider than MAX_COLUMNS."""
    import openpyxl
    from openpyxl.utils.escape import unescape

    _check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise UploadRefused(_("This XLSX file cannot be read: %s") % error) from error
    try:
        sheet = book.active
        limit = settings.PROGRESS_IMPORT_MAX_ROWS
        if (sheet.max_row or 0) > limit + 1 or (sheet.max_column or 0) > MAX_COLUMNS:
            raise UploadRefused(
                _(
                    "The sheet says it is %(rows)s rows by %(columns)s columns; a progress "
                    "table has at most %(limit)s rows below its header and %(most)s columns. "
                    "Copy the table alone into a new workbook and upload that."
                )
                % {
                    "rows": f"{sheet.max_row:,}",
                    "columns": f"{sheet.max_column:,}",
                    "limit": f"{limit:,}",
                    "most": MAX_COLUMNS,
                }
            )
        rows = sheet.iter_rows(
            min_row=1, max_row=limit + 2, max_col=MAX_COLUMNS + 1, values_only=True
        )
        # Text as written: OOXML writes "_" before "x0020_" as "_x005F_", say.
        return _dataset([unescape(v) if isinstance(v, str) else v for v in row] for row in rows)
    finally:
        book.close()


def _dataset(rows: Iterable) -> tablib.Dataset:
    """The header and the rows below it, each as wide as the header. Every row counts
    toward the limit, empty or not; empty rows are then left out."""
    limit = settings.PROGRESS_IMPORT_MAX_ROWS
    iterator = iter(rows)
    headers = next(iterator, None)
    if not headers or all(_blank(cell) for cell in headers):
        raise UploadRefused(_("The file is empty."))
    headers = _within_width(list(headers))
    while headers and _blank(headers[-1]):
        headers.pop()
    width = len(headers)
    dataset = tablib.Dataset()
    dataset.headers = [str(h).strip() if h is not None else "" for h in headers]
    for count, row in enumerate(iterator, start=1):
        if count > limit:
            raise UploadRefused(
                _(
                    "The file has more than %(limit)s rows below its header (empty rows "
                    "count too); upload at most %(limit)s at once."
                )
                % {"limit": f"{limit:,}"}
            )
        row = _within_width(list(row))
        if all(_blank(cell) for cell in row):
            continue
        dataset.append((row + [None] * width)[:width])
    return dataset


def _within_width(row: list) -> list:
    if len(row) > MAX_COLUMNS and any(not _blank(cell) for cell in row[MAX_COLUMNS:]):
        raise _too_wide()
    for cell in row:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS:
            raise _cell_too_long()
    return row[:MAX_COLUMNS]


def _cell_too_long() -> UploadRefused:
    return UploadRefused(
        _("A cell of this file holds more than %(most)s characters.")
        % {"most": f"{MAX_CELL_CHARACTERS:,}"}
    )


def _too_wide() -> UploadRefused:
    return UploadRefused(
        _(
            "The file has more than %(most)s columns; a progress table has 17. Upload "
            "the table as it was downloaded, with your changes."
        )
        % {"most": MAX_COLUMNS}
    )


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _decode(data: bytes) -> str:
    if not data.strip():
        raise UploadRefused(_("The file is empty."))
    if b"\x00" in data[:8192] or data.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise UploadRefused(_("This is not a CSV file: it holds binary data."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise UploadRefused(
                _("The CSV file is neither UTF-8 nor Windows-1252 text.")
            ) from error


def _check_zip(data: bytes) -> None:
    """A zip archive that is an Excel workbook and unpacks to a sane size."""
    if not data.strip():
        raise UploadRefused(_("The file is empty."))
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRefused(_("This is not an XLSX file: an XLSX file is a zip archive."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise UploadRefused(
            _("This XLSX file is damaged: it is not a valid zip archive.")
        ) from error
    with archive:
        _check_parts(archive)


def _check_parts(archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    if len(entries) > XLSX_MAX_ENTRIES:
        raise UploadRefused(_("This XLSX file holds too many parts to be a progress table."))
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if unpacked > XLSX_MAX_UNCOMPRESSED or unpacked / packed > XLSX_MAX_RATIO:
        raise UploadRefused(
            _("This XLSX file unpacks to far more than it holds; it is refused as unsafe.")
        )
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise UploadRefused(_("This zip archive is not an Excel workbook."))
    _check_markup(archive, entries)


def _check_markup(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """What openpyxl would parse, bounded before it starts: the XML tags of the whole
    workbook (a 5,000-row progress table has about 400,000); the size of any sheet that
    does not declare its dimension (openpyxl reads such a sheet through once just to size
    it); and no value further right than MAX_COLUMNS, whatever size a sheet declares (a
    sheet that declares more is refused for that, when it is read)."""
    total = 0
    for entry in entries:
        if not entry.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(entry) as part:
            head = part.read(65536)
            declared = DIMENSION.search(head)
            sheet = entry.filename.startswith("xl/worksheets/")
            scan = sheet and not _declared_too_big(declared)
            tags, tail = 0, b""
            for chunk in _chunks(head, part):
                tags += chunk.count(b"<")
                if scan:
                    # The end of the chunk before is searched again, for a cell cut
                    # in two.
                    _check_columns(tail + chunk)
                    tail = chunk[-256:]
        total += tags
        if total > XLSX_MAX_TAGS:
            raise UploadRefused(
                _(
                    "This workbook holds far more than a progress table of %(limit)s rows; "
                    "upload the table alone."
                )
                % {"limit": f"{settings.PROGRESS_IMPORT_MAX_ROWS:,}"}
            )
        if sheet and tags > XLSX_UNSIZED_TAGS and not declared:
            raise UploadRefused(
                _(
                    "This workbook does not say how large its sheet is, and the sheet is "
                    "large. Open it in a spreadsheet program, save it again as Excel "
                    "(XLSX) and upload that."
                )
            )


def _chunks(head: bytes, part) -> Iterator[bytes]:
    yield head
    yield from iter(lambda: part.read(1 << 20), b"")


def _declared_too_big(declared: re.Match | None) -> bool:
    if declared is None:
        return False
    _, _, columns, rows = range_boundaries(declared.group(1).decode())
    return (rows or 0) > settings.PROGRESS_IMPORT_MAX_ROWS + 1 or (columns or 0) > MAX_COLUMNS


def _check_columns(markup: bytes) -> None:
    """No cell with a value (not written <c .../>) further right than MAX_COLUMNS."""
    for letters in FILLED_CELL.findall(markup):
        if len(letters) > 1 and column_index_from_string(letters.decode()) > MAX_COLUMNS:
            raise _too_wide()
