"""Personal API tokens: a focal point makes one for their national system and sees its
secret once; network staff see every token and may revoke any. Tokens are revoked, never
deleted or edited beyond their name."""

from django.contrib import admin, messages
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import permissions
from tracker.admin.scoping import BOTH_LOCATIONS
from tracker.forms import ApiTokenForm
from tracker.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "prefix", "user", "created_at", "expires_at", "last_used_at", "state"]
    list_select_related = ["user"]
    actions = ["revoke"]
    search_fields = ["name", "prefix", "user__username"]

    def get_queryset(self, request):
        return permissions.api_tokens_seen_by(request.user).select_related("user", "revoked_by")

    def has_module_permission(self, request):
        user = request.user
        return permissions.can_hold_api_token(user) or permissions.is_network_staff(user)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return permissions.api_tokens_seen_by(request.user).filter(pk=obj.pk).exists()

    has_change_permission = has_view_permission  # the name, and revoking

    def has_add_permission(self, request):
        return permissions.can_hold_api_token(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        token = super().get_object(request, object_id, from_field)
        if token is None and self.has_module_permission(request):
            raise Http404("No such token here.")
        return token

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "expires_at"]
        return ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "state"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "prefix", "created_at", "expires_at", "last_used_at", "state"]

    @admin.display(description=_("state"))
    def state(self, token):
        if token.revoked_at:
            return _("revoked on %(day)s by %(who)s") % {
                "day": token.revoked_at.date().isoformat(),
                "who": token.revoked_by or "—",
            }
        return token.state

    def save_model(self, request, obj, form, change):
        if not change:
            obj.user = request.user
            obj.shown_once = obj.new_secret()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """The secret, on a page of its own, this once: it is not kept."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Your new API token"),
            "token": obj,
            "secret": obj.shown_once,
        }
        response = TemplateResponse(request, "admin/tracker/apitoken/created.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(
        description=_("Revoke the selected tokens"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token.revoke(by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )
