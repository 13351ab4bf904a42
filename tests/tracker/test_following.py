"""Following a country or a recommendation by email: double opt-in, one digest a day at
most, one-click unsubscribe that deletes the address, the same answer whatever the
address, a rate-limited form, and addresses only network staff see."""

import datetime as dt
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_update
from tracker import review, tasks
from tracker.following import service
from tracker.models import Email, Subscription

pytestmark = pytest.mark.django_db(transaction=True)

KH = "/countries/kh/follow/"
R31 = "/recommendations/BM22-R31/follow/"
CHECK_INBOX = "Check your inbox."


def ask(client, url: str, email: str, address: str = "198.51.100.7"):
    return client.post(url, {"email": email}, REMOTE_ADDR=address)


def links_in(message) -> dict[str, str]:
    found = re.findall(r"http://\S+/follow/(confirm|stop)/(\S+)/", message.body)
    return {kind: f"/follow/{kind}/{key}/" for kind, key in found}


def confirmed(client, email: str, url: str = KH) -> Subscription:
    ask(client, url, email)
    confirm = links_in(mail.outbox[-1])["confirm"]
    assert client.post(confirm).status_code == 200
    return Subscription.objects.get(email=email)


def accept(update, staff):
    review.accept(update, by=staff, seen_version=update.version)


def digests() -> list:
    """The digests sent (not the emails of the review itself)."""
    return [m for m in mail.outbox if m.subject.startswith("GCM Tracker:")]


def test_following_a_country_starts_with_a_confirmation(
    client, world, django_assert_max_num_queries
):
    page = client.get(reverse("tracker:country_detail", args=["kh"])).text
    assert f'action="{KH}"' in page and 'href="/follow/privacy/"' in page
    with django_assert_max_num_queries(13):
        answer = ask(client, KH, "Ana@Example.org")
    assert answer.status_code == 200 and CHECK_INBOX in answer.text
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject == "Confirm: follow Cambodia on the GCM Tracker"
    links = links_in(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{links['stop']}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/follow/privacy/" in message.body
    subscription = Subscription.objects.get()
    assert subscription.country == world.cambodia and subscription.confirmed_at is None

    # Opening the link does not confirm (mail scanners open links); the button does.
    with django_assert_max_num_queries(4):
        opened = client.get(links["confirm"])
    assert opened.status_code == 200 and "Yes, follow it" in opened.text
    assert Subscription.objects.get().confirmed_at is None
    done = client.post(links["confirm"])
    assert "You follow Cambodia." in done.text
    assert Subscription.objects.get().confirmed_at is not None


def test_the_answer_is_the_same_whether_or_not_the_address_follows(client, world):
    def answer(email):
        text = ask(client, KH, email).text
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    new = answer("new@example.org")
    confirmed(Client(), "old@example.org")
    already = answer("old@example.org")
    again = answer("new@example.org")  # unconfirmed, asked again at once
    assert new == already == again
    assert [m.to for m in mail.outbox] == [["new@example.org"], ["old@example.org"]]


def test_a_flood_of_requests_for_one_address_sends_one_email(client, world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(30):  # from many addresses, past the limit of each
        client.post(KH, {"email": "target@example.org"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert len(mail.outbox) == 1
    # Across many things followed, an address gets at most FOLLOW_CONFIRMATIONS_PER_DAY.
    for code in ("R31", "R32", "R33", "R34", "R35", "R36", "R37", "R38"):
        client.post(f"/recommendations/BM22-{code}/follow/", {"email": "target@example.org"})
    assert len(mail.outbox) == settings.FOLLOW_CONFIRMATIONS_PER_DAY


def test_the_form_is_rate_limited_per_address(client, world, settings):
    settings.FOLLOW_RATE = "3/hour"
    for n in range(3):
        assert ask(client, KH, f"person{n}@example.org").status_code == 200
    refused = ask(client, KH, "one.more@example.org")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests from your connection" in refused.text
    assert not Subscription.objects.filter(email="one.more@example.org").exists()
    assert ask(client, KH, "other@example.org", address="198.51.100.99").status_code == 200


@pytest.mark.parametrize(
    "email, message",
    [("", "Give your email address."), ("not-an-address", "Give an email address such as")],
)
def test_a_bad_address_is_refused_in_plain_words(client, world, email, message):
    answer = ask(client, KH, email)
    assert answer.status_code == 200 and message in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert not Subscription.objects.exists() and not mail.outbox


def test_one_digest_a_day_lists_what_was_accepted_since_the_last(client, world):
    ana = confirmed(client, "ana@example.org")
    confirmed(client, "rec@example.org", url=R31)
    mail.outbox.clear()
    kh = make_update(world.kh_31, world.focal_kh, narrative="Border posts apply one rule.")
    th = make_update(world.th_31, world.focal_th, narrative="Thai decree on recruitment.")
    make_update(world.kh_32, world.focal_kh, narrative="Still waiting for review.")
    accept(kh, world.staff)
    accept(th, world.staff)

    call_command("send_digests")
    call_command("send_digests")  # the same day: nothing twice

    by_address = {m.to[0]: m for m in digests()}
    assert len(digests()) == 2
    digest = by_address["ana@example.org"]
    assert digest.subject == "GCM Tracker: 1 new on Cambodia"
    assert "Border posts apply one rule." in digest.body
    assert "Thai decree" not in digest.body and "Still waiting" not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/follow/stop/{ana.key}/" in digest.body
    assert "/recommendations/BM22-R31/#kh" in digest.body
    both = by_address["rec@example.org"].body  # R31 in Cambodia and in Thailand
    assert "Border posts apply one rule." in both and "Thai decree" in both

    # The next day: only what was accepted since.
    later = make_update(
        world.kh_32, world.focal_kh, narrative="Inspections started.", status="planned"
    )
    accept(later, world.staff)
    mail.outbox.clear()
    service.send_digests(timezone.now() + dt.timedelta(days=1))
    [next_one] = digests()
    assert next_one.to == ["ana@example.org"]
    assert "Inspections started." in next_one.body and "Border posts" not in next_one.body


def test_an_address_that_fails_does_not_stop_the_others_and_is_tried_again(world, monkeypatch):
    for email in ("bad@example.org", "good@example.org"):
        confirmed(Client(), email)
    mail.outbox.clear()
    accept(make_update(world.kh_31, world.focal_kh, narrative="Done."), world.staff)
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["bad@example.org"]:
            raise OSError("refused by the mail server")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    assert service.send_digests() == 2
    assert [m.to for m in digests()] == [["good@example.org"]]
    [waiting] = Email.objects.unsent()
    assert waiting.to == ["bad@example.org"] and "refused by the mail server" in waiting.last_error
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    tasks.send_email.call(waiting.pk)  # as its retry does
    assert sorted(m.to[0] for m in digests()) == ["bad@example.org", "good@example.org"]
    assert service.send_digests() == 0  # the same day: nothing twice


def test_stopping_takes_one_click_and_leaves_no_trace(world):
    ana = confirmed(Client(), "ana@example.org")
    stop = f"/follow/stop/{ana.key}/"
    # A mail client's own button: a POST without any cookie or CSRF token (RFC 8058).
    strict = Client(enforce_csrf_checks=True)
    answer = strict.post(
        stop, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200 and "your address has been deleted" in answer.text
    assert not Subscription.objects.exists()
    assert not LogEntry.objects.filter(object_repr__icontains="ana@").exists()
    assert "no longer works" not in strict.get(stop).text  # says it is stopped, again


def test_the_link_in_an_email_asks_once_then_stops(world):
    ana = confirmed(Client(), "ana@example.org")
    client = Client()
    page = client.get(f"/follow/stop/{ana.key}/")
    assert "Stop and delete my address" in page.text
    assert Subscription.objects.exists()
    client.post(f"/follow/stop/{ana.key}/")
    assert not Subscription.objects.exists()


def test_unconfirmed_addresses_are_deleted_after_some_days(client, world, settings):
    ask(client, KH, "never@example.org")
    confirmed(Client(), "kept@example.org")
    later = timezone.now() + dt.timedelta(days=settings.FOLLOW_UNCONFIRMED_DAYS, hours=1)
    assert service.delete_unconfirmed(timezone.now()) == 0
    assert service.delete_unconfirmed(later) == 1
    assert list(Subscription.objects.values_list("email", flat=True)) == ["kept@example.org"]
    unknown = client.get(links_in(mail.outbox[0])["confirm"])
    assert unknown.status_code == 404 and "no longer works" in unknown.text


def test_addresses_are_seen_by_network_staff_only(client, world):
    confirmed(Client(), "ana@example.org")
    changelist = reverse("admin:tracker_subscription_changelist")
    client.force_login(world.staff)
    assert "ana@example.org" in client.get(changelist).text
    assert client.get(reverse("admin:tracker_subscription_add")).status_code == 403
    client.force_login(world.focal_kh)
    assert client.get(changelist).status_code == 403


def test_the_privacy_notice_says_what_is_kept_and_for_how_long(
    client, world, settings, django_assert_max_num_queries
):
    settings.FOLLOW_UNCONFIRMED_DAYS = 5
    with django_assert_max_num_queries(3):
        page = client.get(reverse("tracker:follow_privacy"))
    assert "not confirmed within 5 days is deleted" in page.text
    assert "Only the network staff" in page.text
    form = client.get(KH).text
    assert 'href="/follow/privacy/"' in form


def test_following_something_that_is_not_there_is_404(client, world):
    assert client.post("/countries/zz/follow/", {"email": "a@example.org"}).status_code == 404
    assert (
        client.post("/recommendations/NOPE/follow/", {"email": "a@example.org"}).status_code == 404
    )
    assert not Subscription.objects.exists()
