"""Country and recommendation briefs: what a delegation brings to the IMRF, as Word (to edit)
and PDF (to print).

A brief reads its commitments with the progress table's own filter and its exports' query
(CommitmentFilter, ProgressResource.rows_of), so brief and table never disagree; as of a
day, each commitment is as it stood then. Only accepted progress and public evidence.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consultations.templatetags.report_text import plain_text
from tracker import links
from tracker.filters import CommitmentFilter
from tracker.languages import english_version, original_named
from tracker.models import Commitment, Deadline, Evidence, Figures, ProgressUpdate, Status
from tracker.resources import ProgressResource
from tracker.templatetags.languages import title_lang

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Entry:
    """One commitment, as the brief shows it."""

    code: str
    heading: str
    heading_lang: str  # ` lang="en"` when the heading is untranslated English, else ""
    paragraph: int
    consultation: str
    text: str
    country: str
    status: str
    status_label: str
    status_date: dt.date | None
    response: str
    lead_agency: str
    update: ProgressUpdate | None
    note: str
    evidence: list[Evidence]
    deadlines: list[Deadline]
    url: str


@dataclass
class Brief:
    kind: str  # "country" or "recommendation"
    title: str
    subject: str
    source_url: str
    as_of: dt.date | None
    figures: Figures
    entries: list[Entry]
    generated_on: dt.date = field(default_factory=timezone.localdate)
    intro: str = ""  # the recommendation's text, for a recommendation brief

    @property
    def licence(self) -> dict:
        return {"name": settings.DATA_LICENCE_NAME, "url": settings.DATA_LICENCE_URL}

    @property
    def statuses(self) -> list[tuple[str, str, str, int]]:
        """(status, label, definition, how many commitments have it)."""
        return [
            (status, label, meaning, self.figures.counts.get(status, 0))
            for status, label, meaning in Status.legend()
        ]

    @property
    def day(self) -> str:
        return date_format(self.as_of or self.generated_on)


def read(commitments, data: dict) -> tuple[CommitmentFilter, list[Entry] | None]:
    """The entries of `commitments` for the brief's query `data` (as_of); None when a value
    is not valid (the filter says which)."""
    filters = CommitmentFilter(data, queryset=commitments)
    if not filters.is_valid():
        return filters, None
    as_of = filters.dates().get("as_of")
    evidence = Evidence.objects.public_on(as_of).order_by("date", "pk")
    rows = list(
        ProgressResource.rows_of(filters.qs).prefetch_related(
            Prefetch("evidence", queryset=evidence, to_attr="brief_evidence"),
            Prefetch(
                "deadlines",
                queryset=Deadline.objects.public().open().order_by("due_date", "pk"),
                to_attr="open_deadlines",
            ),
        )
    )
    if as_of:
        Commitment.as_they_stood(rows)
    entries = []
    for c in rows:
        recommendation = c.recommendation
        update = c.latest_accepted_update
        entries.append(
            Entry(
                code=recommendation.code,
                heading=recommendation.heading,
                heading_lang=title_lang(recommendation),
                paragraph=recommendation.paragraph.number,
                consultation=recommendation.consultation.title,
                text=plain_text(recommendation.paragraph.text),
                country=c.country.name,
                status=c.status,
                status_label=c.get_status_display(),
                status_date=c.status_date,
                response=c.get_response_display(),
                lead_agency=c.lead_agency,
                update=update,
                note=update.narrative if update else "",
                evidence=c.brief_evidence,
                deadlines=c.open_deadlines,
                url=links.commitment_page(recommendation.code, c.country.code.code),
            )
        )
    return filters, entries


def figures_of(entries: list[Entry]) -> Figures:
    counts = dict.fromkeys(Status.values, 0)
    for entry in entries:
        counts[entry.status] = counts.get(entry.status, 0) + 1
    today = timezone.localdate()
    overdue = sum(any(d.due_date < today for d in entry.deadlines) for entry in entries)
    return Figures(counts, overdue)


def country_brief(country, entries: list[Entry], as_of) -> Brief:
    return Brief(
        kind="country",
        title=_("Country brief: %(country)s") % {"country": country.name},
        subject=country.name,
        source_url=links.absolute(country.get_absolute_url()),
        as_of=as_of,
        figures=figures_of(entries),
        entries=entries,
    )


def recommendation_brief(recommendation, entries: list[Entry], as_of) -> Brief:
    return Brief(
        kind="recommendation",
        title=_("Recommendation brief: %(code)s") % {"code": recommendation.code},
        subject=f"{recommendation.code} {recommendation.heading}",
        source_url=links.recommendation_page(recommendation.code),
        as_of=as_of,
        figures=figures_of(entries),
        entries=entries,
        intro=plain_text(recommendation.paragraph.text),
    )


# --- PDF --------------------------------------------------------------------------------


def pdf_bytes(brief: Brief) -> bytes:
    """Through WeasyPrint (Pango shapes Khmer, Thai and Devanagari with the Noto fonts),
    tagged for accessibility (PDF/UA-1)."""
    # Imported when a PDF is asked for: it is slow to load.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("tracker/briefs/brief.html", {"brief": brief})
    # The brief is self-contained: nothing (an address someone typed, say) is fetched.
    nothing = URLFetcher(allowed_protocols=())
    document = HTML(string=html, base_url=settings.SITE_URL, url_fetcher=nothing)
    return document.write_pdf(pdf_variant="pdf/ua-1")


# --- Word -------------------------------------------------------------------------------


def docx_bytes(brief: Brief) -> bytes:
    """A plain document with Word's own styles (Title, Heading 1 and 2, tables), so that a
    ministry can edit it."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = brief.title
    document.core_properties.subject = brief.subject
    document.styles["Normal"].font.size = Pt(10.5)
    document.add_heading(brief.title, level=0)
    if brief.intro:
        document.add_paragraph(brief.intro)
    cover = document.add_table(rows=0, cols=2)
    cover.style = "Table Grid"
    for label, value in _cover_rows(brief):
        cells = cover.add_row().cells
        cells[0].text, cells[1].text = label, value

    document.add_heading(_("Headline figures"), level=1)
    figures = document.add_table(rows=0, cols=2)
    figures.style = "Table Grid"
    for label, value in _figure_rows(brief):
        cells = figures.add_row().cells
        cells[0].text, cells[1].text = label, value

    document.add_heading(_("Recommendations") if brief.kind == "country" else _("Countries"), 1)
    if not brief.entries:
        document.add_paragraph(_nothing_message(brief))
    for entry in brief.entries:
        if brief.kind == "country":
            document.add_heading(f"{entry.code} {entry.heading}", level=2)
            document.add_paragraph().add_run(
                _("Paragraph %(number)s of “%(report)s”")
                % {"number": entry.paragraph, "report": entry.consultation}
            ).italic = True
            document.add_paragraph(entry.text)
        else:
            document.add_heading(entry.country, level=2)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in _entry_rows(entry):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value

    document.add_heading(_("What the statuses mean"), level=1)
    for _status, label, definition, _count in brief.statuses:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(definition)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cover_rows(brief: Brief) -> list[tuple[str, str]]:
    return [
        (_("As of") if brief.as_of else _("Date"), brief.day),
        (_("Source"), brief.source_url),
        (_("Licence"), f"{brief.licence['name']} ({brief.licence['url']})"),
        (_("Shown"), _("Progress reviewed by the UN Network on Migration, and public evidence.")),
    ]


def _figure_rows(brief: Brief) -> list[tuple[str, str]]:
    figures = brief.figures
    share = f"{figures.share}%" if figures.share is not None else "—"
    rows = [
        (_("With progress"), f"{share} ({figures.with_progress} / {figures.applicable})"),
        (_("Implemented"), str(figures.implemented)),
        (_("With an overdue deadline"), str(figures.overdue)),
    ]
    rows += [(label, str(count)) for _status, label, _meaning, count in brief.statuses]
    return rows


def _entry_rows(entry: Entry) -> list[tuple[str, str]]:
    update = entry.update
    status = entry.status_label
    if entry.status_date:
        status += f" ({date_format(entry.status_date)})"
    rows = [
        (_("Status"), status),
        (_("Government response"), entry.response),
        (_("Lead agency"), entry.lead_agency or "—"),
        (
            _("Latest accepted update"),
            f"{date_format(timezone.localdate(update.created_at))}: {as_read(update, 'narrative')}"
            if update
            else "—",
        ),
    ]
    if update and update.challenges:
        rows.append((_("Challenges"), as_read(update, "challenges")))
    if update and update.support_needed:
        rows.append((_("Support needed"), as_read(update, "support_needed")))
    evidence = [
        f"{date_format(item.date)} {item.title}" + (f" <{item.url}>" if item.url else "")
        for item in entry.evidence
    ]
    rows.append((_("Public evidence"), "\n".join(evidence) or "—"))
    deadlines = [f"{date_format(d.due_date)}: {d.description}" for d in entry.deadlines]
    rows.append((_("Open deadlines"), "\n".join(deadlines) or "—"))
    rows.append((_("On the tracker"), entry.url))
    return rows


def _nothing_message(brief: Brief) -> str:
    if brief.kind == "country":
        return _("This country owns no recommendation yet.")
    return _("No country owns this recommendation yet.")


def as_read(update, field: str) -> str:
    """A text of the update as an English brief gives it: its English version, when it has
    one, with the original beneath; otherwise as written."""
    original, english = getattr(update, field), english_version(update, field)
    return f"{english}\n{original_named(update)}: {original}" if english else original
