"""Focal points submit progress updates; staff accept or return them; the public status follows."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import make_evidence, make_update
from tests.forms import form_data
from tracker.models import ProgressUpdate, Status

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:tracker_progressupdate_add")
QUEUE_URL = reverse("admin:tracker_progressupdate_changelist")


def submit(client, commitment, **fields):
    data = {
        "commitment": commitment.pk,
        "status": "in_progress",
        "narrative": "Drafted the inter-ministerial circular.",
        "challenges": "",
        "support_needed": "",
        **fields,
    }
    return client.post(ADD_URL, data)


def update_url(update) -> str:
    return reverse("admin:tracker_progressupdate_change", args=[update.pk])


def test_focal_point_submits_an_update_that_waits_for_review(
    kh_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(kh_client, world.kh_31)
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.author == world.focal_kh
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.NOT_STARTED  # nothing public until accepted
    assert [m.to for m in mailoutbox] == [[world.staff.email]]
    assert "Update to review" in mailoutbox[0].subject
    assert update_url(update) in mailoutbox[0].body


def test_add_form_is_prefilled_from_the_commitment_page(kh_client, world):
    response = kh_client.get(ADD_URL, {"commitment": world.kh_31.pk})
    assert response.context["adminform"].form.initial["commitment"] == str(world.kh_31.pk)


@pytest.mark.parametrize("status", ["implemented", "partially_implemented"])
def test_implemented_needs_dated_evidence_first(kh_client, world, status):
    response = submit(kh_client, world.kh_31, status=status)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["status"]
    assert "needs at least one dated evidence item" in errors[0]
    assert ProgressUpdate.objects.count() == 0

    make_evidence(world.kh_31, world.focal_kh)
    assert submit(kh_client, world.kh_31, status=status).status_code == 302
    assert ProgressUpdate.objects.get().status == status


def test_service_refuses_implemented_without_evidence(world):
    update = ProgressUpdate(commitment=world.kh_31, status="implemented", narrative="Done")
    from tracker import services

    with pytest.raises(ValidationError):
        services.save_progress_update(update=update, by=world.focal_kh)
    assert ProgressUpdate.objects.count() == 0


def test_staff_update_is_accepted_on_save(staff_client, world, mailoutbox):
    assert submit(staff_client, world.th_31, status="planned").status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.review_state == ProgressUpdate.ReviewState.ACCEPTED
    assert update.reviewer == world.staff
    world.th_31.refresh_from_db()
    assert world.th_31.status == Status.PLANNED
    assert world.th_31.latest_accepted_update == update
    assert mailoutbox == []


def test_review_queue_lists_submitted_updates(staff_client, world, django_assert_max_num_queries):
    for commitment, author in [(world.kh_31, world.focal_kh), (world.th_31, world.focal_th)]:
        make_update(commitment, author)
    make_update(world.kh_32, world.focal_kh, accepted_by=world.staff)
    with django_assert_max_num_queries(20):
        response = staff_client.get(QUEUE_URL, {"review_state__exact": "submitted"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2


def test_staff_accept_one_update_from_its_page(
    staff_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    update = make_update(world.kh_31, world.focal_kh, status="planned")
    url = update_url(update)
    page = staff_client.get(url)
    assert "Accept the selected updates" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, {"CHANGE_FORM-action": "accept_updates", ACTION_CHECKBOX_NAME: [update.pk]}
        )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.ACCEPTED
    assert update.reviewer == world.staff
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.PLANNED
    assert [m.to for m in mailoutbox] == [[world.focal_kh.email]]
    assert "Accepted" in mailoutbox[0].subject


def test_staff_accept_updates_in_bulk(staff_client, world):
    updates = [make_update(world.kh_31, world.focal_kh), make_update(world.th_31, world.focal_th)]
    response = staff_client.post(
        QUEUE_URL,
        {"action": "accept_updates", "index": "0", ACTION_CHECKBOX_NAME: [u.pk for u in updates]},
    )
    assert response.status_code == 302
    assert set(ProgressUpdate.objects.values_list("review_state", flat=True)) == {"accepted"}
    world.th_31.refresh_from_db()
    assert world.th_31.status == Status.IN_PROGRESS


def test_staff_return_updates_with_a_comment(
    staff_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    update = make_update(world.kh_31, world.focal_kh)
    selection = {"action": "return_updates", "index": "0", ACTION_CHECKBOX_NAME: [update.pk]}
    page = staff_client.post(QUEUE_URL, selection)
    assert page.status_code == 200
    assert "What should the focal point change?" in page.text
    data = form_data(page.text, None, comment="Please name the ministry and the circular.")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(QUEUE_URL, data)
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.RETURNED
    assert update.review_comment == "Please name the ministry and the circular."
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.NOT_STARTED
    assert mailoutbox[0].to == [world.focal_kh.email]
    assert "Please name the ministry" in mailoutbox[0].body


def test_returning_needs_a_comment(staff_client, world):
    update = make_update(world.kh_31, world.focal_kh)
    staff_client.post(
        QUEUE_URL,
        {
            "action": "return_updates",
            "index": "0",
            ACTION_CHECKBOX_NAME: [update.pk],
            "comment": "",
        },
    )
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED


def test_focal_point_edits_a_returned_update_and_it_waits_again(
    kh_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    update = make_update(world.kh_31, world.focal_kh)
    update.return_for_changes(by=world.staff, comment="More detail")
    url = update_url(update)
    data = form_data(kh_client.get(url).text, "progressupdate_form", narrative="Circular 12/2024.")
    with django_capture_on_commit_callbacks(execute=True):
        assert kh_client.post(url, data).status_code == 302
    update.refresh_from_db()
    assert update.narrative == "Circular 12/2024."
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    assert update.reviewer is None
    assert mailoutbox[0].to == [world.staff.email]


def test_accepted_update_is_read_only_for_its_focal_point(kh_client, world):
    update = make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    url = update_url(update)
    page = kh_client.get(url)
    assert page.status_code == 200
    assert 'name="narrative"' not in page.text
    response = kh_client.post(url, {"status": "implemented", "narrative": "Rewritten"})
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.narrative == "Work has begun."


def test_public_status_follows_the_latest_accepted_update(world):
    older = make_update(world.kh_31, world.focal_kh, status="planned")
    newer = make_update(world.kh_31, world.focal_kh, status="in_progress")
    newer.accept(by=world.staff)
    older.accept(by=world.staff)  # reviewed later, but written earlier
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.IN_PROGRESS
    assert world.kh_31.latest_accepted_update == newer


def test_history_records_who_changed_what(staff_client, world):
    update = make_update(world.kh_31, world.focal_kh, status="planned")
    update.accept(by=world.staff)
    history = list(update.history.order_by("history_date"))
    assert [h.review_state for h in history] == ["submitted", "accepted"]
    commitment_history = world.kh_31.history.order_by("history_date")
    assert [h.status for h in commitment_history][-1] == "planned"
    url = reverse("admin:tracker_commitment_history", args=[world.kh_31.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "Planned" in response.text or "planned" in response.text


def test_admin_edits_are_recorded_with_their_author(kh_client, world):
    url = reverse("admin:tracker_commitment_change", args=[world.kh_31.pk])
    data = form_data(kh_client.get(url).text, "commitment_form", lead_agency="Ministry of Interior")
    assert kh_client.post(url, data).status_code == 302
    latest = world.kh_31.history.first()
    assert latest.lead_agency == "Ministry of Interior"
    assert latest.history_user == world.focal_kh


def test_admin_home_shows_staff_how_many_updates_wait(
    staff_client, world, django_assert_max_num_queries
):
    make_update(world.kh_31, world.focal_kh)
    make_update(world.th_31, world.focal_th)
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("admin:index"))
    assert "2 progress updates wait for review" in response.text


def test_admin_home_shows_a_focal_point_their_own_waiting_and_returned_updates(kh_client, world):
    make_update(world.kh_31, world.focal_kh)
    make_update(world.kh_32, world.focal_kh).return_for_changes(by=world.staff, comment="More")
    make_update(world.th_31, world.focal_th)
    response = kh_client.get(reverse("admin:index"))
    assert "1 progress update waits for review" in response.text
    assert "1 of your updates was returned for changes" in response.text
