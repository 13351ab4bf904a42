"""The tracking admin. Every ModelAdmin here scopes and decides through tracker.permissions;
every change of a progress update's review state goes through tracker.review."""

import re

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from consultations.admin import RecommendationAdmin
from consultations.models import Recommendation
from consultations.templatetags.report_text import report_markdown
from tracker import permissions, review, roles, services
from tracker.forms import (
    AssignForm,
    CommitmentForm,
    PersonCreationForm,
    PersonForm,
    ProgressUpdateForm,
    ReturnForm,
    WithdrawForm,
    conflict_message,
)
from tracker.models import (
    Commitment,
    ConcurrentEditError,
    Country,
    Deadline,
    DeadlineChange,
    Evidence,
    EvidenceChange,
    FocalPoint,
    Person,
    ProgressUpdate,
    proof_missing_message,
)
from tracker.spreadsheet_admin import ProgressSpreadsheetAdmin

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def _commitment_id_from(request) -> str | None:
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

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(f"No {opts.verbose_name} {object_id} here.")

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
            kwargs["queryset"] = Commitment.objects.for_countries(
                permissions.countries_of(request.user)
            ).select_related("recommendation", "country")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            self._refuse_unavailable_action(request, ActionLocation.CHANGE_FORM)
        # A commitment named in the URL or the form must be one the user may edit.
        commitment_id = _commitment_id_from(request)
        if commitment_id and "commitment" in {f.name for f in self.model._meta.fields}:
            editable = Commitment.objects.for_countries(permissions.countries_of(request.user))
            if not commitment_id.isdigit() or not editable.filter(pk=commitment_id).exists():
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            self._refuse_unavailable_action(request, ActionLocation.CHANGE_LIST)
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


class ScopedInlineMixin:
    """Inlines of a commitment: shown and changed only where the commitment may be."""

    extra = 0

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


class ProgressUpdateInline(ScopedInlineMixin, admin.TabularInline):
    """The commitment's updates, newest first; new ones are added on their own page."""

    model = ProgressUpdate
    fields = ["created_at", "status", "narrative", "review_state", "author", "open_link"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description="")
    def open_link(self, update):
        url = reverse("admin:tracker_progressupdate_change", args=[update.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))


class EvidenceInline(ScopedInlineMixin, admin.StackedInline):
    """On the commitment's page: staff's evidence, published as it is saved. Focal points
    read it here and add theirs with a progress update."""

    model = Evidence
    fk_name = "commitment"
    fields = ["date", "title", "note", "url", "file", "visibility", "update", "is_demo"]
    readonly_fields = ["update", "is_demo"]
    verbose_name_plural = _("Evidence (dated notes, links and files)")


class DeadlineInline(ScopedInlineMixin, admin.TabularInline):
    model = Deadline
    fk_name = "commitment"
    fields = ["description", "due_date", "responsible", "is_done", "done_at", "update", "is_demo"]
    readonly_fields = ["done_at", "update", "is_demo"]


@admin.register(Commitment)
class CommitmentAdmin(ScopedAdminMixin, ProgressSpreadsheetAdmin, SimpleHistoryAdmin):
    form = CommitmentForm
    list_display = [
        "recommendation__code",
        "short_title",
        "country",
        "status",
        "response",
        "lead_agency",
        "status_date",
        "waiting_for_review",
        "next_deadline",
    ]
    list_display_links = ["recommendation__code", "short_title"]
    list_filter = [
        ("country", admin.RelatedOnlyFieldListFilter),
        "status",
        "response",
        "recommendation__consultation",
    ]
    search_fields = ["recommendation__code", "recommendation__short_title", "lead_agency"]
    list_select_related = ["recommendation", "country"]
    inlines = [ProgressUpdateInline, EvidenceInline, DeadlineInline]
    readonly_fields = [
        "recommendation_text",
        "status",
        "status_date",
        "latest_accepted_update",
        "add_update_link",
    ]
    fieldsets = [
        (None, {"fields": ["recommendation", "country", "recommendation_text"]}),
        (
            _("Progress"),
            {
                "fields": [
                    "status",
                    "status_date",
                    "latest_accepted_update",
                    "add_update_link",
                    "response",
                    "lead_agency",
                    "expected_version",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                waiting=Count(
                    "updates",
                    filter=Q(updates__review_state=ProgressUpdate.ReviewState.SUBMITTED),
                    distinct=True,
                ),
                next_due=Min("deadlines__due_date", filter=Q(deadlines__is_done=False)),
            )
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # The page title names the recommendation and country; they never change.
        return [(None, {"fields": ["recommendation_text"]}), *fieldsets[1:]]

    def has_add_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "country":
            kwargs["queryset"] = Country.objects.for_countries(
                permissions.countries_of(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("recommendation"), ordering="recommendation__short_title")
    def short_title(self, commitment):
        return commitment.recommendation.short_title

    @admin.display(description=_("waiting for review"), ordering="waiting")
    def waiting_for_review(self, commitment):
        return commitment.waiting or ""

    @admin.display(description=_("next deadline"), ordering="next_due")
    def next_deadline(self, commitment):
        return commitment.next_due or ""

    @admin.display(description=_("recommendation text"))
    def recommendation_text(self, commitment):
        paragraph = commitment.recommendation.paragraph
        return format_html(
            '{}<p><a href="{}">{}</a></p>',
            report_markdown(paragraph.text),
            paragraph.get_absolute_url(),
            _("Read it in the report"),
        )

    @admin.display(description=_("report progress"))
    def add_update_link(self, commitment):
        if not commitment.pk:
            return ""
        url = reverse("admin:tracker_progressupdate_add") + f"?commitment={commitment.pk}"
        return format_html('<a class="addlink" href="{}">{}</a>', url, _("Add a progress update"))

    def save_model(self, request, obj, form, change):
        expected = form.cleaned_data.get("expected_version")
        if change and expected is not None:
            obj.save_checked(expected_version=expected)
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        _save_items(request, formset)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            self._refuse_foreign_inline_rows(request, object_id)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError:
            # Lost the race between the form's check and the save: nothing was written.
            self.message_user(request, conflict_message(), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _refuse_foreign_inline_rows(self, request, object_id: str) -> None:
        """Inline rows posted with another commitment's records are not found (404)."""
        for inline in self.inlines:
            field = inline.model._meta.get_field(inline.fk_name or "commitment")
            prefix = field.remote_field.get_accessor_name()
            pattern = re.compile(rf"{re.escape(prefix)}-\d+-(id|commitment)")
            posted = {
                (match.group(1), value)
                for key, value in request.POST.items()
                if (match := pattern.fullmatch(key)) and value
            }
            if any(value != str(object_id) for kind, value in posted if kind == "commitment"):
                raise Http404("Inline rows must belong to this commitment.")
            ids = {value for kind, value in posted if kind == "id"}
            own = inline.model.objects.for_countries(permissions.countries_of(request.user)).filter(
                commitment_id=object_id
            )
            if ids and (
                not all(i.isdigit() for i in ids) or len(ids) != own.filter(pk__in=ids).count()
            ):
                raise Http404("Inline rows must belong to this commitment.")


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


def _save_items(request, formset, *, update=None) -> None:
    """Evidence and deadlines from an inline: who added them, whether staff did (focal
    points cannot change those), and, inside an update, the update's commitment."""
    is_staff = permissions.is_network_staff(request.user)
    for instance in formset.save(commit=False):
        if isinstance(instance, Evidence | Deadline) and instance.pk is None:
            if isinstance(instance, Evidence):
                instance.added_by = request.user
            else:
                instance.created_by = request.user
            instance.set_by_staff = is_staff
        if update is not None and hasattr(instance, "commitment_id"):
            instance.commitment_id = update.commitment_id
        instance.save()
    for instance in formset.deleted_objects:
        instance.delete()
    formset.save_m2m()


class UpdatePartInline(admin.StackedInline):
    """What a progress update carries: public only once it is accepted. Added and changed
    with the update, by whoever may edit it."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return obj is None or permissions.can_view(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return obj is None or permissions.can_edit_update(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None or permissions.can_edit_update(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None or permissions.can_edit_update(request.user, obj)

    @staticmethod
    def commitment_of(request, obj) -> Commitment | None:
        if obj is not None:
            return obj.commitment
        commitment_id = _commitment_id_from(request)
        if not commitment_id or not commitment_id.isdigit():
            return None
        scope = permissions.countries_of(request.user)
        return Commitment.objects.for_countries(scope).filter(pk=commitment_id).first()


class ProofFormSet(BaseInlineFormSet):
    """Refuses to submit "implemented" or "partially implemented" without public evidence
    that shows something (a note, a link or a file): on the commitment, or added here."""

    is_draft = False

    def clean(self):
        super().clean()
        update = self.instance
        if self.is_draft or not update.commitment_id or not update.needs_proof():
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if (
                data
                and not data.get("DELETE")
                and data.get("visibility") == Evidence.Visibility.PUBLIC
                and (data.get("note") or data.get("url") or data.get("file"))
            ):
                return
        if update.commitment.has_public_proof() or self._posted_changes_make_proof_public():
            return
        raise ValidationError(proof_missing_message(update.status))

    def _posted_changes_make_proof_public(self) -> bool:
        """Evidence the same form makes public (its evidence_changes rows, as posted)."""
        prefix = EvidenceChange._meta.get_field("update").remote_field.get_accessor_name()
        chosen = set()
        for key, value in self.data.items():
            if not (key.startswith(f"{prefix}-") and key.endswith("-evidence")):
                continue
            row = key[: -len("evidence")]
            public = self.data.get(f"{row}visibility") == Evidence.Visibility.PUBLIC
            if value.isdigit() and public and not self.data.get(f"{row}DELETE"):
                chosen.add(int(value))
        evidence = Evidence.objects.filter(commitment=self.instance.commitment_id, pk__in=chosen)
        return evidence.proof().exists()


class UpdateEvidenceInline(UpdatePartInline):
    model = Evidence
    fk_name = "update"
    formset = ProofFormSet
    fields = ["date", "title", "note", "url", "file", "visibility"]
    verbose_name = _("evidence item")
    verbose_name_plural = _("Evidence published with this update")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.is_draft = _is_draft(request)
        return formset


class UpdateDeadlineInline(UpdatePartInline, admin.TabularInline):
    model = Deadline
    fk_name = "update"
    fields = ["description", "due_date", "responsible"]
    verbose_name = _("new follow-up deadline")
    verbose_name_plural = _("New follow-up deadlines, published with this update")
    template = "admin/edit_inline/tabular.html"


class ChangeOfItemInline(UpdatePartInline, admin.TabularInline):
    """A change an update asks of an existing item: the items offered are those of the
    update's commitment that the user may change (`choices(user, commitment)`)."""

    item_field = ""
    choices = None
    template = "admin/edit_inline/tabular.html"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        commitment = self.commitment_of(request, obj)
        field = formset.form.base_fields[self.item_field]
        field.queryset = (
            self.choices(request.user, commitment) if commitment else field.queryset.none()
        )
        return formset


class EvidenceChangeInline(ChangeOfItemInline):
    model = EvidenceChange
    fields = ["evidence", "visibility"]
    item_field = "evidence"
    choices = staticmethod(permissions.changeable_evidence)


class DeadlineChangeInline(ChangeOfItemInline):
    model = DeadlineChange
    fields = ["deadline", "due_date", "is_done"]
    item_field = "deadline"
    choices = staticmethod(permissions.changeable_deadlines)


def _is_draft(request) -> bool:
    """The "Save as a draft" button (see the update's change_form.html)."""
    return request.POST.get("_continue") == "draft"


def _posted_versions(request) -> dict[int, int]:
    """The versions of the updates the reviewer saw: `seen_version` from an update's page,
    `version-<pk>` from a confirmation page."""
    versions = {}
    for key, value in request.POST.items():
        if key.startswith("version-") and key[8:].isdigit() and value.isdigit():
            versions[int(key[8:])] = int(value)
    selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
    seen = request.POST.get("seen_version", "")
    if len(selected) == 1 and selected[0].isdigit() and seen.isdigit():
        versions.setdefault(int(selected[0]), int(seen))
    return versions


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(CommitmentScopedAdmin):
    """Focal points write updates here (a draft, or submitted for review); network staff
    accept them, or return them with a comment, without editing them."""

    form = ProgressUpdateForm
    change_form_template = "admin/tracker/progressupdate/change_form.html"
    list_display = [
        "created_at",
        "commitment",
        "status",
        "review_state",
        "author",
        "is_demo",
    ]
    list_filter = [
        "review_state",
        "status",
        ("commitment__country", admin.RelatedOnlyFieldListFilter),
        "is_demo",
    ]
    search_fields = ["narrative", "commitment__recommendation__code"]
    list_select_related = ["commitment__recommendation", "commitment__country", "author"]
    date_hierarchy = "created_at"
    actions = ["accept_updates", "return_updates", "withdraw_updates"]
    inlines = [
        UpdateEvidenceInline,
        UpdateDeadlineInline,
        EvidenceChangeInline,
        DeadlineChangeInline,
    ]
    fieldsets = [
        (None, {"fields": ["commitment", "status", "narrative", "challenges", "support_needed"]}),
        (
            _("Changes to the commitment, published with the update"),
            {"fields": ["response", "lead_agency", "expected_version"]},
        ),
        (
            _("Review"),
            {
                "fields": [
                    "review_state",
                    "author",
                    "created_at",
                    "reviewer",
                    "reviewed_at",
                    "review_comment",
                    "accepted_at",
                    "withdrawn_at",
                    "withdrawn_by",
                    "withdrawal_reason",
                    "is_demo",
                ]
            },
        ),
    ]
    readonly_fields = [
        "review_state",
        "author",
        "created_at",
        "reviewer",
        "reviewed_at",
        "review_comment",
        "accepted_at",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawal_reason",
        "is_demo",
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # nothing to show about a review yet
            return fieldsets[:2]
        # Only the parts of the review that happened.
        skip = set()
        if not obj.reviewed_at:
            skip |= {"reviewer", "reviewed_at", "review_comment"}
        if not obj.accepted_at:
            skip.add("accepted_at")
        if not obj.withdrawn_at:
            skip |= {"withdrawn_at", "withdrawn_by", "withdrawal_reason"}
        name, review_fields = fieldsets[2]
        shown = [field for field in review_fields["fields"] if field not in skip]
        return [*fieldsets[:2], (name, {**review_fields, "fields": shown})]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.has_tracker_access(request.user)
        return permissions.can_edit_update(request.user, obj)

    def has_withdraw_permission(self, request):
        return permissions.has_tracker_access(request.user)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # one by one: published updates cannot go
        return actions

    def save_model(self, request, obj, form, change):
        review.save_content(
            obj, by=request.user, expected_version=form.cleaned_data.get("expected_version")
        )

    def save_formset(self, request, form, formset, change):
        _save_items(request, formset, update=form.instance)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Submitted (or published, for staff's own) once all it carries is saved.
        review.send_on(form.instance, by=request.user, as_draft=_is_draft(request))

    def response_add(self, request, obj, post_url_continue=None):
        self._say_what_happened(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._say_what_happened(request, obj)
        return super().response_change(request, obj)

    def _say_what_happened(self, request, update) -> None:
        State = ProgressUpdate.ReviewState
        message = {
            State.DRAFT: _(
                "Saved as a draft. It is not sent for review, and the public does not see it, "
                "until you submit it with Save."
            ),
            State.SUBMITTED: _(
                "Submitted for review. Network staff have been told; the public sees it once "
                "they accept it. You can still change it until then."
            ),
            State.ACCEPTED: _("Published: the public sees it now."),
        }.get(update.review_state)
        if message:
            self.message_user(request, message, messages.INFO)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError:
            self.message_user(request, ProgressUpdateForm.conflict_message(None), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except review.ReviewRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Progress updates and review")}
        return super().changelist_view(request, extra_context)

    # Review actions: each carries the versions the reviewer saw --------------------------

    @admin.action(
        description=_("Accept the selected updates"),
        permissions=["review"],
        location=BOTH_LOCATIONS,
    )
    def accept_updates(self, request, queryset):
        versions = _posted_versions(request)
        if not set(queryset.values_list("pk", flat=True)) <= versions.keys():
            # From the list: show what would be published, then accept what was shown.
            return self._review_page(request, queryset, None, "accept")
        try:
            count = review.review_many(
                queryset, by=request.user, accepting=True, seen_versions=versions
            )
        except review.ReviewRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return None
        self.message_user(
            request,
            ngettext(
                "Accepted %d update: it is public now, and its author has been told.",
                "Accepted %d updates: they are public now, and their authors have been told.",
                count,
            )
            % count,
            messages.SUCCESS,
        )
        return None

    @admin.action(
        description=_("Return the selected updates for changes…"),
        permissions=["review"],
        location=BOTH_LOCATIONS,
    )
    def return_updates(self, request, queryset):
        form = ReturnForm(request.POST if "comment" in request.POST else None)
        versions = _posted_versions(request)
        if not form.is_valid() or not set(queryset.values_list("pk", flat=True)) <= versions.keys():
            return self._review_page(request, queryset, form, "return")
        try:
            count = review.review_many(
                queryset,
                by=request.user,
                accepting=False,
                comment=form.cleaned_data["comment"],
                seen_versions=versions,
            )
        except review.ReviewRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return None
        self.message_user(
            request,
            ngettext(
                "Returned %d update to its author with your comment.",
                "Returned %d updates to their authors with your comment.",
                count,
            )
            % count,
            messages.SUCCESS,
        )
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
        posted = _posted_versions(request)
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


@admin.register(Evidence)
class EvidenceAdmin(CommitmentScopedAdmin):
    """Staff's evidence is published as it is saved. Focal points read evidence here and
    add theirs with a progress update."""

    list_display = ["date", "title", "commitment", "visibility", "file_link", "update", "is_demo"]
    list_filter = [
        "visibility",
        ("commitment__country", admin.RelatedOnlyFieldListFilter),
        "is_demo",
    ]
    search_fields = ["title", "note", "commitment__recommendation__code"]
    fields = [
        "commitment",
        "date",
        "title",
        "note",
        "url",
        "file",
        "visibility",
        "update",
        "added_by",
        "set_by_staff",
    ]
    readonly_fields = ["update", "added_by", "set_by_staff"]

    def has_add_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    @admin.display(description=_("file"))
    def file_link(self, evidence):
        if not evidence.file:
            return ""
        return format_html('<a href="{}">{}</a>', evidence.get_file_url(), _("Download"))

    def save_model(self, request, obj, form, change):
        if not obj.added_by_id:
            obj.added_by = request.user
            obj.set_by_staff = permissions.is_network_staff(request.user)
        super().save_model(request, obj, form, change)


@admin.register(Deadline)
class DeadlineAdmin(CommitmentScopedAdmin):
    """Staff's deadlines are published as they are saved. Focal points add, move and close
    theirs with a progress update."""

    list_display = ["due_date", "description", "commitment", "responsible", "is_done", "overdue"]
    list_filter = [
        "is_done",
        ("commitment__country", admin.RelatedOnlyFieldListFilter),
        "is_demo",
    ]
    search_fields = ["description", "responsible", "commitment__recommendation__code"]
    fields = [
        "commitment",
        "description",
        "due_date",
        "responsible",
        "is_done",
        "done_at",
        "update",
        "set_by_staff",
    ]
    readonly_fields = ["done_at", "update", "set_by_staff"]

    def has_add_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, deadline):
        return deadline.is_overdue

    def save_model(self, request, obj, form, change):
        if not obj.created_by_id:
            obj.created_by = request.user
            obj.set_by_staff = permissions.is_network_staff(request.user)
        super().save_model(request, obj, form, change)


class FocalPointInline(admin.TabularInline):
    model = FocalPoint
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Country)
class CountryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "is_champion", "focal_point_names", "commitment_count"]
    list_filter = ["is_champion"]
    search_fields = ["code"]
    inlines = [FocalPointInline]

    def has_module_permission(self, request):
        return permissions.can_manage(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    def has_add_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

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
                recommendations=queryset, countries=form.cleaned_data["countries"]
            )
            self.message_user(
                request,
                _("Created %(created)d commitments; %(existing)d already existed.")
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
class PersonAdmin(admin.ModelAdmin):
    """Network staff name people network staff or focal points, and take the roles back.
    Accounts are never deleted (their history stays); a person with no role left loses
    access to the admin. Superusers' accounts are the superusers' own."""

    list_display = ["username", "full_name", "email", "is_active", "role_list"]
    list_filter = [RoleFilter, "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    form = PersonForm
    add_form = PersonCreationForm

    def has_module_permission(self, request):
        return permissions.can_manage(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    def has_add_permission(self, request):
        return permissions.can_manage(request.user)

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
            account = ["username", "first_name", "last_name", "email"]
            passwords = ["usable_password", "password1", "password2"]
            return [
                (None, {"fields": account}),
                (_("Password"), {"fields": passwords}),
                roles_fields,
            ]
        account = ["username", "first_name", "last_name", "email", "is_active"]
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
            roles_held.append(str(_("focal point for %s")) % ", ".join(codes))
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
