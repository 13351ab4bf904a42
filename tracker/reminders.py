"""Daily deadline reminders to focal points, at most once a day per deadline and person."""

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import links, outbox, permissions
from tracker.languages import language_for
from tracker.models import Deadline, DeadlineReminder


def send_deadline_reminders(*, days: int = 14, today=None) -> list[tuple[str, int]]:
    """Write the reminders due today to the outbox; returns (email, number of deadlines)
    per email."""
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
        with transaction.atomic():  # the reminders recorded and the email kept together
            fresh = [d for d in deadlines if _claim(d, user, today)]
            if fresh:
                with translation.override(language_for(user)):  # the recipient's
                    subject, body = _subject(fresh, today), _body(user, fresh, today)
                outbox.keep(EmailMessage(subject, body, None, [user.email]))
                sent.append((user.email, len(fresh)))
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
    count = len(deadlines)
    overdue = sum(d.due_date < today for d in deadlines)
    if overdue:
        subject = ngettext(
            "[GCM Tracker] %(count)s follow-up deadline(s) due, %(overdue)s overdue",
            "[GCM Tracker] %(count)s follow-up deadline(s) due, %(overdue)s overdue",
            count,
        )
    else:
        subject = ngettext(
            "[GCM Tracker] %(count)s follow-up deadline(s) due",
            "[GCM Tracker] %(count)s follow-up deadline(s) due",
            count,
        )
    return subject % {"count": count, "overdue": overdue}


def _body(user, deadlines, today) -> str:
    lines = [_("Dear %(name)s,") % {"name": user.get_full_name() or user.username}, ""]
    lines.append(_("These follow-up deadlines of your countries are due soon or overdue:"))
    lines.append("")
    for deadline in deadlines:
        if deadline.due_date < today:
            line = _("OVERDUE %(date)s: %(description)s (%(commitment)s) %(link)s")
        else:
            line = _("due %(date)s: %(description)s (%(commitment)s) %(link)s")
        shown = {
            "date": date_format(deadline.due_date),
            "description": deadline.description,
            "commitment": deadline.commitment,
            "link": links.page("tracker:report_progress", deadline.commitment_id),
        }
        lines.append(f"- {line % shown}")
    lines += ["", _("Report progress, and move or close a deadline, with the link of each.")]
    return "\n".join(lines)
