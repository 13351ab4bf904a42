"""How the report parser must behave on reports that differ from the first shipped one.

Fixtures in ``reports/`` next to this file:

* ``2022-07-05-decent-work.txt`` - weekday date with a hyphenated 24-hour range, straight
  quotes around the title, no "SUMMARY REPORT" line, recommendations directly under
  ``III. Recommendations`` and in its lettered subsections, an intro line, ``•`` and
  indented ``-`` bullets, a paragraph split by two page breaks, a bare ``CLOSING REMARKS``
  heading, no agenda.
* ``2023-03-14-climate-mobility.crlf.txt`` - Windows line endings, a time zone with minutes
  (GMT+5:45), a venue other than "Virtual", inline markdown and a URL, an agenda table with
  ``13:15-13:25`` times, HTML cells and a last row with a start time only.
* ``2023-11-02-pacific-labour-mobility.txt`` - ISO date with a 12-hour start time and no
  end time, no quotes around the title, no venue line, headings I. > A. > i. and back to
  II., the same ``ii. Recommendations`` heading under two parents, a page-break
  continuation that starts with a year, an agenda with ``2:00 PM - 2:15 PM`` times.

Broken inputs are built inside the tests.
"""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from consultations.report_parser import ReportError, decode_report, parse_report

REPORTS = Path(__file__).parent / "reports"

DECENT_WORK = "2022-07-05-decent-work.txt"
CLIMATE = "2023-03-14-climate-mobility.crlf.txt"
PACIFIC = "2023-11-02-pacific-labour-mobility.txt"
ALL_FIXTURES = [DECENT_WORK, CLIMATE, PACIFIC]

SERIES = "Regional Consultation Series with GCM Champion Countries in Asia and the Pacific"


# --------------------------------------------------------------------------- helpers


def load(name: str) -> str:
    """The decoded text of a fixture report, exactly as the importer would read it."""
    return decode_report((REPORTS / name).read_bytes())


@functools.cache
def parsed(name: str):
    return parse_report(load(name))


def paragraph(report, number: int):
    found = [p for p in report.paragraphs if p.number == number]
    assert len(found) == 1, f"expected exactly one paragraph {number}, found {len(found)}"
    return found[0]


def section(report, key: str):
    found = [s for s in report.sections if s.key == key]
    assert len(found) == 1, f"expected exactly one section {key!r}, found {len(found)}"
    return found[0]


def offset(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


def assert_error_at(error: ReportError, line: int) -> None:
    assert error.line == line
    assert str(error) == f"line {line}: {error.message}"


# A valid title block for reports built inside the tests; body lines start at line 10.
TITLE_BLOCK = (
    SERIES,
    "",
    "\u201cSafe and Dignified Return and Sustainable Reintegration\u201d",
    "",
    "8 September 2022, 10:00 \u2013 12:00 Bangkok Time (GMT+7)",
    "Virtual",
    "",
    "I. Background",
    "",
)
FIRST_BODY_LINE = len(TITLE_BLOCK) + 1


def report_text(*body_lines: str, title_block: tuple[str, ...] = TITLE_BLOCK) -> str:
    return "\n".join([*title_block, *body_lines]) + "\n"


# ------------------------------------------------------------- properties of every fixture


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_fixture_is_in_the_champion_countries_series(name):
    assert parsed(name).series == SERIES


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_paragraphs_are_in_document_order_and_belong_to_a_known_section(name):
    report = parsed(name)
    numbers = [p.number for p in report.paragraphs]
    assert numbers == sorted(set(numbers))
    lines = [p.line for p in report.paragraphs]
    assert lines == sorted(lines)
    keys = {s.key for s in report.sections}
    assert all(p.section_key in keys for p in report.paragraphs)


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_section_parents_come_before_their_children(name):
    seen: set[str] = set()
    for s in parsed(name).sections:
        assert s.parent_key is None or s.parent_key in seen, s.key
        seen.add(s.key)


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_paragraph_is_a_recommendation_exactly_when_its_section_is_recommendations(name):
    report = parsed(name)
    kinds = {s.key: s.kind for s in report.sections}
    for p in report.paragraphs:
        assert p.is_recommendation == (kinds[p.section_key] == "recommendations"), p.number


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_paragraph_text_is_clean(name):
    for p in parsed(name).paragraphs:
        assert not p.text.startswith(f"{p.number}."), p.number
        assert p.text == p.text.strip(), p.number
        assert "\r" not in p.text and "\t" not in p.text, p.number
        assert "  " not in p.text, p.number
        assert "\n\n" not in p.text, p.number


# ------------------------------------------------------ 2022-07-05 decent work (no agenda)


def test_title_block_with_weekday_and_hyphenated_24_hour_range():
    report = parsed(DECENT_WORK)
    assert report.title == "Decent Work and Fair Recruitment in the Post-Pandemic Recovery"
    assert report.starts_at == datetime(2022, 7, 5, 14, 0, tzinfo=offset(8))
    assert report.ends_at == datetime(2022, 7, 5, 16, 30, tzinfo=offset(8))
    assert report.starts_at.utcoffset() == timedelta(hours=8)
    assert report.ends_at.utcoffset() == timedelta(hours=8)
    assert report.timezone_label == "Manila Time (GMT+8)"
    assert report.venue == "Virtual"


def test_decent_work_paragraph_numbers_and_lines():
    report = parsed(DECENT_WORK)
    assert [p.number for p in report.paragraphs] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert {n: paragraph(report, n).line for n in (1, 4, 5, 7, 9)} == {
        1: 10,
        4: 18,
        5: 27,
        7: 32,
        9: 42,
    }


def test_roman_and_lettered_headings_and_a_bare_heading_form_the_section_tree():
    report = parsed(DECENT_WORK)
    assert [
        (s.key, s.label, s.title, s.kind, s.level, s.parent_key, s.line) for s in report.sections
    ] == [
        ("I", "I", "Background", "background", 1, None, 8),
        ("II", "II", "Challenges", "challenges", 1, None, 13),
        ("III", "III", "Recommendations", "recommendations", 1, None, 24),
        ("III.A", "A", "Fair recruitment", "recommendations", 2, "III", 29),
        ("III.B", "B", "Access to justice", "recommendations", 2, "III", 36),
        ("CLOSING REMARKS", "", "CLOSING REMARKS", "closing", 1, None, 40),
    ]


def test_lettered_subsections_of_recommendations_hold_recommendations():
    report = parsed(DECENT_WORK)
    assert [p.number for p in report.paragraphs if p.is_recommendation] == [5, 6, 7, 8]
    assert {p.number: p.section_key for p in report.paragraphs} == {
        1: "I",
        2: "I",
        3: "II",
        4: "II",
        5: "III",
        6: "III.A",
        7: "III.A",
        8: "III.B",
        9: "CLOSING REMARKS",
    }


def test_unnumbered_text_under_a_heading_is_its_intro_not_part_of_a_paragraph():
    report = parsed(DECENT_WORK)
    assert section(report, "III").intro == (
        "Participants put forward the following recommendations to governments, "
        "employers and recruitment agencies."
    )
    assert all(s.intro == "" for s in report.sections if s.key != "III")
    assert "Participants put forward" not in paragraph(report, 4).text
    assert paragraph(report, 5).text.startswith("Countries of origin and destination should adopt")


def test_paragraph_split_by_two_page_breaks_is_joined():
    assert paragraph(parsed(DECENT_WORK), 4).text == (
        "Migrant workers from Viet Nam and Cambodia employed in fishing and agriculture in the "
        "Republic of Korea and Thailand reported long working hours and withheld identity "
        "documents. Women migrant workers in domestic work faced the highest risk of wage "
        "theft, as some employers used lockdown restrictions to delay payment for several "
        "months, leaving many workers unable to send remittances home or repay recruitment "
        "debts."
    )


def test_bullet_character_items_become_dash_lines():
    assert paragraph(parsed(DECENT_WORK), 3).text == (
        "Recruitment fees and related costs remain a main driver of debt bondage among "
        "low-wage migrant workers. Participants noted that:\n"
        "- workers from Nepal and Bangladesh often pay fees exceeding six months of wages;\n"
        "- long subcontracting chains make it hard to establish who charged the fees."
    )


def test_dash_bullets_indented_with_spaces_or_tab_become_dash_lines():
    assert paragraph(parsed(DECENT_WORK), 7).text == (
        "Bilateral labour agreements should include:\n"
        "- standard employment contracts in a language the worker understands;\n"
        "- joint committees that monitor implementation, with worker representation."
    )


def test_countries_are_found_under_their_un_names():
    report = parsed(DECENT_WORK)
    assert paragraph(report, 4).countries == ("KH", "KR", "TH", "VN")
    assert paragraph(report, 3).countries == ("BD", "NP")
    assert paragraph(report, 6).countries == ("JP", "PH")
    assert paragraph(report, 8).countries == ()


def test_decent_work_objectives_and_sdgs():
    report = parsed(DECENT_WORK)
    assert paragraph(report, 2).gcm_objectives == (6,)
    assert paragraph(report, 2).sdgs == (8,)
    assert paragraph(report, 5).sdgs == (8,)
    assert paragraph(report, 8).gcm_objectives == (6, 7)
    assert paragraph(report, 8).sdgs == (16,)
    assert paragraph(report, 4).gcm_objectives == ()
    assert report.gcm_objectives == (6, 7)
    assert report.sdgs == (8, 16)


def test_report_without_agenda_has_an_empty_agenda():
    report = parsed(DECENT_WORK)
    assert report.agenda == ()
    assert not any(s.kind == "agenda" for s in report.sections)


def test_windows_1252_bytes_decode_to_the_same_text():
    text = load(DECENT_WORK)
    assert "\u2022" in text and "\u201c" in text  # bullet and curly quote differ between encodings
    assert decode_report(text.encode("cp1252")) == text


def test_utf8_bom_is_stripped():
    data = (REPORTS / DECENT_WORK).read_bytes()
    text = decode_report(b"\xef\xbb\xbf" + data)
    assert not text.startswith("\ufeff")
    assert text == decode_report(data)
    assert parse_report(text).series == SERIES


# ---------------------------------------------- 2023-03-14 climate mobility (CRLF, agenda)


def test_crlf_fixture_really_has_windows_line_endings():
    data = (REPORTS / CLIMATE).read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 30


def test_crlf_report_parses_like_the_same_text_with_lf():
    text = load(CLIMATE)
    assert parse_report(text) == parse_report(text.replace("\r\n", "\n"))


def test_cr_only_report_parses_like_the_same_text_with_lf():
    text = load(CLIMATE).replace("\r\n", "\n")
    assert parse_report(text.replace("\n", "\r")) == parse_report(text)


def test_time_zone_with_minutes_gives_a_quarter_hour_offset():
    report = parsed(CLIMATE)
    assert report.title == "Climate Change, Disasters and Human Mobility in South Asia"
    assert report.starts_at == datetime(2023, 3, 14, 13, 15, tzinfo=offset(5, 45))
    assert report.ends_at == datetime(2023, 3, 14, 16, 15, tzinfo=offset(5, 45))
    assert report.starts_at.utcoffset() == timedelta(hours=5, minutes=45)
    assert report.timezone_label == "Kathmandu Time (GMT+5:45)"
    assert report.venue == "Kathmandu, Nepal and online"


def test_summary_report_line_belongs_to_the_title_block_not_the_sections():
    report = parsed(CLIMATE)
    assert [(s.key, s.kind, s.level, s.parent_key, s.line) for s in report.sections] == [
        ("I", "background", 1, None, 11),
        ("II", "challenges", 1, None, 16),
        ("III", "recommendations", 1, None, 23),
        ("IV", "closing", 1, None, 28),
        ("AGENDA", "agenda", 1, None, 32),
    ]
    assert section(report, "I").title == "Background and Objectives"


def test_climate_paragraphs_and_recommendations():
    report = parsed(CLIMATE)
    assert [p.number for p in report.paragraphs] == [1, 2, 3, 4, 5, 6, 7]
    assert [p.number for p in report.paragraphs if p.is_recommendation] == [5, 6]
    assert paragraph(report, 6).line == 26


def test_agenda_rows_are_not_swallowed_by_the_last_paragraph():
    assert paragraph(parsed(CLIMATE), 7).text == (
        "The Government of Nepal thanked participants and noted that the recommendations "
        "would inform the Asia-Pacific Regional Review of the GCM in 2024."
    )


def test_inline_markdown_and_urls_are_kept_verbatim():
    report = parsed(CLIMATE)
    italic = "the *Kathmandu Call for Action on Climate Mobility* adopted"
    bold = "develop **bilateral arrangements on humanitarian visas** for"
    url = "figures at https://dtm.iom.int/asia-and-the-pacific for planning"
    assert italic in paragraph(report, 1).text
    assert bold in paragraph(report, 6).text
    assert url in paragraph(report, 4).text


def test_space_indented_dash_bullets_become_dash_lines():
    assert paragraph(parsed(CLIMATE), 3).text == (
        "Participants from Bangladesh, Nepal and Pakistan described how floods, glacial lake "
        "outbursts and sea-level rise are already displacing communities:\n"
        "- in Bangladesh, more than seven million people have been displaced by disasters "
        "since 2008;\n"
        "- remittances from migrants abroad are often the first source of recovery funds for "
        "affected households."
    )


def test_climate_countries():
    report = parsed(CLIMATE)
    assert paragraph(report, 3).countries == ("BD", "NP", "PK")
    assert paragraph(report, 6).countries == ("LK", "MV")
    assert paragraph(report, 4).countries == ()


def test_climate_objectives_and_sdgs():
    report = parsed(CLIMATE)
    assert paragraph(report, 2).gcm_objectives == (2, 5)
    assert paragraph(report, 2).sdgs == (13,)
    assert paragraph(report, 5).gcm_objectives == (2, 23)
    assert paragraph(report, 5).sdgs == (11,)
    assert report.gcm_objectives == (2, 5, 23)
    assert report.sdgs == (11, 13)


def test_agenda_with_compact_24_hour_times():
    agenda = parsed(CLIMATE).agenda
    assert [item.order for item in agenda] == [1, 2, 3, 4, 5, 6]
    assert [(item.starts, item.ends) for item in agenda] == [
        (time(13, 15), time(13, 25)),
        (time(13, 25), time(13, 40)),
        (time(13, 40), time(14, 40)),
        (time(14, 40), time(15, 30)),
        (time(15, 30), time(16, 5)),
        (time(16, 5), None),
    ]
    assert [item.line for item in agenda] == [35, 36, 37, 38, 39, 40]


def test_agenda_topic_is_the_first_paragraph_or_the_whole_plain_cell():
    agenda = parsed(CLIMATE).agenda
    assert [item.topic for item in agenda] == [
        "Welcome and introduction by co-moderators Sita Sharma, Government of Nepal and "
        "Lars Johansson, International Organization for Migration",
        "Opening remarks by the Minister of Labour, Employment and Social Security of Nepal",
        "Session 1 - Climate change, disasters and human mobility in South Asia "
        "(10 mins per panelist)",
        "Session 2 - Country experiences on migration as adaptation",
        "Q&A and summary by Priya Raman, UN Women",
        "Closing remarks by the Government of Nepal",
    ]
    assert not any("<" in item.topic for item in agenda)


def test_agenda_moderators_and_panel_speakers():
    agenda = parsed(CLIMATE).agenda
    assert [item.moderators for item in agenda[:2]] == ["", ""]
    assert "Dr. Pema Choden, United Nations Environment Programme" in agenda[2].moderators
    assert "Ahmed Nashid" in agenda[3].moderators and "Aiko Tanaka" in agenda[3].moderators
    assert not any("<" in item.moderators for item in agenda)
    assert agenda[2].speakers == (
        "Farhana Akter, Ministry of Disaster Management and Relief, Bangladesh",
        "Tahmina Rahman, International Organization for Migration",
        "Rajiv Menon, Asian Development Bank",
    )
    assert agenda[3].speakers == (
        "Nimal Perera, Ministry of Foreign Employment, Sri Lanka",
        "Sonam Dorji, Royal Government of Bhutan",
    )
    assert [item.speakers for i, item in enumerate(agenda) if i not in (2, 3)] == [()] * 4


def test_agenda_keeps_the_cell_as_written():
    assert parsed(CLIMATE).agenda[3].raw == (
        "<p>Session 2 - Country experiences on migration as adaptation</p> "
        "<p>Co-moderated by Ahmed Nashid, Government of Maldives and Aiko Tanaka, UNHCR</p> "
        "<ul><li>Panel Speaker: Nimal Perera, Ministry of Foreign Employment, Sri Lanka</li>"
        "<li>Panel Speaker: Sonam Dorji, Royal Government of Bhutan</li></ul>"
    )


# ---------------------------------- 2023-11-02 Pacific labour mobility (ISO date, deep tree)


def test_iso_date_with_12_hour_start_and_no_end_or_venue():
    report = parsed(PACIFIC)
    assert report.title == "Pacific Labour Mobility and Climate Resilience"
    assert report.starts_at == datetime(2023, 11, 2, 14, 0, tzinfo=offset(12))
    assert report.starts_at.utcoffset() == timedelta(hours=12)
    assert report.ends_at is None
    assert report.timezone_label == "Suva Time (UTC+12:00)"
    assert report.venue == ""


def test_headings_go_three_levels_deep_and_back_to_the_top():
    report = parsed(PACIFIC)
    assert [(s.key, s.label, s.kind, s.level, s.parent_key, s.line) for s in report.sections] == [
        ("I", "I", "other", 1, None, 7),
        ("I.A", "A", "other", 2, "I", 9),
        ("I.A.i", "i", "challenges", 3, "I.A", 11),
        ("I.A.ii", "ii", "recommendations", 3, "I.A", 15),
        ("I.B", "B", "other", 2, "I", 20),
        ("I.B.i", "i", "challenges", 3, "I.B", 22),
        ("I.B.ii", "ii", "recommendations", 3, "I.B", 28),
        ("II", "II", "closing", 1, None, 32),
        ("AGENDA", "", "agenda", 1, None, 36),
    ]


def test_same_subheading_under_two_parents_gets_two_keys():
    report = parsed(PACIFIC)
    assert {p.number: p.section_key for p in report.paragraphs} == {
        1: "I.A.i",
        2: "I.A.ii",
        3: "I.A.ii",
        4: "I.B.i",
        5: "I.B.ii",
        6: "II",
    }
    assert [p.number for p in report.paragraphs if p.is_recommendation] == [2, 3, 5]


def test_continuation_line_starting_with_a_year_is_not_a_paragraph():
    report = parsed(PACIFIC)
    assert [p.number for p in report.paragraphs] == [1, 2, 3, 4, 5, 6]
    assert paragraph(report, 4).line == 24
    assert paragraph(report, 4).text == (
        "Rising sea levels threaten the habitability of low-lying atolls in Kiribati and "
        "Tuvalu. Participants recalled that responses should be guided by the 2030 Agenda "
        "for Sustainable Development and the Pacific Regional Framework on Climate Mobility."
    )


def test_pacific_countries_and_no_false_match_inside_papua_new_guinea():
    report = parsed(PACIFIC)
    assert paragraph(report, 1).countries == ("AU", "FJ", "NZ", "TO", "VU")
    assert paragraph(report, 3).countries == ("PG", "TL")
    assert paragraph(report, 4).countries == ("KI", "TV")


def test_pacific_objectives_and_sdgs():
    report = parsed(PACIFIC)
    assert paragraph(report, 2).gcm_objectives == (5, 18)
    assert paragraph(report, 2).sdgs == (10,)
    assert paragraph(report, 5).gcm_objectives == (2,)
    assert paragraph(report, 5).sdgs == (13,)
    assert report.gcm_objectives == (2, 5, 18)
    assert report.sdgs == (10, 13)


def test_agenda_with_12_hour_times():
    agenda = parsed(PACIFIC).agenda
    assert len(agenda) == 3
    assert [item.order for item in agenda] == [1, 2, 3]
    assert [(item.starts, item.ends) for item in agenda] == [
        (time(14, 0), time(14, 15)),
        (time(14, 15), time(15, 45)),
        (time(15, 45), time(16, 0)),
    ]
    assert [item.line for item in agenda] == [39, 40, 41]
    panel = agenda[1]
    assert panel.topic == "Panel discussion on labour mobility and climate resilience"
    assert "Losana Tuilagi, International Labour Organization" in panel.moderators
    assert panel.speakers == (
        "Mele Taufa, Ministry of Employment, Tonga",
        "John Kalsakau, Department of Labour, Vanuatu",
    )
    assert agenda[2].topic == "Closing remarks"
    assert agenda[2].moderators == ""
    assert agenda[2].speakers == ()


# ----------------------------------------------------- mentions inside a single paragraph


@pytest.mark.parametrize(
    ("sentence", "countries"),
    [
        ("Workers from Lao PDR were stranded at the border.", ("LA",)),
        ("The Lao People's Democratic Republic revised its labour law.", ("LA",)),
        ("The Lao People\u2019s Democratic Republic revised its labour law.", ("LA",)),
        ("The Republic of Korea expanded its Employment Permit System.", ("KR",)),
        ("The Democratic People's Republic of Korea was not represented.", ("KP",)),
        (
            "The Republic of Korea and the Democratic People's Republic of Korea were discussed.",
            ("KP", "KR"),
        ),
        ("Viet Nam and Thailand signed a memorandum of understanding.", ("TH", "VN")),
        ("Papua New Guinea hosted the side event.", ("PG",)),
        ("No country is named in this paragraph.", ()),
    ],
)
def test_country_names_and_aliases(sentence, countries):
    report = parse_report(report_text(f"1. {sentence}"))
    assert paragraph(report, 1).countries == countries


@pytest.mark.parametrize(
    ("sentence", "objectives", "sdgs"),
    [
        ("The session addressed **GCM Objective 6** on fair recruitment.", (6,), ()),
        ("Participants discussed Objective 11 on border management.", (11,), ()),
        ("It contributed to GCM Objectives 2 and 23.", (2, 23), ()),
        ("It contributed to **Goal 3** \u2013 on good health and well-being.", (), (3,)),
        ("It contributed to SDG 8 on decent work.", (), (8,)),
        ("It was guided by the Sustainable Development Goals (SDGs) and the GCM.", (), ()),
        ("GCM Objective 23, SDG 17, Objective 5 and Goal 10 were cited.", (5, 23), (10, 17)),
    ],
)
def test_gcm_objective_and_sdg_mentions(sentence, objectives, sdgs):
    report = parse_report(report_text(f"1. {sentence}"))
    assert paragraph(report, 1).gcm_objectives == objectives
    assert paragraph(report, 1).sdgs == sdgs
    assert report.gcm_objectives == objectives
    assert report.sdgs == sdgs


def test_star_bullets_become_dash_lines_but_italics_at_line_start_do_not():
    report = parse_report(
        report_text(
            "1. Participants called for:",
            "  * faster visa processing;",
            "  * lower remittance costs.",
            "2. *Safe Migration Centres* were presented as a good practice.",
        )
    )
    assert paragraph(report, 1).text == (
        "Participants called for:\n- faster visa processing;\n- lower remittance costs."
    )
    assert paragraph(report, 2).text == (
        "*Safe Migration Centres* were presented as a good practice."
    )


def test_gap_in_paragraph_numbers_is_not_an_error():
    report = parse_report(report_text("1. First.", "2. Second.", "4. Fourth."))
    assert [p.number for p in report.paragraphs] == [1, 2, 4]


# ------------------------------------------------------------------------ broken inputs


def test_empty_file_is_rejected_at_line_1():
    with pytest.raises(ReportError, match=r"(?i)empty") as excinfo:
        decode_report(b"")
    assert_error_at(excinfo.value, 1)


def test_blank_only_file_is_rejected():
    with pytest.raises(ReportError):
        parse_report(decode_report(b"\r\n   \n\t\n"))


def test_binary_file_error_names_the_line_with_the_nul_byte():
    data = (SERIES + "\n\n\u201cTitle\u201d\n").encode() + b"\x00\x01\x02\xff garbage\n"
    with pytest.raises(ReportError, match=r"(?i)binary|NUL") as excinfo:
        decode_report(data)
    assert_error_at(excinfo.value, 4)


def test_word_document_is_rejected_as_binary():
    docx_header = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"
    with pytest.raises(ReportError, match=r"(?i)binary|NUL|zip|Word") as excinfo:
        decode_report(docx_header)
    assert_error_at(excinfo.value, 1)


def test_text_with_no_numbered_paragraph_is_rejected():
    text = report_text(
        "The consultation was postponed.",
        "A new date will be announced by the Regional UN Network on Migration.",
    )
    with pytest.raises(ReportError, match=r"(?i)no numbered paragraph") as excinfo:
        parse_report(text)
    # any line of the file, up to the empty position after the final newline
    assert 1 <= excinfo.value.line <= len(text.split("\n"))
    assert str(excinfo.value) == f"line {excinfo.value.line}: {excinfo.value.message}"


def test_duplicate_paragraph_number_names_both_lines():
    text = report_text(
        "1. The consultation opened with remarks by the host government.",
        "2. Participants discussed fair recruitment.",
        "",
        "2. Participants discussed access to justice.",
    )
    with pytest.raises(ReportError, match=r"paragraph 2 is numbered twice") as excinfo:
        parse_report(text)
    assert_error_at(excinfo.value, FIRST_BODY_LINE + 3)
    assert f"first at line {FIRST_BODY_LINE + 1}" in excinfo.value.message


def test_paragraph_number_lower_than_the_one_before_is_rejected():
    text = report_text(
        "1. The consultation opened with remarks by the host government.",
        "3. Participants discussed fair recruitment.",
        "2. Participants discussed access to justice.",
    )
    with pytest.raises(ReportError, match=r"\b2\b") as excinfo:
        parse_report(text)
    assert_error_at(excinfo.value, FIRST_BODY_LINE + 2)


def test_report_starting_with_its_date_line_has_no_title():
    title_block = (
        "8 September 2022, 10:00 \u2013 12:00 Bangkok Time (GMT+7)",
        "Virtual",
        "",
        "I. Background",
        "",
    )
    text = report_text("1. The consultation took place online.", title_block=title_block)
    with pytest.raises(ReportError, match=r"(?i)title") as excinfo:
        parse_report(text)
    assert_error_at(excinfo.value, 1)


def test_report_without_date_in_title_block_is_rejected():
    title_block = (
        SERIES,
        "",
        "\u201cSafe and Dignified Return and Sustainable Reintegration\u201d",
        "",
        "Virtual",
        "",
        "I. Background",
        "",
    )
    text = report_text(
        "1. The consultation followed the International Migration Review Forum held on "
        "20 May 2022 in New York.",
        title_block=title_block,
    )
    with pytest.raises(ReportError, match=r"(?i)date") as excinfo:
        parse_report(text)
    assert 1 <= excinfo.value.line <= 6
