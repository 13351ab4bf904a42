"""`manage.py load_demo`: the shipped report, the Champion countries and the demo accounts."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from consultations.models import Consultation, Recommendation
from tracker.demo import CHAMPION_COUNTRIES, DEMO_ACCOUNTS
from tracker.models import Commitment, Country, Deadline, Evidence, FocalPoint, ProgressUpdate
from tracker.permissions import STAFF_GROUP

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORDS = {account["username"]: account["password"] for account in DEMO_ACCOUNTS}


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in [
            Consultation,
            Recommendation,
            Country,
            Commitment,
            User,
            FocalPoint,
            ProgressUpdate,
            Evidence,
            Deadline,
        ]
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def loaded(debug):
    load_demo()


# --- refusing in production ------------------------------------------------------------


def test_refuses_to_create_published_passwords_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production"):
        load_demo()
    assert not User.objects.filter(username__in=PASSWORDS).exists()
    assert Consultation.objects.count() == 0


def test_loads_with_debug_off_when_explicitly_allowed(settings):
    settings.DEBUG = False
    load_demo("--allow-production")
    assert User.objects.filter(username__in=PASSWORDS).count() == 3


# --- what it loads ---------------------------------------------------------------------


def test_imports_the_shipped_report(loaded):
    assert Consultation.objects.count() == 1
    assert Recommendation.objects.filter(is_current=True).count() == 14


def test_creates_the_five_champion_countries(loaded):
    countries = Country.objects.all()
    assert sorted(country.name for country in countries) == [
        "Cambodia",
        "Indonesia",
        "Nepal",
        "Philippines",
        "Thailand",
    ]
    assert all(country.is_champion for country in countries)
    assert sorted(CHAMPION_COUNTRIES) == sorted(str(country.code) for country in countries)


def test_each_champion_country_owns_every_recommendation(loaded):
    assert Commitment.objects.count() == 70
    recommendations = set(Recommendation.objects.values_list("pk", flat=True))
    for country in Country.objects.all():
        owned = set(country.commitments.values_list("recommendation", flat=True))
        assert owned == recommendations, country.name


def test_demo_staff_account_is_network_staff(loaded):
    staff = User.objects.get(username="staff")
    assert staff.is_staff
    assert staff.is_active
    assert staff.groups.filter(name=STAFF_GROUP).exists()
    assert not FocalPoint.objects.filter(user=staff).exists()


@pytest.mark.parametrize(("username", "country"), [("focal.kh", "KH"), ("focal.th", "TH")])
def test_demo_focal_points_belong_to_their_country_only(loaded, username, country):
    user = User.objects.get(username=username)
    assert user.is_staff
    assert not user.groups.exists()
    assert [str(code) for code in user.focal_countries.values_list("code", flat=True)] == [country]


@pytest.mark.parametrize("username", sorted(PASSWORDS))
def test_published_demo_passwords_work(loaded, client, username):
    assert client.login(username=username, password=PASSWORDS[username])


def test_demo_focal_point_sees_only_cambodias_commitments_in_the_admin(
    loaded, client, django_assert_max_num_queries
):
    client.login(username="focal.kh", password=PASSWORDS["focal.kh"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("admin:tracker_commitment_changelist"))
    assert response.status_code == 200
    assert "14 commitments" in response.text
    assert "Cambodia" in response.text
    assert "Thailand" not in response.text


def test_demo_staff_see_every_commitment_in_the_admin(
    loaded, client, django_assert_max_num_queries
):
    client.login(username="staff", password=PASSWORDS["staff"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("admin:tracker_commitment_changelist"))
    assert response.status_code == 200
    assert "70 commitments" in response.text


def test_demo_progress_is_marked_as_demonstration_data(loaded):
    assert ProgressUpdate.objects.exists()
    assert Evidence.objects.exists()
    assert Deadline.objects.exists()
    assert not ProgressUpdate.objects.filter(is_demo=False).exists()
    assert not Evidence.objects.filter(is_demo=False).exists()
    assert not Deadline.objects.filter(is_demo=False).exists()


def test_demo_progress_shows_both_reviewed_and_waiting_updates(loaded):
    states = set(ProgressUpdate.objects.values_list("review_state", flat=True))
    assert states == {ProgressUpdate.ReviewState.ACCEPTED, ProgressUpdate.ReviewState.SUBMITTED}
    accepted = ProgressUpdate.objects.get(review_state=ProgressUpdate.ReviewState.ACCEPTED)
    assert accepted.commitment.status == accepted.status
    assert accepted.reviewer.username == "staff"


# --- running it again ------------------------------------------------------------------


def test_running_it_again_creates_nothing_new(loaded):
    before = counts()
    output = load_demo()
    assert counts() == before
    assert "0 new commitments" in output
    assert "Demo account 'staff': already there" in output


def test_running_it_again_keeps_a_changed_password(loaded, client):
    staff = User.objects.get(username="staff")
    staff.set_password("a private passphrase for staff")
    staff.save()
    load_demo()
    assert client.login(username="staff", password="a private passphrase for staff")
    assert not client.login(username="staff", password=PASSWORDS["staff"])
