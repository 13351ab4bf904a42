import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.db import connection, models
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modeltranslation.utils import build_localized_fieldname
from simple_history.models import HistoricalRecords

from consultations.storage import uploads_storage


class GcmObjective(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    short_name = models.CharField(_("short name"), max_length=100)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["number"]
        verbose_name = _("GCM objective")
        verbose_name_plural = _("GCM objectives")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def name(self) -> str:
        """The short name in the reader's language (consultations/reference_names.py)."""
        return gettext(self.short_name)


class GuidingPrinciple(models.Model):
    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("GCM guiding principle")
        verbose_name_plural = _("GCM guiding principles")

    def __str__(self) -> str:
        return self.name


class Sdg(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    short_name = models.CharField(_("short name"), max_length=100)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["number"]
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")

    def __str__(self) -> str:
        return f"SDG {self.number}. {self.name}"

    @property
    def name(self) -> str:
        """The short name in the reader's language (consultations/reference_names.py)."""
        return gettext(self.short_name)


class Theme(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class Targets(NamedTuple):
    """The GCM objectives and SDGs a consultation or recommendation serves: number,
    short_name and name (the short name in the reader's language) of each."""

    gcm_objectives: list[dict]
    sdgs: list[dict]

    @classmethod
    def of(cls, **owner) -> "Targets":
        """Both lists in one statement; `owner` is consultations=... or recommendations=...
        (one record). Written in SQL: the ORM's union of the two lists took 0.7 ms to
        build, for 0.1 ms in the database, on every recommendation's and report's page."""
        ((name, record),) = owner.items()
        model = Consultation if name == "consultations" else Recommendation
        parts = []
        for kind, field, tag in (("gcm", "gcm_objectives", GcmObjective), ("sdg", "sdgs", Sdg)):
            through = model._meta.get_field(field).remote_field.through._meta
            owner_column = through.get_field(model._meta.model_name).column
            tag_column = through.get_field(tag._meta.model_name).column
            parts.append(
                f"SELECT '{kind}', t.number, t.short_name FROM {tag._meta.db_table} t "
                f"JOIN {through.db_table} m ON m.{tag_column} = t.id WHERE m.{owner_column} = %s"
            )
        targets = cls([], [])
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2", [record.pk, record.pk])
            for kind, number, short_name in cursor.fetchall():
                row = {"kind": kind, "number": number, "short_name": short_name}
                row["name"] = gettext(short_name)  # in the reader's language
                (targets.gcm_objectives if kind == "gcm" else targets.sdgs).append(row)
        return targets


class ConsultationQuerySet(models.QuerySet):
    def with_counts(self) -> "ConsultationQuerySet":
        """Each consultation's number of paragraphs and recommendations (paragraph_total,
        recommendation_total), counted apart: no join of the two, no GROUP BY of the
        report's text."""

        def total(model):
            rows = model.objects.filter(consultation=models.OuterRef("pk")).order_by()
            counted = rows.values("consultation").annotate(n=models.Count("pk")).values("n")
            return Coalesce(models.Subquery(counted), 0)

        return self.annotate(
            paragraph_total=total(Paragraph), recommendation_total=total(Recommendation)
        )


class Consultation(models.Model):
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_("Short code that prefixes the recommendation codes, e.g. BM22."),
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    series = models.CharField(_("series"), max_length=300, blank=True)
    number_in_series = models.PositiveSmallIntegerField(
        _("number in series"), null=True, blank=True
    )
    title = models.CharField(_("title"), max_length=300)
    document_type = models.CharField(_("document type"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    utc_offset_minutes = models.SmallIntegerField(
        _("UTC offset (minutes)"), default=0, help_text=_("The time zone the report gives.")
    )
    timezone_label = models.CharField(_("time zone"), max_length=100, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    host_country = CountryField(_("host country"), blank=True)
    organisers = models.TextField(_("organisers"), blank=True)
    attendance = models.TextField(_("attendance"), blank=True)
    gcm_objectives = models.ManyToManyField(
        GcmObjective, verbose_name=_("GCM objectives"), blank=True, related_name="consultations"
    )
    sdgs = models.ManyToManyField(
        Sdg, verbose_name=_("SDGs"), blank=True, related_name="consultations"
    )
    agenda_text = models.TextField(_("agenda as written"), blank=True)
    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    source_sha256 = models.CharField(_("source SHA-256"), max_length=64, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return f"{self.title} ({date_format(self.date)})"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:  # its date and title order its recommendations
            Recommendation.objects.filter(consultation=self).keep_order()

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.tzinfo)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.tzinfo) if self.ends_at else None

    @property
    def tzinfo(self) -> dt.timezone:
        return dt.timezone(dt.timedelta(minutes=self.utc_offset_minutes))


class Section(models.Model):
    class Kind(models.TextChoices):
        BACKGROUND = "background", _("Background")
        OBJECTIVES = "objectives", _("Objectives")
        OPENING = "opening", _("Opening")
        CHALLENGES = "challenges", _("Challenges")
        OPPORTUNITIES = "opportunities", _("Opportunities")
        RECOMMENDATIONS = "recommendations", _("Recommendations")
        SUMMARY = "summary", _("Summary")
        CLOSING = "closing", _("Closing")
        AGENDA = "agenda", _("Agenda")
        OTHER = "other", _("Other")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    key = models.CharField(_("key"), max_length=100, help_text=_("Path of labels, e.g. IV.A.iii."))
    label = models.CharField(_("label"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=400)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    intro = models.TextField(_("introduction"), blank=True)

    class Meta:
        ordering = ["consultation", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "key"], name="section_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.label}. {self.title}" if self.label else self.title


class ParagraphQuerySet(models.QuerySet):
    def in_report(self):
        """The paragraphs of the report as last imported (not those kept only for a
        recommendation whose text left the report)."""
        return self.filter(in_report=True)


class Paragraph(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="paragraphs"
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="paragraphs"
    )
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))
    countries = CountryField(_("countries mentioned"), multiple=True, blank=True)
    source_line = models.PositiveIntegerField(_("line in source"), default=0)
    in_report = models.BooleanField(
        _("in the report"),
        default=True,
        help_text=_(
            "Off for a paragraph the latest import no longer has, kept for the recommendation "
            "it holds (its number may now be another paragraph's)."
        ),
    )
    history = HistoricalRecords()

    objects = ParagraphQuerySet.as_manager()

    class Meta:
        ordering = ["consultation", "number"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"],
                condition=models.Q(in_report=True),
                name="paragraph_unique_number",
            ),
        ]

    def __str__(self) -> str:
        return f"¶{self.number}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:  # its number orders its recommendation
            Recommendation.objects.filter(paragraph=self).keep_order()

    def get_absolute_url(self) -> str:
        return f"{self.consultation.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return self.anchor_of(self.number)

    @staticmethod
    def anchor_of(number: int) -> str:
        """The id of paragraph `number` on its report's page."""
        return f"p{number}"


# Words a title cut short should not end on ("…labour market requirements, and the").
DANGLING_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "into",
    "of",
    "on",
    "or",
    "such",
    "that",
    "the",
    "their",
    "to",
    "with",
}


class RecommendationQuerySet(models.QuerySet):
    def keep_order(self) -> int:
        """Copy each recommendation's order from its consultation and paragraph (one UPDATE),
        after a write that may have moved them."""

        def copied(model, key, field):
            return models.Subquery(model.objects.filter(pk=models.OuterRef(key)).values(field))

        return self.order_by().update(
            consultation_date=copied(Consultation, "consultation_id", "date"),
            consultation_title=copied(Consultation, "consultation_id", "title"),
            paragraph_number=copied(Paragraph, "paragraph_id", "number"),
        )


class Recommendation(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="recommendations"
    )
    paragraph = models.OneToOneField(
        Paragraph, on_delete=models.PROTECT, related_name="recommendation"
    )
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Stable code, e.g. BM22-R31.")
    )
    short_title = models.CharField(
        _("short title"),
        max_length=200,
        help_text=_(
            "The recommendation's heading. Pages in a language left empty show it in English."
        ),
    )
    gcm_objectives = models.ManyToManyField(
        GcmObjective, verbose_name=_("GCM objectives"), blank=True, related_name="recommendations"
    )
    sdgs = models.ManyToManyField(
        Sdg, verbose_name=_("SDGs"), blank=True, related_name="recommendations"
    )
    guiding_principles = models.ManyToManyField(
        GuidingPrinciple,
        verbose_name=_("guiding principles"),
        blank=True,
        related_name="recommendations",
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="recommendations"
    )
    is_current = models.BooleanField(
        _("in the current report"),
        default=True,
        help_text=_(
            "Off when the latest import no longer lists this paragraph as a recommendation. "
            "Its tracking data is kept."
        ),
    )
    # The order of the report's tables (the consultation's date, newest first, its title,
    # the paragraph's number), copied from the consultation and the paragraph so that a
    # table of 50,000 commitments is read in order from an index instead of being joined to
    # both and sorted whole. Kept by the saves of all three (RecommendationQuerySet.
    # keep_order), by the importer, a restore and the synthetic data.
    consultation_date = models.DateField(null=True, editable=False)
    consultation_title = models.CharField(max_length=300, blank=True, editable=False)
    paragraph_number = models.PositiveIntegerField(default=0, editable=False)
    # Its history is registered in consultations/translation.py, after the short title has
    # been given a column per language, so that the history keeps them all.

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["-consultation_date", "consultation_title", "paragraph_number"]
        indexes = [
            models.Index(
                models.F("consultation_date").desc(),
                "consultation_title",
                "paragraph_number",
                name="recommendation_order",
            )
        ]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.code} {self.short_title}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Recommendation.objects.filter(pk=self.pk).keep_order()

    @property
    def text(self) -> str:
        return self.paragraph.text

    @property
    def english_title(self) -> str:
        """The short title in English, whatever the active language (the source of every
        translation, and what downloads and the API give)."""
        return self.short_title_en or ""

    @classmethod
    def title_fields(cls, *languages: str) -> list[str]:
        """The columns of the short title in these languages (all when none is named; a
        language without a column is left out)."""
        kept = settings.MODELTRANSLATION_LANGUAGES
        return [
            build_localized_fieldname("short_title", code)
            for code in (languages or kept)
            if code in kept
        ]

    def title_translations(self) -> dict[str, str]:
        """The short title in each language other than English it has been translated into."""
        return {
            code: title
            for code, _name in settings.LANGUAGES
            if code != "en"
            and (title := getattr(self, build_localized_fieldname("short_title", code)))
        }

    def title_language(self) -> str:
        """The language `short_title` reads in now: the active one when staff have
        translated it, else English."""
        language = get_language() or "en"
        titles = {language: getattr(self, build_localized_fieldname("short_title", language), "")}
        return self.title_of(titles)[1]

    @staticmethod
    def title_of(titles: dict[str, str], language: str | None = None) -> tuple[str, str]:
        """The short title shown now and its language, from the titles by language: the
        active language's (`language`, when looked up already) when staff have translated
        it, else English (as modeltranslation falls back)."""
        language = language or get_language() or "en"
        if titles.get(language):
            return titles[language], language
        return titles.get("en") or "", "en"

    @property
    def heading(self) -> str:
        """The short title as a heading: without the "…" that marks where the text was cut
        (the page shows the whole text below it)."""
        if not self.short_title.endswith("…"):
            return self.short_title
        words = self.short_title.removesuffix("…").rstrip(" ,;:").split(" ")
        while len(words) > 3 and words[-1].lower() in DANGLING_WORDS:
            words.pop()
        return " ".join(words).rstrip(" ,;:")

    @property
    def number(self) -> int:
        return self.paragraph.number


class AgendaItem(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    starts = models.TimeField(_("starts"), null=True, blank=True)
    ends = models.TimeField(_("ends"), null=True, blank=True)
    topic = models.TextField(_("topic"))
    moderators = models.TextField(_("moderators"), blank=True)
    speakers = models.TextField(_("speakers"), blank=True, help_text=_("One per line."))
    raw = models.TextField(_("as written"), blank=True)

    class Meta:
        ordering = ["consultation", "order"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "order"], name="agenda_unique_order"),
        ]

    def __str__(self) -> str:
        return self.topic[:80]


class ReportFile(models.Model):
    """A report uploaded to the admin's import, kept for its uploader between the dry run
    and the import (an hour at most; consultations.reading). A PDF is read into text by
    the background worker, which may run on another host: the file waits in the uploads
    storage until then, and is deleted once read. The text it was read into is what the
    dry run and the import use."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    file = models.FileField(storage=uploads_storage, upload_to="reports", blank=True)
    language = models.CharField(max_length=10)
    options = models.JSONField(default=dict)  # the import form's, as given with the file
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True)
    text = models.TextField(blank=True)
    places = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    error = models.TextField(blank=True)  # why it cannot be read, in words
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
