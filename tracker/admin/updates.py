"""Progress updates: written by focal points (a draft, or submitted for review), with the
evidence and deadlines they carry; reviewed by network staff (see review_actions)."""

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker import permissions, review
from tracker.admin.filters import CountryFilter
from tracker.admin.review_actions import ReviewActions
from tracker.admin.scoping import (
    CommitmentScopedAdmin,
    ScopedInlineFormSet,
    commitment_id_from,
)
from tracker.admin.stores import FileStoreMixin
from tracker.forms import (
    EvidenceChangeFormSet,
    ProgressUpdateForm,
    makes_proof_public,
    shows_proof,
)
from tracker.models import (
    Commitment,
    ConcurrentEditError,
    Deadline,
    DeadlineChange,
    Evidence,
    EvidenceChange,
    ProgressUpdate,
    proof_missing_message,
)
from tracker.services import save_items


class UpdatePartInline(admin.StackedInline):
    """What a progress update carries: public only once it is accepted. Added and changed
    with the update, by whoever may edit it."""

    extra = 0
    formset = ScopedInlineFormSet

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
        commitment_id = commitment_id_from(request)
        if not commitment_id or not commitment_id.isdigit():
            return None
        scope = permissions.countries_of(request.user)
        return Commitment.objects.for_countries(scope).filter(pk=commitment_id).order_by().first()


class ProofFormSet(ScopedInlineFormSet):
    """Refuses to submit "implemented" or "partially implemented" without public evidence
    that shows something (a note, a link or a file): on the commitment, or added here."""

    is_draft = False

    def clean(self):
        super().clean()
        update = self.instance
        if self.is_draft or not update.commitment_id or not update.needs_proof():
            return
        if any(shows_proof(getattr(form, "cleaned_data", None) or {}) for form in self.forms):
            return
        if update.commitment.has_public_proof() or self._posted_changes_make_proof_public():
            return
        raise ValidationError(proof_missing_message(update.status))

    def _posted_changes_make_proof_public(self) -> bool:
        """Evidence the same form makes public (its evidence_changes rows, as posted)."""
        changes = EvidenceChangeFormSet(self.data, instance=self.instance)
        rows = [form.cleaned_data for form in changes.forms if form.is_valid()]
        return makes_proof_public(self.instance.commitment_id, rows)


class UpdateEvidenceInline(UpdatePartInline):
    model = Evidence
    fk_name = "update"
    formset = ProofFormSet
    fields = ["date", "title", "note", "url", "file", "visibility"]
    verbose_name = _("evidence item")
    verbose_name_plural = _("Evidence published with this update")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.is_draft = is_draft(request)
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
    update's commitment that the user may change (`choices(user, commitment)`).

    The form shows it only where it offers something: an item the user may change, or a
    change the update already asks. A posted form is read with it only if the page it
    came from showed it (its rows' count was posted)."""

    item_field = ""
    choices = None
    template = "admin/edit_inline/tabular.html"
    items = None  # what it offers on this request (see `offers`)

    def offers(self, request, obj, commitment: Commitment | None) -> bool:
        """Whether the form shows it on this request; keeps what it offers."""
        self.items = self.choices(request.user, commitment) if commitment else None
        rows = self.model._meta.get_field("update").remote_field.get_accessor_name()
        if request.method == "POST":
            return f"{rows}-TOTAL_FORMS" in request.POST
        if self.items is not None and self.items.exists():
            return True
        return obj is not None and getattr(obj, rows).exists()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields[self.item_field]
        field.queryset = field.queryset.none() if self.items is None else self.items
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


def is_draft(request) -> bool:
    """The "Save as a draft" button (see the update's change_form.html)."""
    return request.POST.get("_continue") == "draft"


# What the review did, shown on an update's page, never edited there.
REVIEW_FIELDS = [
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


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(FileStoreMixin, ReviewActions, CommitmentScopedAdmin):
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
        ("commitment__country", CountryFilter),
        ("created_at", admin.DateFieldListFilter),
        "is_demo",
    ]
    search_fields = ["narrative", "commitment__recommendation__code"]
    list_select_related = ["commitment__recommendation", "commitment__country", "author"]
    # Long lists: no count of every row besides the filtered count, and dates filtered by
    # period rather than a year-by-year drill-down that reads every update's date.
    show_full_result_count = False
    list_per_page = 50
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
            _("Language"),
            {"fields": ["language", *ProgressUpdate.ENGLISH_TEXTS]},
        ),
        (
            _("Changes to the commitment, published with the update"),
            {"fields": ["response", "lead_agency", "expected_version"]},
        ),
        (_("Review"), {"fields": REVIEW_FIELDS}),
    ]
    readonly_fields = REVIEW_FIELDS

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # nothing to show about a review yet
            return fieldsets[:3]
        # Only the parts of the review that happened.
        skip = set()
        if not obj.reviewed_at:
            skip |= {"reviewer", "reviewed_at", "review_comment"}
        if not obj.accepted_at:
            skip.add("accepted_at")
        if not obj.withdrawn_at:
            skip |= {"withdrawn_at", "withdrawn_by", "withdrawal_reason"}
        name, review_fields = fieldsets[3]
        shown = [field for field in review_fields["fields"] if field not in skip]
        return [*fieldsets[:3], (name, {**review_fields, "fields": shown})]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.has_tracker_access(request.user)
        return permissions.can_edit_update(request.user, obj)

    def get_inline_instances(self, request, obj=None):
        # The update's commitment read once, for every inline that offers its items.
        inlines = super().get_inline_instances(request, obj)
        if not any(isinstance(inline, ChangeOfItemInline) for inline in inlines):
            return inlines
        commitment = UpdatePartInline.commitment_of(request, obj)
        return [
            inline
            for inline in inlines
            if not isinstance(inline, ChangeOfItemInline) or inline.offers(request, obj, commitment)
        ]

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
        save_items(formset, by=request.user, update=form.instance)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Submitted (or published, for staff's own) once all it carries is saved.
        review.send_on(form.instance, by=request.user, as_draft=is_draft(request))

    def response_add(self, request, obj, post_url_continue=None):
        self._say_what_happened(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._say_what_happened(request, obj)
        return super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A reviewer reviews on the review page: the update beside the public state.
        if obj is not None and permissions.can_review(request.user, obj):
            context["review_url"] = reverse("tracker:review_update", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

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

    list_title = _("Progress updates and review")
