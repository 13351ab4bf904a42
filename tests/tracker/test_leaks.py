"""Nothing internal ever leaves: a unique marker planted in every internal field (updates
submitted, drafted, returned or taken back, and what they carry; review comments; internal
evidence's title, note and link; the names and addresses of focal points and reviewers;
API tokens; the addresses following by email) is found in no public page, feed, download,
brief or API response, nor in what another country's token reads."""

import datetime as dt
import io
import zipfile

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_deadline, make_evidence, make_update
from tests.pages import public_urls
from tracker import review
from tracker.models import ApiToken, Deadline, Evidence, ProgressUpdate, Subscription

pytestmark = pytest.mark.django_db


def plant(world) -> tuple[list[str], str]:
    """Public progress beside markers in every internal field; returns the markers and a
    token of Thailand's focal point (to read as another country)."""
    markers = []

    def marker(name: str) -> str:
        markers.append(f"LEAK{len(markers):02d}{name}")
        return markers[-1]

    for user in (world.focal_kh, world.focal_th, world.staff):
        user.first_name, user.last_name = marker("first"), marker("last")
        user.email = f"{marker('mail').lower()}@example.org"
        user.save()
    # What the public may see: an accepted update with public evidence and a deadline.
    make_evidence(world.kh_31, world.staff, title="Public decree", visibility="public")
    make_update(
        world.kh_31, world.focal_kh, narrative="Accepted progress.", accepted_by=world.staff
    )
    make_deadline(world.kh_31, world.staff, due_date=dt.date(2031, 1, 1), description="Review")
    # Internal evidence, on record.
    make_evidence(
        world.kh_31,
        world.staff,
        visibility="internal",
        title=marker("internaltitle"),
        note=marker("internalnote"),
        url=f"https://example.org/{marker('internallink')}",
    )
    # An update waiting for review, with all it carries.
    waiting = make_update(
        world.kh_32,
        world.focal_kh,
        status="planned",
        narrative=marker("submitted"),
        challenges=marker("challenges"),
        support_needed=marker("support"),
        lead_agency=marker("agency"),
    )
    Evidence.objects.create(
        commitment=world.kh_32,
        update=waiting,
        added_by=world.focal_kh,
        visibility="public",
        date=dt.date(2026, 1, 1),
        title=marker("carriedtitle"),
        note=marker("carriednote"),
    )
    Deadline.objects.create(
        commitment=world.kh_32,
        update=waiting,
        created_by=world.focal_kh,
        due_date=dt.date(2032, 1, 1),
        description=marker("carrieddeadline"),
        responsible=marker("responsible"),
    )
    # Returned with a comment; a draft; one taken back before review.
    returned = make_update(world.th_31, world.focal_th, narrative=marker("returned"))
    review.return_for_changes(
        returned, by=world.staff, comment=marker("reviewcomment"), seen_version=returned.version
    )
    draft = ProgressUpdate(commitment=world.th_32, status="planned", narrative=marker("draft"))
    review.report(draft, by=world.focal_th, as_draft=True)
    taken_back = make_update(world.th_32, world.focal_th, narrative=marker("withdrawn"))
    review.withdraw(taken_back, by=world.focal_th)
    # Tokens and followers.
    token = ApiToken(
        user=world.focal_th,
        name=marker("tokenname"),
        expires_at=timezone.now() + dt.timedelta(days=9),
    )
    secret = token.new_secret()
    token.save()
    markers += [secret, token.prefix]
    for followed in ({"country": world.cambodia}, {"recommendation": world.kh_31.recommendation}):
        Subscription.objects.create(
            email=f"{marker('follower').lower()}@example.org",
            key=Subscription.new_key(),
            confirmed_at=timezone.now(),
            **followed,
        )
    return markers, secret


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    if content.startswith(b"PK"):  # XLSX, DOCX: every part of the package
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            return "\n".join(
                package.read(name).decode("utf-8", "replace") for name in package.namelist()
            )
    return content.decode("utf-8", "replace")


def everything_public(world) -> list[str]:
    progress = reverse("tracker:progress_table")
    downloads = [
        reverse("tracker:progress_export", args=[fmt]) + query
        for fmt in ("csv", "xlsx", "json")
        for query in ("", "?country=kh", f"?as_of={timezone.localdate()}")
    ]
    briefs = [
        reverse("tracker:country_brief", args=[iso, fmt])
        for iso in ("kh", "th")
        for fmt in ("pdf", "docx")
    ] + [
        reverse("tracker:recommendation_brief", args=[code, "docx"])
        for code in ("BM22-R31", "BM22-R32")
    ]
    pages = [
        *public_urls(world),
        progress + "?country=th",
        reverse("tracker:recommendation_detail", args=["BM22-R32"]),
        reverse("tracker:country_detail", args=["th"]),
        reverse("tracker:how_it_works"),
        reverse("tracker:follow_privacy"),
        "/countries/kh/follow/",
        reverse("tracker:progress_matrix"),
    ]
    api = [
        f"/api/v1/{path}"
        for path in (
            "commitments/",
            "commitments/?country=kh",
            f"commitments/{world.kh_32.pk}/",
            f"commitments/?as_of={timezone.localdate()}",
            "updates/",
            "countries/",
            "countries/kh/",
            "recommendations/",
            "recommendations/BM22-R32/",
            "schema/",
            "docs/",
        )
    ]
    return pages + downloads + briefs + api


def test_no_internal_marker_leaves_by_any_public_route(client, world):
    markers, _ = plant(world)
    assert len(markers) >= 25
    found = []
    for url in everything_public(world):
        response = client.get(url)
        assert response.status_code == 200, url
        text = text_of(response)
        found += [f"{marker} in {url}" for marker in markers if marker in text]
    assert not found, "\n".join(found)
    # The scan can find them: the reporting area shows Cambodia's focal point their own.
    client.force_login(world.focal_kh)
    mine = client.get(reverse("tracker:report_progress", args=[world.kh_32.pk])).text
    assert "submitted" in " ".join(m for m in markers if m in mine)


def test_another_countrys_token_reads_none_of_them(client, world):
    markers, thai_secret = plant(world)
    headers = {"authorization": f"Bearer {thai_secret}"}
    thai = [
        m
        for m in markers
        if any(k in m for k in ("returned", "reviewcomment", "draft", "withdrawn", "tokenname"))
    ]
    found = []
    for url in ("/api/v1/submissions/", "/api/v1/commitments/?country=kh", "/api/v1/updates/"):
        text = client.get(url, headers=headers).text
        found += [f"{m} in {url}" for m in markers if m in text and m not in thai]
    assert not found, "\n".join(found)
    # Their own returned update, with its comment, is theirs to read.
    own = client.get("/api/v1/submissions/", headers=headers).text
    assert any("reviewcomment" in m and m in own for m in markers)
