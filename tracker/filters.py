"""The facets of the public progress table and recommendation list."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, GcmObjective, Recommendation, Sdg, Section, Theme
from tracker.models import Commitment, Country, Deadline, Status


def _search(queryset, prefix: str, value: str):
    """Every word must appear in the code, title, text or (for commitments) lead agency."""
    for word in value.split()[:10]:
        condition = (
            Q(**{f"{prefix}code__icontains": word})
            | Q(**{f"{prefix}short_title__icontains": word})
            | Q(**{f"{prefix}paragraph__text__icontains": word})
        )
        if not prefix:
            queryset = queryset.filter(condition)
        else:
            queryset = queryset.filter(condition | Q(lead_agency__icontains=word))
    return queryset


def overdue_deadlines(commitment=None):
    """Open deadlines past due, of the commitment in the outer query."""
    return Deadline.objects.filter(
        commitment=commitment if commitment is not None else OuterRef("pk"),
        is_done=False,
        due_date__lt=timezone.localdate(),
    )


class TagFilters(django_filters.FilterSet):
    """Facets on what the report says, shared by both lists.

    `prefix` leads from the filtered model to the recommendation.
    """

    prefix = ""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    consultation = django_filters.ModelChoiceFilter(
        label=_("Consultation"),
        queryset=Consultation.objects.order_by("-date"),
        to_field_name="code",
        empty_label=_("All consultations"),
    )
    section = django_filters.ModelChoiceFilter(
        label=_("Section"),
        queryset=Section.objects.filter(kind=Section.Kind.RECOMMENDATIONS).select_related(
            "consultation", "parent"
        ),
        empty_label=_("All sections"),
    )
    objective = django_filters.ModelChoiceFilter(
        label=_("GCM objective"),
        queryset=GcmObjective.objects.all(),
        to_field_name="number",
        empty_label=_("All GCM objectives"),
    )
    sdg = django_filters.ModelChoiceFilter(
        label=_("SDG"),
        queryset=Sdg.objects.all(),
        to_field_name="number",
        empty_label=_("All SDGs"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label=_("All themes"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        p = self.prefix
        self.filters["consultation"].field_name = f"{p}consultation"
        self.filters["section"].field_name = f"{p}paragraph__section"
        self.filters["objective"].field_name = f"{p}gcm_objectives"
        self.filters["sdg"].field_name = f"{p}sdgs"
        self.filters["theme"].field_name = f"{p}themes"
        self.filters["section"].field.label_from_instance = lambda s: (
            f"{s.consultation.code} {s.key} {s.parent.title if s.parent else s.title}"
        )

    def filter_search(self, queryset, name, value):
        return _search(queryset, self.prefix, value)


class CommitmentFilter(TagFilters):
    """One row per commitment: what /progress/ shows and exports."""

    prefix = "recommendation__"

    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="code",
        empty_label=_("All countries"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only with overdue deadlines"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Commitment
        fields = ["q", "consultation", "section", "objective", "sdg", "theme", "country", "status"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(Exists(overdue_deadlines())) if value else queryset


class RecommendationFilter(TagFilters):
    """Recommendations; country, status and overdue apply to one and the same commitment."""

    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="code",
        empty_label=_("All countries"),
        method="filter_by_commitment",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Status.choices,
        empty_label=_("Any status"),
        method="filter_by_commitment",
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only with overdue deadlines"),
        method="filter_by_commitment",
        widget=forms.CheckboxInput,
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
            commitments = commitments.filter(country=data["country"])
        if data.get("status"):
            commitments = commitments.filter(status=data["status"])
        if data.get("overdue"):
            commitments = commitments.filter(Exists(overdue_deadlines(OuterRef("pk"))))
        if data.get("country") or data.get("status") or data.get("overdue"):
            queryset = queryset.filter(Exists(commitments))
        return queryset
