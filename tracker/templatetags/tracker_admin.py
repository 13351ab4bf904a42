from django import template
from django.urls import reverse
from django.utils.translation import ngettext

from tracker import permissions
from tracker.models import ProgressUpdate

register = template.Library()


@register.inclusion_tag("admin/tracker/_review_summary.html", takes_context=True)
def review_summary(context) -> dict:
    """What waits: updates to review (staff), or a focal point's own waiting and returned ones."""
    user = context["request"].user
    if not permissions.has_tracker_access(user):
        return {"items": []}
    updates = ProgressUpdate.objects.for_countries(permissions.countries_of(user))
    if not permissions.can_review(user):
        updates = updates.by_author(user)
    counts = dict.fromkeys(ProgressUpdate.ReviewState.values, 0)
    for state in updates.values_list("review_state", flat=True).order_by():
        counts[state] += 1
    url = reverse("admin:tracker_progressupdate_changelist")
    waiting, returned = counts["submitted"], counts["returned"]
    items = [
        (
            ngettext(
                "%d progress update waits for review",
                "%d progress updates wait for review",
                waiting,
            )
            % waiting,
            reverse("tracker:review_queue")
            if permissions.can_review(user)
            else f"{url}?review_state__exact=submitted",
        )
    ]
    if not permissions.can_review(user):
        items.append(
            (
                ngettext(
                    "%d of your updates was returned for changes",
                    "%d of your updates were returned for changes",
                    returned,
                )
                % returned,
                reverse("tracker:my_commitments"),
            )
        )
    return {"items": items, "is_reviewer": permissions.can_review(user)}
