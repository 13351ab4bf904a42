"""The public home page and report page."""

import pytest
from django.urls import reverse

from tests.factories import TEST_REPORTS, make_consultation

pytestmark = pytest.mark.django_db


def test_home_lists_imported_reports(client, django_assert_max_num_queries):
    consultation = make_consultation()
    make_consultation(TEST_REPORTS / "2022-07-05-decent-work.txt")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("tracker:consultation_list"))
    assert response.status_code == 200
    assert consultation.title in response.text
    assert "14 recommendations" in response.text
    assert response.text.count("<h1") == 1


def test_home_without_reports_says_so(client):
    response = client.get(reverse("tracker:consultation_list"))
    assert "No report has been imported yet." in response.text


def test_report_page_shows_every_paragraph_with_an_anchor(client, django_assert_max_num_queries):
    consultation = make_consultation()
    with django_assert_max_num_queries(10):
        response = client.get(consultation.get_absolute_url())
    text = response.text
    assert response.status_code == 200
    for number in range(1, 75):
        assert f'id="p{number}"' in text
    assert "Recommendation BM22-R31" in text
    assert "<strong>GCM Objective 5</strong>" in text
    assert "<em>Guidance for Responsible Purchasing Practice</em>" in text
    assert "<li><strong>Goal 3</strong>" in text
    assert '<a href="https://www.ilo.org/asia/publications/WCMS_838972/lang--en/index.htm"' in text
    assert ">11 Apr 2022, 09:00</time>–12:00" in text
    assert 'datetime="2022-04-11T09:00:00+07:00"' in text
    assert "Geertrui Lanneau" in text  # the agenda


def test_report_page_query_count_does_not_grow_with_paragraphs(
    client, django_assert_max_num_queries
):
    small = make_consultation(TEST_REPORTS / "2023-11-02-pacific-labour-mobility.txt")
    large = make_consultation()
    for consultation in (small, large):
        with django_assert_max_num_queries(10):
            assert client.get(consultation.get_absolute_url()).status_code == 200


def test_unknown_report_is_404(client):
    url = reverse("tracker:consultation_detail", args=["no-such-report"])
    assert client.get(url).status_code == 404
