from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from consultations import reading
from consultations.models import Consultation, ReportFile
from consultations.revisions import FOLLOW, KEEP


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Report file"),
        required=False,
        help_text=_("The summary report: PDF, Word (.docx) or plain text (UTF-8 or Windows-1252)."),
    )
    consultation = forms.ModelChoiceField(
        queryset=Consultation.objects.all(),
        required=False,
        label=_("Update this consultation"),
        help_text=_(
            "Leave empty to match the report to a consultation by its date and title, "
            "or to create a new one."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would change and save nothing"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, user, token: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The report kept from an earlier upload (its dry run, or its reading), if any.
        token = self.data.get("pending", "") or token
        self.pending: ReportFile | None = reading.find(user=user, token=token) if token else None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.REPORT_UPLOAD_MAX_BYTES
        if upload and upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest report accepted is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload

    def clean(self):
        if not self.cleaned_data.get("file") and not self.pending:
            self.add_error("file", _("Choose the report file."))
        return self.cleaned_data

    def report(self) -> ReportFile:
        """The report to import: the file uploaded, kept (read now, or queued to be read),
        or else the one kept from before. Raises ReportError for an upload that cannot be
        read."""
        if upload := self.cleaned_data.get("file"):
            consultation = self.cleaned_data.get("consultation")
            self.pending = reading.keep(
                user=self.user,
                data=upload.read(),
                name=upload.name,
                options={
                    "consultation": consultation.pk if consultation else None,
                    "dry_run": self.cleaned_data["dry_run"],
                },
            )
        return self.pending

    def choices(self) -> dict[str, str]:
        """Staff's choice for each flagged recommendation, by code."""
        return {
            key.removeprefix("choice:"): value
            for key, value in self.data.items()
            if key.startswith("choice:") and value in (KEEP, FOLLOW)
        }

    def offer(self, flags) -> None:
        """A choice for each recommendation whose text the import would change or move."""
        for flag in flags:
            self.fields[f"choice:{flag.code}"] = forms.ChoiceField(
                label=flag.describe(),
                choices=[(KEEP, flag.outcome(KEEP)), (FOLLOW, flag.outcome(FOLLOW))],
                widget=forms.RadioSelect,
                required=False,
            )

    def upload_fields(self):
        return [self[name] for name in self.fields if not name.startswith("choice:")]

    def choice_fields(self):
        return [self[name] for name in self.fields if name.startswith("choice:")]
