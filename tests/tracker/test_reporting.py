"""The reporting area: a focal point's commitments, one form to report progress with its
evidence and deadlines, what happens next; and network staff's review page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import make_deadline, make_evidence, make_update
from tests.forms import form_data
from tracker import review
from tracker.models import Deadline, DeadlineChange, Evidence, ProgressUpdate, Status

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LANDING = reverse("tracker:my_commitments")


def report_url(commitment) -> str:
    return reverse("tracker:report_progress", args=[commitment.pk])


def report(client, commitment, *, send="review", files=None, **changes):
    """Open the report form and post it as a browser would, with `changes`."""
    page = client.get(report_url(commitment))
    assert page.status_code == 200
    data = form_data(page.text, "report-form", **changes)
    data["send"] = send
    return client.post(report_url(commitment), {**data, **(files or {})})


IMPLEMENTED_WITH_FILE = {
    "status": "implemented",
    "narrative": "The decree was signed.",
    "evidence-0-title": "Decree 12",
    "evidence-0-visibility": "public",
}


def a_pdf(name="decree.pdf"):
    return {"evidence-0-file": SimpleUploadedFile(name, PDF, content_type="application/pdf")}


# --- the landing page ---------------------------------------------------------------------


def test_focal_point_sees_their_commitments_needing_action_first(
    kh_client, world, django_assert_max_num_queries
):
    returned = make_update(world.kh_32, world.focal_kh)
    review.return_for_changes(
        returned, by=world.staff, comment="Add figures.", seen_version=returned.version
    )
    with django_assert_max_num_queries(8):
        page = kh_client.get(LANDING)
    assert page.status_code == 200
    codes = [(c.recommendation.code, c.country.code.code) for c in page.context["page"]]
    assert codes == [("BM22-R32", "KH"), ("BM22-R31", "KH")]
    assert "Returned to you" in page.text
    assert "Thailand" not in page.text


def test_landing_page_queries_do_not_grow_with_commitments(
    kh_client, world, django_assert_max_num_queries
):
    from consultations.models import Recommendation
    from tests.factories import make_commitment

    for recommendation in Recommendation.objects.exclude(code__in=["BM22-R31", "BM22-R32"]):
        make_commitment(recommendation, world.cambodia)
    with django_assert_max_num_queries(8):
        page = kh_client.get(LANDING)
    assert len(page.context["page"].object_list) == 14


def test_sign_in_leads_a_focal_point_to_their_commitments(kh_client):
    response = kh_client.get(reverse("tracker:start"))
    assert response.status_code == 302
    assert response["Location"] == LANDING


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    for url in (LANDING, report_url(world.kh_31), reverse("tracker:review_queue")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login")), url


# --- reporting ----------------------------------------------------------------------------


def test_report_implemented_with_a_public_file_in_one_step(kh_client, world, mailoutbox):
    response = report(kh_client, world.kh_31, files=a_pdf(), **IMPLEMENTED_WITH_FILE)
    update = ProgressUpdate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:report_sent", args=[update.pk])
    assert update.review_state == "submitted"
    assert update.author == world.focal_kh
    evidence = update.evidence.get()
    assert (evidence.title, evidence.visibility, evidence.commitment) == (
        "Decree 12",
        "public",
        world.kh_31,
    )
    assert evidence.file.read() == PDF
    assert not evidence.set_by_staff
    sent = kh_client.get(response["Location"])
    assert "Submitted for review" in sent.text
    assert "kim.cambodia@example.org" in sent.text
    assert report_url(world.kh_31) in sent.text
    # Nothing public yet.
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.NOT_STARTED


def test_the_form_says_what_the_evidence_rule_is_before_submit(kh_client, world):
    page = kh_client.get(report_url(world.kh_31))
    assert "need at least one public evidence item with a note, a link or a file" in page.text
    assert "Public: anyone can read it on the tracker once network staff accept" in page.text
    # Visibility is chosen, never assumed.
    assert 'value="public" checked' not in page.text
    assert 'value="internal" checked' not in page.text


def test_implemented_without_public_evidence_is_refused_keeping_what_was_typed(kh_client, world):
    response = report(
        kh_client,
        world.kh_31,
        status="implemented",
        narrative="Typed with care.",
        **{
            "evidence-0-title": "Memo",
            "evidence-0-note": "In short.",
            "evidence-0-visibility": "internal",
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "needs at least one public evidence item" in response.text
    assert "Typed with care." in response.text
    assert 'value="Memo"' in response.text
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()


def test_implemented_with_public_evidence_already_on_the_commitment_is_accepted(kh_client, world):
    make_evidence(world.kh_31, world.staff, visibility="public")
    response = report(kh_client, world.kh_31, status="implemented", narrative="Done.")
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().review_state == "submitted"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"narrative": ""}, "id_narrative", "Say what was done."),
        ({"status": None}, "id_status_0", "Choose where it stands now."),
        (
            {"evidence-0-title": "Only a title", "evidence-0-visibility": "public"},
            "",
            "a title and a date alone are not evidence",
        ),
        (
            {"evidence-0-title": "Link", "evidence-0-url": "javascript:alert(1)"},
            "id_evidence-0-url",
            "starts with http:// or https://",
        ),
        (
            {"evidence-0-title": "Later", "evidence-0-note": "x", "evidence-0-date": "2999-01-01"},
            "id_evidence-0-date",
            "cannot be in the future",
        ),
        (
            {"evidence-0-title": "Memo", "evidence-0-note": "x"},
            "id_evidence-0-visibility_0",
            "Choose who may see it.",
        ),
    ],
    ids=["empty-narrative", "no-status", "title-only", "not-http", "future-date", "no-visibility"],
)
def test_bad_input_is_explained_next_to_its_field_and_in_a_summary(
    kh_client, world, changes, field, message
):
    typed = {"status": "in_progress", "narrative": "Work goes on.", "challenges": "Budget."}
    response = report(kh_client, world.kh_31, **{**typed, **changes})
    assert response.status_code == 200
    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert message in summary
    if field:
        assert f'href="#{field}"' in summary
    assert "Budget." in response.text  # nothing typed is lost
    assert not ProgressUpdate.objects.exists()


def test_a_wrong_kind_of_file_is_refused(kh_client, world):
    files = {"evidence-0-file": SimpleUploadedFile("decree.pdf", b"MZ\x90\x00 not a pdf")}
    response = report(kh_client, world.kh_31, files=files, **IMPLEMENTED_WITH_FILE)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert not Evidence.objects.exists()


def test_the_same_form_sent_twice_makes_one_update(kh_client, world):
    page = kh_client.get(report_url(world.kh_31))
    data = form_data(page.text, "report-form", status="in_progress", narrative="Once.")
    first = kh_client.post(report_url(world.kh_31), {**data, "send": "review"})
    second = kh_client.post(report_url(world.kh_31), {**data, "send": "review"})
    assert ProgressUpdate.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


def test_save_as_draft_then_carry_on_and_submit(kh_client, world):
    response = report(kh_client, world.kh_31, send="draft", status="planned", narrative="Draft.")
    update = ProgressUpdate.objects.get()
    assert update.review_state == "draft"
    assert "Saved as a draft" in kh_client.get(response["Location"]).text
    page = kh_client.get(report_url(world.kh_31))
    assert "You are continuing your draft" in page.text
    assert "Draft." in page.text
    report(kh_client, world.kh_31, narrative="Draft, finished.")
    update.refresh_from_db()
    assert (update.review_state, update.narrative) == ("submitted", "Draft, finished.")
    assert ProgressUpdate.objects.count() == 1


def test_returned_update_opens_with_the_comment_and_resubmits(kh_client, world):
    update = make_update(world.kh_31, world.focal_kh, narrative="First try.")
    review.return_for_changes(
        update, by=world.staff, comment="Name the decree.", seen_version=update.version
    )
    page = kh_client.get(report_url(world.kh_31))
    returned_at = page.text.index("Returned to you for changes")
    assert returned_at < page.text.index('id="report-form"')
    assert "Name the decree." in page.text
    assert "Resubmit for review" in page.text
    response = report(kh_client, world.kh_31, narrative="Decree 12 was signed.")
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.review_state, update.narrative) == ("submitted", "Decree 12 was signed.")
    assert "Submitted for review" in kh_client.get(response["Location"]).text


def test_a_deadline_is_added_and_another_moved_with_the_update(kh_client, world):
    own = make_deadline(world.kh_31, world.staff, due_date=dt.date(2030, 1, 1), set_by_staff=False)
    response = report(
        kh_client,
        world.kh_31,
        status="in_progress",
        narrative="On track.",
        **{
            "deadlines-0-description": "Report to parliament",
            "deadlines-0-due_date": "2031-03-01",
            "deadline_changes-0-due_date": "2030-06-30",
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    new = Deadline.objects.get(update=update)
    assert (new.description, new.due_date) == ("Report to parliament", dt.date(2031, 3, 1))
    change = DeadlineChange.objects.get(update=update)
    assert (change.deadline, change.due_date) == (own, dt.date(2030, 6, 30))
    own.refresh_from_db()
    assert own.due_date == dt.date(2030, 1, 1)  # moved only once the update is accepted


def test_focal_point_cannot_report_on_another_countrys_commitment(client, world):
    client.force_login(world.focal_th)
    assert client.get(report_url(world.kh_31)).status_code == 404
    response = client.post(
        report_url(world.kh_31), {"status": "implemented", "narrative": "x", "send": "review"}
    )
    assert response.status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_the_confirmation_of_someone_elses_update_is_not_found(client, world):
    update = make_update(world.kh_31, world.focal_kh)
    client.force_login(world.focal_th)
    assert client.get(reverse("tracker:report_sent", args=[update.pk])).status_code == 404


# --- review -------------------------------------------------------------------------------


def review_url(update) -> str:
    return reverse("tracker:review_update", args=[update.pk])


def test_reviewer_sees_the_update_beside_the_public_state_with_its_evidence(
    staff_client, world, django_assert_max_num_queries
):
    update = make_update(world.kh_31, world.focal_kh, status="planned", narrative="New plan.")
    item = make_evidence(
        world.kh_31,
        world.focal_kh,
        update=update,
        visibility="internal",
        title="Budget memo",
        file=SimpleUploadedFile("memo.pdf", PDF),
    )
    with django_assert_max_num_queries(20):
        page = staff_client.get(review_url(update))
    assert page.status_code == 200
    assert "This update would publish" in page.text
    assert "Today, the public sees" in page.text
    assert "New plan." in page.text
    assert "Budget memo" in page.text
    assert reverse("tracker:evidence_file", args=[item.pk]) in page.text
    assert "Accept and publish" in page.text
    assert "Return with this comment" in page.text
    # No field of the government's text to edit in place.
    assert 'name="narrative"' not in page.text


def test_accepting_publishes_and_opens_the_next_waiting_update(staff_client, world):
    first = make_update(world.kh_31, world.focal_kh, status="planned", narrative="Plan A.")
    second = make_update(world.th_31, world.focal_th)
    page = staff_client.get(review_url(first))
    data = form_data(page.text, "accept-form", decision="accept")
    response = staff_client.post(review_url(first), data)
    assert response.status_code == 302
    assert response["Location"] == review_url(second)
    first.refresh_from_db()
    assert first.review_state == "accepted"
    public = staff_client.get(reverse("tracker:recommendation_detail", args=["BM22-R31"]))
    assert "Plan A." in public.text


def test_returning_needs_a_comment(staff_client, world):
    update = make_update(world.kh_31, world.focal_kh)
    page = staff_client.get(review_url(update))
    data = form_data(page.text, "return-form", decision="return", comment="")
    response = staff_client.post(review_url(update), data)
    assert response.status_code == 200
    assert "Say what the focal point should change." in response.text
    update.refresh_from_db()
    assert update.review_state == "submitted"
    data["comment"] = "Give the decree's number."
    response = staff_client.post(review_url(update), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:review_queue")
    update.refresh_from_db()
    assert (update.review_state, update.review_comment) == (
        "returned",
        "Give the decree's number.",
    )


def test_a_review_of_a_version_changed_since_is_refused(kh_client, world):
    staff_client = Client()
    staff_client.force_login(world.staff)
    update = make_update(world.kh_31, world.focal_kh)
    page = staff_client.get(review_url(update))
    report(kh_client, world.kh_31, narrative="Changed meanwhile.")
    response = staff_client.post(
        review_url(update), form_data(page.text, "accept-form", decision="accept")
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(update)
    update.refresh_from_db()
    assert update.review_state == "submitted"
    follow = staff_client.get(response["Location"])
    assert "was changed by its author after you opened it" in follow.text


def test_focal_points_cannot_review(kh_client, world):
    update = make_update(world.kh_31, world.focal_kh)
    assert kh_client.get(reverse("tracker:review_queue")).status_code == 403
    assert kh_client.get(review_url(update)).status_code == 403
    response = kh_client.post(review_url(update), {"decision": "accept", "seen_version": "2"})
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.review_state == "submitted"


def test_review_queue_lists_waiting_updates_oldest_first(
    staff_client, world, django_assert_max_num_queries
):
    older = make_update(world.kh_31, world.focal_kh)
    newer = make_update(world.th_32, world.focal_th)
    make_update(world.kh_32, world.focal_kh, accepted_by=world.staff)
    with django_assert_max_num_queries(8):
        page = staff_client.get(reverse("tracker:review_queue"))
    assert [u.pk for u in page.context["page"]] == [older.pk, newer.pk]


def test_the_review_queue_s_last_page_lists_the_newest_updates_in_order(
    staff_client, world, monkeypatch, django_assert_max_num_queries
):
    from tracker.reporting import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    commitments = [world.kh_31, world.th_31, world.kh_32, world.th_32, world.kh_31]
    focal = {world.cambodia: world.focal_kh, world.thailand: world.focal_th}
    updates = [make_update(commitment, focal[commitment.country]) for commitment in commitments]
    counts = []
    for number in ("1", "2", "1000000"):  # past the end: the last page
        with django_assert_max_num_queries(8) as captured:
            page = staff_client.get(reverse("tracker:review_queue"), {"page": number})
        counts.append(len(captured.captured_queries))
        assert page.status_code == 200
    assert counts[0] == counts[2]
    assert [u.pk for u in page.context["page"]] == [updates[4].pk]
    assert review_url(updates[4]) in page.text
    assert review_url(updates[3]) not in page.text
    assert "Page 3 of 3" in page.text


def test_a_new_focal_point_carries_on_what_their_predecessor_left(client, world):
    from tests.factories import make_focal_point
    from tracker import roles

    left = make_update(world.kh_31, world.focal_kh, narrative="Half written.")
    review.return_for_changes(left, by=world.staff, comment="Finish it.", seen_version=left.version)
    roles.revoke_focal_point(world.focal_kh, [world.cambodia])
    successor = make_focal_point("sok.cambodia", world.cambodia)
    client.force_login(successor)
    page = client.get(report_url(world.kh_31))
    assert "Finish it." in page.text
    assert "Half written." in page.text
    response = report(client, world.kh_31, narrative="Finished by Sok.")
    assert response.status_code == 302
    left.refresh_from_db()
    assert (left.review_state, left.author, left.narrative) == (
        "submitted",
        successor,
        "Finished by Sok.",
    )
    assert ProgressUpdate.objects.count() == 1


def test_a_focal_point_does_not_take_over_a_colleagues_update(client, world):
    from tests.factories import make_focal_point

    colleague_draft = make_update(world.kh_31, world.focal_kh, narrative="Mine.")
    review.return_for_changes(
        colleague_draft, by=world.staff, comment="x", seen_version=colleague_draft.version
    )
    second = make_focal_point("sok.cambodia", world.cambodia)
    client.force_login(second)
    page = client.get(report_url(world.kh_31))
    assert "Mine." not in page.text
    response = report(client, world.kh_31, status="in_progress", narrative="A new one.")
    assert response.status_code == 302
    colleague_draft.refresh_from_db()
    assert (colleague_draft.author, colleague_draft.narrative) == (world.focal_kh, "Mine.")
    assert ProgressUpdate.objects.count() == 2


def test_the_admin_page_of_a_waiting_update_leads_a_reviewer_to_the_review_page(
    staff_client, world
):
    update = make_update(world.kh_31, world.focal_kh)
    page = staff_client.get(reverse("admin:tracker_progressupdate_change", args=[update.pk]))
    assert review_url(update) in page.text
    review.accept(update, by=world.staff, seen_version=update.version)
    page = staff_client.get(reverse("admin:tracker_progressupdate_change", args=[update.pk]))
    assert review_url(update) not in page.text


def test_several_evidence_items_and_deadlines_go_with_one_update(kh_client, world):
    page = kh_client.get(report_url(world.kh_31))
    assert "Add another evidence item" in page.text
    response = report(
        kh_client,
        world.kh_31,
        status="in_progress",
        narrative="Two documents.",
        **{
            "evidence-0-title": "Circular",
            "evidence-0-note": "Sent to every post.",
            "evidence-0-visibility": "public",
            "evidence-1-title": "Budget line",
            "evidence-1-url": "https://example.org/budget",
            "evidence-1-visibility": "internal",
            "deadlines-0-description": "Train staff",
            "deadlines-0-due_date": "2031-01-01",
            "deadlines-1-description": "Evaluate",
            "deadlines-1-due_date": "2032-01-01",
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert sorted(update.evidence.values_list("title", "visibility")) == [
        ("Budget line", "internal"),
        ("Circular", "public"),
    ]
    assert update.deadlines.count() == 2


def test_an_oversize_file_is_refused_with_its_limit(kh_client, world, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    files = {"evidence-0-file": SimpleUploadedFile("big.pdf", PDF + b"0" * 200, "application/pdf")}
    response = report(kh_client, world.kh_31, files=files, **IMPLEMENTED_WITH_FILE)
    assert response.status_code == 200
    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "100" in summary  # the limit, in plain words
    assert 'href="#id_evidence-0-file"' in summary
    assert not Evidence.objects.exists()


def test_internal_evidence_made_public_with_the_update_counts_as_proof(kh_client, world):
    memo = make_evidence(world.kh_31, world.focal_kh, visibility="internal", title="Memo")
    memo.set_by_staff = False
    memo.save()
    page = kh_client.get(report_url(world.kh_31))
    assert "Evidence already given" in page.text
    assert "Memo" in page.text
    response = report(
        kh_client,
        world.kh_31,
        status="implemented",
        narrative="Done; the memo shows it.",
        **{"evidence_changes-0-visibility": "public"},
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    change = update.evidence_changes.get()
    assert (change.evidence, change.visibility) == (memo, "public")
    memo.refresh_from_db()
    assert memo.visibility == "internal"  # public once the update is accepted
    review.accept(update, by=world.staff, seen_version=update.version)
    memo.refresh_from_db()
    assert memo.visibility == "public"
