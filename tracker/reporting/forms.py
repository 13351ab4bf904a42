"""The forms of the reporting area: one update with the evidence and deadlines it carries,
and a reviewer's decision."""

import uuid

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tracker import permissions
from tracker.forms import makes_proof_public, shows_proof
from tracker.languages import NATIVE_NAMES, language_for
from tracker.models import (
    Deadline,
    DeadlineChange,
    Evidence,
    EvidenceChange,
    Profile,
    ProgressUpdate,
    Status,
    proof_missing_message,
)

PUBLIC_MEANS = _(
    "Public: anyone can read it on the tracker once network staff accept this update. "
    "Internal: only network staff and your country's focal points."
)


class ReportForm(forms.ModelForm):
    """What the update says (in the language it is written in, with an English version if
    its author gives one), and the commitment changes it asks for."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = ProgressUpdate
        fields = [
            "status",
            *ProgressUpdate.TEXTS,
            "language",
            *ProgressUpdate.ENGLISH_TEXTS,
            "response",
            "lead_agency",
        ]
        widgets = {
            "status": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 5}),
            "challenges": forms.Textarea(attrs={"rows": 3}),
            "support_needed": forms.Textarea(attrs={"rows": 3}),
            "narrative_en": forms.Textarea(attrs={"rows": 4}),
            "challenges_en": forms.Textarea(attrs={"rows": 2}),
            "support_needed_en": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "status": _("Where does it stand now?"),
            "narrative": _("What was done"),
            "response": _("Government response, if it changed"),
            "lead_agency": _("Lead agency, if it changed"),
        }
        help_texts = {
            "narrative": _("What your government did, since the last update, in a few lines."),
            "response": _("Leave it empty to keep the current response."),
            "lead_agency": _("Leave it empty to keep the current lead agency."),
            "language": _(
                "The language you wrote in, above. Its evidence is taken to be in it too."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in Status.choices if value != Status.NOT_STARTED
        ]
        self.fields["status"].help_text = _(
            "“Implemented” and “Partially implemented” need at least one public evidence "
            "item with a note, a link or a file."
        )
        self.fields["narrative"].error_messages["required"] = _("Say what was done.")
        self.fields["status"].error_messages["required"] = _("Choose where it stands now.")
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4()
        self.fields["language"].choices = [
            (code, NATIVE_NAMES.get(code, name)) for code, name in settings.LANGUAGES
        ]


def validate_web_address(value: str) -> None:
    URLValidator(
        schemes=["http", "https"],
        message=_("Give a web address that starts with http:// or https://."),
    )(value)


class EvidenceForm(forms.ModelForm):
    """A new evidence item: a note, a link or a file, with a visibility chosen knowingly."""

    class Meta:
        model = Evidence
        fields = ["title", "date", "note", "url", "file", "visibility"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
            "url": forms.URLInput(attrs={"inputmode": "url"}),
            "visibility": forms.RadioSelect,
        }
        labels = {"visibility": _("Who may see it")}
        help_texts = {"visibility": PUBLIC_MEANS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].validators = [validate_web_address]
        self.fields["url"].error_messages["invalid"] = _(
            "Give a web address that starts with http:// or https://."
        )
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        visibility = self.fields["visibility"]
        visibility.choices = [c for c in visibility.choices if c[0]]  # no blank choice
        visibility.initial = None  # chosen, never assumed
        visibility.error_messages["required"] = _("Choose who may see it.")
        if not self.instance.pk:
            self.fields["date"].initial = timezone.localdate()
        self.fields["title"].error_messages["required"] = _("Give the evidence a title.")
        self.fields["date"].error_messages["required"] = _("Give the date of the evidence.")

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("note", "url", "file")):
            raise forms.ValidationError(
                _("Add a note, a link or a file: a title and a date alone are not evidence.")
            )
        return cleaned


class NewDeadlineForm(forms.ModelForm):
    class Meta:
        model = Deadline
        fields = ["description", "due_date", "responsible"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class DeadlineChangeForm(forms.ModelForm):
    """Move or close one of the commitment's open deadlines that focal points may change."""

    class Meta:
        model = DeadlineChange
        fields = ["deadline", "due_date", "is_done"]
        widgets = {
            "deadline": forms.HiddenInput,
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def has_changed(self) -> bool:
        # A row is only a change if it moves or closes the deadline.
        return bool(self["due_date"].data) or bool(self["is_done"].data)


# Three blank evidence rows and two deadline rows: the first of each open, the others
# behind "Add another" (no script needed); blank rows are ignored.
EvidenceFormSet = forms.inlineformset_factory(
    ProgressUpdate, Evidence, form=EvidenceForm, fk_name="update", extra=3, can_delete=True
)
NewDeadlineFormSet = forms.inlineformset_factory(
    ProgressUpdate, Deadline, form=NewDeadlineForm, fk_name="update", extra=2, can_delete=True
)


class EvidenceChangeForm(forms.ModelForm):
    """Make one of the commitment's evidence items public or internal."""

    class Meta:
        model = EvidenceChange
        fields = ["evidence", "visibility"]
        widgets = {"evidence": forms.HiddenInput}
        labels = {"visibility": _("Make it")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visibility = self.fields["visibility"]
        visibility.required = False
        visibility.choices = [("", _("Keep it as it is"))] + [c for c in visibility.choices if c[0]]

    def has_changed(self) -> bool:
        return bool(self["visibility"].data)


EvidenceChangeFormSet = forms.inlineformset_factory(
    ProgressUpdate, EvidenceChange, form=EvidenceChangeForm, extra=0, can_delete=False
)
DeadlineChangeFormSet = forms.inlineformset_factory(
    ProgressUpdate, DeadlineChange, form=DeadlineChangeForm, extra=0, can_delete=False
)


class ReportForms:
    """The update form and the formsets of what it carries, bound or not, validated as one."""

    def __init__(self, *, update: ProgressUpdate, user, data=None, files=None):
        self.update = update
        commitment = update.commitment
        self.form = ReportForm(data, instance=update)
        if not update.pk:  # a new update: written in the writer's language, until they say
            self.form.initial["language"] = language_for(user)
        self.evidence = EvidenceFormSet(data, files, instance=update, prefix="evidence")
        self.deadlines = NewDeadlineFormSet(data, instance=update, prefix="deadlines")
        self.deadline_changes = _change_rows(
            DeadlineChangeFormSet,
            data,
            update,
            "deadline_changes",
            "deadline",
            permissions.changeable_deadlines(user, commitment).open(),
            lambda d: f"{d.description} ({date_format(d.due_date)})",
        )
        self.evidence_changes = _change_rows(
            EvidenceChangeFormSet,
            data,
            update,
            "evidence_changes",
            "evidence",
            permissions.changeable_evidence(user, commitment),
            lambda e: f"{e.title} ({date_format(e.date)}), {e.get_visibility_display()}",
        )
        for formset in (self.evidence, self.deadlines):
            # The first row for a new item is open; the others wait behind "Add another".
            blank = [form for form in formset.forms if not form.instance.pk]
            formset.first_blank = blank[0].prefix if blank else None

    @property
    def formsets(self) -> list:
        return [self.evidence, self.evidence_changes, self.deadlines, self.deadline_changes]

    def is_valid(self, *, submitting: bool) -> bool:
        valid = self.form.is_valid()
        valid = all([fs.is_valid() for fs in self.formsets]) and valid
        if valid and submitting and self._lacks_proof():
            self.form.add_error(None, proof_missing_message(self.form.cleaned_data["status"]))
            valid = False
        return valid

    def _lacks_proof(self) -> bool:
        status = self.form.cleaned_data["status"]
        if status not in Status.needing_evidence():
            return False
        if any(shows_proof(getattr(f, "cleaned_data", {})) for f in self.evidence.forms):
            return False
        changes = [getattr(f, "cleaned_data", {}) for f in self.evidence_changes.forms]
        if makes_proof_public(self.update.commitment_id, changes):
            return False
        return not self.update.commitment.has_public_proof() and not (
            self.update.pk and self.update.has_public_proof()
        )

    def errors(self) -> list[tuple[str, str]]:
        """(field id, message) of every error, for the summary at the top of the page."""
        found = [("", str(message)) for message in self.form.non_field_errors()]
        for name, messages in self.form.errors.items():
            if name != "__all__":
                found += [(_anchor(self.form[name]), str(m)) for m in messages]
        for formset in self.formsets:
            found += [("", str(m)) for m in formset.non_form_errors()]
            for form in formset.forms:
                visible = form.visible_fields()
                first = _anchor(visible[0]) if visible else ""
                found += [(first, str(m)) for m in form.non_field_errors()]
                for name, messages in form.errors.items():
                    if name != "__all__":
                        found += [(_anchor(form[name]), str(m)) for m in messages]
        return found


def _change_rows(formset_class, data, update, prefix, field, items, describe):
    """A formset of changes to existing items (`items`, those the user may change): one
    row per item, those the update already asks about first; each row knows its item's
    description (`row.item_description`)."""
    choices, items = items, list(items)
    asked = (
        {getattr(c, f"{field}_id") for c in getattr(update, prefix).all()} if update.pk else set()
    )
    initial = [{field: item.pk} for item in items if item.pk not in asked]
    formset = formset_class(
        data,
        instance=update,
        prefix=prefix,
        initial=initial,
        queryset=formset_class.model.objects.filter(update=update) if update.pk else None,
    )
    formset.extra = len(initial)
    by_pk = {item.pk: item for item in items}
    for form in formset.forms:
        form.fields[field].queryset = choices
        item = by_pk.get(getattr(form.instance, f"{field}_id") or form.initial.get(field))
        form.item_description = describe(item) if item else ""
    return formset


def _anchor(field: forms.BoundField) -> str:
    """The id a link to the field goes to: its input, or the first of its radio buttons."""
    if isinstance(field.field.widget, forms.RadioSelect):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["language", "time_zone"]
        widgets = {"time_zone": forms.Select(attrs={"lang": "en"})}  # zone names are English

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("The language of my first country")),
            *((code, NATIVE_NAMES.get(code, name)) for code, name in settings.LANGUAGES),
        ]


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the focal point change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what the focal point should change.")},
    )


class EnglishVersionForm(forms.ModelForm):
    """Network staff's English version of an update written in another language."""

    class Meta:
        model = ProgressUpdate
        fields = list(ProgressUpdate.ENGLISH_TEXTS)
        widgets = {
            "narrative_en": forms.Textarea(attrs={"rows": 4, "lang": "en"}),
            "challenges_en": forms.Textarea(attrs={"rows": 2, "lang": "en"}),
            "support_needed_en": forms.Textarea(attrs={"rows": 2, "lang": "en"}),
        }
