"""Network staff see the outbox: every email written, whether it went out, and why not."""

import pytest
from django.utils import timezone

from tracker.models import Email

pytestmark = pytest.mark.django_db

URL = "/admin/tracker/email/"


@pytest.fixture
def emails():
    sent = Email.objects.create(
        subject="You are invited", body="Dear Ana", to=["ana@example.org"], attempts=1,
        sent_at=timezone.now(),
    )  # fmt: skip
    waiting = Email.objects.create(
        subject="Accepted: your update", body="B", to=["kim@example.org"], attempts=2,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )  # fmt: skip
    return sent, waiting


def test_staff_see_which_emails_went_out_and_why_one_did_not(
    staff_client, emails, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        page = staff_client.get(URL).text
    assert "You are invited" in page and "ana@example.org" in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    waiting = staff_client.get(f"{URL}?sent=no").text
    assert "Accepted: your update" in waiting and "You are invited" not in waiting
    found = staff_client.get(f"{URL}?q=kim%40example").text
    assert "Accepted: your update" in found and "You are invited" not in found


def test_an_email_is_read_only_and_kept(staff_client, emails):
    sent, _waiting = emails
    page = staff_client.get(f"{URL}{sent.pk}/change/").text
    assert "Dear Ana" in page and 'name="subject"' not in page
    assert staff_client.post(f"{URL}{sent.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Email.objects.count() == 2


def test_focal_points_do_not_see_the_outbox(kh_client, emails):
    assert kh_client.get(URL).status_code == 403
