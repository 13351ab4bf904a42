"""The parser on the shipped report, and on single lines of the forms reports use."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from consultations.report_parser import _OBJECTIVE as OBJECTIVE
from consultations.report_parser import _SDG as SDG
from consultations.report_parser import (
    ReportError,
    decode_report,
    find_date,
    guiding_principles_named,
    is_bare_heading,
    numbers_named,
    parse_agenda_cell,
    parse_offset,
    parse_report,
    parse_time_range,
    roman_value,
    section_kind,
)
from tests.factories import SHIPPED_REPORT

GMT7 = timezone(timedelta(hours=7))

TITLE_BLOCK = """Regional Consultation Series with GCM Champion Countries in Asia and the Pacific

\u201cA Test Consultation\u201d

11 April 2022, 9:00 \u2013 12:00 Phnom Penh & Bangkok Time (GMT+7)
Virtual

SUMMARY REPORT

"""


def report(body: str) -> str:
    return TITLE_BLOCK + body


@pytest.fixture(scope="module")
def shipped():
    return parse_report(decode_report(SHIPPED_REPORT.read_bytes()))


def paragraph(parsed, number):
    return next(p for p in parsed.paragraphs if p.number == number)


# --- the shipped report ---------------------------------------------------------------


def test_shipped_report_has_74_paragraphs_numbered_1_to_74(shipped):
    assert [p.number for p in shipped.paragraphs] == list(range(1, 75))


def test_shipped_report_recommendations_are_paragraphs_31_to_38_and_64_to_69(shipped):
    assert [p.number for p in shipped.recommendations] == [*range(31, 39), *range(64, 70)]


def test_shipped_report_title_block(shipped):
    assert shipped.series == (
        "Regional Consultation Series with GCM Champion Countries in Asia and the Pacific"
    )
    assert shipped.title == (
        "Border Management and Labour Migration in the COVID-19 Recovery Phase"
    )
    assert shipped.date == date(2022, 4, 11)
    assert shipped.starts_at == datetime(2022, 4, 11, 9, 0, tzinfo=GMT7)
    assert shipped.ends_at == datetime(2022, 4, 11, 12, 0, tzinfo=GMT7)
    assert shipped.starts_at.utcoffset() == timedelta(hours=7)
    assert shipped.timezone_label == "Phnom Penh & Bangkok Time (GMT+7)"
    assert shipped.venue == "Virtual"
    assert shipped.document_type == "SUMMARY REPORT"
    assert shipped.warnings == ()


def test_shipped_report_targets_objectives_5_and_11_and_five_sdgs(shipped):
    assert shipped.gcm_objectives == (5, 11)
    assert shipped.sdgs == (3, 5, 8, 10, 17)


def test_shipped_report_details_read_from_its_text(shipped):
    assert shipped.number_in_series == 3
    assert shipped.host_country == "KH"
    assert shipped.attendance.startswith("Over seventy-five multi-stakeholder representatives")


def test_paragraph_split_by_a_page_break_is_joined(shipped):
    assert paragraph(shipped, 16).text.endswith(
        "Migrant workers who were laid off generally struggled to find employment "
        "upon returning to their countries of origin."
    )
    assert (
        "Dr. Nnette Motus, Regional Director for International Organization for Migration (IOM)"
        in (paragraph(shipped, 11).text)
    )
    assert "prevent the spread of the pandemic." in paragraph(shipped, 50).text
    assert "mechanisms which have become" in paragraph(shipped, 74).text


def test_bullet_lists_are_kept_as_lists(shipped):
    lines = paragraph(shipped, 7).text.split("\n")
    assert lines[0].endswith("particularly:")
    assert len(lines) == 6
    assert all(line.startswith("- **Goal ") for line in lines[1:])
    assert paragraph(shipped, 8).text.count("\n- ") == 3


def test_inline_markdown_is_kept(shipped):
    assert "**GCM Objective 5**" in paragraph(shipped, 6).text
    assert "*Guidance for Responsible Purchasing Practice*" in paragraph(shipped, 30).text


def test_countries_each_paragraph_mentions(shipped):
    assert paragraph(shipped, 60).countries == ("KH", "LA", "MM", "TH")
    assert paragraph(shipped, 17).countries == ("ID", "JP", "KR", "PH", "TH")
    assert paragraph(shipped, 21).countries == ("KH", "LA", "MM", "TH")
    assert paragraph(shipped, 16).countries == ()


def test_heading_tree(shipped):
    keys = [(s.key, s.kind, s.parent_key, s.level) for s in shipped.sections]
    assert keys == [
        ("I", "background", None, 1),
        ("II", "objectives", None, 1),
        ("III", "opening", None, 1),
        ("IV", "other", None, 1),
        ("IV.A", "other", "IV", 2),
        ("IV.A.i", "challenges", "IV.A", 3),
        ("IV.A.ii", "opportunities", "IV.A", 3),
        ("IV.A.iii", "recommendations", "IV.A", 3),
        ("IV.B", "other", "IV", 2),
        ("IV.B.i", "challenges", "IV.B", 3),
        ("IV.B.ii", "opportunities", "IV.B", 3),
        ("IV.B.iii", "recommendations", "IV.B", 3),
        ("IV.C", "summary", "IV", 2),
        ("IV.D", "closing", "IV", 2),
        ("AGENDA", "agenda", None, 1),
    ]
    assert paragraph(shipped, 31).section_key == "IV.A.iii"
    assert paragraph(shipped, 39).section_key == "IV.B"


def test_agenda_is_parsed_into_items(shipped):
    agenda = shipped.agenda
    assert [(a.starts, a.ends) for a in agenda][:2] == [
        (time(9, 0), time(9, 5)),
        (time(9, 5), time(9, 10)),
    ]
    assert len(agenda) == 8
    session_1 = agenda[2]
    assert session_1.topic.startswith("Session 1 - The interdependence")
    assert session_1.moderators == (
        "Geertrui Lanneau and Laura Scorretti, International Organization for Migration"
    )
    assert session_1.speakers == (
        "Rebecca Napier-Moore, International Labour Organization",
        "Dr. Asheena Khalakdina, World Health Organization",
        "Joyce Chau, amfori",
    )
    assert agenda[4].speakers == ("Nepal", "Indonesia", "Philippines", "Thailand")
    assert agenda[-1].ends == time(12, 0)
    assert "<ul" in session_1.raw  # the cell as written is kept
    assert shipped.agenda_text.startswith("Time (GMT+7)\tTopic/Speaker")


def test_recommendation_paragraphs_name_guiding_principles(shipped):
    assert "whole-of-government" in paragraph(shipped, 67).guiding_principles
    assert {"gender-responsive", "child-sensitive", "national-sovereignty"} <= set(
        paragraph(shipped, 66).guiding_principles
    )


# --- single lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11 April 2022, 9:00 \u2013 12:00", date(2022, 4, 11)),
        ("Tuesday, 5 July 2022, 14:00", date(2022, 7, 5)),
        ("July 5, 2022 | 2:00 PM", date(2022, 7, 5)),
        ("3rd Nov. 2023", date(2023, 11, 3)),
        ("2023-11-02 10:00", date(2023, 11, 2)),
        ("No date here", None),
        ("31 February 2022", None),
    ],
)
def test_find_date(text, expected):
    found = find_date(text)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00 \u2013 12:00 Phnom Penh", (time(9), time(12))),
        ("09.00 \u2013 09.05", (time(9), time(9, 5))),
        ("2:00 PM \u2013 4:30 PM", (time(14), time(16, 30))),
        ("2:00 \u2013 4:30 PM", (time(14), time(16, 30))),
        ("10:30 am to 1:00 pm", (time(10, 30), time(13))),
        ("14h00-16h30", (time(14), time(16, 30))),
        ("no time", (None, None)),
    ],
)
def test_parse_time_range(text, expected):
    assert parse_time_range(text)[:2] == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("(GMT+7)", 420),
        ("(UTC+08:00)", 480),
        ("Kathmandu Time (GMT+5:45)", 345),
        ("GMT-5", -300),
        ("GMT+25", None),
        ("Bangkok time", None),
    ],
)
def test_parse_offset(text, minutes):
    offset = parse_offset(text)
    expected = None if minutes is None else timezone(timedelta(minutes=minutes))
    assert offset == expected


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Background", "background"),
        ("Objectives, Organizations and Attendance", "objectives"),
        ("Recommendations", "recommendations"),
        ("Key recommendations for the way forward", "recommendations"),
        ("Summary and way forward", "summary"),
        ("Closing Remarks", "closing"),
        ("Good practices", "opportunities"),
        (
            "Sharing of experiences (good practices, challenges, and recommendations) on borders",
            None,
        ),
        ("Outcomes of the Meeting", None),
    ],
)
def test_section_kind_comes_from_the_heading(title, kind):
    assert section_kind(title) == kind


@pytest.mark.parametrize(
    ("numeral", "value"), [("I", 1), ("IV", 4), ("ix", 9), ("XIV", 14), ("IIII", None), ("A", None)]
)
def test_roman_value(numeral, value):
    assert roman_value(numeral) == value


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("AGENDA", True),
        ("ANNEX I: LIST OF PARTICIPANTS", True),
        ("SUMMARY REPORT", True),
        ("  AGENDA", False),
        ("IOM", False),
        ("Regional Director for IOM", False),
        ("COVID-19 RESPONSE.", False),
    ],
)
def test_is_bare_heading(line, expected):
    assert is_bare_heading(line) is expected


@pytest.mark.parametrize(
    ("text", "objectives", "sdgs"),
    [
        ("**GCM Objective 5** and **Objective 11**", (5, 11), ()),
        ("GCM Objectives 2, 7 and 23", (2, 7, 23), ()),
        ("Objective 24 does not exist", (), ()),
        ("the objectives of the series are (1)", (), ()),
        ("**Goal 3** and SDG 8; SDGs 10 and 17", (), (3, 8, 10, 17)),
        ("setting a goal to fully open", (), ()),
    ],
)
def test_tags_named_in_text(text, objectives, sdgs):
    assert numbers_named(OBJECTIVE, text, 23) == objectives
    assert numbers_named(SDG, text, 17) == sdgs


def test_guiding_principles_named():
    assert guiding_principles_named("a whole-of-society and gender responsive approach") == (
        "gender-responsive",
        "whole-of-society",
    )


def test_agenda_cell_without_html_is_one_topic():
    assert parse_agenda_cell("Q&A and moderated discussion") == (
        "Q&A and moderated discussion",
        "",
        (),
    )


# --- whole small reports --------------------------------------------------------------


def test_continuation_line_after_a_bullet_joins_the_bullet_when_lower_case():
    parsed = parse_report(
        report("I. Background\n\n1. Lead:\n - first item that runs\n\nover a page break\n")
    )
    assert parsed.paragraphs[0].text == "Lead:\n- first item that runs over a page break"


def test_text_after_a_bullet_list_starts_a_new_line():
    parsed = parse_report(report("I. Background\n\n1. Lead:\n \u2022 item.\nClosing words.\n"))
    assert parsed.paragraphs[0].text == "Lead:\n- item.\nClosing words."


def test_hyphenated_word_split_by_a_page_break_is_rejoined():
    parsed = parse_report(report("I. Background\n\n1. A well-\n\nequipped border post.\n"))
    assert parsed.paragraphs[0].text == "A well-equipped border post."


def test_unnumbered_text_under_a_heading_is_kept_as_its_introduction():
    parsed = parse_report(report("I. Background\nSome context.\n\n1. First.\n"))
    assert parsed.sections[0].intro == "Some context."


def test_letter_i_after_h_is_a_subsection_not_roman_one():
    headings = "".join(f"{chr(65 + n)}. Part {n}\n{n + 2}. Text.\n" for n in range(9))
    parsed = parse_report(report("I. Outcomes\n1. Text.\n" + headings))
    assert parsed.sections[-1].key == "I.I"
    assert parsed.sections[-1].parent_key == "I"


def test_recommendations_section_with_subsections_makes_them_recommendations():
    parsed = parse_report(
        report("I. Recommendations\nA. Health\n1. Do this.\nB. Labour\n2. Do that.\n")
    )
    assert [p.is_recommendation for p in parsed.paragraphs] == [True, True]
    assert [s.kind for s in parsed.sections] == ["recommendations"] * 3


def test_missing_time_zone_is_a_warning_not_an_error():
    text = TITLE_BLOCK.replace(" Phnom Penh & Bangkok Time (GMT+7)", "")
    parsed = parse_report(text + "I. Background\n1. Text.\n")
    assert parsed.starts_at == datetime(2022, 4, 11, 9, tzinfo=UTC)
    assert any("time zone" in w for w in parsed.warnings)


def test_gap_in_paragraph_numbers_is_a_warning():
    parsed = parse_report(report("I. Background\n1. One.\n3. Three.\n"))
    assert parsed.warnings == ("line 12: paragraph 3 follows paragraph 1; expected 2",)


# --- what is not a report -------------------------------------------------------------


def test_empty_file_is_refused():
    with pytest.raises(ReportError, match="empty") as error:
        decode_report(b"  \n\n")
    assert error.value.line == 1


def test_binary_file_is_refused_naming_the_line():
    with pytest.raises(ReportError, match="binary") as error:
        decode_report(b"line one\nline two\x00\x01\x02")
    assert error.value.line == 2
    assert str(error.value).startswith("line 2: ")


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n...", b"PK\x03\x04\x14\x00\x06\x00", b"\xd0\xcf\x11\xe0\xa1\xb1"]
)
def test_office_and_pdf_files_are_refused(data):
    with pytest.raises(ReportError, match="not a plain-text report"):
        decode_report(data)


def test_windows_1252_and_bom_are_decoded():
    assert decode_report("\ufeff1. Caf\u00e9".encode()) == "1. Caf\u00e9"
    assert decode_report("1. \u201cQuoted\u201d".encode("cp1252")) == "1. \u201cQuoted\u201d"


def test_text_without_numbered_paragraphs_is_refused():
    with pytest.raises(ReportError, match="no numbered paragraph") as error:
        parse_report(report("I. Background\nJust prose.\n"))
    assert error.value.line == 11


def test_duplicate_paragraph_number_names_both_lines():
    with pytest.raises(
        ReportError, match=r"paragraph 1 is numbered twice \(first at line 11\)"
    ) as e:
        parse_report(report("I. Background\n1. One.\n1. One again.\n"))
    assert e.value.line == 12


def test_decreasing_paragraph_number_is_refused():
    with pytest.raises(ReportError, match="must increase") as error:
        parse_report(report("I. Background\n1. One.\n3. Three.\nII. More\n2. Two.\n"))
    assert error.value.line == 14


def test_title_block_without_a_date_is_refused():
    with pytest.raises(ReportError, match="no date in the title block"):
        parse_report('"A title"\nVirtual\n\nI. Background\n1. Text.\n')
