"""What a page break or a long report leaves in a report's text, read right or named in a
warning: five-digit paragraph numbers, a continuation line shaped like a heading or like a
numbered paragraph, a page number between two halves of a paragraph, and headings marked
with their level as a Word document's unnumbered headings are written."""

import pytest

from consultations.report_parser import ReportError, parse_report
from tests.consultations.test_report_parser_variants import FIRST_BODY_LINE, report_text


def numbers_and_texts(report) -> list[tuple[int, str]]:
    return [(p.number, p.text) for p in report.paragraphs]


def test_five_digit_paragraph_numbers_are_paragraphs():
    body = [f"{n}. Paragraph {n}." for n in range(9990, 10006)]
    # a report whose numbering starts high (an annex of a long compilation)
    report = parse_report(report_text(*body))
    assert [p.number for p in report.paragraphs] == list(range(9990, 10006))
    assert report.paragraphs[10].text == "Paragraph 10000."
    assert report.warnings == (
        f"line {FIRST_BODY_LINE}: paragraph 9990 follows the start of the report; expected 1",
    )


def test_a_continuation_line_shaped_like_a_lettered_heading_stays_in_its_paragraph():
    report = parse_report(
        report_text(
            "1. The consultation opened.",
            "2. The closing remarks were given by the speaker, Ms.",
            "A. Smith, thanked the participants.",
            "3. The report was adopted.",
        )
    )
    assert numbers_and_texts(report) == [
        (1, "The consultation opened."),
        (
            2,
            "The closing remarks were given by the speaker, Ms. A. Smith, thanked the "
            "participants.",
        ),
        (3, "The report was adopted."),
    ]
    assert [s.key for s in report.sections] == ["I"]  # no section "A"
    assert report.warnings == (
        f"line {FIRST_BODY_LINE + 2}: “A. Smith, thanked the participants.” is read as the "
        "rest of paragraph 2, not as a heading; check that paragraph",
    )


def test_a_real_lettered_heading_after_a_finished_paragraph_is_still_a_heading():
    report = parse_report(
        report_text(
            "1. The consultation opened.",
            "A. Challenges",
            "2. Participants named three challenges.",
        )
    )
    assert [s.key for s in report.sections] == ["I", "I.A"]
    assert report.paragraphs[1].section_key == "I.A"
    assert report.warnings == ()


def test_a_continuation_line_starting_with_a_year_and_a_full_stop_is_not_a_paragraph():
    lines = [f"{n}. Paragraph {n}." for n in range(1, 12)]
    lines += [
        "12. Remittances have fallen steadily since",
        "2020. Over the same years recruitment costs rose.",
        "13. Participants called for action.",
    ]
    report = parse_report(report_text(*lines))
    assert [p.number for p in report.paragraphs] == list(range(1, 14))
    assert report.paragraphs[11].text == (
        "Remittances have fallen steadily since 2020. Over the same years recruitment costs rose."
    )
    assert report.warnings == (
        f"line {FIRST_BODY_LINE + 12}: “2020. Over the same years recruitment c…” is read as "
        "the rest of paragraph 12, not as paragraph 2020; check that paragraph",
    )


def test_a_number_going_back_names_the_line_of_the_paragraph_before():
    report = report_text(
        "1. The consultation opened.",
        "2. Participants spoke.",
        "3. Participants called for action.",
        "2. Participants spoke again.",
    )
    with pytest.raises(ReportError) as excinfo:
        parse_report(report)
    assert excinfo.value.line == FIRST_BODY_LINE + 3
    assert excinfo.value.message == (
        "paragraph 2 is numbered twice (first at line %s)" % (FIRST_BODY_LINE + 1)
    )


def test_a_lower_number_error_names_both_lines():
    report = report_text(
        "1. The consultation opened.",
        "7. Participants called for action.",
        "5. Participants spoke again.",
    )
    with pytest.raises(ReportError) as excinfo:
        parse_report(report)
    assert excinfo.value.message == (
        f"paragraph 5 comes after paragraph 7 (line {FIRST_BODY_LINE + 1}); paragraph numbers "
        "must increase"
    )


@pytest.mark.parametrize("page_number", ["3", "- 3 -", "Page 3", "Page 3 of 12", "3/12", "– 3 –"])
def test_a_page_number_between_two_halves_of_a_paragraph_is_left_out(page_number):
    report = parse_report(
        report_text(
            "1. This paragraph runs before a page number",
            page_number,
            "continues here.",
            "2. The next paragraph.",
        )
    )
    assert numbers_and_texts(report) == [
        (1, "This paragraph runs before a page number continues here."),
        (2, "The next paragraph."),
    ]
    assert report.warnings == (
        f"line {FIRST_BODY_LINE + 1}: “{page_number}” taken for a page number and left out",
    )


def test_headings_marked_with_their_level():
    report = parse_report(
        report_text(
            "1. Background paragraph.",
            "# Opening",
            "2. Opening paragraph.",
            "## Remarks by the host",
            "3. Remarks.",
            "# IV. Recommendations",
            "4. We recommend.",
        )
    )
    assert [(s.key, s.kind, s.level, s.parent_key) for s in report.sections] == [
        ("I", "background", 1, None),
        ("OPENING", "opening", 1, None),
        ("OPENING.REMARKS BY THE HOST", "opening", 2, "OPENING"),
        ("IV", "recommendations", 1, None),
    ]
    assert [p.section_key for p in report.paragraphs] == [
        "I",
        "OPENING",
        "OPENING.REMARKS BY THE HOST",
        "IV",
    ]
    assert [p.number for p in report.recommendations] == [4]
