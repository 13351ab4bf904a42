"""Getting in: network staff invite a person by email; anyone resets a forgotten password."""

import re

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.forms import form_data

User = get_user_model()
PERSON_ADD_URL = reverse("admin:tracker_person_add")
NEW_PASSWORD = "a long and fresh passphrase 42"


def link_in(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/reset/\S+/)", body).group(1)


def choose_password(link: str) -> Client:
    browser = Client()
    page = browser.get(link, follow=True)  # Django swaps the token for a session key
    assert page.status_code == 200
    assert 'name="new_password1"' in page.text
    response = browser.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    return browser


def test_staff_invite_a_focal_point_who_chooses_a_password_and_signs_in(
    staff_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    page = staff_client.get(PERSON_ADD_URL)
    assert 'name="send_invitation"' in page.text
    data = {
        **form_data(page.text, "person_form"),
        "username": "sara",
        "first_name": "Sara",
        "email": "sara@example.org",
        "usable_password": "false",
        "send_invitation": "on",
        "focal_countries": [str(world.cambodia.pk)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(PERSON_ADD_URL, data)
    assert response.status_code == 302
    sara = User.objects.get(username="sara")
    assert not sara.has_usable_password()
    [mail] = mailoutbox
    assert mail.to == ["sara@example.org"]
    # In Cambodia's language, as she has chosen none yet; her links open Khmer pages.
    assert "មន្ត្រីបង្គោលសម្រាប់ កម្ពុជា" in mail.body  # focal point for Cambodia
    assert "sara" in mail.body and "/km/start/" in mail.body

    choose_password(link_in(mail.body))
    browser = Client()
    assert browser.login(username="sara", password=NEW_PASSWORD)
    assert browser.get(reverse("tracker:start"))["Location"] == reverse("tracker:my_commitments")


def test_an_invitation_needs_an_email_address(staff_client, world, mailoutbox):
    page = staff_client.get(PERSON_ADD_URL)
    data = {
        **form_data(page.text, "person_form"),
        "username": "noemail",
        "usable_password": "false",
        "send_invitation": "on",
    }
    response = staff_client.post(PERSON_ADD_URL, data)
    assert response.status_code == 200
    assert "An invitation needs an email address." in response.text
    assert not User.objects.filter(username="noemail").exists()
    assert mailoutbox == []


def test_an_invitation_link_works_once(
    staff_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    page = staff_client.get(PERSON_ADD_URL)
    data = {
        **form_data(page.text, "person_form"),
        "username": "sara",
        "email": "sara@example.org",
        "usable_password": "false",
        "send_invitation": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(PERSON_ADD_URL, data)
    link = link_in(mailoutbox[0].body)
    choose_password(link)
    again = Client().get(link, follow=True)
    assert 'name="new_password1"' not in again.text


def test_a_forgotten_password_is_reset_by_email(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    login = client.get(reverse("admin:login"))
    assert reverse("admin_password_reset") in login.text  # "Forgotten your password?"
    response = client.post(reverse("admin_password_reset"), {"email": "kim.cambodia@example.org"})
    assert response.status_code == 302
    [mail] = mailoutbox
    choose_password(link_in(mail.body))
    assert Client().login(username="kim.cambodia", password=NEW_PASSWORD)


def test_a_reset_for_an_unknown_address_says_nothing_and_sends_nothing(client, world, mailoutbox):
    response = client.post(reverse("admin_password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mailoutbox == []
