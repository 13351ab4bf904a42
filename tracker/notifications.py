"""Emails about progress updates and deadlines. Sent after the transaction commits."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from tracker.permissions import STAFF_GROUP


def _admin_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def staff_reviewer_emails() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=STAFF_GROUP)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def _send_later(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def update_submitted(update) -> None:
    commitment = update.commitment
    url = _admin_url(reverse("admin:tracker_progressupdate_change", args=[update.pk]))
    _send_later(
        f"[GCM Tracker] Update to review: {commitment}",
        f"{update.author} submitted a progress update for {commitment}.\n\n"
        f"Status: {update.get_status_display()}\n\n{update.narrative}\n\n"
        f"Review it: {url}\n",
        staff_reviewer_emails(),
    )


def update_reviewed(update) -> None:
    if not update.author.email or update.author_id == update.reviewer_id:
        return
    verdict = update.get_review_state_display()
    url = _admin_url(reverse("admin:tracker_progressupdate_change", args=[update.pk]))
    comment = (
        f"\nComment from {update.reviewer}:\n{update.review_comment}\n"
        if (update.review_comment)
        else ""
    )
    _send_later(
        f"[GCM Tracker] {verdict}: your update on {update.commitment}",
        f"Your progress update on {update.commitment} was reviewed: {verdict}.\n{comment}\n"
        f"See it: {url}\n",
        [update.author.email],
    )
