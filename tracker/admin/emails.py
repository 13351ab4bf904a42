"""The outbox: every email the tracker wrote, whether it went out, and why not yet (staff
only). Nobody writes or changes one here; a waiting one is retried by the background
worker (tracker.outbox)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tracker.admin.scoping import ManagedByStaffMixin
from tracker.models import Email


class SentFilter(admin.SimpleListFilter):
    title = _("sent")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("yes", _("Sent")), ("no", _("Not sent yet"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "no":
            return queryset.unsent()
        return queryset


@admin.register(Email)
class EmailAdmin(ManagedByStaffMixin, admin.ModelAdmin):
    list_display = ["subject", "recipients", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [SentFilter]
    search_fields = ["subject", "to"]
    fields = ["subject", "recipients", "created_at", "sent_at", "attempts", "last_error", "body"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("to"))
    def recipients(self, email):
        return ", ".join(email.to)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
