"""Reviewing progress updates: network staff accept them, or return them with a comment;
authors withdraw theirs before review, staff withdraw published ones. Accepting and
returning carry the version of each update the reviewer was shown (SeenVersionsForm), and
are refused for an update changed since."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import permissions, review
from tracker.admin.scoping import BOTH_LOCATIONS
from tracker.forms import ReturnForm, SeenVersionsForm, WithdrawForm


class ReviewActions:
    """The review actions of the progress update admin, on its list and on each update."""

    @admin.action(
        description=_("Accept the selected updates"),
        permissions=["review"],
        location=BOTH_LOCATIONS,
    )
    def accept_updates(self, request, queryset):
        # From the list: first a page of what would be published; then what was shown.
        return self._review(request, queryset, None, accepting=True)

    @admin.action(
        description=_("Return the selected updates for changes…"),
        permissions=["review"],
        location=BOTH_LOCATIONS,
    )
    def return_updates(self, request, queryset):
        form = ReturnForm(request.POST if "comment" in request.POST else None)
        return self._review(request, queryset, form, accepting=False)

    def _review(self, request, queryset, form, *, accepting: bool):
        """Accept or return the updates the reviewer was shown, at the versions shown."""
        seen = SeenVersionsForm(request.POST, updates=queryset)
        if (form is not None and not form.is_valid()) or not seen.is_complete():
            return self._review_page(request, queryset, form, "accept" if accepting else "return")
        try:
            count = review.review_many(
                queryset,
                by=request.user,
                accepting=accepting,
                comment="" if accepting else form.cleaned_data["comment"],
                seen_versions=seen.versions(),
            )
        except review.ReviewRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return None
        if accepting:
            done = ngettext(
                "Accepted %d update: it is public now, and its author has been told.",
                "Accepted %d updates: they are public now, and their authors have been told.",
                count,
            )
        else:
            done = ngettext(
                "Returned %d update to its author with your comment.",
                "Returned %d updates to their authors with your comment.",
                count,
            )
        self.message_user(request, done % count, messages.SUCCESS)
        return None

    @admin.action(
        description=_("Withdraw the selected updates…"),
        permissions=["withdraw"],
        location=BOTH_LOCATIONS,
    )
    def withdraw_updates(self, request, queryset):
        form = WithdrawForm(request.POST if "reason" in request.POST else None)
        if not form.is_valid():
            return self._review_page(request, queryset, form, "withdraw")
        refused = [u for u in queryset if not permissions.can_withdraw(request.user, u)]
        if refused:
            self.message_user(
                request,
                _(
                    "Nothing was withdrawn: you cannot withdraw “%(update)s”. Authors withdraw "
                    "their updates before review; network staff withdraw published ones."
                )
                % {"update": refused[0]},
                messages.ERROR,
            )
            return None
        try:
            with transaction.atomic():
                for update in queryset.order_by("pk"):
                    review.withdraw(update, by=request.user, reason=form.cleaned_data["reason"])
        except review.ReviewRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return self._review_page(request, queryset, form, "withdraw")
        self.message_user(request, _("Withdrawn."), messages.SUCCESS)
        return None

    def _review_page(self, request, queryset, form, kind: str):
        """A page that shows the updates (what they say and carry) and asks to confirm."""
        location = ActionLocation.CHANGE_FORM.value
        from_form = bool(request.POST.get(f"{location}-action"))
        updates = list(
            queryset.select_related(
                "commitment__recommendation", "commitment__country", "author"
            ).prefetch_related("evidence", "deadlines")
        )
        posted = SeenVersionsForm(request.POST, updates=updates).versions()
        titles = {
            "accept": _("Accept these updates"),
            "return": _("Return updates for changes"),
            "withdraw": _("Withdraw updates"),
        }
        context = {
            **self.admin_site.each_context(request),
            "title": titles[kind],
            "kind": kind,
            "opts": self.opts,
            "form": form,
            "updates": [(u, posted.get(u.pk, u.version)) for u in updates],
            "action_name": request.POST.get("action") or request.POST.get(f"{location}-action"),
            "action_field": f"{location}-action" if from_form else "action",
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tracker/progressupdate/review.html", context)
