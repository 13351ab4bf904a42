"""Countries and their focal points; recommendations, with the countries that own them."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations.admin import RecommendationAdmin
from consultations.models import Recommendation
from tracker import permissions, roles, services
from tracker.admin.scoping import (
    ManagedByStaffMixin,
    ScopedAdminMixin,
)
from tracker.forms import (
    AssignForm,
)
from tracker.models import (
    Commitment,
    Country,
    FocalPoint,
)


class FocalPointInline(admin.TabularInline):
    model = FocalPoint
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Country)
class CountryAdmin(ManagedByStaffMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "is_champion", "focal_point_names", "commitment_count"]
    list_filter = ["is_champion"]
    search_fields = ["code"]
    inlines = [FocalPointInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(commitment_total=Count("commitments", distinct=True))
            .prefetch_related("memberships__user")
        )

    @admin.display(description=_("focal points"))
    def focal_point_names(self, country):
        return ", ".join(str(m.user) for m in country.memberships.all())

    @admin.display(description=_("commitments"), ordering="commitment_total")
    def commitment_count(self, country):
        return country.commitment_total

    def save_formset(self, request, form, formset, change):
        # Roles are granted and revoked through tracker.roles: a focal point gets the staff
        # status to sign in, and loses it with their last role.
        for membership in formset.save(commit=False):
            if membership.pk is not None:
                before = FocalPoint.objects.select_related("user").get(pk=membership.pk)
                if before.user_id == membership.user_id:
                    membership.save()
                    continue
                roles.revoke_focal_point(before.user, [membership.country])  # another person
            roles.grant_focal_point(membership.user, [membership.country], role=membership.role)
        for membership in formset.deleted_objects:
            roles.revoke_focal_point(membership.user, [membership.country])

    def delete_model(self, request, obj):
        self._revoke_members([obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._revoke_members(queryset)
        super().delete_queryset(request, queryset)

    @staticmethod
    def _revoke_members(countries) -> None:
        for country in countries:
            for membership in country.memberships.select_related("user"):
                roles.revoke_focal_point(membership.user, [country])


class CommitmentInline(admin.TabularInline):
    model = Commitment
    fields = ["country", "status", "response", "lead_agency"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


admin.site.unregister(Recommendation)


@admin.register(Recommendation)
class TrackedRecommendationAdmin(RecommendationAdmin):
    """The consultations' recommendation admin, with the countries that own each one."""

    inlines = [CommitmentInline]
    actions = ["assign_to_countries"]

    @admin.action(
        description=_("Assign the selected recommendations to countries…"),
        permissions=["change"],
    )
    def assign_to_countries(self, request, queryset):
        if not permissions.can_manage(request.user):
            raise PermissionDenied
        form = AssignForm(
            request.POST if "countries" in request.POST else None,
            initial={"countries": Country.objects.filter(is_champion=True)},
        )
        if form.is_valid():
            created, existing = services.assign_recommendations(
                recommendations=queryset, countries=form.cleaned_data["countries"], by=request.user
            )
            self.message_user(
                request,
                ngettext(
                    "Created %(created)d commitment; %(existing)d already existed.",
                    "Created %(created)d commitments; %(existing)d already existed.",
                    created,
                )
                % {"created": created, "existing": existing},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Assign recommendations to countries"),
            "opts": self.opts,
            "form": form,
            "recommendations": queryset,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tracker/assign.html", context)
