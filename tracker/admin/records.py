"""Evidence and deadlines on pages of their own: staff's are published as saved."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tracker import permissions
from tracker.admin.filters import CountryFilter
from tracker.admin.scoping import CommitmentScopedAdmin
from tracker.admin.stores import FileStoreMixin
from tracker.models import (
    Deadline,
    Evidence,
)
from tracker.services import stamp_author


@admin.register(Evidence)
class EvidenceAdmin(FileStoreMixin, CommitmentScopedAdmin):
    """Staff's evidence is published as it is saved. Focal points read evidence here and
    add theirs with a progress update."""

    list_title = _("Evidence: dated notes, links and files")

    list_display = ["date", "title", "commitment", "visibility", "file_link", "update", "is_demo"]
    list_filter = [
        "visibility",
        ("commitment__country", CountryFilter),
        "is_demo",
    ]
    search_fields = ["title", "note", "commitment__recommendation__code"]
    fields = [
        "commitment",
        "date",
        "title",
        "note",
        "language",
        "title_en",
        "note_en",
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
            stamp_author(obj, request.user)
        super().save_model(request, obj, form, change)


@admin.register(Deadline)
class DeadlineAdmin(CommitmentScopedAdmin):
    """Staff's deadlines are published as they are saved. Focal points add, move and close
    theirs with a progress update."""

    list_title = _("Follow-up deadlines")

    list_display = ["due_date", "description", "commitment", "responsible", "is_done", "overdue"]
    list_filter = [
        "is_done",
        ("commitment__country", CountryFilter),
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
            stamp_author(obj, request.user)
        super().save_model(request, obj, form, change)
