"""Emails go through the outbox: written with the change, sent by a task, never twice."""

import datetime as dt
import smtplib

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tracker import outbox, tasks
from tracker.models import Email

pytestmark = pytest.mark.django_db


def message(to=("ana@example.org",)) -> EmailMessage:
    return EmailMessage("Subject", "Body\n", None, list(to), headers={"List-Unsubscribe": "<x>"})


def test_an_email_is_sent_once_with_the_same_message_id_however_often_it_is_tried(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = outbox.keep(message())
    [sent] = mailoutbox
    assert sent.to == ["ana@example.org"] and sent.subject == "Subject"
    assert sent.extra_headers["List-Unsubscribe"] == "<x>"
    assert sent.extra_headers["Message-ID"] == outbox.message_id(email)
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1
    assert outbox.deliver(email.pk) == "already sent"
    assert tasks.send_email.call(email.pk) == "already sent"
    assert len(mailoutbox) == 1


def test_an_email_to_nobody_is_not_kept():
    assert outbox.keep(message(to=())) is None
    assert not Email.objects.exists()


def test_a_refused_send_is_recorded_and_raised_so_that_the_task_is_retried(mailoutbox, monkeypatch):
    email = Email.objects.create(subject="S", body="B", to=["ana@example.org"])

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        outbox.deliver(email.pk)
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    monkeypatch.undo()
    assert outbox.deliver(email.pk) == "sent" and len(mailoutbox) == 1


def test_with_the_database_backend_the_task_is_written_in_the_changes_transaction():
    job = tasks.send_email.using(backend="database")
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.later(job, 1)
        assert DBTaskResult.objects.count() == 1  # before the commit
        raise RuntimeError("the change failed")
    assert not DBTaskResult.objects.exists()  # nor its task
    tasks.later(job, 1)
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "tracker.tasks.send_email" and queued.args_kwargs["args"] == [1]


def test_with_a_backend_that_runs_at_once_nothing_runs_before_the_commit(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        outbox.keep(message())
    assert mailoutbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1


def test_only_emails_sent_long_ago_are_forgotten():
    now = timezone.now()
    old = Email.objects.create(subject="old", body="", to=["a@example.org"], sent_at=now)
    Email.objects.filter(pk=old.pk).update(sent_at=now - dt.timedelta(days=31))
    Email.objects.create(subject="recent", body="", to=["a@example.org"], sent_at=now)
    Email.objects.create(subject="unsent", body="", to=["a@example.org"])
    assert outbox.forget_old(now) == 1
    assert sorted(Email.objects.values_list("subject", flat=True)) == ["recent", "unsent"]


def test_with_redis_down_an_acceptance_still_emails_its_author_and_pages_serve(
    world, settings, client, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import make_update
    from tracker import review

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing answers there
        }
    }
    update = make_update(world.kh_31, world.focal_kh, narrative="Circular issued.")
    with django_capture_on_commit_callbacks(execute=True):
        review.accept(update, by=world.staff, seen_version=update.version)
    assert [m.to for m in mailoutbox] == [[world.focal_kh.email]]
    [sent] = Email.objects.filter(sent_at__isnull=False)
    assert sent.to == [world.focal_kh.email]
    assert "Circular issued." in client.get("/recommendations/BM22-R31/").text
    # Kept in the database, a task does not need the cache either.
    tasks.later(tasks.send_email.using(backend="database"), sent.pk)
    assert DBTaskResult.objects.filter(task_path="tracker.tasks.send_email").exists()
