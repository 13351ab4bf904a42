"""Evidence files are checked by what they contain, not by what they are called."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Kinds of file accepted, with the name endings that may carry them.
EVIDENCE_KINDS = {
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "docx": (".docx",),
    "xlsx": (".xlsx",),
    "odt": (".odt",),
}
ZIP_MEMBERS_LIMIT = 10_000


def _zip_kind(file) -> str | None:
    """docx, xlsx or odt, from the parts inside the zip (never extracted)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if len(names) > ZIP_MEMBERS_LIMIT:
                return None
            if "mimetype" in names:
                with archive.open("mimetype") as part:  # read a little, never the whole part
                    mimetype = part.read(100).strip()
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return "odt"
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def sniff_kind(file) -> str | None:
    """The kind of file, from its first bytes (and, for zip-based formats, its parts)."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(file)
        file.seek(0)
    return kind


def validate_evidence_file(value) -> None:
    limit = settings.EVIDENCE_MAX_BYTES
    if value.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest evidence file accepted is %(limit)s.")
            % {"size": filesizeformat(value.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    kind = sniff_kind(value)
    if kind is None:
        raise ValidationError(
            _(
                "This file is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or "
                "OpenDocument text (ODT) file."
            ),
            code="wrong_type",
        )
    name = value.name.lower()
    if not name.endswith(EVIDENCE_KINDS[kind]):
        raise ValidationError(
            _("The file's content is %(kind)s but its name ends differently; rename it to %(ext)s.")
            % {"kind": kind.upper(), "ext": EVIDENCE_KINDS[kind][0]},
            code="wrong_extension",
        )
