"""Writing a parsed report: one transaction, updates in place, never loses a recommendation."""

from datetime import UTC, datetime, timedelta

import pytest

from consultations.importer import import_report_file, short_title
from consultations.models import (
    AgendaItem,
    Consultation,
    Paragraph,
    Recommendation,
    Section,
)
from consultations.report_parser import ReportError
from tests.factories import SHIPPED_REPORT, make_consultation

pytestmark = pytest.mark.django_db

SHIPPED = SHIPPED_REPORT.read_bytes()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Consultation, Section, Paragraph, Recommendation, AgendaItem)
    )


def test_import_creates_the_consultation_its_paragraphs_and_recommendations():
    consultation = make_consultation()
    assert consultation.code == "BM22"
    assert consultation.date.isoformat() == "2022-04-11"
    assert consultation.starts_at == datetime(2022, 4, 11, 2, 0, tzinfo=UTC)
    assert consultation.local_starts_at.utcoffset() == timedelta(hours=7)
    assert consultation.local_ends_at.hour == 12
    assert consultation.venue == "Virtual"
    assert consultation.host_country.code == "KH"
    assert consultation.number_in_series == 3
    assert consultation.source_file == SHIPPED_REPORT.name
    assert sorted(consultation.gcm_objectives.values_list("number", flat=True)) == [5, 11]
    assert sorted(consultation.sdgs.values_list("number", flat=True)) == [3, 5, 8, 10, 17]
    assert consultation.paragraphs.count() == 74
    assert consultation.sections.count() == 15
    assert consultation.agenda_items.count() == 8
    codes = list(consultation.recommendations.values_list("code", flat=True))
    assert codes == [f"BM22-R{n}" for n in [*range(31, 39), *range(64, 70)]]


def test_recommendations_are_tagged_with_the_reports_objectives_and_sdgs():
    make_consultation()
    recommendation = Recommendation.objects.get(code="BM22-R67")
    assert sorted(recommendation.gcm_objectives.values_list("number", flat=True)) == [5, 11]
    assert sorted(recommendation.sdgs.values_list("number", flat=True)) == [3, 5, 8, 10, 17]
    assert "whole-of-government" in recommendation.guiding_principles.values_list("key", flat=True)
    assert recommendation.short_title.startswith("Every country is responsible")


def test_paragraph_keeps_its_section_and_the_countries_it_mentions():
    make_consultation()
    paragraph = Paragraph.objects.get(number=60)
    assert [c.code for c in paragraph.countries] == ["KH", "LA", "MM", "TH"]
    assert paragraph.section.key == "IV.B.ii"
    assert paragraph.section.parent.key == "IV.B"


def test_importing_the_same_report_twice_changes_nothing():
    make_consultation()
    before = counts()
    result = import_report_file(SHIPPED, source_name=SHIPPED_REPORT.name)
    assert result.changes == []
    assert counts() == before
    assert Paragraph.history.filter(history_type="~").count() == 0


def test_dry_run_reports_the_changes_and_saves_nothing():
    result = import_report_file(SHIPPED, dry_run=True)
    assert result.dry_run
    assert "create recommendation BM22-R31" in result.changes
    assert "would be" in result.summary()
    assert counts() == (0, 0, 0, 0, 0)


def test_reimport_updates_a_changed_paragraph_in_place():
    consultation = make_consultation()
    recommendation = Recommendation.objects.get(code="BM22-R33")
    edited = SHIPPED.replace(b"of more than one day", b"of more than two days")
    result = import_report_file(edited, dry_run=True)
    assert result.changes == ["update paragraph 33: text"]
    import_report_file(edited)
    recommendation.refresh_from_db()
    assert "two days" in recommendation.text
    assert Recommendation.objects.count() == 14
    assert consultation.paragraphs.count() == 74
    assert recommendation.paragraph.history.count() == 2  # created, then changed


def test_reimport_keeps_staff_edits_to_recommendations():
    make_consultation()
    recommendation = Recommendation.objects.get(code="BM22-R31")
    recommendation.short_title = "Equal health rules for all migrants"
    recommendation.save()
    recommendation.gcm_objectives.clear()
    import_report_file(SHIPPED)
    recommendation.refresh_from_db()
    assert recommendation.short_title == "Equal health rules for all migrants"
    assert recommendation.gcm_objectives.count() == 0


def test_reimport_never_deletes_a_recommendation_whose_paragraph_went_away():
    make_consultation()
    without_38 = SHIPPED.replace(
        b"\n38. Implement collective actions", b"\nImplement collective actions"
    )
    # Paragraph 37 now runs on with 38's text: a change beyond small corrections, which
    # staff accept for BM22-R37.
    result = import_report_file(without_38, choices={"BM22-R37": "keep"})
    recommendation = Recommendation.objects.get(code="BM22-R38")
    assert not recommendation.is_current
    assert recommendation.paragraph.number == 38
    assert any("keep paragraph 38" in change for change in result.changes)
    # Putting it back restores it.
    import_report_file(SHIPPED, choices={"BM22-R37": "keep"})
    recommendation.refresh_from_db()
    assert recommendation.is_current
    assert recommendation.paragraph.in_report


def test_a_report_that_fails_to_parse_writes_nothing():
    make_consultation()
    before = counts()
    broken = SHIPPED.replace(b"\n40. H.E Chou", b"\n39. H.E Chou")
    with pytest.raises(ReportError, match="paragraph 39 is numbered twice"):
        import_report_file(broken)
    assert counts() == before


def test_a_failure_while_writing_rolls_back_everything(monkeypatch):
    from consultations import importer

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_write_agenda", fail)
    with pytest.raises(RuntimeError):
        import_report_file(SHIPPED)
    assert counts() == (0, 0, 0, 0, 0)


def test_another_report_gets_its_own_code():
    make_consultation()
    other = SHIPPED.replace(b"11 April 2022", b"12 May 2022").replace(
        b"Border Management and Labour Migration in the COVID-19 Recovery Phase\xe2\x80\x9d",
        b"Border Mobility after the Pandemic\xe2\x80\x9d",
    )
    consultation = import_report_file(other).consultation
    assert consultation.code == "BM22-2"
    assert Recommendation.objects.filter(code="BM22-2-R31").exists()
    assert Consultation.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short one. Second sentence.", "Short one"),
        ("**Bold** start; then more", "Bold start"),
        ("word " * 40, ("word " * 17).strip() + "…"),
    ],
)
def test_short_title(text, expected):
    assert short_title(text) == expected
