"""Emails about progress updates and deadlines. Sent after the transaction commits.

Who receives them is asked of tracker.permissions: reviewers are the network staff.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from tracker import links, permissions


def staff_reviewer_emails() -> list[str]:
    users = permissions.network_staff_users().exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _send_later(subject: str, body: str, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def _update_url(update) -> str:
    return links.absolute(reverse("admin:tracker_progressupdate_change", args=[update.pk]))


def _review_url(update) -> str:
    return links.absolute(reverse("tracker:review_update", args=[update.pk]))


def _report_url(update) -> str:
    return links.absolute(reverse("tracker:report_progress", args=[update.commitment_id]))


def update_submitted(update) -> None:
    commitment = update.commitment
    _send_later(
        f"[GCM Tracker] Waiting for review: {commitment}",
        f"{update.author} submitted a progress update for {commitment}.\n\n"
        f"Status: {update.get_status_display()}\n\n{update.narrative}\n\n"
        f"Review it (accept it, or return it with a comment): {_review_url(update)}\n",
        staff_reviewer_emails(),
    )


def updates_submitted(updates, *, by) -> None:
    """Many at once (a spreadsheet upload): one email for all of them."""
    if len(updates) == 1:
        update_submitted(updates[0])
        return
    changelist = links.absolute(reverse("tracker:review_queue"))
    lines = "\n".join(
        f"- {update.commitment}: {update.get_status_display()}" for update in updates[:50]
    )
    more = f"\n… and {len(updates) - 50} more.\n" if len(updates) > 50 else "\n"
    _send_later(
        f"[GCM Tracker] {len(updates)} updates to review from {by}",
        f"{by} submitted {len(updates)} progress updates in a spreadsheet upload.\n\n"
        f"{lines}{more}\nReview them: {changelist}\n",
        staff_reviewer_emails(),
    )


def update_reviewed(update) -> None:
    """Accepted or returned: the author is told (unless they reviewed it themselves)."""
    if not update.author.email or update.author_id == update.reviewer_id:
        return
    if update.is_public:
        verdict = "Accepted"
        what_next = "It is now public on the tracker."
    else:
        verdict = "Returned to you"
        what_next = (
            "Nothing of it is public. Correct it as the comment says, then resubmit it for review."
        )
    comment = (
        f"\nComment from {update.reviewer}:\n{update.review_comment}\n"
        if update.review_comment
        else ""
    )
    _send_later(
        f"[GCM Tracker] {verdict}: your update on {update.commitment}",
        f"Your progress update on {update.commitment} was reviewed: {verdict.lower()}.\n"
        f"{what_next}\n{comment}\nOpen it: {_report_url(update)}\n",
        [update.author.email],
    )


def update_withdrawn(update, *, was: str) -> None:
    """By its author before review (the reviewers are told it no longer waits), or by
    staff after it was published (the author is told why)."""
    State = update.ReviewState
    if was == State.ACCEPTED:
        if update.author.email and update.author_id != update.withdrawn_by_id:
            _send_later(
                f"[GCM Tracker] Withdrawn: your update on {update.commitment}",
                f"{update.withdrawn_by} withdrew your published progress update on "
                f"{update.commitment}. The public timeline shows that it was withdrawn, "
                f"and why:\n\n{update.withdrawal_reason}\n\nSee it: {_update_url(update)}\n",
                [update.author.email],
            )
    elif was == State.SUBMITTED:
        _send_later(
            f"[GCM Tracker] Withdrawn before review: {update.commitment}",
            f"{update.author} withdrew their progress update on {update.commitment}; "
            f"it no longer waits for review.\n\n{_update_url(update)}\n",
            staff_reviewer_emails(),
        )


def invitation(user, *, by) -> None:
    """A new person is invited to choose their password (the link works for
    PASSWORD_RESET_TIMEOUT: three days), then to sign in."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = links.absolute(reverse("password_reset_confirm", args=[uid, token]))
    roles_held = []
    if permissions.is_network_staff(user):
        roles_held.append("network staff")
    countries = sorted(c.name for c in user.focal_countries.all())
    if countries:
        roles_held.append("focal point for " + ", ".join(countries))
    role = f" as {' and '.join(roles_held)}" if roles_held else ""
    _send_later(
        "[GCM Tracker] You are invited to report on the GCM recommendations",
        f"Dear {user.get_full_name() or user.username},\n\n"
        f"{by.get_full_name() or by.username} has given you an account on GCM Tracker{role}.\n\n"
        f"Choose your password here (the link works for three days):\n{link}\n\n"
        f"Your username is: {user.username}\n"
        f"Then sign in: {links.absolute(reverse('tracker:start'))}\n",
        [user.email],
    )


def round_reminders(reporting_round) -> int:
    """One email per focal point of a country with gaps in the round, listing them: no
    update since the round opened, or one returned for changes. Returns how many."""
    from django.utils.formats import date_format

    gaps = reporting_round.gaps().select_related("recommendation", "country")
    by_country: dict[int, list] = {}
    for commitment in gaps.order_by("recommendation__code"):
        by_country.setdefault(commitment.country_id, []).append(commitment)
    sent = 0
    for user in permissions.focal_point_users(by_country).exclude(email=""):
        mine = [
            c
            for country in sorted(by_country)
            for c in by_country[country]
            if country in permissions.focal_country_ids(user)
        ]
        lines = "\n".join(
            f"- {c.recommendation.code} · {c.country.name}: "
            f"{'returned to you' if c.standing == 'returned' else 'no update yet'}\n"
            f"  {links.absolute(reverse('tracker:report_progress', args=[c.pk]))}"
            for c in mine
        )
        _send_later(
            f"[GCM Tracker] {reporting_round.name}: {len(mine)} commitments to report on",
            f"Dear {user.get_full_name() or user.username},\n\n"
            f"Network staff opened the reporting round “{reporting_round.name}” on "
            f"{date_format(reporting_round.opened_on)}; it is due by "
            f"{date_format(reporting_round.due_date)}. These commitments still need an "
            f"update from you:\n\n{lines}\n",
            [user.email],
        )
        sent += 1
    return sent
