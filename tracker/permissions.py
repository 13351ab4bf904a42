"""Who may see and change what: the only module that knows the roles.

Two roles, granted and revoked by tracker.roles (the `roles` command, or People in the
admin):
- network staff: active staff users in the "Network staff" group, and superusers; they see
  and change everything, review progress updates and grant roles;
- focal points: users named for one or more countries; they see their countries' records
  and report progress on them, which the public sees once network staff accept it.

A user maps to a scope (`countries_of`): ALL, some country ids, or none (the public). The
QuerySets filter by that scope (`for_countries`); everything else asks the functions below.
Django's own model permissions (the admin of reports and reference lists, say) come from
here too, through RoleBackend: groups and per-user permissions grant nothing.

Membership is read once per request (cached on the request's user object), so a revoked
role takes effect on the next request.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q, QuerySet

from tracker.models import ALL

STAFF_GROUP = "Network staff"

__all__ = ["ALL", "STAFF_GROUP"]


# --- roles ------------------------------------------------------------------------------


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


def countries_of(user):
    """The user's scope: ALL for network staff, their countries for a focal point, none
    otherwise."""
    return ALL if is_network_staff(user) else focal_country_ids(user)


def has_tracker_access(user) -> bool:
    """May use the tracking part of the admin at all."""
    return is_network_staff(user) or is_focal_point(user)


def holds_a_role(user) -> bool:
    """Network staff (by the group, whatever the staff flag) or a focal point anywhere."""
    from tracker.models import FocalPoint

    return (
        user.is_superuser
        or user.groups.filter(name=STAFF_GROUP).exists()
        or FocalPoint.objects.filter(user=user).exists()
    )


def network_staff_users() -> QuerySet:
    """Everyone who reviews: for the emails about updates waiting."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(is_staff=True, groups__name=STAFF_GROUP))
    )


def focal_point_users(country_ids=None) -> QuerySet:
    """Active focal points (of the given countries): for deadline reminders."""
    users = get_user_model().objects.filter(
        is_active=True, is_staff=True, focal_memberships__isnull=False
    )
    if country_ids is not None:
        users = users.filter(focal_memberships__country__in=country_ids)
    return users.distinct()


# --- records ----------------------------------------------------------------------------


def country_id_of(obj) -> int | None:
    from tracker.models import Commitment, Country, FocalPoint

    if isinstance(obj, Country):
        return obj.pk
    if isinstance(obj, Commitment | FocalPoint):
        return obj.country_id
    return obj.commitment.country_id


def can_view(user, obj) -> bool:
    return is_network_staff(user) or country_id_of(obj) in focal_country_ids(user)


def can_report_on(user, commitment) -> bool:
    """Write progress updates (and bulk-update rows) for this commitment."""
    return can_view(user, commitment)


def can_change(user, obj) -> bool:
    """Edit the record in place. What staff change is published at once; focal points
    change only their own updates before they are accepted, and what those updates add.
    """
    from tracker.models import Deadline, Evidence, ProgressUpdate

    if isinstance(obj, ProgressUpdate):
        return can_edit_update(user, obj)
    # Added with an update that is not accepted: changed only on the update's own page, by
    # its author, which gives the update a new version (a reviewer who read the old one
    # cannot accept it).
    pending = (
        isinstance(obj, Evidence | Deadline)
        and obj.update_id is not None
        and not obj.update.is_public
    )
    return not pending and is_network_staff(user)


def can_take_over(user, update) -> bool:
    """A focal point carries on a draft or returned update of their country that its
    author left behind: the author is no longer a focal point for that country."""
    State = update.ReviewState
    return (
        update.pk is not None
        and update.author_id != user.pk
        and update.review_state in (State.DRAFT, State.RETURNED)
        and not is_network_staff(user)
        and country_id_of(update) in focal_country_ids(user)
        and country_id_of(update) not in focal_country_ids(update.author)
    )


def can_edit_update(user, update) -> bool:
    """Its author, while it is a draft, waits for review or came back; staff's own updates
    (which are published on save) stay theirs to correct. Staff do not edit a focal
    point's update: they accept it or return it with a comment. A focal point may take
    over one their predecessor left (can_take_over)."""
    State = update.ReviewState
    if not update.pk:
        return can_report_on(user, update.commitment)
    if can_take_over(user, update):
        return True
    if update.author_id != user.pk or not can_view(user, update):
        return False
    if is_network_staff(user):
        return update.review_state != State.WITHDRAWN
    return update.review_state in (State.DRAFT, State.SUBMITTED, State.RETURNED)


def can_submit(user, update) -> bool:
    return (
        update.author_id == user.pk
        and update.review_state in (update.ReviewState.DRAFT, update.ReviewState.RETURNED)
        and can_view(user, update)
    )


def can_review(user, update=None) -> bool:
    """Accept or return; someone else's update, waiting for review."""
    if not is_network_staff(user):
        return False
    return update is None or update.review_state == update.ReviewState.SUBMITTED


def can_translate(user, update) -> bool:
    """Network staff may give an English version of an update written in another language,
    while it waits for review or once it is public; the author's text stays as written."""
    State = update.ReviewState
    return (
        is_network_staff(user)
        and update.language != "en"
        and update.review_state in (State.SUBMITTED, State.ACCEPTED)
    )


def can_withdraw(user, update) -> bool:
    """The author, before review; network staff, once it is accepted (with a reason)."""
    State = update.ReviewState
    if update.review_state == State.ACCEPTED:
        return is_network_staff(user)
    return (
        update.review_state in (State.DRAFT, State.SUBMITTED, State.RETURNED)
        and update.author_id == user.pk
        and can_view(user, update)
    )


def can_delete(user, obj) -> bool:
    """Network staff delete records; never an update the public has seen."""
    from tracker.models import ProgressUpdate

    if isinstance(obj, ProgressUpdate) and obj.is_on_record:
        return False
    return is_network_staff(user)


def can_manage(user) -> bool:
    """Assign recommendations, manage countries, grant roles, import reports."""
    return is_network_staff(user)


def changeable_evidence(user, commitment) -> QuerySet:
    """Evidence of the commitment whose visibility the user's update may change."""
    evidence = commitment.evidence.all()
    return evidence if is_network_staff(user) else evidence.changeable_by_focal_points()


def changeable_deadlines(user, commitment) -> QuerySet:
    """Open deadlines of the commitment that the user's update may move or close."""
    deadlines = commitment.deadlines.public().open()
    return deadlines if is_network_staff(user) else deadlines.changeable_by_focal_points()


# --- API tokens -------------------------------------------------------------------------


def can_hold_api_token(user) -> bool:
    """A focal point may have personal API tokens for their national system: what they
    submit waits for review. Network staff publish what they write, so they get none."""
    return is_focal_point(user) and not is_network_staff(user)


def api_tokens_seen_by(user) -> QuerySet:
    """Network staff see (and may revoke) every token; a focal point their own."""
    from tracker.models import ApiToken

    if is_network_staff(user):
        return ApiToken.objects.all()
    if can_hold_api_token(user):
        return ApiToken.objects.filter(user=user)
    return ApiToken.objects.none()


# --- Django's model permissions ---------------------------------------------------------

FOCAL_POINT_PERMISSIONS = frozenset(
    {
        "tracker.view_commitment",
        "tracker.view_progressupdate",
        "tracker.add_progressupdate",
        "tracker.change_progressupdate",
        "tracker.view_evidence",
        "tracker.view_deadline",
        "tracker.view_apitoken",
        "tracker.add_apitoken",
        "tracker.change_apitoken",
    }
)


def model_permissions(user) -> set[str]:
    """The "app.codename" permissions a user holds, by role."""
    if is_network_staff(user):
        names = {"auth.view_user"}
        for label in ("consultations", "tracker"):
            for model in apps.get_app_config(label).get_models():
                opts = model._meta
                names.update(
                    f"{label}.{action}_{opts.model_name}" for action in opts.default_permissions
                )
                names.update(f"{label}.{codename}" for codename, _ in opts.permissions)
        return names
    if is_focal_point(user):
        return set(FOCAL_POINT_PERMISSIONS)
    return set()


class RoleBackend(ModelBackend):
    """Django's sign-in, with permissions from the roles above. Groups and per-user
    permissions set in the admin grant nothing, so there is one permission model."""

    def get_user_permissions(self, user_obj, obj=None):
        if user_obj.is_superuser:
            return super().get_user_permissions(user_obj, obj)
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return model_permissions(user_obj)

    def get_group_permissions(self, user_obj, obj=None):
        return set()
