"""Reporting rounds: network staff open one for some countries, see who has reported since,
and remind the countries with gaps."""

from django.contrib import admin, messages
from django.forms import CheckboxSelectMultiple
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import notifications, permissions
from tracker.admin.scoping import BOTH_LOCATIONS, ManagedByStaffMixin
from tracker.models import ReportingRound


@admin.register(ReportingRound)
class ReportingRoundAdmin(ManagedByStaffMixin, admin.ModelAdmin):
    list_display = ["name", "opened_on", "due_date", "country_names", "gap_count"]
    fields = ["name", "opened_on", "due_date", "countries", "standings"]
    readonly_fields = ["standings"]
    actions = ["remind_countries_with_gaps"]

    def has_delete_permission(self, request, obj=None):
        return permissions.can_manage(request.user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "countries":
            kwargs["widget"] = CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("countries")

    def save_model(self, request, obj, form, change):
        if not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("countries"))
    def country_names(self, reporting_round):
        return ", ".join(sorted(c.name for c in reporting_round.countries.all()))

    @admin.display(description=_("commitments with gaps"))
    def gap_count(self, reporting_round):
        return reporting_round.gaps().count()

    @admin.display(description=_("where each country stands"))
    def standings(self, reporting_round):
        if not reporting_round.pk:
            return _("Saved rounds show here, per country, what has been reported since.")
        kinds = ReportingRound.Standing
        head = format_html_join("", '<th scope="col">{}</th>', ((kind.label,) for kind in kinds))
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th>{}</tr>',
            (
                (
                    country.name,
                    format_html_join("", "<td>{}</td>", ((counts[kind],) for kind in kinds)),
                )
                for country, counts in reporting_round.standings_by_country()
            ),
        )
        return format_html(
            '<div class="table-scroll" role="region" tabindex="0" aria-label="{}">'
            '<table><thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table>'
            "</div>",
            _("Where each country stands"),
            _("Country"),
            head,
            rows,
        )

    @admin.action(
        description=_("Remind the countries with gaps"),
        permissions=["change"],
        location=BOTH_LOCATIONS,
    )
    def remind_countries_with_gaps(self, request, queryset):
        people = 0
        for reporting_round in queryset:
            people += notifications.round_reminders(reporting_round)
        self.message_user(
            request,
            ngettext(
                "Reminded %d focal point of what their country still has to report.",
                "Reminded %d focal points of what their countries still have to report.",
                people,
            )
            % people,
            messages.SUCCESS,
        )
