"""Signing in to the admin: throttled per username and address, two-factor when required."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.client_ip import client_ip

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(username, password, address="203.0.113.5", **headers) -> Client:
    client = Client(REMOTE_ADDR=address, **headers)
    client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"})
    return client


def signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def test_right_password_signs_in(throttled, world):
    assert signed_in(sign_in("kim.cambodia", PASSWORD))


def test_repeated_failures_lock_that_username_from_that_address(throttled, world):
    for _ in range(3):
        assert not signed_in(sign_in("kim.cambodia", "guess"))
    locked = Client(REMOTE_ADDR="203.0.113.5")
    response = locked.post(LOGIN_URL, {"username": "kim.cambodia", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(locked)


def test_guessing_from_elsewhere_does_not_lock_the_focal_point_out(throttled, world):
    for _ in range(5):
        sign_in("kim.cambodia", "guess", address="198.51.100.66")
    assert signed_in(sign_in("kim.cambodia", PASSWORD, address="203.0.113.5"))


def test_failures_against_one_user_do_not_lock_others_at_that_address(throttled, world):
    for _ in range(5):
        sign_in("kim.cambodia", "guess")
    assert signed_in(sign_in("tida.thailand", PASSWORD))


def test_forged_forwarded_addresses_do_not_escape_the_lock(throttled, world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for n in range(5):
        sign_in("kim.cambodia", "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert not signed_in(sign_in("kim.cambodia", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99"))


def test_client_address_comes_from_the_trusted_proxy_only(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    via_proxy = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    assert client_ip(via_proxy) == "192.0.2.7"
    direct = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert client_ip(direct) == "198.51.100.1"
    chained = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.7, 10.0.0.2")
    assert client_ip(chained) == "192.0.2.7"


# --- two-factor sign-in -----------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.REQUIRE_2FA = True


def test_password_alone_is_not_enough_when_two_factor_is_required(two_factor, world):
    # Someone with an authenticator must give its code.
    TOTPDevice.objects.create(user=world.focal_kh, name="phone", confirmed=True)
    client = Client()
    response = client.post(LOGIN_URL, {"username": "kim.cambodia", "password": PASSWORD})
    assert response.status_code == 200  # the form asks again
    assert not signed_in(client)
    # Someone without one yet is let in only as far as setting one up.
    client = Client()
    client.post(LOGIN_URL, {"username": "tida.thailand", "password": PASSWORD})
    assert not signed_in(client)
    enrol = reverse("tracker:enrol_two_factor")
    for url in ("/admin/", "/report/", "/review/", "/start/"):
        assert client.get(url)["Location"] == enrol, url


def test_signed_in_without_a_verified_device_sees_no_admin(two_factor, client, world):
    client.force_login(world.focal_kh)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:enrol_two_factor")  # none yet: set one up
    TOTPDevice.objects.create(user=world.focal_kh, name="phone", confirmed=True)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert LOGIN_URL in response["Location"]  # one to use: sign in with it


def test_totp_token_completes_the_sign_in(two_factor, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off between the two tries below
    device = TOTPDevice.objects.create(user=world.focal_kh, name="phone", confirmed=True)
    client = Client()
    wrong = client.post(
        LOGIN_URL,
        {
            "username": "kim.cambodia",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": "000000",
        },
    )
    assert wrong.status_code == 200
    assert not signed_in(client)
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    client.post(
        LOGIN_URL,
        {
            "username": "kim.cambodia",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": token,
        },
    )
    assert signed_in(client)


def test_two_factor_is_off_unless_required(world):
    assert signed_in(sign_in("kim.cambodia", PASSWORD))


def test_command_gives_a_user_an_authenticator_device(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("add_totp_device", "kim.cambodia", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    assert TOTPDevice.objects.get(user=world.focal_kh).confirmed
