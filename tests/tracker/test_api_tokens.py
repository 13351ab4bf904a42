"""The write API: a focal point's personal token, made in the admin and shown once,
submits progress for that focal point's countries only, through the report form's rules,
and what it submits waits for review."""

import datetime as dt

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tests.factories import make_evidence
from tracker import review
from tracker.models import ApiToken, ProgressUpdate, proof_missing_message

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/api/v1/submissions/"
REFUSED = "Send a usable API token: Authorization: Bearer <token>."


def token_for(user, *, name="National tracking database", days=90, **fields) -> str:
    token = ApiToken(user=user, name=name, expires_at=timezone.now() + dt.timedelta(days=days))
    secret = token.new_secret()
    for field, value in fields.items():
        setattr(token, field, value)
    token.save()
    return secret


def submit(client, secret: str | None, body, **headers):
    if secret is not None:
        headers["authorization"] = f"Bearer {secret}"
    return client.post(SUBMISSIONS, body, content_type="application/json", headers=headers)


def progress(commitment, **fields) -> dict:
    return {
        "commitment": commitment.pk,
        "status": "in_progress",
        "narrative": "Labour inspectors trained in the four border provinces.",
        **fields,
    }


def public_commitments(client, country: str) -> bytes:
    return client.get(f"/api/v1/commitments/?country={country}").content


def admin_add(client, **fields):
    expires = fields.pop("expires", timezone.localtime() + dt.timedelta(days=30))
    data = {
        "name": "NRTD",
        "expires_at_0": expires.date().isoformat(),
        "expires_at_1": expires.strftime("%H:%M:%S"),
        **fields,
    }
    return client.post(reverse("admin:tracker_apitoken_add"), data)


def test_a_focal_point_makes_a_token_and_sees_its_secret_once(client, world):
    client.force_login(world.focal_kh)
    assert client.get(reverse("admin:tracker_apitoken_add")).status_code == 200
    made = admin_add(client)
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    token = ApiToken.objects.get()
    secret = made.context["secret"]
    assert secret in made.text and secret.startswith("gcmt_") and len(secret) > 40
    assert token.user == world.focal_kh and token.name == "NRTD"
    assert secret not in (token.digest, token.prefix) and token.digest == ApiToken.digest_of(secret)
    listed = client.get(reverse("admin:tracker_apitoken_changelist")).text
    page = client.get(reverse("admin:tracker_apitoken_change", args=[token.pk])).text
    assert token.prefix in listed and secret not in listed and secret not in page
    answer = submit(client.__class__(), secret, progress(world.kh_32))
    assert answer.status_code == 201, answer.content
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "expires, message",
    [
        (dt.timedelta(days=-1), "Choose a time after now."),
        (dt.timedelta(days=400), "Choose a time within a year from now."),
    ],
)
def test_a_token_lasts_at_most_a_year(client, world, expires, message):
    client.force_login(world.focal_kh)
    refused = admin_add(client, expires=timezone.localtime() + expires)
    assert message in refused.text
    assert not ApiToken.objects.exists()


def test_network_staff_hold_no_token_and_outsiders_see_none(client, world, outsider):
    client.force_login(world.staff)
    assert client.get(reverse("admin:tracker_apitoken_add")).status_code == 403
    assert client.get(reverse("admin:tracker_apitoken_changelist")).status_code == 200
    client.force_login(outsider)
    assert client.get(reverse("admin:tracker_apitoken_changelist")).status_code in (302, 403)


def test_a_submission_waits_for_review_like_the_forms(client, world):
    secret = token_for(world.focal_kh)
    before = public_commitments(client, "kh")
    body = progress(
        world.kh_32,
        evidence=[
            {
                "title": "Decree 41",
                "date": "2026-01-15",
                "url": "https://www.example.gov/decree-41",
                "visibility": "public",
            }
        ],
        deadlines=[{"description": "Inspection report", "due_date": "2031-03-01"}],
    )
    answer = submit(client, secret, body)
    assert answer.status_code == 201, answer.content
    sent = answer.json()
    assert sent["review_state"] == "submitted"
    assert sent["country"] == "KH" and sent["recommendation"] == "BM22-R32"
    assert [e["title"] for e in sent["evidence"]] == ["Decree 41"]
    assert sent["deadlines"][0]["due_date"] == "2031-03-01"
    assert answer["Location"].endswith(f"{SUBMISSIONS}{sent['id']}/")
    assert answer["Cache-Control"] == "private, no-store"
    update = ProgressUpdate.objects.get(pk=sent["id"])
    assert update.author == world.focal_kh and update.evidence.get().update == update
    assert public_commitments(client, "kh") == before  # nothing public until accepted
    staff = client.__class__()
    staff.force_login(world.staff)
    queue = staff.get(reverse("tracker:review_queue")).text
    assert reverse("tracker:review_update", args=[update.pk]) in queue

    review.accept(update, by=world.staff, seen_version=update.version)

    assert b"Labour inspectors trained" in public_commitments(client, "kh")
    mine = client.get(f"{SUBMISSIONS}{sent['id']}/", headers={"authorization": f"Bearer {secret}"})
    assert mine.json()["review_state"] == "accepted"


def test_another_countrys_commitment_is_not_found_and_nothing_changes(client, world):
    secret = token_for(world.focal_kh)
    answer = submit(client, secret, progress(world.th_32))
    assert answer.status_code == 404
    assert answer.json()["error"]["status"] == 404
    assert (
        submit(client, secret, {**progress(world.th_32), "commitment": 999999}).status_code == 404
    )
    theirs = token_for(world.focal_th)
    sent = submit(client, theirs, progress(world.th_32)).json()
    other = client.get(f"{SUBMISSIONS}{sent['id']}/", headers={"authorization": f"Bearer {secret}"})
    assert other.status_code == 404
    listed = client.get(SUBMISSIONS, headers={"authorization": f"Bearer {secret}"}).json()
    assert listed["count"] == 0
    assert ProgressUpdate.objects.filter(commitment__country=world.thailand).count() == 1


def test_a_bad_token_is_401_in_the_same_words_whatever_is_wrong(client, world):
    usable = token_for(world.focal_kh)
    revoked = token_for(world.focal_kh, revoked_at=timezone.now())
    expired = token_for(world.focal_kh, expires_at=timezone.now() - dt.timedelta(seconds=1))
    tried = {
        "none": {},
        "empty bearer": {"authorization": "Bearer"},
        "three parts": {"authorization": f"Bearer {usable} extra"},
        "another scheme": {"authorization": f"Basic {usable}"},
        "unknown": {"authorization": "Bearer gcmt_" + "x" * 43},
        "tampered": {"authorization": f"Bearer {usable[:-1]}{'R' if usable[-1] == 'Q' else 'Q'}"},
        "revoked": {"authorization": f"Bearer {revoked}"},
        "expired": {"authorization": f"Bearer {expired}"},
    }
    for case, headers in tried.items():
        answer = client.post(
            SUBMISSIONS, progress(world.kh_32), content_type="application/json", headers=headers
        )
        assert answer.status_code == 401, case
        assert answer.json()["error"]["message"] == REFUSED, case
        assert answer["WWW-Authenticate"] == 'Bearer realm="api"', case
        assert client.get(SUBMISSIONS, headers=headers).status_code == 401, case
    assert not ProgressUpdate.objects.exists()


def test_a_token_stops_when_its_holder_is_no_longer_a_focal_point(client, world):
    secret = token_for(world.focal_kh)
    world.focal_kh.focal_memberships.all().delete()
    assert submit(client, secret, progress(world.kh_32)).status_code == 401


def test_the_evidence_rule_is_a_422_in_the_forms_words(client, world):
    secret = token_for(world.focal_kh)
    answer = submit(client, secret, progress(world.kh_32, status="implemented"))
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == proof_missing_message("implemented")
    internal_only = progress(
        world.kh_32,
        status="implemented",
        evidence=[{"title": "Memo", "date": "2026-01-15", "note": "x", "visibility": "internal"}],
    )
    assert submit(client, secret, internal_only).status_code == 422
    assert not ProgressUpdate.objects.exists()
    # Public evidence already on record is proof enough, as in the form.
    make_evidence(world.kh_32, world.staff, title="Circular", visibility="public")
    assert submit(client, secret, progress(world.kh_32, status="implemented")).status_code == 201


def test_each_refused_value_is_named_in_the_forms_words(client, world):
    secret = token_for(world.focal_kh)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    body = progress(
        world.kh_32,
        narrative="",
        status="unheard_of",
        evidence=[{"title": "Decree", "date": future, "url": "ftp://x", "visibility": "public"}],
        lead_agency=["not", "text"],
    )
    answer = submit(client, secret, body)
    assert answer.status_code == 422
    fields = answer.json()["error"]["fields"]
    assert fields["narrative"] == ["Say what was done."]
    assert "status" in fields
    assert fields["evidence[0].date"] == ["The date cannot be in the future."]
    assert fields["evidence[0].url"] == ["Give a web address that starts with http:// or https://."]
    assert fields["lead_agency"] == ["Give text here, not a list or an object."]
    assert submit(client, secret, ["not", "an object"]).status_code == 400
    nameless = submit(client, secret, {**body, "commitment": None})
    assert nameless.status_code == 422
    assert nameless.json()["error"]["fields"] == {
        "commitment": ["Give the commitment's id, a number."]
    }
    broken = client.post(
        SUBMISSIONS,
        "{not json",
        content_type="application/json",
        headers={"authorization": f"Bearer {secret}"},
    )
    assert broken.status_code == 400 and broken.json()["error"]["message"]
    assert not ProgressUpdate.objects.exists()


def test_the_same_submission_sent_twice_is_saved_once(client, world):
    secret = token_for(world.focal_kh)
    body = progress(world.kh_32, submission_key="0b7f5c1e-8d3a-4b8e-9f27-6a1d2c3b4e5f")
    first = submit(client, secret, body)
    again = submit(client, secret, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ProgressUpdate.objects.count() == 1


def test_a_draft_is_kept_for_later_and_a_returned_update_is_carried_on(client, world):
    secret = token_for(world.focal_kh)
    draft = submit(client, secret, progress(world.kh_32, draft=True)).json()
    assert draft["review_state"] == "draft"
    sent = submit(client, secret, progress(world.kh_32, narrative="Now complete.")).json()
    assert sent["id"] == draft["id"] and sent["review_state"] == "submitted"
    update = ProgressUpdate.objects.get()
    review.return_for_changes(
        update, by=world.staff, comment="Name the provinces.", seen_version=update.version
    )
    mine = client.get(f"{SUBMISSIONS}{sent['id']}/", headers={"authorization": f"Bearer {secret}"})
    assert mine.json()["review_comment"] == "Name the provinces."
    again = submit(client, secret, progress(world.kh_32, narrative="Four provinces: ...")).json()
    assert again["id"] == sent["id"] and again["review_state"] == "submitted"


def test_staff_revoke_any_token_and_focal_points_see_only_their_own(client, world):
    kh_secret = token_for(world.focal_kh)
    kh_token = ApiToken.objects.get()
    client.force_login(world.focal_th)
    assert kh_token.prefix not in client.get(reverse("admin:tracker_apitoken_changelist")).text
    change = reverse("admin:tracker_apitoken_change", args=[kh_token.pk])
    assert client.get(change).status_code == 404
    client.post(
        reverse("admin:tracker_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [kh_token.pk]},
    )
    assert ApiToken.objects.get().revoked_at is None  # not theirs: untouched
    client.force_login(world.staff)
    assert kh_token.prefix in client.get(reverse("admin:tracker_apitoken_changelist")).text
    client.post(
        reverse("admin:tracker_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [kh_token.pk]},
    )
    revoked = ApiToken.objects.get()
    assert revoked.revoked_at is not None and revoked.revoked_by == world.staff
    assert "revoked on" in client.get(change).text
    assert submit(client.__class__(), kh_secret, progress(world.kh_32)).status_code == 401


def test_a_token_never_opens_the_admin_or_the_reporting_area(client, world):
    secret = token_for(world.focal_kh)
    headers = {"authorization": f"Bearer {secret}"}
    for url in (reverse("admin:index"), reverse("tracker:my_commitments")):
        assert client.get(url, headers=headers).status_code == 302  # to sign in
    assert (
        client.get(reverse("admin:tracker_apitoken_changelist"), headers=headers).status_code == 302
    )


def test_submissions_match_the_published_schema(client, world):
    spec = OpenAPI.from_dict(yaml.safe_load(client.get("/api/v1/schema/").content))
    secret = token_for(world.focal_kh)
    headers = {"authorization": f"Bearer {secret}"}
    body = progress(
        world.kh_32,
        evidence=[{"title": "Note", "date": "2026-01-15", "note": "Seen.", "visibility": "public"}],
    )
    answers = [submit(client, secret, body)]
    sent = answers[0].json()["id"]
    answers += [
        client.get(SUBMISSIONS, headers=headers),
        client.get(f"{SUBMISSIONS}{sent}/", headers=headers),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201)
        request = DjangoOpenAPIRequest(answer.wsgi_request)
        spec.validate_response(request, DjangoOpenAPIResponse(answer))
    spec.validate_request(DjangoOpenAPIRequest(answers[0].wsgi_request))
