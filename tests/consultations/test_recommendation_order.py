"""The tables' order (a consultation's date, newest first, its title, the paragraph's
number) is copied onto each recommendation, so that a table of commitments is read in
order from an index: every write that moves a consultation, a paragraph or a
recommendation keeps the copies equal to what they copy, and the tables keep their order."""

import datetime as dt
import re

import pytest
from django.core.management import call_command

from consultations.importer import import_report_file
from consultations.models import Consultation, Paragraph, Recommendation
from consultations.revisions import FOLLOW
from tests.factories import (
    SHIPPED_REPORT,
    TEST_REPORTS,
    make_consultation,
    make_update,
)
from tracker import services
from tracker.models import Commitment

ROW_CODE = re.compile(r'<a href="/recommendations/([^/]+)/">')


def assert_copied() -> None:
    """Each recommendation's copies equal its consultation's date and title and its
    paragraph's number; and in the order they give, the recommendations and commitments
    come as when read through the consultation and the paragraph."""
    rows = Recommendation.objects.values_list(
        "code",
        "consultation_date",
        "consultation_title",
        "paragraph_number",
        "consultation__date",
        "consultation__title",
        "paragraph__number",
    )
    assert [row[:4] for row in rows] == [(row[0], *row[4:]) for row in rows]
    through = ("-consultation__date", "consultation__title", "paragraph__number")
    assert list(Recommendation.objects.values_list("code", flat=True)) == list(
        Recommendation.objects.order_by(*through).values_list("code", flat=True)
    )
    assert list(Commitment.objects.values_list("pk", flat=True)) == list(
        Commitment.objects.order_by(
            "-recommendation__consultation__date",
            "recommendation__consultation__title",
            "recommendation__paragraph__number",
            "country__code",
        ).values_list("pk", flat=True)
    )


def table_codes(client, query: str = "") -> list[str]:
    return ROW_CODE.findall(client.get(f"/progress/{query}").text)


def test_an_imported_report_is_in_the_order_of_its_paragraphs(world, client):
    assert_copied()
    r31 = Recommendation.objects.get(code="BM22-R31")
    assert (r31.consultation_date, r31.paragraph_number) == (world.consultation.date, 31)
    # Cambodia's and Thailand's commitments on R31, then on R32.
    assert table_codes(client) == ["BM22-R31", "BM22-R31", "BM22-R32", "BM22-R32"]


def test_a_newer_consultation_comes_first_and_a_date_changed_moves_it(world, client):
    pacific = make_consultation(TEST_REPORTS / "2023-11-02-pacific-labour-mobility.txt")
    services.assign_recommendations(
        recommendations=pacific.recommendations.filter(code="PL23-R5"),
        countries=[world.cambodia],
    )
    assert_copied()
    assert table_codes(client)[0] == "PL23-R5"
    pacific.date = dt.date(2001, 1, 1)  # staff correct its date, in the admin
    pacific.save()
    assert_copied()
    assert table_codes(client)[-1] == "PL23-R5"
    # Two consultations on one day: by their titles.
    pacific.date, pacific.title = world.consultation.date, "A" + pacific.title
    pacific.save()
    assert_copied()
    assert table_codes(client)[0] == "PL23-R5"


def test_a_paragraph_renumbered_by_hand_moves_its_recommendation(world, client):
    paragraph = Paragraph.objects.get(recommendation__code="BM22-R31")
    paragraph.number = 1000
    paragraph.save()
    assert_copied()
    assert table_codes(client) == ["BM22-R32", "BM22-R32", "BM22-R31", "BM22-R31"]


def test_a_revision_that_renumbers_paragraphs_keeps_the_order(world, client):
    # Paragraph 30 removed: every paragraph after it is numbered one lower, and the
    # recommendations follow their texts (R31 is now paragraph 30).
    lines = []
    for line in SHIPPED_REPORT.read_text().split("\n"):
        match = re.match(r"(\d+)\. ", line)
        number = int(match[1]) if match else None
        if number == 30:
            continue
        if number and number > 30:
            line = f"{number - 1}. {line[match.end() :]}"
        lines.append(line)
    revised = "\n".join(lines).encode()
    flags = import_report_file(revised, dry_run=True).flags
    import_report_file(revised, choices={flag.code: FOLLOW for flag in flags})
    assert Recommendation.objects.get(code="BM22-R31").paragraph_number == 30
    assert_copied()
    assert table_codes(client) == ["BM22-R31", "BM22-R31", "BM22-R32", "BM22-R32"]


def test_a_recommendation_moved_to_another_paragraph_in_the_admin_moves(world):
    r31 = Recommendation.objects.get(code="BM22-R31")
    spare = Paragraph.objects.filter(
        consultation=world.consultation, recommendation__isnull=True, number__gt=40
    ).first()
    r31.paragraph = spare
    r31.save()
    assert Recommendation.objects.get(pk=r31.pk).paragraph_number == spare.number
    assert_copied()


@pytest.mark.django_db(transaction=True)  # a backup takes its own snapshot
def test_a_restored_backup_is_in_order(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_update(world.kh_31, world.focal_kh, status="planned", accepted_by=world.staff)
    # Copies out of step, as in a backup made before they existed: the restore mends them.
    Recommendation.objects.update(paragraph_number=0, consultation_date=None)
    call_command("backup_data", output=tmp_path / "backup")
    call_command("restore_data", tmp_path / "backup", no_input=True)
    assert_copied()


def test_the_synthetic_data_is_in_order(world):
    call_command("generate_scale_data", recommendations=6, countries=3)
    assert Consultation.objects.count() == 2
    assert_copied()
