"""What focal points write keeps its language: each update (and the evidence it carries)
records the language it is written in, pages mark its text with it, and an English
version, when given, shows on English pages (marked as a translation, the original one
click away) while the reviewer sees both."""

import io
import zipfile

import pypdf
import pytest
from django.urls import reverse

from tests.factories import make_evidence, make_focal_point, make_update
from tracker.models import ProgressUpdate

pytestmark = pytest.mark.django_db

KHMER = "មន្ត្រីបានបណ្តុះបណ្តាល"
ENGLISH = "Officials were trained."


def test_the_report_form_offers_the_writers_language(client, world):
    kim = make_focal_point("dara.cambodia", world.cambodia, language="")  # never chose
    client.force_login(kim)
    page = client.get(f"/km{reverse('tracker:report_progress', args=[world.kh_32.pk])}")
    assert '<option value="km" selected>ភាសាខ្មែរ</option>' in page.text
    assert 'name="narrative_en"' in page.text


def test_an_english_version_shows_on_english_pages_with_the_original_a_click_away(client, world):
    update = make_update(
        world.kh_31,
        world.focal_kh,
        narrative=KHMER,
        narrative_en=ENGLISH,
        language="km",
        accepted_by=world.staff,
    )
    make_evidence(world.kh_31, world.staff, title="ក្រឹត្យ", title_en="Decree", language="km")
    english = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"])).text
    assert f'<span lang="en" class="translation">{ENGLISH}</span>' in english
    assert f'<summary>Original (ភាសាខ្មែរ)</summary><span lang="km">{KHMER}</span>' in english
    assert '<span lang="en" class="translation">Decree</span>' in english
    khmer = client.get(f"/km{reverse('tracker:recommendation_detail', args=['BM22-R31'])}").text
    assert f'<span lang="km">{KHMER}</span>' in khmer and ENGLISH not in khmer
    table = client.get("/progress/").text  # (reverse() would give the Khmer address now)
    assert f'<span lang="en">{ENGLISH}</span>' in table
    assert update.language == "km"


def test_text_without_an_english_version_is_marked_with_its_language(client, world):
    make_update(
        world.kh_31, world.focal_kh, narrative=KHMER, language="km", accepted_by=world.staff
    )
    english = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"])).text
    assert f'<span lang="km">{KHMER}</span>' in english


def test_the_reviewer_sees_both(client, world):
    update = make_update(
        world.kh_32, world.focal_kh, narrative=KHMER, narrative_en=ENGLISH, language="km"
    )
    client.force_login(world.staff)
    page = client.get(reverse("tracker:review_update", args=[update.pk])).text
    assert f'<span lang="km">{KHMER}</span>' in page
    assert f'<span lang="en">{ENGLISH}</span>' in page and "ភាសាខ្មែរ" in page


def test_evidence_sent_with_an_update_is_in_its_language(client, world):
    from tests.tracker.test_api_tokens import progress, submit, token_for

    secret = token_for(world.focal_kh)
    body = progress(
        world.kh_32,
        narrative=KHMER,
        language="km",
        narrative_en=ENGLISH,
        evidence=[{"title": "ក្រឹត្យ", "date": "2026-01-15", "note": "x", "visibility": "public"}],
    )
    sent = submit(client, secret, body)
    assert sent.status_code == 201, sent.content
    update = ProgressUpdate.objects.get(pk=sent.json()["id"])
    assert (update.language, update.narrative_en) == ("km", ENGLISH)
    assert update.evidence.get().language == "km"
    # Without a language, a submission is in its token holder's (Cambodia's: Khmer).
    dara = make_focal_point("dara.cambodia", world.cambodia, language="")
    other = submit(client, token_for(dara), progress(world.kh_31, narrative=KHMER))
    assert ProgressUpdate.objects.get(pk=other.json()["id"]).language == "km"


def test_the_feed_says_each_summarys_language(client, world):
    make_update(
        world.kh_31,
        world.focal_kh,
        narrative=KHMER,
        narrative_en=ENGLISH,
        language="km",
        accepted_by=world.staff,
    )
    english = client.get("/updates/feed/").text
    assert (
        f'<summary type="text" xml:lang="en">{ENGLISH}\n\nOriginal (ភាសាខ្មែរ): {KHMER}' in english
    )
    khmer = client.get("/km/updates/feed/").text
    assert f'<summary type="text" xml:lang="km">{KHMER}</summary>' in khmer


def test_network_staff_give_an_english_version_and_the_authors_text_stays(client, world):
    update = make_update(
        world.kh_31, world.focal_kh, narrative=KHMER, language="km", accepted_by=world.staff
    )
    url = reverse("tracker:review_update", args=[update.pk])
    client.force_login(world.focal_kh)
    client.post(url, {"decision": "translate", "narrative_en": "Forged."})  # not theirs
    update.refresh_from_db()
    assert update.narrative_en == ""
    client.force_login(world.staff)
    assert "Save the English version" in client.get(url).text
    saved = client.post(url, {"decision": "translate", "narrative_en": ENGLISH}, follow=True)
    assert "English pages show this version" in saved.text
    update.refresh_from_db()
    assert (update.narrative, update.narrative_en, update.review_state) == (
        KHMER,
        ENGLISH,
        "accepted",
    )
    client.logout()
    english = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"])).text
    assert f'<span lang="en" class="translation">{ENGLISH}</span>' in english


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_an_english_brief_gives_the_english_version_and_the_original(client, world, fmt):
    make_update(
        world.kh_31,
        world.focal_kh,
        narrative=KHMER,
        narrative_en=ENGLISH,
        language="km",
        accepted_by=world.staff,
    )
    text = brief_text(client.get(f"/countries/kh/brief.{fmt}"))
    assert ENGLISH in text and "Original" in text
    khmer = brief_text(client.get(f"/km/countries/kh/brief.{fmt}"))
    assert ENGLISH not in khmer


def brief_text(response) -> str:
    assert response.status_code == 200
    content = response.content
    if content.startswith(b"%PDF"):
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return package.read("word/document.xml").decode()
