"""The Atom feed of published progress updates.

What focal points write reaches feed readers as plain text, never as HTML a reader would
run; an update withdrawn after it was published stays, marked, with the reason; nothing
that was not accepted appears; and the feed costs a fixed number of queries.
"""

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from consultations.models import Recommendation
from tests.factories import make_commitment, make_country, make_update
from tracker import review

pytestmark = pytest.mark.django_db

FEED_URL = reverse("tracker:update_feed")
ATOM = "{http://www.w3.org/2005/Atom}"

NARRATIVE = (
    "Border posts apply one rule. <script>alert(1)</script>\n"
    "<img src=x onerror=alert(1)> and <svg onload=alert(1)>\n"
    "Q&A: \"quoted\" & 'apostrophes' &amp; an entity written out."
)


def read_feed(client) -> tuple[ElementTree.Element, bytes]:
    response = client.get(FEED_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content), response.content


def entries(feed) -> list[ElementTree.Element]:
    return feed.findall(f"{ATOM}entry")


def summary_of(entry) -> ElementTree.Element:
    (summary,) = entry.findall(f"{ATOM}summary")
    return summary


def accepted(world, commitment=None, **fields):
    commitment = commitment or world.kh_31
    author = world.focal_kh if commitment.country == world.cambodia else world.focal_th
    return make_update(commitment, author, accepted_by=world.staff, **fields)


# --- what people wrote is text --------------------------------------------------------


def test_summary_is_plain_text_exactly_as_written(client, world):
    accepted(world, narrative=NARRATIVE)
    feed, raw = read_feed(client)
    (entry,) = entries(feed)
    summary = summary_of(entry)
    assert summary.get("type") == "text"
    assert summary.text == NARRATIVE
    # Nothing of it is markup in the document itself.
    for tag in (b"<script", b"<img", b"<svg"):
        assert tag not in raw
    assert entry.find(f"{ATOM}content") is None


def test_no_summary_is_html(client, world):
    accepted(world, narrative=NARRATIVE)
    withdrawn = accepted(world, world.th_31, narrative=NARRATIVE)
    review.withdraw(withdrawn, by=world.staff, reason="<b>Figures</b> were wrong.")
    feed, _raw = read_feed(client)
    summaries = [summary_of(entry) for entry in entries(feed)]
    assert len(summaries) == 2
    assert {summary.get("type") for summary in summaries} == {"text"}
    assert [el for el in feed.iter() if el.get("type") == "html"] == []


def test_title_is_the_country_recommendation_and_status(client, world):
    update = accepted(world, status="in_progress", narrative=NARRATIVE)
    feed, _raw = read_feed(client)
    (entry,) = entries(feed)
    assert entry.find(f"{ATOM}title").text == "Cambodia: BM22-R31 In progress"
    page = reverse("tracker:recommendation_detail", args=["BM22-R31"])
    assert entry.find(f"{ATOM}link").get("href").endswith(f"{page}#update-{update.pk}")


def test_control_characters_pasted_into_a_narrative_do_not_break_the_feed(client, world):
    accepted(world, narrative="Line one\x0bLine two\x0cPage two")
    accepted(world, world.th_31, narrative="Another country's progress.")
    feed, _raw = read_feed(client)
    texts = [summary_of(entry).text for entry in entries(feed)]
    assert len(texts) == 2
    assert any("Line one" in text and "Page two" in text for text in texts)


# --- what appears ---------------------------------------------------------------------


def test_update_withdrawn_after_publication_stays_marked_with_its_reason(client, world):
    update = accepted(world, narrative="Border posts apply one rule.")
    review.withdraw(update, by=world.staff, reason="The figures were wrong.")
    feed, _raw = read_feed(client)
    (entry,) = entries(feed)
    assert entry.find(f"{ATOM}title").text == "Withdrawn: Cambodia: BM22-R31 In progress"
    summary = summary_of(entry)
    assert summary.get("type") == "text"
    assert summary.text == "Withdrawn: The figures were wrong.\n\nBorder posts apply one rule."
    # Newest change first: the withdrawal dates the entry.
    update.refresh_from_db()
    updated = dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
    assert updated == update.withdrawn_at


def test_updates_not_accepted_do_not_appear(client, world, mailoutbox):
    make_update(world.kh_31, world.focal_kh, narrative="SECRET submitted")
    returned = make_update(world.kh_32, world.focal_kh, narrative="SECRET returned")
    review.return_for_changes(
        returned, by=world.staff, comment="SECRET comment", seen_version=returned.version
    )
    draft = make_update(world.th_31, world.focal_th, narrative="SECRET draft")
    draft.review_state = draft.ReviewState.DRAFT
    draft.save()
    taken_back = make_update(world.th_32, world.focal_th, narrative="SECRET taken back")
    review.withdraw(taken_back, by=world.focal_th)
    accepted(world, narrative="Published progress.")
    feed, raw = read_feed(client)
    assert [summary_of(entry).text for entry in entries(feed)] == ["Published progress."]
    assert b"SECRET" not in raw


def test_empty_feed_is_valid(client, db):
    feed, _raw = read_feed(client)
    assert entries(feed) == []


# --- cost -----------------------------------------------------------------------------


def test_feed_queries_do_not_grow_with_entries(client, world, django_assert_max_num_queries):
    accepted(world, narrative=NARRATIVE)
    with django_assert_max_num_queries(2):  # the page cache's token, the entries
        small = client.get(FEED_URL)
    for code in ["ID", "NP", "PH", "VN"]:
        country = make_country(code)
        for recommendation in Recommendation.objects.filter(code__in=["BM22-R31", "BM22-R32"]):
            commitment = make_commitment(recommendation, country)
            update = make_update(commitment, world.staff, narrative=NARRATIVE)
            review.withdraw(update, by=world.staff, reason="Replaced.")
            make_update(commitment, world.staff, narrative=NARRATIVE)
    with django_assert_max_num_queries(2):
        large = client.get(FEED_URL)
    with django_assert_max_num_queries(1):  # kept: the token only
        kept = client.get(FEED_URL)
    assert kept.content == large.content
    for header in ("Content-Type", "Last-Modified"):
        assert kept[header] == large[header]
    assert len(entries(ElementTree.fromstring(small.content))) == 1
    assert len(entries(ElementTree.fromstring(large.content))) == 1 + 4 * 2 * 2
