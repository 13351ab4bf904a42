"""Emails go out through the outbox: `keep` writes one (tracker.models.Email) in the
transaction of the change it tells of and enqueues its sending; `deliver` sends it from the
background worker, once.

A send that fails (the mail server refused or did not answer) raises, so that the task is
retried (tracker.worker); the email stays unsent until then. The one case that sends twice
is a worker dying between the mail server taking the email and `sent_at` being written;
the email keeps its Message-ID then, so mail programs show it once."""

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from tracker import tasks
from tracker.models import Email


def keep(message: EmailMessage) -> Email | None:
    """Write `message` to the outbox and enqueue its sending (None: it has nobody to go to)."""
    if not message.to:
        return None
    email = Email.objects.create(
        subject=message.subject,
        body=message.body,
        to=list(message.to),
        headers=dict(message.extra_headers),
    )
    tasks.later(tasks.send_email, email.pk)
    return email


def deliver(email_id: int) -> str:
    email = Email.objects.filter(pk=email_id).first()
    if email is None:
        return "gone"
    if email.sent_at is not None:
        return "already sent"
    message = EmailMessage(
        email.subject,
        email.body,
        None,
        email.to,
        headers={"Message-ID": message_id(email), **email.headers},
    )
    try:
        message.send()
    except Exception as error:
        Email.objects.filter(pk=email.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    Email.objects.filter(pk=email.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return "sent"


def message_id(email: Email) -> str:
    """The same for every attempt at one email."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<gcm-tracker.{email.pk}.{int(email.created_at.timestamp())}@{domain}>"


def forget_old(now: dt.datetime | None = None) -> int:
    """Delete emails sent more than EMAIL_KEEP_DAYS ago (they hold addresses)."""
    before = (now or timezone.now()) - dt.timedelta(days=settings.EMAIL_KEEP_DAYS)
    deleted, _ = Email.objects.filter(sent_at__lt=before).delete()
    return deleted
