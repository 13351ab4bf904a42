"""The emails of following: the confirmation and the digest. Each has a link to stop and
the List-Unsubscribe headers a mail client offers as its own button (RFC 2369, 8058)."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import links


def _headers(subscription) -> dict:
    return {
        "List-Unsubscribe": f"<{stop_link(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def stop_link(subscription) -> str:
    return links.page("tracker:follow_stop", subscription.key)


def _context(subscription, **extra) -> dict:
    followed = subscription.followed
    return {
        "followed": followed,
        "followed_page": links.absolute(followed.get_absolute_url()),
        "stop_link": stop_link(subscription),
        "privacy_link": links.page("tracker:follow_privacy"),
        **extra,
    }


def in_its_language(make):
    """An email written in the language of the page the address was given on."""

    def written(subscription, *args):
        with translation.override(subscription.language):
            return make(subscription, *args)

    return written


@in_its_language
def confirmation(subscription) -> EmailMessage:
    context = _context(
        subscription, confirm_link=links.page("tracker:follow_confirm", subscription.key)
    )
    return EmailMessage(
        _("Confirm: follow %(followed)s on the GCM Tracker") % {"followed": subscription.followed},
        render_to_string("tracker/following/confirmation_email.txt", context),
        to=[subscription.email],
        headers=_headers(subscription),
    )


@in_its_language
def digest(subscription, updates) -> EmailMessage:
    rows = [
        {
            "update": update,
            "link": links.commitment_page(
                update.commitment.recommendation.code, update.commitment.country.code.code
            ),
        }
        for update in updates
    ]
    context = _context(subscription, rows=rows)
    subject = ngettext(
        "GCM Tracker: %(count)s new on %(followed)s",
        "GCM Tracker: %(count)s new on %(followed)s",
        len(rows),
    ) % {"count": len(rows), "followed": subscription.followed}
    return EmailMessage(
        subject,
        render_to_string("tracker/following/digest_email.txt", context),
        to=[subscription.email],
        headers=_headers(subscription),
    )
