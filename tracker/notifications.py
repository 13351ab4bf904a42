"""Emails about progress updates and deadlines, written to the outbox with the change they
tell of and sent by the background worker (tracker.outbox).

Who receives them is asked of tracker.permissions: reviewers are the network staff.
Each email is written in its recipient's language (tracker.languages.language_for), links
included: `compose` is called once for each language among the recipients.
"""

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import links, outbox, permissions
from tracker.languages import by_language


def staff_reviewers() -> list:
    return list(permissions.network_staff_users().exclude(email="").order_by("pk"))


def _send_later(compose, recipients) -> None:
    """`compose()` gives (subject, body) in the active language; each group of recipients
    sharing a language gets one email in it, sent once the change is committed."""
    recipients = [user for user in recipients if user.email]
    for language, users in by_language(recipients).items():
        with translation.override(language):
            subject, body = compose()
        outbox.keep(EmailMessage(subject, body, None, sorted({user.email for user in users})))


def _lines(*lines: str) -> str:
    """An email's body: one line each ("" for a blank line), ending with a line break."""
    return "\n".join(map(str, lines)) + "\n"


def _name(user) -> str:
    return user.get_full_name() or user.username


def _update_url(update) -> str:
    return links.absolute(reverse("admin:tracker_progressupdate_change", args=[update.pk]))


def _review_url(update) -> str:
    return links.absolute(reverse("tracker:review_update", args=[update.pk]))


def _report_url(update) -> str:
    return links.absolute(reverse("tracker:report_progress", args=[update.commitment_id]))


def update_submitted(update) -> None:
    commitment = update.commitment
    _send_later(
        lambda: (
            _("[GCM Tracker] Waiting for review: %(commitment)s") % {"commitment": commitment},
            _lines(
                _("%(author)s submitted a progress update for %(commitment)s.")
                % {"author": update.author, "commitment": commitment},
                "",
                _("Status: %(status)s") % {"status": update.get_status_display()},
                "",
                update.narrative,
                "",
                _("Review it (accept it, or return it with a comment): %(link)s")
                % {"link": _review_url(update)},
            ),
        ),
        staff_reviewers(),
    )


def updates_submitted(updates, *, by) -> None:
    """Many at once (a spreadsheet upload): one email for all of them."""
    if len(updates) == 1:
        update_submitted(updates[0])
        return
    count = len(updates)

    def compose():
        changelist = links.absolute(reverse("tracker:review_queue"))
        listed = [f"- {u.commitment}: {u.get_status_display()}" for u in updates[:50]]
        if count > 50:
            more = count - 50
            listed.append(
                ngettext("… and %(count)s more.", "… and %(count)s more.", more) % {"count": more}
            )
        return (
            ngettext(
                "[GCM Tracker] %(count)s update to review from %(author)s",
                "[GCM Tracker] %(count)s updates to review from %(author)s",
                count,
            )
            % {"count": count, "author": by},
            _lines(
                ngettext(
                    "%(author)s submitted %(count)s progress update in a spreadsheet upload.",
                    "%(author)s submitted %(count)s progress updates in a spreadsheet upload.",
                    count,
                )
                % {"author": by, "count": count},
                "",
                *listed,
                "",
                _("Review them: %(link)s") % {"link": changelist},
            ),
        )

    _send_later(compose, staff_reviewers())


def update_reviewed(update) -> None:
    """Accepted or returned: the author is told (unless they reviewed it themselves)."""
    if not update.author.email or update.author_id == update.reviewer_id:
        return
    _send_later(lambda: _reviewed(update), [update.author])


def _reviewed(update) -> tuple[str, str]:
    about = {"commitment": update.commitment}
    if update.is_public:
        subject = _("[GCM Tracker] Accepted: your update on %(commitment)s") % about
        verdict = _("Your progress update on %(commitment)s was reviewed: accepted.") % about
        what_next = _("It is now public on the tracker.")
    else:
        subject = _("[GCM Tracker] Returned to you: your update on %(commitment)s") % about
        verdict = _("Your progress update on %(commitment)s was reviewed: returned to you.") % about
        what_next = _(
            "Nothing of it is public. Correct it as the comment says, then resubmit it for review."
        )
    comment = []
    if update.review_comment:
        comment = [
            "",
            _("Comment from %(reviewer)s:") % {"reviewer": update.reviewer},
            update.review_comment,
        ]
    return subject, _lines(
        verdict,
        what_next,
        *comment,
        "",
        _("Open it: %(link)s") % {"link": _report_url(update)},
    )


def update_withdrawn(update, *, was: str) -> None:
    """By its author before review (the reviewers are told it no longer waits), or by
    staff after it was published (the author is told why)."""
    State = update.ReviewState
    if was == State.ACCEPTED:
        if update.author.email and update.author_id != update.withdrawn_by_id:
            _send_later(
                lambda: (
                    _("[GCM Tracker] Withdrawn: your update on %(commitment)s")
                    % {"commitment": update.commitment},
                    _lines(
                        _(
                            "%(who)s withdrew your published progress update on %(commitment)s. "
                            "The public timeline shows that it was withdrawn, and why:"
                        )
                        % {"who": update.withdrawn_by, "commitment": update.commitment},
                        "",
                        update.withdrawal_reason,
                        "",
                        _("See it: %(link)s") % {"link": _update_url(update)},
                    ),
                ),
                [update.author],
            )
    elif was == State.SUBMITTED:
        _send_later(
            lambda: (
                _("[GCM Tracker] Withdrawn before review: %(commitment)s")
                % {"commitment": update.commitment},
                _lines(
                    _(
                        "%(author)s withdrew their progress update on %(commitment)s; it no longer "
                        "waits for review."
                    )
                    % {"author": update.author, "commitment": update.commitment},
                    "",
                    _update_url(update),
                ),
            ),
            staff_reviewers(),
        )


def invitation(user, *, by) -> None:
    """A new person is invited to choose their password (the link works for
    PASSWORD_RESET_TIMEOUT: three days), then to sign in."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    _send_later(lambda: _invitation(user, by, uid, token), [user])


def _invitation(user, by, uid, token) -> tuple[str, str]:
    link = links.absolute(reverse("password_reset_confirm", args=[uid, token]))
    is_staff = permissions.is_network_staff(user)
    countries = ", ".join(sorted(str(c.name) for c in user.focal_countries.all()))
    names = {"inviter": _name(by), "countries": countries}
    if is_staff and countries:
        given = _(
            "%(inviter)s has given you an account on GCM Tracker as network staff and focal "
            "point for %(countries)s."
        )
    elif is_staff:
        given = _("%(inviter)s has given you an account on GCM Tracker as network staff.")
    elif countries:
        given = _(
            "%(inviter)s has given you an account on GCM Tracker as focal point for %(countries)s."
        )
    else:
        given = _("%(inviter)s has given you an account on GCM Tracker.")
    return (
        _("[GCM Tracker] You are invited to report on the GCM recommendations"),
        _lines(
            _("Dear %(name)s,") % {"name": _name(user)},
            "",
            given % names,
            "",
            _("Choose your password here (the link works for three days):"),
            link,
            "",
            _("Your username is: %(username)s") % {"username": user.username},
            _("Then sign in: %(link)s") % {"link": links.absolute(reverse("tracker:start"))},
        ),
    )


def round_reminders(reporting_round) -> int:
    """One email per focal point of a country with gaps in the round, listing them: no
    update since the round opened, or one returned for changes. Returns how many."""
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
        _send_later(lambda mine=mine, user=user: _round_gaps(reporting_round, user, mine), [user])
        sent += 1
    return sent


def _round_gaps(reporting_round, user, mine) -> tuple[str, str]:
    from django.utils.formats import date_format

    from tracker.models import ReportingRound

    listed = "\n".join(
        f"- {c.recommendation.code} · {c.country.name}: "
        f"{ReportingRound.Standing(c.standing).label}\n"
        f"  {links.absolute(reverse('tracker:report_progress', args=[c.pk]))}"
        for c in mine
    )
    return (
        ngettext(
            "[GCM Tracker] %(round)s: %(count)s commitment to report on",
            "[GCM Tracker] %(round)s: %(count)s commitments to report on",
            len(mine),
        )
        % {"round": reporting_round.name, "count": len(mine)},
        _lines(
            _("Dear %(name)s,") % {"name": _name(user)},
            "",
            _(
                "Network staff opened the reporting round “%(round)s” on %(opened)s; it is "
                "due by %(due)s. These commitments still need an update from you:"
            )
            % {
                "round": reporting_round.name,
                "opened": date_format(reporting_round.opened_on),
                "due": date_format(reporting_round.due_date),
            },
            "",
            listed,
        ),
    )
