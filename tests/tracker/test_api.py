"""The read API (/api/v1/): public data only, the pages' filters, one error shape, HTTP
caching from the page cache's token, CORS for reading, a limit per address, and responses
that match the published OpenAPI schema."""

import csv
import io
import json

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tests.factories import grow_commitments, make_update
from tests.tracker.test_briefs import nepal  # noqa: F401 (the briefs' fixture, shared)
from tracker import review
from tracker.models import Commitment

pytestmark = pytest.mark.django_db

LICENCE = '<https://creativecommons.org/licenses/by/3.0/igo/>; rel="license"'


def api(path: str = "") -> str:
    return f"/api/v1/{path}"


def get(client, path: str, **headers):
    return client.get(api(path), headers=headers)


def every_path(world) -> list[str]:
    accepted = world.kh_31.updates.accepted().first()
    return [
        "consultations/",
        f"consultations/{world.consultation.code}/",
        "recommendations/",
        "recommendations/?country=th&status=not_started",
        "recommendations/BM22-R31/",
        "countries/",
        "countries/kh/",
        "commitments/",
        "commitments/?country=kh&status=in_progress",
        f"commitments/?as_of={timezone.localdate().isoformat()}",
        f"commitments/{world.kh_31.pk}/",
        "updates/",
        *([f"updates/{accepted.pk}/"] if accepted else []),
        "gcm-objectives/",
        "gcm-objectives/5/",
        "sdgs/",
        "sdgs/8/",
    ]


def test_commitments_show_public_progress_only(client, published):
    response = get(client, "commitments/?country=kh")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None
    kh_31 = next(row for row in body["results"] if row["recommendation"] == "BM22-R31")
    assert kh_31["country"] == "KH"
    assert kh_31["status"] == "in_progress"
    assert kh_31["latest_update"]["narrative"] == "Accepted: border posts apply one rule."
    assert [item["title"] for item in kh_31["public_evidence"]] == ["Public circular"]
    assert kh_31["overdue"] is True
    assert kh_31["page"] == "http://127.0.0.1:8000/recommendations/BM22-R31/#kh"


def test_nothing_internal_is_ever_in_a_response(client, published):
    """Submitted and returned updates, review comments, internal evidence and the people
    who report all carry the marker SECRET, or a name, in the fixture."""
    for path in every_path(published):
        text = get(client, path).content.decode()
        for marker in ("SECRET", "kim.cambodia", "tida.thailand", "@example"):
            assert marker not in text, (path, marker)
    submitted = published.kh_31.updates.exclude(review_state="accepted").first()
    assert get(client, f"updates/{submitted.pk}/").status_code == 404


def test_the_api_the_page_and_the_csv_give_the_same_rows(client, published):
    query = "country=kh&status=in_progress&objective=5"
    api_rows = {
        (row["recommendation"], row["country"], row["status"])
        for row in get(client, f"commitments/?{query}").json()["results"]
    }
    page = client.get(f"{reverse('tracker:progress_table')}?{query}")
    page_rows = {
        (c.recommendation.code, c.country.code.code, c.status) for c in page.context["page"]
    }
    export = client.get(f"{reverse('tracker:progress_export', args=['csv'])}?{query}")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    csv_rows = {
        (row["Recommendation code"], row["Country code"], "in_progress")
        for row in csv.DictReader(io.StringIO(text))
    }
    assert api_rows == page_rows == csv_rows == {("BM22-R31", "KH", "in_progress")}


def test_a_value_no_filter_takes_is_a_400_naming_the_field(client, world):
    response = get(client, "commitments/?country=Atlantis&as_of=2999-01-01")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["fields"]["country"] == ["No country “Atlantis” owns recommendations here."]
    assert "is in the future" in error["fields"]["as_of"][0]
    assert get(client, "commitments/999999/").json()["error"]["status"] == 404


def test_a_page_size_above_the_maximum_is_clamped_and_said(client, world):
    body = get(client, "commitments/?page_size=100000").json()
    assert body["page_size"] == 500
    assert body["notice"] == "page_size 100000 is above the maximum: 500 a page."
    body = get(client, "commitments/?page_size=1").json()
    assert len(body["results"]) == 1
    assert body["next"].endswith("/api/v1/commitments/?page=2&page_size=1")


def test_as_of_a_day_shows_the_commitments_as_they_stood(client, published):
    body = get(client, "commitments/?as_of=2000-01-01").json()
    assert body["count"] == 0  # none existed yet
    today = get(client, "commitments/?country=kh&status=in_progress").json()["results"]
    then = get(client, f"commitments/?country=kh&as_of={timezone.localdate()}").json()
    row = next(r for r in then["results"] if r["recommendation"] == "BM22-R31")
    assert row["status"] == today[0]["status"] == "in_progress"
    assert row["latest_update"]["narrative"] == "Accepted: border posts apply one rule."


def test_a_conditional_get_is_answered_304_until_something_public_changes(client, published):
    first = get(client, "commitments/")
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    etag, modified = first["ETag"], first["Last-Modified"]
    again = get(client, "commitments/", if_none_match=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert get(client, "commitments/", if_modified_since=modified).status_code == 304
    assert get(client, "commitments/?page_size=1", if_none_match=etag).status_code == 200
    make_update(published.th_32, published.focal_th, status="planned", accepted_by=published.staff)
    changed = get(client, "commitments/", if_none_match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_an_answer_is_kept_until_something_public_changes(
    client, published, django_assert_max_num_queries
):
    first = get(client, "commitments/?country=kh")
    with django_assert_max_num_queries(1):  # the token, nothing else
        again = get(client, "commitments/?country=kh")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Link"] == LICENCE
    assert again["Content-Type"] == "application/json"
    make_update(published.kh_32, published.focal_kh, status="planned", narrative="Plan adopted.")
    assert get(client, "commitments/?country=kh").content == first.content  # not yet public
    update = published.kh_32.updates.get(narrative="Plan adopted.")
    review.accept(update, by=published.staff, seen_version=update.version)
    assert "Plan adopted." in get(client, "commitments/?country=kh").text


def test_every_response_names_the_licence(client, world):
    assert get(client, "commitments/")["Link"] == LICENCE
    assert get(client, "commitments/?country=zz")["Link"] == LICENCE
    schema = yaml.safe_load(get(client, "schema/").content)
    assert schema["info"]["license"]["name"] == "CC BY 3.0 IGO"


def test_any_origin_may_read_and_nothing_else(client, world):
    response = get(client, "countries/", origin="https://nrtd.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        api("countries/"),
        headers={
            "origin": "https://nrtd.example.org",
            "access-control-request-method": "POST",
        },
    )
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert client.post(api("countries/"), {}).status_code == 405
    page = client.get(reverse("tracker:dashboard"), headers={"origin": "https://x.example"})
    assert not page.has_header("Access-Control-Allow-Origin")


def test_an_address_asking_too_often_is_told_to_wait(client, world, settings):
    settings.API_RATE = "3/minute"
    for _ in range(3):
        assert get(client, "sdgs/").status_code == 200
    refused = get(client, "sdgs/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["status"] == 429
    # Another address, as the trusted proxy reports it, has its own count.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    other = client.get(api("sdgs/"), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert other.status_code == 200
    # An address the operator names is not limited.
    settings.TRUSTED_PROXIES = []
    settings.API_UNLIMITED_ADDRESSES = ["127.0.0.1"]
    assert get(client, "sdgs/").status_code == 200


def test_the_documentation_is_served_by_the_site_itself(client, world):
    docs = get(client, "docs/")
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.text
    assert "<script>" not in docs.text  # its script is a file of its own (the CSP allows no inline)
    footer = client.get(reverse("tracker:dashboard")).text
    assert 'href="/api/v1/docs/"' in footer


def test_every_response_matches_the_published_schema(client, published):
    spec = yaml.safe_load(get(client, "schema/").content)
    openapi = OpenAPI.from_dict(spec)
    for path in every_path(published):
        response = get(client, path)
        assert response.status_code == 200, path
        openapi.validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
        )


@pytest.mark.parametrize("path", ["commitments/", "recommendations/", "updates/"])
def test_list_query_count_holds_with_5_and_with_50_commitments(
    client, world, django_assert_max_num_queries, path
):
    counts = []
    for total in (5, 50):
        grow_commitments(total, by=world.staff, countries=["ID", "NP", "PH", "VN", "MY"])
        assert Commitment.objects.count() == total
        with django_assert_max_num_queries(12) as captured:
            assert get(client, f"{path}?page_size=500").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_a_json_error_is_json(client, world):
    response = get(client, "commitments/?page=999")
    assert response.status_code == 404
    assert json.loads(response.content)["error"]["message"]


def test_as_of_a_day_the_api_says_what_the_brief_and_the_download_say(client, nepal):  # noqa: F811
    """Nepal's R31 was in progress on 1 July 2025, with one piece of public evidence then;
    today it is implemented, with two."""
    query = "country=np&as_of=2025-07-01"
    rows = {
        row["recommendation"]: row for row in get(client, f"commitments/?{query}").json()["results"]
    }
    r31 = rows["BM22-R31"]
    assert (r31["status"], r31["status_date"], r31["lead_agency"]) == (
        "in_progress",
        "2025-06-10",
        "Department of Immigration",
    )
    assert r31["latest_update"]["narrative"] == "June: rule drafted."
    assert [item["title"] for item in r31["public_evidence"]] == ["Draft rule"]
    assert get(client, f"commitments/{r31['id']}/?as_of=2025-07-01").json() == r31
    export = client.get(f"{reverse('tracker:progress_export', args=['json'])}?{query}")
    exported = {
        row["Recommendation code"]: row for row in json.loads(b"".join(export.streaming_content))
    }["BM22-R31"]
    assert exported["Public evidence"] == "1 Jun 2025 Draft rule"
    assert exported["Latest accepted note"] == r31["latest_update"]["narrative"]
    today = get(client, f"commitments/{r31['id']}/").json()
    assert today["status"] == "implemented"
    assert [item["title"] for item in today["public_evidence"]] == ["Decree in force", "Draft rule"]
