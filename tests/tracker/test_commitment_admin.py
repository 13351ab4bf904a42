"""Staff assign recommendations to countries; commitments are edited without lost updates."""

import datetime as dt
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from consultations.models import Recommendation
from tests.factories import make_country, make_deadline, make_update, make_user
from tests.forms import form_data
from tracker import review
from tracker.models import Commitment, ConcurrentEditError, Country

pytestmark = pytest.mark.django_db

RECOMMENDATIONS_URL = reverse("admin:consultations_recommendation_changelist")


def change_url(commitment) -> str:
    return reverse("admin:tracker_commitment_change", args=[commitment.pk])


# --- assigning ------------------------------------------------------------------------


def test_staff_assign_selected_recommendations_to_countries(staff_client, world):
    nepal = make_country("NP")
    make_country("PH", is_champion=False)
    selected = list(Recommendation.objects.filter(code__in=["BM22-R64", "BM22-R65"]))
    selection = {
        "action": "assign_to_countries",
        "index": "0",
        ACTION_CHECKBOX_NAME: [r.pk for r in selected],
    }
    page = staff_client.post(RECOMMENDATIONS_URL, selection)
    assert page.status_code == 200
    assert "Countries that will own the selected recommendations" in page.text
    # Champion countries come ticked.
    ticked = set(page.context["form"].initial["countries"])
    assert ticked == {world.cambodia, world.thailand, nepal}
    data = form_data(page.text, None, countries=[str(world.cambodia.pk), str(nepal.pk)])
    before = staff_client.get(reverse("tracker:progress_table"), {"country": "NP"})
    assert list(before.context["page"]) == []  # and now cached
    response = staff_client.post(RECOMMENDATIONS_URL, data)
    assert response.status_code == 302
    pairs = set(
        Commitment.objects.filter(recommendation__in=selected).values_list(
            "recommendation__code", "country__code"
        )
    )
    assert pairs == {
        ("BM22-R64", "KH"),
        ("BM22-R64", "NP"),
        ("BM22-R65", "KH"),
        ("BM22-R65", "NP"),
    }
    # Each has its history, by who assigned it, and shows at once on the public table.
    made = Commitment.objects.get(recommendation__code="BM22-R64", country__code="NP")
    assert [h.history_user for h in made.history.all()] == [world.staff]
    table = staff_client.get(reverse("tracker:progress_table"), {"country": "NP"})
    assert [c.recommendation.code for c in table.context["page"]] == ["BM22-R64", "BM22-R65"]
    # Assigning again creates nothing twice.
    staff_client.post(RECOMMENDATIONS_URL, data)
    assert Commitment.objects.filter(recommendation__in=selected).count() == 4


def test_focal_point_cannot_assign_recommendations(kh_client, world):
    before = Commitment.objects.count()
    response = kh_client.post(
        RECOMMENDATIONS_URL,
        {
            "action": "assign_to_countries",
            "index": "0",
            ACTION_CHECKBOX_NAME: [world.kh_31.recommendation_id],
            "countries": [world.cambodia.pk],
        },
    )
    assert response.status_code == 403
    assert Commitment.objects.count() == before


def test_recommendation_page_lists_the_countries_that_own_it(staff_client, world):
    url = reverse("admin:consultations_recommendation_change", args=[world.kh_31.recommendation_id])
    response = staff_client.get(url)
    assert "Cambodia" in response.text
    assert "Thailand" in response.text


# --- the commitment list --------------------------------------------------------------


def test_commitment_list_query_count_does_not_grow_with_rows(
    staff_client, world, django_assert_max_num_queries
):
    url = reverse("admin:tracker_commitment_changelist")
    with django_assert_max_num_queries(15):
        small = staff_client.get(url)
    for code in ["ID", "NP", "PH", "VN", "MY", "LA"]:
        country = make_country(code)
        for recommendation in Recommendation.objects.all():
            commitment = Commitment.objects.create(recommendation=recommendation, country=country)
            make_deadline(commitment, world.staff, due_date=dt.date(2030, 1, 1))
    make_update(world.kh_31, world.focal_kh)
    with django_assert_max_num_queries(15):
        large = staff_client.get(url)
    assert small.context["cl"].result_count == 4
    assert large.context["cl"].result_count == 4 + 6 * 14


def test_commitment_list_shows_waiting_updates_and_next_deadline(staff_client, world):
    make_update(world.kh_31, world.focal_kh)
    make_deadline(world.kh_31, world.staff, due_date=dt.date(2031, 5, 1))
    make_deadline(world.kh_31, world.staff, due_date=dt.date(2030, 5, 1))
    make_deadline(world.kh_31, world.staff, due_date=dt.date(2029, 5, 1), is_done=True)
    response = staff_client.get(reverse("admin:tracker_commitment_changelist"))
    row = next(c for c in response.context["cl"].result_list if c.pk == world.kh_31.pk)
    assert row.waiting == 1
    assert row.next_due == dt.date(2030, 5, 1)
    # Sorted by either column (the 8th and the 9th).
    changelist = reverse("admin:tracker_commitment_changelist")
    most_waiting = staff_client.get(changelist, {"o": "-8"}).context["cl"].result_list
    assert [c.waiting for c in most_waiting] == [1, 0, 0, 0]
    assert most_waiting[0] == world.kh_31
    by_deadline = staff_client.get(changelist, {"o": "9"}).context["cl"].result_list
    assert [c.next_due for c in by_deadline if c.next_due] == [dt.date(2030, 5, 1)]


def test_commitment_page_links_to_adding_an_update(kh_client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        response = kh_client.get(change_url(world.kh_31))
    assert f"/admin/tracker/progressupdate/add/?commitment={world.kh_31.pk}" in response.text
    assert "Health requirements/regulations should be applied equally" in response.text


# --- two people editing at once -------------------------------------------------------


def test_second_save_from_a_stale_form_gets_a_conflict_and_loses_nothing(client, world):
    other_staff = make_user("omar.staff", is_staff=True, is_superuser=True)
    url = change_url(world.kh_31)
    client.force_login(world.staff)
    first_form = form_data(client.get(url).text, "commitment_form")
    client.force_login(other_staff)
    second_form = form_data(client.get(url).text, "commitment_form")

    client.force_login(world.staff)
    first_form["lead_agency"] = "Ministry of Interior"
    assert client.post(url, first_form).status_code == 302

    client.force_login(other_staff)
    second_form["lead_agency"] = "Ministry of Labour"
    response = client.post(url, second_form)
    assert response.status_code == 200
    assert "Someone else saved this commitment after you opened it" in response.text
    assert 'value="Ministry of Labour"' in response.text  # their input is still there
    world.kh_31.refresh_from_db()
    assert world.kh_31.lead_agency == "Ministry of Interior"


def test_save_checked_refuses_a_stale_version(world):
    first = Commitment.objects.get(pk=world.kh_31.pk)
    second = Commitment.objects.get(pk=world.kh_31.pk)
    first.lead_agency = "A"
    first.save_checked(expected_version=first.version)
    second.lead_agency = "B"
    with pytest.raises(ConcurrentEditError):
        second.save_checked(expected_version=second.version)
    world.kh_31.refresh_from_db()
    assert world.kh_31.lead_agency == "A"
    assert world.kh_31.version == 2
    assert world.kh_31.history.first().lead_agency == "A"


def test_accepting_an_update_makes_an_open_form_stale(staff_client, world):
    url = change_url(world.kh_31)
    stale = form_data(
        staff_client.get(url).text, "commitment_form", lead_agency="Ministry", _save="Save"
    )
    make_update(world.kh_31, world.focal_kh, lead_agency="Ministry of Interior")
    assert world.kh_31.updates.get().review_state == "submitted"
    # Submitting changes nothing the form shows: it can still be saved...
    world.kh_31.refresh_from_db()
    assert world.kh_31.version == int(stale["expected_version"])
    # ...until the update is accepted, which changes the commitment.
    update = world.kh_31.updates.get()
    review.accept(update, by=world.staff, seen_version=update.version)
    before = Commitment.objects.filter(pk=world.kh_31.pk).values().get()
    response = staff_client.post(url, stale)
    assert response.status_code == 200
    assert "Someone else saved this commitment" in response.text
    assert Commitment.objects.filter(pk=world.kh_31.pk).values().get() == before
    world.kh_31.refresh_from_db()
    assert world.kh_31.lead_agency == "Ministry of Interior"
    assert world.kh_31.status == "in_progress"


def test_focal_point_reads_the_commitment_page_but_cannot_save_it(kh_client, world):
    url = change_url(world.kh_31)
    page = kh_client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    data = form_data(page.text, "commitment_form", lead_agency="Ministry", _save="Save")
    before = Commitment.objects.filter(pk=world.kh_31.pk).values().get()
    assert kh_client.post(url, data).status_code == 403
    assert Commitment.objects.filter(pk=world.kh_31.pk).values().get() == before


# --- countries and focal points -------------------------------------------------------


def test_staff_name_a_focal_point_who_then_can_log_in_to_the_admin(staff_client, world):
    official = make_user("sok.official")
    url = reverse("admin:tracker_country_change", args=[world.cambodia.pk])
    data = form_data(staff_client.get(url).text, "country_form")
    data.update(
        {
            "memberships-TOTAL_FORMS": str(int(data["memberships-TOTAL_FORMS"]) + 1),
            f"memberships-{data['memberships-TOTAL_FORMS']}-user": str(official.pk),
            f"memberships-{data['memberships-TOTAL_FORMS']}-role": "Alternate",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    official.refresh_from_db()
    assert official.is_staff
    assert set(official.focal_countries.all()) == {world.cambodia}


def test_country_list_shows_focal_points_with_bounded_queries(
    staff_client, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("admin:tracker_country_changelist"))
    assert "kim.cambodia" in response.text
    assert Country.objects.count() == len(response.context["cl"].result_list)


# --- choosing the commitment of an update, evidence or deadline ---------------------------
# (from a list of the user's own on the add form; the admin's search of commitments, which
# any form naming one may use, finds only those too)

AUTOCOMPLETE = reverse("admin:autocomplete")


def found(client, term: str, model: str = "progressupdate") -> list[str]:
    """The commitments the admin's search offers for `term` (to a form of `model`)."""
    query = {"app_label": "tracker", "model_name": model, "field_name": "commitment"}
    response = client.get(AUTOCOMPLETE, {**query, "term": term})
    assert response.status_code == 200
    return sorted(result["text"] for result in response.json()["results"])


@pytest.mark.parametrize("model", ["progressupdate", "evidence", "deadline"])
def test_the_commitment_is_searched_among_the_users_own(
    client, staff_client, world, model, django_assert_max_num_queries
):
    both = ["BM22-R31 · Cambodia", "BM22-R31 · Thailand"]
    with django_assert_max_num_queries(12):
        assert found(staff_client, "R31", model) == both
    client.force_login(world.focal_kh)
    assert found(client, "R31", model) == ["BM22-R31 · Cambodia"]
    assert found(client, "R3", model) == ["BM22-R31 · Cambodia", "BM22-R32 · Cambodia"]
    client.force_login(world.focal_th)
    assert found(client, "R31", model) == ["BM22-R31 · Thailand"]


def test_the_add_form_offers_the_users_own_commitments_and_marks_the_chosen_one(
    client, world, django_assert_max_num_queries
):
    url = reverse("admin:tracker_progressupdate_add")
    client.force_login(world.focal_kh)
    with django_assert_max_num_queries(20):
        page = client.get(url, {"commitment": world.kh_31.pk}).text
    assert f'<option value="{world.kh_31.pk}" selected>BM22-R31 · Cambodia</option>' in page
    assert f'<option value="{world.kh_32.pk}">BM22-R32 · Cambodia</option>' in page
    assert "· Thailand</option>" not in page
    # Another country's commitment in the URL is refused, as before.
    assert client.get(url, {"commitment": world.th_31.pk}).status_code == 403
    client.force_login(world.staff)
    both = client.get(url).text
    assert both.index("BM22-R31 · Cambodia") < both.index("BM22-R31 · Thailand")
    assert both.index("BM22-R31 · Thailand") < both.index("BM22-R32 · Cambodia")


def chosen_commitment(page: str) -> list[str]:
    select = re.search(r'<select name="commitment".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_the_kept_options_mark_each_forms_commitment_and_follow_new_commitments(client, world):
    """The options are written once and kept (tracker.admin.scoping.CommitmentSelect):
    each form still marks its own commitment, a commitment made since is offered at once,
    and each user keeps to their own."""
    url = reverse("admin:tracker_progressupdate_add")
    client.force_login(world.focal_kh)
    page = client.get(url, {"commitment": world.kh_31.pk}).text
    assert chosen_commitment(page) == [str(world.kh_31.pk)]
    page = client.get(url, {"commitment": world.kh_32.pk}).text
    assert chosen_commitment(page) == [str(world.kh_32.pk)]
    assert f'<option value="{world.kh_31.pk}">BM22-R31 · Cambodia</option>' in page
    assert chosen_commitment(client.get(url).text) == [""]  # none yet: "---------"
    added = Commitment.objects.create(
        recommendation=Recommendation.objects.get(code="BM22-R33"), country=world.cambodia
    )
    page = client.get(url, {"commitment": added.pk}).text
    assert f'<option value="{added.pk}" selected>BM22-R33 · Cambodia</option>' in page
    client.force_login(world.focal_th)
    page = client.get(url).text
    assert "BM22-R31 · Thailand</option>" in page
    assert "· Cambodia</option>" not in page
