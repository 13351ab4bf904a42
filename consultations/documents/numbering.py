"""The numbers Word shows in front of automatically numbered paragraphs.

A Word document does not store "31." or "IV." in the text of a numbered paragraph: the
paragraph names a numbering (``w:numPr``: ``w:numId`` and level ``w:ilvl``), directly or
through its style, and Word counts. ``Numbering`` does the same counting from the
document's ``word/numbering.xml`` and ``word/styles.xml``, one paragraph at a time, in
document order.

What it covers, which is what reports use:

* abstract numberings (``w:abstractNum``) and their levels (``w:lvl``): ``w:start``,
  ``w:numFmt`` (decimal, decimalZero, upperRoman, lowerRoman, upperLetter, lowerLetter,
  bullet, none), ``w:lvlText`` ("%1.", "%1.%2", "(%1)"), ``w:lvlRestart`` and
  ``w:isLgl`` (shallower levels shown as decimals);
* numbering instances (``w:num``) with ``w:lvlOverride``: ``w:startOverride`` and a
  replacement ``w:lvl``;
* ``w:numStyleLink`` / ``w:styleLink`` (a numbering defined by a list style);
* numbering through a paragraph style (``w:pStyle`` → the style's ``w:numPr``), following
  ``w:basedOn``, with the level taken from the paragraph, the style, or the level whose
  ``w:pStyle`` names the style; ``w:numId`` 0 switches numbering off;
* counters: instances of one abstract numbering share their counters (Word continues the
  list) unless an instance overrides a level, which gives it counters of its own; when a
  level is used, the deeper levels start again (as ``w:lvlRestart`` allows).

What it does not: other number formats (ordinal, cardinalText, Asian and Hebrew
counting, ...) are shown as decimals; a picture bullet (``w:lvlPicBulletId``) is a bullet
like any other; the order in which Word applies a ``w:startOverride`` when several
instances are used alternately is simplified to "the overriding instance counts on its
own"; a level never used before is shown with its start value; fields (LISTNUM, SEQ) and
numbers in text boxes, headers or footers are not counted.
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = {"w": W}
LEVELS = 9
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def w(tag: str) -> str:
    """The qualified name of a WordprocessingML tag: w("p") is "{…/main}p"."""
    return f"{{{W}}}{tag}"


def _value(element: etree._Element | None, attribute: str = "val") -> str | None:
    return None if element is None else element.get(w(attribute))


def whole_number(
    text: str | None, default: int | None = None, low: int = 0, high: int = 32767
) -> int | None:
    """A whole number from an attribute, or default when missing or out of range."""
    if text is None:
        return default
    try:
        number = int(text.strip())
    except ValueError:
        return default
    return number if low <= number <= high else default


def parse(xml: str | bytes) -> etree._Element:
    """An XML part as an element, without resolving entities or fetching anything."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    return etree.fromstring(xml, _PARSER)


# --- styles ---------------------------------------------------------------------------


class Styles:
    """The styles of a document (``word/styles.xml``), with their ``w:basedOn`` chains."""

    def __init__(self, styles: etree._Element | None = None):
        self._styles: dict[str, etree._Element] = {}
        self._found: dict[tuple[str | None, str], etree._Element | None] = {}
        self.default_paragraph: str | None = None
        if styles is None:
            return
        for style in styles.iterfind("w:style", NAMESPACES):
            style_id = _value(style, "styleId")
            if style_id is None or style_id in self._styles:
                continue
            self._styles[style_id] = style
            is_default = _value(style, "default") in ("1", "true", "on")
            if is_default and _value(style, "type") == "paragraph":
                self.default_paragraph = self.default_paragraph or style_id

    def chain(self, style_id: str | None) -> Iterator[str]:
        """The style and those it is based on, nearest first."""
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            yield style_id
            style_id = _value(self._styles[style_id].find("w:basedOn", NAMESPACES))

    def name(self, style_id: str) -> str:
        """The style's name ("heading 1", "List Bullet"), or its id when it has none."""
        style = self._styles.get(style_id)
        name = _value(style.find("w:name", NAMESPACES)) if style is not None else None
        return name or style_id

    def inherited(self, style_id: str | None, path: str) -> etree._Element | None:
        """The first element at path ("w:pPr/w:outlineLvl") along the style's chain."""
        if (style_id, path) not in self._found:
            self._found[style_id, path] = next(
                (
                    found
                    for each in self.chain(style_id)
                    if (found := self._styles[each].find(path, NAMESPACES)) is not None
                ),
                None,
            )
        return self._found[style_id, path]

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """The numbering (numId, level) a paragraph of this style gets from it."""
        num_id = _value(self.inherited(style_id, "w:pPr/w:numPr/w:numId"))
        level = whole_number(_value(self.inherited(style_id, "w:pPr/w:numPr/w:ilvl")), None, 0, 8)
        return num_id, level


# --- numbering ------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One level of a numbering definition."""

    start: int = 1
    format: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart: restart after this level (1-based); 0: never
    style: str | None = None  # w:pStyle: the paragraph style tied to this level
    legal: bool = False
    picture: bool = False

    @classmethod
    def read(cls, lvl: etree._Element, index: int) -> "Level":
        fmt = _value(lvl.find("w:numFmt", NAMESPACES)) or "decimal"
        text = _value(lvl.find("w:lvlText", NAMESPACES))
        legal = lvl.find("w:isLgl", NAMESPACES)
        return cls(
            start=whole_number(_value(lvl.find("w:start", NAMESPACES)), 1),
            format=fmt,
            text=f"%{index + 1}." if text is None else text,
            restart=whole_number(_value(lvl.find("w:lvlRestart", NAMESPACES)), None, 0, LEVELS),
            style=_value(lvl.find("w:pStyle", NAMESPACES)),
            legal=legal is not None and _value(legal) not in ("0", "false", "off"),
            picture=lvl.find("w:lvlPicBulletId", NAMESPACES) is not None,
        )


@dataclass(frozen=True)
class Label:
    """What Word shows in front of one numbered paragraph."""

    text: str  # "31.", "IV.", "1.2", or the bullet character
    level: int  # w:ilvl, 0 for the outermost level
    format: str  # the level's w:numFmt: "decimal", "upperRoman", "bullet", ...
    list_key: str  # the same for every paragraph counted by the same counters

    @property
    def is_bullet(self) -> bool:
        return self.format == "bullet"


def _roman(number: int) -> str:
    if not 0 < number < 4000:
        return str(number)
    numerals = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    written = ""
    for value, numeral in numerals:
        count, number = divmod(number, value)
        written += numeral * count
    return written


def _letter(number: int) -> str:
    """Word's letters: A … Z, then AA, BB … ZZ, then AAA."""
    if number < 1:
        return str(number)
    return chr(ord("A") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def format_number(number: int, fmt: str) -> str:
    """A counter's value as the level's w:numFmt shows it."""
    if fmt == "upperRoman":
        return _roman(number)
    if fmt == "lowerRoman":
        return _roman(number).lower()
    if fmt == "upperLetter":
        return _letter(number)
    if fmt == "lowerLetter":
        return _letter(number).lower()
    if fmt == "decimalZero":
        return f"{number:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(number)


class Numbering:
    """The numbering definitions of one document and the counters Word keeps while
    numbering its paragraphs; ask ``label`` for each paragraph in document order."""

    def __init__(self, numbering: etree._Element | None = None, styles: Styles | None = None):
        self.styles = styles or Styles()
        self._abstracts: dict[str, etree._Element] = {}
        self._instances: dict[str, etree._Element] = {}
        self._counters: dict[str, list[int | None]] = {}
        self._defined: dict[str, tuple[str, list[Level | None]] | None] = {}
        if numbering is not None:
            for abstract in numbering.iterfind("w:abstractNum", NAMESPACES):
                self._abstracts.setdefault(_value(abstract, "abstractNumId") or "", abstract)
            for instance in numbering.iterfind("w:num", NAMESPACES):
                self._instances.setdefault(_value(instance, "numId") or "", instance)

    @classmethod
    def from_xml(
        cls, numbering_xml: str | bytes | None = None, styles_xml: str | bytes | None = None
    ) -> "Numbering":
        """Numbering from the text of ``numbering.xml`` and ``styles.xml``."""
        return cls(
            parse(numbering_xml) if numbering_xml else None,
            Styles(parse(styles_xml) if styles_xml else None),
        )

    # definitions

    def _abstract(self, num_id: str) -> tuple[str, etree._Element] | None:
        """The abstract numbering an instance counts with, through list-style links."""
        for _hop in range(4):
            instance = self._instances.get(num_id)
            if instance is None:
                return None
            abstract_id = _value(instance.find("w:abstractNumId", NAMESPACES))
            abstract = self._abstracts.get(abstract_id or "")
            if abstract is None or abstract_id is None:
                return None
            link = _value(abstract.find("w:numStyleLink", NAMESPACES))
            if link is None:
                return abstract_id, abstract
            linked = _value(self.styles.inherited(link, "w:pPr/w:numPr/w:numId"))
            if linked is None or linked == num_id:
                return None
            num_id = linked
        return None

    def _levels(self, num_id: str) -> tuple[str, list[Level | None]] | None:
        """The counters' key and the nine levels of an instance, overrides applied."""
        found = self._abstract(num_id)
        if found is None:
            return None
        abstract_id, abstract = found
        levels: list[Level | None] = [None] * LEVELS
        for lvl in abstract.iterfind("w:lvl", NAMESPACES):
            index = whole_number(_value(lvl, "ilvl"), None, 0, LEVELS - 1)
            if index is not None and levels[index] is None:
                levels[index] = Level.read(lvl, index)
        key = f"abstract {abstract_id}"
        instance = self._instances[num_id]
        for override in instance.iterfind("w:lvlOverride", NAMESPACES):
            index = whole_number(_value(override, "ilvl"), None, 0, LEVELS - 1)
            if index is None:
                continue
            key = f"instance {num_id}"
            lvl = override.find("w:lvl", NAMESPACES)
            if lvl is not None:
                levels[index] = Level.read(lvl, index)
            start = whole_number(_value(override.find("w:startOverride", NAMESPACES)))
            if start is not None:
                levels[index] = replace(levels[index] or Level(), start=start)
        return key, levels

    # counting

    def label(
        self, style_id: str | None = None, num_id: str | None = None, level: int | None = None
    ) -> Label | None:
        """The label of the next paragraph with this style and numbering (the paragraph's
        own ``w:numId`` and ``w:ilvl``, when it has them); None when it is not numbered."""
        style_id = style_id or self.styles.default_paragraph
        from_style = num_id is None
        style_num, style_level = self.styles.numbering(style_id)
        if from_style:
            num_id = style_num
        if not num_id or num_id.strip() == "0":
            return None
        if num_id not in self._defined:
            self._defined[num_id] = self._levels(num_id)
        if self._defined[num_id] is None:
            return None
        key, levels = self._defined[num_id]
        if level is None and from_style:
            level = style_level
            if level is None:
                tied = {each.style: index for index, each in enumerate(levels) if each}
                level = next((tied[s] for s in self.styles.chain(style_id) if s in tied), 0)
        level = level or 0
        definition = levels[level]
        if definition is None:
            return None
        counters = self._counters.setdefault(key, [None] * LEVELS)
        current = counters[level]
        counters[level] = definition.start if current is None else current + 1
        for deeper in range(level + 1, LEVELS):
            restart = levels[deeper].restart if levels[deeper] else None
            if restart is None or level < restart:
                counters[deeper] = None
        fmt = "bullet" if definition.picture else definition.format
        return Label(self._text(definition, levels, counters), level, fmt, key)

    @staticmethod
    def _text(definition: Level, levels: list[Level | None], counters: list[int | None]) -> str:
        if definition.format == "bullet" or definition.picture:
            return definition.text
        text, index = "", 0
        pattern = definition.text
        while index < len(pattern):
            char = pattern[index]
            following = pattern[index + 1 : index + 2]
            if char == "%" and following.isdigit() and 1 <= int(following) <= LEVELS:
                shown = levels[int(following) - 1]
                value = counters[int(following) - 1]
                if value is None:
                    value = shown.start if shown else 1
                fmt = shown.format if shown else "decimal"
                if definition.legal and fmt != "none":
                    fmt = "decimal"
                text += format_number(value, fmt)
                index += 2
            else:
                text += char
                index += 1
        return text

    def paragraph_label(self, paragraph: etree._Element) -> Label | None:
        """The label of a ``w:p`` element, from its ``w:pPr`` (call in document order)."""
        properties = paragraph.find("w:pPr", NAMESPACES)
        if properties is None:
            return self.label()
        style_id = _value(properties.find("w:pStyle", NAMESPACES))
        num_pr = properties.find("w:numPr", NAMESPACES)
        num_id = _value(num_pr.find("w:numId", NAMESPACES)) if num_pr is not None else None
        level = None
        if num_pr is not None:
            level = whole_number(_value(num_pr.find("w:ilvl", NAMESPACES)), None, 0, LEVELS - 1)
        if num_id is None and level is not None:  # a level of the style's numbering
            style_num, _style_level = self.styles.numbering(style_id or None)
            return self.label(style_id, style_num, level) if style_num else None
        return self.label(style_id, num_id, level)
