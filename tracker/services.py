"""Writes that span several records. Progress updates and their review: tracker.review;
roles: tracker.roles."""

from django.db import transaction

from tracker import permissions
from tracker.models import Commitment, Deadline, Evidence


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
        instance.save()
    for instance in formset.deleted_objects:
        instance.delete()
    formset.save_m2m()
