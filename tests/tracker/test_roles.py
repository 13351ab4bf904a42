"""Roles on a fresh install: `manage.py roles`, Countries and People in the admin.

A fresh install has a superuser and nothing else: the `roles` command (or People in the
admin) names network staff and focal points. A role brings the staff status to sign in
to the admin; the last role taken away takes it too. Django's own permissions, on groups
or users, grant nothing: the roles decide (tracker.permissions.RoleBackend).
"""

from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from consultations.models import Recommendation
from tests.factories import (
    make_commitment,
    make_consultation,
    make_country,
    make_focal_point,
    make_staff,
    make_user,
)
from tests.forms import form_data
from tracker import roles
from tracker.models import Country, FocalPoint, ProgressUpdate
from tracker.permissions import STAFF_GROUP

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a long passphrase for sara"
PEOPLE_URL = reverse("admin:tracker_person_changelist")
PERSON_ADD_URL = reverse("admin:tracker_person_add")


def run_roles(*args: str) -> str:
    out = StringIO()
    call_command("roles", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def person_url(user, view: str = "change") -> str:
    return reverse(f"admin:tracker_person_{view}", args=[user.pk])


def country_url(country) -> str:
    return reverse("admin:tracker_country_change", args=[country.pk])


def accounts() -> list[dict]:
    """Every account with its roles, to show a refused request changed nothing."""
    return [
        {
            **account,
            "groups": sorted(User.objects.get(pk=account["id"]).groups.values_list("name")),
            "countries": sorted(
                FocalPoint.objects.filter(user=account["id"]).values_list("country__code", "role")
            ),
        }
        for account in User.objects.values().order_by("pk")
    ]


def refused(response) -> bool:
    """403, or the admin's sign-in page instead of the one asked for."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.fixture
def fresh(db):
    """A fresh install: a superuser, the shipped report, Cambodia and Thailand owning
    recommendation 31, and nobody with a role yet."""
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    make_consultation()
    r31 = Recommendation.objects.get(code="BM22-R31")
    kh, th = make_country("KH"), make_country("TH")
    return {
        "root": root,
        "kh": kh,
        "th": th,
        "kh_31": make_commitment(r31, kh),
        "th_31": make_commitment(r31, th),
    }


@pytest.fixture
def rita(fresh):
    run_roles("grant", "rita", "--network-staff", "--create", "--email", "rita@example.org")
    return User.objects.get(username="rita")


@pytest.fixture
def fred(fresh):
    run_roles("grant", "fred", "--focal-point", "KH", "--create")
    return User.objects.get(username="fred")


# --- a fresh install, from the command line to the public page --------------------------


def test_roles_named_by_command_report_review_publish_and_revoke(
    fresh, client, django_capture_on_commit_callbacks
):
    out = run_roles("grant", "rita", "--network-staff", "--create", "--email", "rita@example.org")
    assert "Created rita; set a password with: manage.py changepassword rita" in out
    assert "rita: network staff" in out
    out = run_roles("grant", "fred", "--focal-point", "KH", "--create")
    assert "fred: focal point for KH" in out
    rita, fred = User.objects.get(username="rita"), User.objects.get(username="fred")
    assert rita.email == "rita@example.org"
    assert rita.is_staff and fred.is_staff
    assert not rita.has_usable_password()  # set with changepassword
    assert Group.objects.get(name=STAFF_GROUP).permissions.count() == 0

    # Fred reports on Cambodia's commitment, from the add form his browser shows.
    kh_31 = fresh["kh_31"]
    fred_client = client_of(fred)
    add_url = reverse("admin:tracker_progressupdate_add") + f"?commitment={kh_31.pk}"
    page = fred_client.get(add_url)
    assert page.status_code == 200
    data = form_data(
        page.text,
        "progressupdate_form",
        status="in_progress",
        narrative="Border posts now apply one rule.",
        _save="Save",
    )
    assert data["commitment"] == str(kh_31.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = fred_client.post(add_url, data)
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.author == fred
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED

    public_url = reverse("tracker:recommendation_detail", args=["BM22-R31"])
    assert "Border posts now apply one rule." not in client.get(public_url).text

    # Rita accepts it from the update's page, with the version the page showed her.
    rita_client = client_of(rita)
    update_url = reverse("admin:tracker_progressupdate_change", args=[update.pk])
    page = rita_client.get(update_url)
    assert page.status_code == 200
    seen = form_data(page.text, "progressupdate_form")[f"version-{update.pk}"]
    assert seen == str(update.version)
    with django_capture_on_commit_callbacks(execute=True):
        response = rita_client.post(
            update_url,
            {
                "CHANGE_FORM-action": "accept_updates",
                ACTION_CHECKBOX_NAME: update.pk,
                f"version-{update.pk}": seen,
            },
        )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.ACCEPTED
    assert update.reviewer == rita
    kh_31.refresh_from_db()
    assert kh_31.status == "in_progress"
    assert "Border posts now apply one rule." in client.get(public_url).text

    # Fred's role is taken back: his next request finds no admin.
    commitment_url = reverse("admin:tracker_commitment_change", args=[kh_31.pk])
    assert fred_client.get(commitment_url).status_code == 200
    out = run_roles("revoke", "fred", "--focal-point", "KH")
    assert "fred: no role" in out
    assert refused(fred_client.get(commitment_url))
    fred.refresh_from_db()
    assert not fred.is_staff
    assert not FocalPoint.objects.filter(user=fred).exists()

    # Permissions granted the Django way (on the staff group, on him) give nothing back.
    every = Permission.objects.all()
    Group.objects.get(name=STAFF_GROUP).permissions.set(every)
    fred.user_permissions.set(every)
    fred = User.objects.get(pk=fred.pk)
    assert not fred.has_perm("tracker.view_commitment")
    assert fred.get_all_permissions() == set()
    assert refused(fred_client.get(commitment_url))
    # What he reported stays published.
    assert ProgressUpdate.objects.get().review_state == ProgressUpdate.ReviewState.ACCEPTED
    assert "Border posts now apply one rule." in client.get(public_url).text


def test_network_staff_may_what_their_role_allows_with_an_empty_group(rita):
    group = Group.objects.get(name=STAFF_GROUP)
    assert group.permissions.count() == 0
    assert rita.has_perm("tracker.change_commitment")
    assert rita.has_perm("tracker.delete_progressupdate")
    assert not rita.has_perm("auth.change_user")
    assert not rita.has_perm("auth.add_group")


def test_django_permissions_on_groups_and_users_grant_nothing(fresh, fred):
    """Staff status with permissions from a group and on the user, but no role: no access."""
    every = Permission.objects.all()
    editors = Group.objects.create(name="Editors")
    editors.permissions.set(every)
    otto = make_user("otto", is_staff=True)
    otto.groups.add(editors)
    otto.user_permissions.set(every)
    otto = User.objects.get(pk=otto.pk)
    assert otto.get_all_permissions() == set()
    assert not otto.has_perm("tracker.view_commitment")
    assert not otto.has_module_perms("tracker")
    otto_client = client_of(otto)
    for url in [
        reverse("admin:tracker_commitment_changelist"),
        reverse("admin:tracker_commitment_change", args=[fresh["kh_31"].pk]),
        reverse("admin:tracker_progressupdate_add"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_changelist"),
        PEOPLE_URL,
    ]:
        assert otto_client.get(url).status_code == 403, url
    index = otto_client.get(reverse("admin:index"))
    assert index.context["app_list"] == []

    # A focal point in that group may still only do what a focal point may.
    fred.groups.add(editors)
    fred.user_permissions.set(every)
    fred = User.objects.get(pk=fred.pk)
    assert fred.has_perm("tracker.add_progressupdate")
    assert not fred.has_perm("tracker.change_commitment")
    assert not fred.has_perm("tracker.delete_progressupdate")
    assert not fred.has_perm("auth.change_user")
    assert client_of(fred).get(PEOPLE_URL).status_code == 403


# --- the command's errors and list ------------------------------------------------------


def test_unknown_user_without_create_is_refused_in_plain_words(fresh):
    with pytest.raises(CommandError) as refusal:
        run_roles("grant", "nobody", "--network-staff")
    assert str(refusal.value) == "There is no user 'nobody'. Check the spelling, or add --create."
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        run_roles("revoke", "nobody", "--all")
    assert not User.objects.filter(username="nobody").exists()


def test_unknown_country_is_refused_and_nothing_is_created(fresh):
    with pytest.raises(CommandError) as refusal:
        run_roles("grant", "fred", "--focal-point", "KH", "zz", "--create")
    assert str(refusal.value).startswith("No country ZZ in the tracker;")
    assert "Tracking > Countries" in str(refusal.value)
    assert not User.objects.filter(username="fred").exists()
    assert not FocalPoint.objects.exists()


def test_country_codes_are_read_in_either_case(fresh):
    assert "fred: focal point for KH, TH" in run_roles(
        "grant", "fred", "--focal-point", "kh", "th", "--create"
    )


def test_grant_or_revoke_without_a_role_says_which_roles_there_are(fresh, rita):
    with pytest.raises(CommandError) as refusal:
        run_roles("grant", "newbie", "--create")
    assert str(refusal.value) == (
        "Say which role: --network-staff, or --focal-point ISO [ISO ...]."
    )
    assert not User.objects.filter(username="newbie").exists()
    with pytest.raises(CommandError, match=r"Say which role: .* or --all\."):
        run_roles("revoke", "rita")
    rita.refresh_from_db()
    assert rita.is_staff
    assert rita.groups.filter(name=STAFF_GROUP).exists()


def test_grant_of_a_held_role_changes_nothing_but_the_focal_point_title(fred):
    out = run_roles("grant", "fred", "--focal-point", "KH", "--role", "Lead focal point")
    assert "fred: focal point for KH" in out
    assert FocalPoint.objects.get(user=fred).role == "Lead focal point"
    assert FocalPoint.objects.count() == 1


def test_list_names_everyone_who_holds_a_role(fresh):
    assert run_roles("list") == "root: superuser\n"
    User.objects.filter(username="root").delete()
    assert run_roles("list") == "Nobody holds a role yet.\n"
    run_roles("grant", "rita", "--network-staff", "--create")
    run_roles("grant", "fred", "--focal-point", "TH", "KH", "--create")
    run_roles("grant", "bea", "--network-staff", "--focal-point", "TH", "--create")
    make_user("nora")  # no role: not listed
    assert run_roles("list") == (
        "bea: network staff, focal point for TH\n"
        "fred: focal point for KH, TH\n"
        "rita: network staff\n"
    )
    run_roles("revoke", "bea", "--all")
    assert "bea" not in run_roles("list")
    assert not User.objects.get(username="bea").is_staff


# --- staff status follows the roles -----------------------------------------------------


def test_focal_point_keeps_staff_status_until_the_last_country_goes(fresh):
    kh, th = fresh["kh"], fresh["th"]
    user = make_focal_point("fred", kh, th)
    assert user.is_staff
    assert roles.revoke_focal_point(user, [kh]) == [kh]
    user.refresh_from_db()
    assert user.is_staff
    assert list(user.focal_countries.all()) == [th]
    assert roles.revoke_focal_point(user, [th]) == [th]
    user.refresh_from_db()
    assert not user.is_staff


def test_network_staff_keep_staff_status_without_countries(fresh):
    user = make_staff("rita")
    roles.grant_focal_point(user, [fresh["kh"]])
    roles.revoke_focal_point(user)
    user.refresh_from_db()
    assert user.is_staff
    roles.grant_focal_point(user, [fresh["th"]])
    roles.revoke_network_staff(user)
    user.refresh_from_db()
    assert user.is_staff  # still a focal point
    roles.revoke_focal_point(user)
    user.refresh_from_db()
    assert not user.is_staff


def test_superuser_keeps_staff_status_without_a_role(fresh):
    root = fresh["root"]
    roles.grant_focal_point(root, [fresh["kh"]])
    roles.revoke_all(root)
    root.refresh_from_db()
    assert root.is_staff


def test_removing_a_focal_point_in_the_country_admin_takes_their_staff_status(fresh, rita, fred):
    rita_client, kh = client_of(rita), fresh["kh"]
    page = rita_client.get(country_url(kh))
    assert page.status_code == 200
    data = form_data(page.text, "country_form")
    assert data["memberships-0-user"] == str(fred.pk)
    data["memberships-0-DELETE"] = "on"
    response = rita_client.post(country_url(kh), data)
    assert response.status_code == 302
    fred.refresh_from_db()
    assert not FocalPoint.objects.filter(user=fred).exists()
    assert not fred.is_staff
    assert refused(client_of(fred).get(reverse("admin:index")))


def test_removing_one_of_two_countries_in_the_country_admin_keeps_staff_status(fresh, rita, fred):
    roles.grant_focal_point(fred, [fresh["th"]])
    rita_client, kh = client_of(rita), fresh["kh"]
    data = form_data(rita_client.get(country_url(kh)).text, "country_form")
    data["memberships-0-DELETE"] = "on"
    assert rita_client.post(country_url(kh), data).status_code == 302
    fred.refresh_from_db()
    assert fred.is_staff
    assert [str(c.code) for c in fred.focal_countries.all()] == ["TH"]


def test_adding_a_focal_point_in_the_country_admin_gives_staff_status(fresh, rita):
    nora = make_user("nora")
    rita_client, th = client_of(rita), fresh["th"]
    data = form_data(
        rita_client.get(country_url(th)).text,
        "country_form",
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-user": str(nora.pk),
            "memberships-0-role": "Alternate",
            "memberships-0-country": str(th.pk),
        },
    )
    assert rita_client.post(country_url(th), data).status_code == 302
    nora.refresh_from_db()
    assert nora.is_staff
    assert FocalPoint.objects.get(user=nora).role == "Alternate"
    assert client_of(nora).get(reverse("admin:index")).status_code == 200


def test_changing_the_user_of_a_focal_point_row_moves_the_staff_status(fresh, rita, fred):
    nora = make_user("nora")
    rita_client, kh = client_of(rita), fresh["kh"]
    data = form_data(
        rita_client.get(country_url(kh)).text, "country_form", **{"memberships-0-user": nora.pk}
    )
    assert rita_client.post(country_url(kh), data).status_code == 302
    assert FocalPoint.objects.get(country=kh).user == nora
    nora.refresh_from_db()
    fred.refresh_from_db()
    assert nora.is_staff
    assert not fred.is_staff


def test_focal_points_cannot_open_the_country_admin(fresh, fred):
    fred_client = client_of(fred)
    before = accounts()
    assert fred_client.get(country_url(fresh["kh"])).status_code == 403
    data = {
        "code": "KH",
        "is_champion": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": FocalPoint.objects.get(user=fred).pk,
        "memberships-0-country": fresh["kh"].pk,
        "memberships-0-user": fred.pk,
        "memberships-0-DELETE": "on",
    }
    assert fred_client.post(country_url(fresh["kh"]), data).status_code == 403
    assert accounts() == before


def test_unticking_countries_in_people_keeps_staff_status_until_the_last(fresh, rita, fred):
    roles.grant_focal_point(fred, [fresh["th"]])
    rita_client, url = client_of(rita), person_url(fred)
    page = rita_client.get(url)
    assert page.status_code == 200
    data = form_data(page.text, "person_form")
    assert sorted(data["focal_countries"]) == sorted([str(fresh["kh"].pk), str(fresh["th"].pk)])
    data["focal_countries"] = str(fresh["th"].pk)
    assert rita_client.post(url, data).status_code == 302
    fred.refresh_from_db()
    assert fred.is_staff
    assert [str(c.code) for c in fred.focal_countries.all()] == ["TH"]

    data = form_data(rita_client.get(url).text, "person_form", focal_countries=None)
    assert rita_client.post(url, data).status_code == 302
    fred.refresh_from_db()
    assert not fred.is_staff
    assert not FocalPoint.objects.filter(user=fred).exists()
    assert refused(client_of(fred).get(reverse("admin:index")))


def test_unticking_network_staff_in_people_keeps_a_focal_points_access(fresh, rita, fred):
    roles.grant_network_staff(fred)
    rita_client, url = client_of(rita), person_url(fred)
    data = form_data(rita_client.get(url).text, "person_form", is_network_staff=None)
    assert rita_client.post(url, data).status_code == 302
    fred = User.objects.get(pk=fred.pk)
    assert fred.is_staff
    assert not fred.groups.filter(name=STAFF_GROUP).exists()
    assert client_of(fred).get(PEOPLE_URL).status_code == 403


# --- People in the admin ----------------------------------------------------------------


def test_staff_add_a_person_with_roles_who_can_then_sign_in(fresh, rita):
    rita_client = client_of(rita)
    page = rita_client.get(PERSON_ADD_URL)
    assert page.status_code == 200
    blank = form_data(page.text, "person_form")
    for field in ["username", "password1", "password2", "focal_countries", "is_network_staff"]:
        assert f'name="{field}"' in page.text, field
    data = {
        **blank,
        "username": "sara",
        "first_name": "Sara",
        "email": "sara@example.org",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "focal_countries": [str(fresh["kh"].pk)],
    }
    response = rita_client.post(PERSON_ADD_URL, data)
    assert response.status_code == 302
    sara = User.objects.get(username="sara")
    assert sara.is_staff and not sara.is_superuser
    assert sara.check_password(NEW_PASSWORD)
    assert [str(c.code) for c in sara.focal_countries.all()] == ["KH"]
    assert not sara.groups.exists()

    browser = Client()
    assert browser.login(username="sara", password=NEW_PASSWORD)
    listing = browser.get(reverse("admin:tracker_commitment_changelist"))
    assert listing.status_code == 200
    assert {str(c.country.code) for c in listing.context["cl"].result_list} == {"KH"}
    assert browser.get(PEOPLE_URL).status_code == 403


def test_staff_add_network_staff_who_then_manage_people(fresh, rita):
    rita_client = client_of(rita)
    data = form_data(
        rita_client.get(PERSON_ADD_URL).text,
        "person_form",
        username="sam",
        usable_password="true",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
        is_network_staff="on",
    )
    assert rita_client.post(PERSON_ADD_URL, data).status_code == 302
    sam = User.objects.get(username="sam")
    assert sam.is_staff
    assert sam.groups.filter(name=STAFF_GROUP).exists()
    browser = Client()
    assert browser.login(username="sam", password=NEW_PASSWORD)
    assert browser.get(PEOPLE_URL).status_code == 200


def test_a_person_added_without_a_role_cannot_use_the_admin(fresh, rita):
    rita_client = client_of(rita)
    data = form_data(
        rita_client.get(PERSON_ADD_URL).text,
        "person_form",
        username="nora",
        usable_password="true",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
    )
    assert rita_client.post(PERSON_ADD_URL, data).status_code == 302
    nora = User.objects.get(username="nora")
    assert not nora.is_staff
    browser = Client()
    browser.post(reverse("admin:login"), {"username": "nora", "password": NEW_PASSWORD})
    assert refused(browser.get(reverse("admin:index")))


def test_staff_neither_see_nor_change_superusers(fresh, rita, fred):
    root = fresh["root"]
    rita_client = client_of(rita)
    listing = rita_client.get(PEOPLE_URL)
    assert listing.status_code == 200
    names = {person.username for person in listing.context["cl"].result_list}
    assert names == {"rita", "fred"}
    assert rita_client.get(PEOPLE_URL, {"q": "root"}).context["cl"].result_count == 0

    before = accounts()
    page = rita_client.get(person_url(root))
    assert page.status_code in (302, 404)
    assert "root@example.org" not in page.text
    response = rita_client.post(
        person_url(root),
        {
            "first_name": "Taken",
            "last_name": "Over",
            "email": "rita@example.org",
            "focal_countries": [str(fresh["kh"].pk)],
        },
    )
    assert response.status_code in (302, 404)
    assert accounts() == before

    # Superusers see everyone, themselves included.
    names = {p.username for p in client_of(root).get(PEOPLE_URL).context["cl"].result_list}
    assert names == {"root", "rita", "fred"}


def test_focal_points_are_refused_people(fresh, fred):
    fred_client = client_of(fred)
    before = accounts()
    for url in [PEOPLE_URL, PERSON_ADD_URL, person_url(fred)]:
        assert fred_client.get(url).status_code == 403, url
    response = fred_client.post(
        PERSON_ADD_URL,
        {
            "username": "mole",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "is_network_staff": "on",
        },
    )
    assert response.status_code == 403
    response = fred_client.post(
        person_url(fred), {"is_network_staff": "on", "is_active": "on", "focal_countries": []}
    )
    assert response.status_code == 403
    assert accounts() == before
    index = fred_client.get(reverse("admin:index"))
    models = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert "Person" not in models


@pytest.mark.parametrize("who", ["rita", "root"])
def test_nobody_deletes_accounts_in_people(fresh, rita, fred, who):
    client = client_of(rita if who == "rita" else fresh["root"])
    before = accounts()
    assert client.get(person_url(fred, "delete")).status_code == 403
    assert client.post(person_url(fred, "delete"), {"post": "yes"}).status_code == 403
    action_form = client.get(PEOPLE_URL).context["action_form"]
    if action_form is not None:
        actions = [name for name, _ in action_form.fields["action"].choices]
        assert "delete_selected" not in actions
    client.post(PEOPLE_URL, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [fred.pk]})
    assert accounts() == before
    page = client.get(person_url(fred))
    assert not page.context["has_delete_permission"]
    assert person_url(fred, "delete") not in page.text


def test_people_list_costs_the_same_however_many_people(fresh, rita, django_assert_max_num_queries):
    def people(prefix: str, count: int) -> None:
        for n in range(count):
            user = make_user(f"{prefix}{n}")
            if n % 3 == 0:
                roles.grant_network_staff(user)
            else:
                roles.grant_focal_point(user, [fresh["kh"], fresh["th"]][: n % 3])

    rita_client = client_of(rita)
    people("few", 3)
    with django_assert_max_num_queries(10) as few:
        assert rita_client.get(PEOPLE_URL).status_code == 200
    people("many", 30)
    with django_assert_max_num_queries(10) as many:
        response = rita_client.get(PEOPLE_URL)
    assert response.context["cl"].result_count == 34
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "focal point for KH, TH" in response.text
    assert "network staff" in response.text


def test_role_filter_of_people(fresh, rita, fred):
    nora = make_user("nora")
    rita_client = client_of(rita)

    def listed(role: str) -> set[str]:
        response = rita_client.get(PEOPLE_URL, {"role": role})
        return {p.username for p in response.context["cl"].result_list}

    assert listed("staff") == {"rita"}
    assert listed("focal") == {"fred"}
    assert listed("none") == {nora.username}


def test_deleting_a_country_takes_the_staff_status_of_its_only_focal_point(fresh, rita):
    nepal = make_country("NP")  # no commitments yet, so it may be deleted
    nima = make_focal_point("nima", nepal)
    url = reverse("admin:tracker_country_delete", args=[nepal.pk])
    assert client_of(rita).post(url, {"post": "yes"}).status_code == 302
    assert not Country.objects.filter(pk=nepal.pk).exists()
    assert not FocalPoint.objects.filter(user=nima).exists()
    nima.refresh_from_db()
    assert not nima.is_staff
