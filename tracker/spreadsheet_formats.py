"""The formats of the admin's import and export pages (django-import-export), written and
read by tracker.spreadsheets: the same rules as the public downloads, exact round trips
and uploads checked before they are read."""

from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats

from tracker import spreadsheets


class CSV(base_formats.CSV):
    def get_title(self):
        return _("CSV")

    def is_binary(self):
        return True  # read as bytes, to fall back from UTF-8 to Windows-1252

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return spreadsheets.read_csv(in_stream)

    def export_data(self, dataset, **kwargs):
        return "".join(spreadsheets.csv_lines([dataset.headers, *dataset]))


class XLSX(base_formats.XLSX):
    def get_title(self):
        return _("Excel (XLSX)")

    def create_dataset(self, in_stream):
        return spreadsheets.read_xlsx(in_stream)

    def export_data(self, dataset, **kwargs):
        return spreadsheets.xlsx_bytes([dataset.headers, *dataset], title=str(_("Progress")))


class JSON(base_formats.JSON):
    def get_title(self):
        return _("JSON")

    def can_import(self):
        return False

    def export_data(self, dataset, **kwargs):
        return "".join(spreadsheets.json_chunks([dataset.headers, *dataset]))
