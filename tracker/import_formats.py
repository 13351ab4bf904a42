"""The spreadsheet formats a progress table may be uploaded in, checked before they are read.

A file that is not what it says (a renamed binary, an XLSX that is not a zip, a zip bomb,
an empty file, too many rows) is refused with a clear message before any parser gets
far into it. defusedxml, installed with the project, guards openpyxl's XML parsing.
"""

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from import_export.formats import base_formats

XLSX_MAX_ENTRIES = 1000
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_RATIO = 100


class UploadRefused(ValueError):
    """The upload cannot be read as a progress table; the message says why."""


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
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


def check_xlsx(data: bytes) -> None:
    if not data.strip():
        raise UploadRefused(_("The file is empty."))
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRefused(_("This is not an XLSX file: an XLSX file is a zip archive."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UploadRefused(
            _("This XLSX file is damaged: it is not a valid zip archive.")
        ) from error
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


def check_row_count(dataset) -> None:
    limit = settings.PROGRESS_IMPORT_MAX_ROWS
    if dataset.height > limit:
        raise UploadRefused(
            _("The file has %(rows)d rows; at most %(limit)d can be uploaded at once.")
            % {"rows": dataset.height, "limit": limit}
        )


class CSV(base_formats.CSV):
    """Reads bytes itself, to fall back from UTF-8 to Windows-1252."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = decode_csv(in_stream)
        dataset = base_formats.TablibFormat.create_dataset(self, in_stream, **kwargs)
        check_row_count(dataset)
        return dataset


class XLSX(base_formats.XLSX):
    """The first sheet, read row by row and no further than the row limit allows."""

    def create_dataset(self, in_stream):
        import openpyxl
        import tablib

        check_xlsx(in_stream)
        try:
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged workbook
            raise UploadRefused(_("This XLSX file cannot be read: %s") % error) from error
        limit = settings.PROGRESS_IMPORT_MAX_ROWS
        dataset = tablib.Dataset()
        rows = book.active.iter_rows(values_only=True)
        headers = next(rows, None)
        if not headers:
            raise UploadRefused(_("The file is empty."))
        dataset.headers = [str(h).strip() if h is not None else "" for h in headers]
        for row in rows:
            if all(value is None for value in row):
                continue
            if dataset.height >= limit:
                raise UploadRefused(
                    _("The file has more than %(limit)d rows; upload at most %(limit)d at once.")
                    % {"limit": limit}
                )
            dataset.append(
                list(row)[: len(dataset.headers)] + [None] * (len(dataset.headers) - len(row))
            )
        book.close()
        return dataset


class JSON(base_formats.JSON):
    pass
