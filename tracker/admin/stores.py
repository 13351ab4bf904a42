"""Admin forms that take files, when the file store does not answer."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from tracker import storage


class FileStoreMixin:
    """A save whose file the store refuses is undone (the admin saves in one transaction)
    and the form opens again with a message, instead of an error page."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except storage.store_errors():
            if request.method != "POST":
                raise
            self.message_user(
                request,
                _(
                    "The file could not be stored: the file store did not answer. Nothing "
                    "was saved; try again in a few minutes."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
