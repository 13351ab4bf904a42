"""What countries do about the recommendations: commitments, progress, evidence, deadlines."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from consultations.models import Recommendation
from tracker import permissions
from tracker.validators import validate_evidence_file


class Status(models.TextChoices):
    """Implementation status, in order."""

    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIALLY_IMPLEMENTED = "partially_implemented", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")

    @classmethod
    def needing_evidence(cls) -> set[str]:
        return {cls.PARTIALLY_IMPLEMENTED, cls.IMPLEMENTED}


class ConcurrentEditError(Exception):
    """Someone else saved the record after this form was opened."""


class ScopedQuerySet(models.QuerySet):
    """Records that belong to a country, narrowed to what a user may see."""

    country_path = "commitment__country"

    def visible_to(self, user) -> "ScopedQuerySet":
        return permissions.scope(self, user, self.country_path)


class RemembersPublicState:
    """Whether a record was public when it was read, so that hiding it clears cached pages."""

    public_field = ""  # the field is_public reads
    was_public = False

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # A deferred field is not read here (that would be a query): assume it was public.
        instance.was_public = cls.public_field not in field_names or instance.is_public
        return instance


class Country(models.Model):
    code = CountryField(_("country"), unique=True)
    is_champion = models.BooleanField(_("GCM Champion"), default=False)
    focal_points = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="FocalPoint",
        related_name="focal_countries",
        verbose_name=_("focal points"),
        blank=True,
    )

    class CountryQuerySet(ScopedQuerySet):
        country_path = ""

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.code.name

    @property
    def name(self) -> str:
        return self.code.name


class FocalPoint(models.Model):
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="focal_memberships"
    )
    role = models.CharField(
        _("role"), max_length=100, blank=True, help_text=_("e.g. Lead focal point, Alternate")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "user__username"]
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        constraints = [
            models.UniqueConstraint(fields=["country", "user"], name="focal_point_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.country})"


class CommitmentQuerySet(ScopedQuerySet):
    country_path = "country"

    def editable_by(self, user) -> "CommitmentQuerySet":
        return self.visible_to(user)

    def with_progress(self) -> "CommitmentQuerySet":
        """What a progress table row shows, in one query: no lookup per row."""
        open_deadlines = Deadline.objects.filter(commitment=OuterRef("pk"), is_done=False)
        return self.select_related(
            "recommendation__consultation",
            "recommendation__paragraph",
            "country",
            "latest_accepted_update",
        ).annotate(
            next_deadline=Subquery(open_deadlines.order_by("due_date").values("due_date")[:1]),
            has_overdue=Exists(open_deadlines.filter(due_date__lt=timezone.localdate())),
        )

    def as_of(self, day: dt.date) -> "CommitmentQuerySet":
        """Each commitment as it stood at the end of `day`, from its history.

        Adds as_of_status, as_of_status_date, as_of_lead_agency and as_of_note; commitments
        that did not exist yet are left out.
        """
        cutoff = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
        past = Commitment.history.model.objects.filter(
            id=OuterRef("pk"), history_date__lt=cutoff
        ).order_by("-history_date", "-history_id")
        note = ProgressUpdate.objects.filter(pk=OuterRef("as_of_update")).values("narrative")
        return (
            self.annotate(
                as_of_status=Subquery(past.values("status")[:1]),
                as_of_status_date=Subquery(past.values("status_date")[:1]),
                as_of_lead_agency=Subquery(past.values("lead_agency")[:1]),
                as_of_update=Subquery(past.values("latest_accepted_update_id")[:1]),
            )
            .annotate(as_of_note=Subquery(note[:1]))
            .filter(as_of_status__isnull=False)
        )

    def changed_since(self, day: dt.date) -> "CommitmentQuerySet":
        """Commitments whose status, details, public evidence or deadlines changed since `day`."""
        since = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        own = Commitment.history.model.objects.filter(id=OuterRef("pk"), history_date__gte=since)
        evidence = Evidence.history.model.objects.filter(
            commitment_id=OuterRef("pk"),
            history_date__gte=since,
            visibility=Evidence.Visibility.PUBLIC,
        )
        deadlines = Deadline.history.model.objects.filter(
            commitment_id=OuterRef("pk"), history_date__gte=since
        )
        return self.filter(Exists(own) | Exists(evidence) | Exists(deadlines))

    def count_by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(Status.values, 0)
        for row in self.order_by().values("status").annotate(n=Count("pk")):
            counts[row["status"]] = row["n"]
        return counts

    def count_by(self, *fields: str) -> dict[object, dict[str, int]]:
        """{value of field: {status: count}}, e.g. by "country__code"; with several fields,
        keyed by their tuple of values."""
        table: dict[object, dict[str, int]] = {}
        rows = self.order_by().values_list(*fields, "status").annotate(n=Count("pk"))
        for *values, status, n in rows:
            if values[0] is not None:
                key = values[0] if len(fields) == 1 else tuple(values)
                table.setdefault(key, dict.fromkeys(Status.values, 0))[status] = n
        return table


class Commitment(models.Model):
    class Response(models.TextChoices):
        NO_RESPONSE = "no_response", _("No response yet")
        SUPPORTED = "supported", _("Supported")
        SUPPORTED_IN_PART = "supported_in_part", _("Supported in part")
        NOTED = "noted", _("Noted")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="commitments"
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="commitments")
    response = models.CharField(
        _("government response"),
        max_length=20,
        choices=Response,
        default=Response.NO_RESPONSE,
        help_text=_("The government's position on the recommendation, apart from its progress."),
    )
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=Status,
        default=Status.NOT_STARTED,
        help_text=_("The status of the latest accepted progress update."),
    )
    status_date = models.DateField(_("status date"), null=True, blank=True)
    lead_agency = models.CharField(_("lead agency"), max_length=200, blank=True)
    latest_accepted_update = models.ForeignKey(
        "ProgressUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest accepted update"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation__consultation", "recommendation__paragraph__number", "country"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "country"], name="commitment_unique_per_country"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.code} · {self.country}"

    def get_admin_url(self) -> str:
        return reverse("admin:tracker_commitment_change", args=[self.pk])

    def has_dated_evidence(self) -> bool:
        return self.evidence.filter(date__isnull=False).exists()

    def save_checked(self, *, expected_version: int, **kwargs) -> None:
        """Save, unless someone else saved since `expected_version` was read."""
        with transaction.atomic():
            claimed = Commitment.objects.filter(pk=self.pk, version=expected_version).update(
                version=F("version") + 1
            )
            if not claimed:
                raise ConcurrentEditError
            self.version = expected_version + 1
            self.save(**kwargs)

    def refresh_status(self) -> None:
        """Take the status of the latest accepted update (or go back to not started).

        Works on a fresh, locked copy so that a concurrent edit of other fields is kept.
        """
        with transaction.atomic():
            fresh = Commitment.objects.select_for_update().get(pk=self.pk)
            latest = (
                fresh.updates.filter(review_state=ProgressUpdate.ReviewState.ACCEPTED)
                .order_by("-created_at", "-pk")
                .first()
            )
            public = {
                "latest_accepted_update": latest,
                "status": latest.status if latest else Status.NOT_STARTED,
                "status_date": timezone.localdate(latest.created_at) if latest else None,
            }
            # Saved (a new version, a history row) only when what the public sees changes.
            if any(getattr(fresh, name) != value for name, value in public.items()):
                for name, value in public.items():
                    setattr(fresh, name, value)
                fresh.version += 1
                fresh.save()
        self.refresh_from_db()


class ProgressUpdate(RemembersPublicState, models.Model):
    public_field = "review_state"

    class ReviewState(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for changes")

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(_("status"), max_length=30, choices=Status)
    narrative = models.TextField(_("what was done"))
    challenges = models.TextField(_("challenges"), blank=True)
    support_needed = models.TextField(_("support needed"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="progress_updates",
        verbose_name=_("author"),
    )
    review_state = models.CharField(
        _("review"), max_length=20, choices=ReviewState, default=ReviewState.SUBMITTED
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_updates",
        verbose_name=_("reviewer"),
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"), default=False, help_text=_("Made up to show the tracker.")
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [
            models.Index(fields=["review_state", "created_at"], name="update_review_idx"),
            # The public pages' "latest accepted updates".
            models.Index(fields=["review_state", "-reviewed_at"], name="update_reviewed_idx"),
            # A commitment's accepted updates, newest first (timelines, refresh_status).
            models.Index(
                fields=["commitment", "review_state", "-created_at"], name="update_timeline_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} · {self.get_status_display()} ({self.created_at:%Y-%m-%d})"

    def clean(self) -> None:
        if (
            self.status in Status.needing_evidence()
            and self.commitment_id
            and not self.commitment.has_dated_evidence()
        ):
            raise ValidationError(
                {
                    "status": _(
                        "“%(status)s” needs at least one dated evidence item on this commitment. "
                        "Add the evidence first, then submit the update."
                    )
                    % {"status": self.get_status_display()}
                }
            )

    @property
    def is_public(self) -> bool:
        return self.review_state == self.ReviewState.ACCEPTED

    @property
    def is_reviewed(self) -> bool:
        return self.review_state != self.ReviewState.SUBMITTED

    def accept(self, *, by) -> None:
        self._review(self.ReviewState.ACCEPTED, by=by, comment=self.review_comment)

    def return_for_changes(self, *, by, comment: str) -> None:
        self._review(self.ReviewState.RETURNED, by=by, comment=comment)

    def _review(self, state: str, *, by, comment: str) -> None:
        with transaction.atomic():
            self.review_state = state
            self.reviewer = by
            self.review_comment = comment
            self.reviewed_at = timezone.now()
            self.save()
            self.commitment.refresh_status()


class Evidence(RemembersPublicState, models.Model):
    public_field = "visibility"

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal (network staff and the country's focal points)")

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="evidence")
    date = models.DateField(_("date"), help_text=_("When the evidence is from."))
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(
        _("file"),
        upload_to="evidence/%Y/%m/",
        blank=True,
        validators=[validate_evidence_file],
        help_text=_("PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or OpenDocument text (ODT)."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.INTERNAL
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class EvidenceQuerySet(ScopedQuerySet):
        def public(self):
            return self.filter(visibility=Evidence.Visibility.PUBLIC)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    def get_file_url(self) -> str:
        return reverse("tracker:evidence_file", args=[self.pk]) if self.file else ""


class Deadline(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="deadlines")
    description = models.CharField(_("what is due"), max_length=300)
    due_date = models.DateField(_("due by"))
    responsible = models.CharField(_("who"), max_length=200, blank=True)
    is_done = models.BooleanField(_("done"), default=False)
    done_at = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class DeadlineQuerySet(ScopedQuerySet):
        def open(self):
            return self.filter(is_done=False)

        def overdue(self, today: dt.date | None = None):
            return self.open().filter(due_date__lt=today or timezone.localdate())

        def due_within(self, days: int, today: dt.date | None = None):
            """Open deadlines falling due within `days`, and those already overdue."""
            today = today or timezone.localdate()
            return self.open().filter(due_date__lte=today + dt.timedelta(days=days))

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up deadline")
        verbose_name_plural = _("follow-up deadlines")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_done=True) | Q(done_at__isnull=True),
                name="deadline_done_at_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} (by {self.due_date})"

    def save(self, *args, **kwargs):
        if self.is_done and not self.done_at:
            self.done_at = timezone.localdate()
        elif not self.is_done:
            self.done_at = None
        super().save(*args, **kwargs)

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_date < timezone.localdate()


class DeadlineReminder(models.Model):
    """A reminder sent: at most one per deadline, person and day."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "user", "sent_on"], name="reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} → {self.user} on {self.sent_on}"


class PublicRevision(models.Model):
    """One row whose token changes, in the same transaction, with anything a public page shows.

    Public pages are cached under the token (see tracker.page_cache): a changed token is a
    new cache key in every process at once, so nothing needs to be deleted. The token is
    random rather than a counter so that a rolled-back or restored database never meets
    pages cached from other data under the same key.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("public revision")

    def __str__(self) -> str:
        return self.token
