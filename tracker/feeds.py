import re

from django.contrib.syndication.views import Feed
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker import links
from tracker.languages import english_version, original_named
from tracker.models import ProgressUpdate, Status, country_name

# Characters XML 1.0 cannot carry (pasted from a word processor, say).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub(" ", text)


class PlainTextAtomFeed(Atom1Feed):
    """Atom with summaries as plain text: what focal points write is never run as HTML by
    a feed reader; each summary says the language it is written in (xml:lang)."""

    def add_item_elements(self, handler, item):
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary is not None:
            attributes = {"type": "text"}
            if item.get("text_language"):
                attributes["xml:lang"] = item["text_language"]
            handler.addQuickElement("summary", xml_text(summary), attributes)


class AcceptedUpdatesFeed(Feed):
    """Atom feed of the updates the public has seen, newest change first: accepted ones,
    and those withdrawn after, with the reason."""

    feed_type = PlainTextAtomFeed
    title = _("GCM Tracker: accepted progress updates")
    subtitle = _("What the GCM Champion Countries report on the consultations' recommendations.")

    def link(self):
        return reverse("tracker:progress_table")

    def items(self):
        return (
            ProgressUpdate.objects.on_record()
            .with_codes()
            .annotate(changed_at=Coalesce("withdrawn_at", "accepted_at"))
            .order_by("-changed_at", "-pk")[:50]
        )

    def item_title(self, update):
        title = gettext("%(country)s: %(code)s %(status)s") % {
            "country": country_name(update.country_code),
            "code": update.recommendation_code,
            # The status's label (get_status_display builds a table of every label first).
            "status": Status(update.status).label,
        }
        if update.is_demo:
            title = gettext("%(title)s [demonstration data]") % {"title": title}
        if update.is_withdrawn:
            title = gettext("Withdrawn: %(title)s") % {"title": title}
        return xml_text(title)

    def item_description(self, update):
        text, english = update.narrative, english_version(update, "narrative")
        if english:  # an English feed, and an English version: it, then the original
            text = f"{english}\n\n{original_named(update)}: {update.narrative}"
        if update.is_withdrawn:
            reason = gettext("Withdrawn: %(reason)s") % {"reason": update.withdrawal_reason}
            return f"{reason}\n\n{text}"
        return text

    def item_extra_kwargs(self, update):
        english = english_version(update, "narrative")
        return {"text_language": "en" if english else update.language}

    def item_link(self, update):
        url = links.recommendation_path(update.recommendation_code)
        return f"{url}#update-{update.pk}"

    def item_pubdate(self, update):
        return update.accepted_at

    def item_updateddate(self, update):
        return update.changed_at

    def item_author_name(self, update):
        return country_name(update.country_code)
