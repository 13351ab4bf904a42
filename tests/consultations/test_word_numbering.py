"""The numbers Word shows for automatically numbered paragraphs, from hand-written
numbering.xml and styles.xml (``consultations.documents.numbering`` on its own)."""

import pytest

from consultations.documents.numbering import Numbering, format_number, parse

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def lvl(ilvl=0, fmt="decimal", text=None, start=1, restart=None, style=None, extra=""):
    text = f"%{ilvl + 1}." if text is None else text
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        + (f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else "")
        + (f'<w:pStyle w:val="{style}"/>' if style else "")
        + f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>'
    )


def abstract(abstract_id, *levels, link=""):
    return f'<w:abstractNum w:abstractNumId="{abstract_id}">{link}{"".join(levels)}</w:abstractNum>'


def num(num_id, abstract_id, overrides=""):
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


def numbering(*parts):
    return f"<w:numbering {W}>{''.join(parts)}</w:numbering>"


def style(style_id, name=None, based_on=None, num_id=None, ilvl=None, kind="paragraph"):
    num_pr = ""
    if num_id is not None or ilvl is not None:
        num_pr = (
            "<w:pPr><w:numPr>"
            + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "")
            + (f'<w:numId w:val="{num_id}"/>' if num_id is not None else "")
            + "</w:numPr></w:pPr>"
        )
    return (
        f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{name or style_id}"/>'
        + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
        + f"{num_pr}</w:style>"
    )


def styles(*parts):
    return f"<w:styles {W}>{''.join(parts)}</w:styles>"


def texts(resolver, *calls):
    """The label text for each call: a numId, or (numId, level)."""
    shown = []
    for call in calls:
        num_id, level = call if isinstance(call, tuple) else (call, None)
        label = resolver.label(num_id=num_id, level=level)
        shown.append(label.text if label else None)
    return shown


def test_decimal_numbering_starts_at_one_and_counts():
    resolver = Numbering.from_xml(numbering(abstract(0, lvl()), num(1, 0)))
    assert texts(resolver, "1", "1", "1") == ["1.", "2.", "3."]
    label = resolver.label(num_id="1")
    assert (label.text, label.level, label.format, label.is_bullet) == ("4.", 0, "decimal", False)


def test_a_level_can_start_at_five():
    resolver = Numbering.from_xml(numbering(abstract(0, lvl(start=5)), num(1, 0)))
    assert texts(resolver, "1", "1") == ["5.", "6."]


def test_instances_of_one_abstract_numbering_continue_one_list():
    resolver = Numbering.from_xml(numbering(abstract(0, lvl()), num(1, 0), num(2, 0)))
    assert texts(resolver, "1", "1", "2", "1", "2") == ["1.", "2.", "3.", "4.", "5."]
    first, second = resolver.label(num_id="1"), resolver.label(num_id="2")
    assert first.list_key == second.list_key


def test_an_instance_with_a_start_override_restarts_and_counts_on_its_own():
    override = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
    resolver = Numbering.from_xml(numbering(abstract(0, lvl()), num(1, 0), num(2, 0, override)))
    assert texts(resolver, "1", "1", "1", "2", "2", "1") == ["1.", "2.", "3.", "1.", "2.", "4."]


def test_a_level_override_replaces_the_level_of_one_instance():
    override = f'<w:lvlOverride w:ilvl="0">{lvl(fmt="upperLetter", text="(%1)")}</w:lvlOverride>'
    resolver = Numbering.from_xml(numbering(abstract(0, lvl()), num(1, 0), num(2, 0, override)))
    assert texts(resolver, "1", "2", "2", "1") == ["1.", "(A)", "(B)", "2."]


def test_a_deeper_level_restarts_when_the_level_above_it_advances():
    resolver = Numbering.from_xml(
        numbering(abstract(0, lvl(0), lvl(1, "lowerLetter", "(%2)")), num(1, 0))
    )
    calls = [("1", 0), ("1", 1), ("1", 1), ("1", 0), ("1", 1)]
    assert texts(resolver, *calls) == ["1.", "(a)", "(b)", "2.", "(a)"]


def test_a_level_with_restart_zero_never_restarts():
    resolver = Numbering.from_xml(
        numbering(abstract(0, lvl(0), lvl(1, "lowerLetter", "%2)", restart=0)), num(1, 0))
    )
    calls = [("1", 0), ("1", 1), ("1", 0), ("1", 1)]
    assert texts(resolver, *calls) == ["1.", "a)", "2.", "b)"]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("upperRoman", ["I.", "II.", "III.", "IV.", "V.", "VI.", "VII.", "VIII.", "IX.", "X."]),
        ("upperLetter", ["A.", "B.", "C.", "D.", "E.", "F.", "G.", "H.", "I.", "J."]),
        ("lowerRoman", ["i.", "ii.", "iii.", "iv.", "v.", "vi.", "vii.", "viii.", "ix.", "x."]),
        ("lowerLetter", ["a.", "b.", "c.", "d.", "e.", "f.", "g.", "h.", "i.", "j."]),
        ("decimalZero", ["01.", "02.", "03.", "04.", "05.", "06.", "07.", "08.", "09.", "10."]),
    ],
)
def test_number_formats(fmt, expected):
    resolver = Numbering.from_xml(numbering(abstract(0, lvl(fmt=fmt)), num(1, 0)))
    assert texts(resolver, *["1"] * 10) == expected


def test_large_numbers_are_written_as_word_writes_them():
    assert format_number(1994, "upperRoman") == "MCMXCIV"
    assert format_number(49, "lowerRoman") == "xlix"
    assert format_number(27, "upperLetter") == "AA"
    assert format_number(28, "lowerLetter") == "bb"
    assert format_number(53, "upperLetter") == "AAA"
    assert format_number(0, "upperRoman") == "0"
    assert format_number(7, "ordinalText") == "7"  # formats it does not cover: decimals


def test_multi_level_text_shows_every_level_it_names():
    resolver = Numbering.from_xml(
        numbering(abstract(0, lvl(0), lvl(1, text="%1.%2"), lvl(2, text="%1.%2.%3")), num(1, 0))
    )
    calls = [("1", 0), ("1", 1), ("1", 1), ("1", 2), ("1", 0), ("1", 1)]
    assert texts(resolver, *calls) == ["1.", "1.1", "1.2", "1.2.1", "2.", "2.1"]


def test_legal_numbering_shows_the_levels_above_as_decimals():
    legal = lvl(1, text="%1.%2", extra="<w:isLgl/>")
    resolver = Numbering.from_xml(numbering(abstract(0, lvl(0, "upperRoman"), legal), num(1, 0)))
    assert texts(resolver, ("1", 0), ("1", 1), ("1", 0), ("1", 1)) == ["I.", "1.1", "II.", "2.1"]


def test_bullets_are_bullets_whatever_character_or_picture():
    picture = lvl(1, "bullet", "\uf0b7", extra='<w:lvlPicBulletId w:val="3"/>')
    resolver = Numbering.from_xml(
        numbering(abstract(0, lvl(0, "bullet", "\u2022"), picture), num(1, 0))
    )
    first, second = resolver.label(num_id="1"), resolver.label(num_id="1", level=1)
    assert (first.text, first.is_bullet, first.level) == ("\u2022", True, 0)
    assert second.is_bullet and second.level == 1
    picture_only = lvl(0, "decimal", "%1.", extra='<w:lvlPicBulletId w:val="3"/>')
    resolver = Numbering.from_xml(numbering(abstract(0, picture_only), num(1, 0)))
    assert resolver.label(num_id="1").is_bullet


HEADINGS = numbering(
    abstract(
        7,
        lvl(0, "upperRoman", style="Heading1"),
        lvl(1, "upperLetter", style="Heading2"),
        lvl(2, "lowerRoman", style="Heading3"),
    ),
    num(4, 7),
)


def test_numbering_through_a_style_following_based_on():
    resolver = Numbering.from_xml(
        HEADINGS,
        styles(
            style("Normal", "Normal"),
            style("Heading1", "heading 1", "Normal", num_id=4, ilvl=0),
            style("Heading2", "heading 2", "Normal", num_id=4),  # level from the abstract
            style("Heading3", "heading 3", "Normal", num_id=4, ilvl=2),
            style("ReportChapter", "Report chapter", "Heading1"),  # numbered through basedOn
        ),
    )
    labels = [
        resolver.label(style_id=style_id).text
        for style_id in [
            "Heading1",
            "Heading2",
            "Heading3",
            "Heading3",
            "Heading2",
            "ReportChapter",
            "Heading2",
        ]
    ]
    assert labels == ["I.", "A.", "i.", "ii.", "B.", "II.", "A."]
    assert resolver.label(style_id="Normal") is None
    assert resolver.label() is None


def test_a_style_with_a_level_but_no_numbering_numbers_nothing():
    resolver = Numbering.from_xml(HEADINGS, styles(style("Subtitle", ilvl=1)))
    assert resolver.label(style_id="Subtitle") is None


def paragraph(properties=""):
    return parse(f"<w:p {W}><w:pPr>{properties}</w:pPr><w:r><w:t>Text</w:t></w:r></w:p>")


def test_paragraph_properties_name_the_numbering_and_zero_switches_it_off():
    resolver = Numbering.from_xml(
        HEADINGS, styles(style("Heading1", "heading 1", num_id=4, ilvl=0))
    )
    heading = paragraph('<w:pStyle w:val="Heading1"/>')
    unnumbered = paragraph('<w:pStyle w:val="Heading1"/><w:numPr><w:numId w:val="0"/></w:numPr>')
    own = paragraph('<w:numPr><w:ilvl w:val="1"/><w:numId w:val="4"/></w:numPr>')
    deeper = paragraph('<w:pStyle w:val="Heading1"/><w:numPr><w:ilvl w:val="2"/></w:numPr>')
    assert resolver.paragraph_label(heading).text == "I."
    assert resolver.paragraph_label(unnumbered) is None
    assert resolver.paragraph_label(own).text == "A."
    assert resolver.paragraph_label(deeper).text == "i."
    assert resolver.paragraph_label(heading).text == "II."
    assert resolver.paragraph_label(parse(f"<w:p {W}/>")) is None


def test_a_numbering_defined_by_a_list_style_counts_with_its_definition():
    resolver = Numbering.from_xml(
        numbering(
            abstract(10, link='<w:numStyleLink w:val="ReportList"/>'),
            abstract(11, lvl(0, text="%1)"), link='<w:styleLink w:val="ReportList"/>'),
            num(20, 11),
            num(21, 10),
        ),
        styles(style("ReportList", num_id=20, kind="numbering")),
    )
    assert texts(resolver, "21", "20", "21") == ["1)", "2)", "3)"]


def test_broken_definitions_number_nothing_instead_of_failing():
    resolver = Numbering.from_xml(
        numbering(
            abstract(0, lvl(0)),
            '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="x"><w:start w:val="many"/>'
            "</w:lvl></w:abstractNum>",
            abstract(2, link='<w:numStyleLink w:val="Missing"/>'),
            num(1, 0),
            num(2, 99),
            num(3, 1),
            num(4, 2),
            '<w:num w:numId="5"/>',
        )
    )
    assert texts(resolver, "9", "2", "3", "4", "5", ("1", 4)) == [None] * 6
    assert texts(resolver, "1") == ["1."]
    no_start = numbering(
        '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="-3"/>'
        '<w:numFmt w:val="decimal"/></w:lvl></w:abstractNum>',
        num(1, 0),
    )
    assert texts(Numbering.from_xml(no_start), "1") == ["1."]
    assert Numbering.from_xml().label(num_id="1") is None
