"""Addresses following a country or a recommendation by email: network staff alone see
them (and may delete one); nobody adds or edits them here, only their owners' double
opt-in does."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tracker.admin.scoping import ManagedByStaffMixin
from tracker.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ManagedByStaffMixin, admin.ModelAdmin):
    list_display = ["email", "followed", "created_at", "confirmed_at", "last_digest_on"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    list_select_related = ["country", "recommendation"]
    fields = ["email", "followed", "created_at", "confirmed_at", "last_digest_on"]
    readonly_fields = fields

    @admin.display(description=_("follows"))
    def followed(self, subscription):
        return subscription.followed

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)
