"""Times in the reader's zone, named; one way of writing dates."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_update
from tracker.models import Profile, ProgressUpdate
from tracker.time_zones import zone_name_for

CHANGELIST = reverse("admin:tracker_progressupdate_changelist")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def an_update_at_0454_utc(world) -> ProgressUpdate:
    update = make_update(world.kh_31, world.focal_kh)
    moment = dt.datetime(2026, 11, 30, 4, 54, tzinfo=dt.UTC)
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=moment)
    return update


def test_zones_by_role_and_country(world):
    assert zone_name_for(world.focal_kh) == "Asia/Phnom_Penh"
    assert zone_name_for(world.focal_th) == "Asia/Bangkok"
    assert zone_name_for(world.staff) == "UTC"
    Profile.objects.create(user=world.staff, time_zone="Asia/Kathmandu")
    assert zone_name_for(world.staff) == "Asia/Kathmandu"


def test_a_focal_point_reads_times_in_their_countrys_zone_with_the_zone_named(world):
    an_update_at_0454_utc(world)
    page = signed_in(world.focal_kh).get(CHANGELIST)
    assert "30 Nov 2026, 11:54 (+07)" in page.text
    assert "Times in Asia/Phnom_Penh" in page.text


def test_network_staff_read_utc_unless_they_chose_a_zone(world):
    an_update_at_0454_utc(world)
    assert "30 Nov 2026, 04:54 (UTC)" in signed_in(world.staff).get(CHANGELIST).text
    Profile.objects.create(user=world.staff, time_zone="Asia/Kathmandu")
    page = signed_in(world.staff).get(CHANGELIST)
    assert "30 Nov 2026, 10:39 (+0545)" in page.text
    assert "Times in Asia/Kathmandu" in page.text


def test_a_signed_out_visitor_reads_the_sites_zone(client, world):
    client.get(reverse("tracker:dashboard"))
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_person_chooses_their_own_time_zone(world):
    client = signed_in(world.focal_kh)
    url = reverse("tracker:account_settings")
    page = client.get(url)
    assert "Times are shown in Asia/Phnom_Penh." in page.text
    response = client.post(url, {"time_zone": "Asia/Kathmandu"})
    assert response.status_code == 302
    assert Profile.objects.get(user=world.focal_kh).time_zone == "Asia/Kathmandu"
    an_update_at_0454_utc(world)
    assert "Times in Asia/Kathmandu" in client.get(CHANGELIST).text
    refused = client.post(url, {"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 200
    assert Profile.objects.get(user=world.focal_kh).time_zone == "Asia/Kathmandu"
