"""Focal points submit progress updates; staff accept or return them; the public status follows."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from tests.factories import make_evidence, make_update
from tests.forms import form_data
from tracker import review
from tracker.models import Evidence, ProgressUpdate, Status, proof_missing_message

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:tracker_progressupdate_add")
QUEUE_URL = reverse("admin:tracker_progressupdate_changelist")
FORM = "progressupdate_form"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def update_url(update) -> str:
    return reverse("admin:tracker_progressupdate_change", args=[update.pk])


def evidence_row(**fields) -> dict:
    """One new evidence row of the update's add form, as a browser posts it."""
    fields = {
        "date": "2024-02-01",
        "title": "Circular 12/2024",
        "note": "",
        "url": "",
        "visibility": "internal",
        **fields,
    }
    return {
        "evidence-TOTAL_FORMS": "1",
        **{f"evidence-0-{name}": value for name, value in fields.items()},
    }


def submit(client, commitment, *, button="_save", rows=None, **fields):
    """Fill in the add form opened from the commitment's page, and press `button`:
    `_save` submits it for review, `_draft` ("Save as a draft", posted as
    `_continue=draft`) keeps it a draft."""
    page = client.get(ADD_URL, {"commitment": commitment.pk})
    assert page.status_code == 200
    fields = {
        "status": "in_progress",
        "narrative": "Drafted the inter-ministerial circular.",
        **fields,
    }
    data = form_data(page.text, FORM, **fields)
    data.update(rows or {})
    data.update(pressed(button))
    return client.post(f"{ADD_URL}?commitment={commitment.pk}", data)


def pressed(button: str) -> dict:
    """What a browser posts for the button."""
    return {"_continue": "draft"} if button == "_draft" else {button: "Save"}


def accept_from_page(client, update):
    """Open the update's page, choose "Accept" and run it, with the version the page shows."""
    url = update_url(update)
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.text, FORM, **{"CHANGE_FORM-action": "accept_updates", "index": "0"})
    assert data[f"version-{update.pk}"] == str(update.version)
    assert data[ACTION_CHECKBOX_NAME] == str(update.pk)
    return client.post(url, data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


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
    assert "Waiting for review" in mailoutbox[0].subject
    assert reverse("tracker:review_update", args=[update.pk]) in mailoutbox[0].body


def test_focal_point_saves_a_draft_that_nobody_is_told_about(
    kh_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(kh_client, world.kh_31, button="_draft", status="implemented")
    assert response.status_code == 302  # a draft needs no evidence yet
    update = ProgressUpdate.objects.get()
    assert update.review_state == ProgressUpdate.ReviewState.DRAFT
    assert mailoutbox == []
    page = signed_in(world.staff).get(QUEUE_URL, {"review_state__exact": "submitted"})
    assert list(page.context["cl"].result_list) == []


def test_add_form_is_prefilled_from_the_commitment_page(kh_client, world):
    response = kh_client.get(ADD_URL, {"commitment": world.kh_31.pk})
    assert response.context["adminform"].form.initial["commitment"] == str(world.kh_31.pk)


@pytest.mark.parametrize("status", ["implemented", "partially_implemented"])
def test_implemented_needs_public_evidence_that_shows_something(kh_client, world, status):
    response = submit(kh_client, world.kh_31, status=status)
    assert response.status_code == 200
    assert proof_missing_message(status) in response.text
    # Internal evidence, or a public title with nothing behind it, is not proof either.
    for row in [
        evidence_row(visibility="internal", note="The circular, in short."),
        evidence_row(visibility="public"),
    ]:
        response = submit(kh_client, world.kh_31, status=status, rows=row)
        assert response.status_code == 200
        assert proof_missing_message(status) in response.text
    assert ProgressUpdate.objects.count() == 0
    assert Evidence.objects.count() == 0

    row = evidence_row(visibility="public", url="https://example.org/circular-12-2024.pdf")
    assert submit(kh_client, world.kh_31, status=status, rows=row).status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.status == status
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    assert update.evidence.get().title == "Circular 12/2024"


def test_public_evidence_already_on_the_commitment_is_enough(kh_client, world):
    make_evidence(world.kh_31, world.staff, visibility="public")
    assert submit(kh_client, world.kh_31, status="implemented").status_code == 302
    assert ProgressUpdate.objects.get().status == "implemented"


def test_reporting_refuses_implemented_without_evidence(world):
    update = ProgressUpdate(commitment=world.kh_31, status="implemented", narrative="Done")
    with pytest.raises(review.ReviewRefused, match="needs at least one public evidence item"):
        review.report(update, by=world.focal_kh)
    assert ProgressUpdate.objects.count() == 0


def test_staff_update_is_accepted_on_save(
    staff_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
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
    staff_client,
    world,
    mailoutbox,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    update = make_update(world.kh_31, world.focal_kh, status="planned")
    with django_assert_max_num_queries(16):
        page = staff_client.get(update_url(update))
    assert "Accept the selected updates" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = accept_from_page(staff_client, update)
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.ACCEPTED
    assert update.reviewer == world.staff
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.PLANNED
    assert [m.to for m in mailoutbox] == [[world.focal_kh.email]]
    assert "Accepted" in mailoutbox[0].subject


def test_staff_accept_updates_in_bulk(staff_client, world, django_assert_max_num_queries):
    updates = [make_update(world.kh_31, world.focal_kh), make_update(world.th_31, world.focal_th)]
    selection = {
        "action": "accept_updates",
        "index": "0",
        ACTION_CHECKBOX_NAME: [u.pk for u in updates],
    }
    with django_assert_max_num_queries(15):
        page = staff_client.post(QUEUE_URL, selection)
    # First a page that shows what would be published; nothing is accepted yet.
    assert page.status_code == 200
    assert "Accept these updates" in page.text
    assert set(ProgressUpdate.objects.values_list("review_state", flat=True)) == {"submitted"}
    data = form_data(page.text, None)
    assert {data[f"version-{u.pk}"] for u in updates} == {str(u.version) for u in updates}
    # Accepted together: the public pages' token replaced, and the figures counted, once.
    with django_assert_max_num_queries(75):
        response = staff_client.post(QUEUE_URL, data)
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
            f"version-{update.pk}": str(update.version),
            "comment": "",
        },
    )
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED


def test_focal_point_edits_a_returned_update_and_it_waits_again(
    kh_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    update = make_update(world.kh_31, world.focal_kh)
    review.return_for_changes(
        update, by=world.staff, comment="More detail", seen_version=update.version
    )
    url = update_url(update)
    page = kh_client.get(url)
    assert "More detail" in page.text  # the reviewer's comment, above the form
    data = form_data(page.text, FORM, narrative="Circular 12/2024.", _save="Save")
    with django_capture_on_commit_callbacks(execute=True):
        assert kh_client.post(url, data).status_code == 302
    update.refresh_from_db()
    assert update.narrative == "Circular 12/2024."
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    assert update.accepted_at is None
    assert [m.to for m in mailoutbox] == [[world.staff.email]]


def test_accepted_update_is_read_only_for_its_focal_point(kh_client, world):
    update = make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    url = update_url(update)
    page = kh_client.get(url)
    assert page.status_code == 200
    assert 'name="narrative"' not in page.text
    data = form_data(page.text, FORM, status="implemented", narrative="Rewritten", _save="Save")
    response = kh_client.post(url, data)
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.narrative == "Work has begun."
    assert update.status == "in_progress"


def test_public_status_follows_the_latest_accepted_update(world):
    older = make_update(world.kh_31, world.focal_kh, status="planned")
    newer = make_update(world.kh_31, world.focal_kh, status="in_progress")
    review.accept(newer, by=world.staff, seen_version=newer.version)
    review.accept(
        older, by=world.staff, seen_version=older.version
    )  # reviewed later, written earlier
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.IN_PROGRESS
    assert world.kh_31.latest_accepted_update == newer


def test_history_records_who_changed_what(world):
    focal, staff = signed_in(world.focal_kh), signed_in(world.staff)
    assert submit(focal, world.kh_31, status="planned").status_code == 302
    update = ProgressUpdate.objects.get()
    assert accept_from_page(staff, update).status_code == 302
    history = list(update.history.order_by("history_date", "history_id"))
    assert [(h.review_state, h.history_user) for h in history] == [
        ("draft", world.focal_kh),
        ("submitted", world.focal_kh),
        ("accepted", world.staff),
    ]
    latest = world.kh_31.history.order_by("-history_date", "-history_id").first()
    assert latest.status == "planned"
    assert latest.history_user == world.staff
    url = reverse("admin:tracker_commitment_history", args=[world.kh_31.pk])
    response = staff.get(url)
    assert response.status_code == 200
    # The newest row of the history table: who accepted it, and the status it set.
    table = response.text.split('id="change-history"', 1)[1].split("</table>", 1)[0]
    newest = " ".join(table.split("<tbody>", 1)[1].split("</tr>", 1)[0].split())
    assert "nina.staff" in newest
    assert "Status:</strong> not_started &nbsp;&rarr;&nbsp;&nbsp;planned" in newest


def test_admin_edits_are_recorded_with_their_author(staff_client, world):
    url = reverse("admin:tracker_commitment_change", args=[world.kh_31.pk])
    data = form_data(
        staff_client.get(url).text,
        "commitment_form",
        lead_agency="Ministry of Interior",
        _save="Save",
    )
    assert staff_client.post(url, data).status_code == 302
    latest = world.kh_31.history.first()
    assert latest.lead_agency == "Ministry of Interior"
    assert latest.history_user == world.staff


def test_focal_point_changes_the_commitment_only_through_an_update(kh_client, world):
    url = reverse("admin:tracker_commitment_change", args=[world.kh_31.pk])
    page = kh_client.get(url)
    assert page.status_code == 200
    assert 'name="lead_agency"' not in page.text  # view-only
    data = form_data(page.text, "commitment_form", lead_agency="Ministry of Interior", _save="Save")
    assert kh_client.post(url, data).status_code == 403
    world.kh_31.refresh_from_db()
    assert world.kh_31.lead_agency == ""
    assert world.kh_31.history.count() == 1

    assert submit(kh_client, world.kh_31, lead_agency="Ministry of Interior").status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.lead_agency == "Ministry of Interior"
    assert update.history.first().history_user == world.focal_kh
    world.kh_31.refresh_from_db()
    assert world.kh_31.lead_agency == ""  # until the update is accepted


def test_admin_home_shows_staff_how_many_updates_wait(
    staff_client, world, django_assert_max_num_queries
):
    make_update(world.kh_31, world.focal_kh)
    make_update(world.th_31, world.focal_th)
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("admin:index"))
    assert "2 progress updates wait for review" in response.text


def test_admin_home_shows_a_focal_point_their_own_waiting_and_returned_updates(
    kh_client, world, django_assert_max_num_queries
):
    make_update(world.kh_31, world.focal_kh)
    returned = make_update(world.kh_32, world.focal_kh)
    review.return_for_changes(
        returned, by=world.staff, comment="More", seen_version=returned.version
    )
    make_update(world.th_31, world.focal_th)
    with django_assert_max_num_queries(12):
        response = kh_client.get(reverse("admin:index"))
    assert "1 progress update waits for review" in response.text
    assert "1 of your updates was returned for changes" in response.text
