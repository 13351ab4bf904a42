"""What following by email does, one function each."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from tracker import outbox
from tracker.following import mail
from tracker.models import ProgressUpdate, Subscription

logger = logging.getLogger(__name__)


def normalized(email: str) -> str:
    return email.strip().lower()


def ask(email: str, followed) -> None:
    """Someone asked to follow `followed` (a Country or a Recommendation) with `email`:
    a confirmation email goes out, unless the address already follows it, a confirmation
    went out within FOLLOW_RESEND_HOURS, or the address got FOLLOW_CONFIRMATIONS_PER_DAY
    of them today. Which of these it was is not said to the asker."""
    email, now = normalized(email), timezone.now()
    field = "country" if followed._meta.model_name == "country" else "recommendation"
    with transaction.atomic():
        subscription, _ = Subscription.objects.get_or_create(
            email=email,
            **{field: followed},
            defaults={"key": Subscription.new_key(), "language": _language()},
        )
        if subscription.confirmed_at:
            return
        subscription.language = _language()  # asked again: the newest page's language
        sent = subscription.confirmation_sent_at
        if sent and now - sent < dt.timedelta(hours=settings.FOLLOW_RESEND_HOURS):
            return
        today = Subscription.objects.filter(
            email=email, confirmation_sent_at__gte=now - dt.timedelta(days=1)
        )
        if today.count() >= settings.FOLLOW_CONFIRMATIONS_PER_DAY:
            return
        # Claimed by one request only, when several ask at the same moment.
        claimed = Subscription.objects.filter(pk=subscription.pk, confirmation_sent_at=sent).update(
            confirmation_sent_at=now
        )
        if claimed:
            outbox.keep(mail.confirmation(subscription))


def _language() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    known = {code for code, _ in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def confirm(key: str) -> Subscription | None:
    """The address confirmed: digests start with the updates accepted from now on."""
    subscription = find(key)
    if subscription is not None and subscription.confirmed_at is None:
        subscription.confirmed_at = subscription.covered_until = timezone.now()
        subscription.save(update_fields=["confirmed_at", "covered_until"])
    return subscription


def stop(key: str) -> Subscription | None:
    """Unsubscribe: the address is deleted, nothing of it kept. Returns what it followed
    (unsaved), or None when the key is unknown (already stopped)."""
    subscription = find(key)
    if subscription is not None:
        Subscription.objects.filter(pk=subscription.pk).delete()
    return subscription


def find(key: str) -> Subscription | None:
    return Subscription.objects.select_related("country", "recommendation").filter(key=key).first()


def send_digests(now: dt.datetime | None = None) -> int:
    """One email to each confirmed address whose country or recommendation has updates
    accepted since its last digest, at most once a (local) day however often this runs.
    Returns how many were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    subscriptions = (
        Subscription.objects.confirmed()
        .exclude(last_digest_on=today)
        .select_related("country", "recommendation")
        .order_by("pk")
    )
    accepted = _Accepted(now)
    sent = 0
    for subscription in subscriptions.iterator(chunk_size=500):
        updates = accepted.for_subscription(subscription)
        if not updates:
            continue
        with transaction.atomic():  # claimed and kept together, or neither
            claimed = (
                Subscription.objects.filter(pk=subscription.pk)
                .exclude(last_digest_on=today)
                .update(last_digest_on=today, covered_until=now)
            )
            if not claimed:
                continue  # another run took it
            outbox.keep(mail.digest(subscription, updates))
        sent += 1
    return sent


class _Accepted:
    """The updates accepted up to `until`, read once for each country or recommendation
    followed, from the earliest moment any of its followers still needs."""

    def __init__(self, until: dt.datetime):
        self.until = until
        self.read: dict[tuple[str, int], list[ProgressUpdate]] = {}

    def for_subscription(self, subscription: Subscription) -> list[ProgressUpdate]:
        field = "country" if subscription.country_id else "recommendation"
        target = (field, getattr(subscription, f"{field}_id"))
        if target not in self.read:
            since = Subscription.objects.confirmed().filter(**{f"{field}_id": target[1]})
            earliest = min(since.values_list("covered_until", flat=True), default=self.until)
            self.read[target] = list(
                ProgressUpdate.objects.accepted()
                .filter(
                    **{f"commitment__{field}_id": target[1]},
                    accepted_at__gt=earliest,
                    accepted_at__lte=self.until,
                )
                .select_related("commitment__recommendation", "commitment__country")
                .order_by("accepted_at", "pk")
            )
        after = subscription.covered_until
        return [u for u in self.read[target] if after is None or u.accepted_at > after]


def delete_unconfirmed(now: dt.datetime | None = None) -> int:
    """Addresses never confirmed within FOLLOW_UNCONFIRMED_DAYS are deleted."""
    moment = (now or timezone.now()) - dt.timedelta(days=settings.FOLLOW_UNCONFIRMED_DAYS)
    deleted, _ = Subscription.objects.unconfirmed_since(moment).delete()
    return deleted
