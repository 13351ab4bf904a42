"""Cached public pages: served from memory while nothing they show changes, fresh at once
when something does, and each visitor still gets a working CSRF token."""

import datetime as dt
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from consultations.models import GcmObjective, Recommendation
from tests.factories import (
    make_commitment,
    make_country,
    make_deadline,
    make_evidence,
    make_update,
)
from tests.pages import public_urls
from tracker import page_cache, review
from tracker.models import ProgressUpdate
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
    for url in public_urls(published):
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

    review.accept(update, by=published.staff, seen_version=update.version)

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


def test_updates_accepted_together_show_at_once_on_every_public_page(client, published, settings):
    """Accepted in one go (the review queue's action), the pages' token is replaced once,
    at the end, for the countries, recommendations and statuses of all of them."""
    urls = [
        *public_urls(published),
        reverse("tracker:country_detail", args=["th"]),
        reverse("tracker:recommendation_detail", args=["BM22-R32"]),
    ]
    before = {url: page(client, url) for url in urls}
    updates = [
        make_update(published.kh_32, published.focal_kh, status="planned", narrative="Plan A."),
        make_update(published.th_31, published.focal_th, status="planned", narrative="Plan B."),
    ]
    chosen = ProgressUpdate.objects.filter(pk__in=[u.pk for u in updates])
    token = current_token()

    review.review_many(
        chosen, by=published.staff, accepting=True, seen_versions={u.pk: u.version for u in updates}
    )

    assert current_token() != token
    for url in urls:
        assert page(client, url) == fresh(url, settings), url
    changed = [url for url in urls if page(client, url) != before[url]]
    for iso in ("kh", "th"):
        assert reverse("tracker:country_detail", args=[iso]) in changed
    for code in ("BM22-R31", "BM22-R32"):
        assert reverse("tracker:recommendation_detail", args=[code]) in changed
    assert "Plan A." in page(client, reverse("tracker:recommendation_detail", args=["BM22-R32"]))


def status_options(html: str) -> str:
    return re.search(r'<select name="status".*?</select>', html, re.S).group(0)


def test_the_facets_kept_across_a_tables_pages_mark_each_choice_and_follow_the_options(
    client, published, settings
):
    """The facets are written once for the values chosen and kept while the options stand
    (tracker.filters.CommitmentFilter.facets): not through an acceptance, but through a
    new country; each page still marks its own choice."""
    url = reverse("tracker:progress_table")
    planned = page(client, f"{url}?status=planned")
    assert '<option value="planned" selected>' in status_options(planned)
    update = make_update(published.th_32, published.focal_th, status="planned", narrative="P.")
    review.accept(update, by=published.staff, seen_version=update.version)
    for query in ("?status=planned&page=1", "?status=in_progress", "?country=TH"):
        assert page(client, url + query) == fresh(url + query, settings), query
    assert '<option value="in_progress" selected>' in status_options(
        page(client, f"{url}?status=in_progress")
    )
    assert '<option value="LA">' not in planned
    make_country("LA")
    assert '<option value="LA">Laos</option>' in page(client, f"{url}?status=planned&page=1")


def commitment_row(html: str, iso: str) -> str:
    """A country's row in a recommendation page's table of commitments."""
    return re.search(rf'<tr id="{iso}">.*?</tr>', html, re.S).group(0)


def test_withdrawing_an_accepted_update_shows_at_once_on_every_public_page(
    client, published, settings
):
    urls = public_urls(published)
    r31 = reverse("tracker:recommendation_detail", args=["BM22-R31"])
    before = {url: page(client, url) for url in urls}
    assert "Withdrawn" not in before[r31]
    assert "In progress" in commitment_row(before[r31], "kh")
    accepted = published.kh_31.updates.get(narrative="Accepted: border posts apply one rule.")

    review.withdraw(accepted, by=published.staff, reason="The rule was never applied.")

    for url in urls:
        assert page(client, url) == fresh(url, settings), url
    after = page(client, r31)
    # Still on the timeline, marked withdrawn with the reason...
    timeline = re.search(rf'<li id="update-{accepted.pk}" class="withdrawn">.*?</li>', after, re.S)
    assert "Withdrawn" in timeline.group(0)
    assert "The rule was never applied." in timeline.group(0)
    assert "Accepted: border posts apply one rule." in timeline.group(0)
    # ...but no longer Cambodia's status: that goes back to "Not started".
    row = commitment_row(after, "kh")
    assert "Not started" in row
    assert "Accepted: border posts apply one rule." not in row
    changed = [url for url in urls if page(client, url) != before[url]]
    assert reverse("tracker:dashboard") in changed
    assert reverse("tracker:progress_table") in changed
    assert reverse("tracker:country_detail", args=["kh"]) in changed
    assert reverse("tracker:update_feed") in changed


def test_an_update_waiting_for_review_changes_nothing_until_accepted(client, published, settings):
    """All a focal point's update carries (public evidence, a deadline) waits with it."""
    urls = public_urls(published)
    before = {url: page(client, url) for url in urls}
    token = current_token()
    kh_32, focal = published.kh_32, published.focal_kh
    update = ProgressUpdate(commitment=kh_32, status="planned", narrative="Plan adopted.")
    review.report(update, by=focal, as_draft=True)
    make_evidence(kh_32, focal, title="Cabinet decision 7", visibility="public", update=update)
    make_deadline(kh_32, focal, due_date=dt.date(2029, 9, 30), description="Pilot", update=update)
    review.submit(update, by=focal)
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    assert current_token() == token
    assert all(page(client, url) == before[url] for url in urls)
    assert all(fresh(url, settings) == before[url] for url in urls)  # not stale: the same

    review.accept(update, by=published.staff, seen_version=update.version)

    assert current_token() != token
    for url in urls:
        assert page(client, url) == fresh(url, settings), url
    country = page(client, reverse("tracker:country_detail", args=["kh"]))
    assert "Cabinet decision 7" in country
    assert "30 Sep 2029" in country
    recommendation = page(client, reverse("tracker:recommendation_detail", args=["BM22-R32"]))
    assert "Plan adopted." in commitment_row(recommendation, "kh")
    assert "Cabinet decision 7" in commitment_row(recommendation, "kh")


def test_what_the_public_sees_changes_the_token_and_nothing_else_does(published):
    def changes(action) -> bool:
        token = current_token()
        action()
        return current_token() != token

    kh_31 = published.kh_31
    focal, staff = published.focal_kh, published.staff
    assert not changes(lambda: make_update(kh_31, focal, narrative="Submitted"))
    assert not changes(lambda: make_evidence(kh_31, staff, title="Memo", visibility="internal"))
    assert not changes(lambda: kh_31.evidence.get(title="Memo").delete())
    assert changes(lambda: make_evidence(kh_31, staff, title="Circular", visibility="public"))
    due = dt.date(2027, 6, 30)
    assert changes(lambda: make_deadline(kh_31, staff, due_date=due, description="IMRF"))
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


def test_public_evidence_deleted_with_the_admin_action_leaves_the_pages(staff_client, published):
    url = reverse("tracker:country_detail", args=["kh"])
    circular = published.kh_31.evidence.get(title="Public circular")
    assert "Public circular" in page(Client(), url)
    changelist = reverse("admin:tracker_evidence_changelist")
    chosen = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [circular.pk]}
    assert staff_client.post(changelist, chosen | {"post": "yes"}).status_code == 302
    assert not published.kh_31.evidence.filter(pk=circular.pk).exists()
    assert "Public circular" not in page(Client(), url)


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


@pytest.mark.parametrize("status", [302, 400, 404, 500])
def test_a_page_answered_with_another_status_is_neither_cached_nor_served_as_a_page(
    published, status, rf
):
    """A view that returns (rather than raises) an answer other than 200 OK: the answer
    goes out as it is, every time, and nothing is kept for the next visitor."""
    calls = []

    @page_cache.public_page
    def view(request):
        calls.append(request)
        return HttpResponse(f"answer {len(calls)}", status=status)

    first, second = view(rf.get("/somewhere/")), view(rf.get("/somewhere/"))
    assert (first.status_code, second.status_code) == (status, status)
    assert (first.content, second.content) == (b"answer 1", b"answer 2")
    assert len(calls) == 2

    @page_cache.public_page
    def ok(request):
        calls.append(request)
        return HttpResponse("fine")

    # The same decorator does keep a 200 page: the check above is of the status alone.
    ok(rf.get("/elsewhere/"))
    assert ok(rf.get("/elsewhere/")).content == b"fine"
    assert len(calls) == 3


def test_signed_in_users_see_the_same_pages(kh_client, published):
    url = reverse("tracker:progress_table")
    anonymous = page(Client(), url)
    assert page(kh_client, url) == anonymous


def test_pages_are_served_when_the_cache_fails(client, published, monkeypatch, caplog):
    class Broken:
        def get(self, *args):
            raise ConnectionError("cache down")

        set = get_or_set = add = delete = get

    monkeypatch.setattr(page_cache, "cache", Broken())
    response = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"]))
    assert response.status_code == 200
    assert "Accepted: border posts apply one rule." in response.text
    assert "The page cache failed" in caplog.text


# --- a stampede after a change -----------------------------------------------------------


def r31_key() -> str:
    """Where the page of BM22-R31 is kept now."""
    from django.test import RequestFactory

    scope = page_cache.of_recommendation("BM22-R31")
    return page_cache.key_for(RequestFactory().get(R31), page_cache.kept_under(scope))


R31 = "/recommendations/BM22-R31/"


def rendering_elsewhere(client, path: str) -> str:
    """Take the render lock of the page of BM22-R31 under the current token, as another
    worker rendering it would; returns the lock's key."""
    from django.core.cache import cache

    assert path == R31
    key = r31_key()
    lock = f"rendering:{key}"
    assert cache.add(lock, True, 30)
    return lock


def test_while_a_page_is_rendered_visitors_get_it_as_it_was_for_a_few_seconds(
    client, published, settings
):
    from django.test import Client

    path = "/recommendations/BM22-R31/"
    before = client.get(path).text
    assert "Accepted: border posts apply one rule." in before
    update = make_update(
        published.th_31, published.focal_th, narrative="Thai decree", accepted_by=published.staff
    )
    assert update.review_state == "accepted"
    rendering_elsewhere(client, path)
    settings.PUBLIC_PAGE_WAIT_SECONDS = 0.2
    # A visitor gets the page from before the change, at once.
    assert "Thai decree" not in Client().get(path).text
    # Whoever is signed in (the reviewer who accepted it, say) waits and gets the new one.
    reviewer = Client()
    reviewer.force_login(published.staff)
    assert "Thai decree" in reviewer.get(path).text
    # And once the few seconds are past, visitors no longer get the old page either.
    settings.PUBLIC_PAGE_STALE_SECONDS = 0
    assert "Thai decree" in Client().get(path).text


def test_a_visitor_waits_for_the_page_another_request_is_rendering(client, published, settings):
    import threading

    from django.core.cache import cache

    path = "/recommendations/BM22-R31/"
    client.get(path)
    make_update(
        published.th_31, published.focal_th, narrative="Thai decree", accepted_by=published.staff
    )
    lock = rendering_elsewhere(client, path)
    settings.PUBLIC_PAGE_STALE_SECONDS = 0
    settings.PUBLIC_PAGE_WAIT_SECONDS = 10
    key = r31_key()

    def the_other_request_finishes():
        cache.set(key, (b"<p>rendered by the other worker</p>", {}, ()), 60)
        cache.delete(lock)

    threading.Timer(0.3, the_other_request_finishes).start()
    # The visitor's request waited for it rather than rendering the page a second time.
    assert client.get(path).text == "<p>rendered by the other worker</p>"


# --- the pages of one country or recommendation -----------------------------------------

SCOPED = {
    "kh": "/countries/kh/",
    "th": "/countries/th/",
    "r31": "/recommendations/BM22-R31/",
    "r32": "/recommendations/BM22-R32/",
    "kh table": "/progress/?country=kh&status=planned",
    "th table": "/progress/?country=Thailand",
    "planned": "/progress/?status=planned",
    "implemented": "/progress/?status=implemented&overdue=on",
    "with progress": "/progress/?status=with_progress",
    "not started": "/progress/?status=not_started",
    "implemented then": "/progress/?status=implemented&as_of=2026-01-31",
}


# What a page served from the cache reads: the tokens (of a country or recommendation, by
# its code), and for the holes of a country's page, the countries' figures.
READ_BY_A_KEPT_PAGE = {
    "tracker_publicrevision",
    "tracker_scopedrevision",
    "consultations_recommendation",
    "tracker_tally",
    "tracker_country",
}


def rendered_afresh(client, url: str) -> bool:
    """Whether the view ran: the page used a template, or read more than a page from the
    cache reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    tables = (re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"]) for q in queries.captured_queries)
    read = {table for found in tables for table in found}
    return bool(response.templates) or bool(read - READ_BY_A_KEPT_PAGE)


def test_a_change_of_one_commitment_renews_only_the_pages_that_show_it(client, published, settings):
    urls = [*public_urls(published), *SCOPED.values()]
    before = {url: page(client, url) for url in urls}
    assert [url for url in urls if rendered_afresh(client, url)] == []

    update = make_update(
        published.kh_32, published.focal_kh, status="planned", narrative="Pilot decree signed."
    )
    review.accept(update, by=published.staff, seen_version=update.version)

    # What every page shows is what a fresh render shows...
    renewed = {url for url in urls if rendered_afresh(Client(), url)}
    for url in urls:
        assert page(client, url) == fresh(url, settings), url
    # ...but the pages of Thailand, of R31 and of the statuses it did not have or take
    # were not rendered again.
    kept = {SCOPED[name] for name in ("th", "r31", "th table", "implemented")}
    assert renewed == set(urls) - kept
    # Thailand's page is the one from the cache, with all countries' figures filled in anew.
    th = page(client, SCOPED["th"])
    assert th != before[SCOPED["th"]]
    assert "Pilot decree signed." not in th
    comparison = re.search(
        r'<figure class="chart" aria-labelledby="comparison-chart.*?</figure>', th, re.S
    )
    assert comparison.group(0) != re.search(
        r'<figure class="chart" aria-labelledby="comparison-chart.*?</figure>',
        before[SCOPED["th"]],
        re.S,
    ).group(0)
    assert page(client, SCOPED["r31"]) == before[SCOPED["r31"]]
    assert page(client, SCOPED["th table"]) == before[SCOPED["th table"]]
    assert page(client, SCOPED["implemented"]) == before[SCOPED["implemented"]]
    assert "Pilot decree signed." in page(client, SCOPED["planned"])
    assert "Pilot decree signed." in page(client, SCOPED["with progress"])
    assert "Pilot decree signed." in commitment_row(page(client, SCOPED["r32"]), "kh")


def test_whatever_is_not_one_commitment_s_progress_renews_every_page(client, published, settings):
    from tracker.models import Commitment

    urls = [*public_urls(published), *SCOPED.values()]

    def renews_all(action) -> None:
        for url in urls:
            page(client, url)
        action()
        renewed = [url for url in urls if rendered_afresh(Client(), url)]
        for url in urls:
            assert page(client, url) == fresh(url, settings), url
        assert set(urls) - set(renewed) == set()  # none was served as it was

    kh_31, staff = published.kh_31, published.staff
    # Demonstration data puts a notice on every page, even while it waits for review.
    assert "Demonstration data." not in page(client, SCOPED["th"])
    renews_all(lambda: make_update(kh_31, published.focal_kh, narrative="Draft", is_demo=True))
    assert "Demonstration data." in page(client, SCOPED["th"])
    renews_all(lambda: make_update(kh_31, staff, narrative="Demo", is_demo=True))
    # A commitment made, moved or deleted changes other pages' lists.
    r33, r34 = Recommendation.objects.exclude(code__in=["BM22-R31", "BM22-R32"])[:2]
    renews_all(lambda: make_commitment(r33, published.thailand))
    moved = Commitment.objects.get(recommendation=r33)
    moved.recommendation = r34
    renews_all(moved.save)
    renews_all(Commitment.objects.get(pk=moved.pk).delete)
    evidence = kh_31.evidence.get(title="Public circular")
    evidence.commitment = published.kh_32
    renews_all(evidence.save)
    renews_all(published.thailand.save)
    recommendation = Recommendation.objects.get(code="BM22-R31")
    renews_all(lambda: recommendation.gcm_objectives.add(GcmObjective.objects.get(number=1)))


def test_what_one_commitment_s_progress_changes_keeps_the_other_pages(published):
    from tracker.models import PublicRevision, ScopedRevision, status_scope_key

    def scope_of(action):
        wide = PublicRevision.objects.get().wide_token
        before = {
            (kind, key): token
            for kind, key, token in ScopedRevision.objects.values_list("kind", "key", "token")
        }
        action()
        assert PublicRevision.objects.get().wide_token == wide
        after = {
            (kind, key): token
            for kind, key, token in ScopedRevision.objects.values_list("kind", "key", "token")
        }
        return {scope for scope, token in after.items() if before.get(scope) != token}

    kh_31, staff = published.kh_31, published.staff
    place = {("country", published.cambodia.pk), ("recommendation", kh_31.recommendation_id)}
    progress = ("status", status_scope_key("with_progress"))

    def of(*statuses):
        return place | {("status", status_scope_key(s)) for s in statuses} | {progress}

    expected = of("in_progress")
    assert scope_of(lambda: make_update(kh_31, staff, narrative="Accepted")) == expected
    assert (
        scope_of(lambda: make_evidence(kh_31, staff, title="Decree", visibility="public"))
        == expected
    )
    assert scope_of(lambda: make_deadline(kh_31, staff, due_date=dt.date(2030, 1, 1))) == expected
    # Demonstration data already there, accepted: only its commitment's pages change.
    demo = make_update(kh_31, published.focal_kh, narrative="Demo", is_demo=True)
    accept = review.accept
    assert scope_of(lambda: accept(demo, by=staff, seen_version=demo.version)) == expected
    kh_31.refresh_from_db()
    kh_31.lead_agency = "Ministry of Labour"
    assert scope_of(kh_31.save) == expected
    assert scope_of(lambda: kh_31.evidence.get(title="Decree").delete()) == expected
    # A new status: the tables of both statuses.
    planned = of("in_progress", "planned")
    assert scope_of(lambda: make_update(kh_31, staff, status="planned")) == planned
    # Read again first: the change is measured against what the database holds then.
    kh_31.refresh_from_db()
    kh_31.status = "not_applicable"
    assert scope_of(kh_31.save) == of("planned", "not_applicable")
