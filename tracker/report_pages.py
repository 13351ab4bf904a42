"""A report's public pages: its paragraphs in reading order, at most PARAGRAPHS a page.

Sections stay whole on a page where they fit; a longer one goes on over the pages it
needs, its heading repeated at the top of each. The order is read from the paragraphs'
numbers and sections alone; only the paragraphs of the page shown are read whole, with
their recommendations, so a report of a thousand recommendations costs a page of them.
"""

from dataclasses import dataclass

from consultations.models import Consultation, Paragraph, Section
from tracker import links

PARAGRAPHS = 100


@dataclass
class Part:
    """A section (None: the paragraphs before the first heading) on one page, or the part
    of it there: `starts` on this page, `ends` on it."""

    section: Section | None
    paragraphs: list
    starts: bool = True
    ends: bool = True


def pages_of(consultation: Consultation) -> list[list[Part]]:
    """The report's pages, each a list of parts whose paragraphs are (id, number) pairs.
    Reads the consultation's sections (prefetched or not) and one narrow query."""
    rows = (
        Paragraph.objects.in_report()
        .filter(consultation=consultation)
        .order_by("number")
        .values_list("section_id", "pk", "number")
    )
    by_section: dict[int | None, list[tuple[int, int]]] = {}
    for section, pk, number in rows:
        by_section.setdefault(section, []).append((pk, number))
    outline = [(None, by_section[None])] if None in by_section else []
    outline += [(s, by_section.get(s.pk, [])) for s in consultation.sections.all()]
    return arrange(outline)


def arrange(outline: list[tuple[Section | None, list]]) -> list[list[Part]]:
    """The report in reading order, [(section, its paragraphs)], as pages of at most
    PARAGRAPHS paragraphs: a section on the page it fits on, a longer one over as many as
    it needs; a heading with no paragraph of its own on the page of what follows it."""
    pages: list[list[Part]] = [[]]
    size = 0
    waiting: list[Part] = []
    for section, paragraphs in outline:
        if not paragraphs:
            waiting.append(Part(section, []))
            continue
        chunks = [paragraphs[at : at + PARAGRAPHS] for at in range(0, len(paragraphs), PARAGRAPHS)]
        for index, chunk in enumerate(chunks):
            if size and size + len(chunk) > PARAGRAPHS:
                pages.append([])
                size = 0
            pages[-1] += waiting
            waiting = []
            pages[-1].append(Part(section, chunk, index == 0, index == len(chunks) - 1))
            size += len(chunk)
    pages[-1] += waiting
    return pages


def page_holding(pages: list[list[Part]], number: int) -> int | None:
    """The page (from 1) that holds paragraph `number`."""
    for index, parts in enumerate(pages, start=1):
        if any(found == number for part in parts for _pk, found in part.paragraphs):
            return index
    return None


def starts(pages: list[list[Part]]) -> dict[int, int]:
    """The page (from 1) each section starts on, by the section's id."""
    found: dict[int, int] = {}
    for index, parts in enumerate(pages, start=1):
        for part in parts:
            if part.section is not None and part.starts:
                found.setdefault(part.section.pk, index)
    return found


@dataclass(slots=True)
class ParagraphRecommendation:
    """A paragraph's recommendation as the page shows it: its code, its page, and the
    summary of its countries' statuses the view sets."""

    pk: int
    code: str
    status_summary: str = ""

    def get_absolute_url(self) -> str:
        return links.recommendation_path(self.code)


@dataclass(slots=True)
class ShownParagraph:
    number: int
    text: str
    recommendation: ParagraphRecommendation | None

    @property
    def anchor(self) -> str:
        return Paragraph.anchor_of(self.number)


def read(parts: list[Part]) -> list[Part]:
    """The parts of one page with their paragraphs' numbers, texts and recommendations,
    read as values (one query; a hundred paragraphs and their recommendations as objects
    cost three times as much)."""
    ids = [pk for part in parts for pk, _number in part.paragraphs]
    rows = Paragraph.objects.filter(pk__in=ids).values_list(
        "pk", "number", "text", "recommendation__pk", "recommendation__code"
    )
    paragraphs = {
        pk: ShownParagraph(
            number, text, ParagraphRecommendation(recommendation, code) if recommendation else None
        )
        for pk, number, text, recommendation, code in rows
    }
    return [
        Part(part.section, [paragraphs[pk] for pk, _n in part.paragraphs], part.starts, part.ends)
        for part in parts
    ]
