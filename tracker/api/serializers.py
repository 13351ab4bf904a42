"""What the API shows of each resource: public data only. Progress comes from accepted
updates, evidence only when public and published; nothing of reviews, internal evidence or
the people who report."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consultations.models import Consultation, GcmObjective, Paragraph, Recommendation, Sdg, Section
from tracker import links
from tracker.models import Commitment, Country, Deadline, Evidence, ProgressUpdate


class GcmObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = GcmObjective
        fields = ["number", "short_name", "title"]


class SdgSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sdg
        fields = ["number", "short_name", "title"]


class ConsultationSerializer(serializers.ModelSerializer):
    page = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = ["code", "slug", "title", "series", "document_type", "date", "venue", "page"]

    def get_page(self, consultation) -> str:
        return links.absolute(consultation.get_absolute_url())


class SectionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = Section
        fields = ["key", "label", "title", "kind", "level", "parent", "intro"]


class ParagraphSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    recommendation = serializers.SerializerMethodField()

    class Meta:
        model = Paragraph
        fields = ["number", "section", "text", "recommendation"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recommendation(self, paragraph) -> str | None:
        recommendation = getattr(paragraph, "recommendation", None)
        return recommendation.code if recommendation is not None else None


class ConsultationDetailSerializer(ConsultationSerializer):
    sections = SectionSerializer(many=True, read_only=True)
    paragraphs = ParagraphSerializer(many=True, read_only=True)

    class Meta(ConsultationSerializer.Meta):
        fields = [*ConsultationSerializer.Meta.fields, "sections", "paragraphs"]


class RecommendationSerializer(serializers.ModelSerializer):
    consultation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    paragraph = serializers.IntegerField(source="paragraph.number", read_only=True)
    text = serializers.CharField(source="paragraph.text", read_only=True)
    gcm_objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    sdgs = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    short_title = serializers.CharField(source="english_title", read_only=True)
    short_title_translations = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "code",
            "consultation",
            "paragraph",
            "short_title",
            "short_title_translations",
            "text",
            "is_current",
            "gcm_objectives",
            "sdgs",
            "themes",
            "page",
        ]

    def get_page(self, recommendation) -> str:
        return links.recommendation_page(recommendation.code)

    def get_short_title_translations(self, recommendation) -> dict[str, str]:
        """The short title in each other language staff have translated it into."""
        return recommendation.title_translations()


class CountrySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="code.code", read_only=True)
    name = serializers.CharField(read_only=True)
    page = serializers.SerializerMethodField()

    class Meta:
        model = Country
        fields = ["code", "name", "is_champion", "public_contact", "page"]

    def get_page(self, country) -> str:
        return links.absolute(country.get_absolute_url())


class UpdateSerializer(serializers.ModelSerializer):
    """An accepted progress update."""

    recommendation = serializers.CharField(source="commitment.recommendation.code")
    country = serializers.CharField(source="commitment.country.code.code")
    date = serializers.SerializerMethodField()

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "recommendation",
            "country",
            "status",
            "date",
            "accepted_at",
            *ProgressUpdate.TEXTS,
            "language",
            *ProgressUpdate.ENGLISH_TEXTS,
            "is_demo",
        ]

    def get_date(self, update) -> str:
        return update.created_at.date().isoformat()


class LatestUpdateSerializer(serializers.ModelSerializer):
    date = serializers.SerializerMethodField()

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "status",
            "date",
            *ProgressUpdate.TEXTS,
            "language",
            *ProgressUpdate.ENGLISH_TEXTS,
        ]

    def get_date(self, update) -> str:
        return update.created_at.date().isoformat()


class EvidenceSerializer(serializers.ModelSerializer):
    # A web address, or "" for none (a plain string: one schema, not "a URL or empty").
    url = serializers.CharField(read_only=True)
    file = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["title", "date", "note", "url", "file", "language", "title_en", "note_en"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file(self, evidence) -> str | None:
        return links.absolute(evidence.get_file_url()) if evidence.file else None


class DeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deadline
        fields = ["due_date", "description"]


class CommitmentSerializer(serializers.ModelSerializer):
    """A commitment as the progress table shows it; as of a day (`as_of`), its status, lead
    agency and latest accepted update as they stood then (Commitment.as_they_stood)."""

    recommendation = serializers.CharField(source="recommendation.code")
    country = serializers.CharField(source="country.code.code")
    latest_update = LatestUpdateSerializer(
        source="latest_accepted_update", read_only=True, allow_null=True
    )
    public_evidence = EvidenceSerializer(many=True, source="api_evidence", read_only=True)
    next_deadline = serializers.DateField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="has_overdue", read_only=True)
    page = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "recommendation",
            "country",
            "status",
            "status_date",
            "response",
            "lead_agency",
            "latest_update",
            "public_evidence",
            "next_deadline",
            "overdue",
            "page",
        ]

    def get_page(self, commitment) -> str:
        return links.commitment_page(commitment.recommendation.code, commitment.country.code.code)
