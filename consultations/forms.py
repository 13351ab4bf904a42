import secrets

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from consultations.revisions import FOLLOW, KEEP

# How long a file uploaded for a dry run waits to be imported without uploading it again.
PENDING_SECONDS = 3600


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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.pending = None  # (token, name) of the file kept from a dry run
        if token := self.data.get("pending", ""):
            kept = cache.get(self._key(token))
            if kept:
                self.pending = (token, kept[0])

    def _key(self, token: str) -> str:
        return f"report-upload:{self.user.pk}:{token}"

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

    def report(self) -> tuple[bytes, str]:
        """The file's bytes and name: the one uploaded, or the one kept from a dry run."""
        if upload := self.cleaned_data.get("file"):
            return upload.read(), upload.name
        name, data = cache.get(self._key(self.pending[0]))
        return data, name

    def keep(self, data: bytes, name: str) -> None:
        """Keep the file of a dry run so that it can be imported without uploading again."""
        token = self.pending[0] if self.pending else secrets.token_urlsafe(16)
        cache.set(self._key(token), (name, data), PENDING_SECONDS)
        self.pending = (token, name)

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
