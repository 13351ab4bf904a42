"""Daily reminders to focal points of their countries' deadlines that are due soon or overdue."""

import datetime as dt
import smtplib
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_deadline, make_focal_point, make_user
from tracker import tasks
from tracker.models import Email, FocalPoint
from tracker.reminders import send_deadline_reminders

# Real transactions: reminders are sent once what claims them is committed.
pytestmark = pytest.mark.django_db(transaction=True)


def days_from_today(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_deadline_reminders", *args, stdout=out)
    return out.getvalue()


def mail_to(outbox, user):
    """The one email sent to `user`."""
    mails = [mail for mail in outbox if user.email in mail.to]
    assert len(mails) == 1, [mail.to for mail in outbox]
    return mails[0]


@pytest.fixture
def deadlines(world):
    """Open, done and far-off deadlines of Cambodia and Thailand."""
    kh, th = world.focal_kh, world.focal_th
    return {
        "kh_soon": make_deadline(
            world.kh_31, kh, due_date=days_from_today(10), description="Draft the circular"
        ),
        "kh_overdue": make_deadline(
            world.kh_32, kh, due_date=days_from_today(-3), description="Brief the ministry"
        ),
        "kh_done": make_deadline(
            world.kh_31, kh, due_date=days_from_today(2), description="Hold the workshop",
            is_done=True,
        ),
        "kh_later": make_deadline(
            world.kh_31, kh, due_date=days_from_today(25), description="Publish the guidance"
        ),
        "th_soon": make_deadline(
            world.th_31, th, due_date=days_from_today(5), description="Consult the unions"
        ),
    }  # fmt: skip


def test_each_focal_point_is_emailed_their_own_countrys_deadlines(world, deadlines, mailoutbox):
    output = run()
    assert len(mailoutbox) == 2
    kh_mail = mail_to(mailoutbox, world.focal_kh)
    assert kh_mail.to == [world.focal_kh.email]
    assert "Draft the circular" in kh_mail.body
    assert "Brief the ministry" in kh_mail.body
    assert "Consult the unions" not in kh_mail.body
    th_mail = mail_to(mailoutbox, world.focal_th)
    assert "Consult the unions" in th_mail.body
    assert "Draft the circular" not in th_mail.body
    assert "Brief the ministry" not in th_mail.body
    assert "Sent 2 reminder email(s)." in output
    assert f"{world.focal_kh.email}: 2 deadline(s)" in output


def test_done_deadlines_and_those_beyond_the_window_are_not_mentioned(world, deadlines, mailoutbox):
    run()
    body = mail_to(mailoutbox, world.focal_kh).body
    assert "Hold the workshop" not in body
    assert "Publish the guidance" not in body


def test_overdue_deadlines_are_marked_overdue(world, deadlines, mailoutbox):
    run()
    mail = mail_to(mailoutbox, world.focal_kh)
    overdue = days_from_today(-3)
    soon = days_from_today(10)
    # Dates as on every page: "27 Nov 2026".
    assert f"- OVERDUE {overdue.day} {overdue:%b %Y}: Brief the ministry" in mail.body
    assert f"- due {soon.day} {soon:%b %Y}: Draft the circular" in mail.body
    assert mail.subject == "[GCM Tracker] 2 follow-up deadline(s) due, 1 overdue"


def test_reminder_links_to_the_commitments_report_form(world, deadlines, mailoutbox, settings):
    settings.SITE_URL = "https://tracker.example.org/"
    run()
    body = mail_to(mailoutbox, world.focal_kh).body
    url = reverse("tracker:report_progress", args=[world.kh_31.pk])
    assert f"https://tracker.example.org{url}" in body


def test_deadline_due_on_the_last_day_of_the_window_is_included(world, mailoutbox):
    make_deadline(world.kh_31, world.focal_kh, due_date=days_from_today(14))
    make_deadline(world.kh_32, world.focal_kh, due_date=days_from_today(15), description="Too far")
    run()
    body = mail_to(mailoutbox, world.focal_kh).body
    assert "Report to the network" in body
    assert "Too far" not in body


def test_wider_window_includes_later_deadlines(world, deadlines, mailoutbox):
    run("--days", "30")
    body = mail_to(mailoutbox, world.focal_kh).body
    assert "Publish the guidance" in body
    assert "Draft the circular" in body
    assert "Hold the workshop" not in body


def test_narrower_window_still_reminds_of_overdue_deadlines(world, deadlines, mailoutbox):
    run("--days", "1")
    kh_mail = mail_to(mailoutbox, world.focal_kh)
    assert "Brief the ministry" in kh_mail.body
    assert "Draft the circular" not in kh_mail.body
    assert not [mail for mail in mailoutbox if world.focal_th.email in mail.to]


def test_second_run_the_same_day_sends_nothing(world, deadlines, mailoutbox):
    run()
    assert len(mailoutbox) == 2
    output = run()
    assert len(mailoutbox) == 2
    assert "Sent 0 reminder email(s)." in output


def test_deadline_added_after_the_days_run_is_reminded_alone(world, deadlines, mailoutbox):
    run()
    make_deadline(
        world.kh_32, world.focal_kh, due_date=days_from_today(7), description="Late addition"
    )
    run()
    assert len(mailoutbox) == 3
    body = mailoutbox[-1].body
    assert mailoutbox[-1].to == [world.focal_kh.email]
    assert "Late addition" in body
    assert "Draft the circular" not in body


def test_reminders_are_sent_again_the_next_day(world, deadlines, mailoutbox):
    today = timezone.localdate()
    send_deadline_reminders(days=14, today=today)
    assert len(mailoutbox) == 2
    assert send_deadline_reminders(days=14, today=today) == []
    sent = send_deadline_reminders(days=14, today=today + dt.timedelta(days=1))
    assert sorted(sent) == [(world.focal_kh.email, 2), (world.focal_th.email, 1)]
    assert len(mailoutbox) == 4


def test_deadline_becomes_overdue_in_a_later_reminder(world, mailoutbox):
    make_deadline(world.kh_31, world.focal_kh, due_date=dt.date(2030, 5, 10))
    send_deadline_reminders(days=14, today=dt.date(2030, 5, 1))
    send_deadline_reminders(days=14, today=dt.date(2030, 5, 12))
    first, second = mailoutbox
    assert "- due 10 May 2030: Report to the network" in first.body
    assert "- OVERDUE 10 May 2030: Report to the network" in second.body


def test_focal_point_without_email_gets_nothing_and_others_still_do(world, deadlines, mailoutbox):
    world.focal_kh.email = ""
    world.focal_kh.save()
    output = run()
    assert [mail.to for mail in mailoutbox] == [[world.focal_th.email]]
    assert "Sent 1 reminder email(s)." in output


def test_inactive_focal_point_gets_nothing(world, deadlines, mailoutbox):
    world.focal_kh.is_active = False
    world.focal_kh.save()
    run()
    assert [mail.to for mail in mailoutbox] == [[world.focal_th.email]]


def test_staff_are_not_emailed_deadline_reminders(world, deadlines, mailoutbox):
    run()
    recipients = {address for mail in mailoutbox for address in mail.to}
    assert world.staff.email not in recipients
    assert recipients == {world.focal_kh.email, world.focal_th.email}


def test_people_without_a_country_are_not_emailed(world, deadlines, mailoutbox, outsider):
    run()
    recipients = {address for mail in mailoutbox for address in mail.to}
    assert outsider.email not in recipients


def test_focal_point_of_two_countries_gets_one_email_with_both(world, deadlines, mailoutbox):
    both = make_focal_point("lan.regional", world.cambodia, world.thailand)
    run()
    mail = mail_to(mailoutbox, both)
    assert "Draft the circular" in mail.body
    assert "Consult the unions" in mail.body


def test_every_focal_point_of_a_country_is_reminded(world, deadlines, mailoutbox):
    alternate = make_user("alex.alternate", is_staff=True)
    FocalPoint.objects.create(country=world.cambodia, user=alternate, role="Alternate")
    run()
    assert "Draft the circular" in mail_to(mailoutbox, alternate).body
    assert "Draft the circular" in mail_to(mailoutbox, world.focal_kh).body


def test_nothing_is_sent_when_nothing_is_due(world, mailoutbox):
    make_deadline(world.kh_31, world.focal_kh, due_date=days_from_today(60))
    output = run()
    assert mailoutbox == []
    assert "Sent 0 reminder email(s)." in output


def test_mail_refused_for_one_focal_point_still_reaches_the_others(
    world, deadlines, mailoutbox, monkeypatch
):
    real_send = mail.EmailMessage.send

    def refuse_kim(message, *args, **kwargs):
        if message.to == [world.focal_kh.email]:
            raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", refuse_kim)
    send_deadline_reminders(days=14)
    assert [m.to for m in mailoutbox] == [[world.focal_th.email]]
    [waiting] = Email.objects.unsent()
    assert waiting.to == [world.focal_kh.email] and "SMTPRecipientsRefused" in waiting.last_error


def test_focal_point_whose_mail_failed_is_reminded_when_it_is_retried(
    world, deadlines, mailoutbox, monkeypatch
):
    def refuse(message, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    send_deadline_reminders(days=14)
    monkeypatch.undo()
    assert mailoutbox == [] and Email.objects.unsent().count() == 2
    run()  # a second run the same day writes nothing more
    assert mailoutbox == [] and Email.objects.count() == 2
    for waiting in Email.objects.unsent():
        tasks.send_email.call(waiting.pk)  # as its retry does
    assert mail_to(mailoutbox, world.focal_kh)
    assert mail_to(mailoutbox, world.focal_th)
