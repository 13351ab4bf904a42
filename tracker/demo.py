"""Demo accounts: their names and passwords are published in the README."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

STAFF_GROUP = "Network staff"
DEMO_STAFF = {"username": "staff", "password": "staff-demo-2022", "email": "staff@example.org"}


def network_staff_group() -> Group:
    """The group of network staff, holding every permission of the project's apps."""
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["consultations", "tracker"])
    )
    return group


def create_demo_accounts() -> list[str]:
    User = get_user_model()
    group = network_staff_group()
    user, created = User.objects.get_or_create(
        username=DEMO_STAFF["username"],
        defaults={"email": DEMO_STAFF["email"], "is_staff": True, "first_name": "Demo staff"},
    )
    if created:
        user.set_password(DEMO_STAFF["password"])
        user.save()
    user.groups.add(group)
    state = "created" if created else "already there"
    return [f"Demo staff account {user.username!r}: {state}"]
