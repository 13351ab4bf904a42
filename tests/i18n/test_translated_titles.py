"""Recommendations' short titles are translated by staff in the admin, a field per
language: a page in that language shows the translation, a page in a language with none
shows the English title marked lang="en", and downloads and the API keep the English,
the source, with the API listing the translations beside it."""

import io
import json

import docx
import pytest
from django.urls import reverse
from django.utils import translation

from consultations.importer import import_report_file
from consultations.models import Recommendation
from tests.factories import SHIPPED_REPORT, make_update
from tracker import briefs

pytestmark = pytest.mark.django_db

KHMER_TITLE = "ការអនុវត្តច្បាប់សុខភាពស្មើគ្នាចំពោះជនចំណាកស្រុក"
THAI_TITLE = "กฎด้านสุขภาพที่เท่าเทียมสำหรับแรงงานข้ามชาติ"


@pytest.fixture
def translated(world):
    """BM22-R31 has a Khmer title; BM22-R32 has none."""
    recommendation = Recommendation.objects.get(code="BM22-R31")
    recommendation.short_title_km = KHMER_TITLE
    recommendation.save()
    make_update(world.kh_31, world.focal_kh, narrative="Trained.", accepted_by=world.staff)
    world.english_31 = recommendation.short_title_en
    world.english_32 = Recommendation.objects.get(code="BM22-R32").short_title_en
    return world


def test_staff_translate_a_title_in_the_admin_with_a_field_per_language(staff_client, world):
    recommendation = Recommendation.objects.get(code="BM22-R32")
    page = staff_client.get(
        reverse("admin:consultations_recommendation_change", args=[recommendation.pk])
    ).text
    for field, label in [
        ("short_title_en", "English"),
        ("short_title_km", "ភាសាខ្មែរ"),
        ("short_title_th", "ภาษาไทย"),
        ("short_title_ind", "Bahasa Indonesia"),
        ("short_title_ne", "नेपाली"),
        ("short_title_fil", "Filipino"),
    ]:
        assert f'name="{field}"' in page
        assert f"({label})" in page


def test_the_english_title_cannot_be_emptied(staff_client, world):
    from tests.consultations.test_consultation_admin import form_data

    recommendation = Recommendation.objects.get(code="BM22-R32")
    url = reverse("admin:consultations_recommendation_change", args=[recommendation.pk])
    data = form_data(staff_client.get(url).text, "recommendation_form", short_title_en="")
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "This field is required." in response.text
    recommendation.refresh_from_db()
    assert recommendation.short_title_en


def test_a_page_in_the_language_shows_the_translation(client, translated):
    khmer = client.get("/km/recommendations/").text
    assert f"<span>{KHMER_TITLE}</span>" in khmer
    assert translated.english_31 not in khmer
    # No translation into Khmer: the English title, marked as English.
    assert f'<span lang="en">{translated.english_32}</span>' in khmer
    detail = client.get("/km/recommendations/BM22-R31/").text
    assert f'<h1><span class="code">BM22-R31</span> {KHMER_TITLE}</h1>' in detail
    assert f"<title>BM22-R31 {KHMER_TITLE} ·" in detail


def test_a_page_in_another_language_falls_back_to_english_marked(client, translated):
    thai = client.get("/th/recommendations/").text
    assert KHMER_TITLE not in thai
    assert f'<span lang="en">{translated.english_31}</span>' in thai
    detail = client.get("/th/recommendations/BM22-R31/").text
    assert '<h1 lang="en"><span class="code">BM22-R31</span>' in detail


def test_an_english_page_shows_the_english_title_unmarked(client, translated):
    english = client.get("/recommendations/").text
    assert f"<span>{translated.english_31}</span>" in english
    assert KHMER_TITLE not in english


def test_the_progress_table_and_country_page_show_the_translation(client, translated):
    for path in ("/km/progress/?country=kh", "/km/countries/kh/"):
        page = client.get(path).text
        assert f"<span>{KHMER_TITLE}</span>" in page, path
        assert f'<span lang="en">{translated.english_32}</span>' in page, path


def test_a_translation_shows_at_once_on_a_page_read_before(client, translated):
    before = client.get("/th/recommendations/").text
    assert THAI_TITLE not in before
    recommendation = Recommendation.objects.get(code="BM22-R31")
    recommendation.short_title_th = THAI_TITLE
    recommendation.save()
    after = client.get("/th/recommendations/").text
    assert f"<span>{THAI_TITLE}</span>" in after


def test_search_finds_a_title_in_english_and_in_the_pages_language(client, translated):
    khmer = client.get("/km/progress/", {"q": "សុខភាព"}).text
    assert "BM22-R31" in khmer and "BM22-R32" not in khmer
    english_word = translated.english_31.split()[0]
    assert "BM22-R31" in client.get("/km/progress/", {"q": english_word}).text
    # An English page does not search the Khmer titles.
    assert "BM22-R31" not in client.get("/progress/", {"q": "សុខភាព"}).text


def test_the_focal_points_pages_and_the_review_queue_show_the_translation(client, translated):
    make_update(translated.kh_32, translated.focal_kh, status="planned", narrative="Planned.")
    client.force_login(translated.focal_kh)
    mine = client.get("/km/report/").text
    assert f'<span class="work-title">{KHMER_TITLE}</span>' in mine
    assert f'<span class="work-title" lang="en">{translated.english_32}</span>' in mine
    client.force_login(translated.staff)
    queue = client.get("/km/review/").text
    assert f'<span class="work-title" lang="en">{translated.english_32}</span>' in queue


def test_downloads_keep_the_english_title(client, translated):
    rows = json.loads(
        b"".join(client.get("/km/progress/export.json", {"country": "kh"}).streaming_content)
    )
    titles = {code: title for _c, _t, code, _p, title, *rest in (r.values() for r in rows)}
    assert titles["BM22-R31"] == translated.english_31


def test_the_api_gives_the_english_title_and_its_translations(client, translated):
    translation.activate("km")  # whatever the language of the thread, the API's is English
    body = json.loads(client.get("/api/v1/recommendations/BM22-R31/").content)
    translation.activate("en")
    assert body["short_title"] == translated.english_31
    assert body["short_title_translations"] == {"km": KHMER_TITLE}
    other = json.loads(client.get("/api/v1/recommendations/BM22-R32/").content)
    assert other["short_title_translations"] == {}


def test_a_brief_in_the_language_uses_the_translation(translated):
    from tracker.models import Country

    cambodia = Country.objects.get(code="KH")
    with translation.override("km"):
        _filters, entries = briefs.read(cambodia.commitments.all(), {})
        brief = briefs.country_brief(cambodia, entries, None)
        headings = {entry.code: (entry.heading, entry.heading_lang) for entry in entries}
        document = docx.Document(io.BytesIO(briefs.docx_bytes(brief)))
    assert headings["BM22-R31"] == (KHMER_TITLE, "")
    assert headings["BM22-R32"][1] == ' lang="en"'
    assert f"BM22-R31 {KHMER_TITLE}" in [p.text for p in document.paragraphs]


def test_importing_on_a_page_in_another_language_writes_the_english_title(db):
    with translation.override("km"):
        consultation = import_report_file(
            SHIPPED_REPORT.read_bytes(), source_name=SHIPPED_REPORT.name
        ).consultation
    recommendation = consultation.recommendations.get(code="BM22-R31")
    assert recommendation.short_title_en.startswith("Health requirements")
    assert recommendation.title_translations() == {}


def test_search_in_a_language_without_title_columns_reads_the_english(settings, translated):
    from tracker.filters import CommitmentFilter
    from tracker.models import Commitment

    with translation.override("xx"):  # a language the titles have no column for
        found = CommitmentFilter({"q": translated.english_31.split()[0]}, Commitment.objects.all())
        assert found.qs.filter(recommendation__code="BM22-R31").exists()
