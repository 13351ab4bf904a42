"""The progress table as a django-import-export Resource: one row per commitment.

Rows carry typed values (numbers, dates, text as it is); each file format writes them
safely (tracker.spreadsheets). Everything a row shows comes from one query plus a few
loaded up front, never a query per row (no prefetch_related either: the library would
page by OFFSET).
"""

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export import fields, resources
from import_export.results import RowResult

from consultations.models import Recommendation
from consultations.templatetags.report_text import plain_text
from tracker import links
from tracker.models import Commitment, Evidence, Status
from tracker.spreadsheets import Link, UploadRefused


def _join(values) -> str:
    return "; ".join(str(v) for v in values)


NO_TAGS = ("", "", "", "")


class ExportRow(NamedTuple):
    """What one exported row is made of: values read in the export's one query."""

    pk: int
    recommendation_id: int
    consultation: str
    consultation_title: str
    recommendation_code: str
    paragraph: int
    recommendation_title: str
    paragraph_text: str
    country_code: str
    response: str
    status: str
    status_date: dt.date | None
    lead_agency: str
    note: str | None
    challenges: str | None
    support_needed: str | None
    next_deadline: dt.date | None
    has_overdue: bool


class ProgressResource(resources.ModelResource):
    consultation = fields.Field(column_name=_("Consultation"), readonly=True)
    consultation_title = fields.Field(column_name=_("Consultation title"), readonly=True)
    recommendation_code = fields.Field(column_name=_("Recommendation code"))
    paragraph = fields.Field(column_name=_("Paragraph"), readonly=True)
    recommendation_title = fields.Field(column_name=_("Recommendation"), readonly=True)
    recommendation_text = fields.Field(column_name=_("Recommendation text"), readonly=True)
    gcm_objectives = fields.Field(column_name=_("GCM objectives"), readonly=True)
    gcm_objective_names = fields.Field(column_name=_("GCM objective names"), readonly=True)
    sdgs = fields.Field(column_name=_("SDGs"), readonly=True)
    sdg_names = fields.Field(column_name=_("SDG names"), readonly=True)
    country_code = fields.Field(column_name=_("Country code"))
    country = fields.Field(column_name=_("Country"), readonly=True)
    response = fields.Field(column_name=_("Government response"), readonly=True)
    status = fields.Field(column_name=_("Status"))
    status_date = fields.Field(column_name=_("Status date"), readonly=True)
    lead_agency = fields.Field(column_name=_("Lead agency"))
    latest_note = fields.Field(column_name=_("Latest accepted note"))
    challenges = fields.Field(column_name=_("Challenges"), readonly=True)
    support_needed = fields.Field(column_name=_("Support needed"), readonly=True)
    public_evidence = fields.Field(column_name=_("Public evidence"), readonly=True)
    next_deadline = fields.Field(column_name=_("Next deadline"))
    overdue = fields.Field(column_name=_("Overdue"), readonly=True)
    page = fields.Field(column_name=_("Page"), readonly=True)

    class Meta:
        model = Commitment
        fields = (
            "consultation",
            "consultation_title",
            "recommendation_code",
            "paragraph",
            "recommendation_title",
            "recommendation_text",
            "gcm_objectives",
            "gcm_objective_names",
            "sdgs",
            "sdg_names",
            "country_code",
            "country",
            "response",
            "status",
            "status_date",
            "lead_agency",
            "latest_note",
            "challenges",
            "support_needed",
            "public_evidence",
            "next_deadline",
            "overdue",
            "page",
        )
        export_order = fields
        chunk_size = 2000

    def __init__(self, *, include_internal: bool = False, as_of=None, **kwargs):
        super().__init__(**kwargs)
        self.include_internal = include_internal
        self.as_of = as_of
        self._tags: dict[int, tuple[str, str]] | None = None
        self._evidence: dict[int, list[str]] | None = None
        self._internal: dict[int, list[str]] | None = None
        self._memos: dict[str, dict] = {}
        self._last_row: tuple | None = None
        if include_internal:
            internal = fields.Field(column_name=_("Internal evidence"), readonly=True)
            internal.attribute = None
            self.fields["internal_evidence"] = internal

    def get_export_order(self):
        order = list(super().get_export_order())
        if self.include_internal and "internal_evidence" not in order:
            order.append("internal_evidence")
        return order

    # The rows ------------------------------------------------------------------------

    def get_queryset(self):
        return Commitment.objects.all()

    @staticmethod
    def rows_of(queryset):
        """The commitments with what each row shows, in the export's order."""
        return queryset.with_progress().order_by(
            "recommendation__consultation__date", "recommendation__paragraph__number", "country"
        )

    def prepare(self, queryset):
        """The commitments, ready to export: one query for the rows, a few for their extras."""
        queryset = self.rows_of(queryset)
        self._load_extras(queryset)
        return queryset

    def _load_extras(self, queryset) -> None:
        recommendation_ids = queryset.values("recommendation_id")
        tags: dict[int, list[list]] = defaultdict(lambda: [[], [], [], []])
        through = Recommendation.gcm_objectives.through.objects.filter(
            recommendation_id__in=recommendation_ids
        ).values_list("recommendation_id", "gcmobjective__number", "gcmobjective__short_name")
        for recommendation_id, number, name in through.order_by("gcmobjective__number"):
            tags[recommendation_id][0].append(number)
            tags[recommendation_id][1].append(f"{number}. {translation.gettext(name)}")
        through = Recommendation.sdgs.through.objects.filter(
            recommendation_id__in=recommendation_ids
        ).values_list("recommendation_id", "sdg__number", "sdg__short_name")
        for recommendation_id, number, name in through.order_by("sdg__number"):
            tags[recommendation_id][2].append(number)
            tags[recommendation_id][3].append(f"{number}. {translation.gettext(name)}")
        self._tags = {k: tuple(_join(values) for values in v) for k, v in tags.items()}

        self._evidence, self._internal = defaultdict(list), defaultdict(list)
        evidence = Evidence.objects.filter(commitment__in=queryset.values("pk")).order_by(
            "date", "pk"
        )
        if self.as_of:
            evidence = evidence.there_on(self.as_of)
        published = evidence.public()
        # The rest (internal evidence, and evidence whose update is not accepted yet) only
        # for those who may see it, in a column of its own.
        public_ids = set(published.values_list("pk", flat=True)) if self.include_internal else None
        rows = (evidence if self.include_internal else published).values_list(
            "pk", "commitment_id", "visibility", "title", "url", "date"
        )
        waiting = _("(not public: its update is not accepted yet)")
        written: dict[dt.date, str] = {}  # dates as on the pages ("1 Mar 2024"), once each
        for pk, commitment_id, visibility, title, url, date in rows:
            if date not in written:
                written[date] = date_format(date)
            text = f"{written[date]} {title}" + (f" <{url}>" if url else "")
            if public_ids is None or pk in public_ids:
                self._evidence[commitment_id].append(text)
            elif visibility == Evidence.Visibility.PUBLIC:
                self._internal[commitment_id].append(f"{text} {waiting}")
            else:
                self._internal[commitment_id].append(text)

    def iter_rows(self, queryset):
        """Export rows, streamed: headers first, then one list per commitment.

        Rows are read as plain values (no model instances) and each column method is
        looked up once, not for every row.
        """
        queryset = self.prepare(queryset)
        fields = self.get_export_fields()
        columns = [getattr(self, f"column_{self.get_field_name(f)}") for f in fields]
        yield [str(field.column_name) for field in fields]
        values = queryset.values_list(*self.value_paths())
        for row in map(ExportRow._make, values.iterator(chunk_size=self.get_chunk_size())):
            yield [column(row) for column in columns]

    def value_paths(self) -> ExportRow:
        """Where each value of an ExportRow comes from, in a query of commitments."""
        then = "as_of_" if self.as_of else ""
        return ExportRow(
            pk="pk",
            recommendation_id="recommendation_id",
            consultation="recommendation__consultation__code",
            consultation_title="recommendation__consultation__title",
            recommendation_code="recommendation__code",
            paragraph="recommendation__paragraph__number",
            recommendation_title="recommendation__short_title_en",
            paragraph_text="recommendation__paragraph__text",
            country_code="country__code",
            response="response",
            status=f"{then}status",
            status_date=f"{then}status_date",
            lead_agency=f"{then}lead_agency",
            note="as_of_note" if self.as_of else "latest_accepted_update__narrative",
            challenges="as_of_challenges" if self.as_of else "latest_accepted_update__challenges",
            support_needed=(
                "as_of_support_needed" if self.as_of else "latest_accepted_update__support_needed"
            ),
            next_deadline="next_deadline",
            has_overdue="has_overdue",
        )

    def row(self, commitment) -> ExportRow:
        """The same values, read from a commitment instance (admin exports, import previews)."""
        recommendation = commitment.recommendation
        if self.as_of:
            status, status_date = commitment.as_of_status, commitment.as_of_status_date
            lead_agency, note = commitment.as_of_lead_agency, commitment.as_of_note
            challenges = commitment.as_of_challenges
            support_needed = commitment.as_of_support_needed
        else:
            status, status_date = commitment.status, commitment.status_date
            lead_agency = commitment.lead_agency
            update = commitment.latest_accepted_update
            note = update.narrative if update else None
            challenges = update.challenges if update else None
            support_needed = update.support_needed if update else None
        return ExportRow(
            pk=commitment.pk,
            recommendation_id=commitment.recommendation_id,
            consultation=recommendation.consultation.code,
            consultation_title=recommendation.consultation.title,
            recommendation_code=recommendation.code,
            paragraph=recommendation.paragraph.number,
            recommendation_title=recommendation.english_title,
            paragraph_text=recommendation.paragraph.text,
            country_code=commitment.country.code.code,
            response=commitment.response,
            status=status,
            status_date=status_date,
            lead_agency=lead_agency,
            note=note,
            challenges=challenges,
            support_needed=support_needed,
            next_deadline=getattr(commitment, "next_deadline", None),
            has_overdue=getattr(commitment, "has_overdue", False),
        )

    # Library hooks: admin exports go through these too ---------------------------------

    def filter_export(self, queryset, **kwargs):
        return self.prepare(queryset)

    def export_field(self, field, instance, **kwargs):
        # Typed values, straight from the column methods (the library's widgets would
        # turn numbers and dates into text).
        return self.value(self.get_field_name(field), instance)

    def value(self, name: str, commitment):
        """One column of one commitment instance."""
        if self._tags is None:
            self._load_extras(Commitment.objects.filter(pk=commitment.pk))
        return getattr(self, f"column_{name}")(self.row_of(commitment))

    def row_of(self, commitment) -> ExportRow:
        """`row`, read once for the instance whose columns are asked one after another."""
        if self._last_row is None or self._last_row[0] is not commitment:
            self._last_row = (commitment, self.row(commitment))
        return self._last_row[1]

    # One method per column, each reading an ExportRow ---------------------------------

    def column_consultation(self, row: ExportRow):
        return row.consultation

    def column_consultation_title(self, row: ExportRow):
        return row.consultation_title

    def column_recommendation_code(self, row: ExportRow):
        return row.recommendation_code

    def column_paragraph(self, row: ExportRow):
        return row.paragraph

    def column_recommendation_title(self, row: ExportRow):
        return row.recommendation_title

    def column_recommendation_text(self, row: ExportRow):
        return self._memo("text", row.recommendation_id, lambda: plain_text(row.paragraph_text))

    def column_gcm_objectives(self, row: ExportRow):
        return self._tags.get(row.recommendation_id, NO_TAGS)[0]

    def column_gcm_objective_names(self, row: ExportRow):
        return self._tags.get(row.recommendation_id, NO_TAGS)[1]

    def column_sdgs(self, row: ExportRow):
        return self._tags.get(row.recommendation_id, NO_TAGS)[2]

    def column_sdg_names(self, row: ExportRow):
        return self._tags.get(row.recommendation_id, NO_TAGS)[3]

    def column_country_code(self, row: ExportRow):
        return row.country_code

    def column_country(self, row: ExportRow):
        return self._memo("country", row.country_code, lambda: countries.name(row.country_code))

    def column_response(self, row: ExportRow):
        return self._memo(
            "response", row.response, lambda: str(Commitment.Response(row.response).label)
        )

    def column_status(self, row: ExportRow):
        return self._memo("status", row.status, lambda: str(Status(row.status).label))

    def column_status_date(self, row: ExportRow) -> dt.date | None:
        return row.status_date

    def column_lead_agency(self, row: ExportRow):
        return row.lead_agency

    def column_latest_note(self, row: ExportRow):
        return row.note or ""

    def column_challenges(self, row: ExportRow):
        return row.challenges or ""

    def column_support_needed(self, row: ExportRow):
        return row.support_needed or ""

    def column_public_evidence(self, row: ExportRow):
        return "\n".join(self._evidence.get(row.pk, []))

    def column_internal_evidence(self, row: ExportRow):
        return "\n".join(self._internal.get(row.pk, []))

    def column_next_deadline(self, row: ExportRow) -> dt.date | None:
        return row.next_deadline

    def column_overdue(self, row: ExportRow) -> bool:
        return bool(row.has_overdue)

    def column_page(self, row: ExportRow) -> Link:
        """The row's public page: the recommendation, at the country's row."""
        return Link(
            self._memo(
                "page",
                row.recommendation_code,
                lambda: links.recommendation_page(row.recommendation_code),
            )
            + f"#{row.country_code.lower()}"
        )

    def _memo(self, kind: str, key, compute):
        """Values many rows share (a label, a country name, a paragraph as text), made once."""
        memo = self._memos.setdefault(kind, {})
        if key not in memo:
            memo[key] = compute()
        return memo[key]


class AdminProgressResource(ProgressResource):
    """The admin's export: the commitments the admin shows the user (their countries, for
    a focal point), internal evidence included."""

    def __init__(self, **kwargs):
        kwargs.setdefault("include_internal", True)
        super().__init__(**kwargs)


def _normal(value) -> str:
    """A cell as text, the way both an export and an edited spreadsheet may write it."""
    if value is None:
        return ""
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\r\n", "\n").split())


class ProgressImportResource(ProgressResource):
    """An uploaded progress table. A changed row becomes a progress update (waiting for review
    from a focal point, accepted from staff) or a new deadline; nothing is overwritten.

    What the rows refer to is read up front, in a few queries for the whole file. A preview
    (the library's dry run) writes nothing, so it runs outside any transaction: on SQLite a
    transaction takes the write lock when it begins, and other people's saves would wait
    for the whole preview. A confirmed upload writes its updates in bulk, in one
    transaction, when every row has been checked (tracker.review.report_many).
    """

    editable = ("status", "latest_note", "next_deadline")
    required = ("recommendation_code", "country_code")
    preview = required + editable

    class Meta(ProgressResource.Meta):
        import_id_fields = ("recommendation_code", "country_code")
        use_transactions = True
        # Rows are checked one by one and written together (after_import): no row needs a
        # savepoint of its own.
        use_bulk = True
        skip_unchanged = False
        clean_model_instances = False
        report_skipped = False  # the preview lists the rows that change, and rows in error
        skip_diff = True  # the preview's columns are made by after_import_row

    def __init__(self, *, user=None, seen_versions=None, expected_versions=None, **kwargs):
        kwargs.pop("form", None)
        super().__init__(**kwargs)
        self.user = user
        # Versions read at the preview, and checked again when the upload is confirmed.
        self.seen_versions = seen_versions if seen_versions is not None else {}
        self.expected_versions = expected_versions
        self.previewing = False
        self._rows: dict[tuple[str, str], int] = {}
        self._row_number = 0
        self._commitments: dict[tuple[str, str], Commitment] = {}
        self._known_codes: set[str] = set()
        self._known_countries: set[str] = set()
        self._proven: set[int] = set()
        self._new_updates: list = []
        self._new_deadlines: list = []
        self._columns: dict[str, str] = {}
        self._before: list = []
        self._export_rows: dict[int, ExportRow] = {}
        # A status by its value or its label, in any of the site's languages.
        self._statuses = {value: value for value in Status.values}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                self._statuses.update({str(lb).lower(): value for value, lb in Status.choices})
        self._current: Commitment | None = None

    def import_data(self, dataset, dry_run=False, **kwargs):
        if dry_run:
            self.previewing = True
            kwargs["use_transactions"] = False
        # A table downloaded in another of the site's languages is read in that language:
        # its headers, its read-only cells and what the preview says.
        with translation.override(self._language_of(dataset)):
            self._columns = {}
            return super().import_data(dataset, dry_run=False, **kwargs)

    def _language_of(self, dataset) -> str:
        """The site's language whose column names the file's header row has most of."""
        headers = {str(h).strip() for h in dataset.headers or []}
        found = translation.get_language() or settings.LANGUAGE_CODE
        best = len(headers & {str(f.column_name) for f in self.fields.values()})
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                named = len(headers & {str(f.column_name) for f in self.fields.values()})
            if named > best:
                found, best = code, named
        return found

    def get_diff_headers(self):
        return [self.column(name) for name in self.preview]

    def column(self, name: str) -> str:
        if name not in self._columns:
            self._columns[name] = str(self.fields[name].column_name)
        return self._columns[name]

    def cell(self, row, name: str):
        return row.get(self.column(name))

    def before_import(self, dataset, **kwargs):
        headers = {str(h).strip() for h in dataset.headers or []}
        missing = [self.column(n) for n in self.required if self.column(n) not in headers]
        if missing or not any(self.column(n) in headers for n in self.editable):
            del dataset[0 : dataset.height]  # no row can be matched: report the header only
        if missing:
            raise UploadRefused(
                _("The header row lacks the column(s) %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
        if not any(self.column(n) in headers for n in self.editable):
            raise UploadRefused(
                _("The file has none of the columns that can be updated: %(columns)s.")
                % {"columns": ", ".join(self.column(n) for n in self.editable)}
            )
        self._read_what_rows_refer_to(dataset)

    def _read_what_rows_refer_to(self, dataset) -> None:
        """The commitments the rows name (with what their row shows), the codes and
        countries that exist, and which commitments have public proof: a few queries for
        the whole file, none per row."""
        from tracker.models import Country

        codes = {_normal(v) for v in dataset[self.column("recommendation_code")]}
        isos = {_normal(v).upper() for v in dataset[self.column("country_code")]}
        recommendations = {
            r.code: r for r in Recommendation.objects.filter(code__in=codes).only("code")
        }
        countries = {c.code.code: c for c in Country.objects.filter(code__in=isos)}
        self._known_codes, self._known_countries = set(recommendations), set(countries)
        by_country: dict[str, set[int]] = defaultdict(set)
        for code, iso in zip(
            dataset[self.column("recommendation_code")],
            dataset[self.column("country_code")],
            strict=True,
        ):
            code, iso = _normal(code), _normal(iso).upper()
            if code in recommendations and iso in countries:
                by_country[iso].add(recommendations[code].pk)
        if not by_country:
            return
        pairs = Q()
        for iso, recommendation_ids in by_country.items():
            pairs |= Q(country=countries[iso], recommendation__in=recommendation_ids)
        named = Commitment.objects.filter(pairs)
        # The instances carry what the import needs (their recommendation and country are
        # the ones read above); what their rows show is read as plain values, the way the
        # public export reads it.
        by_id = {r.pk: r for r in recommendations.values()}
        country_by_id = {c.pk: c for c in countries.values()}
        for commitment in named.only("version", "status", "recommendation", "country"):
            commitment.recommendation = by_id[commitment.recommendation_id]
            commitment.country = country_by_id[commitment.country_id]
            key = (commitment.recommendation.code, commitment.country.code.code)
            self._commitments[key] = commitment
        shown = self.rows_of(named).values_list(*self.value_paths())
        self._export_rows = {row.pk: row for row in map(ExportRow._make, shown)}
        self._load_extras(named)
        self._proven = set(
            Evidence.objects.public()
            .proof()
            .filter(commitment__in=named.values("pk"))
            .values_list("commitment_id", flat=True)
        )

    def row(self, commitment) -> ExportRow:
        if commitment.pk in self._export_rows:
            return self._export_rows[commitment.pk]
        return super().row(commitment)

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number", self._row_number + 1)

    def get_or_init_instance(self, instance_loader, row):
        from tracker import permissions

        code = _normal(self.cell(row, "recommendation_code"))
        iso = _normal(self.cell(row, "country_code")).upper()
        commitment = self._commitments.get((code, iso))
        if commitment is None:
            if code not in self._known_codes:
                raise ValidationError(_("Unknown recommendation code “%s”.") % code)
            if iso not in self._known_countries:
                raise ValidationError(_("Unknown country code “%s”.") % iso)
            raise ValidationError(
                _("%(country)s does not own %(code)s.") % {"country": iso, "code": code}
            )
        if not permissions.can_report_on(self.user, commitment):
            raise ValidationError(
                _("This row is for %(country)s, which you do not report for.")
                % {"country": commitment.country.name}
            )
        key = (code, iso)
        if key in self._rows:
            raise ValidationError(
                _("%(code)s for %(country)s appears twice (first in row %(row)d).")
                % {"code": code, "country": iso, "row": self._rows[key]}
            )
        self._rows[key] = self._row_number
        self._current = commitment
        return commitment, False

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list[str]] = {}
        self.seen_versions.setdefault(str(instance.pk), instance.version)
        expected = self.expected_versions
        if expected is not None and expected.get(str(instance.pk)) != instance.version:
            raise ValidationError(
                _(
                    "Someone changed %(commitment)s after your preview. Nothing was "
                    "applied: download the table again and redo your changes."
                )
                % {"commitment": instance}
            )
        instance._pending = {}
        shown = {name: self.value(name, instance) for name in self.fields}
        for name, value in shown.items():
            column = self.column(name)
            if name in self.editable or name in self.required or column not in row:
                continue
            if row[column] != value and _normal(row[column]) != _normal(value):
                errors.setdefault(column, []).append(
                    _("This column cannot be changed here (it was “%s”).") % _normal(value)
                )
        self._before = [shown[name] for name in self.preview]
        instance._pending = self._pending_changes(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def _pending_changes(self, instance, row, errors) -> dict:
        pending = {}
        if self.column("status") in row:
            text = _normal(row[self.column("status")]).lower()
            status = self._statuses.get(text.replace(" ", "_")) or self._statuses.get(text)
            if status is None:
                errors.setdefault(self.column("status"), []).append(
                    _("Unknown status “%(value)s”; use one of: %(choices)s.")
                    % {
                        "value": row[self.column("status")],
                        "choices": ", ".join(map(str, Status.labels)),
                    }
                )
            elif status != instance.status:
                pending["status"] = status
                if status in Status.needing_evidence() and instance.pk not in self._proven:
                    errors.setdefault(self.column("status"), []).append(
                        _(
                            "“%s” needs public evidence with a note, a link or a file on the "
                            "commitment first: report it with its evidence in a progress update."
                        )
                        % Status(status).label
                    )
        if self.column("latest_note") in row:
            written = row[self.column("latest_note")]
            note = "" if written is None else str(written).strip()
            if _normal(note) != _normal(self.value("latest_note", instance)):
                if not note:
                    errors.setdefault(self.column("latest_note"), []).append(
                        _("An accepted note cannot be removed; write a new note instead.")
                    )
                else:
                    pending["note"] = note
        if self.column("next_deadline") in row:
            value = row[self.column("next_deadline")]
            current = self.value("next_deadline", instance)
            if _normal(value) != _normal(current):
                day = _parse_date(value)
                if day is None:
                    errors.setdefault(self.column("next_deadline"), []).append(
                        _("“%s” is not a date; write it as 2025-06-30.") % value
                        if _normal(value)
                        else _("A deadline is closed on the commitment's page, not by emptying it.")
                    )
                else:
                    pending["deadline"] = day
        return pending

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and not getattr(instance, "_pending", None)

    def save_instance(self, instance, is_create, row, **kwargs):
        """One progress update per changed row, carrying its new deadline too; written
        with all the others once every row is checked (`after_import`)."""
        from tracker.models import Deadline, ProgressUpdate

        if self.previewing:
            return
        pending = instance._pending
        status = pending.get("status", instance.status)
        if "note" in pending:
            narrative = pending["note"]
        elif "status" in pending:
            narrative = _("Status set to “%s” in a spreadsheet upload.") % Status(status).label
        else:
            narrative = _("Follow-up deadline set in a spreadsheet upload.")
        update = ProgressUpdate(commitment=instance, status=status, narrative=narrative)
        self._new_updates.append(update)
        if "deadline" in pending:
            self._new_deadlines.append(
                Deadline(
                    commitment=instance,
                    update=update,
                    due_date=pending["deadline"],
                    description=_("Follow-up deadline set in a spreadsheet upload"),
                )
            )

    def save_m2m(self, instance, row, **kwargs):
        pass  # the progress table has no many-to-many column to import

    def after_import_row(self, row, row_result, **kwargs):
        """The preview's columns: whole values, the old struck out and the new beside it
        (clearer than a letter-by-letter diff). A confirmed upload shows no rows."""
        if not self.previewing or row_result.import_type != RowResult.IMPORT_TYPE_UPDATE:
            return
        after = [self.value(name, self._current) for name in self.preview]
        row_result.diff = [
            format_html("{}", "" if new is None else new)
            if old == new
            else format_html("<del>{}</del> <ins>{}</ins>", "" if old is None else old, new)
            for old, new in zip(self._before, after, strict=True)
        ]

    def after_import(self, dataset, result, **kwargs):
        from tracker import review

        super().after_import(dataset, result, **kwargs)
        if self.previewing or result.has_errors() or result.has_validation_errors():
            return
        review.report_many(self._new_updates, self._new_deadlines, by=self.user)

    # The preview shows what each row will do.

    def value(self, name: str, commitment):
        pending = getattr(commitment, "_pending", {})
        if name == "status" and pending.get("status"):
            label = Status(pending["status"]).label
            return _("%(status)s (new progress update)") % {"status": label}
        if name == "latest_note" and pending.get("note"):
            return pending["note"]
        if name == "next_deadline" and pending.get("deadline"):
            return pending["deadline"]
        return super().value(name, commitment)


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_normal(value))
    except ValueError:
        return None
