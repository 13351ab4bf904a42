"""Reports drafted in Word (.docx), read into the plain text ``parse_report`` reads.

``docx_text`` writes the document's body as the lines of a text report:

* the title block (the paragraphs before the first heading or numbered paragraph) line
  by line, as typed, a line break inside a paragraph starting a new line;
* a paragraph with Word's automatic numbering gets the number Word shows ("31. …",
  "IV. …", "A. …", "iii. …", see ``numbering``); numbers typed in the text stay as they
  are; a deeper level, or a numbered list other than the one that numbers the report's
  paragraphs, is written indented, as an item of the paragraph above; a bulleted
  paragraph is written "- …";
* a paragraph in a heading style (Heading 1–3, Title, or an outline level) is written
  with its number ("IV. Background"), or, with none, marked with its level as
  "# Background" / "## …" / "### …"; a heading typed as text ("AGENDA") stays as it is;
* bold and italic words of the body are written **bold** and *italic*;
* the agenda table (after an AGENDA heading, or a table whose first column holds times
  like "09.00 – 09.05") row by row as "time<TAB>cell", a cell of several paragraphs as
  "<p>…</p> <p>…</p>" with its list paragraphs as "<ul> • … • …</ul>"; other tables in
  the body row by row as "- cell | cell", items of the paragraph above them.

Text boxes, shapes, headers, footers, footnotes, comments, deleted tracked changes and
hidden text are not read. Files that are not Word documents, password-protected ones,
and archives made to unpack into far more than they hold are refused with
``DocumentError``.
"""

import html
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator

import docx
from django.utils.translation import gettext as _
from docx.opc.constants import RELATIONSHIP_TYPE
from lxml import etree

from consultations.documents import DocumentError, ExtractedText
from consultations.documents.numbering import (
    NAMESPACES,
    Label,
    Numbering,
    Styles,
    w,
    whole_number,
)
from consultations.report_parser import find_date, parse_time_range, roman_value, section_kind

MAX_UNPACKED = 100 * 1024 * 1024  # bytes all the parts of a document may unpack to
MAX_RATIO = 200  # how much larger than it is stored a part may unpack to …
RATIO_FROM = 1024 * 1024  # … when it unpacks to more than this
MAX_PARTS = 5000
MAX_PARAGRAPHS = 20_000
_CHUNK = 64 * 1024
_OLE = b"\xd0\xcf\x11\xe0"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

_WRAPPERS = {w("sdt"), w("sdtContent"), w("customXml")}
_RUN_CONTAINERS = _WRAPPERS | {
    w(tag) for tag in ("hyperlink", "ins", "moveTo", "smartTag", "fldSimple", "dir", "bdo")
}
_OFF = {"0", "false", "off", "none"}
_HEADING_STYLE = re.compile(r"heading\s*([1-9])", re.I)
_HEADING_FORMATS = {"upperRoman", "lowerRoman", "upperLetter"}
_NUMBERED_START = re.compile(r"(?:\d{1,4}[.)]|[A-Z]{1,6}\.|[ivxlc]{1,6}\.|#{1,3})\s+\S")
_CLOCK = re.compile(r"\d{1,2}[:.h]\d{2}")
_TYPED_LABEL = re.compile(r"([A-Za-z]{1,6})\.\s+\S")
_TYPED_BULLET = re.compile(r"[\u2022\u25aa\u25e6\u2013*-]\s+")
_QUOTES = "\"'\u201c\u201d\u2018\u2019 "
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _whole_file(message: str) -> DocumentError:
    return DocumentError(_("the whole file"), message)


def docx_text(data: bytes) -> ExtractedText:
    """The report inside a Word document, as the text ``parse_report`` reads, with where in
    the document each line came from; raises DocumentError for a file it cannot read."""
    document = _open(data)
    return _Reader(document).read()


# --- the file -------------------------------------------------------------------------


def _open(data: bytes):
    """The python-docx document in data, once it is known to be a sound Word document."""
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            raise _whole_file(
                _("this Word document is password-protected; save it as a .docx without a password")
            )
        raise _whole_file(
            _(
                "this Word document is password-protected (or in the old .doc format); "
                "save it as an unprotected .docx"
            )
        )
    if data.startswith(b"%PDF"):
        raise _whole_file(_("this is a PDF document, not a Word document"))
    if data[:1024].lstrip().startswith(b"{\\rtf"):
        raise _whole_file(_("this is an RTF document, not a Word document; save it as .docx"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise _whole_file(_("this is not a Word document")) from error
    with archive:
        _check_kind(archive, infos)
        _check_sizes(infos)
        parts = _read_parts(archive, infos)
    types = parts.get("[Content_Types].xml", b"")
    if b"document.main+xml" not in types and (
        b"macroEnabled.main+xml" in types or b"template.main+xml" in types
    ):
        raise _whole_file(
            _(
                "this is a Word template or a document with macros (.dotx, .docm); "
                "save it as an ordinary .docx document"
            )
        )
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as rebuilt:
        for name, content in parts.items():
            rebuilt.writestr(name, content)
    stored.seek(0)
    try:
        return docx.Document(stored)
    except Exception as error:  # a damaged package fails in many ways inside python-docx
        raise _whole_file(
            _(
                "this Word document is damaged and cannot be read; open it in Word and "
                "save it again as .docx"
            )
        ) from error


def _check_kind(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    names = {info.filename for info in infos}
    if "word/document.xml" in names:
        if any(info.flag_bits & 0x1 for info in infos):
            raise _whole_file(
                _("this Word document is password-protected; save it without a password")
            )
        return
    if "xl/workbook.xml" in names:
        raise _whole_file(_("this is an Excel workbook, not a Word document"))
    if "ppt/presentation.xml" in names:
        raise _whole_file(_("this is a PowerPoint presentation, not a Word document"))
    if "mimetype" in names:
        try:
            with archive.open("mimetype") as stream:
                mimetype = stream.read(200)
        except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError):
            mimetype = b""
        if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
            raise _whole_file(
                _("this is an OpenDocument text (.odt), not a Word document; save it as .docx")
            )
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            raise _whole_file(_("this is an OpenDocument file, not a Word document"))
    raise _whole_file(_("this is not a Word document"))


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse, before unpacking anything, an archive made to unpack into far more than it
    holds."""
    if len(infos) > MAX_PARTS:
        raise _whole_file(
            _("the Word document is made of %(count)s parts, far more than a document has")
            % {"count": len(infos)}
        )
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise _whole_file(
            _(
                "the Word document would unpack to more than %(limit)s MB, far more than a "
                "report needs; it may be damaged or made to overload the system"
            )
            % {"limit": MAX_UNPACKED // (1024 * 1024)}
        )
    for info in infos:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _whole_file(
                _(
                    "a part of the Word document (%(part)s) would unpack to %(ratio)s times "
                    "its size, which no ordinary document does; it may be made to "
                    "overload the system"
                )
                % {"part": info.filename, "ratio": info.file_size // max(info.compress_size, 1)}
            )


def _read_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Every part, read in chunks that stop at the size the archive declares for it."""
    parts: dict[str, bytes] = {}
    total = 0
    try:
        for info in infos:
            if info.is_dir():
                continue
            chunks, size = [], 0
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > info.file_size or total > MAX_UNPACKED:
                        raise _whole_file(
                            _(
                                "the Word document unpacks to more than it declares; it "
                                "is damaged or made to overload the system"
                            )
                        )
                    chunks.append(chunk)
            parts[info.filename] = b"".join(chunks)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
        raise _whole_file(
            _("this Word document is damaged; open it in Word and save it again as .docx")
        ) from error
    except RuntimeError as error:  # a part encrypted with a zip password
        raise _whole_file(
            _("this Word document is password-protected; save it without a password")
        ) from error
    return parts


# --- the XML --------------------------------------------------------------------------


def _flat(parent: etree._Element) -> Iterator[etree._Element]:
    """The children of parent, content controls and custom XML unwrapped."""
    for child in parent:
        if child.tag in _WRAPPERS:
            yield from _flat(child)
        else:
            yield child


def _runs(parent: etree._Element) -> Iterator[etree._Element]:
    """The runs of a paragraph shown in the text (not deleted ones, not in text boxes)."""
    for child in parent:
        if child.tag == w("r"):
            yield child
        elif child.tag in _RUN_CONTAINERS:
            yield from _runs(child)


def _run_text(run: etree._Element) -> str:
    text = []
    for child in run:
        if child.tag == w("t"):
            text.append(child.text or "")
        elif child.tag in (w("tab"), w("ptab")):
            text.append("\t")
        elif child.tag in (w("br"), w("cr")):
            text.append("\n")
        elif child.tag == w("noBreakHyphen"):
            text.append("-")
    return "".join(text)


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def _marked(segments: list[tuple[str, bool, bool]]) -> str:
    """Runs as text with bold as **…** and italic as *…*, neighbours of the same kind
    merged, and the marks inside any spaces around the words."""
    merged: list[list] = []
    for text, bold, italic in segments:
        if merged and not text.strip():
            bold, italic = merged[-1][1], merged[-1][2]  # spaces join their neighbours
        if merged and (merged[-1][1], merged[-1][2]) == (bold, italic):
            merged[-1][0] += text
        else:
            merged.append([text, bold, italic])
    written = []
    for text, bold, italic in merged:
        mark = ("**" if bold else "") + ("*" if italic else "")
        words = text.strip()
        if not mark or not words:
            written.append(text)
            continue
        before = text[: len(text) - len(text.lstrip())]
        after = text[len(text.rstrip()) :]
        written.append(f"{before}{mark}{words}{mark}{after}")
    return "".join(written)


def _body_text(segments: list[tuple[str, bool, bool]]) -> str:
    """A body paragraph's text with its emphasis marked, except where marks would hide
    what the text report reads: a paragraph bold (or italic) throughout is a heading's
    look, not emphasis, and a number typed at its start stays outside the marks."""
    words = [segment for segment in segments if segment[0].strip()]
    all_bold = bool(words) and all(bold for _text, bold, _italic in words)
    all_italic = bool(words) and all(italic for _text, _bold, italic in words)
    segments = [
        (text, bold and not all_bold, italic and not all_italic) for text, bold, italic in segments
    ]
    plain = "".join(text for text, _bold, _italic in segments)
    typed = _NUMBERED_START.match(plain)
    prefix = plain[: typed.end() - 1] if typed else ""
    rest, skip = [], len(prefix)
    for text, bold, italic in segments:
        cut = min(skip, len(text))
        skip -= cut
        if text[cut:]:
            rest.append((text[cut:], bold, italic))
    return prefix + _marked(rest)


def _is_heading_label(label: str) -> bool:
    """Whether "IV", "A" or "iii" (before a dot) reads as a heading's number."""
    return bool(re.fullmatch(r"[A-Z]", label)) or (
        label in (label.upper(), label.lower()) and roman_value(label) is not None
    )


def _heading_line(label: str, title: str, level: int) -> str:
    """A heading as the text report writes it: "IV. Background" when it has a number
    that reads as a heading's (Word's "(A)" or "IV)" written "A." and "IV."), else marked
    with its level, "## Opening remarks"."""
    number = label.strip("().:] \t")
    if _is_heading_label(number):
        return f"{number}. {title}"
    full = f"{label} {title}" if label else title
    if (match := _TYPED_LABEL.match(full)) and _is_heading_label(match.group(1)):
        return full
    return f"{'#' * min(level, 3)} {full}"


def _outline_level(outline: etree._Element | None) -> tuple[int, bool] | None:
    """The heading level of a w:outlineLvl (0 is level 1; 9 is body text)."""
    value = whole_number(outline.get(w("val")) if outline is not None else None, None, 0, 8)
    return None if value is None else (value + 1, False)


def _looks_like_heading(line: str) -> bool:
    if match := _TYPED_LABEL.match(line):
        return _is_heading_label(match.group(1))
    stripped = line.strip()
    return bool(stripped and stripped == stripped.upper() and re.search(r"[A-Z]{4}", stripped))


# --- the document ---------------------------------------------------------------------


class _Reader:
    """Walks the body of one document in order, writing its lines and their places."""

    def __init__(self, document):
        self.body = getattr(document.element, "body", None)
        if self.body is None:
            raise _whole_file(_("the Word document has no body"))
        if sum(1 for _p in self.body.iter(w("p"))) > MAX_PARAGRAPHS:
            raise _whole_file(
                _(
                    "the Word document has more than %(limit)s paragraphs, far more than a "
                    "report has"
                )
                % {"limit": f"{MAX_PARAGRAPHS:,}"}
            )
        self.styles = Styles(document.styles.element)
        try:
            numbering_part = document.part.part_related_by(RELATIONSHIP_TYPE.NUMBERING)
        except KeyError:
            numbering_part = None
        self.numbering = Numbering(getattr(numbering_part, "element", None), self.styles)
        self.lines: list[str] = []
        self.places: list[str] = []
        self.paragraph_number = 0
        self.table_number = 0
        self.in_body = False  # past the title block
        self.date_seen = False
        self.in_agenda = False
        self._style_headings: dict[str | None, tuple[int, bool] | None] = {}
        # Word numbers every paragraph in document order, tables included.
        self.labels = {p: self.numbering.paragraph_label(p) for p in self._paragraphs(self.body)}
        self.main_list = self._main_list()

    def _paragraphs(self, parent: etree._Element) -> Iterator[etree._Element]:
        for block in _flat(parent):
            if block.tag == w("p"):
                yield block
            elif block.tag == w("tbl"):
                for row in self._rows(block):
                    for cell in row:
                        yield from self._paragraphs(cell)

    @staticmethod
    def _rows(table: etree._Element) -> list[list[etree._Element]]:
        return [
            [cell for cell in _flat(row) if cell.tag == w("tc")]
            for row in _flat(table)
            if row.tag == w("tr")
        ]

    def _main_list(self) -> str | None:
        """The numbered list that numbers the report's paragraphs: the one that numbers
        most paragraphs of the body with decimals at its first level."""
        counts = Counter(
            label.list_key
            for block in _flat(self.body)
            if block.tag == w("p")
            and (label := self.labels.get(block))
            and label.level == 0
            and label.format in ("decimal", "decimalZero")
            and not self._heading(block)
        )
        return counts.most_common(1)[0][0] if counts else None

    # paragraphs, one at a time

    def _style(self, paragraph: etree._Element) -> str | None:
        style = paragraph.find("w:pPr/w:pStyle", NAMESPACES)
        return style.get(w("val")) if style is not None else self.styles.default_paragraph

    def _heading(self, paragraph: etree._Element) -> tuple[int, bool] | None:
        """(level, whether it is the Title style) of a paragraph in a heading style."""
        outline = paragraph.find("w:pPr/w:outlineLvl", NAMESPACES)
        if outline is not None:
            return _outline_level(outline)
        style = self._style(paragraph)
        if style not in self._style_headings:
            self._style_headings[style] = self._style_heading(style)
        return self._style_headings[style]

    def _style_heading(self, style: str | None) -> tuple[int, bool] | None:
        for each in self.styles.chain(style):
            name = self.styles.name(each).strip().lower()
            if match := _HEADING_STYLE.fullmatch(name):
                return int(match.group(1)), False
            if name == "title":
                return 1, True
        return _outline_level(self.styles.inherited(style, "w:pPr/w:outlineLvl"))

    def _flag(self, properties: etree._Element | None, name: str) -> bool:
        """Whether a run is bold ("b"), italic ("i") or hidden ("vanish"), directly or by
        its character style (not by its paragraph's style: a heading is not bold text)."""
        if properties is None:
            return False
        found = properties.find(f"w:{name}", NAMESPACES)
        if found is None:
            style = properties.find("w:rStyle", NAMESPACES)
            if style is not None:
                found = self.styles.inherited(style.get(w("val")), f"w:rPr/w:{name}")
        return found is not None and found.get(w("val"), "true").lower() not in _OFF

    def _segments(self, paragraph: etree._Element) -> list[tuple[str, bool, bool]]:
        segments = []
        for run in _runs(paragraph):
            properties = run.find("w:rPr", NAMESPACES)
            if self._flag(properties, "vanish"):
                continue
            if text := _run_text(run):
                segments.append((text, self._flag(properties, "b"), self._flag(properties, "i")))
        return segments

    def _plain(self, paragraph: etree._Element) -> str:
        return "".join(text for text, _bold, _italic in self._segments(paragraph))

    def _place(self, number: int, text: str) -> str:
        """ "paragraph 12 of the document ("The consultation …")": Word shows no paragraph
        numbers, so the first words help find it."""
        words = text.split()
        start = " ".join(words[:6]).strip(_QUOTES)
        if not start:
            return _("paragraph %(number)s of the document") % {"number": number}
        start += "…" if len(words) > 6 else ""
        return _("paragraph %(number)s of the document (“%(start)s”)") % {
            "number": number,
            "start": start,
        }

    def _emit(self, line: str, place: str) -> None:
        self.lines.append(_one_line(line).rstrip())
        self.places.append(place)

    def _starts_body(self, text: str, label: Label | None, heading) -> bool:
        if label and not label.is_bullet and label.text.strip():
            return True
        if _NUMBERED_START.match(text):
            return True
        if heading and not heading[1] and self.date_seen:
            title = text.strip()
            return bool(title) and title != title.upper()
        return False

    def paragraph(self, paragraph: etree._Element) -> None:
        self.paragraph_number += 1
        label = self.labels.get(paragraph)
        heading = self._heading(paragraph)
        segments = self._segments(paragraph)
        plain = "".join(text for text, _bold, _italic in segments)
        place = self._place(self.paragraph_number, plain)
        if not self.in_body:
            if not self._starts_body(plain, label, heading):
                for line in plain.split("\n"):
                    self._emit(line, place)
                self.date_seen = self.date_seen or find_date(_one_line(plain)) is not None
                return
            self.in_body = True
        numbered = label is not None and not label.is_bullet and bool(label.text.strip())
        if heading:
            title = _one_line(plain).strip()
            if not title:
                self._emit("", place)
                return
            self._emit(_heading_line(label.text if numbered else "", title, heading[0]), place)
            self.in_agenda = section_kind(title) == "agenda"
            return
        text = _one_line(_body_text(segments))
        if label is None or not (numbered or label.is_bullet) or not text.strip():
            line = text
        elif label.is_bullet:
            line = f"- {text.strip()}"
        elif label.level == 0 and (
            label.format in _HEADING_FORMATS or label.list_key == self.main_list
        ):
            line = f"{label.text} {text.strip()}"
        else:
            line = f"  {label.text} {text.strip()}"
        self._emit(line, place)
        if _looks_like_heading(line):
            self.in_agenda = section_kind(line) == "agenda"

    # tables

    def _cell_paragraphs(self, cell: etree._Element) -> list[tuple[str, etree._Element]]:
        """(text on one line, element) of each paragraph of a cell, nested tables too."""
        return [(_one_line(self._plain(p)).strip(), p) for p in self._paragraphs(cell)]

    def _cell_text(self, cell: etree._Element) -> str:
        return " ".join(" ".join(text for text, _p in self._cell_paragraphs(cell)).split())

    def _is_agenda(self, rows: list[list[etree._Element]]) -> bool:
        """Whether most rows start with a cell holding a time range and little else."""
        timed = 0
        for row in rows:
            first = self._cell_text(row[0]) if row else ""
            starts, ends, end = parse_time_range(first)
            timed += bool(
                _CLOCK.match(first) and starts and ends and len(first[end:].strip()) <= 15
            )
        return timed > 0 and timed * 2 >= len(rows) - 1

    def table(self, table: etree._Element) -> None:
        self.table_number += 1
        rows = self._rows(table)
        if self.in_agenda or self._is_agenda(rows):
            self._agenda(rows)
            return
        for number, row in enumerate(rows, start=1):
            place = _("table %(table)s of the document, row %(row)s") % {
                "table": self.table_number,
                "row": number,
            }
            if not self.in_body:  # a table laying out the title block
                for cell in row:
                    for p in self._paragraphs(cell):
                        plain = self._plain(p)
                        for line in plain.split("\n"):
                            self._emit(line.strip(), place)
                        self.date_seen = self.date_seen or find_date(_one_line(plain)) is not None
                continue
            cells = [self._cell_text(cell) for cell in row]
            if any(cells):
                self._emit("- " + " | ".join(cells), place)

    def _agenda(self, rows: list[list[etree._Element]]) -> None:
        if not self.in_agenda:
            self._emit("# AGENDA", _("agenda table"))
            self.in_agenda = self.in_body = True
        for number, row in enumerate(rows, start=1):
            if not row:
                continue
            first = self._cell_text(row[0])
            rest = self._agenda_cell(row[1:])
            line = f"{first}\t{rest}" if rest else first
            if line.strip():
                self._emit(line, _("agenda table, row %(row)s") % {"row": number})

    def _is_list_item(self, paragraph: etree._Element) -> bool:
        label = self.labels.get(paragraph)
        if label is not None and (label.is_bullet or label.text.strip()):
            return True
        return any(
            self.styles.name(each).lower().startswith("list")
            for each in self.styles.chain(self._style(paragraph))
        )

    def _agenda_cell(self, cells: list[etree._Element]) -> str:
        """The cells after the time, as one cell of the text agenda: plain text when it is
        one paragraph, else paragraphs as <p>…</p> and list items as "• …"."""
        blocks: list[tuple[bool, str]] = []
        for cell in cells:
            for text, p in self._cell_paragraphs(cell):
                if not text:
                    continue
                typed = _TYPED_BULLET.match(text)
                item = bool(typed) or self._is_list_item(p)
                blocks.append((item, text[typed.end() :] if typed else text))
        if len(blocks) == 1 and not blocks[0][0] and "<" not in blocks[0][1]:
            return blocks[0][1]
        written: list[str] = []
        items: list[str] = []
        for item, text in blocks:
            escaped = html.escape(text.replace("\u2022", " "), quote=False)
            if item:
                items.append(escaped)
                continue
            if items:
                written.append("<ul> " + " ".join(f"• {each}" for each in items) + "</ul>")
                items = []
            written.append(f"<p>{escaped}</p>")
        if items:
            written.append("<ul> " + " ".join(f"• {each}" for each in items) + "</ul>")
        return " ".join(written)

    # the whole body

    def read(self) -> ExtractedText:
        for block in _flat(self.body):
            if block.tag == w("p"):
                self.paragraph(block)
            elif block.tag == w("tbl"):
                self.table(block)
        if not any(line.strip() for line in self.lines):
            raise _whole_file(
                _(
                    "the Word document has no text in its body (text boxes, headers and "
                    "footers are not read)"
                )
            )
        return ExtractedText("\n".join(self.lines), tuple(self.places))
