"""What every tracking admin shares: lists, forms, inlines, actions and history show only
what tracker.permissions allows. A record outside the user's scope is not found (404),
whatever the route; an action the user may not run, or one run on records outside the
scope, is refused (403)."""

import functools
import hashlib

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import BaseInlineFormSet, ModelChoiceField, ModelChoiceIterator
from django.http import Http404
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from simple_history.admin import SimpleHistoryAdmin

from tracker import page_cache, permissions
from tracker.escaping import escape
from tracker.filters import FacetSelect
from tracker.models import ALL, Commitment, country_name

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class CommitmentChoices(ModelChoiceIterator):
    """A commitment's options as its code and country (what the commitment's name says),
    read as values: a country's thousand commitments are not made objects one by one."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.values_list("pk", "recommendation__code", "country__code")
        name = functools.cache(country_name)  # a country's name looked up once, not per row
        for pk, code, country in rows:
            yield (pk, Commitment.named(code, name(country)))


class CommitmentChoiceField(ModelChoiceField):
    """The commitment of an update, evidence or deadline: its options written in Python
    (FacetSelect) from values (CommitmentChoices), the same HTML as Django's widget
    templates (which took 224 ms to write a focal point's thousand options)."""

    iterator = CommitmentChoices


class CommitmentSelect(FacetSelect):
    """The commitment's select, its options read and written once for the countries whose
    commitments it offers (`countries`: ALL or their ids), the language and the wide
    token (page_cache.wide_token, which changes when a commitment is made, moved or
    deleted, a code or a country changes), and kept: the one chosen is marked at each
    page. A focal point's thousand options took an eighth of the update form's time, for
    each form."""

    def __init__(self, *args, countries=ALL, **kwargs):
        super().__init__(*args, **kwargs)
        self.countries = "all" if countries is ALL else sorted(countries)

    def render(self, name, value, attrs=None, renderer=None):
        key = repr((name, attrs, self.attrs, self.countries, get_language()))
        key = f"select:v1:{page_cache.wide_token()}:{hashlib.sha256(key.encode()).hexdigest()}"
        written = page_cache.read(key)
        if written is None:
            written = super().render(name, NOTHING_CHOSEN, attrs, renderer)
            page_cache.keep(key, written)
        for chosen in self.format_value(value)[:1]:  # a single select: the first option
            option = f'<option value="{escape(chosen)}">'
            written = written.replace(option, option[:-1] + " selected>", 1)
        return mark_safe(written)


NOTHING_CHOSEN = "\x00"  # a value no option has


def commitment_id_from(request) -> str | None:
    return request.POST.get("commitment") or request.GET.get("commitment")


class ScopedAdminMixin:
    """Lists, forms, actions and history show only what tracker.permissions allows.

    A record outside the user's scope is not found (404), whatever the route; an action
    the user may not run, or one run on records outside the scope, is refused (403).
    """

    def get_queryset(self, request):
        return super().get_queryset(request).for_countries(permissions.countries_of(request.user))

    def has_module_permission(self, request):
        return permissions.has_tracker_access(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return permissions.has_tracker_access(request.user)
        return permissions.can_view(request.user, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.has_tracker_access(request.user)
        return permissions.can_change(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return permissions.has_tracker_access(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return permissions.can_manage(request.user)
        return permissions.can_delete(request.user, obj)

    def has_review_permission(self, request):
        return permissions.can_review(request.user)

    def get_object(self, request, object_id, from_field=None):
        # Django's change and delete pages redirect to the index when this finds nothing;
        # outside the user's scope, as for a record that is not there, the answer is 404.
        # (Someone with no access at all is refused first, as Django does: 403.)
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self.has_view_or_change_permission(request):
            raise Http404(f"No {self.opts.verbose_name} {object_id} here.")
        return obj

    def _must_be_in_scope(self, request, object_id) -> None:
        if (
            not str(object_id).isdigit()
            or not self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404("Not found.")

    def history_view(self, request, object_id, extra_context=None):
        self._must_be_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def has_change_history_permission(self, request, obj=None):
        return False  # history is for reading (the site also refuses POSTs to it)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._must_be_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commitment":
            countries = permissions.countries_of(request.user)
            kwargs["queryset"] = Commitment.objects.for_countries(countries)
            kwargs["form_class"] = CommitmentChoiceField
            kwargs["widget"] = CommitmentSelect(countries=countries)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            self._refuse_unavailable_action(request, ActionLocation.CHANGE_FORM)
        # A commitment named in the URL or the form must be one the user may edit.
        commitment_id = commitment_id_from(request)
        if commitment_id and "commitment" in {f.name for f in self.model._meta.fields}:
            editable = Commitment.objects.for_countries(permissions.countries_of(request.user))
            if not commitment_id.isdigit() or not editable.filter(pk=commitment_id).exists():
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    # The list's heading in plain words, instead of Django's "Select … to change".
    list_title = None

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            self._refuse_unavailable_action(request, ActionLocation.CHANGE_LIST)
        if self.list_title and "title" not in (extra_context or {}):
            extra_context = {**(extra_context or {}), "title": self.list_title}
        return super().changelist_view(request, extra_context)

    def _refuse_unavailable_action(self, request, location: ActionLocation) -> None:
        # Django quietly ignores an action the user may not run; refuse it instead.
        field = "action" if location == ActionLocation.CHANGE_LIST else f"{location.value}-action"
        names = [name for name in request.POST.getlist(field) if name]
        if names and not set(names) <= set(self.get_actions(request, action_location=location)):
            raise PermissionDenied

    def response_action(self, request, queryset, action_location=ActionLocation.CHANGE_LIST):
        # Django quietly skips selected rows outside the queryset; refuse them instead.
        selected = set(request.POST.getlist(ACTION_CHECKBOX_NAME))
        if not all(pk.isdigit() for pk in selected):
            raise Http404("No such records.")
        found = {str(pk) for pk in queryset.filter(pk__in=selected).values_list("pk", flat=True)}
        if selected - found:
            raise Http404("Some of the selected records are not yours to change.")
        return super().response_action(request, queryset, action_location=action_location)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if not permissions.can_manage(request.user):
            actions.pop("delete_selected", None)
        return actions


class ManagedByStaffMixin:
    """Pages only network staff open (countries, people, reporting rounds): whoever may
    manage (permissions.can_manage) sees, adds and changes; nobody else."""

    def has_module_permission(self, request):
        return permissions.can_manage(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    def has_add_permission(self, request, obj=None):
        return permissions.can_manage(request.user)


class ScopedInlineFormSet(BaseInlineFormSet):
    """Rows posted with records that are not the parent's own are refused (404).

    Django would show a form error for a row naming another parent, and quietly skip a
    row naming a record its queryset does not hold (another commitment's, or one outside
    the user's scope): a tampered request is refused instead, before anything is saved.
    Checked against Django 6.1's model formsets: an existing row whose posted primary key
    is not in the formset's queryset gets a new, unsaved instance.
    """

    @functools.cached_property
    def empty_form(self):
        """The row the admin copies for "Add another", made once: Django makes it anew each
        time it is asked for, five times a page (for its template, its scripts and styles,
        ...), twenty forms for an update's four inlines."""
        return super().empty_form

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if form.instance.pk is None:
                raise Http404("Inline rows must belong to this record.")
        for form in self.forms:
            if form.has_error(self.fk.name):
                raise Http404("Inline rows must belong to this record.")


class ScopedInlineMixin:
    """Inlines of a commitment: shown and changed only where the commitment may be."""

    extra = 0
    formset = ScopedInlineFormSet

    def get_queryset(self, request):
        return super().get_queryset(request).for_countries(permissions.countries_of(request.user))

    def has_view_permission(self, request, obj=None):
        return obj is None or permissions.can_view(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return obj is not None and permissions.can_change(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return obj is not None and permissions.can_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_manage(request.user)


class CommitmentScopedAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Records of one commitment: chosen on add (from the user's own), fixed after."""

    list_select_related = ["commitment__recommendation", "commitment__country"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "commitment"] if obj is not None else fields

    def get_changeform_initial_data(self, request):
        return {"commitment": request.GET.get("commitment")}

    def delete_queryset(self, request, queryset):
        # One by one: each record knows whether the public saw it (page cache, changed_since).
        with transaction.atomic():
            for obj in queryset:
                obj.delete()
