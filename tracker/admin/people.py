"""People: network staff and focal points, named and given roles by network staff."""

from django.contrib import admin
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from tracker import notifications, permissions, roles
from tracker.admin.scoping import ManagedByStaffMixin
from tracker.forms import (
    PersonCreationForm,
    PersonForm,
)
from tracker.models import (
    Country,
    Person,
    Profile,
)


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [
            ("staff", _("Network staff")),
            ("focal", _("Focal point")),
            ("none", _("No role")),
        ]

    def queryset(self, request, queryset):
        staff = Q(groups__name=permissions.STAFF_GROUP)
        focal = Q(focal_memberships__isnull=False)
        if self.value() == "staff":
            return queryset.filter(staff).distinct()
        if self.value() == "focal":
            return queryset.filter(focal).distinct()
        if self.value() == "none":
            return queryset.exclude(staff).exclude(focal).filter(is_superuser=False)
        return queryset


@admin.register(Person)
class PersonAdmin(ManagedByStaffMixin, admin.ModelAdmin):
    """Network staff name people network staff or focal points, and take the roles back.
    Accounts are never deleted (their history stays); a person with no role left loses
    access to the admin. Superusers' accounts are the superusers' own."""

    list_display = ["username", "full_name", "email", "is_active", "role_list"]
    list_filter = [RoleFilter, "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    form = PersonForm
    add_form = PersonCreationForm

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        people = (
            super().get_queryset(request).prefetch_related("groups", "focal_memberships__country")
        )
        return people if request.user.is_superuser else people.filter(is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        return ["username", "last_login", "date_joined"] if obj is not None else []

    def get_object(self, request, object_id, from_field=None):
        person = super().get_object(request, object_id, from_field)
        if person is None:  # not there, or a superuser's: not found, as everywhere else
            raise Http404("No such person here.")
        return person

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        roles_fields = (_("Roles"), {"fields": ["is_network_staff", "focal_countries"]})
        if obj is None:
            account = ["username", "first_name", "last_name", "email", "send_invitation"]
            passwords = ["usable_password", "password1", "password2"]
            return [
                (None, {"fields": account}),
                (_("Password"), {"fields": passwords}),
                roles_fields,
            ]
        account = ["username", "first_name", "last_name", "email", "is_active", "time_zone"]
        return [
            (None, {"fields": account}),
            roles_fields,
            (_("Sign-ins"), {"fields": ["last_login", "date_joined"]}),
        ]

    @admin.display(description=_("name"))
    def full_name(self, person):
        return person.get_full_name()

    @admin.display(description=_("roles"))
    def role_list(self, person):
        roles_held = []
        if person.is_superuser:
            roles_held.append(str(_("superuser")))
        if any(group.name == permissions.STAFF_GROUP for group in person.groups.all()):
            roles_held.append(str(_("network staff")))
        codes = sorted(m.country.code.code for m in person.focal_memberships.all())
        if codes:
            roles_held.append(_("focal point for %(countries)s") % {"countries": ", ".join(codes)})
        return "; ".join(roles_held) or "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        if data["is_network_staff"]:
            roles.grant_network_staff(obj)
        else:
            roles.revoke_network_staff(obj)
        chosen = set(data["focal_countries"])
        held = set(Country.objects.filter(memberships__user=obj))
        if chosen - held:
            roles.grant_focal_point(obj, sorted(chosen - held, key=lambda c: c.pk))
        if held - chosen:
            roles.revoke_focal_point(obj, held - chosen)
        if not change and data.get("send_invitation"):
            notifications.invitation(obj, by=request.user)
            self.message_user(
                request,
                _("An invitation to choose a password was emailed to %(email)s.")
                % {"email": obj.email},
            )
        if "time_zone" in data:
            Profile.objects.update_or_create(user=obj, defaults={"time_zone": data["time_zone"]})
