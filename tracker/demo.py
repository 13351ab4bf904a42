"""Demo accounts and demonstration progress. Their passwords are published in the README."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from consultations.models import Recommendation
from tracker import review, roles, services
from tracker.models import (
    Commitment,
    Country,
    Deadline,
    Evidence,
    ProgressUpdate,
    Status,
)

# The GCM Champion Countries of the shipped consultation.
CHAMPION_COUNTRIES = ["KH", "ID", "NP", "PH", "TH"]

DEMO_ACCOUNTS = [
    {"username": "staff", "password": "staff-demo-2022", "first_name": "Demo staff"},
    {
        "username": "focal.kh",
        "password": "cambodia-demo-2022",
        "first_name": "Demo focal point, Cambodia",
        "country": "KH",
    },
    {
        "username": "focal.th",
        "password": "thailand-demo-2022",
        "first_name": "Demo focal point, Thailand",
        "country": "TH",
    },
]


@transaction.atomic
def create_demo_data() -> list[str]:
    lines = []
    countries = [
        Country.objects.update_or_create(code=code, defaults={"is_champion": True})[0]
        for code in CHAMPION_COUNTRIES
    ]
    created, _ = services.assign_recommendations(
        recommendations=Recommendation.objects.filter(is_current=True), countries=countries
    )
    lines.append(f"Champion countries: {', '.join(CHAMPION_COUNTRIES)}; {created} new commitments")

    User = get_user_model()
    users = {}
    for account in DEMO_ACCOUNTS:
        user, is_new = User.objects.get_or_create(
            username=account["username"],
            defaults={
                "email": f"{account['username']}@example.org",
                "first_name": account["first_name"],
                "is_staff": True,
            },
        )
        if is_new:
            user.set_password(account["password"])
            user.save()
        if "country" in account:
            roles.grant_focal_point(
                user, [Country.objects.get(code=account["country"])], role="Demo focal point"
            )
        else:
            roles.grant_network_staff(user)
        users[account["username"]] = user
        lines.append(f"Demo account {user.username!r}: {'created' if is_new else 'already there'}")

    if not ProgressUpdate.objects.filter(is_demo=True).exists():
        lines.append(_demo_progress(users))
    return lines


def _demo_progress(users) -> str:
    """A little made-up progress, marked as demonstration data, to show the review flow."""
    cambodia = Commitment.objects.filter(country__code="KH").select_related("recommendation")
    thailand = Commitment.objects.filter(country__code="TH").select_related("recommendation")
    first_kh, second_kh = cambodia[0], cambodia[1]
    first_th = thailand[0]
    now = timezone.now()
    today = timezone.localdate()

    Evidence.objects.create(
        commitment=first_kh,
        date=today - dt.timedelta(days=40),
        title="Demonstration: inter-ministerial circular on equal health requirements",
        note="Demonstration data, not a real document.",
        visibility=Evidence.Visibility.PUBLIC,
        added_by=users["focal.kh"],
        set_by_staff=False,
        is_demo=True,
    )
    for commitment, author, status, narrative, days_ago in [
        (
            first_kh,
            users["focal.kh"],
            Status.PARTIALLY_IMPLEMENTED,
            "Demonstration data: health requirements at land borders now apply to all "
            "categories of migrants; air arrivals follow next.",
            30,
        ),
        (
            second_kh,
            users["focal.kh"],
            Status.PLANNED,
            "Demonstration data: a costed plan to stop charging migrant workers for testing "
            "is before the inter-ministerial committee.",
            3,
        ),
        (
            first_th,
            users["focal.th"],
            Status.IN_PROGRESS,
            "Demonstration data: guidance on equal health requirements is being drafted.",
            10,
        ),
    ]:
        update = ProgressUpdate(
            commitment=commitment,
            author=author,
            status=status,
            narrative=narrative,
            is_demo=True,
            created_at=now - dt.timedelta(days=days_ago),
        )
        review.report(update, by=author)
    # The oldest Cambodian update has been reviewed and accepted by staff.
    for update in ProgressUpdate.objects.filter(commitment=first_kh):
        review.accept(update, by=users["staff"], seen_version=update.version)
    for commitment, author, days in [
        (first_kh, users["focal.kh"], 20),
        (second_kh, users["focal.kh"], -5),
        (first_th, users["focal.th"], 45),
    ]:
        Deadline.objects.create(
            commitment=commitment,
            description="Demonstration: report on implementation to the network",
            due_date=today + dt.timedelta(days=days),
            responsible="Ministry focal point",
            created_by=author,
            set_by_staff=False,
            is_demo=True,
        )
    return "Demonstration progress: 3 updates, 1 evidence note, 3 deadlines (marked as demo)"
