"""Cached public pages: served from memory while nothing they show changes, fresh at once
when something does, and each visitor still gets a working CSRF token."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import GcmObjective, Recommendation
from tests.factories import make_deadline, make_evidence, make_update
from tests.pages import public_urls
from tracker import page_cache
from tracker.page_cache import current_token

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client, url: str) -> str:
    """The page as a visitor sees it, without the per-visitor CSRF token."""
    response = client.get(url)
    assert response.status_code == 200, url
    return CSRF_INPUT.sub("", response.text)


def fresh(url: str, settings) -> str:
    """The page rendered without the cache."""
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    try:
        return page(Client(), url)
    finally:
        settings.PUBLIC_PAGE_CACHE_SECONDS = seconds


def test_a_cached_page_costs_one_query(client, published, django_assert_max_num_queries):
    for url in public_urls(published)[:-1]:  # the feed is not cached
        first = page(client, url)
        with django_assert_max_num_queries(1):
            assert page(client, url) == first, url


def test_an_accepted_update_shows_at_once_on_every_public_page(client, published, settings):
    urls = public_urls(published)
    before = {url: page(client, url) for url in urls}
    update = make_update(
        published.kh_32, published.focal_kh, status="planned", narrative="Inspection plan adopted."
    )
    assert all(page(client, url) == before[url] for url in urls)  # submitted: nothing public

    update.accept(by=published.staff)

    for url in urls:
        assert page(client, url) == fresh(url, settings), url
    changed = [url for url in urls if page(client, url) != before[url]]
    assert reverse("tracker:dashboard") in changed
    assert reverse("tracker:progress_table") in changed
    assert reverse("tracker:country_list") in changed
    assert reverse("tracker:country_detail", args=["kh"]) in changed
    assert reverse("tracker:recommendation_detail", args=["BM22-R31"]) not in changed  # R32's
    recommendation = client.get(reverse("tracker:recommendation_detail", args=["BM22-R32"]))
    assert "Inspection plan adopted." in recommendation.text


def test_returning_an_accepted_update_takes_it_off_the_pages_at_once(client, published):
    url = reverse("tracker:recommendation_detail", args=["BM22-R31"])
    assert "Accepted: border posts apply one rule." in page(client, url)
    accepted = published.kh_31.updates.get(narrative="Accepted: border posts apply one rule.")
    accepted.review_state = accepted.ReviewState.RETURNED
    accepted.save()
    accepted.commitment.refresh_status()
    assert "Accepted: border posts apply one rule." not in page(client, url)


def test_what_the_public_sees_changes_the_token_and_nothing_else_does(published):
    def changes(action) -> bool:
        token = current_token()
        action()
        return current_token() != token

    kh_31 = published.kh_31
    focal = published.focal_kh
    assert not changes(lambda: make_update(kh_31, focal, narrative="A draft"))
    assert not changes(lambda: make_evidence(kh_31, focal, title="Memo", visibility="internal"))
    assert not changes(lambda: kh_31.evidence.get(title="Memo").delete())
    assert changes(lambda: make_evidence(kh_31, focal, title="Circular", visibility="public"))
    due = dt.date(2027, 6, 30)
    assert changes(lambda: make_deadline(kh_31, focal, due_date=due, description="IMRF"))
    recommendation = Recommendation.objects.get(code="BM22-R31")
    assert changes(lambda: recommendation.gcm_objectives.add(GcmObjective.objects.get(number=1)))
    assert changes(lambda: published.thailand.save())


def test_internal_evidence_made_public_changes_the_pages(client, published):
    url = reverse("tracker:country_detail", args=["kh"])
    memo = published.kh_31.evidence.get(title="Internal memo SECRET")
    assert "Internal memo SECRET" not in page(client, url)
    memo.visibility = memo.Visibility.PUBLIC
    memo.save()
    assert "Internal memo SECRET" in page(client, url)
    memo.visibility = memo.Visibility.INTERNAL
    memo.save()
    assert "Internal memo SECRET" not in page(client, url)


def test_each_visitor_gets_a_working_csrf_token_from_a_cached_page(published, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "Français")]
    url = reverse("tracker:dashboard")
    Client().get(url)  # now cached
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = visitor.get(url).text
        token = CSRF_INPUT.search(html).group(1)
        assert "placeholder" not in token
        response = visitor.post(
            reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302


def test_pages_that_fail_are_not_cached(client, published):
    url = reverse("tracker:recommendation_detail", args=["BM22-R99"])
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404


def test_signed_in_users_see_the_same_pages(kh_client, published):
    url = reverse("tracker:progress_table")
    anonymous = page(Client(), url)
    assert page(kh_client, url) == anonymous


def test_pages_are_served_when_the_cache_fails(client, published, monkeypatch, caplog):
    class Broken:
        def get(self, *args):
            raise ConnectionError("cache down")

        set = get_or_set = get

    monkeypatch.setattr(page_cache, "cache", Broken())
    response = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"]))
    assert response.status_code == 200
    assert "Accepted: border posts apply one rule." in response.text
    assert "The page cache failed" in caplog.text
