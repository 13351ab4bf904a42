"""Writes that span several records: assigning recommendations, saving and reviewing updates."""

from django.db import transaction
from django.utils import timezone

from tracker import notifications, permissions
from tracker.models import Commitment, ProgressUpdate


def assign_recommendations(*, recommendations, countries) -> tuple[int, int]:
    """One commitment per recommendation and country; returns (created, already there)."""
    created = existing = 0
    with transaction.atomic():
        for recommendation in recommendations:
            for country in countries:
                _, is_new = Commitment.objects.get_or_create(
                    recommendation=recommendation, country=country
                )
                created += is_new
                existing += not is_new
    return created, existing


def save_progress_update(*, update: ProgressUpdate, by) -> None:
    """Staff updates are accepted on save; a focal point's wait for review (again).

    Raises ValidationError when the status needs evidence the commitment lacks.
    """
    update.clean()
    with transaction.atomic():
        if update.author_id is None:
            update.author = by
        if permissions.is_network_staff(by):
            if update.review_state != ProgressUpdate.ReviewState.ACCEPTED:
                update.review_state = ProgressUpdate.ReviewState.ACCEPTED
                update.reviewer = by
                update.reviewed_at = timezone.now()
        else:
            update.review_state = ProgressUpdate.ReviewState.SUBMITTED
            update.reviewer = None
            update.reviewed_at = None
        update.save()
        update.commitment.refresh_status()
        if update.review_state == ProgressUpdate.ReviewState.SUBMITTED:
            notifications.update_submitted(update)


def review_updates(*, updates, by, accept: bool, comment: str = "") -> int:
    """Accept or return updates still waiting for review; returns how many."""
    count = 0
    with transaction.atomic():
        for update in updates.select_related("commitment", "author"):
            if update.review_state != ProgressUpdate.ReviewState.SUBMITTED:
                continue
            if accept:
                update.review_comment = comment
                update.accept(by=by)
            else:
                update.return_for_changes(by=by, comment=comment)
            notifications.update_reviewed(update)
            count += 1
    return count
