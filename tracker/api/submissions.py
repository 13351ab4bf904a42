"""Writing through the API: a national system submits a focal point's progress with the
focal point's personal token (tracker.api.tokens). A submission is the report form's
data as JSON, checked by the same forms and saved by the same service
(tracker.reporting.submissions): it waits for review like anything a focal point submits,
and a refusal gives the form's own words (422). The token holder reads back what they
submitted, with its review state."""

import uuid

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from tracker import permissions
from tracker.api import errors
from tracker.api.http import licence_link
from tracker.api.tokens import HasToken, TokenAuthentication
from tracker.languages import language_for
from tracker.models import Commitment, Deadline, Evidence, ProgressUpdate, Status
from tracker.reporting import submissions
from tracker.reporting.forms import ReportForm, ReportForms

UPDATE_FIELDS = tuple(ReportForm.Meta.fields)  # the report form's own fields
REPORTED_STATUSES = [c for c in Status.choices if c[0] != Status.NOT_STARTED]
CARRIED = {  # what an update carries: the JSON list's name, its form prefix and fields
    "evidence": ("title", "date", "note", "url", "visibility"),
    "deadlines": ("description", "due_date", "responsible"),
}


class EvidenceInput(serializers.ModelSerializer):
    url = serializers.CharField(
        required=False, allow_blank=True, help_text="A web address (http:// or https://)."
    )

    class Meta:
        model = Evidence
        fields = list(CARRIED["evidence"])
        extra_kwargs = {"visibility": {"required": True}}


class DeadlineInput(serializers.ModelSerializer):
    class Meta:
        model = Deadline
        fields = list(CARRIED["deadlines"])


class SubmissionInput(serializers.Serializer):
    """What a submission sends (checked by the report form's rules)."""

    commitment = serializers.IntegerField(help_text="The commitment's id (/api/v1/commitments/).")
    status = serializers.ChoiceField(choices=REPORTED_STATUSES)
    narrative = serializers.CharField(help_text="What was done since the last update.")
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The language the texts are written in (default: the token holder's).",
    )
    narrative_en = serializers.CharField(
        required=False, allow_blank=True, help_text="An English version, if there is one."
    )
    challenges_en = serializers.CharField(required=False, allow_blank=True)
    support_needed_en = serializers.CharField(required=False, allow_blank=True)
    challenges = serializers.CharField(required=False, allow_blank=True)
    support_needed = serializers.CharField(required=False, allow_blank=True)
    response = serializers.ChoiceField(
        choices=ProgressUpdate._meta.get_field("response").choices,
        required=False,
        allow_blank=True,
        help_text="The government response, if it changed.",
    )
    lead_agency = serializers.CharField(
        required=False, allow_blank=True, help_text="The lead agency, if it changed."
    )
    evidence = EvidenceInput(many=True, required=False)
    deadlines = DeadlineInput(many=True, required=False)
    draft = serializers.BooleanField(
        required=False, default=False, help_text="Save it without submitting it for review."
    )
    submission_key = serializers.UUIDField(
        required=False,
        help_text="Any UUID of yours: the same submission sent again with the same key is "
        "answered with the first one instead of being saved twice.",
    )


class CarriedEvidence(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True)  # a web address, or "" for none

    class Meta:
        model = Evidence
        fields = list(CARRIED["evidence"])


class CarriedDeadline(serializers.ModelSerializer):
    class Meta:
        model = Deadline
        fields = list(CARRIED["deadlines"])


class SubmissionSerializer(serializers.ModelSerializer):
    """An update the token's holder wrote, as they see it in the reporting area."""

    recommendation = serializers.CharField(source="commitment.recommendation.code")
    country = serializers.CharField(source="commitment.country.code.code")
    evidence = CarriedEvidence(many=True, read_only=True)
    deadlines = CarriedDeadline(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "commitment",
            "recommendation",
            "country",
            "review_state",
            *UPDATE_FIELDS,
            "evidence",
            "deadlines",
            "created_at",
            "reviewed_at",
            "review_comment",
        ]


EXAMPLE = {
    "commitment": 12,
    "status": "in_progress",
    "narrative": "The labour ministry adopted the inspection plan for recruitment agencies.",
    "evidence": [
        {
            "title": "Ministerial decree 41/2026",
            "date": "2026-11-02",
            "url": "https://www.example.gov/decree-41-2026",
            "visibility": "public",
        }
    ],
}


class Submissions(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Progress reported through the API with a focal point's personal token: for that
    focal point's countries only, waiting for review by network staff before the public
    sees it."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [HasToken]
    serializer_class = SubmissionSerializer

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"  # one focal point's, not public
        response["Link"] = licence_link()
        return response

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # the schema being drawn up
            return ProgressUpdate.objects.none()
        return (
            ProgressUpdate.objects.for_countries(permissions.countries_of(user))
            .filter(author=user)
            .select_related("commitment__recommendation", "commitment__country")
            .prefetch_related("evidence", "deadlines")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        request=SubmissionInput,
        responses={
            201: SubmissionSerializer,
            200: OpenApiResponse(SubmissionSerializer, "Sent before with this submission_key."),
            422: OpenApiResponse(description="Refused, in the report form's words."),
        },
        examples=[OpenApiExample("Progress with a public link", value=EXAMPLE)],
    )
    def create(self, request, *args, **kwargs):
        body = request.data
        if not isinstance(body, dict):
            raise ParseError(_("Send one JSON object."))
        user = request.user
        key = body.get("submission_key")
        sent = submissions.already_sent(user, key) if key else None
        if sent is not None:
            sent = get_object_or_404(self.get_queryset(), pk=sent.pk)
            return Response(self.get_serializer(sent).data, status=status.HTTP_200_OK)
        number = _number(body.get("commitment"))
        if number is None:
            fields = {"commitment": [_("Give the commitment's id, a number.")]}
            message = _("Some values cannot be used: see fields.")
            return Response(errors.body(422, message, fields), status=422)
        mine = Commitment.objects.for_countries(permissions.countries_of(user))
        commitment = get_object_or_404(mine, pk=number)
        if not permissions.can_report_on(user, commitment):
            raise Http404
        update = submissions.open_update(user, commitment)
        data, refused = form_data(body, update, language_for(user))
        forms = ReportForms(update=update, user=user, data=data)
        submitting = body.get("draft") is not True
        if refused or not forms.is_valid(submitting=submitting):
            return refusal(forms, refused)
        if not submissions.save_report(forms, by=user, submitting=submitting):
            return refusal(forms, {})
        saved = self.get_queryset().get(pk=forms.update.pk)
        response = Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{saved.pk}/")
        return response


def _number(value) -> int | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def form_data(body: dict, update: ProgressUpdate, language: str) -> tuple[dict, dict]:
    """The report form's data from a submission's JSON, and the values refused before the
    form reads them (lists or objects where text belongs). Without a `language`, the text
    is taken to be in `language` (the writer's)."""
    refused = {}
    data = {"expected_version": update.version if update.pk else ""}
    data["submission_key"] = _text(body.get("submission_key")) or str(uuid.uuid4())
    for name in UPDATE_FIELDS:
        data[name] = _text(body.get(name), name, refused)
    data["language"] = data["language"] or (update.language if update.pk else language)
    for prefix in ("evidence_changes", "deadline_changes"):
        data |= _management(prefix, 0)
    for prefix, fields in CARRIED.items():
        items = body.get(prefix) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            refused[prefix] = [_("Give a list of objects.")]
            items = []
        data |= _management(prefix, len(items))
        for index, item in enumerate(items):
            for name in fields:
                value = _text(item.get(name), f"{prefix}[{index}].{name}", refused)
                data[f"{prefix}-{index}-{name}"] = value
    return data, refused


def _text(value, name: str = "", refused: dict | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        if refused is not None:
            refused[name] = [_("Give text here, not a list or an object.")]
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _management(prefix: str, total: int) -> dict:
    # Only new items: existing ones (of an update returned for changes) stay as they are.
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def refusal(forms: ReportForms, refused: dict) -> Response:
    """422, in the report form's words: what concerns the whole update as the message,
    each field's own under its JSON name (evidence[0].date)."""
    fields = dict(refused)
    for name, messages in forms.form.errors.items():
        if name != "__all__":
            fields[name] = [str(m) for m in messages]
    general = [str(m) for m in forms.form.non_field_errors()]
    for prefix in CARRIED:
        formset = getattr(forms, prefix)
        general += [str(m) for m in formset.non_form_errors()]
        for index, form in enumerate(formset.forms):
            for name, messages in form.errors.items():
                where = f"{prefix}[{index}]" + ("" if name == "__all__" else f".{name}")
                fields.setdefault(where, []).extend(str(m) for m in messages)
    message = " ".join(general) or _("Some values cannot be used: see fields.")
    return Response(errors.body(422, message, fields), status=422)
