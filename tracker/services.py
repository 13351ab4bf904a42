"""Writes that span several records. Progress updates and their review: tracker.review;
roles: tracker.roles."""

from django.db import transaction

from tracker.models import Commitment


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
