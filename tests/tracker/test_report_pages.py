"""A long report's pages: a hundred paragraphs a page at most, each recommendation with how
many of its countries have each status, read from the tallies (tracker.report_pages)."""

import lxml.html
import pytest
from django.core.management import call_command

from consultations.models import Consultation, Paragraph
from tests.factories import make_update
from tracker import report_pages
from tracker.models import Commitment

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_report(world):
    """250 recommendations in one section, each owned by two countries."""
    call_command("generate_scale_data", recommendations=250, countries=2, updates_per_commitment=1)
    return Consultation.objects.get(code="SCALE")


def numbers(response) -> list[int]:
    page = lxml.html.fromstring(response.content.decode())
    return [int(n.text.rstrip(".")) for n in page.xpath('//a[@class="number"]')]


def test_a_long_report_is_read_a_hundred_paragraphs_a_page(
    client, long_report, django_assert_max_num_queries
):
    url = long_report.get_absolute_url()
    shown = []
    for page in (1, 2, 3):
        with django_assert_max_num_queries(9):
            response = client.get(url, {"page": page})
        assert response.status_code == 200
        assert response.text.count("<h1") == 1
        # The section goes on over the pages: its heading heads each.
        assert response.text.count('<h2 id="h-i"') == 1
        shown += numbers(response)
    assert shown == list(range(1, 251))
    assert "Page 1 of 3" in client.get(url).text


def test_the_short_report_stays_on_one_page(client, world):
    response = client.get(world.consultation.get_absolute_url())
    assert 'class="pagination"' not in response.text
    assert len(numbers(response)) == Paragraph.objects.in_report().count()


def test_a_paragraph_is_found_on_its_page(client, long_report):
    url = long_report.get_absolute_url()
    response = client.get(url, {"paragraph": 180})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?page=2#p180"
    assert 180 in numbers(client.get(response["Location"]))
    assert client.get(url, {"paragraph": 12})["Location"] == f"{url}#p12"
    assert client.get(url, {"paragraph": "x"})["Location"] == url  # none such: the first


def test_each_recommendation_says_how_its_countries_stand(client, long_report, world):
    recommendation = long_report.recommendations.get(paragraph__number=150)
    commitments = list(Commitment.objects.filter(recommendation=recommendation))
    for commitment in commitments:
        commitment.updates.update(review_state="withdrawn")
        commitment.refresh_status()
    make_update(commitments[0], world.staff, status="planned")
    response = client.get(long_report.get_absolute_url(), {"page": 2})
    page = lxml.html.fromstring(response.content.decode())
    summary = page.xpath('//div[@id="p150"]//span[@class="status-summary"]')[0]
    assert summary.text_content() == "1 not started, 1 planned"


def test_pages_keep_sections_whole_where_they_fit():
    class Section:
        def __init__(self, pk, level=1):
            self.pk, self.level = pk, level

    sections = [Section(1), Section(2), Section(3, level=2), Section(4)]
    sizes = {None: 3, 1: 60, 2: 0, 3: 70, 4: 230}
    pages = report_pages.arrange(
        [(None if key is None else sections[key - 1], list(range(n))) for key, n in sizes.items()]
    )
    parts = [[(p.section and p.section.pk, len(p.paragraphs), p.starts, p.ends) for p in page]
             for page in pages]  # fmt: skip
    assert parts == [
        [(None, 3, True, True), (1, 60, True, True)],
        # A heading without paragraphs of its own goes with what follows it.
        [(2, 0, True, True), (3, 70, True, True)],
        [(4, 100, True, False)],
        [(4, 100, False, False)],
        [(4, 30, False, True)],
    ]
