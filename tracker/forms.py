import datetime as dt

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    ApiToken,
    Commitment,
    Country,
    Evidence,
    EvidenceChange,
    Person,
    Profile,
    ProgressUpdate,
)
from tracker.permissions import STAFF_GROUP


class VersionedForm(forms.ModelForm):
    """Carries the version the form was opened on, to refuse a save over someone else's."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            expected = cleaned.get("expected_version")
            current = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)[0]
            )
            if expected != current:
                raise forms.ValidationError(self.conflict_message(), code="conflict")
        return cleaned

    def conflict_message(self) -> str:
        return conflict_message()


class CommitmentForm(VersionedForm):
    class Meta:
        model = Commitment
        fields = ["recommendation", "country", "response", "lead_agency"]


class ProgressUpdateForm(VersionedForm):
    class Meta:
        model = ProgressUpdate
        fields = [
            "commitment",
            "status",
            "narrative",
            "challenges",
            "support_needed",
            "response",
            "lead_agency",
        ]

    def conflict_message(self) -> str:
        return _(
            "This update was changed (or reviewed) after you opened it, so your changes were "
            "not saved. They are still in the form below: open the update again in a new tab "
            "to see what changed, then save yours again."
        )


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


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        help_text=_("For a published update, the public reads this beside it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class AssignForm(forms.Form):
    countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Countries that will own the selected recommendations"),
    )


class RoleFields(forms.Form):
    """The two roles, as fields of the People forms."""

    is_network_staff = forms.BooleanField(
        label=_("Network staff"),
        required=False,
        help_text=_("Reviews progress updates, manages reports, countries and people."),
    )
    focal_countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Focal point for"),
        help_text=_("Reports progress for these countries' commitments, and nothing else."),
    )


class PersonForm(forms.ModelForm):
    is_network_staff = RoleFields.base_fields["is_network_staff"]
    focal_countries = RoleFields.base_fields["focal_countries"]
    time_zone = Profile._meta.get_field("time_zone").formfield()

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person = self.instance
        if person.pk:
            self.initial.setdefault(
                "is_network_staff", person.groups.filter(name=STAFF_GROUP).exists()
            )
            self.initial.setdefault(
                "focal_countries", list(Country.objects.filter(memberships__user=person))
            )
            zone = Profile.objects.filter(user=person).values_list("time_zone", flat=True)
            self.initial.setdefault("time_zone", zone.first() or "")


class PersonCreationForm(AdminUserCreationForm):
    is_network_staff = RoleFields.base_fields["is_network_staff"]
    focal_countries = RoleFields.base_fields["focal_countries"]
    send_invitation = forms.BooleanField(
        label=_("Email them an invitation to choose their password"),
        help_text=_("The link in it works for three days. Leave the password unset below."),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("send_invitation") and not cleaned.get("email"):
            self.add_error("email", _("An invitation needs an email address."))
        return cleaned

    class Meta(AdminUserCreationForm.Meta):
        model = Person
        fields = ["username", "first_name", "last_name", "email"]


class SeenVersionsForm(forms.Form):
    """The version of each update a reviewer was shown, posted as `version-<pk>` (by the
    review confirmation page, or an update's own page): accepting or returning is refused
    for an update changed since (see review.review_many)."""

    def __init__(self, data, *, updates):
        super().__init__(data)
        self.updates = list(updates)
        for update in self.updates:
            self.fields[self.field_name(update)] = forms.IntegerField(
                min_value=0, required=False, widget=forms.HiddenInput
            )

    @staticmethod
    def field_name(update) -> str:
        return f"version-{update.pk}"

    def versions(self) -> dict[int, int]:
        """The versions posted for the updates: {update pk: version}."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            update.pk: cleaned[self.field_name(update)]
            for update in self.updates
            if cleaned.get(self.field_name(update)) is not None
        }

    def is_complete(self) -> bool:
        """Every update has the version that was shown (the reviewer saw them all)."""
        return bool(self.updates) and len(self.versions()) == len(self.updates)


# The rows of an update's "change the visibility of evidence" inline, read as posted (the
# admin's inline of the same model and fields has the same default prefix).
EvidenceChangeFormSet = forms.inlineformset_factory(
    ProgressUpdate, EvidenceChange, fields=["evidence", "visibility"], extra=0
)


def shows_proof(data: dict) -> bool:
    """A new evidence row, as cleaned, that is proof once published: public, kept, and
    with a note, a link or a file (see Evidence.objects.proof)."""
    return (
        bool(data)
        and not data.get("DELETE")
        and data.get("visibility") == Evidence.Visibility.PUBLIC
        and any(data.get(name) for name in ("note", "url", "file"))
    )


def makes_proof_public(commitment_id, changes: list[dict]) -> bool:
    """Rows asking to make existing evidence public, as cleaned: is any of it proof?"""
    chosen = [
        data["evidence"].pk
        for data in changes
        if data.get("evidence")
        and data.get("visibility") == Evidence.Visibility.PUBLIC
        and not data.get("DELETE")
    ]
    evidence = Evidence.objects.filter(commitment=commitment_id, pk__in=chosen)
    return bool(chosen) and evidence.proof().exists()


class ApiTokenForm(forms.ModelForm):
    """A new personal API token: what uses it, and until when (at most a year)."""

    LONGEST = dt.timedelta(days=365)

    class Meta:
        model = ApiToken
        fields = ["name", "expires_at"]
        help_texts = {"expires_at": _("At most a year from now. You can revoke it sooner.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "expires_at" in self.fields and not self.instance.pk:
            self.fields["expires_at"].initial = timezone.now() + dt.timedelta(days=90)

    def clean_expires_at(self):
        expires = self.cleaned_data["expires_at"]
        now = timezone.now()
        if expires <= now:
            raise forms.ValidationError(_("Choose a time after now."))
        if expires > now + self.LONGEST:
            raise forms.ValidationError(_("Choose a time within a year from now."))
        return expires
