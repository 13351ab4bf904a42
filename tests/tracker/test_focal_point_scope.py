"""A focal point of Cambodia cannot read, change, delete or create anything for Thailand.

Every route is tried: changelists, change URLs with Thailand's ids, add forms with
Thailand's commitment posted, inline formsets, history views, bulk actions, file
downloads. Each attempt gives 403 or 404 and changes nothing.
"""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tests.factories import make_deadline, make_evidence, make_update
from tests.forms import form_data
from tracker.models import Commitment, Deadline, Evidence, FocalPoint, ProgressUpdate

pytestmark = pytest.mark.django_db

REFUSED = (403, 404)


def change_url(obj) -> str:
    return reverse(f"admin:tracker_{obj._meta.model_name}_change", args=[obj.pk])


def snapshot() -> tuple:
    """Everything the tracker holds, to show a refused request changed nothing."""
    return (
        list(Commitment.objects.values().order_by("pk")),
        list(ProgressUpdate.objects.values().order_by("pk")),
        list(Evidence.objects.values().order_by("pk")),
        list(Deadline.objects.values().order_by("pk")),
    )


@pytest.fixture
def thai_records(world):
    """Thailand's update, evidence and deadline on recommendation 31."""
    return {
        "update": make_update(world.th_31, world.focal_th),
        "evidence": make_evidence(world.th_31, world.focal_th, visibility="internal"),
        "deadline": make_deadline(world.th_31, world.focal_th, due_date=dt.date(2030, 1, 1)),
    }


# --- seeing ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["commitment", "progressupdate", "evidence", "deadline"])
def test_changelists_show_only_cambodias_records(
    kh_client, world, thai_records, django_assert_max_num_queries, model
):
    make_update(world.kh_31, world.focal_kh)
    make_evidence(world.kh_31, world.focal_kh)
    make_deadline(world.kh_31, world.focal_kh, due_date=dt.date(2030, 1, 1))
    with django_assert_max_num_queries(20):
        response = kh_client.get(reverse(f"admin:tracker_{model}_changelist"))
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert rows
    countries = {
        (row if isinstance(row, Commitment) else row.commitment).country.code for row in rows
    }
    assert countries == {"KH"}
    assert "Thailand" not in response.text


def test_admin_index_offers_a_focal_point_only_the_tracking_pages(kh_client):
    response = kh_client.get(reverse("admin:index"))
    assert response.status_code == 200
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert models == {"Commitment", "ProgressUpdate", "Evidence", "Deadline"}


@pytest.mark.parametrize("key", ["commitment", "update", "evidence", "deadline"])
def test_focal_point_cannot_open_thailands_records(kh_client, world, thai_records, key):
    obj = world.th_31 if key == "commitment" else thai_records[key]
    assert kh_client.get(change_url(obj)).status_code == 404


@pytest.mark.parametrize("key", ["commitment", "update", "evidence", "deadline"])
def test_focal_point_cannot_read_thailands_history(kh_client, world, thai_records, key):
    obj = world.th_31 if key == "commitment" else thai_records[key]
    history_url = change_url(obj).replace("/change/", "/history/")
    assert kh_client.get(history_url).status_code in REFUSED
    record = obj.history.first()
    version_url = f"{history_url}{record.history_id}/"
    assert kh_client.get(version_url).status_code in REFUSED


def test_focal_point_reads_their_own_commitments_history(kh_client, world):
    world.kh_31.lead_agency = "Ministry of Interior"
    world.kh_31.save()
    response = kh_client.get(change_url(world.kh_31).replace("/change/", "/history/"))
    assert response.status_code == 200
    assert "Ministry of Interior" in response.text


def test_focal_point_cannot_download_thailands_internal_evidence(kh_client, thai_records):
    url = reverse("tracker:evidence_file", args=[thai_records["evidence"].pk])
    assert kh_client.get(url).status_code == 404


def test_countries_and_focal_points_are_for_staff_only(kh_client, world):
    assert kh_client.get(reverse("admin:tracker_country_changelist")).status_code == 403
    assert kh_client.get(change_url(world.cambodia)).status_code in REFUSED


# --- changing -------------------------------------------------------------------------


def test_focal_point_cannot_change_thailands_commitment(kh_client, world):
    before = snapshot()
    response = kh_client.post(
        change_url(world.th_31), {"lead_agency": "Hijacked", "response": "noted"}
    )
    assert response.status_code in REFUSED
    assert snapshot() == before


@pytest.mark.parametrize("key", ["update", "evidence", "deadline"])
def test_focal_point_cannot_change_thailands_update_evidence_or_deadline(
    kh_client, thai_records, key
):
    before = snapshot()
    response = kh_client.post(
        change_url(thai_records[key]),
        {"narrative": "x", "title": "x", "description": "x", "status": "implemented"},
    )
    assert response.status_code in REFUSED
    assert snapshot() == before


@pytest.mark.parametrize("key", ["commitment", "update", "evidence", "deadline"])
def test_focal_point_cannot_delete_anything(kh_client, world, thai_records, key):
    make_update(world.kh_31, world.focal_kh)
    own = {
        "commitment": world.kh_31,
        "update": world.kh_31.updates.first(),
        "evidence": make_evidence(world.kh_31, world.focal_kh),
        "deadline": make_deadline(world.kh_31, world.focal_kh, due_date=dt.date(2030, 1, 1)),
    }[key]
    theirs = world.th_31 if key == "commitment" else thai_records[key]
    before = snapshot()
    for obj in (own, theirs):
        delete_url = change_url(obj).replace("/change/", "/delete/")
        assert kh_client.post(delete_url, {"post": "yes"}).status_code in REFUSED
    assert snapshot() == before


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("progressupdate", {"status": "in_progress", "narrative": "Done for Thailand"}),
        ("evidence", {"date": "2024-01-01", "title": "x", "visibility": "public"}),
        ("deadline", {"description": "x", "due_date": "2030-01-01"}),
    ],
)
def test_focal_point_cannot_add_records_to_thailands_commitment(kh_client, world, model, fields):
    before = snapshot()
    url = reverse(f"admin:tracker_{model}_add")
    assert kh_client.get(url, {"commitment": world.th_31.pk}).status_code == 403
    response = kh_client.post(url, {"commitment": world.th_31.pk, **fields})
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("model", ["progressupdate", "evidence", "deadline"])
def test_commitment_choices_offer_only_the_focal_points_countries(kh_client, world, model):
    response = kh_client.get(reverse(f"admin:tracker_{model}_add"))
    choices = response.context["adminform"].form.fields["commitment"].queryset
    assert set(choices) == {world.kh_31, world.kh_32}


def test_inline_rows_of_thailands_records_are_refused(kh_client, world, thai_records):
    url = change_url(world.kh_31)
    page = kh_client.get(url)
    before = snapshot()
    data = form_data(page.text, "commitment_form")
    data.update(
        {
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "1",
            "evidence-0-id": str(thai_records["evidence"].pk),
            "evidence-0-commitment": str(world.kh_31.pk),
            "evidence-0-date": "2024-01-01",
            "evidence-0-title": "Taken over",
            "evidence-0-visibility": "public",
        }
    )
    assert kh_client.post(url, data).status_code == 404
    # Nor can a new row be pointed at Thailand's commitment.
    data.update(
        {
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-id": "",
            "evidence-0-commitment": str(world.th_31.pk),
        }
    )
    assert kh_client.post(url, data).status_code == 404
    assert snapshot() == before


def test_inline_rows_add_evidence_and_deadlines_to_own_commitment(kh_client, world):
    url = change_url(world.kh_31)
    data = form_data(kh_client.get(url).text, "commitment_form")
    data.update(
        {
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-date": "2024-02-01",
            "evidence-0-title": "Circular 12/2024",
            "evidence-0-visibility": "public",
            "deadlines-TOTAL_FORMS": "1",
            "deadlines-0-description": "Draft the decree",
            "deadlines-0-due_date": "2030-06-30",
        }
    )
    response = kh_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    evidence = world.kh_31.evidence.get()
    assert evidence.added_by == world.focal_kh
    assert world.kh_31.deadlines.get().created_by == world.focal_kh


def test_bulk_actions_are_refused_to_focal_points(kh_client, world, thai_records):
    make_update(world.kh_31, world.focal_kh)
    before = snapshot()
    for model, action, pks in [
        ("progressupdate", "accept_updates", [thai_records["update"].pk]),
        (
            "progressupdate",
            "accept_updates",
            list(world.kh_31.updates.values_list("pk", flat=True)),
        ),
        ("commitment", "delete_selected", [world.th_31.pk]),
        ("commitment", "delete_selected", [world.kh_31.pk]),
    ]:
        response = kh_client.post(
            reverse(f"admin:tracker_{model}_changelist"),
            {"action": action, "index": "0", ACTION_CHECKBOX_NAME: pks, "post": "yes"},
        )
        assert response.status_code in REFUSED, (model, action)
    assert snapshot() == before


def test_focal_point_cannot_change_the_recommendation_or_country_of_a_commitment(kh_client, world):
    url = change_url(world.kh_31)
    data = form_data(
        kh_client.get(url).text,
        "commitment_form",
        lead_agency="Ministry of Labour",
        recommendation=str(world.th_32.recommendation_id),
        country=str(world.thailand.pk),
    )
    assert kh_client.post(url, data).status_code == 302
    world.kh_31.refresh_from_db()
    assert world.kh_31.lead_agency == "Ministry of Labour"
    assert world.kh_31.country == world.cambodia
    assert world.kh_31.recommendation.code == "BM22-R31"


def test_removing_a_focal_point_takes_effect_on_their_next_request(kh_client, world):
    url = change_url(world.kh_31)
    assert kh_client.get(url).status_code == 200
    FocalPoint.objects.filter(user=world.focal_kh).delete()
    assert kh_client.get(url).status_code in REFUSED
    assert kh_client.get(reverse("admin:tracker_commitment_changelist")).status_code == 403


def test_user_without_a_country_sees_no_tracking(client, outsider, world):
    client.force_login(outsider)
    assert client.get(reverse("admin:tracker_commitment_changelist")).status_code == 403
    assert client.get(change_url(world.kh_31)).status_code in REFUSED


def test_staff_see_every_country(staff_client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = staff_client.get(reverse("admin:tracker_commitment_changelist"))
    assert {c.country.code for c in response.context["cl"].result_list} == {"KH", "TH"}
