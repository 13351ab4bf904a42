"""Read-only endpoints. Commitments and recommendations are filtered by the pages' own
FilterSets (tracker.filters), so the API, the pages and the downloads agree."""

import datetime as dt

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets

from consultations.models import (
    Consultation,
    GcmObjective,
    Paragraph,
    Recommendation,
    Sdg,
    Section,
)
from tracker.api import serializers
from tracker.api.http import ConditionalMixin
from tracker.filters import CommitmentFilter, RecommendationFilter
from tracker.models import Commitment, Country, Evidence, ProgressUpdate
from tracker.resources import ProgressResource


class ReadOnly(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    pass


class GcmObjectives(ReadOnly):
    """The 23 objectives of the Global Compact for Migration."""

    queryset = GcmObjective.objects.order_by("number")
    serializer_class = serializers.GcmObjectiveSerializer
    lookup_field = "number"
    pagination_class = None


class Sdgs(ReadOnly):
    """The 17 Sustainable Development Goals."""

    queryset = Sdg.objects.order_by("number")
    serializer_class = serializers.SdgSerializer
    lookup_field = "number"
    pagination_class = None


class Consultations(ReadOnly):
    """The consultation reports; one report with its sections and numbered paragraphs,
    verbatim."""

    lookup_field = "code"

    def get_queryset(self):
        consultations = Consultation.objects.order_by("date", "code")
        if self.action == "retrieve":
            paragraphs = Paragraph.objects.in_report().select_related("section", "recommendation")
            consultations = consultations.prefetch_related(
                Prefetch("sections", queryset=Section.objects.select_related("parent")),
                Prefetch("paragraphs", queryset=paragraphs.order_by("number")),
            )
        return consultations

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ConsultationDetailSerializer
        return serializers.ConsultationSerializer


class Recommendations(ReadOnly):
    """Recommendations, with the progress table's facets (a country, status or overdue
    filter keeps the recommendations with such a commitment)."""

    serializer_class = serializers.RecommendationSerializer
    filterset_class = RecommendationFilter
    lookup_field = "code"
    queryset = (
        Recommendation.objects.select_related("consultation", "paragraph")
        .prefetch_related("gcm_objectives", "sdgs", "themes")
        .order_by("consultation__date", "paragraph__number")
    )


class Countries(ReadOnly):
    """The countries that own recommendations."""

    serializer_class = serializers.CountrySerializer
    queryset = Country.objects.order_by("code")
    pagination_class = None

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()

    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "country",
                OpenApiTypes.STR,
                description="A country code in any case (th) or its English name.",
                examples=[
                    OpenApiExample(
                        "All commitments of Thailand",
                        value="th",
                        description="/api/v1/commitments/?country=th",
                    ),
                ],
            ),
            OpenApiParameter(
                "changed_since",
                OpenApiTypes.DATE,
                description="Only commitments where something public changed since that day.",
                examples=[
                    OpenApiExample(
                        "What changed since the last IMRF",
                        value="2026-05-08",
                        description="/api/v1/commitments/?changed_since=2026-05-08",
                    ),
                ],
            ),
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description="Each commitment as it stood at the end of that day.",
                examples=[
                    OpenApiExample(
                        "Where things stood at the end of 2025",
                        value="2025-12-31",
                        description="/api/v1/commitments/?as_of=2025-12-31",
                    ),
                ],
            ),
        ],
    )
)
class Commitments(ReadOnly):
    """Commitments (a recommendation and a country that owns it) with their public
    progress: the rows of /progress/ for the same query string."""

    serializer_class = serializers.CommitmentSerializer
    filterset_class = CommitmentFilter

    def get_queryset(self):
        return ProgressResource.rows_of(Commitment.objects.all()).order_by(
            "recommendation__consultation__date",
            "recommendation__paragraph__number",
            "country__code",
            "pk",
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._as_shown(page)
        return page

    def get_object(self):
        commitment = super().get_object()
        self._as_shown([commitment])
        return commitment

    def _as_shown(self, commitments) -> None:
        """As they stood on `as_of` (the filter has checked it), with their public
        evidence of then."""
        day = self.request.query_params.get("as_of")
        day = dt.date.fromisoformat(day) if day else None
        if day:
            Commitment.as_they_stood(commitments)
        evidence = Evidence.objects.public_on(day).order_by("date", "pk")
        prefetch_related_objects(
            commitments, Prefetch("evidence", queryset=evidence, to_attr="api_evidence")
        )


class Updates(ReadOnly):
    """Accepted progress updates, newest first."""

    serializer_class = serializers.UpdateSerializer
    queryset = (
        ProgressUpdate.objects.accepted()
        .select_related("commitment__recommendation", "commitment__country")
        .order_by("-accepted_at", "-pk")
    )
