"""Emails are written in their recipient's language: the one they chose, or their first
country's; each language among several recipients gets its own email."""

import datetime as dt
import re

import pytest
from django.core import mail

from tests.factories import make_deadline, make_focal_point, make_staff, make_update
from tracker import review
from tracker.models import Profile
from tracker.reminders import send_deadline_reminders

pytestmark = pytest.mark.django_db(transaction=True)

THAI = "\u0e00-\u0e7f"


def thai(text: str) -> bool:
    return bool(re.search(f"[{THAI}]", text))


def test_a_thai_focal_point_reads_their_emails_in_thai(world):
    tida = make_focal_point("somchai.thailand", world.thailand, language="")  # never chose
    update = make_update(world.th_32, tida, narrative="รายงาน")
    review.return_for_changes(update, by=world.staff, comment="แก้ไข", seen_version=update.version)
    make_deadline(world.th_32, world.staff, due_date=dt.date.today() + dt.timedelta(days=3))
    send_deadline_reminders(days=14)

    theirs = [m for m in mail.outbox if m.to == [tida.email]]
    assert len(theirs) == 2  # the returned update, the deadline reminder
    for message in theirs:
        assert thai(message.subject) and thai(message.body), message.subject
        assert "/th/report/" in message.body  # links open the Thai pages


def test_each_reviewer_reads_in_their_own_language(world):
    thai_staff = make_staff("malee.staff")
    Profile.objects.create(user=thai_staff, language="th")
    make_update(world.kh_32, world.focal_kh, narrative="Work has begun.")
    waiting = [m for m in mail.outbox if "/review/" in m.body]
    by_language = {thai(m.subject): m for m in waiting}
    assert set(by_language) == {True, False}  # one Thai email, one English
    assert by_language[True].to == [thai_staff.email]
    assert world.staff.email in by_language[False].to
    assert "Waiting for review" in by_language[False].subject
