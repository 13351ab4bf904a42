"""Reporting rounds: who has reported since a round opened, and reminders of the gaps."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_update
from tests.forms import form_data
from tracker import review
from tracker.models import ProgressUpdate, ReportingRound

CHANGELIST = reverse("admin:tracker_reportinground_changelist")
ADD = reverse("admin:tracker_reportinground_add")


@pytest.fixture
def round_2027(world):
    """Opened a week ago for Cambodia and Thailand. Since then: Cambodia's R31 accepted,
    R32 returned; Thailand's R31 waits; Thailand's R32 was last accepted before it."""
    opened = timezone.localdate() - dt.timedelta(days=7)
    before = timezone.now() - dt.timedelta(days=30)
    old = make_update(world.th_32, world.focal_th, accepted_by=world.staff)
    ProgressUpdate.objects.filter(pk=old.pk).update(created_at=before, accepted_at=before)
    make_update(world.kh_31, world.focal_kh, accepted_by=world.staff)
    returned = make_update(world.kh_32, world.focal_kh)
    review.return_for_changes(returned, by=world.staff, comment="x", seen_version=returned.version)
    make_update(world.th_31, world.focal_th)
    reporting_round = ReportingRound.objects.create(
        name="IMRF follow-up 2027",
        opened_on=opened,
        due_date=opened + dt.timedelta(days=60),
        created_by=world.staff,
    )
    reporting_round.countries.set([world.cambodia, world.thailand])
    return reporting_round


def test_each_commitment_stands_somewhere_in_the_round(world, round_2027):
    standing = {
        (c.recommendation.code, c.country.code.code): c.standing
        for c in round_2027.commitments().select_related("recommendation", "country")
    }
    assert standing == {
        ("BM22-R31", "KH"): "accepted",
        ("BM22-R32", "KH"): "returned",
        ("BM22-R31", "TH"): "waiting",
        ("BM22-R32", "TH"): "missing",
    }
    counts = {country.code.code: dict(c) for country, c in round_2027.standings_by_country()}
    assert counts["KH"] == {"accepted": 1, "waiting": 0, "returned": 1, "missing": 0}
    assert counts["TH"] == {"accepted": 0, "waiting": 1, "returned": 0, "missing": 1}


def test_staff_open_a_round_and_see_where_each_country_stands(staff_client, world):
    page = staff_client.get(ADD)
    data = form_data(
        page.text,
        "reportinground_form",
        name="IMRF follow-up 2027",
        due_date="2027-03-31",
        countries=[str(world.cambodia.pk), str(world.thailand.pk)],
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 302
    reporting_round = ReportingRound.objects.get()
    assert reporting_round.created_by == world.staff
    assert reporting_round.opened_on == timezone.localdate()
    change = staff_client.get(
        reverse("admin:tracker_reportinground_change", args=[reporting_round.pk])
    )
    assert "Where each country stands" in change.text
    assert "No update yet" in change.text
    listing = staff_client.get(CHANGELIST)
    assert "IMRF follow-up 2027" in listing.text


def test_one_reminder_per_focal_point_lists_their_gaps(
    staff_client, world, round_2027, mailoutbox, django_capture_on_commit_callbacks
):
    page = staff_client.get(CHANGELIST)
    data = form_data(
        page.text,
        "changelist-form",
        action="remind_countries_with_gaps",
        _selected_action=[str(round_2027.pk)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(CHANGELIST, data)
    assert response.status_code == 302
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert sorted(mails) == ["kim.cambodia@example.org", "tida.thailand@example.org"]
    kh = mails["kim.cambodia@example.org"].body
    assert "BM22-R32 · Cambodia: Returned for changes" in kh
    assert reverse("tracker:report_progress", args=[world.kh_32.pk]) in kh
    assert "BM22-R31" not in kh
    th = mails["tida.thailand@example.org"].body
    assert "BM22-R32 · Thailand: No update yet" in th
    assert "BM22-R31" not in th  # it waits for review: nothing to do
    assert "IMRF follow-up 2027" in mails["kim.cambodia@example.org"].subject


def test_focal_points_cannot_see_or_open_rounds(kh_client, world, round_2027):
    assert kh_client.get(CHANGELIST).status_code == 403
    assert kh_client.get(ADD).status_code == 403
    url = reverse("admin:tracker_reportinground_change", args=[round_2027.pk])
    assert kh_client.get(url).status_code == 403


def test_round_page_queries_do_not_grow_with_countries(
    staff_client, world, round_2027, django_assert_max_num_queries
):
    url = reverse("admin:tracker_reportinground_change", args=[round_2027.pk])
    with django_assert_max_num_queries(20):
        assert staff_client.get(url).status_code == 200
