from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.models import ProgressUpdate


class AcceptedUpdatesFeed(Feed):
    """Atom feed of accepted progress updates, newest first."""

    feed_type = Atom1Feed
    title = _("GCM Tracker: accepted progress updates")
    subtitle = _("What the GCM Champion Countries report on the consultations' recommendations.")

    def link(self):
        return reverse("tracker:progress_table")

    def items(self):
        return (
            ProgressUpdate.objects.filter(review_state=ProgressUpdate.ReviewState.ACCEPTED)
            .select_related("commitment__recommendation", "commitment__country", "author")
            .order_by("-reviewed_at", "-pk")[:50]
        )

    def item_title(self, update):
        commitment = update.commitment
        demo = " [{}]".format(gettext("demonstration data")) if update.is_demo else ""
        return (
            f"{commitment.country}: {commitment.recommendation.code} "
            f"{update.get_status_display()}{demo}"
        )

    def item_description(self, update):
        return update.narrative

    def item_link(self, update):
        url = reverse("tracker:recommendation_detail", args=[update.commitment.recommendation.code])
        return f"{url}#update-{update.pk}"

    def item_pubdate(self, update):
        return update.created_at

    def item_updateddate(self, update):
        return update.reviewed_at or update.created_at

    def item_author_name(self, update):
        return str(update.commitment.country)
