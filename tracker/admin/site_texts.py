"""Pages of text network staff write ("How this tracker works"), with their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracker.admin.scoping import ManagedByStaffMixin
from tracker.models import SiteText


@admin.register(SiteText)
class SiteTextAdmin(ManagedByStaffMixin, SimpleHistoryAdmin):
    list_display = ["title", "page", "language", "updated_at"]
    list_filter = ["page", "language"]
    fields = ["page", "language", "title", "body"]

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)
