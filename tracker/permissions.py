"""Who may see and change what. Every route (admin, import, views, exports) asks here.

Two roles:
- network staff: active staff users in the "Network staff" group (or superusers); they
  see and change everything and review progress updates;
- focal points: users named for one or more countries; they see and update their own
  countries' commitments and nothing else.

Membership is read once per request (cached on the request's user object), so removing
someone from a country takes effect on their next request.
"""

from django.db.models import QuerySet

STAFF_GROUP = "Network staff"


def is_network_staff(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    if not hasattr(user, "_is_network_staff"):
        user._is_network_staff = user.groups.filter(name=STAFF_GROUP).exists()
    return user._is_network_staff


def focal_country_ids(user) -> frozenset[int]:
    """The countries a user is a focal point for."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return frozenset()
    if not hasattr(user, "_focal_country_ids"):
        from tracker.models import FocalPoint

        user._focal_country_ids = frozenset(
            FocalPoint.objects.filter(user=user).values_list("country_id", flat=True)
        )
    return user._focal_country_ids


def is_focal_point(user) -> bool:
    return bool(focal_country_ids(user))


def has_tracker_access(user) -> bool:
    """May use the tracking part of the admin at all."""
    return is_network_staff(user) or is_focal_point(user)


def scope(queryset: QuerySet, user, country_path: str) -> QuerySet:
    """The part of `queryset` the user may see; `country_path` leads to the Country."""
    if is_network_staff(user):
        return queryset
    countries = focal_country_ids(user)
    if not countries:
        return queryset.none()
    lookup = f"{country_path}__in" if country_path else "pk__in"
    return queryset.filter(**{lookup: countries})


def country_id_of(obj) -> int | None:
    from tracker.models import Commitment, Country, FocalPoint

    if isinstance(obj, Country):
        return obj.pk
    if isinstance(obj, Commitment | FocalPoint):
        return obj.country_id
    return obj.commitment.country_id


def can_view(user, obj) -> bool:
    return is_network_staff(user) or country_id_of(obj) in focal_country_ids(user)


def can_change(user, obj) -> bool:
    """Staff change anything; focal points their countries' records, but not reviewed updates."""
    from tracker.models import Country, FocalPoint, ProgressUpdate

    if is_network_staff(user):
        return True
    if isinstance(obj, Country | FocalPoint):
        return False
    if isinstance(obj, ProgressUpdate) and obj.review_state == ProgressUpdate.ReviewState.ACCEPTED:
        return False
    return can_view(user, obj)


def can_review(user) -> bool:
    return is_network_staff(user)


def can_manage(user) -> bool:
    """Assign recommendations, manage countries and focal points, delete records."""
    return is_network_staff(user)
