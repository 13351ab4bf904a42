"""Reports as the network publishes them (PDF) and drafts them (Word), read into the plain
text that ``consultations.report_parser`` reads, with where each line came from."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.report_parser import ReportError, decode_report


@dataclass(frozen=True)
class ExtractedText:
    """A document's report as text, one line per line of ``text``; ``places[i]`` says in
    words where line i + 1 came from ("page 3", "paragraph 12"), for messages;
    ``warnings`` name what the reading may have got wrong, for staff to check."""

    text: str
    places: tuple[str, ...]
    warnings: tuple[str, ...] = ()


class DocumentError(ReportError):
    """A document that cannot be read, naming the place in it ("page 3: …")."""

    def __init__(self, place: str, message: str):
        super().__init__(0, message, where=place)
        self.place = place


# What a file that is none of the formats read here is, by how it starts.
_OTHER_FORMATS = [
    (b"{\\rtf", gettext_lazy("an RTF document")),
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"II*\x00", gettext_lazy("a TIFF image")),
    (b"MM\x00*", gettext_lazy("a TIFF image")),
]
_HTML = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html[\s>]|\?xml)", re.I)


def _other_format(data: bytes):
    for signature, name in _OTHER_FORMATS:
        if data.startswith(signature):
            return name
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return gettext_lazy("a WebP image")
    if _HTML.match(data[:1024]):
        return gettext_lazy("a web page (HTML) or an XML file")
    return None


def read_report(data: bytes) -> ExtractedText:
    """The report in a file, as text: a PDF, a Word document or a plain-text file, told
    apart by their first bytes. Other formats are refused, naming the format."""
    if name := _other_format(data):
        raise DocumentError(
            _("the whole file"),
            _("this is %(format)s; a report must be a PDF, a Word document (.docx) or plain text")
            % {"format": name},
        )
    if data.startswith(b"%PDF"):
        from consultations.documents.pdf import pdf_text

        return pdf_text(data)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        from consultations.documents.word import docx_text

        return docx_text(data)
    text = decode_report(data)
    return ExtractedText(text, ())


def locator(document: ExtractedText):
    """What names a line of a document's text in messages: its place in the document; none
    for a plain-text file, whose messages name the line itself."""
    if not document.places:
        return None
    places = document.places
    return lambda line: places[line - 1] if 0 < line <= len(places) else places[-1]
