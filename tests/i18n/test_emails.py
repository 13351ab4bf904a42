"""Emails are written in their recipient's language: the one they chose, or their first
country's; each language among several recipients gets its own email."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from tests.factories import make_deadline, make_focal_point, make_staff, make_update
from tests.i18n.test_pages_in_every_language import (  # noqa: F401 (the fixture, shared)
    COUNTRY_WORDS,
    NAMES,
    PSEUDO,
    WORD,
    pseudo_language,
)
from tracker import notifications, review
from tracker.following import service as following
from tracker.following.service import send_digests
from tracker.models import Profile, ReportingRound, Subscription
from tracker.reminders import send_deadline_reminders

pytestmark = pytest.mark.django_db(transaction=True)

THAI = "\u0e00-\u0e7f"
URL = re.compile(r"https?://\S+")


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


@pytest.mark.usefixtures("pseudo_language")
def test_no_email_holds_text_never_marked_for_translation(world):
    """Every kind of email, written in the pseudo-language (each translation the English
    with its letters changed): a plain English word left in one is a string that was never
    marked for translation."""
    KHMER = "វឌ្ឍនភាព"  # what people wrote, and their names: not the site's words
    for user in (world.staff, world.focal_kh):
        Profile.objects.update_or_create(user=user, defaults={"language": PSEUDO})
        user.first_name, user.last_name = KHMER, KHMER
        user.save()
    Subscription.objects.create(
        email="ana@example.org",
        country=world.cambodia,
        key=Subscription.new_key(),
        language=PSEUDO,
        confirmed_at=timezone.now() - dt.timedelta(days=1),
        covered_until=timezone.now() - dt.timedelta(days=1),
    )
    mail.outbox.clear()

    waiting = make_update(world.kh_32, world.focal_kh, narrative=KHMER)  # to staff
    review.return_for_changes(waiting, by=world.staff, comment=KHMER, seen_version=waiting.version)
    accepted = make_update(world.kh_31, world.focal_kh, narrative=KHMER)
    review.accept(accepted, by=world.staff, seen_version=accepted.version)
    review.withdraw(accepted, by=world.staff, reason=KHMER)
    make_deadline(
        world.kh_31,
        world.staff,
        due_date=dt.date.today() + dt.timedelta(days=3),
        description=KHMER,
    )
    send_deadline_reminders(days=14)
    invited = make_focal_point("new.cambodia", world.cambodia, language=PSEUDO)
    notifications.invitation(invited, by=world.staff)
    reporting_round = ReportingRound.objects.create(
        name=KHMER, due_date=dt.date.today() + dt.timedelta(days=30), created_by=world.staff
    )
    reporting_round.countries.set([world.cambodia])
    notifications.round_reminders(reporting_round)
    make_update(world.kh_31, world.focal_kh, narrative=KHMER, accepted_by=world.staff)
    send_digests()
    with translation.override(PSEUDO):  # asked on a page in this language
        following.ask("ben@example.org", world.cambodia)

    content = {
        *(str(c.recommendation.short_title) for c in world.kh_31.country.commitments.all()),
    }
    unmarked, kinds = [], set()
    for message in mail.outbox:
        kinds.add(message.subject.split(":")[0])
        text = f"{message.subject}\n{message.body}"
        for piece in content:
            text = text.replace(piece, "")
        text = URL.sub("", text)
        words = set(WORD.findall(text)) - NAMES - COUNTRY_WORDS
        if words:
            unmarked.append(f"{message.subject!r}: {', '.join(sorted(words))}")
    assert len(kinds) >= 8, kinds  # review, returned, accepted, withdrawn, reminder, …
    assert not unmarked, "\n".join(unmarked)
