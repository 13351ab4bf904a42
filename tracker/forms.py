from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import Commitment, Country


class CommitmentForm(forms.ModelForm):
    """Carries the version the form was opened on, to refuse a save over someone else's."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Commitment
        fields = ["recommendation", "country", "response", "lead_agency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            expected = cleaned.get("expected_version")
            current = Commitment.objects.filter(pk=self.instance.pk).values_list(
                "version", flat=True
            )[0]
            if expected != current:
                raise forms.ValidationError(conflict_message(), code="conflict")
        return cleaned


def conflict_message() -> str:
    return _(
        "Someone else saved this commitment after you opened it, so your changes were "
        "not saved. They are still in the form below: open the commitment again in a new "
        "tab to see the other changes, then save yours again."
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the focal point change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AssignForm(forms.Form):
    countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Countries that will own the selected recommendations"),
    )
