"""The facets of the public progress table and recommendation list."""

import hashlib
import html

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from consultations.models import Recommendation
from tracker import facet_options, page_cache, stats
from tracker.calendars import buddhist_era
from tracker.escaping import escape
from tracker.languages import is_english
from tracker.models import WITH_PROGRESS, Commitment, Deadline, Status

# The status facet: each status, and all those that show progress at once.
STATUS_CHOICES = [(WITH_PROGRESS, _("With progress (planned to implemented)")), *Status.choices]


def _search(queryset, prefix: str, value: str):
    """Every word must appear in the code, the short title (in English or the page's
    language), the text or (for commitments) the lead agency."""
    titles = Recommendation.title_fields(*dict.fromkeys(["en", get_language() or "en"]))
    for word in value.split()[:10]:
        condition = Q(**{f"{prefix}code__icontains": word})
        for title in titles:
            condition |= Q(**{f"{prefix}{title}__icontains": word})
        condition |= Q(**{f"{prefix}paragraph__text__icontains": word})
        if not prefix:
            queryset = queryset.filter(condition)
        else:
            queryset = queryset.filter(condition | Q(lead_agency__icontains=word))
    return queryset


def overdue_deadlines(commitment=None):
    """Published deadlines past due and still open, of the commitment in the outer query."""
    return (
        Deadline.objects.public()
        .overdue()
        .filter(commitment=commitment if commitment is not None else OuterRef("pk"))
    )


class Options(BaseChoiceIterator):
    """A facet's options (facet_options), read with the other facets' once per change of
    the data and once a page (see page_cache.remember); pairs already, so not put in order
    again at every use, as Django does with options given by a function (a page uses each
    several times)."""

    def __init__(self, facet: str):
        self.facet = facet

    def __iter__(self):
        yield from page_cache.remember("options", facet_options.option_lists)[self.facet]

    def __call__(self) -> list:
        # A function to those who look (the API's schema then does not read the options).
        return list(self)


class CountryField(django_filters.fields.ChoiceField):
    """A country by its code in any case (`th`, `TH`) or its English name (`Thailand`),
    as people type it in a URL; the choices stay the codes."""

    default_error_messages = {
        "invalid_choice": _("No country “%(value)s” owns recommendations here."),
    }

    def to_python(self, value):
        return country_code(super().to_python(value))


def country_code(value: str) -> str:
    """The code of the country a visitor means (`th`, `TH`, `Thailand`); what they typed
    when it names none."""
    value = value.strip()
    if not value:
        return value
    if countries.alpha2(value):
        return countries.alpha2(value)
    return countries.by_name(value) or value


@extend_schema_field(OpenApiTypes.STR)
class OptionFilter(django_filters.ChoiceFilter):
    """A facet whose options are read from the data: the API's schema types it as text."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FacetSelect)
        super().__init__(*args, **kwargs)


class FacetSelect(forms.Select):
    """A select written here rather than by Django's templates, which take two for every
    option (a facet offers fifty countries, a page a hundred and more options; the admin's
    commitment a thousand), and rather than through Django's option dictionaries (a
    dictionary an option, each built by a call): the same HTML, the same options chosen
    (the first with the value, or all of them for a multiple select)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        extra = self.option_attributes()
        parts = [f'<select name="{escape(name)}"{_attrs(attrs)}>']
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'\n  <optgroup label="{escape(option_value)}">')
                for sub_value, sub_label in label:
                    parts.append(self._option(sub_value, sub_label, chosen, extra))
                parts.append("\n  </optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen, extra))
        parts.append("\n</select>")
        return mark_safe("".join(parts))

    def _option(self, value, label, chosen: set, extra: str) -> str:
        value = "" if value is None else str(value)
        selected = ""
        if value in chosen:
            selected = " selected"
            if not self.allow_multiple_selected:
                chosen.clear()  # only the first option with the value is chosen
        attributes = selected + (extra if value else "")
        return f'\n  <option value="{_text(value)}"{attributes}>{escape(label)}</option>\n'

    def option_attributes(self) -> str:
        """Attributes of every option but the empty one."""
        return ""


class FacetInput:
    """A facet's text, day or check box, written here as Django's template writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
        return mark_safe(
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
            f"{value}{_attrs(widget['attrs'])}>"
        )


class FacetText(FacetInput, forms.TextInput):
    pass


class FacetDay(FacetInput, forms.DateInput):
    pass


class FacetCheckbox(FacetInput, forms.CheckboxInput):
    pass


def _text(value) -> str:
    """A value as the template's `stringformat:'s'` writes it: text, always escaped."""
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {escape(name)}" + ("" if value is True else f'="{_text(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


class EnglishOptions(FacetSelect):
    """A select whose options (but its empty one) are the report's own words, English
    whatever the page's language, and marked so on a page in another language."""

    def option_attributes(self) -> str:
        return "" if is_english() else ' lang="en"'


class CountryFilter(OptionFilter):
    field_class = CountryField


class TagFilters(django_filters.FilterSet):
    """Facets on what the report says, shared by both lists; each is chosen by its code,
    number or slug, from options read once per change of the data.

    `prefix` leads from the filtered model to the recommendation.
    """

    prefix = ""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", widget=FacetText)
    consultation = OptionFilter(
        label=_("Consultation"),
        choices=Options("consultation"),
        empty_label=_("All consultations"),
        widget=EnglishOptions,
    )
    section = OptionFilter(
        label=_("Section"),
        choices=Options("section"),
        empty_label=_("All sections"),
        widget=EnglishOptions,
    )
    objective = OptionFilter(
        label=_("GCM objective"),
        choices=Options("objective"),
        empty_label=_("All GCM objectives"),
    )
    sdg = OptionFilter(
        label=_("SDG"),
        choices=Options("sdg"),
        empty_label=_("All SDGs"),
    )
    theme = OptionFilter(
        label=_("Theme"),
        choices=Options("theme"),
        empty_label=_("All themes"),
        widget=EnglishOptions,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        p = self.prefix
        self.filters["consultation"].field_name = f"{p}consultation__code"
        self.filters["section"].field_name = f"{p}paragraph__section"
        self.filters["objective"].field_name = f"{p}gcm_objectives__number"
        self.filters["sdg"].field_name = f"{p}sdgs__number"
        self.filters["theme"].field_name = f"{p}themes__slug"

    def filter_search(self, queryset, name, value):
        return _search(queryset, self.prefix, value)

    def get_form_class(self):
        """The form, its class made once for each kind of filter set rather than at every
        request: its fields are the same each time (and each form copies them)."""
        made = type(self).__dict__.get("_form_class")
        if made is None:
            made = super().get_form_class()
            type(self)._form_class = made
        return made

    def offered(self) -> list:
        """The facets a page shows: not one with nothing to choose (no theme yet)."""
        return [
            bound
            for bound in self.form
            if not isinstance(bound.field, forms.ChoiceField)
            or bound.errors  # a value it cannot take is shown, with its message
            or any(value for value, _label in bound.field.choices)
        ]

    def facets(self) -> SafeString:
        """The offered facets as the filter form shows them, each its label and its control
        (a check box first), and the message of a value it cannot take: the same HTML as
        the template's loop over the fields wrote (a third of the progress table's
        template time), the controls written by FacetSelect and FacetInput.

        Kept for the values chosen, the day, the time zone and the calendar (and the
        language, by page_cache.remember) while the options stand: every page of a table
        (`?page=`), and its pages after each acceptance, write the same (a tenth of a
        table's time)."""
        chosen = [(name, self._chosen(name)) for name in self.filters if name in self.data]
        shown = (timezone.localdate(), timezone.get_current_timezone_name(), buddhist_era())
        key = hashlib.sha256(repr((chosen, shown)).encode()).hexdigest()
        return mark_safe(page_cache.remember(f"facets:{type(self).__name__}:{key}", self._facets))

    def _chosen(self, name: str) -> list:
        getlist = getattr(self.data, "getlist", None)
        return getlist(name) if getlist else [self.data[name]]

    def _facets(self) -> str:
        out = []
        for bound in self.offered():
            check = bound.field.widget.input_type == "checkbox"
            label, control = _label_tag(bound), bound.as_widget()
            pair = f"{control} {label}" if check else f"{label} {control}"
            errors = str(bound.errors) if bound.errors else ""
            out.append(
                f'<div class="field{" field-check" if check else ""}">\n    {pair}\n'
                f"    {errors}\n  </div>"
            )
        return mark_safe("\n  ".join(out))


# Marks that end a label without the suffix, as Django's catalogs translate them (named
# here, not written in the call, so that they are looked up there and not added to ours).
LABEL_PUNCTUATION = ":?.!"


def _label_tag(bound) -> str:
    """A facet's label as `bound.label_tag()` writes it (the label and the form's suffix,
    unless the label ends in punctuation, for the control's id), without rendering the
    form's label template once a facet: 0.7 ms a page."""
    suffix = bound.field.label_suffix
    label, suffix = bound.label, bound.form.label_suffix if suffix is None else suffix
    if suffix and label and label[-1] not in gettext(LABEL_PUNCTUATION):
        label = f"{label}{suffix}"
    return f'<label for="{escape(bound.id_for_label)}">{escape(label)}</label>'


def not_in_future(day) -> None:
    if day > timezone.localdate():
        raise ValidationError(
            _("%(day)s is in the future: choose today or an earlier day."),
            params={"day": day.isoformat()},
        )


class DayFilter(django_filters.DateFilter):
    """A day typed as 2026-06-30 (the date control sends that), not in the future."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FacetDay(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("validators", [not_in_future])
        kwargs.setdefault(
            "error_messages", {"invalid": _("Enter a day like 2026-06-30 (year-month-day).")}
        )
        super().__init__(*args, **kwargs)


class CommitmentFilter(TagFilters):
    """One row per commitment: what /progress/ shows and exports. As of a day, each row is
    the commitment as it stood then, and the status facet applies to that status."""

    prefix = "recommendation__"

    country = CountryFilter(
        label=_("Country"),
        field_name="country__code",
        choices=Options("country"),
        empty_label=_("All countries"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        empty_label=_("Any status"),
        widget=FacetSelect,
        method="filter_by_day",
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only with overdue deadlines"),
        method="filter_overdue",
        widget=FacetCheckbox,
    )
    as_of = DayFilter(label=_("As it stood on"), method="filter_by_day")
    changed_since = DayFilter(label=_("Changed since"), method="filter_changed_since")

    class Meta:
        model = Commitment
        fields = ["q", "consultation", "section", "objective", "sdg", "theme", "country", "status"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(Exists(overdue_deadlines())) if value else queryset

    def filter_changed_since(self, queryset, name, value):
        return queryset.changed_since(value) if value else queryset

    def filter_by_day(self, queryset, name, value):
        return queryset  # status and as_of together, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        day, status = self.form.cleaned_data.get("as_of"), self.form.cleaned_data.get("status")
        if day:
            queryset = queryset.as_of(day)
        if status:
            queryset = queryset.with_status(status, "as_of_status" if day else "status")
        return queryset

    def counted(self) -> int | None:
        """How many rows the facets give, from the tallies (tracker.stats) when at most a
        country and a status are chosen; None when the rows must be counted (or a value is
        wrong). For a queryset of every commitment, as /progress/ starts from."""
        if not self.is_valid():
            return None
        data = self.form.cleaned_data
        if any(value for name, value in data.items() if name not in ("country", "status")):
            return None
        return stats.commitments_counted(data.get("country") or "", data.get("status") or "")

    def dates(self) -> dict:
        """The days asked for ({"as_of": day, "changed_since": day}), once valid."""
        data = self.form.cleaned_data if self.is_valid() else {}
        return {name: data[name] for name in ("as_of", "changed_since") if data.get(name)}


class RecommendationFilter(TagFilters):
    """Recommendations; country, status and overdue apply to one and the same commitment."""

    country = CountryFilter(
        label=_("Country"),
        choices=Options("country"),
        empty_label=_("All countries"),
        method="filter_by_commitment",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        empty_label=_("Any status"),
        widget=FacetSelect,
        method="filter_by_commitment",
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only with overdue deadlines"),
        method="filter_by_commitment",
        widget=FacetCheckbox,
    )

    class Meta:
        model = Recommendation
        fields = ["q", "consultation", "section", "objective", "sdg", "theme", "country", "status"]

    def filter_by_commitment(self, queryset, name, value):
        return queryset  # applied once, for all three, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        commitments = Commitment.objects.filter(recommendation=OuterRef("pk"))
        if data.get("country"):
            commitments = commitments.filter(country__code=data["country"])
        if data.get("status"):
            commitments = commitments.with_status(data["status"])
        if data.get("overdue"):
            commitments = commitments.filter(Exists(overdue_deadlines(OuterRef("pk"))))
        if data.get("country") or data.get("status") or data.get("overdue"):
            queryset = queryset.filter(Exists(commitments))
        return queryset
