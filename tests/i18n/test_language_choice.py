"""Choosing the language: the switcher on every page keeps the page and its query, the
choice is remembered, a first visit follows the browser's languages, an unknown language
leads to the default one, and each page says its language."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROGRESS = reverse("tracker:progress_table")


def test_the_switcher_keeps_the_page_and_its_query_and_is_remembered(client, world):
    page = client.get(f"{PROGRESS}?country=kh&status=planned")
    assert 'lang="km"' in page.text and "ភាសាខ្មែរ" in page.text  # each named in itself
    chosen = client.post(
        reverse("set_language"),
        {"language": "km", "next": f"{PROGRESS}?country=kh&status=planned"},
    )
    assert chosen.status_code == 302
    assert chosen["Location"] == f"/km{PROGRESS}?country=kh&status=planned"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "km"
    khmer = client.get(chosen["Location"])
    assert '<html lang="km">' in khmer.text
    # Remembered: the English address of a page leads to its Khmer one.
    again = client.get("/countries/")  # (reverse() would give the active language's)
    assert again.status_code == 302 and again["Location"] == "/km/countries/"
    # Back to English: the plain addresses stay English.
    client.post(reverse("set_language"), {"language": "en", "next": "/km/countries/"})
    assert client.get("/countries/").status_code == 200


def test_a_first_visit_follows_the_browsers_languages(client, world):
    thai = client.get(PROGRESS + "?status=planned", headers={"accept-language": "th-TH,th;q=0.9"})
    assert thai.status_code == 302 and thai["Location"] == f"/th{PROGRESS}?status=planned"
    assert "Accept-Language" in thai["Vary"]
    other = client.get(PROGRESS, headers={"accept-language": "de-DE,de;q=0.9"})
    assert other.status_code == 200  # no language of the site: English
    shared = client.get(f"/km{PROGRESS}", headers={"accept-language": "th"})
    assert shared.status_code == 200 and '<html lang="km">' in shared.text  # as shared


@pytest.mark.parametrize("path", ["/xx/countries/", "/zz-yy/countries/?page=1"])
def test_an_unknown_language_leads_to_the_default_one(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/countries/" + ("?page=1" if "?" in path else "")


def test_an_unknown_language_in_the_cookie_is_the_default_one(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    response = client.get(reverse("tracker:country_list"))
    assert response.status_code == 200 and '<html lang="en">' in response.text


def test_the_api_and_the_admin_keep_their_addresses(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    assert client.get("/api/v1/countries/").status_code == 200
    assert client.get(reverse("admin:login")).status_code == 200


@pytest.mark.parametrize("code", ["km", "th", "id", "ne", "fil"])
def test_gcm_objective_and_sdg_names_are_in_the_pages_language(client, world, code):
    from django.utils import translation

    report_url = world.consultation.get_absolute_url()  # its English address
    with translation.override(code):
        objective = translation.gettext("Regular pathways")
        sdg = translation.gettext("Decent work and economic growth")
    progress = client.get(f"/{code}/progress/").text  # the facets list all 23 and all 17
    assert f"5. {objective}</option>" in progress and f"SDG 8. {sdg}</option>" in progress
    assert "Regular pathways" not in progress
    report = client.get(f"/{code}{report_url}").text
    assert objective in report and "Regular pathways" not in report
    english = client.get(report_url, headers={"accept-language": "en"}).text
    assert "GCM Objective 5: Regular pathways" in english


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_pages_links_are_those_of_its_language(language):
    """`{% path %}` (the layout's and the public pages' links) writes what `{% url %}`
    writes, in each language, however often the pages before it asked in another."""
    from django.template import Context, Template
    from django.utils import translation

    written = Template(
        "{% load site_links %}"
        "{% path 'tracker:dashboard' %} {% path 'tracker:country_detail' 'kh' %} "
        "{% path 'tracker:country_brief' 'kh' 'pdf' as brief %}{{ brief }}"
    )
    django = Template(
        "{% url 'tracker:dashboard' %} {% url 'tracker:country_detail' 'kh' %} "
        "{% url 'tracker:country_brief' 'kh' 'pdf' %}"
    )
    for other, _ in settings.LANGUAGES:  # the other languages' links, worked out first
        with translation.override(other):
            written.render(Context())
    with translation.override(language):
        links = written.render(Context())
        assert links == django.render(Context())
    prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
    assert links.split() == [
        f"{prefix}/",
        f"{prefix}/countries/kh/",
        f"{prefix}/countries/kh/brief.pdf",
    ]
