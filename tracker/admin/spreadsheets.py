"""The admin's import and export pages of the progress table, on django-import-export's
hooks: its forms, its import_action/process_import flow, its temporary storage setting
and its resource hooks.

Upload: the file is checked and previewed in memory (tracker.spreadsheets); a preview
that can be confirmed is kept for its user (tracker.uploads) with the versions of the
commitments it read; confirming claims it once, checks those versions again, and writes
every change in one transaction (tracker.resources, tracker.review). Export: the
commitments the admin shows the user (internal evidence included), with the public
export's column headers, in a file named for what it holds.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm
from import_export.results import RowResult

from tracker import permissions, spreadsheet_formats, uploads
from tracker.models import Status
from tracker.resources import AdminProgressResource, ProgressImportResource
from tracker.spreadsheets import UploadRefused

IMPORT_FORMATS = [spreadsheet_formats.CSV, spreadsheet_formats.XLSX]
EXPORT_FORMATS = [spreadsheet_formats.CSV, spreadsheet_formats.XLSX, spreadsheet_formats.JSON]
SHOWN_ERRORS = 5


class ProgressImportForm(ImportForm):
    """The upload: refused over the size limit before anything reads it; its format found
    from its name unless chosen. Collects the versions of the commitments the preview
    read (`seen_versions`)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats
        self.seen_versions: dict[str, int] = {}
        field = self.fields["format"]
        field.required = False
        field.choices = [("", _("Found from the file name")), *list(field.choices)[1:]]
        field.widget.attrs.pop("class", None)
        self.fields["import_file"].widget.attrs.pop("class", None)
        self.fields["import_file"].help_text = _(
            "The progress table as downloaded (CSV or Excel), with your changes to the "
            "Status, Latest accepted note and Next deadline columns. At most %(size)s and "
            "%(rows)s rows."
        ) % {
            "size": filesizeformat(settings.PROGRESS_IMPORT_MAX_BYTES),
            "rows": f"{settings.PROGRESS_IMPORT_MAX_ROWS:,}",
        }

    @property
    def media(self):
        return forms.Media()  # the format is found on the server: no script needed

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.PROGRESS_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; the largest upload accepted is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload and not cleaned.get("format"):
            extension = Path(upload.name).suffix.lower().lstrip(".")
            found = [
                str(index)
                for index, kind in enumerate(self.formats)
                if kind().get_extension() == extension
            ]
            if not found:
                self.add_error(
                    "format",
                    _("Say whether the file is CSV or Excel (XLSX): its name does not tell."),
                )
            else:
                cleaned["format"] = found[0]
        return cleaned


class ConfirmUploadForm(ConfirmImportForm):
    """The confirmation of a preview: valid once, for the user who made it, within the
    hour. Claims the pending upload (`pending`)."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.pending = None

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get("import_file_name")
        if self.user is not None:
            self.pending = uploads.claim(user=self.user, token=token) if token else None
            if self.pending is None or self.pending.file_format != cleaned.get("format"):
                raise ValidationError(
                    _(
                        "This preview can no longer be confirmed: it was confirmed already, "
                        "a newer upload replaced it, or it was left for more than an hour. "
                        "Nothing was applied. Upload the file again."
                    )
                )
        return cleaned


class ProgressExportForm(SelectableFieldsExportForm):
    """Columns labelled as the downloaded file heads them; a format chosen already."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        for resource in resources:
            instance = resource()
            for name in instance.get_export_order():
                field = self.fields[self.create_boolean_field_name(resource, name)]
                field.label = str(instance.fields[name].column_name)
        field = self.fields["format"]
        field.choices = list(field.choices)[1:]
        field.initial = str(EXPORT_FORMATS.index(spreadsheet_formats.XLSX))

    @property
    def media(self):
        return forms.Media(js=["tracker/export_fields.js"])


class ProgressSpreadsheetAdmin(ImportExportMixin):
    """The import and export pages of the commitments' admin."""

    resource_classes = [AdminProgressResource]
    import_form_class = ProgressImportForm
    confirm_form_class = ConfirmUploadForm
    export_form_class = ProgressExportForm
    tmp_storage_class = uploads.PendingUploadStorage
    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS
    # Each update an upload makes has its own history row, with its author: the admin's
    # log would only repeat it, one row per commitment.
    skip_admin_log = True
    import_template_name = "admin/tracker/commitment/import.html"
    export_template_name = "admin/tracker/commitment/export.html"

    def has_import_permission(self, request):
        return permissions.has_tracker_access(request.user)

    def has_export_permission(self, request):
        return permissions.has_tracker_access(request.user)

    # Upload ------------------------------------------------------------------------------

    def get_import_resource_classes(self, request):
        return [ProgressImportResource]

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        pending = getattr(form, "pending", None)
        return {
            "user": get_user(request),  # the user itself, not the request's lazy stand-in
            "seen_versions": getattr(form, "seen_versions", None),
            "expected_versions": pending.versions if pending else None,
        }

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        return {**kwargs, "rollback_on_validation_errors": True}

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "user": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            # The preview can be confirmed: keep the file, for this user, with the
            # versions it read.
            upload = import_form.cleaned_data["import_file"]
            upload.seek(0)
            uploads.keep(
                user=request.user,
                token=initial["import_file_name"],
                data=upload.read(),
                file_name=initial["original_file_name"],
                file_format=str(initial["format"]),
                versions=import_form.seen_versions,
            )
        return initial

    def process_import(self, request, **kwargs):
        """A confirmation that cannot be used (made by someone else, used already, replaced
        or expired) is refused with 403, on a page that says why; nothing is applied."""
        response = super().process_import(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if context.get("confirm_form") is not None and context["confirm_form"].errors:
            response.status_code = 403
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UploadRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            problems = [
                _("Row %(number)s: %(problems)s")
                % {"number": row.number, "problems": "; ".join(map(str, row.error.messages))}
                for row in result.invalid_rows[:SHOWN_ERRORS]
            ] + [str(error.error) for error in result.base_errors[:SHOWN_ERRORS]]
            messages.error(
                request,
                _("Nothing was applied. %(problems)s Upload the file again.")
                % {"problems": " ".join(problems)},
            )
            return HttpResponseRedirect(reverse("admin:tracker_commitment_import"))
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        count = result.totals[RowResult.IMPORT_TYPE_UPDATE]
        if permissions.is_network_staff(request.user):
            text = ngettext(
                "%(count)d progress update published.",
                "%(count)d progress updates published.",
                count,
            )
        else:
            text = ngettext(
                "%(count)d progress update sent to network staff for review.",
                "%(count)d progress updates sent to network staff for review.",
                count,
            )
        messages.success(request, text % {"count": count})

    # Download ----------------------------------------------------------------------------

    def get_export_filename(self, request, queryset, file_format):
        """progress-<countries>-<status>-<report>-<date>.<extension>: what the file holds."""
        parts = ["progress"]
        isos = sorted(
            {
                str(iso).lower()
                for iso in queryset.order_by()
                .values_list("country__code", flat=True)
                .distinct()[:4]
            }
        )
        parts += isos if len(isos) <= 3 else ["several-countries"]
        status = request.GET.get("status__exact")
        if status in Status.values:
            parts.append(status.replace("_", "-"))
        reports = (
            queryset.order_by()
            .values_list("recommendation__consultation__code", flat=True)
            .distinct()[:2]
        )
        if len(reports) == 1:
            parts.append(str(reports[0]).lower())
        if request.POST.getlist("export_items"):
            parts.append("selected")
        parts.append(timezone.localdate().isoformat())
        return f"{'-'.join(parts)}.{file_format.get_extension()}"
