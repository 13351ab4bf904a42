from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Report file"),
        help_text=_("The summary report as plain text (UTF-8 or Windows-1252)."),
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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.REPORT_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest report accepted is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload
