"""Granting and revoking the two roles (see tracker.permissions for what they allow).

Used by the `roles` management command and by People in the admin, so that a fresh
install names its network staff and focal points without the demo data. A user left with
no role loses the staff status that lets them into the admin.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from tracker import permissions
from tracker.models import Country, FocalPoint


def staff_group() -> Group:
    """The group that makes its active staff members network staff. It holds no Django
    permissions: what the role may do is decided in tracker.permissions."""
    return Group.objects.get_or_create(name=permissions.STAFF_GROUP)[0]


@transaction.atomic
def grant_network_staff(user) -> bool:
    """Returns whether anything changed."""
    changed = not user.groups.filter(name=permissions.STAFF_GROUP).exists()
    user.groups.add(staff_group())
    return _admit(user) or changed


@transaction.atomic
def revoke_network_staff(user) -> bool:
    changed = user.groups.filter(name=permissions.STAFF_GROUP).exists()
    user.groups.remove(staff_group())
    _forget(user)
    return changed


@transaction.atomic
def grant_focal_point(user, countries, *, role: str = "") -> list[Country]:
    """Name the user focal point of the countries; returns those that are new."""
    added = []
    for country in countries:
        membership, is_new = FocalPoint.objects.get_or_create(
            user=user, country=country, defaults={"role": role}
        )
        if not is_new and role and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        if is_new:
            added.append(country)
    _admit(user)
    return added


@transaction.atomic
def revoke_focal_point(user, countries=None) -> list[Country]:
    """Remove the user as focal point of the countries (of every country when None);
    returns those they were removed from."""
    memberships = FocalPoint.objects.filter(user=user).select_related("country")
    if countries is not None:
        memberships = memberships.filter(country__in=countries)
    removed = [membership.country for membership in memberships]
    for membership in memberships:
        membership.delete()  # one by one, for the history
    _forget(user)
    return removed


@transaction.atomic
def revoke_all(user) -> None:
    revoke_network_staff(user)
    revoke_focal_point(user)


def roles_of(user) -> list[str]:
    """The user's roles in words, for lists and the command's output."""
    roles = []
    if user.is_superuser:
        roles.append(_("superuser"))
    if user.groups.filter(name=permissions.STAFF_GROUP).exists():
        roles.append(_("network staff"))
    codes = sorted(FocalPoint.objects.filter(user=user).values_list("country__code", flat=True))
    if codes:
        roles.append(_("focal point for %(countries)s") % {"countries": ", ".join(codes)})
    return roles


def _admit(user) -> bool:
    """Both roles work in the admin, so they need staff status to sign in."""
    _clear_cached_role(user)
    if user.is_staff:
        return False
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return True


def _forget(user) -> None:
    """Without any role left, no admin access either (superusers keep theirs)."""
    _clear_cached_role(user)
    if user.is_staff and not permissions.holds_a_role(user):
        user.is_staff = False
        user.save(update_fields=["is_staff"])


def _clear_cached_role(user) -> None:
    for name in ("_is_network_staff", "_focal_country_ids"):
        user.__dict__.pop(name, None)
