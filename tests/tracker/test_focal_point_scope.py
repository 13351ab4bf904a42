"""A focal point of Cambodia cannot read, change, delete or create anything for Thailand.

Every route is tried: changelists, change URLs with Thailand's ids, add forms with
Thailand's commitment posted, inline formsets (of the commitment and of a progress
update), history views, bulk actions, file downloads. Each attempt is refused (403 or 404,
or the form's error) and changes nothing.

On their own country's records, a focal point reads commitments, evidence and deadlines,
and changes them only through a progress update: evidence and deadlines as rows of the
update, the lead agency and response as fields of it, published once it is accepted.
"""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tests.factories import make_deadline, make_evidence, make_update
from tests.forms import form_data
from tracker import review
from tracker.models import (
    Commitment,
    Deadline,
    DeadlineChange,
    Evidence,
    EvidenceChange,
    FocalPoint,
    ProgressUpdate,
)

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
        list(EvidenceChange.objects.values().order_by("pk")),
        list(DeadlineChange.objects.values().order_by("pk")),
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
    assert models == {"Commitment", "ProgressUpdate", "Evidence", "Deadline", "ApiToken"}


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
    update = make_update(world.kh_31, world.focal_kh)
    own = {
        "commitment": world.kh_31,
        "update": update,
        "evidence": make_evidence(world.kh_31, world.focal_kh, update=update),
        "deadline": make_deadline(
            world.kh_31, world.focal_kh, update=update, due_date=dt.date(2030, 1, 1)
        ),
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


def test_commitment_choices_offer_only_the_focal_points_countries(kh_client, world):
    response = kh_client.get(reverse("admin:tracker_progressupdate_add"))
    choices = response.context["adminform"].form.fields["commitment"].queryset
    assert set(choices) == {world.kh_31, world.kh_32}


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("evidence", {"date": "2024-01-01", "title": "x", "visibility": "public"}),
        ("deadline", {"description": "x", "due_date": "2030-01-01"}),
    ],
)
def test_focal_point_adds_no_evidence_or_deadline_outside_an_update(
    kh_client, world, model, fields
):
    before = snapshot()
    url = reverse(f"admin:tracker_{model}_add")
    assert kh_client.get(url).status_code == 403
    assert kh_client.get(url, {"commitment": world.kh_31.pk}).status_code == 403
    response = kh_client.post(url, {"commitment": world.kh_31.pk, "_save": "Save", **fields})
    assert response.status_code == 403
    assert snapshot() == before


def test_update_form_offers_only_their_own_evidence_and_deadlines_to_change(
    kh_client, world, thai_records
):
    """An update asks changes of the commitment's evidence and deadlines that focal points
    set, never of staff's or of another country's."""
    own_evidence = make_evidence(world.kh_31, world.focal_kh, visibility="internal")
    make_evidence(world.kh_31, world.staff, visibility="internal")
    make_evidence(world.kh_32, world.focal_kh, visibility="internal")
    own_deadline = make_deadline(world.kh_31, world.focal_kh, due_date=dt.date(2030, 1, 1))
    make_deadline(world.kh_31, world.staff, due_date=dt.date(2030, 1, 1))
    response = kh_client.get(
        reverse("admin:tracker_progressupdate_add"), {"commitment": world.kh_31.pk}
    )
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    evidence_choices = formsets["evidence_changes"].form.base_fields["evidence"].queryset
    deadline_choices = formsets["deadline_changes"].form.base_fields["deadline"].queryset
    assert list(evidence_choices) == [own_evidence]
    assert list(deadline_choices) == [own_deadline]


@pytest.mark.parametrize("who", ["focal_kh", "staff"])
def test_inline_rows_of_thailands_records_are_refused(client, world, thai_records, who):
    """Cambodia's commitment page posted with Thailand's evidence: a focal point may not
    change the commitment at all (403); staff, who may, are refused the foreign rows (404)."""
    refused = 403 if who == "focal_kh" else 404
    client.force_login(getattr(world, who))
    url = change_url(world.kh_31)
    page = client.get(url)
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
    assert client.post(url, data).status_code == refused
    # Nor can a new row be pointed at Thailand's commitment.
    data.update(
        {
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-id": "",
            "evidence-0-commitment": str(world.th_31.pk),
        }
    )
    assert client.post(url, data).status_code == refused
    # A row naming no record at all, where one of the page's own is expected.
    data.update({"evidence-INITIAL_FORMS": "1", "evidence-0-id": "x1"})
    data["evidence-0-commitment"] = str(world.kh_31.pk)
    assert client.post(url, data).status_code == refused
    assert snapshot() == before


@pytest.mark.parametrize(
    "rows",
    [
        {
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "1",
            "evidence-0-id": "{evidence}",
            "evidence-0-date": "2024-01-01",
            "evidence-0-title": "Taken over",
            "evidence-0-visibility": "public",
        },
        {
            "deadlines-TOTAL_FORMS": "1",
            "deadlines-INITIAL_FORMS": "1",
            "deadlines-0-id": "{deadline}",
            "deadlines-0-description": "Taken over",
            "deadlines-0-due_date": "2031-01-01",
        },
        {
            "evidence_changes-TOTAL_FORMS": "1",
            "evidence_changes-0-evidence": "{evidence}",
            "evidence_changes-0-visibility": "public",
        },
        {
            "deadline_changes-TOTAL_FORMS": "1",
            "deadline_changes-0-deadline": "{deadline}",
            "deadline_changes-0-is_done": "on",
        },
    ],
    ids=["evidence-row", "deadline-row", "evidence-change", "deadline-change"],
)
@pytest.mark.parametrize("page", ["add", "change"])
def test_update_rows_never_reach_thailands_records(kh_client, world, page, rows):
    thai_update = make_update(world.th_31, world.focal_th)
    thai = {
        "evidence": make_evidence(
            world.th_31, world.focal_th, update=thai_update, visibility="internal"
        ),
        "deadline": make_deadline(
            world.th_31, world.focal_th, update=thai_update, due_date=dt.date(2030, 1, 1)
        ),
    }
    if page == "add":
        url = reverse("admin:tracker_progressupdate_add") + f"?commitment={world.kh_31.pk}"
    else:
        url = change_url(make_update(world.kh_31, world.focal_kh))
    rows = {key: value.format(**{k: r.pk for k, r in thai.items()}) for key, value in rows.items()}
    data = form_data(
        kh_client.get(url).text,
        "progressupdate_form",
        status="in_progress",
        narrative="Our own progress.",
        _save="Save",
        **rows,
    )
    thailand_before = [
        list(model.objects.filter(commitment=world.th_31).values().order_by("pk"))
        for model in (ProgressUpdate, Evidence, Deadline)
    ]
    response = kh_client.post(url, data)
    assert response.status_code in (200, 302, *REFUSED)
    assert not EvidenceChange.objects.exists()
    assert not DeadlineChange.objects.exists()
    thailand_after = [
        list(model.objects.filter(commitment=world.th_31).values().order_by("pk"))
        for model in (ProgressUpdate, Evidence, Deadline)
    ]
    assert thailand_after == thailand_before


def test_focal_point_adds_evidence_and_deadlines_as_rows_of_their_update(kh_client, world):
    url = reverse("admin:tracker_progressupdate_add")
    page = kh_client.get(url, {"commitment": world.kh_31.pk})
    data = form_data(
        page.text,
        "progressupdate_form",
        status="in_progress",
        narrative="The circular is out; the decree is next.",
        _save="Save",
        **{
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-date": "2024-02-01",
            "evidence-0-title": "Circular 12/2024",
            "evidence-0-note": "Signed on 1 February.",
            "evidence-0-visibility": "public",
            # Not a field of the row: the update's commitment is used, whatever is posted.
            "evidence-0-commitment": str(world.th_31.pk),
            "deadlines-TOTAL_FORMS": "1",
            "deadlines-0-description": "Draft the decree",
            "deadlines-0-due_date": "2030-06-30",
        },
    )
    response = kh_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    update = ProgressUpdate.objects.get()
    evidence, deadline = world.kh_31.evidence.get(), world.kh_31.deadlines.get()
    assert (evidence.update, evidence.added_by, evidence.set_by_staff) == (
        update,
        world.focal_kh,
        False,
    )
    assert (deadline.update, deadline.created_by, deadline.set_by_staff) == (
        update,
        world.focal_kh,
        False,
    )
    assert not world.th_31.evidence.exists()
    # Nothing public until network staff accept the update.
    assert not Evidence.objects.public().exists()
    assert not Deadline.objects.public().exists()
    review.accept(update, by=world.staff, seen_version=update.version)
    assert list(Evidence.objects.public()) == [evidence]
    assert list(Deadline.objects.public()) == [deadline]


def test_focal_point_cannot_add_rows_on_the_commitment_page(kh_client, world):
    url = change_url(world.kh_31)
    page = kh_client.get(url)
    assert page.status_code == 200  # to read
    before = snapshot()
    data = form_data(page.text, "commitment_form", _save="Save")
    data.update(
        {
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-commitment": str(world.kh_31.pk),
            "evidence-0-date": "2024-02-01",
            "evidence-0-title": "Circular 12/2024",
            "evidence-0-visibility": "public",
            "deadlines-TOTAL_FORMS": "1",
            "deadlines-0-commitment": str(world.kh_31.pk),
            "deadlines-0-description": "Draft the decree",
            "deadlines-0-due_date": "2030-06-30",
        }
    )
    assert kh_client.post(url, data).status_code == 403
    assert snapshot() == before


def test_staff_add_evidence_and_deadlines_on_the_commitment_page(staff_client, world):
    url = change_url(world.kh_31)
    data = form_data(staff_client.get(url).text, "commitment_form", _save="Save")
    data.update(
        {
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-date": "2024-02-01",
            "evidence-0-title": "Circular 12/2024",
            "evidence-0-note": "Signed on 1 February.",
            "evidence-0-visibility": "public",
            "deadlines-TOTAL_FORMS": "1",
            "deadlines-0-description": "Draft the decree",
            "deadlines-0-due_date": "2030-06-30",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    evidence, deadline = world.kh_31.evidence.get(), world.kh_31.deadlines.get()
    assert (evidence.added_by, evidence.set_by_staff, evidence.update) == (world.staff, True, None)
    assert (deadline.created_by, deadline.set_by_staff) == (world.staff, True)
    # Published as saved.
    assert list(Evidence.objects.public()) == [evidence]
    assert list(Deadline.objects.public()) == [deadline]


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


def test_focal_point_cannot_change_a_commitment_directly(kh_client, world):
    url = change_url(world.kh_31)
    before = snapshot()
    data = form_data(
        kh_client.get(url).text,
        "commitment_form",
        lead_agency="Ministry of Labour",
        response="noted",
        recommendation=str(world.th_32.recommendation_id),
        country=str(world.thailand.pk),
        _save="Save",
    )
    assert kh_client.post(url, data).status_code == 403
    assert snapshot() == before


def test_focal_points_update_changes_the_lead_agency_but_never_the_recommendation_or_country(
    kh_client, world
):
    url = reverse("admin:tracker_progressupdate_add")
    page = kh_client.get(url, {"commitment": world.kh_31.pk})
    data = form_data(
        page.text,
        "progressupdate_form",
        status="in_progress",
        narrative="The Ministry of Labour leads now.",
        lead_agency="Ministry of Labour",
        response="supported",
        recommendation=str(world.th_32.recommendation_id),
        country=str(world.thailand.pk),
        _save="Save",
    )
    assert kh_client.post(url, data).status_code == 302
    update = ProgressUpdate.objects.get()
    world.kh_31.refresh_from_db()
    assert world.kh_31.lead_agency == ""  # not until it is accepted
    review.accept(update, by=world.staff, seen_version=update.version)
    world.kh_31.refresh_from_db()
    assert (world.kh_31.lead_agency, world.kh_31.response) == ("Ministry of Labour", "supported")
    assert world.kh_31.country == world.cambodia
    assert world.kh_31.recommendation.code == "BM22-R31"


def test_staff_cannot_move_a_commitment_to_another_recommendation_or_country(staff_client, world):
    url = change_url(world.kh_31)
    data = form_data(
        staff_client.get(url).text,
        "commitment_form",
        lead_agency="Ministry of Labour",
        recommendation=str(world.th_32.recommendation_id),
        country=str(world.thailand.pk),
        _save="Save",
    )
    assert staff_client.post(url, data).status_code == 302
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
