"""Reports as the network publishes them (PDF), read into the plain text ``parse_report``
reads.

``pdf_text`` writes the text of the PDF as the lines of a text report:

* running headers and footers (a line repeated at the top or the bottom of most pages,
  its page number allowed to change) and page numbers alone on a line are left out;
* each paragraph becomes one line: the lines a paragraph was wrapped into, also over a
  page break, are joined with a space, or with none after a hyphen ("cross-" +
  "border"); a hyphen the layout added where it broke a word (a soft hyphen) is taken
  out. A paragraph starts at a number ("31. …"), a bullet (written "- …"), a heading
  ("IV. …", "A. …"), an agenda row starting with a time (written "time<TAB>topic"), a
  change of type size or from bold to plain type, or where the space between two lines
  is wider than the space between the lines of a paragraph. A join over a page break
  that may be wrong is named in ``PdfText.warnings``;
* bold and italic words inside a paragraph are written **bold** and *italic*, as the
  text format marks them (a heading or paragraph all in bold is not marked).

Encrypted files, scanned pages, pages in two columns, damaged files and files built to
overload the reader are refused with ``DocumentError``. The file is read in a child
process held to time and memory limits (see ``limits``).
"""

import itertools
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations.documents import DocumentError, ExtractedText
from consultations.documents.limits import BOLD, ITALIC, Refused, read_words

# Bounds on a file, each overridable by a setting of the same name prefixed "REPORT_PDF_".
MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 200
SECONDS = 60  # wall clock and processor time for reading the file
MEMORY = 1024 * 1024 * 1024  # address space of the process reading the file
MAX_WORDS = 500_000

# Bullet signs, with those of the Symbol and Wingdings fonts Word documents use.
_BULLETS = (
    "\u2022\u25cf\u25aa\u25a0\u25e6\u25cb\u25a1\u2023\u2043\u27a2\u27a4\u25ba"
    "\uf0b7\uf0a7\uf076\uf0d8\uf0fc"
)
_DASH_BULLET = re.compile(r"[-\u2013\u2014*]\s")
_NUMBERED = re.compile(r"(\d{1,6})[.)]\s+\S")
_LABEL = re.compile(r"(?:\d{1,6}[.)]|[A-Z]{1,6}\.|[ivxlc]{1,6}\.)")
_HEADING = re.compile(r"(?:[IVXLC]{1,6}|[A-Z]|[ivxlc]{1,6})\.\s+\S")
_TIME = re.compile(r"\d{1,2}[:.h]\d{2}\b")
_SENTENCE_END = re.compile(r"[.!?:;)\]\"\u201d\u2019]$")
_PUNCTUATION_END = re.compile(r"[.,!?:;)\]\"\u201d\u2019\-\u2013\u2014]$")
# A line ending that runs on into the next with no space: "cross-" + "border",
# "2019–" + "2020", "www.ilo.org/" + "asia".
_HYPHEN_END = re.compile(r"\w[-\u2013\u2011]$|/$")
_ADDED_HYPHENS = "\u00ad\u2010"  # a soft hyphen, and the hyphen layouts show for it
# A page number alone on a line: "3", "- 3 -", "Page 3", "Page 3 of 12", "3/12", "3 | Page".
_PAGE_NUMBER = re.compile(
    r"(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]"
    r"|\d{1,4}\s*\|\s*page|page\s*\|\s*\d{1,4}|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})",
    re.I,
)
_OPENING_QUOTES = "\u201c\u2018\u00ab"
_LIGATURES = re.compile("[\ufb00-\ufb06]")
MARGIN_BAND = 0.1  # the top and bottom tenth of a page hold its headers and footers
MARGIN_ROWS = 3  # … in its first or last three lines


@dataclass(frozen=True)
class PdfText(ExtractedText):
    """The report inside a PDF, with the joins over page breaks staff should check (its
    warnings)."""


def page_place(number: int) -> str:
    return _("page %(page)s") % {"page": number}


def _whole_file(message: str) -> DocumentError:
    return DocumentError(_("the whole file"), message)


def _limit(name: str, default):
    return getattr(settings, f"REPORT_PDF_{name}", default)


def pdf_text(data: bytes) -> PdfText:
    """The report inside a PDF, as the text ``parse_report`` reads, with the page each
    line came from; raises DocumentError for a file it cannot or will not read."""
    max_bytes = _limit("MAX_BYTES", MAX_BYTES)
    if len(data) > max_bytes:
        raise _whole_file(
            _("this PDF is %(size)s; a report PDF may be at most %(limit)s")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)}
        )
    if b"%PDF-" not in data[:1024]:
        raise _whole_file(_("this file is not a readable PDF"))
    pages = _read(data)
    try:
        return _Layout(pages).text()
    except DocumentError:
        raise
    except (ArithmeticError, LookupError, TypeError, ValueError) as error:
        # what the reader made of a malformed file fails the layout: still a refusal
        raise _whole_file(_("this file is not a readable PDF")) from error


def _read(data: bytes) -> list[dict]:
    """The pages of the PDF, read in a child process held to the limits."""
    seconds, memory = _limit("SECONDS", SECONDS), _limit("MEMORY", MEMORY)
    max_pages = _limit("MAX_PAGES", MAX_PAGES)
    try:
        return read_words(
            data,
            seconds=seconds,
            memory=memory,
            max_pages=max_pages,
            max_words=_limit("MAX_WORDS", MAX_WORDS),
        )
    except Refused as refusal:
        overload = _("it may be damaged or built to overload the reader")
        messages = {
            "encrypted": _("this PDF is encrypted; save an unprotected copy and upload that"),
            "unreadable": _(
                "this file is not a readable PDF; it may be damaged. Open it and save it "
                "again as PDF"
            ),
            "pages": (
                _("this PDF has %(count)s pages; a report may have at most %(limit)s")
                if refusal.count
                else _("this PDF has more than %(limit)s pages, more than a report may have")
            )
            % {"count": refusal.count, "limit": max_pages},
            "words": _(
                "this PDF holds far more text than a report (over %(count)s words); %(overload)s"
            )
            % {"count": _limit("MAX_WORDS", MAX_WORDS), "overload": overload},
            "time": ngettext(
                "reading this PDF took longer than %(seconds)s second; %(overload)s",
                "reading this PDF took longer than %(seconds)s seconds; %(overload)s",
                int(seconds),
            )
            % {"seconds": seconds, "overload": overload},
            "memory": _("reading this PDF needed more memory than %(size)s; %(overload)s")
            % {"size": filesizeformat(memory), "overload": overload},
        }
        raise _whole_file(messages.get(refusal.reason, messages["unreadable"])) from refusal


def _scanned(number: int) -> DocumentError:
    return DocumentError(
        page_place(number),
        _(
            "page %(page)s has no text; this looks like a scanned document. Upload the "
            "PDF saved from the original document, or the Word document itself"
        )
        % {"page": number},
    )


# --- words into lines -----------------------------------------------------------------


@dataclass
class _Word:
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    style: int
    text: str


@dataclass
class _Row:
    """One line of a page: its words left to right, placed by its largest type."""

    page: int
    words: list[_Word]
    main: _Word
    dropped: bool = False
    pieces: list[tuple[str, int | None]] = field(default_factory=list)
    text: str = ""
    size: float = 0.0  # the size most of its letters are in
    x0: float = 0.0
    x1: float = 0.0
    bold: bool = False  # all in bold (a heading), its number aside

    @property
    def baseline(self) -> float:
        return self.main.bottom

    def finish(self) -> None:
        """Sort the words and write the line: cells apart (a table row) are joined with
        a space, or, after a time, with a tab, as agenda rows are written."""
        self.words.sort(key=lambda word: word.x0)
        letters: Counter[float] = Counter()
        for word in self.words:
            letters[word.size] += len(word.text)
        self.size = letters.most_common(1)[0][0]
        self.x0, self.x1 = self.words[0].x0, max(word.x1 for word in self.words)
        styled = [word for word in self.words if not _LABEL.fullmatch(word.text)]
        self.bold = all(word.style & BOLD for word in styled or self.words)
        cells: list[list[tuple[str, int | None]]] = [[]]
        previous = None
        for word in self.words:
            if previous is not None:
                gap, size = word.x0 - previous.x1, max(word.size, previous.size)
                if gap >= size:
                    cells.append([])
                elif gap > 0.12 * size:
                    cells[-1].append((" ", None))
            cells[-1].append((word.text, word.style))
            previous = word
        first = "".join(text for text, _style in cells[0])
        self.pieces = list(cells[0])
        for cell in cells[1:]:
            tab = len(cells) > 1 and cell is cells[1] and _TIME.match(first)
            self.pieces.append(("\t" if tab else " ", None))
            self.pieces.extend(cell)
        self.text = "".join(text for text, _style in self.pieces)

    @property
    def timed(self) -> bool:
        return "\t" in self.text


def _rows(number: int, page: dict) -> list[_Row]:
    """The words of a page grouped into lines: a word belongs to a line it overlaps by
    half its height, standing near its foot (so a raised footnote mark stays on its
    line)."""
    rows: list[_Row] = []
    words = [_Word(*word[:6], _clean(word[6])) for word in page["words"]]
    for word in sorted(words, key=lambda word: (word.top, word.x0)):
        for row in reversed(rows[-3:]):
            overlap = min(word.bottom, row.main.bottom) - max(word.top, row.main.top)
            heights = (word.bottom - word.top, row.main.bottom - row.main.top)
            near = abs(word.bottom - row.main.bottom) <= 0.5 * max(heights)
            if near and overlap >= 0.5 * max(min(heights), 0.1):
                row.words.append(word)
                if word.size > row.main.size:
                    row.main = word
                break
        else:
            rows.append(_Row(number, [word], word))
    rows.sort(key=lambda row: row.baseline)
    for row in rows:
        row.finish()
    return rows


def _clean(text: str) -> str:
    return _LIGATURES.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)


# --- the layout -----------------------------------------------------------------------


@dataclass
class _Block:
    rows: list[_Row]


class _Layout:
    def __init__(self, pages: list[dict]):
        self.read = pages
        self.sizes = [(page["width"], page["height"]) for page in pages]
        self.pages = [_rows(number, page) for number, page in enumerate(pages, start=1)]
        self.warnings: list[str] = []

    def text(self) -> PdfText:
        self.drop_margins()
        self.check_text()
        for number, rows in enumerate(self.pages, start=1):
            self.check_columns(number, [row for row in rows if not row.dropped])
        rows = [row for page in self.pages for row in page if not row.dropped]
        self.edges = self.page_edges()
        self.pitches = self.line_pitches(rows)
        lines, places = [], []
        for block in self.blocks(rows):
            lines.append(_block_text(block))
            places.append(page_place(block.rows[0].page))
        return PdfText(text="\n".join(lines), places=tuple(places), warnings=tuple(self.warnings))

    # headers, footers and page numbers

    def margin_rows(self, number: int):
        """(band, row) for the lines of a page that may be its header or footer."""
        rows = self.pages[number - 1]
        height = self.sizes[number - 1][1]
        for row in rows[:MARGIN_ROWS]:
            if (row.main.top + row.main.bottom) / 2 < MARGIN_BAND * height:
                yield "top", row
        for row in rows[-MARGIN_ROWS:]:
            if (row.main.top + row.main.bottom) / 2 > (1 - MARGIN_BAND) * height:
                yield "bottom", row

    def drop_margins(self) -> None:
        """Mark running headers and footers, and page numbers, as dropped."""
        seen: dict[tuple[str, str], set[int]] = {}
        for number in range(1, len(self.pages) + 1):
            for band, row in self.margin_rows(number):
                seen.setdefault((band, _shape(row.text)), set()).add(number)
        with_text = sum(1 for rows in self.pages if rows)
        repeated = {
            key for key, pages in seen.items() if len(pages) >= 2 and 2 * len(pages) >= with_text
        }
        for number in range(1, len(self.pages) + 1):
            for band, row in self.margin_rows(number):
                text = row.text.strip()
                if (band, _shape(text)) in repeated or _PAGE_NUMBER.fullmatch(text):
                    row.dropped = True

    def check_text(self) -> None:
        """Refuse pages with no text but their header and footer, or whose letters cannot
        be told."""
        empty = []
        for number, (page, rows) in enumerate(zip(self.read, self.pages, strict=True), start=1):
            letters = sum(len(row.text) for row in rows)
            if page["unmapped"] >= 20 and page["unmapped"] > letters:
                raise DocumentError(
                    page_place(number),
                    _(
                        "the text on page %(page)s cannot be read: its font does not say "
                        "which letters it shows. Save the PDF again from the original document"
                    )
                    % {"page": number},
                )
            if not any(not row.dropped for row in rows):
                if page["images"] >= 0.2:
                    raise _scanned(number)
                empty.append(number)
        if len(empty) * 2 > len(self.pages):
            raise _scanned(empty[0])

    # columns

    def check_columns(self, number: int, rows: list[_Row]) -> None:
        """Refuse a page whose lines stand side by side in two columns: wide pieces of
        text overlapping in height, left and right of a gap in the middle of the page."""
        if sum(1 for row in rows if row.timed) >= 2:
            return  # an agenda: a table, read row by row
        width = self.sizes[number - 1][0]
        pieces = [(row, piece) for row in rows for piece in _pieces(row)]
        pairs = []
        for index, (row, left) in enumerate(pieces):
            for other, right in pieces[index + 1 : index + 40]:
                if other.main.top > row.main.bottom:
                    break
                if left[0] > right[0]:
                    left, right = right, left
                overlaps = min(left[3], right[3]) > max(left[2], right[2])
                wide = min(left[1] - left[0], right[1] - right[0]) >= 0.2 * width
                if overlaps and wide and right[0] - left[1] >= 0.5 * row.size:
                    pairs.append((left[1], right[0]))
        if len(pairs) < max(4, 0.2 * len(rows)):
            return
        for gap_start, gap_end in pairs:
            middle = (gap_start + gap_end) / 2
            across = sum(1 for start, end in pairs if start <= middle <= end)
            if 0.25 * width <= middle <= 0.75 * width and across >= max(4, 0.2 * len(rows)):
                raise DocumentError(
                    page_place(number),
                    _(
                        "page %(page)s is laid out in two columns, so the order of its lines "
                        "cannot be told; upload the Word document, or a PDF with the text in "
                        "one column"
                    )
                    % {"page": number},
                )

    # paragraphs

    def page_edges(self) -> dict[int, tuple[float, float]]:
        edges = {}
        for number, rows in enumerate(self.pages, start=1):
            kept = [row for row in rows if not row.dropped]
            if kept:
                edges[number] = (min(row.x0 for row in kept), max(row.x1 for row in kept))
        return edges

    @staticmethod
    def line_pitches(rows: list[_Row]) -> dict[float, float]:
        """For each type size, the distance between the lines of a paragraph: the
        shortest distance between two lines in that size that is common."""
        distances: dict[float, list[float]] = {}
        for above, below in itertools.pairwise(rows):
            if above.page == below.page and abs(above.size - below.size) <= 0.5:
                distance = below.baseline - above.baseline
                if 0.8 * above.size <= distance <= 3 * above.size:
                    distances.setdefault(_size_key(above.size), []).append(round(distance * 2) / 2)
        pitches = {}
        for size, found in distances.items():
            counts = Counter(found)
            common = [d for d, n in counts.items() if n >= max(2, 0.1 * len(found))]
            pitches[size] = min(common) if common else statistics.median_low(found)
        return pitches

    def pitch(self, size: float) -> float:
        return self.pitches.get(_size_key(size), 1.2 * size)

    def broke_early(self, previous: _Row, row: _Row) -> bool:
        """Whether the line above ended where it did on purpose (a paragraph's end, a line
        break): the first word of row would have fitted after it, on a line starting
        where it starts or on one centred. A line ending in a hyphen was wrapped."""
        if previous.text[-1:] in _ADDED_HYPHENS or _HYPHEN_END.search(previous.text):
            return False
        left, right = self.edges[previous.page]
        first = row.words[0]
        needed = 0.25 * previous.size + first.x1 - first.x0
        slack = 0.5 * previous.size
        fits_after = previous.x1 + needed < right - slack
        fits_centred = previous.x1 - previous.x0 + needed < right - left - slack
        return fits_after and fits_centred

    def blocks(self, rows: list[_Row]) -> list[_Block]:
        blocks: list[_Block] = []
        last_number = 0
        for row in rows:
            previous = blocks[-1].rows[-1] if blocks else None
            opens = previous is None or self.opens(previous, row, last_number)
            if opens or self.starts(previous, row):
                blocks.append(_Block([row]))
                if match := _NUMBERED.match(row.text):
                    number = int(match.group(1))
                    if number > last_number and (last_number == 0 or number <= last_number + 50):
                        last_number = number
            else:
                blocks[-1].rows.append(row)
            if not opens and row.page != previous.page:
                self.check_join(previous, row)
        return blocks

    def opens(self, previous: _Row, row: _Row, last_number: int) -> bool:
        """Whether row, by its look, starts a paragraph or heading: a bullet, a time, the
        next number, a heading's label, another type size, bold after plain type."""
        text, before = row.text, previous.text
        ends_sentence = bool(_SENTENCE_END.search(before))
        if text[:1] in _BULLETS or row.timed:
            return True
        if _DASH_BULLET.match(text) and ends_sentence:
            return True
        if match := _NUMBERED.match(text):
            number = int(match.group(1))
            if number == last_number + 1 or (ends_sentence and number > last_number):
                return True
        if _HEADING.match(text) and (ends_sentence or previous.bold):
            return True
        if abs(row.size - previous.size) > max(0.5, 0.08 * previous.size):
            return True
        if row.bold != previous.bold and (ends_sentence or self.broke_early(previous, row)):
            return True
        # a quoted title after the line above it
        return text[:1] in _OPENING_QUOTES and before.count("\u201c") <= before.count("\u201d")

    def starts(self, previous: _Row, row: _Row) -> bool:
        """Whether row starts a paragraph by where it stands: the line above ended
        early, or the space above it is wider than between the lines of a paragraph."""
        if self.broke_early(previous, row):
            return True
        if row.page != previous.page:
            return False
        distance = row.baseline - previous.baseline
        pitch = self.pitch(previous.size)
        return distance <= 0 or distance > pitch + max(1.5, 0.2 * previous.size)

    def check_join(self, previous: _Row, row: _Row) -> None:
        """Warn of a join over a page break that may be wrong: the line before stops
        without punctuation and the next page goes on with a capital."""
        if not _PUNCTUATION_END.search(previous.text) and row.text[:1].isupper():
            self.warnings.append(
                _(
                    "page %(page)s: “%(text)s” at the top of the page is read as going on "
                    "from the page before; check that paragraph"
                )
                % {"page": row.page, "text": Truncator(row.text.strip()).chars(40)}
            )


def _size_key(size: float) -> float:
    return round(size * 2) / 2


def _shape(text: str) -> str:
    """A header or footer line with its page number (any number) made alike."""
    return " ".join(re.sub(r"\d+", "#", text.lower()).split())


def _pieces(row: _Row) -> list[tuple[float, float, float, float]]:
    """(x0, x1, top, bottom) of the runs of a line's words with no wide gap between them."""
    found: list[list[float]] = []
    for word in row.words:
        if found and word.x0 - found[-1][1] < 0.8 * word.size:
            found[-1][1] = max(found[-1][1], word.x1)
        else:
            found.append([word.x0, word.x1])
    return [(x0, x1, row.main.top, row.main.bottom) for x0, x1 in found]


# --- paragraphs into text -------------------------------------------------------------


def _block_text(block: _Block) -> str:
    """The line of text for one paragraph: its lines joined, bullets written "- ",
    bold and italic words marked."""
    pieces: list[tuple[str, int | None]] = []
    for row in block.rows:
        row_pieces = list(row.pieces)
        if pieces:
            last_text, last_style = pieces[-1]
            if last_text[-1:] in _ADDED_HYPHENS:
                pieces[-1] = (last_text[:-1], last_style)
            elif not _HYPHEN_END.search(last_text):
                pieces.append((" ", None))
        pieces.extend(row_pieces)
    pieces = [(text.replace("\u00ad", ""), style) for text, style in pieces]
    pieces = [(text, style) for text, style in pieces if text]
    bullet = False
    if pieces and pieces[0][0][:1] in _BULLETS:
        bullet = True
        first = pieces[0][0][1:]
        pieces = [(first, pieces[0][1]), *pieces[1:]] if first else pieces[1:]
        while pieces and not pieces[0][0].strip():
            pieces = pieces[1:]
    elif pieces and _DASH_BULLET.match(pieces[0][0] + " ") and len(pieces) > 1:
        bullet = True
        pieces = pieces[2:] if pieces[1][1] is None else pieces[1:]
    if pieces and _LABEL.fullmatch(pieces[0][0]):
        pieces[0] = (pieces[0][0], None)  # a paragraph's number is never marked
    text = _marked(pieces).strip()
    return f" - {text}" if bullet else text


def _marked(pieces: list[tuple[str, int | None]]) -> str:
    """The text of the pieces with runs of bold words in ** ** and italic ones in * *,
    unless all the words have that style."""
    styles = [style for text, style in pieces if style is not None and text.strip()]
    all_bold = bool(styles) and all(style & BOLD for style in styles)
    all_italic = bool(styles) and all(style & ITALIC for style in styles)
    out: list[str] = []
    pending: list[str] = []
    bold = italic = False
    for text, style in pieces:
        if style is None:
            pending.append(text)
            continue
        want_bold = bool(style & BOLD) and not all_bold
        want_italic = bool(style & ITALIC) and not all_italic
        if italic and not want_italic:
            out.append("*")
            italic = False
        if bold and not want_bold:
            out.append("**")
            bold = False
        out.extend(pending)
        pending = []
        if want_bold and not bold:
            out.append("**")
            bold = True
        if want_italic and not italic:
            out.append("*")
            italic = True
        out.append(text)
    if italic:
        out.append("*")
    if bold:
        out.append("**")
    out.extend(pending)
    return "".join(out)
