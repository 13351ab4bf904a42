"""The public pages: what they show, what they never show, and how many queries they cost."""

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from consultations.models import Recommendation
from tests.factories import (
    grow_commitments,
    make_commitment,
    make_country,
    make_deadline,
    make_evidence,
    make_update,
)
from tests.pages import public_urls
from tracker import review, views
from tracker.models import Commitment, ProgressUpdate

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


# --- nothing unpublished leaks --------------------------------------------------------


def test_no_public_page_shows_unaccepted_updates_or_internal_evidence(client, published):
    for url in public_urls(published):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "SECRET" not in text, url


def test_accepted_update_and_public_evidence_are_shown(client, published):
    response = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"]))
    assert "Accepted: border posts apply one rule." in response.text
    assert "Public circular" in response.text
    country = client.get(reverse("tracker:country_detail", args=["kh"]))
    assert "Public circular" in country.text
    assert "Late" in country.text


def test_status_shown_is_that_of_the_latest_accepted_update(client, published):
    response = client.get(reverse("tracker:progress_table"), {"country": "KH"})
    body = response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {
        row.split('/">', 1)[1].split("<", 1)[0]: row  # the recommendation's code, linked
        for row in body.split("<tr>")[1:]
    }
    assert ">In progress</span>" in rows["BM22-R31"]
    assert ">Not started</span>" in rows["BM22-R32"]


def test_a_countrys_lists_say_each_deadline_and_item_of_evidence(client, world, published):
    make_evidence(
        world.kh_31,
        world.staff,
        title="Decree <No. 5>",
        url="https://example.org/decree?a=1&b=2",
        date=dt.date(2024, 5, 2),
        is_demo=True,
    )
    page = client.get(reverse("tracker:country_detail", args=["kh"])).text
    deadlines = page.split('id="deadlines"', 1)[1].split("</section>", 1)[0]
    assert (
        '<li><strong>1 Jan 2020</strong> <span class="overdue">overdue</span> · '
        '<a href="/recommendations/BM22-R31/">BM22-R31</a>: Late</li>'
    ) in deadlines
    evidence = page.split('id="evidence"', 1)[1].split("</section>", 1)[0]
    items = [line.strip() for line in evidence.splitlines() if "<li>" in line]
    assert items == [
        '<li><span class="meta">2 May 2024</span> <a href="https://example.org/decree?a=1&amp;'
        'b=2" rel="nofollow">Decree &lt;No. 5&gt;</a> · BM22-R31 <span class="demo-tag">Demo'
        "</span></li>",
        '<li><span class="meta">1 Mar 2024</span> Public circular · BM22-R31</li>',
    ]


def test_feed_lists_only_accepted_updates(client, published):
    response = client.get(reverse("tracker:update_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert "Cambodia: BM22-R31 In progress" in entries[0].find(f"{ATOM}title").text
    assert "SECRET" not in response.content.decode()


# --- what the pages say ---------------------------------------------------------------


def test_dashboard_counts_commitments_by_status_country_and_objective(client, published):
    response = client.get(reverse("tracker:dashboard"))
    assert response.context["region"].total == 4
    counts = {status: count for status, _, count in response.context["status_counts"]}
    assert counts["in_progress"] == 1
    assert counts["not_started"] == 3
    countries = {bar.label: bar.total for bar in response.context["country_chart"].bars}
    assert countries == {"Cambodia": 2, "Thailand": 2}
    objectives = {bar.label: bar.total for bar in response.context["objective_chart"].bars}
    assert objectives == {"5. Regular pathways": 4, "11. Manage borders": 4}
    # The charts read as tables too.
    assert '<th scope="row"><a href="/progress/?country=kh">Cambodia</a></th>' in response.text
    assert "Late" in response.text  # the overdue deadline


def test_the_dashboards_lists_say_each_overdue_deadline_and_latest_update(client, published):
    accepted = ProgressUpdate.objects.get(narrative__startswith="Accepted:")
    day = date_format(localtime(accepted.created_at))
    page = client.get(reverse("tracker:dashboard")).text
    overdue = page.split('id="overdue"', 1)[1].split("</section>", 1)[0]
    assert (
        "<li><strong>1 Jan 2020</strong> · Cambodia · "
        '<a href="/recommendations/BM22-R31/">BM22-R31</a>: Late</li>'
    ) in overdue
    assert "Later" not in overdue  # due in 2031
    latest = page.split('id="latest"', 1)[1].split("</section>", 1)[0]
    items = [" ".join(item.split()) for item in latest.split("<li>")[1:]]
    assert items == [
        f'<a href="/recommendations/BM22-R31/#update-{accepted.pk}">Cambodia · BM22-R31</a> '
        '<span class="status status-in_progress"><span class="status-mark" aria-hidden="true">'
        f'</span>In progress</span> <span class="meta">{day}</span> </li> </ul>'
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"country": "KH"}, {"BM22-R31 KH", "BM22-R32 KH"}),
        ({"status": "in_progress"}, {"BM22-R31 KH"}),
        ({"q": "testing quarantine"}, {"BM22-R32 KH", "BM22-R32 TH"}),
        ({"overdue": "on"}, {"BM22-R31 KH"}),
        ({"objective": "11", "country": "TH"}, {"BM22-R31 TH", "BM22-R32 TH"}),
        ({"sdg": "4"}, set()),
        ({"consultation": "BM22", "status": "implemented"}, set()),
    ],
)
def test_progress_table_facets(client, published, query, expected):
    response = client.get(reverse("tracker:progress_table"), query)
    rows = {f"{c.recommendation.code} {c.country.code}" for c in response.context["page"]}
    assert rows == expected


def test_a_deadline_waiting_for_review_makes_nothing_overdue_in_public(client, published):
    """Past due, but part of an update not accepted yet: the public filters do not see it,
    on the progress table or on the list of recommendations."""
    update = make_update(published.th_32, published.focal_th, narrative="Waiting.")
    make_deadline(
        published.th_32,
        published.focal_th,
        due_date=dt.date(2020, 6, 1),
        description="Pending",
        update=update,
    )
    response = client.get(reverse("tracker:progress_table"), {"overdue": "on"})
    rows = {f"{c.recommendation.code} {c.country.code}" for c in response.context["page"]}
    assert rows == {"BM22-R31 KH"}
    response = client.get(
        reverse("tracker:recommendation_list"), {"overdue": "on", "country": "TH"}
    )
    assert "BM22-R32" not in response.text
    review.accept(update, by=published.staff, seen_version=update.version)
    response = client.get(reverse("tracker:progress_table"), {"overdue": "on"})
    rows = {f"{c.recommendation.code} {c.country.code}" for c in response.context["page"]}
    assert rows == {"BM22-R31 KH", "BM22-R32 TH"}


def test_progress_table_section_facet(client, published):
    section = Recommendation.objects.get(code="BM22-R31").paragraph.section
    response = client.get(reverse("tracker:progress_table"), {"section": section.pk})
    assert len(response.context["page"].object_list) == 4
    other = Recommendation.objects.get(code="BM22-R64").paragraph.section
    response = client.get(reverse("tracker:progress_table"), {"section": other.pk})
    assert len(response.context["page"].object_list) == 0


def test_unknown_facet_value_shows_an_error_not_a_crash(client, world):
    response = client.get(reverse("tracker:progress_table"), {"country": "ZZ", "status": "x"})
    assert response.status_code == 400  # the whole page, with the messages by the facets
    assert "Select a valid choice" in response.text
    assert "No country “ZZ” owns recommendations here." in response.text


def test_pagination_keeps_the_filters(client, world):
    for code in ["ID", "NP", "PH", "VN"]:
        country = make_country(code)
        for recommendation in Recommendation.objects.all():
            make_commitment(recommendation, country)
    response = client.get(reverse("tracker:progress_table"), {"status": "not_started"})
    assert response.context["page"].paginator.num_pages == 2
    assert 'href="?status=not_started&amp;page=2"' in response.text
    second = client.get(reverse("tracker:progress_table"), {"status": "not_started", "page": 2})
    assert len(second.context["page"].object_list) == 4 + 4 * 14 - 50


def test_recommendation_list_filters_on_one_commitment(client, published):
    url = reverse("tracker:recommendation_list")
    response = client.get(url, {"country": "KH", "status": "in_progress"})
    assert [r.code for r in response.context["page"]] == ["BM22-R31"]
    # Thailand's commitment to R31 is not in progress: no match.
    response = client.get(url, {"country": "TH", "status": "in_progress"})
    assert list(response.context["page"]) == []


def test_recommendation_page_links_to_its_paragraph(client, world):
    response = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"]))
    report = world.consultation.get_absolute_url()
    assert f'href="{report}?paragraph=31#p31"' in response.text
    assert response.text.count("<h1") == 1
    # The link leads to the page of the report that holds the paragraph.
    assert client.get(f"{report}?paragraph=31").url == f"{report}#p31"


def test_report_page_links_recommendations_to_their_tracking(client, world):
    response = client.get(world.consultation.get_absolute_url())
    assert 'href="/recommendations/BM22-R31/"' in response.text


def test_unknown_recommendation_and_country_are_404(client, world):
    assert client.get("/recommendations/XX-R1/").status_code == 404
    assert client.get("/countries/zz/").status_code == 404
    assert client.get("/countries/KH/").status_code == 404


def test_demo_data_is_marked_on_public_pages(client, world):
    urls = public_urls(world)[:-1]
    assert not [url for url in urls if "Demonstration data." in client.get(url).text]
    make_update(world.kh_31, world.focal_kh, accepted_by=world.staff, is_demo=True)
    for url in urls:
        text = client.get(url).text
        assert "Demonstration data." in text, url
    detail = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"]))
    assert '<span class="demo-tag">Demo</span>' in detail.text


def test_pages_without_demo_data_carry_no_demo_banner(client, world):
    assert "Demonstration data." not in client.get(reverse("tracker:dashboard")).text


def test_whether_there_is_demo_data_is_looked_up_in_its_own_index(world):
    """Every page asks it: answered from the index of demonstration updates, which is empty
    once there are none, not by reading every update (22 ms at 250,000)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a few rows: the planner would read them all
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = ProgressUpdate.objects.filter(is_demo=True).only("pk").explain()
    assert "update_demo_idx" in plan


TWO_LANGUAGES = [("en", "English"), ("fr", "Français")]


def test_every_page_has_one_h1_landmarks_and_a_language_switcher(client, published, settings):
    settings.LANGUAGES = TWO_LANGUAGES
    for url in public_urls(published)[:-1]:
        text = client.get(url).text
        assert text.count("<h1") == 1, url
        assert '<main id="main">' in text and "<nav" in text and "<footer" in text, url
        assert 'action="/i18n/setlang/"' in text, url
        assert 'style="' not in text, url
        assert "<script>" not in text, url


def test_with_one_language_there_is_no_switcher_and_no_cookie(client, published, settings):
    settings.LANGUAGES = [("en", "English")]  # a site set up for one language
    for url in public_urls(published)[:-1]:
        response = client.get(url)
        assert 'action="/i18n/setlang/"' not in response.text, url
        assert "csrftoken" not in response.cookies, url


def test_content_security_policy_forbids_inline_code(client, world):
    response = client.get(reverse("tracker:dashboard"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_country_page_shows_commitments_a_page_at_a_time(client, published, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    url = reverse("tracker:country_detail", args=["kh"])
    first = client.get(url).text
    assert "BM22-R31" in first and "Page 1 of 2" in first
    second = client.get(url, {"page": 2}).text
    assert "BM22-R32" in second and "Page 2 of 2" in second


def test_country_page_caps_its_deadline_and_evidence_lists(client, published, monkeypatch):
    monkeypatch.setattr(views, "LIST_SIZE", 1)
    make_deadline(published.kh_32, published.staff, due_date=dt.date(2030, 1, 1))
    make_evidence(published.kh_32, published.staff, title="Second circular")
    text = client.get(reverse("tracker:country_detail", args=["kh"])).text
    assert "The next 1 deadline is listed" in text
    assert "The latest 1 item is listed" in text
    assert "Public circular" not in text  # the older of the two public items


def test_recommendation_timeline_shows_the_latest_updates(client, published, monkeypatch):
    monkeypatch.setattr(views, "TIMELINE_SIZE", 1)
    make_update(
        published.th_31, published.focal_th, narrative="Thai fee rule.", accepted_by=published.staff
    )
    text = client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"])).text
    assert "Thai fee rule." in text
    assert "Accepted: border posts apply one rule." not in text.split('id="timeline"')[1]
    assert "The latest 1 update is shown." in text


# --- query counts do not grow with rows -----------------------------------------------


@pytest.mark.parametrize("index", range(10))
def test_a_fresh_page_costs_at_most_nine_queries(
    client, published, django_assert_max_num_queries, index
):
    """Rendered afresh, with the values pages share (facet options) read once already."""
    url = public_urls(published)[index]
    assert client.get(url + ("&" if "?" in url else "?") + "another=url").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


def add_commitments(world, total: int) -> None:
    """Grow the data to `total` commitments, each with an update, evidence and deadline."""
    codes = ["ID", "NP", "PH", "VN", "MY", "LA", "MM", "BD", "LK", "IN"]
    grow_commitments(total, by=world.staff, countries=codes)


@pytest.mark.parametrize("index", range(10))
def test_page_query_count_holds_with_1_and_with_50_commitments(
    client, world, django_assert_max_num_queries, index
):
    Commitment.objects.exclude(pk=world.kh_31.pk).delete()
    make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    url = public_urls(world)[index]
    limits = []
    for total in (1, 50):
        add_commitments(world, total)
        assert Commitment.objects.count() == total
        with django_assert_max_num_queries(11) as captured:
            assert client.get(url).status_code == 200
        limits.append(len(captured.captured_queries))
    assert limits[0] == limits[1], f"{url}: {limits[0]} queries with 1 row, {limits[1]} with 50"


@pytest.mark.parametrize("typed", ["TH", "th", "Th", "Thailand", "thailand", " Thailand "])
def test_a_country_is_found_by_its_code_in_any_case_or_its_name(client, published, typed):
    table = client.get(reverse("tracker:progress_table"), {"country": typed})
    assert table.status_code == 200
    assert {c.country.code.code for c in table.context["page"]} == {"TH"}
    listing = client.get(reverse("tracker:recommendation_list"), {"country": typed})
    assert listing.status_code == 200
    export = client.get(reverse("tracker:progress_export", args=["json"]), {"country": typed})
    assert export.status_code == 200


def test_a_filter_value_no_facet_takes_shows_the_page_with_the_message_and_no_downloads(
    client, published
):
    page = client.get(reverse("tracker:progress_table"), {"country": "Atlantis"})
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "No country “Atlantis” owns recommendations here." in page.text
    assert "A filter could not be applied" in page.text
    assert reverse("tracker:progress_export", args=["csv"]) not in page.text
    listing = client.get(reverse("tracker:recommendation_list"), {"status": "finished"})
    assert listing.status_code == 400
    assert "<h1" in listing.text


def test_a_facet_with_nothing_to_choose_is_not_offered(client, world):
    from consultations.models import Theme

    Theme.objects.all().delete()
    page = client.get(reverse("tracker:progress_table"))
    assert 'name="theme"' not in page.text
    assert 'name="country"' in page.text
    # Asked for anyway, it shows, with why it cannot apply.
    page = client.get(reverse("tracker:progress_table"), {"theme": "health"})
    assert page.status_code == 400
    assert 'name="theme"' in page.text
    Theme.objects.create(name="Border management", slug="border-management")
    page = client.get(reverse("tracker:progress_table") + "?fresh=1")
    assert 'name="theme"' in page.text
