"""The progress update as the unit of review: what must hold whoever clicks what.

Each test goes through the admin and the public pages as people would: a focal point
fills in the update's form (with its evidence and deadline rows), network staff read it
and accept, return or withdraw it from its page or from the list's confirmation page.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_deadline, make_evidence, make_staff, make_update, make_user
from tests.forms import form_data
from tracker import review, roles
from tracker.forms import ProgressUpdateForm
from tracker.models import (
    Commitment,
    Deadline,
    DeadlineChange,
    Evidence,
    EvidenceChange,
    ProgressUpdate,
    ProtectedRecordError,
    Status,
)

pytestmark = pytest.mark.django_db

State = ProgressUpdate.ReviewState
ADD_URL = reverse("admin:tracker_progressupdate_add")
QUEUE_URL = reverse("admin:tracker_progressupdate_changelist")
FORM = "progressupdate_form"
RECOMMENDATION_URL = reverse("tracker:recommendation_detail", args=["BM22-R31"])
COUNTRY_URL = reverse("tracker:country_detail", args=["kh"])
EXPORT_URL = reverse("tracker:progress_export", args=["csv"])
STALE = "was changed by its author after you opened it, so nothing was done"


# --- how people use the admin -----------------------------------------------------------


def signed_in(user) -> Client:
    """A browser of its own for each person (the `client` fixture is one browser)."""
    client = Client()
    client.force_login(user)
    return client


def update_url(update) -> str:
    return reverse("admin:tracker_progressupdate_change", args=[update.pk])


def add_rows(data: dict, prefix: str, *rows: dict) -> dict:
    """Fill in new inline rows after those the page shows, as "Add another" does."""
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for index, row in enumerate(rows, start):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(start + len(rows))
    return data


def evidence(**fields) -> dict:
    return {"date": "2025-02-01", "note": "", "url": "", "visibility": "internal", **fields}


def fill_in_new_update(client, commitment, **fields) -> dict:
    """The add form opened from the commitment's page, filled in."""
    page = client.get(ADD_URL, {"commitment": commitment.pk})
    assert page.status_code == 200
    fields = {"status": "in_progress", "narrative": "Drafted the circular.", **fields}
    return form_data(page.text, FORM, **fields)


def post_new_update(client, commitment, data: dict, *, button: str = "_save"):
    """`_save` submits the update for review (publishes staff's own); `_draft` ("Save as a
    draft", posted as `_continue=draft`) keeps it."""
    pressed = {"_continue": "draft"} if button == "_draft" else {button: "Save"}
    return client.post(f"{ADD_URL}?commitment={commitment.pk}", {**data, **pressed})


def report(client, commitment, *, button: str = "_save", **fields) -> ProgressUpdate:
    response = post_new_update(
        client, commitment, fill_in_new_update(client, commitment, **fields), button=button
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    return ProgressUpdate.objects.latest("pk")


def action_data(page_html: str, action: str) -> dict:
    """The update's page with an action chosen in its action menu and "Run" pressed: what
    is posted carries the version of the update that the page showed (`seen_version`)."""
    return form_data(page_html, FORM, **{"CHANGE_FORM-action": action, "index": "0"})


def run_action(client, update, action: str):
    url = update_url(update)
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, action_data(page.text, action))


def confirm(client, url: str, page, **fields):
    """Press the button of an action's confirmation page, after filling in `fields`."""
    assert page.status_code == 200, page
    return client.post(url, form_data(page.text, None, **fields))


def messages_after(client, response) -> list[str]:
    assert response.status_code == 302
    return [str(m) for m in client.get(response.url).context["messages"]]


def options(html: str, name: str) -> set[str]:
    """The non-empty choices of the <select> named `name`."""
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    return set(re.findall(r'<option value="([^"]+)"', select.group(1)))


def snapshot() -> list:
    """Everything a refused request must leave as it was."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (
            ProgressUpdate,
            Evidence,
            Deadline,
            EvidenceChange,
            DeadlineChange,
            Commitment,
        )
    ] + [ProgressUpdate.history.count(), Commitment.history.count()]


# --- what the public sees -----------------------------------------------------------------


def html_row(html: str, marker: str) -> str:
    """The table row (<tr>…</tr>) that contains `marker`."""
    for chunk in html.split("<tr")[1:]:
        row = chunk.split("</tr>")[0]
        if marker in row:
            return row
    raise AssertionError(f"no row with {marker!r}")


def csv_rows(client, **params) -> list[dict]:
    response = client.get(EXPORT_URL, params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def csv_row(client, code="BM22-R31", country="KH") -> dict:
    rows = [
        r
        for r in csv_rows(client)
        if r["Recommendation code"] == code and r["Country code"] == country
    ]
    assert len(rows) == 1
    return rows[0]


# --- staff do not edit a focal point's update ----------------------------------------------


def test_staff_pressing_save_cannot_change_a_focal_points_update(
    world, django_assert_max_num_queries
):
    update = make_update(world.kh_31, world.focal_kh, narrative="As the focal point wrote it.")
    staff = signed_in(world.staff)
    url = update_url(update)
    with django_assert_max_num_queries(16):
        page = staff.get(url)
    assert page.status_code == 200
    assert page.context["title"] == "View progress update"
    assert 'name="narrative"' not in page.text
    assert 'name="_save"' not in page.text
    assert "As the focal point wrote it." in page.text
    before = snapshot()
    for button in ("_save", "_continue"):
        data = form_data(page.text, FORM, status="implemented", narrative="Rewritten by staff")
        add_rows(data, "evidence", evidence(title="Added by staff", visibility="public"))
        add_rows(data, "deadlines", {"description": "Staff's", "due_date": "2031-01-01"})
        data[button] = "Save"
        assert staff.post(url, data).status_code == 403
    assert snapshot() == before


# --- reviews carry the version the reviewer read -----------------------------------------


def test_accept_from_the_page_is_refused_when_the_author_changed_the_update_since(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    update = make_update(world.kh_31, world.focal_kh, status="planned", narrative="First text.")
    staff, focal, public = signed_in(world.staff), signed_in(world.focal_kh), Client()
    url = update_url(update)
    opened_by_staff = staff.get(url).text

    page = focal.get(url).text
    data = form_data(page, FORM, status="in_progress", narrative="Second text.", _save="Save")
    assert focal.post(url, data).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, action_data(opened_by_staff, "accept_updates"))
    assert any(STALE in message for message in messages_after(staff, response))
    update.refresh_from_db()
    assert update.review_state == State.SUBMITTED
    assert update.accepted_at is None
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.NOT_STARTED
    assert "Second text." not in public.get(RECOMMENDATION_URL).text
    assert mailoutbox == []

    # Opened again, the new version can be accepted.
    assert run_action(staff, update, "accept_updates").status_code == 302
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.IN_PROGRESS
    assert "Second text." in public.get(RECOMMENDATION_URL).text


def test_bulk_accept_is_refused_when_an_update_changed_after_the_confirmation_page(world):
    mine = make_update(world.kh_31, world.focal_kh)
    theirs = make_update(world.th_31, world.focal_th, narrative="First text.")
    staff, focal = signed_in(world.staff), signed_in(world.focal_th)
    selection = {
        "action": "accept_updates",
        "index": "0",
        ACTION_CHECKBOX_NAME: [mine.pk, theirs.pk],
    }
    page = staff.post(QUEUE_URL, selection)
    assert "First text." in page.text

    url = update_url(theirs)
    data = form_data(focal.get(url).text, FORM, narrative="Second text.", _save="Save")
    assert focal.post(url, data).status_code == 302
    before = snapshot()

    response = confirm(staff, QUEUE_URL, page)
    assert any(STALE in message for message in messages_after(staff, response))
    assert snapshot() == before  # all or nothing: the unchanged one is not accepted either


@pytest.mark.parametrize("meanwhile", ["saved in another tab", "returned by staff"])
def test_focal_points_stale_edit_is_refused_and_their_input_kept(world, meanwhile):
    update = make_update(world.kh_31, world.focal_kh, narrative="First text.")
    focal = signed_in(world.focal_kh)
    url = update_url(update)
    opened = focal.get(url).text
    if meanwhile == "saved in another tab":
        data = form_data(focal.get(url).text, FORM, narrative="Saved elsewhere.", _save="Save")
        assert focal.post(url, data).status_code == 302
    else:
        staff = signed_in(world.staff)
        page = staff.post(url, action_data(staff.get(url).text, "return_updates"))
        assert confirm(staff, url, page, comment="Name the circular.").status_code == 302
    before = snapshot()

    data = form_data(opened, FORM, narrative="Typed over the stale page.", _save="Save")
    add_rows(data, "evidence", evidence(title="Circular 7/2025 typed in"))
    response = focal.post(url, data)
    assert response.status_code == 200
    assert "This update was changed (or reviewed) after you opened it" in response.text
    assert str(ProgressUpdateForm.conflict_message(None)) in response.text
    # What they typed is still in the form, to save again.
    assert "Typed over the stale page." in response.text
    assert 'value="Circular 7/2025 typed in"' in response.text
    assert snapshot() == before


# --- accepting publishes everything the update carries, at once ---------------------------


@pytest.fixture
def earlier_items(world):
    """Evidence and deadlines a focal point added with an update accepted before."""
    focal = signed_in(world.focal_kh)
    data = fill_in_new_update(focal, world.kh_31, narrative="Earlier update.")
    add_rows(data, "evidence", evidence(title="Draft sub-decree", note="Draft of May."))
    add_rows(
        data,
        "deadlines",
        {"description": "Consult the unions", "due_date": "2030-06-30", "responsible": ""},
        {"description": "Train border officers", "due_date": "2029-01-15", "responsible": ""},
    )
    assert post_new_update(focal, world.kh_31, data).status_code == 302
    update = ProgressUpdate.objects.get()
    review.accept(update, by=world.staff, seen_version=update.version)
    return {
        "draft": Evidence.objects.get(title="Draft sub-decree"),
        "unions": Deadline.objects.get(description="Consult the unions"),
        "training": Deadline.objects.get(description="Train border officers"),
    }


def test_accepting_publishes_all_the_update_carries_and_nothing_before(
    world, earlier_items, django_assert_max_num_queries
):
    focal, staff, public = signed_in(world.focal_kh), signed_in(world.staff), Client()
    data = fill_in_new_update(
        focal,
        world.kh_31,
        status="partially_implemented",
        narrative="Sub-decree 45 adopted.",
        response="supported",
        lead_agency="Ministry of Labour and Vocational Training",
    )
    add_rows(
        data,
        "evidence",
        evidence(title="Sub-decree 45", note="Adopted on 3 March.", visibility="public"),
    )
    add_rows(data, "deadlines", {"description": "Publish the regulation", "due_date": "2031-03-31"})
    add_rows(
        data,
        "evidence_changes",
        {"evidence": str(earlier_items["draft"].pk), "visibility": "public"},
    )
    add_rows(
        data,
        "deadline_changes",
        {"deadline": str(earlier_items["unions"].pk), "due_date": "2030-12-31"},
        {"deadline": str(earlier_items["training"].pk), "due_date": "", "is_done": "on"},
    )
    assert post_new_update(focal, world.kh_31, data).status_code == 302
    update = ProgressUpdate.objects.latest("pk")
    assert update.review_state == State.SUBMITTED

    new_texts = [
        "Sub-decree 45",
        "Draft sub-decree",
        "Publish the regulation",
        "Ministry of Labour",
    ]

    def public_pages():
        with django_assert_max_num_queries(10):
            recommendation = public.get(RECOMMENDATION_URL).text
        with django_assert_max_num_queries(10):
            country = public.get(COUNTRY_URL).text
        with django_assert_max_num_queries(10):
            row = csv_row(public)
        return recommendation, country, row

    recommendation, country, row = public_pages()
    kh_row = html_row(recommendation, 'id="kh"')
    assert "In progress" in kh_row and "No response yet" in kh_row
    assert "15 Jan 2029" in kh_row  # the next deadline, still open
    for text in [*new_texts, "Partially implemented", "Supported", "31 Dec 2030"]:
        assert text not in kh_row
    assert "Sub-decree 45 adopted." not in recommendation
    for text in [*new_texts, "31 Dec 2030"]:
        assert text not in country
    assert "Train border officers" in country and "30 Jun 2030" in country
    assert "No response yet" in html_row(country, "BM22-R31")
    assert (row["Status"], row["Lead agency"], row["Next deadline"]) == (
        "In progress",
        "",
        "2029-01-15",
    )
    assert row["Latest accepted note"] == "Earlier update."
    assert row["Public evidence"] == ""

    assert run_action(staff, update, "accept_updates").status_code == 302

    recommendation, country, row = public_pages()
    kh_row = html_row(recommendation, 'id="kh"')
    for text in ["Partially implemented", "Supported", "Ministry of Labour", "31 Dec 2030"]:
        assert text in kh_row
    assert "Sub-decree 45" in kh_row and "Draft sub-decree" in kh_row
    assert "Sub-decree 45 adopted." in recommendation
    country_row = html_row(country, "BM22-R31")
    assert "Partially implemented" in country_row and "Supported" in country_row
    assert "Ministry of Labour and Vocational Training" in country_row
    assert "Sub-decree 45" in country and "Draft sub-decree" in country
    assert "Publish the regulation" in country and "31 Mar 2031" in country
    assert "Consult the unions" in country and "31 Dec 2030" in country
    assert "Train border officers" not in country  # closed
    assert row["Status"] == "Partially implemented"
    assert row["Lead agency"] == "Ministry of Labour and Vocational Training"
    assert row["Next deadline"] == "2030-12-31"
    assert row["Latest accepted note"] == "Sub-decree 45 adopted."
    assert "Sub-decree 45" in row["Public evidence"]
    assert "Draft sub-decree" in row["Public evidence"]
    world.kh_31.refresh_from_db()
    assert world.kh_31.response == "supported"
    assert Deadline.objects.get(pk=earlier_items["training"].pk).is_done


# --- focal points change only their own items ----------------------------------------------


@pytest.mark.parametrize("page", ["new update", "update waiting for review"])
def test_focal_point_cannot_target_staff_set_evidence_or_deadlines(world, earlier_items, page):
    staff_evidence = make_evidence(world.kh_31, world.staff, title="Staff memo")
    staff_deadline = make_deadline(world.kh_31, world.staff, due_date=dt.date(2030, 1, 1))
    assert staff_evidence.set_by_staff and staff_deadline.set_by_staff
    focal = signed_in(world.focal_kh)
    if page == "new update":
        url = f"{ADD_URL}?commitment={world.kh_31.pk}"
        html = focal.get(url).text
    else:
        url = update_url(make_update(world.kh_31, world.focal_kh))
        html = focal.get(url).text

    assert options(html, "evidence_changes-__prefix__-evidence") == {str(earlier_items["draft"].pk)}
    assert options(html, "deadline_changes-__prefix__-deadline") == {
        str(earlier_items["unions"].pk),
        str(earlier_items["training"].pk),
    }

    before = snapshot()
    for prefix, row in [
        ("evidence_changes", {"evidence": str(staff_evidence.pk), "visibility": "internal"}),
        ("deadline_changes", {"deadline": str(staff_deadline.pk), "is_done": "on"}),
    ]:
        data = form_data(html, FORM, status="in_progress", narrative="Changing staff's items.")
        add_rows(data, prefix, row)
        data["_save"] = "Save"
        response = focal.post(url, data)
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    assert snapshot() == before


CHANGE_TABLES = ["Changes to existing evidence", "Changes to existing deadlines"]


def test_the_form_offers_no_change_of_earlier_items_where_none_is_theirs_to_change(
    world, django_assert_max_num_queries
):
    """Staff's evidence and deadline only: the focal point's form shows neither table of
    changes (a row there could name nothing), still the new evidence and deadlines, and
    what it posts is submitted."""
    make_evidence(world.kh_31, world.staff, title="Staff memo")
    make_deadline(world.kh_31, world.staff, due_date=dt.date(2030, 1, 1))
    focal = signed_in(world.focal_kh)
    with django_assert_max_num_queries(12):
        page = focal.get(ADD_URL, {"commitment": world.kh_31.pk})
    assert not [table for table in CHANGE_TABLES if table in page.text]
    assert "evidence_changes-TOTAL_FORMS" not in page.text
    assert "Evidence published with this update" in page.text
    assert "New follow-up deadlines, published with this update" in page.text
    data = form_data(page.text, FORM, status="in_progress", narrative="Circular drafted.")
    # The update read again once sent, with what the admin's log names it by.
    with django_assert_max_num_queries(27):
        assert post_new_update(focal, world.kh_31, data).status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.narrative, update.review_state) == ("Circular drafted.", State.SUBMITTED)


def test_a_form_opened_before_its_commitment_was_chosen_is_saved_without_changes(
    world, earlier_items
):
    """Opened without a commitment, the form offers no change (there is nothing to choose
    from yet); posted with one that has items to change, it is read as the page showed it,
    not refused for the tables it did not have."""
    focal = signed_in(world.focal_kh)
    page = focal.get(ADD_URL)
    assert not [table for table in CHANGE_TABLES if table in page.text]
    data = form_data(
        page.text,
        FORM,
        commitment=str(world.kh_31.pk),
        status="in_progress",
        narrative="Chosen on the form.",
    )
    assert focal.post(ADD_URL, {**data, "_save": "Save"}).status_code == 302
    update = ProgressUpdate.objects.get(narrative="Chosen on the form.")
    assert update.review_state == State.SUBMITTED
    assert not update.evidence_changes.exists() and not update.deadline_changes.exists()
    # Opened from the commitment, the same form offers its items.
    page = focal.get(ADD_URL, {"commitment": world.kh_31.pk})
    assert [table for table in CHANGE_TABLES if table in page.text] == CHANGE_TABLES


def test_a_change_an_update_asks_stays_on_its_form_once_nothing_else_is_offered(
    world, earlier_items
):
    """An update that asks to publish an item staff have since taken over: its row is
    still on its form, to be seen and removed, though nothing else can be chosen."""
    focal = signed_in(world.focal_kh)
    data = fill_in_new_update(focal, world.kh_31, narrative="Publishing the draft.")
    add_rows(
        data,
        "evidence_changes",
        {"evidence": str(earlier_items["draft"].pk), "visibility": "public"},
    )
    assert post_new_update(focal, world.kh_31, data, button="_draft").status_code == 302
    update = ProgressUpdate.objects.get(narrative="Publishing the draft.")
    Evidence.objects.filter(pk=earlier_items["draft"].pk).update(set_by_staff=True)
    Deadline.objects.update(set_by_staff=True)
    page = focal.get(update_url(update))
    assert "Changes to existing evidence" in page.text
    assert "Changes to existing deadlines" not in page.text
    assert 'name="evidence_changes-INITIAL_FORMS" value="1"' in page.text


# --- withdrawal ---------------------------------------------------------------------------


def test_author_withdraws_an_update_before_review(
    world, mailoutbox, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    update = make_update(world.kh_31, world.focal_kh)
    focal, staff = signed_in(world.focal_kh), signed_in(world.staff)
    url = update_url(update)
    page = focal.post(url, action_data(focal.get(url).text, "withdraw_updates"))
    assert "Withdraw updates" in page.text
    assert ProgressUpdate.objects.get().review_state == State.SUBMITTED  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(focal, url, page).status_code == 302  # no reason needed before review
    update.refresh_from_db()
    assert update.review_state == State.WITHDRAWN
    assert update.withdrawn_by == world.focal_kh
    assert [m.to for m in mailoutbox] == [[world.staff.email]]
    assert "Withdrawn before review" in mailoutbox[0].subject
    with django_assert_max_num_queries(12):
        queue = staff.get(QUEUE_URL, {"review_state__exact": "submitted"})
    assert list(queue.context["cl"].result_list) == []
    assert "0 progress updates wait for review" in staff.get(reverse("admin:index")).text
    # Nothing left to review: accepting it now is refused.
    before = snapshot()
    response = run_action(staff, update, "accept_updates")
    assert any("is no longer waiting for review" in m for m in messages_after(staff, response))
    assert snapshot() == before


def test_staff_withdraw_a_published_update_with_a_public_reason(
    world, django_assert_max_num_queries
):
    older = make_update(world.kh_31, world.focal_kh, status="planned", accepted_by=world.staff)
    newer = make_update(world.kh_31, world.focal_kh, status="in_progress", accepted_by=world.staff)
    staff, public = signed_in(world.staff), Client()
    world.kh_31.refresh_from_db()
    assert world.kh_31.status == Status.IN_PROGRESS

    for update, reason, status_left in [
        (newer, "Counted twice: the same circular as in March.", Status.PLANNED),
        (older, "The plan was never approved.", Status.NOT_STARTED),
    ]:
        history_rows = world.kh_31.history.count()
        url = update_url(update)
        page = staff.post(url, action_data(staff.get(url).text, "withdraw_updates"))
        assert confirm(staff, url, page, reason=reason).status_code == 302
        update.refresh_from_db()
        assert update.review_state == State.WITHDRAWN
        assert update.withdrawal_reason == reason
        assert update.history.first().history_user == world.staff
        world.kh_31.refresh_from_db()
        assert world.kh_31.status == status_left
        assert world.kh_31.history.count() == history_rows + 1
        assert world.kh_31.history.first().status == status_left
        with django_assert_max_num_queries(10):
            html = public.get(RECOMMENDATION_URL).text
        item = html.split(f'id="update-{update.pk}"')[1].split("</li>")[0]
        assert "Withdrawn" in item and reason in item
    assert world.kh_31.latest_accepted_update is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_withdrawing_a_published_update_needs_a_reason(world, reason):
    update = make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    staff = signed_in(world.staff)
    url = update_url(update)
    page = staff.post(url, action_data(staff.get(url).text, "withdraw_updates"))
    before = snapshot()
    response = confirm(staff, url, page, reason=reason)
    assert response.status_code == 200
    assert "Say why it is withdrawn" in response.text
    assert snapshot() == before


def test_who_may_withdraw(world):
    published = make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    waiting = make_update(world.kh_32, world.focal_kh)
    before = snapshot()
    for user, update in [(world.focal_kh, published), (world.staff, waiting)]:
        client = signed_in(user)
        url = update_url(update)
        page = client.post(url, action_data(client.get(url).text, "withdraw_updates"))
        response = confirm(client, url, page, reason="Because.")
        assert any("Nothing was withdrawn" in m for m in messages_after(client, response))
    assert snapshot() == before


# --- what the public has seen stays ----------------------------------------------------------


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        "root", "root@example.org", "correct horse battery staple"
    )


@pytest.mark.parametrize("who", ["network staff", "superuser"])
def test_accepted_updates_cannot_be_deleted(world, superuser, who, django_assert_max_num_queries):
    accepted = make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    withdrawn = make_update(world.kh_32, world.focal_kh, accepted_by=world.staff)
    review.withdraw(withdrawn, by=world.staff, reason="Wrong country.")
    waiting = make_update(world.th_31, world.focal_th)
    client = signed_in(world.staff if who == "network staff" else superuser)
    before = snapshot()

    for update in (accepted, withdrawn):
        url = reverse("admin:tracker_progressupdate_delete", args=[update.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
    with django_assert_max_num_queries(12):
        page = client.get(QUEUE_URL)
    offered = {name for name, _label in page.context["action_form"].fields["action"].choices}
    assert "accept_updates" in offered
    assert "delete_selected" not in offered
    response = client.post(
        QUEUE_URL,
        {
            "action": "delete_selected",
            "index": "0",
            ACTION_CHECKBOX_NAME: [accepted.pk, waiting.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 403
    with pytest.raises(ProtectedRecordError):
        ProgressUpdate.objects.filter(pk=accepted.pk).delete()
    with pytest.raises(ProtectedRecordError):
        ProgressUpdate.objects.filter(pk__in=[withdrawn.pk, waiting.pk]).delete()
    with pytest.raises(ProtectedRecordError):
        accepted.delete()
    assert snapshot() == before

    # An update the public never saw can go.
    url = reverse("admin:tracker_progressupdate_delete", args=[waiting.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not ProgressUpdate.objects.filter(pk=waiting.pk).exists()


# --- emails -------------------------------------------------------------------------------


@pytest.fixture
def reviewers(world, superuser):
    """Who reviews: every active network staff member and superuser, nobody else."""
    second = make_staff("omar.staff")
    gone = make_staff("old.staff")
    gone.is_active = False
    gone.save()
    make_user("no.role", is_staff=True)
    colleague = make_user("kanha.cambodia")
    roles.grant_focal_point(colleague, [world.cambodia])
    return sorted([world.staff.email, second.email, superuser.email])


def test_each_transition_emails_the_right_people(
    world, reviewers, mailoutbox, django_capture_on_commit_callbacks
):
    focal, staff = signed_in(world.focal_kh), signed_in(world.staff)

    def emails(step) -> list[tuple[list[str], str, str]]:
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            step()
        return [(sorted(m.to), m.subject, m.body) for m in mailoutbox]

    def press_save(update, **fields):
        url = update_url(update)
        data = form_data(focal.get(url).text, FORM, _save="Save", **fields)
        assert focal.post(url, data).status_code == 302

    def on_page(client, update, action, **fields):
        url = update_url(update)
        response = client.post(url, action_data(client.get(url).text, action))
        if fields:
            response = confirm(client, url, response, **fields)
        assert response.status_code == 302

    holder = {}
    assert emails(lambda: holder.update(u=report(focal, world.kh_31, button="_draft"))) == []
    update = holder["u"]
    assert update.review_state == State.DRAFT

    [(to, subject, body)] = emails(lambda: press_save(update))
    assert (to, subject) == (reviewers, "[GCM Tracker] Waiting for review: BM22-R31 · Cambodia")
    assert reverse("tracker:review_update", args=[update.pk]) in body

    [(to, subject, body)] = emails(
        lambda: on_page(staff, update, "return_updates", comment="Name the circular.")
    )
    assert to == [world.focal_kh.email]
    assert "Returned to you" in subject and "Name the circular." in body

    [(to, subject, _body)] = emails(lambda: press_save(update, narrative="Circular 12/2024."))
    assert (to, subject) == (reviewers, "[GCM Tracker] Waiting for review: BM22-R31 · Cambodia")

    [(to, subject, body)] = emails(lambda: on_page(staff, update, "accept_updates"))
    assert to == [world.focal_kh.email]
    assert "Accepted" in subject and "It is now public" in body

    [(to, subject, body)] = emails(
        lambda: on_page(staff, update, "withdraw_updates", reason="Counted twice.")
    )
    assert to == [world.focal_kh.email]
    assert "Withdrawn" in subject and "Counted twice." in body

    waiting = make_update(world.kh_32, world.focal_kh)
    [(to, subject, _body)] = emails(lambda: on_page(focal, waiting, "withdraw_updates", reason=""))
    assert (to, subject) == (
        reviewers,
        "[GCM Tracker] Withdrawn before review: BM22-R32 · Cambodia",
    )

    # Staff's own update is published at once, and nobody needs telling.
    assert emails(lambda: report(staff, world.th_31, status="planned")) == []
    assert ProgressUpdate.objects.latest("pk").review_state == State.ACCEPTED


# --- changed_since counts what the public sees ------------------------------------------


def test_only_public_changes_make_a_commitment_changed_since(world, django_assert_max_num_queries):
    Commitment.objects.update(public_changed_at=timezone.now() - dt.timedelta(days=30))
    today = timezone.localdate().isoformat()
    staff, focal, public = signed_in(world.staff), signed_in(world.focal_kh), Client()

    def changed() -> set[tuple[str, str]]:
        with django_assert_max_num_queries(6):
            rows = csv_rows(public, changed_since=today)
        return {(r["Recommendation code"], r["Country code"]) for r in rows}

    assert changed() == set()

    # Internal evidence added by staff.
    url = reverse("admin:tracker_evidence_add")
    page = staff.get(url, {"commitment": world.kh_31.pk})
    data = form_data(page.text, "evidence_form", date="2025-01-10", title="Internal memo")
    data.update(visibility="internal", _save="Save")
    assert staff.post(f"{url}?commitment={world.kh_31.pk}", data).status_code == 302
    assert Evidence.objects.get().visibility == "internal"
    assert changed() == set()

    # A submitted update, carrying public evidence and a new lead agency.
    data = fill_in_new_update(focal, world.kh_31, lead_agency="Ministry of Interior")
    add_rows(data, "evidence", evidence(title="Circular", note="Signed.", visibility="public"))
    assert post_new_update(focal, world.kh_31, data).status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.review_state == State.SUBMITTED
    assert changed() == set()

    # The commitment's page saved with no change.
    url = reverse("admin:tracker_commitment_change", args=[world.kh_31.pk])
    data = form_data(staff.get(url).text, "commitment_form", _save="Save")
    assert staff.post(url, data).status_code == 302
    assert changed() == set()

    assert run_action(staff, update, "accept_updates").status_code == 302
    assert changed() == {("BM22-R31", "KH")}


# --- known bug --------------------------------------------------------------------------


def test_focal_point_saves_a_draft_again_from_its_page(world):
    focal = signed_in(world.focal_kh)
    update = report(focal, world.kh_31, button="_draft", narrative="First draft.")
    url = update_url(update)
    data = form_data(focal.get(url).text, FORM, narrative="Second draft.", _continue="draft")
    assert focal.post(url, data).status_code == 302
    update.refresh_from_db()
    assert update.narrative == "Second draft."
    assert update.review_state == State.DRAFT
