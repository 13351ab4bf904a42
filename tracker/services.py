"""Writes that span several records. Progress updates and their review: tracker.review;
roles: tracker.roles."""

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tracker import page_cache, permissions
from tracker.models import Commitment, Deadline, Evidence


def assign_recommendations(*, recommendations, countries, by=None) -> tuple[int, int]:
    """One commitment per recommendation and country; returns (created, already there).
    The new ones are written in one go, with their history (by `by`)."""
    recommendations, countries = list(recommendations), list(countries)
    with transaction.atomic(), page_cache.bulk_changes():
        there = set(
            Commitment.objects.filter(
                recommendation__in=recommendations, country__in=countries
            ).values_list("recommendation_id", "country_id")
        )
        now = timezone.now()
        new = [
            Commitment(recommendation=recommendation, country=country, public_changed_at=now)
            for recommendation in recommendations
            for country in countries
            if (recommendation.pk, country.pk) not in there
        ]
        bulk_create_with_history(new, Commitment, default_user=by, default_date=now)
    return len(new), len(there)


def stamp_author(item: Evidence | Deadline, user) -> None:
    """A new evidence item or deadline: who added it, and whether network staff did
    (focal points cannot change or remove staff's)."""
    if isinstance(item, Evidence):
        item.added_by = user
    else:
        item.created_by = user
    item.set_by_staff = permissions.is_network_staff(user)


def save_items(formset, *, by, update=None) -> None:
    """Evidence and deadlines from a formset (the admin's inlines, the report form): who
    added them (stamp_author) and, inside an update, the update's commitment."""
    for instance in formset.save(commit=False):
        if isinstance(instance, Evidence | Deadline) and instance.pk is None:
            stamp_author(instance, by)
        if update is not None and hasattr(instance, "commitment_id"):
            instance.commitment_id = update.commitment_id
        if update is not None and isinstance(instance, Evidence) and instance.pk is None:
            instance.language = update.language  # written with the update, in its language
        instance.save()
    for instance in formset.deleted_objects:
        instance.delete()
    formset.save_m2m()
