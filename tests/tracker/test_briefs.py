"""Country and recommendation briefs, in Word (to edit) and PDF (to print): what a delegation
reads in them. PDFs are slow to make, so each test that needs one makes one only."""

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import docx
import lxml.html
import pypdf
import pypdfium2
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from consultations.importer import import_report_file
from consultations.models import Recommendation
from tests.factories import (
    grow_commitments,
    make_commitment,
    make_country,
    make_deadline,
    make_evidence,
    make_update,
)
from tracker.briefs import DOCX_TYPE
from tracker.models import Commitment, Status

pytestmark = pytest.mark.django_db

SITE = "https://tracker.example.org"
LICENCE = ("Open Data Licence 2.0", "https://example.org/licence")
SHOWN = "Progress reviewed by the UN Network on Migration, and public evidence."
REPORT = "Border Management and Labour Migration in the COVID-19 Recovery Phase"

# What a delegation writes in its own language, and the font that must draw it.
KHMER, THAI, NEPALI = "ការងារកំពុងដំណើរការ", "กำลังดำเนินการ", "काम भइरहेको छ"
SCRIPTS = {
    "Noto Sans Khmer": (KHMER, "\u1780", "\u17ff"),
    "Noto Sans Thai": (THAI, "\u0e00", "\u0e7f"),
    "Noto Sans Devanagari": (NEPALI, "\u0900", "\u097f"),
}


# --- helpers --------------------------------------------------------------------------


def at(day: dt.date) -> dt.datetime:
    """Noon of `day`, in UTC."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@contextlib.contextmanager
def on(day: dt.date):
    """Everything done inside happens at noon of `day` (saves and their history)."""
    with mock.patch("django.utils.timezone.now", return_value=at(day)):
        yield


def today() -> dt.date:
    return timezone.localdate()


def day(value: dt.date) -> str:
    """A date as the brief writes it: 1 Jul 2025."""
    return date_format(value)


def country_brief(client, iso: str, fmt: str, **query):
    return client.get(reverse("tracker:country_brief", args=[iso, fmt]), query)


def recommendation_brief(client, code: str, fmt: str, **query):
    return client.get(reverse("tracker:recommendation_brief", args=[code, fmt]), query)


@dataclass
class WordBrief:
    """A Word brief as its reader sees it."""

    title: str
    cover: dict[str, str]
    figures: list[tuple[str, str]]
    entries: dict[str, dict[str, str]]  # by the heading above each table: {row: value}
    paragraphs: list  # python-docx paragraphs, in order
    text: str  # all of it, tables included


def read_docx(response) -> WordBrief:
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    document = docx.Document(io.BytesIO(response.content))
    tables, entries, paragraphs, heading = [], {}, [], None
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            rows = [(row.cells[0].text, row.cells[1].text) for row in block.rows]
            if heading is None:
                tables.append(rows)
            else:
                entries[heading] = dict(rows)
                heading = None
        else:
            paragraphs.append(block)
            if block.style.name == "Heading 2":
                heading = block.text
    text = "\n".join(
        [p.text for p in paragraphs]
        + [f"{label}\t{value}" for table in tables for label, value in table]
        + [f"{label}\t{value}" for rows in entries.values() for label, value in rows.items()]
    )
    title = next(p.text for p in paragraphs if p.style.name == "Title")
    return WordBrief(title, dict(tables[0]), tables[1], entries, paragraphs, text)


def by_code(brief: WordBrief) -> dict[str, dict[str, str]]:
    """A country brief's entries by recommendation code (each heading is "code title")."""
    return {heading.split()[0]: rows for heading, rows in brief.entries.items()}


def pdf_text(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def fonts_used(reader: pypdf.PdfReader) -> dict[str, dict]:
    """The fonts of the pages: {family name, e.g. "notosanskhmer": {"embedded": bool,
    "glyphs": how many glyphs the pages draw with it}}."""
    found: dict[str, dict] = {}
    for page in reader.pages:
        names = {}
        for key, ref in page["/Resources"]["/Font"].items():
            font = ref.get_object()
            family = re.sub(r"[^a-z]", "", str(font["/BaseFont"]).split("+")[-1].lower())
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font.get("/FontDescriptor", {})
            )
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.setdefault(family, {"embedded": embedded, "glyphs": 0})
            names[key] = family
        current = None
        for operands, operator in pypdf.generic.ContentStream(
            page.get_contents(), reader
        ).operations:
            if operator == b"Tf":
                current = names[operands[0]]
            elif operator in (b"Tj", b"TJ"):
                shown = operands[0] if operator == b"TJ" else operands
                for item in shown:
                    if isinstance(item, (str, bytes)):
                        raw = getattr(item, "original_bytes", item)
                        found[current]["glyphs"] += len(raw) // 2  # two bytes a glyph
    return found


def installed_fonts() -> str:
    if not shutil.which("fc-list"):
        return ""
    return subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout


def artifacts(tmp_path_factory) -> Path:
    """Where a person finds the pictures of the pages: $TEST_ARTIFACTS, or a temporary
    folder of this test run."""
    if folder := os.environ.get("TEST_ARTIFACTS"):
        path = Path(folder) / "briefs"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("briefs")


def field_errors(response, name: str) -> list[str]:
    page = lxml.html.fromstring(response.content.decode())
    return [
        " ".join(item.text_content().split())
        for item in page.xpath(
            f'//div[contains(@class, "field")][.//*[@name="{name}"]]//ul[@class="errorlist"]/li'
        )
    ]


def many_recommendations(total: int) -> None:
    """Another report, with `total` recommendations."""
    lines = [
        "Regional Consultation Series with GCM Champion Countries in Asia and the Pacific",
        "",
        "Skills Partnerships Review",
        "",
        "2024-05-02, 2:00 PM Bangkok Time (UTC+07:00)",
        "",
        "I. Outcomes of the Meeting",
        "",
        "A. Skills",
        "",
        "ii. Recommendations",
        "",
        *[
            f"{n}. Countries should take step {n} on skills, in line with GCM Objective 18."
            for n in range(1, total + 1)
        ],
    ]
    import_report_file("\n".join(lines).encode(), source_name="skills-partnerships.txt")


# --- what a brief holds -------------------------------------------------------------------


@pytest.fixture
def reported(published, settings):
    """The published world, with Cambodia's R32 planned by an accepted update that also
    gives the response, the lead agency, challenges and support needed, and an open
    deadline (and one done already)."""
    settings.SITE_URL = SITE + "/"
    settings.DATA_LICENCE_NAME, settings.DATA_LICENCE_URL = LICENCE
    make_update(
        published.kh_32,
        published.focal_kh,
        status="planned",
        narrative="Inspection plan adopted.",
        challenges="Too few inspectors.",
        support_needed="Training for inspectors.",
        response="supported",
        lead_agency="Ministry of Labour and Vocational Training",
        accepted_by=published.staff,
    )
    make_deadline(
        published.kh_32, published.staff, due_date=dt.date(2099, 3, 1), description="Submit plan"
    )
    make_deadline(
        published.kh_32,
        published.staff,
        due_date=dt.date(2030, 1, 1),
        description="Done already",
        is_done=True,
    )
    return published


def test_word_brief_of_a_country_holds_each_commitment(client, reported):
    response = country_brief(client, "kh", "docx")
    assert response["Content-Disposition"] == (
        f'attachment; filename="gcm-brief-KH-{today().isoformat()}.docx"'
    )
    assert response["Link"] == f'<{LICENCE[1]}>; rel="license"'
    brief = read_docx(response)
    assert brief.title == "Country brief: Cambodia"
    assert brief.cover == {
        "Date": day(today()),
        "Source": f"{SITE}/countries/kh/",
        "Licence": f"{LICENCE[0]} ({LICENCE[1]})",
        "Shown": SHOWN,
    }
    assert brief.figures[:3] == [
        ("With progress", "100% (2 / 2)"),
        ("Implemented", "0"),
        ("With an overdue deadline", "1"),
    ]
    assert dict(brief.figures[3:]) == {
        "Not started": "0",
        "Planned": "1",
        "In progress": "1",
        "Partially implemented": "0",
        "Implemented": "0",
        "Not applicable": "0",
    }
    entries = by_code(brief)
    assert list(entries) == ["BM22-R31", "BM22-R32"]  # every recommendation Cambodia owns
    assert entries["BM22-R31"] == {
        "Status": f"In progress ({day(today())})",
        "Government response": "No response yet",
        "Lead agency": "—",
        "Latest accepted update": f"{day(today())}: Accepted: border posts apply one rule.",
        "Public evidence": "1 Mar 2024 Public circular",
        "Open deadlines": "1 Jan 2020: Late",
        "On the tracker": f"{SITE}/recommendations/BM22-R31/#kh",
    }
    assert entries["BM22-R32"] == {
        "Status": f"Planned ({day(today())})",
        "Government response": "Supported",
        "Lead agency": "Ministry of Labour and Vocational Training",
        "Latest accepted update": f"{day(today())}: Inspection plan adopted.",
        "Challenges": "Too few inspectors.",
        "Support needed": "Training for inspectors.",
        "Public evidence": "—",
        "Open deadlines": "1 Mar 2099: Submit plan",
        "On the tracker": f"{SITE}/recommendations/BM22-R32/#kh",
    }
    # Internal evidence and updates not accepted are not in it; nor is another country.
    assert "SECRET" not in brief.text
    assert "Thailand" not in brief.text and "Later" not in brief.text
    assert "Done already" not in brief.text


def test_word_brief_says_where_each_recommendation_comes_from_and_what_statuses_mean(
    client, reported
):
    brief = read_docx(country_brief(client, "kh", "docx"))
    source = next(p for p in brief.paragraphs if p.text.startswith("Paragraph 31 of"))
    assert source.text == f"Paragraph 31 of “{REPORT}”"
    assert source.runs and all(run.italic for run in source.runs)
    text = Recommendation.objects.get(code="BM22-R31").paragraph.text
    assert text.split()[0] in brief.text and "regardless of their purpose" in brief.text
    definitions = Status.definitions()
    for status, label in Status.choices:
        assert f"{label}: {definitions[status]}" in brief.text


def test_pdf_brief_of_a_country_has_every_code_and_status(client, reported):
    response = country_brief(client, "kh", "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="gcm-brief-KH-{today().isoformat()}.pdf"'
    )
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(pdf_text(reader).split())
    for expected in [
        "Country brief: Cambodia",
        f"BM22-R31 {Recommendation.objects.get(code='BM22-R31').heading.split()[0]}",
        "BM22-R32",
        f"In progress ({day(today())})",
        f"Planned ({day(today())})",
        "Accepted: border posts apply one rule.",
        "Inspection plan adopted.",
        "Public circular",
        "1 Jan 2020: Late",
        "Ministry of Labour and Vocational Training",
        f"Licence: {LICENCE[0]}",
        f"{SITE}/countries/kh/",
        f"Country brief: Cambodia · {day(today())}",  # the foot of each page
    ]:
        assert expected in text
    assert "SECRET" not in text
    assert reader.metadata.title == "Country brief: Cambodia"
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged, for screen readers
    assert catalog["/Lang"] == "en"


def test_recommendation_brief_lists_every_country_that_owns_it(client, reported):
    nepal = make_country("NP")
    make_commitment(Recommendation.objects.get(code="BM22-R31"), nepal)
    response = recommendation_brief(client, "BM22-R31", "docx")
    assert response["Content-Disposition"] == (
        f'attachment; filename="gcm-brief-BM22-R31-{today().isoformat()}.docx"'
    )
    brief = read_docx(response)
    assert brief.title == "Recommendation brief: BM22-R31"
    assert brief.cover["Source"] == f"{SITE}/recommendations/BM22-R31/"
    assert {country: rows["Status"] for country, rows in brief.entries.items()} == {
        "Cambodia": f"In progress ({day(today())})",
        "Nepal": "Not started",
        "Thailand": "Not started",  # its update was returned, not accepted
    }
    assert brief.entries["Cambodia"]["On the tracker"] == f"{SITE}/recommendations/BM22-R31/#kh"
    assert "SECRET" not in brief.text
    nobody = read_docx(recommendation_brief(client, "BM22-R33", "docx"))
    assert "No country owns this recommendation yet." in nobody.text


# --- Khmer, Thai and Nepali ---------------------------------------------------------------


def test_pdf_draws_khmer_thai_and_devanagari_with_their_fonts(
    client, world, caplog, tmp_path_factory
):
    families = installed_fonts()
    missing = [font for font in SCRIPTS if font not in families]
    if missing:
        message = f"fonts not installed: {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    nepal = make_country("NP")
    np_32 = make_commitment(Recommendation.objects.get(code="BM22-R32"), nepal)
    for commitment, narrative, status in [
        (world.kh_32, KHMER, "in_progress"),
        (world.th_32, THAI, "planned"),
        (np_32, NEPALI, "in_progress"),
    ]:
        make_update(commitment, world.staff, status=status, narrative=narrative)

    response = recommendation_brief(client, "BM22-R32", "pdf")
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    folder = artifacts(tmp_path_factory)
    document = pypdfium2.PdfDocument(response.content)
    for number, page in enumerate(document, start=1):
        page.render(scale=2).to_pil().save(folder / f"recommendation-brief-page-{number}.png")
    (folder / "recommendation-brief.pdf").write_bytes(response.content)
    print(f"Pages of the brief, for a person to look at: {folder}")

    # Pango found a glyph for every character: none drawn as an empty box.
    assert not [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]
    fonts = fonts_used(reader)
    for font in SCRIPTS:
        family = font.replace(" ", "").lower()
        assert family in fonts, f"{font} is not in the PDF: {sorted(fonts)}"
        assert fonts[family]["embedded"], f"{font} is not embedded"
        assert fonts[family]["glyphs"] > 0, f"nothing is drawn with {font}"
    # The text can be found and copied from the PDF, in each script.
    text = pdf_text(reader)
    squeezed = "".join(text.split())
    for font, (narrative, first, last) in SCRIPTS.items():
        assert any(first <= char <= last for char in text), font
        if font == "Noto Sans Thai":
            # Sara am (ำ) is drawn with the glyph of sara aa (า) and more; the PDF maps
            # that glyph back to one of the two only, so copied text may show either.
            squeezed, narrative = squeezed.replace("ำ", "า"), narrative.replace("ำ", "า")
        assert "".join(narrative.split()) in squeezed, font
    flat = " ".join(text.split())
    for country, status in [("Cambodia", "In progress"), ("Nepal", "In progress")]:
        assert f"{country} Status {status} ({day(today())})" in flat
    assert f"Thailand Status Planned ({day(today())})" in flat
    # The foot of each page names the brief as it is written (a code with a hyphen).
    assert flat.count(f"Recommendation brief: BM22-R32 · {day(today())}") == len(reader.pages)


# --- as of a day, and addresses that lead nowhere -------------------------------------------


@pytest.fixture
def nepal(world, settings):
    """Nepal's R31 and R32, made on 1 March 2025: R31 in progress from 10 June 2025, with
    evidence from then, and implemented today with new evidence; R32 never reported on."""
    settings.SITE_URL = SITE
    r31 = Recommendation.objects.get(code="BM22-R31")
    r32 = Recommendation.objects.get(code="BM22-R32")
    with on(dt.date(2025, 3, 1)):
        country = make_country("NP")
        np_31, _np_32 = make_commitment(r31, country), make_commitment(r32, country)
    june = dt.date(2025, 6, 10)
    with on(june):
        make_evidence(np_31, world.staff, title="Draft rule", date=dt.date(2025, 6, 1))
        make_update(
            np_31,
            world.staff,
            status="in_progress",
            narrative="June: rule drafted.",
            lead_agency="Department of Immigration",
            created_at=at(june),
        )
    make_evidence(np_31, world.staff, title="Decree in force", date=dt.date(2025, 5, 1))
    make_update(
        np_31,
        world.staff,
        status="implemented",
        narrative="Today: rule in force.",
        lead_agency="Ministry of Home Affairs",
    )
    return world


def test_brief_as_of_a_day_shows_each_commitment_as_it_stood(client, nepal):
    response = country_brief(client, "np", "docx", as_of="2025-07-01")
    assert response["Content-Disposition"] == (
        'attachment; filename="gcm-brief-NP-as-of-2025-07-01.docx"'
    )
    july = read_docx(response)
    assert july.cover["As of"] == "1 Jul 2025"
    assert july.figures[0] == ("With progress", "50% (1 / 2)")
    entries = by_code(july)
    assert entries["BM22-R31"]["Status"] == "In progress (10 Jun 2025)"
    assert entries["BM22-R31"]["Lead agency"] == "Department of Immigration"
    assert entries["BM22-R31"]["Latest accepted update"] == "10 Jun 2025: June: rule drafted."
    assert entries["BM22-R31"]["Public evidence"] == "1 Jun 2025 Draft rule"  # not added yet
    assert entries["BM22-R32"]["Status"] == "Not started"
    assert "Today: rule in force." not in july.text

    march = by_code(read_docx(country_brief(client, "np", "docx", as_of="2025-03-01")))
    assert march["BM22-R31"]["Status"] == "Not started"
    assert march["BM22-R31"]["Public evidence"] == "—"
    # Before the commitments were made: Nepal owned nothing yet.
    february = read_docx(country_brief(client, "np", "docx", as_of="2025-02-28"))
    assert "This country owns no recommendation yet." in february.text

    now = by_code(read_docx(country_brief(client, "np", "docx")))
    assert now["BM22-R31"]["Status"] == f"Implemented ({day(today())})"
    assert now["BM22-R31"]["Lead agency"] == "Ministry of Home Affairs"
    assert now["BM22-R31"]["Public evidence"] == "1 May 2025 Decree in force\n1 Jun 2025 Draft rule"


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2999-01-01", "2999-01-01 is in the future: choose today or an earlier day."),
        ("nonsense", "Enter a day like 2026-06-30 (year-month-day)."),
    ],
)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_brief_asked_for_a_day_that_cannot_be_is_a_page_that_says_so(
    client, nepal, as_of, message, fmt
):
    for response in (
        country_brief(client, "np", fmt, as_of=as_of),
        recommendation_brief(client, "BM22-R31", fmt, as_of=as_of),
    ):
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "Content-Disposition" not in response
        assert field_errors(response, "as_of") == [message]
        assert reverse("tracker:progress_export", args=["csv"]) not in response.text


def test_briefs_of_what_does_not_exist_are_not_found(client, world):
    assert client.get("/countries/zz/brief.pdf").status_code == 404
    assert client.get("/countries/KH/brief.pdf").status_code == 404  # addresses are lower case
    assert client.get("/countries/KH/brief.docx").status_code == 404
    assert client.get("/countries/kh/brief.txt").status_code == 404
    assert client.get("/recommendations/XX-R1/brief.docx").status_code == 404


def test_brief_of_a_country_that_owns_nothing_says_so(client, world):
    make_country("LA")
    brief = read_docx(country_brief(client, "la", "docx"))
    assert brief.title == "Country brief: Laos"
    assert "This country owns no recommendation yet." in brief.text
    assert brief.figures[0] == ("With progress", "— (0 / 0)")
    assert brief.entries == {}


# --- cached, and flat in queries ------------------------------------------------------------


def test_a_cached_brief_is_replaced_when_an_update_is_accepted(
    client, reported, django_assert_max_num_queries
):
    first = country_brief(client, "kh", "docx")
    with django_assert_max_num_queries(1):  # from the cache
        again = country_brief(client, "kh", "docx")
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    make_update(
        reported.kh_32,
        reported.focal_kh,
        status="in_progress",
        narrative="Inspectors hired.",
        accepted_by=reported.staff,
    )
    entries = by_code(read_docx(country_brief(client, "kh", "docx")))
    assert entries["BM22-R32"]["Latest accepted update"] == f"{day(today())}: Inspectors hired."
    assert entries["BM22-R32"]["Status"] == f"In progress ({day(today())})"


def test_brief_query_count_holds_with_5_and_with_50_commitments(
    client, world, django_assert_max_num_queries
):
    Commitment.objects.exclude(pk=world.kh_31.pk).delete()
    make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    many_recommendations(50)
    queries = {"today": {}, "as of today": {"as_of": today().isoformat()}}
    counts: dict[str, list[int]] = {name: [] for name in queries}
    for total in (5, 50):
        grow_commitments(total, by=world.staff, countries=["KH"])
        for name, query in queries.items():
            with django_assert_max_num_queries(12) as captured:
                brief = read_docx(country_brief(client, "kh", "docx", **query))
            assert len(brief.entries) == total
            counts[name].append(len(captured.captured_queries))
    for name, (few, many) in counts.items():
        assert few == many, f"{name}: {few} queries with 5 commitments, {many} with 50"
