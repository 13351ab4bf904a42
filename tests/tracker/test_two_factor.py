"""Two-step sign-in, when required: a person enrols their own authenticator on first
sign-in and gets recovery codes, each good once."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.forms import form_data

LOGIN_URL = reverse("admin:login")
ENROL_URL = reverse("tracker:enrol_two_factor")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def two_factor(settings):
    settings.REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_of(device, drift: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def enrolled(client, user) -> list[str]:
    """Sign in with the password, scan, confirm; the recovery codes shown."""
    client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD})
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    assert "<svg" in page.text
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL_URL, {"token": code_of(device)})
    assert response["Location"] == reverse("tracker:recovery_codes")
    codes_page = client.get(response["Location"])
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", codes_page.text)


def test_first_sign_in_enrols_an_authenticator_and_shows_recovery_codes_once(two_factor, world):
    client = Client()
    codes = enrolled(client, world.focal_kh)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert TOTPDevice.objects.get(user=world.focal_kh).confirmed
    # Verified now: the reporting area opens.
    assert client.get(reverse("tracker:my_commitments")).status_code == 200
    # The codes are not shown again.
    again = client.get(reverse("tracker:recovery_codes"))
    assert again.status_code == 302


def test_a_wrong_code_is_explained_and_enrols_nothing(two_factor, world):
    client = Client()
    client.post(LOGIN_URL, {"username": "kim.cambodia", "password": PASSWORD})
    client.get(ENROL_URL)
    response = client.post(ENROL_URL, {"token": "000000"})
    assert response.status_code == 200
    assert "not the one your app shows now" in response.text
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get(reverse("tracker:my_commitments"))["Location"] == ENROL_URL


def test_after_enrolment_a_sign_in_needs_the_code_or_a_recovery_code_once(two_factor, world):
    codes = enrolled(Client(), world.focal_kh)
    device = TOTPDevice.objects.get(user=world.focal_kh)

    recovery = device.user.staticdevice_set.get()

    def sign_in(token, chosen) -> Client:
        client = Client()
        page = client.get(LOGIN_URL)
        data = form_data(page.text, "login-form", username="kim.cambodia", password=PASSWORD)
        data.update(otp_token=token, otp_device=chosen.persistent_id, next="/admin/")
        client.post(LOGIN_URL, data)
        return client

    reporting = reverse("tracker:my_commitments")
    assert sign_in("", device).get(reporting).status_code == 302
    assert sign_in(codes[0], recovery).get(reporting).status_code == 200
    assert sign_in(codes[0], recovery).get(reporting).status_code == 302  # used up
    # The app's next code (the one used to enrol is never accepted twice).
    assert sign_in(code_of(device, drift=1), device).get(reporting).status_code == 200


def test_without_two_factor_required_the_enrolment_page_is_not_needed(world):
    client = Client()
    client.force_login(world.focal_kh)
    assert client.get(ENROL_URL)["Location"] == reverse("tracker:start")
