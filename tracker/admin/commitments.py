"""A commitment's page: its progress, with its updates, evidence and deadlines inline."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from consultations.models import Recommendation
from consultations.templatetags.report_text import report_markdown
from tracker import permissions
from tracker.admin.filters import CountryFilter
from tracker.admin.scoping import (
    ScopedAdminMixin,
    ScopedInlineMixin,
)
from tracker.admin.spreadsheets import ProgressSpreadsheetAdmin
from tracker.admin.stores import FileStoreMixin
from tracker.forms import (
    CommitmentForm,
    conflict_message,
)
from tracker.models import (
    Commitment,
    ConcurrentEditError,
    Country,
    Deadline,
    Evidence,
    ProgressUpdate,
)
from tracker.services import save_items


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
    verbose_name = _("evidence item")
    verbose_name_plural = _("Evidence (dated notes, links and files)")


class DeadlineInline(ScopedInlineMixin, admin.TabularInline):
    model = Deadline
    fk_name = "commitment"
    fields = ["description", "due_date", "responsible", "is_done", "done_at", "update", "is_demo"]
    readonly_fields = ["done_at", "update", "is_demo"]


@admin.register(Commitment)
class CommitmentAdmin(
    FileStoreMixin, ScopedAdminMixin, ProgressSpreadsheetAdmin, SimpleHistoryAdmin
):
    list_title = _("Commitments: a recommendation, a country, its progress")
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
        ("country", CountryFilter),
        "status",
        "response",
        "recommendation__consultation",
    ]
    show_full_result_count = False  # a long list: the filtered count is enough
    search_fields = [
        "recommendation__code",
        *(f"recommendation__{title}" for title in Recommendation.title_fields()),
        "lead_agency",
    ]
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
        return super().get_queryset(request).with_waiting_and_next_due()

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

    @admin.display(description=_("recommendation"), ordering="recommendation__short_title_en")
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
        save_items(formset, by=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError:
            # Lost the race between the form's check and the save: nothing was written.
            self.message_user(request, conflict_message(), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
