"""Reports read from PDF: a PDF made from the shipped report reads as its text does;
running headers and footers, page numbers, page breaks and hyphens are dealt with; files
that cannot or should not be read are refused in plain words, within the time and
memory limits. The PDFs are made here, from HTML, or written byte by byte."""

import base64
import html
import io
import re
import zlib
from pathlib import Path

import pytest
import weasyprint
from PIL import Image
from pypdf import PdfReader, PdfWriter

import consultations
from consultations.documents import DocumentError
from consultations.documents import limits as reader
from consultations.documents.pdf import PdfText, pdf_text
from consultations.report_parser import ReportError, parse_report

SHIPPED = (
    Path(consultations.__file__).parent
    / "reports"
    / "2022-04-11-border-management-labour-migration.txt"
)
HEADER = "GCM Champion Series \u2013 Summary report"
FOOTERS = {
    "page N of M": '"Page " counter(page) " of " counter(pages)',
    "N": "counter(page)",
    "- N -": '"- " counter(page) " -"',
    "N/M": 'counter(page) "/" counter(pages)',
}


# --- making PDFs ----------------------------------------------------------------------


def page_css(footer: str = FOOTERS["page N of M"], size: str = "A4") -> str:
    return f"""
    @page {{
        size: {size};
        margin: 2.5cm 2cm;
        @top-center {{ content: "{HEADER}"; font-size: 9pt }}
        @bottom-center {{ content: {footer}; font-size: 9pt }}
    }}
    body {{ font-family: "DejaVu Serif"; font-size: 11pt; text-align: justify }}
    p, li {{ margin: 0 0 6pt }}
    .title {{ text-align: center; font-weight: bold; font-size: 14pt }}
    """


def render(body: str, css: str = "", **page) -> bytes:
    style = page_css(**page) + css
    return weasyprint.HTML(
        string=f"<html><head><style>{style}</style></head>{body}</html>"
    ).write_pdf()


def inline(text: str) -> str:
    """A line of the text format in HTML: **bold**, *italic*."""
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)


_HEADING = re.compile(r"(?P<label>[IVXLC]{1,6}|[A-Z]|[ivxlc]{1,6})\.\s+\S")


def report_html(text: str) -> str:
    """The body of a report laid out as a publisher would: the title block centred and
    bold, headings by level, each line of the text a paragraph, bullet lines a list,
    the agenda a table of two columns."""
    out, bullets, in_body = [], [], False

    def end_list():
        if bullets:
            out.append("<ul>" + "".join(f"<li>{inline(b)}</li>" for b in bullets) + "</ul>")
            bullets.clear()

    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if bullet := re.match(r"\s*-\s+(.*)", line):
            bullets.append(bullet.group(1))
            continue
        end_list()
        if stripped == "AGENDA":
            out.append("<h2>AGENDA</h2><table>")
            for row in lines[index + 1 :]:
                if "\t" in row:
                    hours, cell = row.split("\t", 1)
                    out.append(
                        f"<tr><td style='white-space: nowrap; vertical-align: top'>"
                        f"{html.escape(hours)}</td><td>{cell}</td></tr>"
                    )
            out.append("</table>")
            break
        if (heading := _HEADING.match(line)) and not line[0].isdigit():
            in_body = True
            label = heading["label"]
            tag = "h4" if label.islower() else "h3" if len(label) == 1 and label != "I" else "h2"
            out.append(f"<{tag}>{inline(stripped)}</{tag}>")
        else:
            kind = "" if in_body else " class='title'"
            out.append(f"<p{kind}>{inline(stripped)}</p>")
    end_list()
    return "<body>" + "".join(out) + "</body>"


def pdf_file(*objects: bytes) -> bytes:
    """A PDF written byte by byte: object 1 is the catalog."""
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def one_page_pdf(page_entries: bytes = b"", content: bytes = b"", stream_entries: bytes = b""):
    return pdf_file(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << >> " + page_entries + b">>",
        b"<< /Length %d %s>>\nstream\n" % (len(content), stream_entries) + content + b"\nendstream",
    )


def inflating_to(size: int, chunk: int = 16 * 1024 * 1024) -> bytes:
    """A zlib stream of `size` zero bytes (a multiple of `chunk`), made in a moment: after
    a full flush the compressor starts afresh, so every further chunk of zeros compresses
    to the same bytes, and those are repeated rather than computed."""
    zeros = bytes(chunk)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert again == first
    deflated = first * (size // chunk) + compressor.flush()
    checksum = ((size % 65521) << 16) | 1  # Adler-32 of zeros: A = 1, B = size
    return b"\x78\xda" + deflated + checksum.to_bytes(4, "big")


def refusal(data: bytes) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        pdf_text(data)
    return caught.value


def shape(report) -> dict:
    """What an import takes from a report, the agenda's times aside."""
    return {
        "title block": (
            report.series,
            report.title,
            report.document_type,
            report.starts_at,
            report.ends_at,
            report.timezone_label,
            report.venue,
        ),
        "sections": [(s.key, s.title, s.kind, s.parent_key) for s in report.sections],
        "paragraphs": [(p.number, p.section_key, p.text) for p in report.paragraphs],
        "recommendations": [p.number for p in report.recommendations],
        "agenda times": [(item.starts, item.ends) for item in report.agenda],
    }


@pytest.fixture(scope="module")
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


# --- the shipped report ---------------------------------------------------------------


LAYOUTS = {
    "justified, space between paragraphs": "",
    "no space between paragraphs": "p, li, h2, h3, h4 { margin: 0 }",
    "ragged right, sans-serif 10pt": (
        'body { text-align: left; font-family: "Liberation Sans"; font-size: 10pt }'
    ),
}


@pytest.mark.parametrize("css", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_a_pdf_of_the_shipped_report_reads_as_its_text_does(shipped_text, css):
    pdf = render(report_html(shipped_text), css)
    extracted = pdf_text(pdf)

    from_text, from_pdf = parse_report(shipped_text), parse_report(extracted.text)
    assert shape(from_pdf) == shape(from_text)
    assert len(from_pdf.paragraphs) == 74
    assert "**GCM Objective 5**" in from_pdf.paragraphs[5].text
    assert "*Guidance for Responsible Purchasing Practice*" in from_pdf.paragraphs[29].text
    assert from_pdf.warnings == from_text.warnings
    assert extracted.warnings == ()
    assert HEADER not in extracted.text
    assert not re.search(r"Page \d+ of \d+", extracted.text)


def test_each_line_names_its_page(shipped_text):
    pdf = render(report_html(shipped_text))
    extracted = pdf_text(pdf)
    lines = extracted.text.split("\n")
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]

    assert isinstance(extracted, PdfText)
    assert len(extracted.places) == len(lines)
    assert extracted.places[0] == "page 1"
    for line, place in zip(lines, extracted.places, strict=True):
        start = " ".join(line.strip(" -").replace("*", "").split()[:3])
        assert start in pages[int(place.removeprefix("page ")) - 1], (place, line)
    assert extracted.places[-1] == f"page {len(pages)}"


def long_report(text: str, copies: int = 6) -> str:
    """The shipped report with its body repeated, paragraphs numbered on (about 60 pages)."""
    head, body = text.split("I. Background", 1)
    body = "I. Background" + body.split("AGENDA")[0]
    parts, offset = [head], 0
    for _copy in range(copies):
        parts.append(re.sub(r"(?m)^(\d+)\. ", lambda m, o=offset: f"{int(m.group(1)) + o}. ", body))
        offset += 74
    return "\n".join(parts)


def test_a_report_of_sixty_pages_reads_as_its_text_does(shipped_text):
    """(How long it takes is measured by `make bench`.)"""
    long_text = long_report(shipped_text)
    pdf = render(report_html(long_text))
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 60

    extracted = pdf_text(pdf)
    from_text, from_pdf = parse_report(long_text), parse_report(extracted.text)
    assert len(from_pdf.paragraphs) == 6 * 74
    assert shape(from_pdf) == shape(from_text)


# --- headers, footers, page numbers, page breaks, hyphens -----------------------------

LONG_SENTENCE = (
    "Participants discussed how labour migration pathways could be made faster, cheaper "
    "and safer for workers and their families, and how countries of origin and "
    "destination could share data on the recruitment, deployment and return of migrants. "
)
SMALL_REPORT = f"""<body>
<p class="title">Regional Consultation Series</p>
<p class="title">\u201cA Short Report\u201d</p>
<p class="title">3 May 2023, 10:00 \u2013 12:00 (GMT+7)</p>
<p class="title">Bangkok</p>
<h2>I. Background</h2>
<p>1. The consultation opened with a welcome.</p>
<p>2. {LONG_SENTENCE * 6}The session closed at noon.</p>
<p>3. Speakers praised the cross-<br>border cooperation led by Rebecca Napier-<br>Moore,
the 2019\u2013<br>2020 plan and the www.ilo.org/<br>asia pages.</p>
<p style="width: 9.5em">4. The inter&shy;national partners agreed.</p>
<h2>II. Recommendations</h2>
<ul><li><b>Goal 8</b> \u2013 {LONG_SENTENCE}</li></ul>
<p>5. Countries should keep borders open.</p>
</body>"""
SMALL_PARAGRAPHS = [
    (1, "The consultation opened with a welcome."),
    (2, f"{LONG_SENTENCE * 6}The session closed at noon."),
    (
        3,
        "Speakers praised the cross-border cooperation led by Rebecca Napier-Moore, the "
        "2019\u20132020 plan and the www.ilo.org/asia pages.",
    ),
    (4, "The international partners agreed."),
    (5, "Countries should keep borders open."),
]


@pytest.mark.parametrize("footer", FOOTERS.values(), ids=FOOTERS.keys())
def test_headers_footers_and_page_numbers_are_left_out_and_paragraphs_joined(footer):
    pdf = render(SMALL_REPORT, footer=footer, size="A6")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    # the PDF has what the test is about: paragraph 2 runs over a page break, and the
    # layout broke "international" at its soft hyphen
    assert len(pages) >= 3
    assert any("Participants" in page and "noon" not in page for page in pages)
    assert any("inter\u2010\nnational" in page for page in pages)

    extracted = pdf_text(pdf)
    report = parse_report(extracted.text)

    assert [(p.number, p.text) for p in report.paragraphs] == SMALL_PARAGRAPHS
    assert report.title == "A Short Report"
    assert report.sections[1].intro == f"- **Goal 8** \u2013 {LONG_SENTENCE.strip()}"
    assert report.warnings == ()
    assert extracted.warnings == ()
    assert HEADER not in extracted.text
    assert not re.search(r"(?m)^\W*\d+\W*(?:of \d+)?$", extracted.text)


def test_a_watermark_across_the_page_is_left_out():
    watermark = (
        "<div style='position: fixed; top: 40%; left: 20%; font-size: 60pt; "
        "transform: rotate(-45deg); color: #ddd'>DRAFT</div>"
    )
    pdf = render(SMALL_REPORT.replace("<body>", "<body>" + watermark), size="A6")
    extracted = pdf_text(pdf)

    assert "DRAFT" not in extracted.text
    assert [(p.number, p.text) for p in parse_report(extracted.text).paragraphs] == (
        SMALL_PARAGRAPHS
    )


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_pages_turned_in_the_file_are_read_the_way_their_text_faces(angle):
    turned = PdfWriter(clone_from=PdfReader(io.BytesIO(render(SMALL_REPORT, size="A6"))))
    for page in turned.pages:
        page.rotate(angle)
    data = io.BytesIO()
    turned.write(data)

    report = parse_report(pdf_text(data.getvalue()).text)
    assert [(p.number, p.text) for p in report.paragraphs] == SMALL_PARAGRAPHS


def test_a_doubtful_join_over_a_page_break_is_named():
    pdf = render(
        "<body><p class='title'>\u201cA Short Report\u201d</p>"
        "<p class='title'>3 May 2023, 10:00 (GMT+7)</p><h2>I. Background</h2>"
        "<p>1. The meeting was opened by the</p>"
        "<p style='break-before: page'>United Nations Resident Coordinator.</p>"
        "<p>2. It closed at noon.</p></body>"
    )
    extracted = pdf_text(pdf)
    report = parse_report(extracted.text)

    assert report.paragraphs[0].text == (
        "The meeting was opened by the United Nations Resident Coordinator."
    )
    assert extracted.warnings == (
        "page 2: \u201cUnited Nations Resident Coordinator.\u201d at the top of the page is "
        "read as going on from the page before; check that paragraph",
    )


def test_text_without_numbered_paragraphs_is_left_to_the_report_reader():
    pdf = render(
        "<body><p class='title'>\u201cA Short Report\u201d</p>"
        "<p class='title'>3 May 2023, 10:00 (GMT+7)</p><h2>I. Background</h2>"
        "<p>The meeting was opened by the Resident Coordinator.</p></body>"
    )
    text = pdf_text(pdf).text
    with pytest.raises(ReportError, match="no numbered paragraph found"):
        parse_report(text)


# --- refusals -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_pdf() -> bytes:
    return render(SMALL_REPORT)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_an_encrypted_pdf_is_refused(small_pdf, algorithm):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm=algorithm)
    encrypted = io.BytesIO()
    writer.write(encrypted)

    error = refusal(encrypted.getvalue())
    assert error.place == "the whole file"
    assert error.message == "this PDF is encrypted; save an unprotected copy and upload that"


def test_a_pdf_that_opens_without_a_password_is_read(small_pdf):
    """Only the right to change or print it is protected: any reader opens it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    protected = io.BytesIO()
    writer.write(protected)

    report = parse_report(pdf_text(protected.getvalue()).text)
    assert [p.number for p in report.paragraphs] == [1, 2, 3, 4, 5]


def scanned_page() -> str:
    image = Image.effect_noise((300, 420), 60).convert("L")
    png = io.BytesIO()
    image.save(png, format="PNG")
    data = base64.b64encode(png.getvalue()).decode()
    return f"<img style='width: 100%' src='data:image/png;base64,{data}'>"


def test_a_scanned_pdf_is_refused():
    error = refusal(render(f"<body>{scanned_page()}{scanned_page()}</body>", footer='""'))
    assert error.place == "page 1"
    assert error.message.startswith("page 1 has no text; this looks like a scanned document")


def test_a_scanned_page_among_text_pages_is_refused():
    body = (
        "<body><p>1. The consultation opened with a welcome.</p>"
        f"<div style='break-before: page'>{scanned_page()}</div>"
        "<p style='break-before: page'>2. It closed at noon.</p></body>"
    )
    error = refusal(render(body, footer='""'))
    assert error.place == "page 2"
    assert error.message.startswith("page 2 has no text; this looks like a scanned document")


def test_a_page_whose_letters_have_no_known_meaning_is_refused():
    """A font without a map from its glyphs to letters: the text cannot be told."""
    glyphs = b"".join(b"%04X" % (3 + n % 200) for n in range(400))
    content = b"BT /F1 11 Tf 72 760 Td <" + glyphs + b"> Tj ET"
    data = pdf_file(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Report /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Report /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
    )
    error = refusal(data)
    assert error.place == "page 1"
    assert error.message.startswith("the text on page 1 cannot be read")


def test_a_page_in_two_columns_is_refused(shipped_text):
    error = refusal(render(report_html(shipped_text), "body { columns: 2 }"))
    assert error.place == "page 1"
    assert error.message.startswith("page 1 is laid out in two columns")


def test_a_pdf_of_more_than_200_pages_is_refused_before_its_pages_are_read():
    writer = PdfWriter()
    for _page in range(201):
        writer.add_blank_page(595, 842)
    data = io.BytesIO()
    writer.write(data)

    error = refusal(data.getvalue())
    assert error.message == "this PDF has 201 pages; a report may have at most 200"


def test_a_page_tree_holding_more_pages_than_it_says_is_refused():
    kids = b" ".join(b"%d 0 R" % number for number in range(3, 204))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * 201
    data = pdf_file(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>",
        *pages,
    )
    error = refusal(data)
    assert error.message == "this PDF has more than 200 pages, more than a report may have"


def test_a_file_over_20_mb_is_refused_without_being_read(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the file was given to the reader")

    monkeypatch.setattr(reader.subprocess, "run", never)
    error = refusal(b"%PDF-1.7\n" + bytes(20 * 1024 * 1024))
    assert error.place == "the whole file"
    assert error.message == "this PDF is 20.0\xa0MB; a report PDF may be at most 20.0\xa0MB"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Regional Consultation Series",
        b"PK\x03\x04 a Word document",
        b"%PDF-1.7\n" + bytes(range(256)) * 40,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
    ],
    ids=["empty", "text", "zip", "%PDF then noise", "%PDF without pages"],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused(data):
    error = refusal(data)
    assert error.place == "the whole file"
    assert error.message.startswith("this file is not a readable PDF")


# --- files built to overload the reader -----------------------------------------------

NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "data",
    [
        pdf_file(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox " + NESTED + b" >>",
        ),
        one_page_pdf(b"/Annots " + NESTED),
        one_page_pdf(b"/Resources " + b"<< /A " * 100_000 + b">>" * 100_000),
        one_page_pdf(content=b"BT " + NESTED + b" TJ ET"),
    ],
    ids=["page size", "annotations", "resources", "page content"],
)
def test_objects_nested_100_000_deep_are_refused(data):
    error = refusal(data)
    assert error.message.startswith(("this file is not a readable PDF", "page 1 has no text"))


def test_a_stream_that_inflates_to_gigabytes_is_refused_within_the_default_limits():
    bomb = one_page_pdf(content=inflating_to(4 * 1024**3), stream_entries=b"/Filter /FlateDecode ")
    assert len(bomb) < 5 * 1024 * 1024

    error = refusal(bomb)
    assert error.place == "the whole file"
    assert error.message == (
        "reading this PDF needed more memory than 1.0\xa0GB; it may be damaged or built "
        "to overload the reader"
    )


def test_the_memory_limit_is_a_setting(settings):
    settings.REPORT_PDF_MEMORY = 300 * 1024 * 1024
    bomb = one_page_pdf(
        content=inflating_to(512 * 1024**2), stream_entries=b"/Filter /FlateDecode "
    )
    error = refusal(bomb)
    assert error.message.startswith("reading this PDF needed more memory than 300.0\xa0MB")


def test_a_page_that_takes_too_long_to_draw_is_stopped(settings):
    settings.REPORT_PDF_SECONDS = 2
    busy = zlib.compress(b"q Q " * 10_000_000, 9)  # ten million drawing steps
    bomb = one_page_pdf(content=busy, stream_entries=b"/Filter /FlateDecode ")

    error = refusal(bomb)
    assert error.message == (
        "reading this PDF took longer than 2 seconds; it may be damaged or built to "
        "overload the reader"
    )
