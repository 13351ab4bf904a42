"""Daily deadline reminders to focal points, at most once a day per deadline and person."""

import logging
import smtplib

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from tracker import links, permissions
from tracker.models import Deadline, DeadlineReminder

logger = logging.getLogger(__name__)


def send_deadline_reminders(*, days: int = 14, today=None) -> list[tuple[str, int]]:
    """Send the reminders due today; returns (email, number of deadlines) per email sent."""
    today = today or timezone.localdate()
    due = (
        Deadline.objects.public()
        .due_within(days, today=today)
        .select_related("commitment__recommendation", "commitment__country")
        .order_by("due_date")
    )
    sent = []
    for user in permissions.focal_point_users().exclude(email=""):
        countries = permissions.focal_country_ids(user)
        deadlines = [d for d in due if d.commitment.country_id in countries]
        try:
            with transaction.atomic():  # a failed send un-records it, to be retried next run
                fresh = [d for d in deadlines if _claim(d, user, today)]
                if fresh:
                    body = _body(user, fresh, today)
                    send_mail(_subject(fresh, today), body, None, [user.email])
                    sent.append((user.email, len(fresh)))
        except (OSError, smtplib.SMTPException):
            # One refused address must not stop the reminders of everyone else.
            logger.exception("Could not send deadline reminders to %s", user.email)
    return sent


def _claim(deadline, user, today) -> bool:
    """Record the reminder; False when one was already sent today."""
    try:
        with transaction.atomic():
            DeadlineReminder.objects.create(deadline=deadline, user=user, sent_on=today)
    except IntegrityError:
        return False
    return True


def _subject(deadlines, today) -> str:
    overdue = sum(d.due_date < today for d in deadlines)
    return f"[GCM Tracker] {len(deadlines)} follow-up deadline(s) due" + (
        f", {overdue} overdue" if overdue else ""
    )


def _body(user, deadlines, today) -> str:
    lines = [f"Dear {user.get_full_name() or user.username},", ""]
    lines.append("These follow-up deadlines of your countries are due soon or overdue:")
    lines.append("")
    for deadline in deadlines:
        state = "OVERDUE" if deadline.due_date < today else "due"
        url = links.page("tracker:report_progress", deadline.commitment_id)
        lines.append(
            f"- {state} {date_format(deadline.due_date)}: {deadline.description} "
            f"({deadline.commitment}) {url}"
        )
    lines += ["", "Report progress, and move or close a deadline, with the link of each."]
    return "\n".join(lines)
