"""The staff admin of consultations: reading the report, editing recommendations, importing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations.models import (
    Consultation,
    GcmObjective,
    Paragraph,
    Recommendation,
    Sdg,
    Theme,
)
from tests.factories import SHIPPED_REPORT, make_consultation
from tests.forms import form_data

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:consultations_consultation_import")


def upload(client, data: bytes, *, name="report.txt", dry_run=False, **extra):
    fields = {"file": SimpleUploadedFile(name, data, content_type="text/plain"), **extra}
    if dry_run:
        fields["dry_run"] = "on"
    return client.post(IMPORT_URL, fields)


# --- importing in the admin -----------------------------------------------------------


def test_staff_see_the_import_link_on_the_consultation_list(staff_client):
    response = staff_client.get(reverse("admin:consultations_consultation_changelist"))
    assert IMPORT_URL in response.text


def test_staff_import_a_report_by_upload(staff_client):
    response = upload(staff_client, SHIPPED_REPORT.read_bytes(), name=SHIPPED_REPORT.name)
    assert response.status_code == 200
    assert "74 paragraphs, 14 recommendations" in response.text
    assert Recommendation.objects.count() == 14
    assert Consultation.objects.get().source_file == SHIPPED_REPORT.name


def test_dry_run_upload_lists_changes_and_saves_nothing(staff_client):
    response = upload(staff_client, SHIPPED_REPORT.read_bytes(), dry_run=True)
    assert "Dry run: nothing was saved" in response.text
    assert "create recommendation BM22-R31" in response.text
    assert Consultation.objects.count() == 0


def test_broken_upload_names_the_line_and_changes_nothing(staff_client):
    make_consultation()
    broken = SHIPPED_REPORT.read_bytes().replace(b"\n33. Fully", b"\n32. Fully")
    response = upload(staff_client, broken, name="edited.txt")
    assert response.status_code == 200
    assert "edited.txt, line 84: paragraph 32 is numbered twice (first at line 83)" in (
        response.text
    )
    assert "Nothing was changed" in response.text
    assert "33. Fully" not in Paragraph.objects.get(number=33).text
    assert Paragraph.objects.get(number=33).text.startswith("Fully vaccinated")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty"),
        (b"%PDF-1.7 binary", "this file is not a readable PDF"),
        (b"just\x00binary", "binary content"),
    ],
)
def test_upload_that_is_not_a_report_is_refused(
    staff_client, data, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, data)
    if response.status_code == 302:  # a PDF, read by the worker: the page then says it
        response = staff_client.get(response["Location"])
    assert message in response.text
    assert "Dry run: nothing was saved" not in response.text
    assert Consultation.objects.count() == 0


def test_oversized_upload_is_refused(staff_client, settings):
    settings.REPORT_UPLOAD_MAX_BYTES = 1000
    response = upload(staff_client, SHIPPED_REPORT.read_bytes())
    assert "the largest report accepted is 1000" in response.text
    assert Consultation.objects.count() == 0


def test_user_without_permission_cannot_import(client, outsider):
    client.force_login(outsider)
    assert client.get(IMPORT_URL).status_code == 403
    response = upload(client, SHIPPED_REPORT.read_bytes())
    assert response.status_code == 403
    assert Consultation.objects.count() == 0


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


# --- reading and editing --------------------------------------------------------------


def test_consultation_page_shows_paragraphs_in_order(staff_client, django_assert_max_num_queries):
    consultation = make_consultation()
    url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    with django_assert_max_num_queries(30):
        response = staff_client.get(url)
    assert response.status_code == 200
    text = response.text
    positions = [text.index(f"BM22-R{n}<") for n in (31, 38, 64, 69)]
    assert positions == sorted(positions)
    assert "Regional Director for International Organization for Migration (IOM)" in text
    assert "11 Apr 2022, 09:00–12:00 Phnom Penh &amp; Bangkok Time (GMT+7)" in text
    # The source text is shown, never as a field to edit.
    assert 'name="source_text"' not in text
    assert 'name="title"' not in text
    assert 'name="organisers"' in text


@pytest.mark.parametrize(
    "name",
    [
        "consultation",
        "section",
        "paragraph",
        "recommendation",
        "agendaitem",
        "gcmobjective",
        "sdg",
        "guidingprinciple",
        "theme",
    ],
)
def test_every_changelist_opens_with_a_bounded_number_of_queries(
    staff_client, django_assert_max_num_queries, name
):
    make_consultation()
    with django_assert_max_num_queries(15):
        response = staff_client.get(reverse(f"admin:consultations_{name}_changelist"))
    assert response.status_code == 200


def test_paragraph_list_filters_by_country_mentioned(staff_client):
    make_consultation()
    url = reverse("admin:consultations_paragraph_changelist")
    response = staff_client.get(url, {"country": "LA"})
    numbers = [p.number for p in response.context["cl"].result_list]
    assert numbers == [21, 60, 61]


def test_paragraph_list_searches_text(staff_client):
    make_consultation()
    url = reverse("admin:consultations_paragraph_changelist")
    response = staff_client.get(url, {"q": "VaxCertPH"})
    assert [p.number for p in response.context["cl"].result_list] == [58]


def test_paragraph_text_is_read_only(staff_client):
    make_consultation()
    paragraph = Paragraph.objects.get(number=31)
    url = reverse("admin:consultations_paragraph_change", args=[paragraph.pk])
    response = staff_client.get(url)
    assert 'name="text"' not in response.text
    staff_client.post(url, {"text": "Changed"})
    paragraph.refresh_from_db()
    assert paragraph.text.startswith("Health requirements")


def test_staff_edit_a_recommendations_short_title_and_tags(staff_client):
    make_consultation()
    theme = Theme.objects.create(name="Health", slug="health")
    recommendation = Recommendation.objects.get(code="BM22-R31")
    url = reverse("admin:consultations_recommendation_change", args=[recommendation.pk])
    response = staff_client.get(url)
    assert 'name="paragraph"' not in response.text
    assert "Health requirements/regulations should be applied equally" in response.text
    objective_11 = GcmObjective.objects.get(number=11)
    sdg_3 = Sdg.objects.get(number=3)
    data = form_data(
        response.text,
        "recommendation_form",
        short_title_en="Equal health rules",
        short_title_km="ច្បាប់សុខភាពស្មើគ្នា",
        gcm_objectives=[str(objective_11.pk)],
        sdgs=[str(sdg_3.pk)],
        themes=[str(theme.pk)],
        code="HACKED",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    recommendation.refresh_from_db()
    assert recommendation.short_title == "Equal health rules"
    assert recommendation.short_title_km == "ច្បាប់សុខភាពស្មើគ្នា"
    assert recommendation.code == "BM22-R31"
    assert list(recommendation.themes.all()) == [theme]
    assert list(recommendation.gcm_objectives.all()) == [objective_11]
    assert list(recommendation.sdgs.all()) == [sdg_3]
    version = recommendation.history.first()
    assert version.history_user.username == "nina.staff"
    assert (version.short_title_en, version.short_title_km) == (
        "Equal health rules",
        "ច្បាប់សុខភាពស្មើគ្នា",
    )
    assert recommendation.history.last().short_title_en.startswith("Health requirements")


def test_recommendations_cannot_be_deleted_in_the_admin(staff_client):
    make_consultation()
    recommendation = Recommendation.objects.get(code="BM22-R31")
    url = reverse("admin:consultations_recommendation_delete", args=[recommendation.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Recommendation.objects.filter(pk=recommendation.pk).exists()


def test_outsider_sees_no_consultation_data(client, outsider):
    consultation = make_consultation()
    client.force_login(outsider)
    url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    assert client.get(url).status_code == 403
    recommendation = Recommendation.objects.get(code="BM22-R31")
    url = reverse("admin:consultations_recommendation_change", args=[recommendation.pk])
    assert client.post(url, {"short_title": "x"}).status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.short_title != "x"


def test_consultation_list_counts_without_reading_the_report_text(
    staff_client, django_assert_max_num_queries
):
    """A report of megabytes costs the list nothing: its text is not read, and the counts
    come from their own subqueries (no join of paragraphs with recommendations, no GROUP
    BY of the text)."""
    consultation = make_consultation()
    huge = "A long report line, kept as it was written.\n" * 50_000  # about 2 MB
    Consultation.objects.filter(pk=consultation.pk).update(source_text=huge)
    with django_assert_max_num_queries(15) as captured:
        response = staff_client.get(reverse("admin:consultations_consultation_changelist"))
    assert response.status_code == 200
    listing = [q["sql"] for q in captured.captured_queries if "source_sha256" in q["sql"]]
    assert listing, "the list's own query was not seen"
    for sql in listing:
        assert "source_text" not in sql
        outer = sql.upper().rsplit('FROM "CONSULTATIONS_CONSULTATION"', 1)[1]
        assert "GROUP BY" not in outer and "JOIN" not in outer
    paragraphs = consultation.paragraphs.count()
    recommendations = consultation.recommendations.count()
    assert (paragraphs, recommendations) == (74, 14)
    cells = response.text
    assert f'<td class="field-paragraph_count">{paragraphs}</td>' in cells
    assert f'<td class="field-recommendation_count">{recommendations}</td>' in cells
