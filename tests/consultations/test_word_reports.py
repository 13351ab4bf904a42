"""Whole Word documents read by ``docx_text`` into the text ``parse_report`` reads.

Every document is built here: the shipped report typed into Word with its numbers as
text, the same report with Word's automatic numbering, heading styles, bulleted lists,
bold runs and the agenda as a table, and files that must be refused.
"""

import io
import random
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml

import consultations
from consultations.documents import DocumentError
from consultations.documents.word import docx_text
from consultations.report_parser import join_continuation, parse_report

SHIPPED = (
    Path(consultations.__file__).parent
    / "reports"
    / "2022-04-11-border-management-labour-migration.txt"
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
WHOLE_FILE = "the whole file"


def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def saved(document) -> bytes:
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


# --------------------------------------------------------------------------- building


def add_abstract(document, xml: str) -> None:
    """Adds an abstract numbering to the document, before its numbering instances."""
    numbering = document.part.numbering_part.element
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    element = parse_xml(xml)
    if first_num is None:
        numbering.append(element)
    else:
        first_num.addprevious(element)


def add_num(document, abstract_id: int) -> int:
    return document.part.numbering_part.element.add_num(abstract_id).numId


def number(paragraph, num_id: int, level: int = 0) -> None:
    """Gives a paragraph Word's automatic numbering."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def number_style(document, name: str, num_id: int, level: int | None = None) -> None:
    num_pr = document.styles[name].element.get_or_add_pPr().get_or_add_numPr()
    if level is not None:
        num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def add_runs(paragraph, text: str) -> None:
    """Text with **bold** and *italic* written as bold and italic runs, the bold words
    split over two runs as Word often stores them."""
    for piece in re.split(r"(\*\*[^*]+\*\*|\*[^*]+\*)", text):
        if piece.startswith("**"):
            words = piece[2:-2]
            middle = len(words) // 2
            paragraph.add_run(words[:middle]).bold = True
            paragraph.add_run(words[middle:]).bold = True
        elif piece.startswith("*"):
            paragraph.add_run(piece[1:-1]).italic = True
        elif piece:
            paragraph.add_run(piece)


def lvl(ilvl: int, fmt: str, text: str, style: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        + (f'<w:pStyle w:val="{style}"/>' if style else "")
        + f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def literal_docx(text: str) -> bytes:
    """The report pasted into Word: one paragraph a line, numbers typed."""
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    return saved(document)


HEADING_1 = re.compile(r"(?:I|II|III|IV)\. (?P<title>.+)")
HEADING_2 = re.compile(r"[A-D]\. (?P<title>.+)")
HEADING_3 = re.compile(r"(?:i|ii|iii)\. (?P<title>.+)")
PARAGRAPH = re.compile(r"(?P<number>\d+)\. (?P<text>.+)")
BULLET = re.compile(r"\s*- (?P<text>.+)")


def report_parts(text: str):
    """The shipped report as title lines, body items and agenda rows."""
    lines = text.split("\n")
    body_start = next(i for i, line in enumerate(lines) if HEADING_1.fullmatch(line))
    agenda_start = lines.index("AGENDA")
    items: list[list] = []
    for line in lines[body_start:agenda_start]:
        if not line.strip():
            continue
        for kind, pattern in [("h1", HEADING_1), ("h2", HEADING_2), ("h3", HEADING_3)]:
            if match := pattern.fullmatch(line):
                items.append([kind, match["title"]])
                break
        else:
            if match := PARAGRAPH.fullmatch(line):
                items.append(["paragraph", match["text"], int(match["number"])])
            elif match := BULLET.fullmatch(line):
                items.append(["bullet", match["text"]])
            else:  # a page break split the paragraph above: one Word paragraph
                items[-1][1] = join_continuation(items[-1][1], line.strip())
    rows = [line.split("\t") for line in lines[agenda_start + 1 :] if line.strip()]
    return lines[:body_start], items, rows


def fill_agenda_cell(cell, html_cell: str) -> None:
    """An agenda cell as Word holds it: paragraphs, then a bulleted or numbered list."""
    if "<" not in html_cell:
        cell.paragraphs[0].text = html_cell
        return
    paragraphs = re.findall(r"<p>(.*?)</p>", html_cell)
    rest = html_cell[html_cell.rindex("</p>") + 4 :]
    numbered = "<ol" in rest
    rest = re.sub(r"<[^>]+>", " ", rest)
    items = re.split(r"\s*\u2022\s*|\s+(?=\d{1,2}\.\s)", rest)
    items = [re.sub(r"^\d{1,2}\.\s+", "", item).strip() for item in items if item.strip()]
    cell.paragraphs[0].text = paragraphs[0]
    for text in paragraphs[1:]:
        cell.add_paragraph(text)
    for text in items:
        cell.add_paragraph(text, style="List Number" if numbered else "List Bullet")


def numbered_docx(text: str) -> bytes:
    """The report as drafted in Word: numbered by Word, headings numbered through their
    styles, bullets as a bulleted list, bold runs, the agenda as a table."""
    title_lines, items, rows = report_parts(text)
    document = docx.Document()
    add_abstract(
        document,
        f'<w:abstractNum {W} w:abstractNumId="20"><w:multiLevelType w:val="multilevel"/>'
        + lvl(0, "upperRoman", "%1.", "Heading1")
        + lvl(1, "upperLetter", "%2.", "Heading2")
        + lvl(2, "lowerRoman", "%3.", "Heading3")
        + "</w:abstractNum>",
    )
    add_abstract(
        document,
        f'<w:abstractNum {W} w:abstractNumId="21">{lvl(0, "decimal", "%1.")}</w:abstractNum>',
    )
    headings = add_num(document, 20)
    number_style(document, "Heading 1", headings, 0)
    number_style(document, "Heading 2", headings)  # the level comes from the numbering
    number_style(document, "Heading 3", headings, 2)
    # Two instances of one numbering: Word continues the list from one to the other.
    first_paragraphs, later_paragraphs = add_num(document, 21), add_num(document, 21)

    for line in title_lines:
        if line.startswith("\u201c"):
            document.add_paragraph(line, style="Title")
        elif line == "SUMMARY REPORT":
            document.add_paragraph(line, style="Subtitle")
        else:
            document.add_paragraph(line)
    styles = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3"}
    for kind, body, *paragraph_number in items:
        if kind in styles:
            document.add_paragraph(body, style=styles[kind])
        elif kind == "bullet":
            add_runs(document.add_paragraph(style="List Bullet"), body)
        else:
            paragraph = document.add_paragraph()
            add_runs(paragraph, body)
            number(paragraph, first_paragraphs if paragraph_number[0] <= 30 else later_paragraphs)
    agenda_heading = document.add_paragraph("AGENDA", style="Heading 1")
    number(agenda_heading, 0)  # numbering switched off for this heading
    table = document.add_table(rows=len(rows), cols=2)
    for row, (time_cell, topic_cell) in zip(table.rows, rows, strict=True):
        row.cells[0].paragraphs[0].text = time_cell
        fill_agenda_cell(row.cells[1], topic_cell)
    return saved(document)


def comparable(report):
    """What a report says, without the line numbers (which differ by format)."""
    return {
        "title": (report.series, report.title, report.document_type, report.venue),
        "date": (report.date, report.starts_at, report.ends_at, report.timezone_label),
        "paragraphs": [(p.number, p.text, p.section_key) for p in report.paragraphs],
        "sections": [(s.key, s.label, s.title, s.kind, s.parent_key) for s in report.sections],
        "recommendations": [(p.number, p.text) for p in report.recommendations],
        "agenda": [
            (a.order, a.starts, a.ends, a.topic, a.moderators, a.speakers) for a in report.agenda
        ],
        "warnings": report.warnings,
    }


# --------------------------------------------------------------------------- whole reports


def test_the_report_typed_into_word_reads_as_the_text_report():
    text = shipped_text()
    extracted = docx_text(literal_docx(text))
    assert extracted.text.split("\n") == [line.rstrip() for line in text.split("\n")]
    assert len(extracted.places) == len(extracted.text.split("\n"))
    assert comparable(parse_report(extracted.text)) == comparable(parse_report(text))


def test_the_report_numbered_by_word_reads_as_the_text_report():
    text = shipped_text()
    extracted = docx_text(numbered_docx(text))
    lines = extracted.text.split("\n")
    assert len(extracted.places) == len(lines)
    assert "I. Background" in lines and "IV. Outcomes of the Meeting" in lines
    assert "iii. Recommendations" in lines and "D. Closing Remarks" in lines
    assert any(line.startswith("31. Health requirements") for line in lines)
    assert "# AGENDA" in lines
    assert any(line.startswith("- **Goal 3** – on good health") for line in lines)
    expected, found = parse_report(text), parse_report(extracted.text)
    assert comparable(found) == comparable(expected)
    assert len(found.paragraphs) == 74 and len(found.agenda) == 8
    session_2 = found.agenda[4]
    assert session_2.speakers == ("Nepal", "Indonesia", "Philippines", "Thailand")
    assert session_2.moderators == "H.E Chou Bun Eng, The Royal Government of Cambodia"


def test_places_name_the_paragraph_or_the_agenda_row():
    extracted = docx_text(numbered_docx(shipped_text()))
    lines = extracted.text.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("31. "))
    assert re.fullmatch(
        r"paragraph \d+ of the document \(“Health requirements/regulations should be applied"
        r" equally…”\)",
        extracted.places[index],
    )
    row = next(i for i, line in enumerate(lines) if line.startswith("09.10"))
    assert extracted.places[row] == "agenda table, row 4"


# --------------------------------------------------------------------------- the parts


def test_headings_without_a_number_are_marked_with_their_level():
    document = docx.Document()
    document.add_paragraph("Regional Consultation Series", style="Title")
    document.add_paragraph("\u201cA Title\u201d")
    document.add_paragraph("11 April 2022, 9:00 – 12:00 (GMT+7)")
    document.add_paragraph("SUMMARY REPORT", style="Heading 2")  # upper case: title block
    document.add_heading("Background", level=1)
    document.add_paragraph("1. The consultation met.")
    document.add_heading("Opening remarks", level=2)
    document.add_paragraph("2. The chair opened it.")
    document.add_heading("Details", level=3)
    document.add_heading("A closing word", level=0)  # the Title style, after the title block
    lines = docx_text(saved(document)).text.split("\n")
    assert lines == [
        "Regional Consultation Series",
        "\u201cA Title\u201d",
        "11 April 2022, 9:00 – 12:00 (GMT+7)",
        "SUMMARY REPORT",
        "# Background",
        "1. The consultation met.",
        "## Opening remarks",
        "2. The chair opened it.",
        "### Details",
        "# A closing word",
    ]
    report = parse_report("\n".join(lines))
    assert report.document_type == "SUMMARY REPORT"
    assert [(s.key, s.kind) for s in report.sections][:2] == [
        ("BACKGROUND", "background"),
        ("BACKGROUND.OPENING REMARKS", "opening"),
    ]


def test_bold_runs_are_merged_and_marked_without_the_spaces():
    document = docx.Document()
    paragraph = document.add_paragraph("1. ")
    paragraph.add_run("Goal ").bold = True
    paragraph.add_run("3").bold = True
    paragraph.add_run(" ").bold = False
    paragraph.add_run("and ").bold = True
    paragraph.add_run("5 ").bold = True
    paragraph.add_run("matter, ")
    paragraph.add_run("said").italic = True
    paragraph.add_run(" the ")
    paragraph.add_run("  ").bold = True
    paragraph.add_run("chair.")
    assert docx_text(saved(document)).text == "1. **Goal 3 and 5** matter, *said* the   chair."


def test_bold_that_would_hide_a_heading_or_a_number_is_not_marked():
    document = docx.Document()
    document.add_paragraph().add_run("I. Background").bold = True  # a heading typed bold
    numbered = document.add_paragraph()
    numbered.add_run("1.").bold = True
    numbered.add_run(" The ")
    numbered.add_run("chair").bold = True
    numbered.add_run(" spoke.")
    document.add_paragraph().add_run("AGENDA").bold = True
    lines = docx_text(saved(document)).text.split("\n")
    assert lines == ["I. Background", "1. The **chair** spoke.", "AGENDA"]


def test_title_block_and_body_are_plain_where_the_text_report_is_plain():
    document = docx.Document()
    series = document.add_paragraph()
    series.add_run("Regional Consultation Series").bold = True
    series.add_run().add_break()
    series.add_run("\u201cA Title\u201d").bold = True
    document.add_paragraph("11 April 2022, 9:00 – 12:00 (GMT+7)")
    heading = document.add_heading(level=1)
    heading.add_run("Background").bold = True
    lines = docx_text(saved(document)).text.split("\n")
    assert lines == [
        "Regional Consultation Series",
        "\u201cA Title\u201d",
        "11 April 2022, 9:00 – 12:00 (GMT+7)",
        "# Background",
    ]


def test_hidden_and_deleted_text_is_not_read():
    document = docx.Document()
    paragraph = document.add_paragraph("1. Kept")
    paragraph.add_run(" hidden").font.hidden = True
    paragraph._p.append(parse_xml(f"<w:del {W}><w:r><w:delText> deleted</w:delText></w:r></w:del>"))
    paragraph._p.append(parse_xml(f"<w:ins {W}><w:r><w:t> inserted</w:t></w:r></w:ins>"))
    assert docx_text(saved(document)).text == "1. Kept inserted"


def test_other_numbered_lists_are_items_of_the_paragraph_above():
    document = docx.Document()
    add_abstract(
        document,
        f'<w:abstractNum {W} w:abstractNumId="30">'
        + lvl(0, "decimal", "%1.")
        + lvl(1, "lowerLetter", "(%2)")
        + "</w:abstractNum>",
    )
    paragraphs = add_num(document, 30)
    for text in ["The first.", "The second lists:"]:
        number(document.add_paragraph(text), paragraphs)
    for text in ["Nepal", "Indonesia"]:
        document.add_paragraph(text, style="List Number")  # a list of its own
    number(document.add_paragraph("a sub-point"), paragraphs, level=1)
    number(document.add_paragraph("The third."), paragraphs)
    lines = docx_text(saved(document)).text.split("\n")
    assert lines == [
        "1. The first.",
        "2. The second lists:",
        "  1. Nepal",
        "  2. Indonesia",
        "  (a) a sub-point",
        "3. The third.",
    ]


def test_a_table_of_times_is_the_agenda_even_without_a_heading():
    document = docx.Document()
    document.add_paragraph("Series")
    document.add_paragraph("\u201cTitle\u201d")
    document.add_paragraph("11 April 2022, 9:00 – 12:00 (GMT+7)")
    document.add_paragraph("1. The meeting met.")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(
        table.rows,
        [
            ["Time", "Session", "Speakers"],
            ["09.00 – 09.30", "Opening <remarks> & welcome", ""],
            ["09.30 – 10.00", "Panel", "\u2022 Ana, IOM"],
        ],
        strict=True,
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.paragraphs[0].text = text
    table.rows[2].cells[2].add_paragraph("Ben, ILO", style="List Bullet")
    table.rows[2].cells[1].add_paragraph("Moderated by Chea, UN")
    document.add_heading("Annex", level=1)  # ends the agenda, as a heading does in text
    # A table of no times, in the body: its rows are written as items.
    other = document.add_table(rows=1, cols=2)
    other.rows[0].cells[0].text, other.rows[0].cells[1].text = "Cambodia", "12"
    extracted = docx_text(saved(document))
    lines = extracted.text.split("\n")
    assert lines[4:8] == [
        "# AGENDA",
        "Time\t<p>Session</p> <p>Speakers</p>",
        "09.00 – 09.30\t<p>Opening &lt;remarks&gt; &amp; welcome</p>",
        "09.30 – 10.00\t<p>Panel</p> <p>Moderated by Chea, UN</p> <ul> • Ana, IOM • Ben, ILO</ul>",
    ]
    assert extracted.places[4:7] == ("agenda table", "agenda table, row 1", "agenda table, row 2")
    assert lines[8:] == ["# Annex", "- Cambodia | 12"]
    assert extracted.places[9] == "table 2 of the document, row 1"
    report = parse_report(extracted.text)
    assert report.sections[-1].intro == "- Cambodia | 12"
    assert [(a.topic, a.moderators, a.speakers) for a in report.agenda] == [
        ("Opening <remarks> & welcome", "", ()),
        ("Panel", "Chea, UN", ("Ana, IOM", "Ben, ILO")),
    ]


# --------------------------------------------------------------------------- skipped numbers


def skipping_document(automatic: bool) -> bytes:
    document = docx.Document()
    title = document.add_paragraph("Regional Consultation Series")
    title.add_run().add_break()  # one paragraph, two lines
    title.add_run("\u201cBorder Management\u201d")
    layout = document.add_table(rows=1, cols=2)  # a table laying out the title block
    layout.rows[0].cells[0].text = "11 April 2022, 9:00 – 12:00 (GMT+7)"
    layout.rows[0].cells[1].text = "Virtual"
    document.add_paragraph("")
    document.add_heading("Background", level=1)
    if automatic:
        add_abstract(
            document,
            f'<w:abstractNum {W} w:abstractNumId="40">{lvl(0, "decimal", "%1.")}</w:abstractNum>',
        )
        paragraphs = add_num(document, 40)
        # The empty numbered paragraph shows "13." in Word and counts: the text skips 13.
        for text in [f"Paragraph {n}." for n in range(1, 13)] + ["", "Paragraph fourteen."]:
            number(document.add_paragraph(text), paragraphs)
    else:
        for n in range(1, 13):
            document.add_paragraph(f"{n}. Paragraph {n}.")
        document.add_paragraph("14. Paragraph fourteen.")
    return saved(document)


@pytest.mark.parametrize("automatic", [False, True], ids=["typed", "automatic"])
def test_a_skipped_number_is_warned_about_at_its_paragraph_of_the_document(automatic):
    extracted = docx_text(skipping_document(automatic))
    report = parse_report(extracted.text)
    [warning] = [w for w in report.warnings if "paragraph 14" in w]
    assert "paragraph 14 follows paragraph 12; expected 13" in warning
    line = int(re.match(r"line (\d+):", warning).group(1))
    # Paragraph 1 of the document is the title (two lines); the table is no paragraph.
    expected_paragraph = 3 + 12 + (2 if automatic else 1)
    assert extracted.places[line - 1].startswith(
        f"paragraph {expected_paragraph} of the document (“"
    )
    assert "fourteen" in extracted.places[line - 1]
    title = "paragraph 1 of the document (“Regional Consultation Series “Border Management”)"
    table = "table 1 of the document, row 1"
    assert extracted.places[:4] == (title, title, table, table)


# --------------------------------------------------------------------------- refusals


def refusal(data: bytes) -> DocumentError:
    with pytest.raises(DocumentError) as raised:
        docx_text(data)
    return raised.value


def zip_of(parts: dict[str, bytes | str], compression=zipfile.ZIP_DEFLATED) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return stream.getvalue()


def docx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def small_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("1. Text.")
    return saved(document)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "this is not a Word document"),
        (random.Random(7).randbytes(5000), "this is not a Word document"),
        (b"Plain text, not a document\n", "this is not a Word document"),
        (zip_of({"notes.txt": "hello"}), "this is not a Word document"),
        (b"%PDF-1.7\n...", "this is a PDF document, not a Word document"),
        (b"{\\rtf1\\ansi Hello}", "this is an RTF document, not a Word document"),
        (
            zip_of({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}),
            "this is a PowerPoint presentation, not a Word document",
        ),
        (
            zip_of(
                {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<c/>"},
                zipfile.ZIP_STORED,
            ),
            "this is an OpenDocument text (.odt), not a Word document",
        ),
    ],
    ids=["empty", "random", "text", "zip", "pdf", "rtf", "powerpoint", "opendocument"],
)
def test_files_that_are_not_word_documents_are_refused(data, message):
    error = refusal(data)
    assert error.place == WHOLE_FILE and error.message.startswith(message)
    assert str(error) == f"{WHOLE_FILE}: {error.message}"


def test_a_renamed_excel_workbook_is_refused():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Not a report"
    stream = io.BytesIO()
    workbook.save(stream)
    error = refusal(stream.getvalue())
    assert error.message == "this is an Excel workbook, not a Word document"


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_password_protected_documents_and_old_doc_files_are_refused():
    encrypted = OLE + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(100)
    error = refusal(encrypted)
    assert error.place == WHOLE_FILE
    assert error.message == (
        "this Word document is password-protected; save it as a .docx without a password"
    )
    error = refusal(OLE + bytes(1024))
    assert error.message == (
        "this Word document is password-protected (or in the old .doc format); "
        "save it as an unprotected .docx"
    )


def zeros(archive: zipfile.ZipFile, name: str, megabytes: int) -> None:
    """A part of zeros, compressed as it is written."""
    chunk = bytes(1024 * 1024)
    with archive.open(name, "w", force_zip64=True) as stream:
        for _chunk in range(megabytes):
            stream.write(chunk)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in docx_parts(small_docx()).items():
            archive.writestr(name, content)
        zeros(archive, "word/media/image1.png", 200)
    assert len(stream.getvalue()) < 2 * 1024 * 1024
    error = refusal(stream.getvalue())
    assert error.place == WHOLE_FILE
    assert error.message.startswith("the Word document would unpack to more than 100 MB")


def test_a_part_compressed_beyond_reason_is_refused():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in docx_parts(small_docx()).items():
            archive.writestr(name, content)
        zeros(archive, "word/media/image1.png", 5)
    error = refusal(stream.getvalue())
    assert error.message.startswith("a part of the Word document (word/media/image1.png)")
    assert "times its size" in error.message


def test_a_part_larger_than_its_header_says_is_not_unpacked():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in docx_parts(small_docx()).items():
            archive.writestr(name, content)
        zeros(archive, "word/media/image1.png", 50)
    data = bytearray(stream.getvalue())
    # The central directory says the part unpacks to 1,000 bytes: it lies.
    name = b"word/media/image1.png"
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")
    extra_length = int.from_bytes(data[entry + 30 : entry + 32], "little")
    extra = entry + 46 + len(name)
    if extra_length:  # the zip64 record holds the sizes too
        data[extra + 4 : extra + 12] = (1000).to_bytes(8, "little")
    error = refusal(bytes(data))
    assert error.place == WHOLE_FILE
    assert error.message.startswith("this Word document is damaged")


def test_a_document_of_too_many_paragraphs_is_refused():
    parts = docx_parts(small_docx())
    parts["word/document.xml"] = (
        f"<w:document {W}><w:body>" + "<w:p/>" * 20_001 + "</w:body></w:document>"
    ).encode()
    error = refusal(zip_of(parts))
    assert error.message.startswith("the Word document has more than 20,000 paragraphs")


def test_a_damaged_document_and_a_template_are_refused():
    parts = docx_parts(small_docx())
    parts["word/document.xml"] = b"<w:document><w:body><w:p>"
    assert refusal(zip_of(parts)).message.startswith("this Word document is damaged")
    parts = docx_parts(small_docx())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"document.main+xml", b"template.main+xml"
    )
    assert refusal(zip_of(parts)).message.startswith("this is a Word template")


def test_a_document_without_text_is_refused():
    document = docx.Document()
    document.add_paragraph("")
    error = refusal(saved(document))
    assert error.message.startswith("the Word document has no text in its body")
