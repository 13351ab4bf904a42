"""Read a consultation summary report, as text, into a structured result.

A pure function of its input: no database, no files. ``decode_report`` turns the
bytes of an uploaded file into text; ``parse_report`` turns that text into a
``ParsedReport`` or raises ``ReportError`` naming the line at fault.

What a report looks like (see consultations/reports/ for a real one):

* a title block: series, quoted title, "11 April 2022, 9:00 – 12:00 … (GMT+7)", venue;
* headings: "IV. …" (roman), "A. …" (letter), "iii. …" (lower-case roman), "AGENDA" (bare),
  or marked with their level as in Markdown ("# Background", "## Opening remarks"), as a
  Word document's headings without a number are written;
* numbered paragraphs "31. …"; a line that starts with no number continues the
  paragraph above it (page breaks split paragraphs), bullet lines ("- ", "• ") belong
  to it as a list;
* an optional agenda table of tab-separated rows with HTML fragments in the cells.
"""

import codecs
import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.country_names import countries_mentioned, country_pattern


class ReportError(ValueError):
    """A report that cannot be read, naming where: "line 12", or for a document "page 3"."""

    def __init__(self, line: int, message: str, where: str | None = None):
        where = where or line_named(line)
        super().__init__(_("%(where)s: %(message)s") % {"where": where, "message": message})
        self.line = line
        self.where = where
        self.message = message


def line_named(line: int) -> str:
    return _("line %(line)s") % {"line": line}


@dataclass(frozen=True)
class ParsedSection:
    key: str
    label: str
    title: str
    kind: str
    level: int
    parent_key: str | None
    line: int
    intro: str = ""


@dataclass(frozen=True)
class ParsedParagraph:
    number: int
    line: int
    section_key: str | None
    text: str
    countries: tuple[str, ...]
    gcm_objectives: tuple[int, ...]
    sdgs: tuple[int, ...]
    guiding_principles: tuple[str, ...]
    is_recommendation: bool


@dataclass(frozen=True)
class ParsedAgendaItem:
    order: int
    starts: time | None
    ends: time | None
    topic: str
    moderators: str
    speakers: tuple[str, ...]
    raw: str
    line: int


@dataclass(frozen=True)
class ParsedReport:
    series: str
    title: str
    document_type: str
    date: date
    starts_at: datetime
    ends_at: datetime | None
    timezone_label: str
    venue: str
    number_in_series: int | None
    host_country: str | None
    attendance: str
    gcm_objectives: tuple[int, ...]
    sdgs: tuple[int, ...]
    sections: tuple[ParsedSection, ...]
    paragraphs: tuple[ParsedParagraph, ...]
    agenda: tuple[ParsedAgendaItem, ...]
    agenda_text: str
    warnings: tuple[str, ...]

    @property
    def recommendations(self) -> tuple[ParsedParagraph, ...]:
        return tuple(p for p in self.paragraphs if p.is_recommendation)


# --- decoding -------------------------------------------------------------------------

# What a file that starts with each signature is, and what to do about it.
_BINARY_SIGNATURES = {
    b"%PDF": gettext_lazy("this is a PDF document, not a plain-text report; save it as text first"),
    b"PK\x03\x04": gettext_lazy(
        "this is a zip archive (Word, Excel or OpenDocument file), not a plain-text report; "
        "save it as text first"
    ),
    b"\xd0\xcf\x11\xe0": gettext_lazy(
        "this is an old Microsoft Office document, not a plain-text report; save it as text first"
    ),
    b"{\\rtf": gettext_lazy(
        "this is an RTF document, not a plain-text report; save it as text first"
    ),
}


def decode_report(data: bytes) -> str:
    """The text of a report file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if not data.strip():
        raise ReportError(1, _("the file is empty"))
    for signature, refusal in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ReportError(1, str(refusal))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise ReportError(1, _("the file says UTF-16 but does not decode as UTF-16")) from error
    nul = data.find(b"\x00")
    if nul != -1:
        raise ReportError(
            data.count(b"\n", 0, nul) + 1,
            _("binary content (a NUL byte); a report must be plain text"),
        )
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ReportError(line, _("the text is neither UTF-8 nor Windows-1252")) from error
    for number, line in enumerate(text.splitlines(), start=1):
        controls = sum(1 for char in line if ord(char) < 32 and char not in "\t\f\v")
        if controls > 2:
            raise ReportError(number, _("binary content (control characters); not a text report"))
    return text


# --- patterns -------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_DATE_PATTERNS = [
    re.compile(
        _WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})", re.I
    ),
    re.compile(
        _WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})", re.I
    ),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
]
_TIME = re.compile(
    r"(?<![\d:.])(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<meridiem>[ap]\.?m\.?)?(?![\d])",
    re.I,
)
_TIME_RANGE = re.compile(
    r"(?P<start>\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?)?)\s*(?:[-\u2013\u2014]|to)\s*"
    r"(?P<end>\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?)?)",
    re.I,
)
_SINGLE_TIME = re.compile(r"\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?", re.I)
_OFFSET = re.compile(
    r"\b(?:GMT|UTC)\s*(?P<sign>[+\-\u2212\u2013])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?"
)

_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_UPPER_HEADING = re.compile(r"(?P<label>[A-Z]{1,6})\.\s+(?P<title>\S.{0,300})")
_LOWER_ROMAN_HEADING = re.compile(r"(?P<label>[ivxlc]{1,6})\.\s+(?P<title>\S.{0,300})")
_MARKED_HEADING = re.compile(r"(?P<marks>#{1,3})\s+(?P<title>\S.{0,300})")
_PARAGRAPH = re.compile(r"(?P<number>\d{1,6})[.)]\s+(?P<text>\S.*)")
# A page number left between two halves of a paragraph: "3", "- 3 -", "Page 3 of 12", "3/12".
_PAGE_NUMBER = re.compile(
    r"(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]",
    re.I,
)
# How far a paragraph number may jump ahead of the one expected: further, the line is read
# as the paragraph above going on ("… since\n2020. Over the year …").
MAX_NUMBER_GAP = 50
# Words a sentence does not end on: "… the speaker, Ms." + "A. Smith, thanked …".
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:Mr|Ms|Mrs|Mx|Dr|Prof|Hon|Amb|Rev|Sr|Jr|St|No|Nos|Vol|Art|para|paras|e\.g|i\.e|H\.E|"
    r"vs|cf|Gen|Col|Capt))\.$"
)
_SENTENCE_END = re.compile(r"[.!?:;)\]\"\u201d\u2019*]$")
_BULLET = re.compile(r"\s*[-\u2022*\u25e6\u25aa\u2013]\s+(?P<text>\S.*)")
_ORDERED_ITEM = re.compile(r"\s+(?P<number>\d{1,2})[.)]\s+(?P<text>\S.*)")
_TITLE_QUOTES = "\"\u201c\u201d'\u2018\u2019"

_OBJECTIVE = re.compile(r"\bObjectives?\s+(\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})*)")
_SDG = re.compile(r"\b(?:SDGs?|Goals?)\s+(\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})*)")

_ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
]
_SERIES_NUMBER = re.compile(
    r"\b(" + "|".join(_ORDINALS) + r")\s+(?:regional\s+)?consultation", re.I
)

GUIDING_PRINCIPLE_PATTERNS = {
    "people-centred": r"people[- ]cent(?:red|ered)",
    "international-cooperation": r"international (?:co-?operation|collaboration)",
    "national-sovereignty": r"national sovereignty",
    "rule-of-law": r"rule of law|due process",
    "sustainable-development": r"sustainable development",
    "human-rights": r"human rights",
    "gender-responsive": r"gender[- ]responsive",
    "child-sensitive": r"child[- ]sensitive|best interests? of (?:the )?child",
    "whole-of-government": r"whole[- ]of[- ]government",
    "whole-of-society": r"whole[- ]of[- ]society",
}
_GUIDING_PRINCIPLES = {
    key: re.compile(pattern, re.I) for key, pattern in GUIDING_PRINCIPLE_PATTERNS.items()
}

# Section kinds, found by the earliest keyword in a heading (parenthesised text ignored).
SECTION_KEYWORDS = [
    ("background", "background"),
    ("objective", "objectives"),
    ("opening", "opening"),
    ("welcome", "opening"),
    ("challenge", "challenges"),
    ("opportunit", "opportunities"),
    ("good practice", "opportunities"),
    ("recommendation", "recommendations"),
    ("summary", "summary"),
    ("way forward", "summary"),
    ("conclusion", "summary"),
    ("closing", "closing"),
    ("agenda", "agenda"),
]
OTHER = "other"


# --- small readers --------------------------------------------------------------------


def section_kind(title: str) -> str | None:
    plain = re.sub(r"\([^)]*\)", " ", title).lower()
    found = [(plain.find(word), kind) for word, kind in SECTION_KEYWORDS if word in plain]
    return min(found)[1] if found else None


def roman_value(numeral: str) -> int | None:
    numeral = numeral.upper()
    if not numeral or not _ROMAN.fullmatch(numeral):
        return None
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for char, following in zip(numeral, [*numeral[1:], None], strict=True):
        value = values[char]
        total += -value if following and values[following] > value else value
    return total


def numbers_named(pattern: re.Pattern[str], text: str, highest: int) -> tuple[int, ...]:
    found = set()
    for match in pattern.finditer(text):
        found.update(int(n) for n in re.findall(r"\d+", match.group(1)))
    return tuple(sorted(n for n in found if 1 <= n <= highest))


def guiding_principles_named(text: str) -> tuple[str, ...]:
    return tuple(key for key, pattern in _GUIDING_PRINCIPLES.items() if pattern.search(text))


def parse_time(text: str, meridiem_hint: str | None = None) -> time | None:
    match = _TIME.search(text)
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    meridiem = (match["meridiem"] or meridiem_hint or "").lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _meridiem(text: str) -> str | None:
    match = _TIME.search(text)
    return match["meridiem"] if match and match["meridiem"] else None


def parse_time_range(text: str) -> tuple[time | None, time | None, int]:
    """Start, end and the index where the range ends, from "09.00 – 09.05" or "2:00 – 4:30 PM"."""
    if match := _TIME_RANGE.search(text):
        end_meridiem = _meridiem(match["end"])
        starts = parse_time(match["start"])
        if not _meridiem(match["start"]) and end_meridiem:
            hinted = parse_time(match["start"], end_meridiem)
            ends = parse_time(match["end"])
            if hinted and ends and hinted <= ends:
                starts = hinted
        return starts, parse_time(match["end"]), match.end()
    if match := _SINGLE_TIME.search(text):
        return parse_time(match.group()), None, match.end()
    return None, None, 0


def parse_offset(text: str) -> timezone | None:
    match = _OFFSET.search(text)
    if not match:
        return None
    minutes = int(match["hours"]) * 60 + int(match["minutes"] or 0)
    if minutes > 14 * 60:
        return None
    sign = 1 if match["sign"] == "+" else -1
    return timezone(timedelta(minutes=sign * minutes))


def find_date(text: str) -> tuple[date, int, int] | None:
    """The first date in text, with where it starts and ends."""
    for pattern in _DATE_PATTERNS:
        if match := pattern.search(text):
            month = match["month"]
            month_number = int(month) if month.isdigit() else MONTHS[month.lower()]
            try:
                return date(int(match["year"]), month_number, int(match["day"])), *match.span()
            except ValueError:
                continue
    return None


def html_blocks(cell: str) -> list[str]:
    """The text blocks of an agenda cell: paragraphs and list items, tags removed."""
    text = re.sub(r"</?(?:p|ul|ol|li|br|div)\b[^>]*>", "\n", cell, flags=re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    blocks = []
    for block in text.split("\n"):
        items = re.split(r"\s*\u2022\s*|\s+(?=\d{1,2}\.\s)", block)
        blocks.extend(" ".join(item.split()) for item in items if item.strip())
    return blocks


def parse_agenda_cell(cell: str) -> tuple[str, str, tuple[str, ...]]:
    """Topic, moderators and speakers of one agenda cell."""
    if "<" not in cell:
        return " ".join(cell.split()), "", ()
    blocks = html_blocks(cell)
    topic, moderators, speakers = blocks[0] if blocks else "", [], []
    for block in blocks[1:]:
        if match := re.match(r"(?:co-?\s*)?moderated by\s+(.*)", block, re.I):
            moderators.append(match.group(1))
        else:
            name = re.sub(r"^(?:\d{1,2}\.\s*|(?:panel\s+)?speakers?\s*:\s*)", "", block, flags=re.I)
            speakers.append(name.strip())
    return topic, "; ".join(moderators), tuple(s for s in speakers if s)


def is_bare_heading(line: str) -> bool:
    stripped = line.strip()
    return (
        stripped == line
        and 3 <= len(stripped) <= 80
        and stripped == stripped.upper()
        and re.search(r"[A-Z]{4,}", stripped) is not None
        and not stripped.endswith((".", ",", ";", ":"))
        and _PARAGRAPH.match(stripped) is None
    )


def join_continuation(text: str, more: str) -> str:
    if re.search(r"\w-$", text) and more[:1].islower():
        return text + more
    return f"{text} {more}"


# --- the parser -----------------------------------------------------------------------


@dataclass
class _Section:
    key: str
    label: str
    title: str
    kind: str
    level: int
    rank: int
    parent: "_Section | None"
    line: int
    intro: list[str]
    last_letter: str = ""
    last_roman: int = 0


@dataclass
class _Paragraph:
    number: int
    line: int
    section: _Section | None
    blocks: list[str]


class _Parser:
    def __init__(self, text: str, locate=None):
        self.locate = locate
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = [line.rstrip().replace("\xa0", " ") for line in text.split("\n")]
        self.sections: list[_Section] = []
        self.stack: list[_Section] = []
        self.paragraphs: list[_Paragraph] = []
        self.first_seen: dict[int, int] = {}
        self.agenda: list[dict] = []
        self.agenda_lines: list[str] = []
        self.warnings: list[str] = []
        self.top_roman = 0

    def where(self, number: int) -> str:
        """Where a line is, in words: "line 12", or in a document, its page or paragraph."""
        return self.locate(number) if self.locate else line_named(number)

    def warn(self, number: int, message: str) -> None:
        self.warnings.append(
            _("%(where)s: %(message)s") % {"where": self.where(number), "message": message}
        )

    # headings

    def heading(self, line: str) -> tuple[int, str, str] | None:
        """(rank, label, title) when line is a heading."""
        if line != line.lstrip():
            return None
        if match := _MARKED_HEADING.fullmatch(line):
            title = match["title"].strip()
            return self.heading(title) or (len(match["marks"]), "", title)
        if match := _UPPER_HEADING.fullmatch(line):
            label, title = match["label"], match["title"].strip()
            value = roman_value(label)
            parent = next((s for s in reversed(self.stack) if s.rank == 1), None)
            expected_letter = (
                chr(ord(parent.last_letter) + 1) if parent and parent.last_letter else "A"
            )
            if len(label) == 1 and label == expected_letter and value != self.top_roman + 1:
                return 2, label, title
            if value:
                return 1, label, title
            if len(label) == 1:
                return 2, label, title
            return None
        if (match := _LOWER_ROMAN_HEADING.fullmatch(line)) and roman_value(match["label"]):
            return 3, match["label"], match["title"].strip()
        if self.sections and is_bare_heading(line):
            return 1, "", line.strip()
        return None

    def open_section(self, number: int, rank: int, label: str, title: str) -> _Section:
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        if rank == 1 and label:
            self.top_roman = roman_value(label) or self.top_roman
        if rank == 2 and parent:
            parent.last_letter = label
        nested = bool(label) or rank > 1  # a bare heading, or "# Title", is a top part
        own_label = label or title.upper()
        key = f"{parent.key}.{own_label}" if parent and nested else own_label
        if any(s.key == key for s in self.sections):
            duplicate = key
            key = f"{key}~{sum(1 for s in self.sections if s.key.split('~')[0] == key) + 1}"
            self.warn(
                number,
                _("heading %(heading)s appears twice; kept as %(key)s")
                % {"heading": duplicate, "key": key},
            )
        kind = section_kind(title) or (parent.kind if parent else OTHER)
        section = _Section(
            key=key,
            label=label,
            title=title,
            kind=kind,
            level=len(self.stack) + 1,
            rank=rank,
            parent=parent if nested else None,
            line=number,
            intro=[],
        )
        if not nested:  # a bare heading starts a new top-level part of the report
            self.stack.clear()
        self.stack.append(section)
        self.sections.append(section)
        return section

    # paragraphs

    def start_paragraph(self, number: int, value: int, text: str) -> _Paragraph:
        if value in self.first_seen:
            raise ReportError(
                number,
                _("paragraph %(number)s is numbered twice (first at %(first)s)")
                % {"number": value, "first": self.where(self.first_seen[value])},
            )
        if self.paragraphs and value < self.paragraphs[-1].number:
            previous = self.paragraphs[-1]
            raise ReportError(
                number,
                _(
                    "paragraph %(number)s comes after paragraph %(previous)s (%(previous_at)s); "
                    "paragraph numbers must increase"
                )
                % {
                    "number": value,
                    "previous": previous.number,
                    "previous_at": self.where(previous.line),
                },
            )
        expected = self.paragraphs[-1].number + 1 if self.paragraphs else 1
        if value != expected:
            if self.paragraphs:
                warning = _(
                    "paragraph %(number)s follows paragraph %(previous)s; expected %(expected)s"
                )
            else:
                warning = _(
                    "paragraph %(number)s follows the start of the report; expected %(expected)s"
                )
            self.warn(
                number,
                warning % {"number": value, "previous": expected - 1, "expected": expected},
            )
        self.first_seen[value] = number
        paragraph = _Paragraph(value, number, self.stack[-1] if self.stack else None, [text])
        self.paragraphs.append(paragraph)
        return paragraph

    @staticmethod
    def unfinished(paragraph: _Paragraph) -> bool:
        """Whether the paragraph stops mid-sentence (as at a page break): its last words
        are a title like "Ms.", or it has no closing punctuation and is not a list."""
        last = paragraph.blocks[-1]
        if _ABBREVIATION_END.search(last):
            return True
        is_list_item = last.startswith("- ") or re.match(r"\d+\. ", last)
        return not is_list_item and not _SENTENCE_END.search(last)

    def heading_runs_on(self, paragraph: _Paragraph, line: str, heading) -> bool:
        """A line shaped like a lettered or numbered heading that goes on with the
        paragraph above: "3. The speaker, Ms." + "A. Smith, thanked the participants."."""
        _rank, label, title = heading
        if not label or line.startswith("#"):
            return False
        last = paragraph.blocks[-1]
        if _ABBREVIATION_END.search(last):
            return True
        return self.unfinished(paragraph) and title.endswith((".", ",", ";"))

    def number_runs_on(self, paragraph: _Paragraph, value: int) -> bool:
        """A numbered line that cannot be the next paragraph goes on with the one above
        ("… since" + "2020. Over the year …"): its number is far beyond the next, or it
        is not above the last while that one stops mid-sentence."""
        if value > paragraph.number + MAX_NUMBER_GAP:
            return True
        return value <= paragraph.number and self.unfinished(paragraph)

    def read_on(self, number: int, line: str, paragraph: _Paragraph, value=None) -> None:
        """Add the line to the paragraph above, and warn: staff should check the join."""
        start = Truncator(line.strip()).chars(40)
        if value is None:
            warning = _(
                "“%(text)s” is read as the rest of paragraph %(paragraph)s, not as a heading; "
                "check that paragraph"
            )
        else:
            warning = _(
                "“%(text)s” is read as the rest of paragraph %(paragraph)s, not as paragraph "
                "%(number)s; check that paragraph"
            )
        self.warn(number, warning % {"text": start, "paragraph": paragraph.number, "number": value})
        self.continue_paragraph(paragraph, line)

    @staticmethod
    def continue_paragraph(paragraph: _Paragraph, line: str) -> None:
        if bullet := _BULLET.fullmatch(line):
            paragraph.blocks.append(f"- {bullet['text'].strip()}")
        elif item := _ORDERED_ITEM.fullmatch(line):
            paragraph.blocks.append(f"{item['number']}. {item['text'].strip()}")
        else:
            text = line.strip()
            last = paragraph.blocks[-1]
            is_list_item = last.startswith("- ") or re.match(r"\d+\. ", last)
            if is_list_item and (re.search(r"[.;:!?]$", last) or not text[:1].islower()):
                paragraph.blocks.append(text)
            else:
                paragraph.blocks[-1] = join_continuation(last, text)

    # agenda

    def agenda_line(self, number: int, line: str) -> None:
        self.agenda_lines.append(line)
        stripped = line.strip()
        if not stripped:
            return
        starts, ends, time_end = parse_time_range(stripped)
        if starts and stripped[0].isdigit():  # a row begins with its time
            _time, tab, cell = stripped.partition("\t")
            cell = (cell if tab else stripped[time_end:]).strip(" \t-\u2013:|")
            topic, moderators, speakers = parse_agenda_cell(cell)
            self.agenda.append(
                {
                    "starts": starts,
                    "ends": ends,
                    "topic": topic,
                    "moderators": moderators,
                    "speakers": speakers,
                    "raw": cell,
                    "line": number,
                }
            )
        elif self.agenda:  # a cell that runs over several lines
            item = self.agenda[-1]
            item["raw"] = f"{item['raw']} {stripped}"
            topic, moderators, speakers = parse_agenda_cell(item["raw"])
            item.update(topic=topic, moderators=moderators, speakers=speakers)

    # the whole report

    def title_block_end(self) -> int:
        """Index of the first heading or numbered paragraph."""
        for index, line in enumerate(self.lines):
            if _PARAGRAPH.fullmatch(line) or (line.strip() and self.heading(line)):
                return index
        return len(self.lines)

    def parse(self) -> ParsedReport:
        if not any(line.strip() for line in self.lines):
            raise ReportError(1, _("the file is empty"))
        body_start = self.title_block_end()
        title_block = self.read_title_block(body_start)

        paragraph: _Paragraph | None = None
        for index in range(body_start, len(self.lines)):
            number, line = index + 1, self.lines[index]
            current = self.stack[-1] if self.stack else None
            heading = self.heading(line) if line.strip() else None
            if heading and paragraph and self.heading_runs_on(paragraph, line, heading):
                self.read_on(number, line, paragraph)
            elif heading:
                self.open_section(number, *heading)
                paragraph = None
            elif current and current.kind == "agenda":
                self.agenda_line(number, line)
            elif not line.strip():
                continue
            elif _PAGE_NUMBER.fullmatch(line.strip()):
                self.warn(
                    number,
                    _("“%(text)s” taken for a page number and left out") % {"text": line.strip()},
                )
            elif (match := _PARAGRAPH.fullmatch(line)) and line == line.lstrip():
                value = int(match["number"])
                if paragraph and self.number_runs_on(paragraph, value):
                    self.read_on(number, line, paragraph, value)
                else:
                    paragraph = self.start_paragraph(number, value, match["text"].strip())
            elif paragraph:
                self.continue_paragraph(paragraph, line)
            elif current:
                current.intro.append(line.strip())
            else:
                raise ReportError(number, _("text outside any section or numbered paragraph"))

        if not self.paragraphs:
            last_line = max(i for i, line in enumerate(self.lines, start=1) if line.strip())
            raise ReportError(
                last_line,
                _(
                    "no numbered paragraph found; a report's paragraphs start with "
                    "their number, like '1. The consultation …'"
                ),
            )
        return self.result(title_block)

    def read_title_block(self, end: int) -> dict:
        entries = [(i + 1, line.strip()) for i, line in enumerate(self.lines[:end]) if line.strip()]
        last_line = entries[-1][0] if entries else 1
        dated = next(((n, line, found) for n, line in entries if (found := find_date(line))), None)
        if not dated:
            raise ReportError(
                last_line,
                _(
                    "no date in the title block (lines 1–%(last)s); "
                    "expected a line like '11 April 2022, 9:00 – 12:00 (GMT+7)'"
                )
                % {"last": last_line},
            )
        date_line, date_text, (day, _time, date_end) = dated
        before = [(n, line) for n, line in entries if n < date_line]
        after = [line for n, line in entries if n > date_line]

        title_index = next(
            (i for i, (_number, line) in enumerate(before) if line[0] in _TITLE_QUOTES), None
        )
        if title_index is not None:
            title_lines = [before[title_index][1]]
            for _number, line in before[title_index + 1 :]:
                if title_lines[-1][-1] in _TITLE_QUOTES and len(title_lines[-1]) > 1:
                    break
                title_lines.append(line)
            title = " ".join(title_lines).strip(_TITLE_QUOTES + " ")
            series = " ".join(line for _number, line in before[:title_index])
        elif len(before) >= 2:
            series, title = before[0][1], " ".join(line for _number, line in before[1:])
        elif before:
            series, title = "", before[0][1]
        else:
            raise ReportError(date_line, _("no title before the date line"))
        if not title:
            raise ReportError(date_line, _("the title is empty"))

        rest = date_text[date_end:]
        starts, ends, time_end = parse_time_range(rest)
        offset = parse_offset(date_text)
        if offset is None:
            offset = UTC
            self.warn(date_line, _("no time zone (GMT+N) given; times taken as UTC"))
        if starts is None:
            self.warn(date_line, _("no start time given; midnight assumed"))
        label = rest[time_end:].strip(" ,|-\u2013\t") if starts else rest.strip(" ,|-\u2013\t")
        if re.fullmatch(r"\(([^()]*)\)", label):
            label = label[1:-1]
        starts_at = datetime.combine(day, starts or time(0), offset)
        ends_at = datetime.combine(day, ends, offset) if ends else None
        if ends_at and ends_at < starts_at:
            ends_at += timedelta(days=1)
        document_type = " ".join(line for line in after if line == line.upper())
        venue = next((line for line in after if line != line.upper()), "")
        return {
            "series": series,
            "title": title,
            "document_type": document_type,
            "date": day,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone_label": label,
            "venue": venue,
        }

    def result(self, title_block: dict) -> ParsedReport:
        paragraphs = tuple(
            ParsedParagraph(
                number=p.number,
                line=p.line,
                section_key=p.section.key if p.section else None,
                text=(text := "\n".join(p.blocks)),
                countries=countries_mentioned(text),
                gcm_objectives=numbers_named(_OBJECTIVE, text, 23),
                sdgs=numbers_named(_SDG, text, 17),
                guiding_principles=guiding_principles_named(text),
                is_recommendation=bool(p.section and p.section.kind == "recommendations"),
            )
            for p in self.paragraphs
        )
        sections = tuple(
            ParsedSection(
                key=s.key,
                label=s.label,
                title=s.title,
                kind=s.kind,
                level=s.level,
                parent_key=s.parent.key if s.parent else None,
                line=s.line,
                intro=" ".join(s.intro),
            )
            for s in self.sections
        )
        agenda = tuple(
            ParsedAgendaItem(order=order, **item) for order, item in enumerate(self.agenda, start=1)
        )
        return ParsedReport(
            **title_block,
            number_in_series=self.series_number(paragraphs),
            host_country=self.host_country(paragraphs),
            attendance=next((p.text for p in paragraphs if re.search(r"\battended\b", p.text)), ""),
            gcm_objectives=tuple(sorted({n for p in paragraphs for n in p.gcm_objectives})),
            sdgs=tuple(sorted({n for p in paragraphs for n in p.sdgs})),
            sections=sections,
            paragraphs=paragraphs,
            agenda=agenda,
            agenda_text="\n".join(self.agenda_lines).strip("\n"),
            warnings=tuple(self.warnings),
        )

    @staticmethod
    def series_number(paragraphs: tuple[ParsedParagraph, ...]) -> int | None:
        for paragraph in paragraphs[:10]:
            if match := _SERIES_NUMBER.search(paragraph.text):
                return _ORDINALS.index(match.group(1).lower()) + 1
        return None

    @staticmethod
    def host_country(paragraphs: tuple[ParsedParagraph, ...]) -> str | None:
        government = re.compile(
            r"(?:Royal )?Government of (?:the )?"
            + country_pattern().pattern.removeprefix(r"(?<!\w)")
        )
        for paragraph in paragraphs[:10]:
            if match := government.search(paragraph.text.replace("\u2019", "'")):
                return countries_mentioned(match.group(1))[0]
        return None


def parse_report(text: str, locate=None) -> ParsedReport:
    """The structure of a report's text; raises ReportError naming the line at fault.
    `locate(line)` names where a line came from, for text read out of a document
    ("page 3"); warnings and errors then name that place instead of the line."""
    parser = _Parser(text, locate)
    try:
        return parser.parse()
    except ReportError as error:
        if locate is None:
            raise
        raise ReportError(error.line, error.message, parser.where(error.line)) from error
