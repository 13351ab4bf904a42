"""Saving what a focal point reports, for the report form and the API alike: which update
a report carries on, a report sent twice, and saving an update with all it carries."""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from tracker import permissions, review, storage
from tracker.forms import conflict_message
from tracker.models import ConcurrentEditError, ProgressUpdate
from tracker.reporting.forms import ReportForms
from tracker.services import save_items


def open_update(user, commitment) -> ProgressUpdate:
    """The update of this commitment to carry on: the user's own not reviewed yet, or one
    a former focal point of the country left; otherwise a new one."""
    updates = ProgressUpdate.objects.filter(commitment=commitment).order_by("-pk")
    own = updates.by_author(user).open().first()
    if own is not None:
        return own
    if not permissions.is_network_staff(user):
        left = updates.left_behind().select_related("author").first()
        if left is not None and permissions.can_take_over(user, left):
            return left
    return ProgressUpdate(commitment=commitment)


def already_sent(user, key) -> ProgressUpdate | None:
    """The update a report with this key already saved (the same report sent twice)."""
    try:
        key = uuid.UUID(str(key))
    except (TypeError, ValueError):
        return None
    return ProgressUpdate.objects.filter(author=user, submission_key=key).first()


def save_report(forms: ReportForms, *, by, submitting: bool) -> bool:
    """Save the update and all it carries, then submit it (or keep it a draft); nothing is
    saved if any part is refused, and the form then says why."""
    update = forms.form.instance
    was_new, version = update.pk is None, update.version
    cleaned = forms.form.cleaned_data
    new_items = [
        form.instance for formset in forms.formsets for form in formset if form.instance.pk is None
    ]
    try:
        with transaction.atomic():
            update = forms.form.save(commit=False)
            update.submission_key = cleaned["submission_key"]
            review.save_content(update, by=by, expected_version=cleaned["expected_version"])
            for formset in forms.formsets:
                formset.instance = update
                save_items(formset, by=by, update=update)
            review.send_on(update, by=by, as_draft=not submitting)
    except ConcurrentEditError:
        forms.form.add_error(None, conflict_message())
    except review.ReviewRefused as refused:
        forms.form.add_error(None, str(refused))
    except storage.store_errors():
        storage.forget(
            item.file.name for item in new_items if item.pk and getattr(item, "file", None)
        )
        forms.form.add_error(
            None,
            _(
                "The file could not be stored: the file store did not answer. Nothing was "
                "saved; send the report again in a few minutes."
            ),
        )
    else:
        forms.update = update
        return True
    for item in new_items:  # the transaction was undone: they are new again
        item.pk = None
    if was_new:
        update.pk = None
    update.version = version
    return False
