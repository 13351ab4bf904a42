"""What countries do about the recommendations: commitments, progress, evidence, deadlines."""

import datetime as dt
import functools
import hashlib
import secrets
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from consultations.models import Recommendation
from tracker import links
from tracker.storage import evidence_name, evidence_storage
from tracker.validators import validate_evidence_file

ALL = "all"  # a scope: every country (network staff); otherwise a set of country ids


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

    @classmethod
    def showing_progress(cls) -> list[str]:
        """The statuses counted as progress in the headline figures."""
        return [cls.PLANNED, cls.IN_PROGRESS, cls.PARTIALLY_IMPLEMENTED, cls.IMPLEMENTED]

    @classmethod
    def definitions(cls) -> dict[str, str]:
        """What each status means: the one wording of the site, its downloads and briefs."""
        return {
            cls.NOT_STARTED: _(
                "No accepted progress report yet, or the country reports that work has not begun."
            ),
            cls.PLANNED: _("The country has decided on action and planned it; work has not begun."),
            cls.IN_PROGRESS: _("Work on the recommendation is under way."),
            cls.PARTIALLY_IMPLEMENTED: _(
                "Part of what the recommendation asks is in place, shown by public evidence."
            ),
            cls.IMPLEMENTED: _(
                "What the recommendation asks is in place, shown by public evidence."
            ),
            cls.NOT_APPLICABLE: _(
                "The recommendation does not apply to the country; left out of the shares."
            ),
        }

    @classmethod
    def legend(cls) -> list[tuple[str, str, str]]:
        """(status, label, definition) of each status, in order."""
        definitions = cls.definitions()
        return [(status, str(label), str(definitions[status])) for status, label in cls.choices]


# The value of the status facet that stands for every status showing progress.
WITH_PROGRESS = "with_progress"
# Status.values and Status.showing_progress() are worked out afresh at each use; the
# figures, summed and read for every bar of a chart, use these.
STATUSES = tuple(Status.values)
SHOWING_PROGRESS = tuple(Status.showing_progress())


def status_scope_key(status: str) -> int:
    """A status (or WITH_PROGRESS) as the key of its ScopedRevision: a checksum of its
    name, which no reordering of the statuses changes."""
    return zlib.crc32(status.encode())


def progress_scopes(country: int, recommendation: int, statuses) -> list[tuple[str, int]]:
    """The scopes (ScopedRevision kind and key) of the pages a change of one commitment's
    progress shows on: its country's, its recommendation's, and the progress tables of its
    status before and after (and of every status with progress, when either is one)."""
    shown = set(statuses)
    if shown & set(SHOWING_PROGRESS):
        shown.add(WITH_PROGRESS)
    kind = ScopedRevision.Kind
    return [
        (kind.COUNTRY, country),
        (kind.RECOMMENDATION, recommendation),
        *((kind.STATUS, status_scope_key(status)) for status in sorted(shown)),
    ]


class ConcurrentEditError(Exception):
    """Someone else saved the record after this form was opened."""


class ProtectedRecordError(Exception):
    """A record the public has seen cannot be deleted."""


class ScopedQuerySet(models.QuerySet):
    """Records that belong to a country, narrowed to a scope (see tracker.permissions)."""

    country_path = "commitment__country"

    def for_countries(self, countries) -> "ScopedQuerySet":
        """`countries` is ALL or a set of country ids."""
        if countries is ALL:
            return self
        lookup = f"{self.country_path}__in" if self.country_path else "pk__in"
        return self.filter(**{lookup: countries})


class TracksPublicChanges:
    """Knows, when saved or deleted, whether anything the public sees changed.

    `public_fields` are compared with the values read from the database; `shows(values)`
    says whether a record with those values is on the public pages. `public_changed` is set
    before the save (or delete) is written, for the page cache's signal handlers, and a
    public change is stamped on the commitment (`Commitment.public_changed_at`), which is
    what `changed_since` reads.
    """

    public_fields: tuple[str, ...] = ()
    public_changed = True  # unknown (deleted in bulk, say) counts as a change
    _loaded: tuple | None = None
    _loaded_commitment: int | None = None  # the commitment it belonged to when read

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # Every row of a query comes with the same list of field names: whether it holds
        # the public fields is worked out once a query, not once a row.
        read = cls.__dict__.get("_read_names")
        if read is None or read[0] is not field_names:
            owner = field_names.index("commitment_id") if "commitment_id" in field_names else None
            read = (field_names, set(cls._public_attnames()) <= set(field_names), owner)
            cls._read_names = read
        if read[1]:
            instance._loaded = instance.public_values()
        if read[2] is not None:
            instance._loaded_commitment = values[read[2]]
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # A change is measured against what the database holds now.
        names = self._public_attnames()
        if fields is None:
            read = {*names, "commitment_id"}
        else:
            read = {self._meta.get_field(name).attname for name in fields}
        if self._loaded is not None or read >= set(names):
            before = self._loaded or (None,) * len(names)
            self._loaded = tuple(
                getattr(self, name) if name in read else value
                for name, value in zip(names, before, strict=True)
            )
        if "commitment_id" in read:
            self._loaded_commitment = getattr(self, "commitment_id", None)

    def changed_scope(self, *, created: bool, deleting: bool) -> list[tuple[str, int]] | None:
        """The scopes of the pages this save or delete changes (progress_scopes) when it
        changes the progress of one commitment and nothing else a public page shows: the
        pages of other countries, recommendations and statuses stay cached
        (tracker.page_cache). None when it may change more, or when what it was before is
        not known."""
        commitment = getattr(self, "commitment_id", None)
        if commitment is None or (not created and self._loaded is None):
            return None
        if not created and self._loaded_commitment != commitment:  # moved, or not known
            return None
        found = Commitment.objects.filter(pk=commitment)
        found = found.values_list("country", "recommendation", "status").first()
        return None if found is None else progress_scopes(*found[:2], [found[2]])

    @classmethod
    def _public_attnames(cls) -> tuple[str, ...]:
        if "_attnames" not in cls.__dict__:
            cls._attnames = tuple(cls._meta.get_field(name).attname for name in cls.public_fields)
        return cls._attnames

    def public_values(self) -> tuple:
        return tuple(getattr(self, attname) for attname in self._public_attnames())

    def shows(self, values: tuple) -> bool:
        return True

    def _values_of(self, values: tuple) -> dict:
        return dict(zip(self.public_fields, values, strict=True))

    def _public_change(self, *, deleting: bool = False) -> bool:
        before = self._loaded
        if self.pk is None or (before is None and not deleting):
            # New, or read without its public fields: count it if it is public now.
            return self.shows(self.public_values())
        if deleting:
            return before is None or self.shows(before)
        after = self.public_values()
        moved = self._loaded_commitment != getattr(self, "commitment_id", None)
        return (after != before or moved) and (self.shows(before) or self.shows(after))

    def changed_commitments(self) -> set[int]:
        """The commitments a save changes: its own, and the one it was moved from."""
        return {self.commitment_id, self._loaded_commitment or self.commitment_id}

    def save(self, *args, **kwargs):
        self.public_changed = self._public_change()
        super().save(*args, **kwargs)
        if self.public_changed:
            self.stamp_public_change()
        self._loaded = self.public_values()
        self._loaded_commitment = getattr(self, "commitment_id", None)

    def delete(self, *args, **kwargs):
        self.public_changed = self._public_change(deleting=True)
        commitment_id = getattr(self, "commitment_id", None)
        result = super().delete(*args, **kwargs)
        if self.public_changed and commitment_id:
            Commitment.objects.filter(pk=commitment_id).mark_publicly_changed()
        return result

    def stamp_public_change(self) -> None:
        Commitment.objects.filter(pk__in=self.changed_commitments()).mark_publicly_changed()


def time_zone_choices() -> list[tuple[str, str]]:
    import zoneinfo

    return [("", _("Automatic"))] + [(z, z) for z in sorted(zoneinfo.available_timezones())]


def country_name(code: str, language: str | None = None) -> str:
    """A country's name in the active language (looked up once per language: a page of
    fifty rows names its countries fifty times). `language`: the active one, when looked
    up already."""
    return _country_name(code, language or get_language())


@functools.cache
def _country_name(code: str, language: str | None) -> str:
    return str(countries.name(code))


class Country(models.Model):
    code = CountryField(_("country"), unique=True)
    is_champion = models.BooleanField(_("GCM Champion"), default=False)
    public_contact = models.CharField(
        _("public contact"),
        max_length=300,
        blank=True,
        help_text=_(
            "Shown on the country's public page: an office, an email address or a web "
            "address the public may use. Leave empty to show none."
        ),
    )
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
        return self.name

    def get_absolute_url(self) -> str:
        return self.path_of(self.code.code)

    @staticmethod
    def path_of(code: str, at: links.Here | None = None) -> str:
        """The page of the country of this code (`at`: links.path's)."""
        return links.path("tracker:country_detail", code.lower(), at=at)

    @property
    def name(self) -> str:
        return country_name(self.code.code)


class Profile(models.Model):
    """What a person chooses for themselves: the time zone times are shown in, and the
    language of their emails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        choices=time_zone_choices,
        help_text=_(
            "Times are shown in this zone. Empty: the zone of your first country (UTC for "
            "network staff)."
        ),
    )

    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of your emails. Empty: the language of your first country (English "
            "for network staff)."
        ),
    )

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return str(self.user)


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

    def with_progress(self) -> "CommitmentQuerySet":
        """What a progress table row shows, in one query: no lookup per row. The next
        deadline (the first open published one) is the one the figures count, which
        tracker.stats keeps with every change (CountedCommitment.due_on): read by the
        commitment's id, not worked out from its deadlines and their updates at every read
        (a table's rows: 3.3 ms before, 2.9 after, in process)."""
        next_due = CountedCommitment.objects.filter(pk=OuterRef("pk")).values("due_on")
        return self.select_related(
            "recommendation__consultation",
            "recommendation__paragraph",
            "country",
            "latest_accepted_update",
        ).annotate(
            next_deadline=Subquery(next_due),
            has_overdue=Case(
                When(next_deadline__lt=timezone.localdate(), then=Value(True)),
                default=Value(False),
            ),
        )

    def table_rows(self, ids=None) -> list:
        """What the pages' tables show of these commitments (with what the query
        annotated: with_progress's next deadline, as_of's state of a day), as values
        (tracker.table_rows), in the queryset's order; of `ids` only, when given."""
        from tracker import table_rows

        annotations = list(self.query.annotations)
        rows = self if ids is None else self.filter(pk__in=ids)
        values = rows.select_related(None).values(*table_rows.columns(annotations))
        at = links.here()  # the language the rows are read in, looked up once for all
        return [table_rows.row(item, annotations, at) for item in values]

    def with_review_state(self) -> "CommitmentQuerySet":
        """What a focal point's list shows of each commitment, in one query: its updates
        returned for changes, waiting for review and in draft, its next open deadline
        (published or not), and `attention`: 0 returned, 1 draft, 2 a deadline past due,
        3 never reported on, 4 the rest; the ones needing action first."""
        open_deadlines = Deadline.objects.open().filter(commitment=OuterRef("pk"))
        states = ProgressUpdate.ReviewState

        def updates_in(state):
            found = ProgressUpdate.objects.filter(commitment=OuterRef("pk"), review_state=state)
            return Exists(found)

        return (
            self.select_related("recommendation", "country", "latest_accepted_update")
            .annotate(
                is_returned=updates_in(states.RETURNED),
                is_waiting=updates_in(states.SUBMITTED),
                has_draft=updates_in(states.DRAFT),
                next_due=Subquery(open_deadlines.order_by("due_date").values("due_date")[:1]),
                is_overdue=Exists(open_deadlines.overdue()),
            )
            .annotate(
                attention=Case(
                    When(is_returned=True, then=0),
                    When(has_draft=True, then=1),
                    When(is_overdue=True, then=2),
                    When(latest_accepted_update__isnull=True, is_waiting=False, then=3),
                    default=4,
                )
            )
            .order_by("attention", "recommendation__code", "country__code")
        )

    def with_waiting_and_next_due(self) -> "CommitmentQuerySet":
        """Adds what network staff's list of commitments shows: `waiting`, how many updates
        wait for review, and `next_due`, the next open deadline (published or not). Read
        for each row shown, not by grouping every commitment's updates and deadlines
        (which took 270 ms a page at 50,000 commitments)."""
        waiting = (
            ProgressUpdate.objects.filter(
                commitment=OuterRef("pk"), review_state=ProgressUpdate.ReviewState.SUBMITTED
            )
            .order_by()
            .values("commitment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        open_deadlines = Deadline.objects.open().filter(commitment=OuterRef("pk"))
        return self.annotate(
            waiting=Coalesce(Subquery(waiting), 0),
            next_due=Subquery(open_deadlines.order_by("due_date").values("due_date")[:1]),
        )

    def in_round(self, since: dt.datetime) -> "CommitmentQuerySet":
        """Adds `standing`: "accepted" (an update accepted since `since`), "waiting",
        "returned" (an update from since then returned for changes) or "missing"."""
        updates = ProgressUpdate.objects.filter(commitment=OuterRef("pk"))
        states = ProgressUpdate.ReviewState
        return self.annotate(
            standing=Case(
                When(Exists(updates.filter(accepted_at__gte=since)), then=Value("accepted")),
                When(Exists(updates.filter(review_state=states.SUBMITTED)), then=Value("waiting")),
                When(
                    Exists(updates.filter(review_state=states.RETURNED, created_at__gte=since)),
                    then=Value("returned"),
                ),
                default=Value("missing"),
                output_field=models.CharField(),
            )
        )

    def as_of(self, day: dt.date) -> "CommitmentQuerySet":
        """Each commitment as it stood at the end of `day`, from its history.

        Adds as_of_status, as_of_status_date, as_of_lead_agency, as_of_update and its
        as_of_note, as_of_challenges and as_of_support_needed; commitments that did not exist
        yet are left out.
        """
        cutoff = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
        past = Commitment.history.model.objects.filter(
            id=OuterRef("pk"), history_date__lt=cutoff
        ).order_by("-history_date", "-history_id")
        update = ProgressUpdate.objects.filter(pk=OuterRef("as_of_update"))
        return (
            self.annotate(
                as_of_status=Subquery(past.values("status")[:1]),
                as_of_status_date=Subquery(past.values("status_date")[:1]),
                as_of_lead_agency=Subquery(past.values("lead_agency")[:1]),
                as_of_update=Subquery(past.values("latest_accepted_update_id")[:1]),
            )
            .annotate(
                as_of_note=Subquery(update.values("narrative")[:1]),
                as_of_challenges=Subquery(update.values("challenges")[:1]),
                as_of_support_needed=Subquery(update.values("support_needed")[:1]),
            )
            .filter(as_of_status__isnull=False)
        )

    def changed_since(self, day: dt.date) -> "CommitmentQuerySet":
        """Commitments where something the public sees changed since `day`: the status,
        response or lead agency, an accepted (or withdrawn) update, public evidence or a
        published deadline. Internal changes, and saves that change nothing, do not count.
        """
        since = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        return self.filter(public_changed_at__gte=since)

    def mark_publicly_changed(self) -> int:
        """Something the public sees of these commitments changed now (see changed_since)."""
        return self.update(public_changed_at=timezone.now())

    def with_status(self, value: str, field: str = "status") -> "CommitmentQuerySet":
        """A status of the facet, or WITH_PROGRESS for any status showing progress."""
        if value == WITH_PROGRESS:
            return self.filter(**{f"{field}__in": Status.showing_progress()})
        return self.filter(**{field: value})


@dataclass(frozen=True)
class Figures:
    """Commitments by status, and how many have an overdue published deadline.

    The share with progress is of the commitments that apply: "not applicable" is left
    out of it.
    """

    counts: dict[str, int]
    overdue: int | None = 0  # None: not counted

    @classmethod
    def empty(cls) -> "Figures":
        return cls(dict.fromkeys(STATUSES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        return self.total - self.counts.get(Status.NOT_APPLICABLE, 0)

    @property
    def with_progress(self) -> int:
        return sum(self.counts.get(status, 0) for status in SHOWING_PROGRESS)

    @property
    def implemented(self) -> int:
        return self.counts.get(Status.IMPLEMENTED, 0)

    @property
    def share(self) -> int | None:
        """Per cent with progress, rounded; None when no commitment applies."""
        if not self.applicable:
            return None
        return round(100 * self.with_progress / self.applicable)

    def __add__(self, other: "Figures") -> "Figures":
        counts = {s: self.counts.get(s, 0) + other.counts.get(s, 0) for s in STATUSES}
        if self.overdue is None or other.overdue is None:
            return Figures(counts, None)
        return Figures(counts, self.overdue + other.overdue)


class Commitment(TracksPublicChanges, models.Model):
    public_fields = (
        "recommendation",
        "country",
        "response",
        "status",
        "status_date",
        "lead_agency",
        "latest_accepted_update",
    )

    class Response(models.TextChoices):
        NO_RESPONSE = "no_response", _("No response yet")
        SUPPORTED = "supported", _("Supported")
        SUPPORTED_IN_PART = "supported_in_part", _("Supported in part")
        NOTED = "noted", _("Noted")

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("country"),
        db_index=False,  # commitment_by_country leads with it
    )
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
    public_changed_at = models.DateTimeField(
        _("last public change"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When anything the public sees of this commitment last changed."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        # The recommendations' order (read from an index: Recommendation.consultation_date),
        # then the country's code.
        ordering = ["recommendation", "country"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "country"], name="commitment_unique_per_country"
            ),
        ]
        # A country's commitments (of a status), with their recommendations, read from the
        # index alone: the rows of a country's page and of the progress table of a country,
        # and their count. Read from the table, the thousand commitments of a country lay
        # in some 800 of its pages (PostgreSQL, 50,000 commitments: the first page of a
        # country's in-progress commitments 4.7 ms, their count 3.1; from the index 1.0 and
        # 0.6). The recommendation before the status: with the status second, SQLite read a
        # table of one status (every country's) country by country and sorted all of it
        # (3 ms, against 0.2 reading it recommendation by recommendation).
        indexes = [
            models.Index(
                fields=["country", "recommendation", "status", "id"], name="commitment_by_country"
            )
        ]

    def __str__(self) -> str:
        return self.named(self.recommendation.code, self.country.name)

    def save(self, *args, **kwargs):
        if self._public_change():
            self.public_changed_at = timezone.now()
        super().save(*args, **kwargs)

    def changed_scope(self, *, created: bool, deleting: bool) -> list[tuple[str, int]] | None:
        """Its own country, recommendation and statuses (before and after), unless it is
        new, deleted or moved to another country or recommendation (the pages of both
        would change)."""
        if created or deleting or self._loaded is None:
            return None
        before = self._values_of(self._loaded)
        if (before["country"], before["recommendation"]) != (
            self.country_id,
            self.recommendation_id,
        ):
            return None
        statuses = [before["status"], self.status]
        return progress_scopes(self.country_id, self.recommendation_id, statuses)

    @staticmethod
    def named(code: str, country: str) -> str:
        """A commitment's name, from its recommendation's code and its country's name (what
        lists read as values write without the records)."""
        return f"{code} · {country}"

    def stamp_public_change(self) -> None:
        pass  # save() stamped it

    def has_public_proof(self) -> bool:
        """Public evidence with a note, a link or a file: what a status of "implemented"
        or "partially implemented" needs."""
        return self.evidence.public().proof().exists()

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

    @staticmethod
    def as_they_stood(commitments) -> None:
        """Commitments read with CommitmentQuerySet.as_of, shown as they stood that day:
        the status, its date, the lead agency and the latest accepted update of then in
        place of today's (one query for the updates). For reading: never saved."""
        commitments = list(commitments)
        ids = [c.as_of_update for c in commitments if c.as_of_update]
        updates = ProgressUpdate.objects.in_bulk(ids) if ids else {}
        for commitment in commitments:
            commitment.status = commitment.as_of_status
            commitment.status_date = commitment.as_of_status_date
            commitment.lead_agency = commitment.as_of_lead_agency
            commitment.latest_accepted_update = updates.get(commitment.as_of_update)

    @staticmethod
    def status_from(latest: "ProgressUpdate | None") -> dict:
        """What the public sees of a commitment's progress, from its latest accepted update
        (none: not started)."""
        return {
            "latest_accepted_update": latest,
            "status": latest.status if latest else Status.NOT_STARTED,
            "status_date": timezone.localdate(latest.created_at) if latest else None,
        }

    def refresh_status(self) -> None:
        """Take the status of the latest accepted update (or go back to not started).

        Works on a fresh, locked copy so that a concurrent edit of other fields is kept.
        """
        with transaction.atomic():
            fresh = Commitment.objects.select_for_update().get(pk=self.pk)
            latest = fresh.updates.accepted().order_by("-created_at", "-pk").first()
            public = self.status_from(latest)
            # Saved (a new version, a history row) only when what the public sees changes;
            # the update compared by its id, not read.
            now = {**public, "latest_accepted_update_id": latest and latest.pk}
            del now["latest_accepted_update"]
            if any(getattr(fresh, name) != value for name, value in now.items()):
                for name, value in public.items():
                    setattr(fresh, name, value)
                fresh.version += 1
                fresh.save()
        self.refresh_from_db()


def accepted_updates(path: str = "") -> Q:
    """Accepted and not withdrawn: what a commitment's public status comes from. `path`
    leads from another model to its update (`"update__"` for evidence and deadlines)."""
    return Q(**{f"{path}review_state": ProgressUpdate.ReviewState.ACCEPTED})


class CommitmentRecordQuerySet(ScopedQuerySet):
    """Records of one commitment: its progress updates, evidence and deadlines."""

    def with_codes(self) -> "CommitmentRecordQuerySet":
        """With the codes of their commitment's recommendation and country beside each
        (`recommendation_code`, `country_code`), for short lists: no objects of the
        commitment, the recommendation and the country to read them from."""
        return self.annotate(
            recommendation_code=F("commitment__recommendation__code"),
            country_code=F("commitment__country__code"),
        )


class ProgressUpdateQuerySet(CommitmentRecordQuerySet):
    def accepted(self) -> "ProgressUpdateQuerySet":
        """Accepted and not withdrawn: what a commitment's public status comes from."""
        return self.filter(accepted_updates())

    def on_record(self) -> "ProgressUpdateQuerySet":
        """Every update the public has seen: accepted ones, and those withdrawn after."""
        return self.filter(accepted_at__isnull=False)

    def waiting(self) -> "ProgressUpdateQuerySet":
        return self.filter(review_state=ProgressUpdate.ReviewState.SUBMITTED)

    def by_author(self, user) -> "ProgressUpdateQuerySet":
        return self.filter(author=user)

    def open(self) -> "ProgressUpdateQuerySet":
        """Not reviewed yet: a draft, waiting for review, or returned for changes."""
        states = ProgressUpdate.ReviewState
        return self.filter(review_state__in=[states.DRAFT, states.SUBMITTED, states.RETURNED])

    def left_behind(self) -> "ProgressUpdateQuerySet":
        """Drafts and returned updates whose author is no longer a focal point for the
        commitment's country (someone else took over)."""
        states = ProgressUpdate.ReviewState
        return self.filter(review_state__in=[states.DRAFT, states.RETURNED]).exclude(
            author__focal_memberships__country=F("commitment__country")
        )

    def delete(self):
        if self.on_record().exists():
            raise ProtectedRecordError(_("Published progress updates cannot be deleted."))
        return super().delete()


class CarriedByUpdatesQuerySet(CommitmentRecordQuerySet):
    """Evidence and deadlines: set by network staff, or carried by a progress update."""

    def published(self):
        """Set by staff, or carried by an update that was accepted."""
        return self.filter(Q(update__isnull=True) | accepted_updates("update__"))


class ProgressUpdate(TracksPublicChanges, models.Model):
    """A focal point's report on a commitment, and the unit of review.

    It carries everything the focal point wants the public to see: a status and what was
    done, changes to the government response and lead agency, new evidence and follow-up
    deadlines (records pointing at this update) and changes to existing ones
    (EvidenceChange, DeadlineChange). None of it is public until the update is accepted;
    every transition is in tracker.review.
    """

    public_fields = (
        "status",
        "narrative",
        "challenges",
        "support_needed",
        "review_state",
        "accepted_at",
        "withdrawal_reason",
        "is_demo",
        "created_at",
    )

    class ReviewState(models.TextChoices):
        DRAFT = "draft", _("Draft, not submitted yet")
        SUBMITTED = "submitted", _("Submitted, waiting for review")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="updates", verbose_name=_("commitment")
    )
    status = models.CharField(_("status"), max_length=30, choices=Status)
    narrative = models.TextField(_("what was done"))
    challenges = models.TextField(_("challenges"), blank=True)
    support_needed = models.TextField(_("support needed"), blank=True)
    # The language its texts are written in, and an English version of them (a
    # translation, by its author or by network staff), shown on English pages.
    language = models.CharField(
        _("written in"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    narrative_en = models.TextField(_("what was done, in English"), blank=True)
    challenges_en = models.TextField(_("challenges, in English"), blank=True)
    support_needed_en = models.TextField(_("support needed, in English"), blank=True)
    # The texts its author writes, and their English versions: field names.
    TEXTS = ("narrative", "challenges", "support_needed")
    ENGLISH_TEXTS = tuple(f"{name}_en" for name in TEXTS)
    response = models.CharField(
        _("new government response"),
        max_length=20,
        choices=Commitment.Response,
        blank=True,
        help_text=_("Only if the government's response has changed; empty keeps it."),
    )
    lead_agency = models.CharField(
        _("new lead agency"),
        max_length=200,
        blank=True,
        help_text=_("Only if the lead agency has changed; empty keeps it."),
    )
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
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The form that last saved it: the same form sent twice saves once."),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(
        _("why it was withdrawn"),
        blank=True,
        help_text=_("Shown to the public beside a published update that was withdrawn."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_demo = models.BooleanField(
        _("demonstration data"), default=False, help_text=_("Made up to show the tracker.")
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [
            models.Index(fields=["review_state", "created_at"], name="update_review_idx"),
            # The review queue's pages, however deep: the ids of the updates waiting, in
            # order, from the index alone (tracker.paging).
            models.Index(
                fields=["created_at", "id"],
                name="update_waiting_idx",
                condition=Q(review_state="submitted"),
            ),
            # Whether the site holds demonstration updates (every page says so): found in
            # this index of them alone, which is empty once they are gone, not by reading
            # every update (22 ms at 250,000 without any).
            models.Index(fields=["id"], name="update_demo_idx", condition=Q(is_demo=True)),
            # The public pages' "latest accepted updates".
            models.Index(fields=["review_state", "-reviewed_at"], name="update_reviewed_idx"),
            # A commitment's accepted updates, newest first (timelines, refresh_status).
            models.Index(
                fields=["commitment", "review_state", "-created_at"], name="update_timeline_idx"
            ),
            # The feed: the updates on record, the last accepted or withdrawn first.
            models.Index(
                Coalesce("withdrawn_at", "accepted_at").desc(),
                F("id").desc(),
                name="update_on_record_idx",
                condition=Q(accepted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} · {self.get_status_display()} ({self.created_at:%Y-%m-%d})"

    def shows(self, values: tuple) -> bool:
        return self._values_of(values)["accepted_at"] is not None

    def changed_scope(self, *, created: bool, deleting: bool) -> list[tuple[str, int]] | None:
        if self.changes_demo_notice(created=created, deleting=deleting):
            return None
        return super().changed_scope(created=created, deleting=deleting)

    def changes_demo_notice(self, *, created: bool, deleting: bool) -> bool:
        """Whether this save or delete may put on or take off the notice every page shows
        while the site holds demonstration updates (of any state: see
        tracker.context_processors.demo_data)."""
        if created or deleting:
            return self.is_demo
        return self._loaded is None or self._values_of(self._loaded)["is_demo"] != self.is_demo

    @property
    def is_public(self) -> bool:
        """Accepted and not withdrawn (`accepted_updates`, for one update)."""
        return self.review_state == self.ReviewState.ACCEPTED

    @property
    def is_on_record(self) -> bool:
        """Accepted now or once: the public timeline shows it."""
        return self.accepted_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.is_withdrawal(self.review_state)

    @classmethod
    def is_withdrawal(cls, review_state: str) -> bool:
        """Whether an update in this review state was withdrawn (for values read without
        the update: tracker.tables.timeline)."""
        return review_state == cls.ReviewState.WITHDRAWN

    def needs_proof(self) -> bool:
        return self.status in Status.needing_evidence()

    def has_public_proof(self) -> bool:
        """Proof for its status: public evidence with a note, a link or a file, already on
        the commitment, added with this update, or made public by it."""
        if self.commitment.has_public_proof():
            return True
        if not self.pk:
            return False
        own = Evidence.objects.filter(update=self, visibility=Evidence.Visibility.PUBLIC)
        made_public = Evidence.objects.filter(
            proposed_changes__update=self,
            proposed_changes__visibility=Evidence.Visibility.PUBLIC,
        )
        return own.proof().exists() or made_public.proof().exists()

    def delete(self, *args, **kwargs):
        if self.is_on_record:
            raise ProtectedRecordError(_("Published progress updates cannot be deleted."))
        return super().delete(*args, **kwargs)


def proof_missing_message(status: str) -> str:
    return _(
        "“%(status)s” needs at least one public evidence item with a note, a link or a "
        "file. Add it below as public evidence, or choose another status."
    ) % {"status": Status(status).label}


class EvidenceFile(FieldFile):
    """An evidence file. Its link is the view that checks who may download it: files are
    kept where no URL serves them, so their storage path is never linked."""

    @property
    def url(self) -> str:
        self._require_file()
        return reverse("tracker:evidence_file", args=[self.instance.pk])


class EvidenceFileField(models.FileField):
    attr_class = EvidenceFile


class Evidence(TracksPublicChanges, models.Model):
    public_fields = ("date", "title", "note", "url", "file", "visibility", "update", "is_demo")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal (network staff and the country's focal points)")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("commitment")
    )
    # The commitment's country (a commitment never changes country), kept on the row for a
    # country's page, which lists its latest public evidence without reading every item of
    # its commitments.
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", editable=False)
    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("added with the update"),
        help_text=_("Public only once this update is accepted."),
    )
    date = models.DateField(_("date"), help_text=_("When the evidence is from."))
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    language = models.CharField(
        _("written in"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    title_en = models.CharField(_("title, in English"), max_length=200, blank=True)
    note_en = models.TextField(_("note, in English"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = EvidenceFileField(
        _("file"),
        upload_to=evidence_name,
        storage=evidence_storage,
        max_length=255,
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
    set_by_staff = models.BooleanField(
        _("set by network staff"),
        default=True,
        help_text=_("Focal points cannot change or remove it."),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["country"])

    class EvidenceQuerySet(CarriedByUpdatesQuerySet):
        def public(self):
            """Public, and published: set by staff, or with an update that was accepted."""
            return self.published().filter(visibility=Evidence.Visibility.PUBLIC)

        def public_on(self, day: dt.date | None = None):
            """Public now, or as it was at the end of `day`."""
            return (self.there_on(day) if day else self).public()

        def there_on(self, day: dt.date):
            """As it stood at the end of `day`: dated by then, and added by staff by then or
            accepted with its update by then (`.public()` of these: public on that day)."""
            return self.filter(date__lte=day).filter(
                Q(update__isnull=True, created_at__date__lte=day)
                | Q(update__accepted_at__date__lte=day)
            )

        def proof(self):
            """Evidence that shows something: a note, a link or a file, not a title alone."""
            return self.exclude(note="", url="", file="")

        def changeable_by_focal_points(self):
            return self.filter(set_by_staff=False)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        indexes = [
            models.Index(fields=["country", "visibility", "date"], name="evidence_by_country")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"

    def save(self, *args, **kwargs):
        if self.country_id is None:
            self.country_id = self.commitment.country_id
        super().save(*args, **kwargs)

    def shows(self, values: tuple) -> bool:
        values = self._values_of(values)
        return values["visibility"] == self.Visibility.PUBLIC and _published(values["update"])

    @property
    def is_public(self) -> bool:
        return self.shows(self.public_values())

    def get_file_url(self) -> str:
        return self.file_url_of(self.pk, self.file)

    @staticmethod
    def file_url_of(pk: int, file) -> str:
        """Where the file of the evidence item of this id is downloaded (through the view
        that checks who may see it); "" without a file (`file`: the field, or its name)."""
        return reverse("tracker:evidence_file", args=[pk]) if file else ""


def _published(update_id: int | None) -> bool:
    """A record added with an update is public once that update is accepted."""
    return update_id is None or ProgressUpdate.objects.accepted().filter(pk=update_id).exists()


class Deadline(TracksPublicChanges, models.Model):
    public_fields = ("description", "due_date", "responsible", "is_done", "update", "is_demo")

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        related_name="deadlines",
        verbose_name=_("commitment"),
    )
    # The commitment's country, kept on the row for a country's page (as Evidence.country).
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", editable=False)
    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("added with the update"),
        help_text=_("Public only once this update is accepted."),
    )
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
    set_by_staff = models.BooleanField(
        _("set by network staff"),
        default=True,
        help_text=_("Focal points cannot move, close or remove it."),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["country"])

    class DeadlineQuerySet(CarriedByUpdatesQuerySet):
        def public(self):
            """Published: set by staff, or with an update that was accepted."""
            return self.published()

        def open(self):
            return self.filter(is_done=False)

        def overdue(self, today: dt.date | None = None):
            return self.open().filter(due_date__lt=today or timezone.localdate())

        def due_within(self, days: int, today: dt.date | None = None):
            """Open deadlines falling due within `days`, and those already overdue."""
            today = today or timezone.localdate()
            return self.open().filter(due_date__lte=today + dt.timedelta(days=days))

        def changeable_by_focal_points(self):
            return self.filter(set_by_staff=False)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up deadline")
        verbose_name_plural = _("follow-up deadlines")
        indexes = [
            # The next open deadline of a commitment, of a country, and of all (the
            # dashboard's overdue ones), each read in order of their day.
            models.Index(fields=["commitment", "is_done", "due_date"], name="deadline_next"),
            models.Index(fields=["country", "is_done", "due_date"], name="deadline_by_country"),
            models.Index(fields=["is_done", "due_date"], name="deadline_open_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_done=True) | Q(done_at__isnull=True),
                name="deadline_done_at_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return _("%(description)s (by %(date)s)") % {
            "description": self.description,
            "date": self.due_date,
        }

    def save(self, *args, **kwargs):
        if self.country_id is None:
            self.country_id = self.commitment.country_id
        if self.is_done and not self.done_at:
            self.done_at = timezone.localdate()
        elif not self.is_done:
            self.done_at = None
        super().save(*args, **kwargs)

    def shows(self, values: tuple) -> bool:
        return _published(self._values_of(values)["update"])

    @property
    def is_public(self) -> bool:
        return self.shows(self.public_values())

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_date < timezone.localdate()


class EvidenceChange(models.Model):
    """A change of visibility an update asks for, made when the update is accepted."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="evidence_changes"
    )
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.CASCADE,
        related_name="proposed_changes",
        verbose_name=_("evidence"),
    )
    visibility = models.CharField(_("make it"), max_length=10, choices=Evidence.Visibility)

    class Meta:
        verbose_name = _("change to existing evidence")
        verbose_name_plural = _("changes to existing evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "evidence"], name="evidence_change_once_per_update"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence}: {self.get_visibility_display()}"


class DeadlineChange(models.Model):
    """A deadline an update moves or closes, changed when the update is accepted."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="deadline_changes"
    )
    deadline = models.ForeignKey(
        Deadline,
        on_delete=models.CASCADE,
        related_name="proposed_changes",
        verbose_name=_("follow-up deadline"),
    )
    due_date = models.DateField(
        _("move it to"), null=True, blank=True, help_text=_("Empty keeps the date.")
    )
    is_done = models.BooleanField(_("mark it done"), default=False)

    class Meta:
        verbose_name = _("change to an existing deadline")
        verbose_name_plural = _("changes to existing deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "deadline"], name="deadline_change_once_per_update"
            ),
        ]

    def __str__(self) -> str:
        return str(self.deadline)

    def clean(self) -> None:
        if self.due_date is None and not self.is_done:
            raise ValidationError(_("Give the new date, or mark the deadline done."))


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
    changed_at = models.DateTimeField(null=True, blank=True)  # when the token last changed
    # Replaced with the token by every public change but one commitment's progress (its
    # status, updates, evidence and deadlines), which replaces instead the ScopedRevisions of
    # its country, its recommendation and its statuses: the pages of one country,
    # recommendation or status are cached under both (see tracker.page_cache).
    wide_token = models.CharField(max_length=32, default="")
    wide_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("public revision")

    def __str__(self) -> str:
        return self.token


class ScopedRevision(models.Model):
    """The token of the pages of one country, one recommendation or one status: replaced,
    in the same transaction, by every change of the progress of one of its commitments."""

    class Kind(models.TextChoices):
        COUNTRY = "country"
        RECOMMENDATION = "recommendation"
        STATUS = "status"  # the progress table of one status

    kind = models.CharField(max_length=20, choices=Kind)
    # The id of the country or recommendation; a status's status_scope_key.
    key = models.BigIntegerField()
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("scoped revision")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="scoped_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class PendingUpload(models.Model):
    """A previewed spreadsheet upload, kept until it is confirmed, and never longer than an
    hour (see tracker.uploads). Its bytes live here, in the database: outside MEDIA_ROOT
    and any URL, and the same for every application host."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)
    data = models.BinaryField()
    versions = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("upload waiting for confirmation")

    def __str__(self) -> str:
        return self.file_name


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A focal point's personal key for a national system to submit progress through the
    API, for that focal point's countries only. Only a digest of the secret is kept: the
    secret is shown once, when the token is made. A token is never deleted: revoked, it
    stays on record (who revoked it and when)."""

    PREFIX = "gcmt_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What uses it, such as “National tracking database”."),
    )
    prefix = models.CharField(_("begins with"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        # The secret is 256 random bits: a plain SHA-256 cannot be reversed or guessed, and
        # it can be looked up (a slow password hash would cost every request).
        return hashlib.sha256(secret.encode()).hexdigest()

    def new_secret(self) -> str:
        """Give the token its secret (before it is first saved); returns it, to show once."""
        secret = self.PREFIX + secrets.token_urlsafe(32)
        self.prefix, self.digest = secret[: len(self.PREFIX) + 6], self.digest_of(secret)
        return secret

    @property
    def state(self) -> str:
        if self.revoked_at:
            return str(_("revoked"))
        if self.expires_at <= timezone.now():
            return str(_("expired"))
        return str(_("usable"))

    def revoke(self, *, by) -> None:
        if self.revoked_at is None:
            self.revoked_at, self.revoked_by = timezone.now(), by
            self.save(update_fields=["revoked_at", "revoked_by"])


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed_since(self, moment):
        """Never confirmed, and asked for before `moment`: to be deleted."""
        return self.filter(confirmed_at__isnull=True, created_at__lt=moment)


class Subscription(models.Model):
    """An email address following a country or a recommendation (tracker.following).
    Seen by network staff only; unsubscribing deletes it, and it keeps no history."""

    email = models.EmailField(_("email address"))
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=64, unique=True, editable=False)
    # The language of the page it was asked from: its emails are written in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("asked for"), default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Accepted updates after this moment go into the next digest.
    covered_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_digest_on = models.DateField(_("last digest"), null=True, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("email subscription")
        verbose_name_plural = _("email subscriptions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__isnull=True, recommendation__isnull=False)
                | Q(country__isnull=False, recommendation__isnull=True),
                name="subscription_follows_one_thing",
            ),
            models.UniqueConstraint(
                fields=["email", "country"],
                condition=Q(country__isnull=False),
                name="subscription_once_per_country",
            ),
            models.UniqueConstraint(
                fields=["email", "recommendation"],
                condition=Q(recommendation__isnull=False),
                name="subscription_once_per_recommendation",
            ),
        ]

    def __str__(self) -> str:
        # Without the address: the admin's log of changes keeps this text.
        return f"#{self.pk} {self.followed}"

    @property
    def followed(self):
        return self.country if self.country_id else self.recommendation

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class Person(User):
    """A user account as network staff see it: who they are and which role they hold.
    Roles are granted and revoked through tracker.roles."""

    class Meta:
        proxy = True
        ordering = ["username"]
        verbose_name = _("person and role")
        verbose_name_plural = _("people and roles")


class ReportingRound(models.Model):
    """A round of reporting network staff open ("IMRF follow-up 2027"): the countries it
    asks, by when, and from when updates count."""

    class Standing(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted since the round opened")
        WAITING = "waiting", _("Waiting for review")
        RETURNED = "returned", _("Returned for changes")
        MISSING = "missing", _("No update yet")

    name = models.CharField(_("name"), max_length=200)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    due_date = models.DateField(_("due by"))
    countries = models.ManyToManyField(Country, related_name="rounds", verbose_name=_("countries"))
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")

    def __str__(self) -> str:
        return self.name

    @property
    def opened_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.opened_on, dt.time()))

    def commitments(self) -> "CommitmentQuerySet":
        """The round's commitments, each with its `standing` in the round."""
        return Commitment.objects.filter(country__in=self.countries.all()).in_round(self.opened_at)

    def standings_by_country(self) -> list[tuple["Country", dict[str, int]]]:
        """Each country of the round with how many of its commitments stand where."""
        counts: dict[int, dict[str, int]] = {}
        rows = self.commitments().order_by().values("country_id", "standing")
        for row in rows.annotate(n=Count("pk")):
            by_standing = counts.setdefault(row["country_id"], dict.fromkeys(self.Standing, 0))
            by_standing[row["standing"]] = row["n"]
        countries = sorted(self.countries.all(), key=lambda c: c.name)
        empty = dict.fromkeys(self.Standing, 0)
        return [(country, counts.get(country.pk, empty)) for country in countries]

    def gaps(self) -> "CommitmentQuerySet":
        """Commitments still needing something from their country: no update since the
        round opened, or one returned for changes."""
        Standing = self.Standing
        return self.commitments().filter(standing__in=[Standing.MISSING, Standing.RETURNED])


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(quarter: dt.date) -> dt.date:
    month = quarter.month + 3
    return dt.date(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)


def quarters(since: dt.date, until: dt.date) -> list[dt.date]:
    """The first days of the quarters from `since`'s to `until`'s."""
    found, quarter = [], quarter_start(since)
    while quarter <= until:
        found.append(quarter)
        quarter = next_quarter(quarter)
    return found


class StatusCountQuerySet(models.QuerySet):
    def record(self, day: dt.date | None = None, countries=None) -> None:
        """Store the commitments of `countries` (ids; None: every country) by status, as
        they stand now (their tallies), as the figures of the quarter of `day` (today):
        rewritten at every change, so a quarter keeps how it ended. Called with the tallies'
        every change of a country's counts, for that country (tracker.stats)."""
        quarter = quarter_start(day or timezone.localdate())
        if countries is None:
            countries = Country.objects.values_list("pk", flat=True)
        countries = list(countries)
        tallies = Tally.objects.figures([Tally.Kind.COUNTRY], countries)[Tally.Kind.COUNTRY]
        nothing = Figures.empty()
        with transaction.atomic(savepoint=False):
            self.filter(quarter=quarter, country_id__in=countries).delete()
            self.bulk_create(
                StatusCount(
                    quarter=quarter,
                    country_id=pk,
                    counts=tallies.get(pk, nothing).counts,
                )
                for pk in countries
            )

    def series(self, since: dt.date | None = None, until: dt.date | None = None) -> list:
        """[(quarter's first day, {country id: Figures})] for each quarter from `since`'s
        (the first recorded) to `until`'s (today's); a quarter with no change keeps the
        figures of the one before. One query."""
        last = quarter_start(until or timezone.localdate())
        # As values: the region's chart reads every country's quarters, hundreds of rows.
        rows = list(
            self.filter(quarter__lte=last)
            .order_by("quarter", "country_id")
            .values_list("quarter", "country_id", "counts")
        )
        if since is None and not rows:
            return []
        nothing = dict.fromkeys(Status.values, 0)
        current: dict[int, Figures] = {}
        series = []
        position = 0
        for quarter in quarters(since or rows[0][0], last):
            while position < len(rows) and rows[position][0] <= quarter:
                _quarter, country_id, counts = rows[position]
                current[country_id] = Figures({**nothing, **counts}, None)  # overdue: not kept
                position += 1
            series.append((quarter, dict(current)))
        return series


class StatusCount(models.Model):
    """A country's commitments by status at the end of a quarter (or now, for the current
    one): what the charts of status over time read, kept up to date by every change
    instead of worked out from the history on each page."""

    quarter = models.DateField(_("quarter"), help_text=_("Its first day."))
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    counts = models.JSONField(_("commitments by status"), default=dict)

    objects = StatusCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("status count")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "country"], name="status_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.country}"


class TallyQuerySet(models.QuerySet):
    def of(self, kind: str, keys=None) -> "TallyQuerySet":
        """The tallies of groups of one kind: all of them, or those of `keys` (ids)."""
        tallies = self.filter(kind=kind)
        return tallies if keys is None else tallies.filter(key__in=keys)

    def commitments(self, status: str = "") -> int:
        """How many commitments these groups hold with this status (a status or
        WITH_PROGRESS; empty: any): a sum over the status rows, in the database."""
        rows = self.filter(due_on__isnull=True)
        if status:
            rows = rows.filter(status__in=SHOWING_PROGRESS if status == WITH_PROGRESS else [status])
        return rows.aggregate(n=Sum("n"))["n"] or 0

    def figures(
        self, kinds=None, keys=None, day: dt.date | None = None
    ) -> dict[str, dict[int, "Figures"]]:
        """{kind: {key: Figures}} of the groups of these kinds (all when None), of `keys`
        (ids) only when given, read from the whole table (call it on `Tally.objects`: it
        does not apply a queryset's filters): their commitments by status, and how many
        have an open published deadline past due on `day` (today); recommendations' are not
        kept (None). One query, of a few rows per group, of two index ranges of each kind
        (the statuses and the days past due), written as SQL: the ORM's union of the two
        took 0.4 ms more to build than the database took to answer it, on pages that each
        read it once."""
        day = day or timezone.localdate()
        kinds = list(Tally.Kind.values if kinds is None else kinds)
        keys = None if keys is None else list(keys)
        figures: dict[str, dict[int, Figures]] = {kind: {} for kind in Tally.Kind.values}
        if not kinds or keys == []:
            return figures
        where = f"kind IN ({', '.join(['%s'] * len(kinds))})"
        params = list(kinds)
        if keys is not None:
            where += f" AND key IN ({', '.join(['%s'] * len(keys))})"
            params += keys
        table = Tally._meta.db_table
        sql = (
            f"SELECT kind, key, status, due_on, n FROM {table} WHERE {where} AND due_on IS NULL"
            f" UNION ALL SELECT kind, key, status, due_on, n FROM {table}"
            f" WHERE {where} AND due_on < %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *params, connection.ops.adapt_datefield_value(day)])
            rows = cursor.fetchall()
        counts: dict[tuple[str, int], dict[str, int]] = {}
        late: dict[tuple[str, int], int] = {}
        for kind, key, status, due_on, n in rows:
            if due_on is None:
                counts.setdefault((kind, key), dict.fromkeys(STATUSES, 0))[status] = n
            else:
                late[kind, key] = late.get((kind, key), 0) + n
        for (kind, key), by_status in counts.items():
            overdue = None if kind == Tally.Kind.RECOMMENDATION else late.get((kind, key), 0)
            figures[kind][key] = Figures(by_status, overdue)
        return figures


class Tally(models.Model):
    """How many commitments of a country, of a recommendation or under a GCM objective have
    a status (`status`), or have their next open published deadline on a day (`due_on`;
    the days before the last few are counted as one, the day before them). The public
    pages' figures are read from these rows instead of from every commitment; tracker.stats
    keeps them, in the same transaction as every change."""

    class Kind(models.TextChoices):
        COUNTRY = "country"
        RECOMMENDATION = "recommendation"
        OBJECTIVE = "objective"

    kind = models.CharField(max_length=20, choices=Kind)
    key = models.BigIntegerField()  # the id of the country, recommendation or GCM objective
    status = models.CharField(max_length=30, choices=Status, blank=True)
    due_on = models.DateField(null=True, blank=True)
    n = models.IntegerField()

    objects = TallyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "status"],
                condition=Q(due_on__isnull=True),
                name="tally_status_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "key", "due_on"],
                condition=Q(due_on__isnull=False),
                name="tally_day_once",
            ),
        ]
        indexes = [models.Index(fields=["kind", "due_on", "key"], name="tally_by_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.status or self.due_on}: {self.n}"


class CountedCommitment(models.Model):
    """A commitment as the tallies count it: after a change, tracker.stats compares the
    commitment with this row and moves its counts from the one to the other. Plain ids, not
    keys: the row outlives a deleted commitment until its counts are taken back."""

    commitment_id = models.BigIntegerField(primary_key=True)
    country_id = models.BigIntegerField()
    recommendation_id = models.BigIntegerField(db_index=True)
    objectives = models.JSONField(default=list)  # its recommendation's GCM objectives' ids
    status = models.CharField(max_length=30)
    due_on = models.DateField(null=True)  # of its next open published deadline

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.status}, {self.due_on}"


class SiteText(models.Model):
    """A page of text network staff write in the admin ("How this tracker works"), one
    row per language; the site falls back to its default language."""

    class Page(models.TextChoices):
        HOW_IT_WORKS = "how-it-works", _("How this tracker works")

    page = models.CharField(_("page"), max_length=40, choices=Page)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text. A blank line starts a new paragraph; a line starting with “## ” is "
            "a heading; web and email addresses become links. The status definitions, the "
            "licence and the contact address are added below it from the settings."
        ),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["page", "language"]
        verbose_name = _("page of text")
        verbose_name_plural = _("pages of text")
        constraints = [
            models.UniqueConstraint(fields=["page", "language"], name="site_text_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def for_page(cls, page: str, language: str) -> "SiteText | None":
        texts = {t.language: t for t in cls.objects.filter(page=page)}
        return texts.get(language) or texts.get(settings.LANGUAGE_CODE)


class EmailQuerySet(models.QuerySet):
    def unsent(self) -> "EmailQuerySet":
        return self.filter(sent_at__isnull=True)


class Email(models.Model):
    """An email to send, written in the same transaction as the change it tells of and
    sent by a background task (tracker.tasks.send_email). `sent_at` is set as soon as it
    went out, so a task run again (retried, or re-queued after its worker died) sends
    nothing twice."""

    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    to = models.JSONField(_("to"), default=list)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["sent_at", "created_at"], name="email_unsent")]

    def __str__(self) -> str:
        return self.subject


class TaskWorker(models.Model):
    """A background worker (`manage.py run_worker`) and when it last said it was alive:
    a task claimed by a worker that stopped saying so is run again by another."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id


class ScheduledRun(models.Model):
    """A scheduled job enqueued for a period (a day, an hour): whichever worker writes
    this row first enqueues it, so several workers on several hosts enqueue it once."""

    job = models.CharField(max_length=100)
    period = models.CharField(max_length=20)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduled_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"


class PreparedDownload(models.Model):
    """A download too big to make within a request (tracker.downloads), made by the
    background worker and kept for DOWNLOAD_KEEP_HOURS. Its key stands for what it holds:
    the kind of file, the query, the language and the state of the public data; the same
    download asked again before the data changes is made once."""

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    language = models.CharField(max_length=10)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.filename

    @property
    def has_failed(self) -> bool:
        return self.ready_at is None and self.attempts >= settings.TASK_ATTEMPTS
