from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import truncatechars
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from consultations import reading
from consultations.forms import ReportUploadForm
from consultations.importer import import_document
from consultations.models import (
    AgendaItem,
    Consultation,
    GcmObjective,
    GuidingPrinciple,
    Paragraph,
    Recommendation,
    Sdg,
    Section,
    Theme,
)
from consultations.report_parser import ReportError
from consultations.revisions import ChoicesNeeded
from consultations.templatetags.report_text import report_markdown


class ReadOnlyMixin:
    """What comes from a report or the reference lists is changed only by importing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParagraphInline(ReadOnlyMixin, admin.TabularInline):
    model = Paragraph
    fields = ["number", "section", "rendered_text", "recommendation_link"]
    readonly_fields = fields
    ordering = ["number"]
    extra = 0
    show_change_link = True
    verbose_name_plural = _("Paragraphs, in reading order")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section", "recommendation")

    @admin.display(description=_("text"))
    def rendered_text(self, paragraph: Paragraph):
        return report_markdown(paragraph.text)

    @admin.display(description=_("recommendation"))
    def recommendation_link(self, paragraph: Paragraph):
        recommendation = getattr(paragraph, "recommendation", None)
        if recommendation is None:
            return ""
        url = reverse("admin:consultations_recommendation_change", args=[recommendation.pk])
        return format_html('<a href="{}">{}</a>', url, recommendation.code)


class AgendaItemInline(ReadOnlyMixin, admin.TabularInline):
    model = AgendaItem
    fields = ["order", "starts", "ends", "topic", "moderators", "speakers"]
    readonly_fields = fields
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "date",
        "venue",
        "paragraph_count",
        "recommendation_count",
        "imported_at",
    ]
    list_display_links = ["code", "title"]
    search_fields = ["code", "title", "series"]
    list_filter = ["gcm_objectives", "sdgs", "venue"]
    date_hierarchy = "date"
    filter_horizontal = ["gcm_objectives", "sdgs"]
    readonly_fields = [
        "code",
        "slug",
        "series",
        "number_in_series",
        "title",
        "document_type",
        "date",
        "when",
        "venue",
        "public_page",
        "source_file",
        "source_sha256",
        "imported_at",
        "agenda_text",
        "source_text",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "title",
                    "series",
                    "number_in_series",
                    "when",
                    "venue",
                    "public_page",
                ]
            },
        ),
        (
            _("Editable details"),
            {"fields": ["host_country", "organisers", "attendance", "gcm_objectives", "sdgs"]},
        ),
        (
            _("Source"),
            {
                "classes": ["collapse"],
                "fields": [
                    "slug",
                    "document_type",
                    "source_file",
                    "source_sha256",
                    "imported_at",
                    "agenda_text",
                    "source_text",
                ],
            },
        ),
    ]
    inlines = [ParagraphInline, AgendaItemInline]
    change_list_template = "admin/consultations/consultation/change_list.html"

    def get_queryset(self, request):
        # The report's text can run to megabytes: read only where a page shows it.
        queryset = super().get_queryset(request).with_counts()
        return queryset.defer("source_text", "agenda_text")

    def has_add_permission(self, request):
        return False  # consultations come from importing their report

    @admin.display(description=_("paragraphs"), ordering="paragraph_total")
    def paragraph_count(self, consultation):
        return consultation.paragraph_total

    @admin.display(description=_("recommendations"), ordering="recommendation_total")
    def recommendation_count(self, consultation):
        return consultation.recommendation_total

    @admin.display(description=_("date and time"))
    def when(self, consultation):
        """In the report's own time zone, not the server's."""
        ends = consultation.local_ends_at
        starts = consultation.local_starts_at
        return "{}, {:%H:%M}{} {}".format(
            date_format(starts),
            starts,
            f"–{ends:%H:%M}" if ends else "",
            consultation.timezone_label,
        )

    @admin.display(description=_("public page"))
    def public_page(self, consultation):
        return format_html('<a href="{0}">{0}</a>', consultation.get_absolute_url())

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="consultations_consultation_import",
            ),
            *super().get_urls(),
        ]

    def can_import(self, request: HttpRequest) -> bool:
        return request.user.has_perms(
            ["consultations.add_consultation", "consultations.change_consultation"]
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.can_import(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload, dry run, choices, import. A PDF is read by the background worker first:
        the page waits for it (looking again every few seconds), then shows its dry run."""
        if not self.can_import(request):
            raise PermissionDenied
        token = request.GET.get("report", "")
        if request.method == "GET" and token:  # a report kept from an earlier upload
            form = self._kept_report_form(request, token)
        else:
            form = ReportUploadForm(request.POST or None, request.FILES or None, user=request.user)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                report = form.report()
            except ReportError as error:
                form.add_error("file", f"{upload.name}, {error}")
            else:
                if not (report.is_read or report.error):
                    return redirect(f"{request.path}?report={report.token}")
                result = self._import(request, form, report, form.cleaned_data["dry_run"])
        elif (
            form.is_bound
            and form.pending
            and (form.pending.is_read or form.pending.error)
            and form.is_valid()
        ):  # read by the worker: its dry run (a page that is only looked at writes nothing)
            result = self._import(request, form, form.pending, dry_run=True)
        reading_now = form.pending if form.pending and not form.pending.is_read else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import a report"),
            "form": form,
            "result": result,
            "reading": reading_now if reading_now and not reading_now.error else None,
            "reading_failed": reading_now is not None and reading.has_failed(reading_now),
            "refresh_seconds": settings.DOWNLOAD_REFRESH_SECONDS,
        }
        return render(request, "admin/consultations/consultation/import.html", context)

    def _kept_report_form(self, request, token: str) -> ReportUploadForm:
        """The form as it was sent with the kept report's file, for its dry run."""
        report = reading.find(user=request.user, token=token)
        data = {"pending": token}
        if report is not None:
            if report.options.get("consultation"):
                data["consultation"] = str(report.options["consultation"])
            if report.options.get("dry_run", True):
                data["dry_run"] = "on"
        return ReportUploadForm(data, user=request.user)

    def _import(self, request, form, report, dry_run: bool):
        """The dry run or the import of a report that was read; None when refused (the form
        says why)."""
        if report.error:
            form.add_error("file", report.error)
            form.pending = None
            return None
        consultation = form.cleaned_data.get("consultation")
        try:
            result = import_document(
                reading.document(report),
                source_name=report.name,
                dry_run=dry_run,
                consultation=consultation,
                choices=form.choices(),
            )
        except ChoicesNeeded as refusal:
            form.add_error(None, str(refusal))
            form.offer(refusal.flags)
            return None
        except ReportError as error:
            form.add_error("file", f"{report.name}, {error}")
            form.pending = None
            return None
        form.offer(result.flags)
        if not result.dry_run:
            self.message_user(request, result.summary(), messages.SUCCESS)
            report.delete()
            form.pending = None
        return result


@admin.register(Section)
class SectionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["key", "title", "kind", "level", "consultation__code"]
    list_filter = ["consultation", "kind", "level"]
    search_fields = ["title", "key"]
    list_select_related = ["consultation"]
    ordering = ["consultation", "order"]


class CountryMentionFilter(admin.SimpleListFilter):
    title = _("country mentioned")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return list(countries)

    def queryset(self, request, queryset):
        # Stored as "KH,LA,TH": two letters without a comma can only be one whole code.
        if code := self.value():
            return queryset.filter(countries__contains=code[:2].upper())
        return queryset


@admin.register(Paragraph)
class ParagraphAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["number", "excerpt", "section", "country_list", "consultation__code"]
    list_display_links = ["number", "excerpt"]
    list_filter = ["consultation", "section__kind", CountryMentionFilter]
    search_fields = ["text"]
    list_select_related = ["consultation", "section"]
    ordering = ["consultation", "number"]
    fields = ["consultation", "number", "section", "rendered_text", "countries", "source_line"]
    readonly_fields = fields

    @admin.display(description=_("text"))
    def excerpt(self, paragraph):
        return truncatechars(paragraph.text, 140)

    @admin.display(description=_("text"))
    def rendered_text(self, paragraph):
        return report_markdown(paragraph.text)

    @admin.display(description=_("countries mentioned"))
    def country_list(self, paragraph):
        return ", ".join(country.name for country in paragraph.countries)


@admin.register(Recommendation)
class RecommendationAdmin(TranslationAdmin, SimpleHistoryAdmin):
    """Staff tag a recommendation and translate its short title (a field per language;
    one left empty reads in English)."""

    list_display = ["code", "short_title", "objective_list", "is_current", "consultation__code"]
    list_display_links = ["code", "short_title"]
    list_filter = [
        "consultation",
        "is_current",
        "gcm_objectives",
        "sdgs",
        "guiding_principles",
        "themes",
    ]
    search_fields = ["code", *Recommendation.title_fields(), "paragraph__text"]
    list_select_related = ["consultation", "paragraph"]
    ordering = ["consultation", "paragraph__number"]
    # The short title in every language, each wide enough to read whole.
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 90})}}
    filter_horizontal = ["gcm_objectives", "sdgs", "guiding_principles", "themes"]
    fields = [
        "code",
        "consultation",
        "paragraph_link",
        "full_text",
        "short_title",
        "gcm_objectives",
        "sdgs",
        "guiding_principles",
        "themes",
        "is_current",
    ]
    readonly_fields = ["code", "consultation", "paragraph_link", "full_text", "is_current"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("gcm_objectives")

    def has_add_permission(self, request):
        return False  # recommendations come from importing their report

    def has_delete_permission(self, request, obj=None):
        return False  # tracking data hangs on them

    @admin.display(description=_("GCM objectives"))
    def objective_list(self, recommendation):
        return ", ".join(str(o.number) for o in recommendation.gcm_objectives.all())

    @admin.display(description=_("paragraph"))
    def paragraph_link(self, recommendation):
        paragraph = recommendation.paragraph
        return format_html(
            '<a href="{}">¶{}</a> · <a href="{}">{}</a>',
            reverse("admin:consultations_paragraph_change", args=[paragraph.pk]),
            paragraph.number,
            paragraph.get_absolute_url(),
            _("in the report"),
        )

    @admin.display(description=_("full text"))
    def full_text(self, recommendation):
        return report_markdown(recommendation.paragraph.text)


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "starts", "ends", "topic", "consultation__code"]
    list_filter = ["consultation"]
    search_fields = ["topic", "moderators", "speakers"]
    list_select_related = ["consultation"]


@admin.register(GcmObjective)
class GcmObjectiveAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "short_name", "title"]
    search_fields = ["short_name", "title"]


@admin.register(Sdg)
class SdgAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "short_name", "title"]
    search_fields = ["short_name", "title"]


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
