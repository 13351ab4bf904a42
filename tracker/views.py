"""Public pages: only accepted progress and public evidence ever appear here."""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext
from django_countries import countries

from consultations.models import Consultation, Paragraph, Recommendation, Targets
from tracker import exports, permissions
from tracker.charts import stacked_bars
from tracker.filters import CommitmentFilter, RecommendationFilter
from tracker.models import Commitment, Country, Deadline, Evidence, ProgressUpdate, Status
from tracker.page_cache import public_page
from tracker.resources import ProgressResource

PAGE_SIZE = 50
TIMELINE_SIZE = 100  # latest accepted updates on a recommendation's page
LIST_SIZE = 20  # deadlines and evidence on a country's page


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _first(queryset, size: int) -> tuple[list, bool]:
    """The first `size` rows, and whether there are more (one query, no COUNT)."""
    rows = list(queryset[: size + 1])
    return rows[:size], len(rows) > size


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and benchmarks: "ok" through the whole middleware stack."""
    return HttpResponse("ok", content_type="text/plain")


@public_page
def dashboard(request: HttpRequest) -> HttpResponse:
    commitments = Commitment.objects.all()
    by_country = commitments.count_by("country__code")
    by_objective = commitments.count_by(
        "recommendation__gcm_objectives__number", "recommendation__gcm_objectives__short_name"
    )
    # Every commitment has a country: the totals by status are the sums by country.
    status_counts = {s: sum(counts[s] for counts in by_country.values()) for s in Status.values}
    context = {
        "total": sum(status_counts.values()),
        "status_counts": [(s, label, status_counts[s]) for s, label in Status.choices],
        "country_chart": stacked_bars(
            sorted((countries.name(code), counts) for code, counts in by_country.items())
        ),
        "objective_chart": stacked_bars(
            [(f"{n}. {name}", counts) for (n, name), counts in sorted(by_objective.items())]
        ),
        "overdue": Deadline.objects.public()
        .overdue()
        .select_related("commitment__recommendation", "commitment__country")
        .order_by("due_date")[:10],
        "latest_updates": ProgressUpdate.objects.accepted()
        .select_related("commitment__recommendation", "commitment__country")
        .order_by("-reviewed_at", "-pk")[:10],
    }
    return render(request, "tracker/dashboard.html", context)


@public_page
def progress_table(request: HttpRequest) -> HttpResponse:
    filters = CommitmentFilter(request.GET, queryset=Commitment.objects.with_progress())
    valid = filters.is_valid()
    page = _page(request, filters.qs if valid else Commitment.objects.none())
    # A value no facet takes: the page says so by the facet, with no downloads to offer.
    return render(
        request,
        "tracker/progress_table.html",
        {"filter": filters, "page": page},
        status=200 if valid else 400,
    )


def _export_rows(request: HttpRequest):
    """The filtered commitments (as of a date, or changed since one) and their resource."""
    data = request.GET.copy()
    # As of a date, the status facet applies to the status of that date (below).
    status = data.pop("status", [""])[-1] if request.GET.get("as_of") else ""
    filters = CommitmentFilter(data, queryset=Commitment.objects.all())
    errors = dict(filters.errors) if not filters.is_valid() else {}
    if status and status not in Status.values:
        errors["status"] = [f"{status!r} is not a status"]
    dates = {}
    for name in ("as_of", "changed_since"):
        if value := request.GET.get(name):
            try:
                dates[name] = dt.date.fromisoformat(value)
            except ValueError:
                errors[name] = [f"{value!r} is not a date like 2024-05-01"]
    if errors:
        raise BadExportRequest(errors)
    commitments = filters.qs
    if "as_of" in dates:
        commitments = commitments.as_of(dates["as_of"])
        if status:
            commitments = commitments.filter(as_of_status=status)
    if "changed_since" in dates:
        commitments = commitments.changed_since(dates["changed_since"])
    suffix = "".join(f"-{k.replace('_', '-')}-{v.isoformat()}" for k, v in dates.items())
    return commitments, ProgressResource(as_of=dates.get("as_of")), suffix


class BadExportRequest(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _bad_request(error: BadExportRequest) -> HttpResponse:
    lines = [f"{name}: {'; '.join(map(str, messages))}" for name, messages in error.errors.items()]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


def progress_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Exactly the rows /progress/ shows for the same query string, as CSV, XLSX or JSON."""
    try:
        commitments, resource, suffix = _export_rows(request)
    except BadExportRequest as error:
        return _bad_request(error)
    filename = f"gcm-progress-{timezone.localdate().isoformat()}{suffix}.{fmt}"
    rows = resource.iter_rows(commitments)
    if fmt == "csv":
        return exports.csv_response(rows, filename)
    if fmt == "json":
        return exports.json_response(rows, filename)
    return exports.xlsx_response(rows, filename, title=gettext("Progress"))


def progress_matrix(request: HttpRequest) -> HttpResponse:
    """Recommendations down, countries across: the table a delegation brings to the IMRF."""
    try:
        commitments, _resource, suffix = _export_rows(request)
    except BadExportRequest as error:
        return _bad_request(error)
    filename = f"gcm-status-matrix-{timezone.localdate().isoformat()}{suffix}.xlsx"
    return exports.matrix_response(commitments, filename)


@public_page
def recommendation_list(request: HttpRequest) -> HttpResponse:
    recommendations = (
        Recommendation.objects.filter(is_current=True)
        .select_related("consultation", "paragraph")
        .annotate(
            country_count=Count("commitments", distinct=True),
            implemented_count=Count(
                "commitments",
                filter=Q(commitments__status=Status.IMPLEMENTED),
                distinct=True,
            ),
        )
        .order_by("consultation__date", "paragraph__number")
    )
    filters = RecommendationFilter(request.GET, queryset=recommendations)
    valid = filters.is_valid()
    page = _page(request, filters.qs if valid else recommendations.none())
    context = {"filter": filters, "page": page}
    return render(
        request, "tracker/recommendation_list.html", context, status=200 if valid else 400
    )


@public_page
def recommendation_detail(request: HttpRequest, code: str) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("consultation", "paragraph__consultation"),
        code=code,
    )
    commitments = list(
        recommendation.commitments.with_progress().prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.public(), to_attr="public_evidence")
        )
    )
    # By the commitments' ids: the planner then reads the updates of these commitments
    # only, not every accepted update in date order.
    timeline, timeline_is_cut = _first(
        ProgressUpdate.objects.on_record()
        .filter(commitment__in=[c.pk for c in commitments])
        .select_related("commitment__country")
        .order_by("-created_at", "-pk"),
        TIMELINE_SIZE,
    )
    context = {
        "recommendation": recommendation,
        "targets": Targets.of(recommendations=recommendation),
        "commitments": sorted(commitments, key=lambda c: c.country.name),
        "timeline": timeline,
        "timeline_is_cut": timeline_is_cut,
    }
    return render(request, "tracker/recommendation_detail.html", context)


@public_page
def country_list(request: HttpRequest) -> HttpResponse:
    by_country = Commitment.objects.count_by("country_id")
    countries = sorted(Country.objects.all(), key=lambda country: country.name)
    nothing = dict.fromkeys(Status.values, 0)
    rows = [(country, by_country.get(country.pk, nothing)) for country in countries]
    context = {
        "rows": [
            (country, [counts[s] for s in Status.values], sum(counts.values()))
            for country, counts in rows
        ],
        "statuses": Status.choices,
        "chart": stacked_bars([(country.name, counts) for country, counts in rows]),
    }
    return render(request, "tracker/country_list.html", context)


@public_page
def country_detail(request: HttpRequest, iso: str) -> HttpResponse:
    if iso != iso.lower():
        raise Http404
    country = get_object_or_404(Country, code=iso.upper())
    commitments = country.commitments.with_progress().order_by(
        "recommendation__consultation__date", "recommendation__paragraph__number"
    )
    counts = commitments.count_by_status()
    paginator = Paginator(commitments, PAGE_SIZE)
    paginator.count = sum(counts.values())  # known already: no COUNT query
    deadlines, more_deadlines = _first(
        Deadline.objects.public()
        .open()
        .filter(commitment__country=country)
        .select_related("commitment__recommendation")
        .order_by("due_date", "pk"),
        LIST_SIZE,
    )
    evidence, more_evidence = _first(
        Evidence.objects.public()
        .filter(commitment__country=country)
        .select_related("commitment__recommendation")
        .order_by("-date", "-pk"),
        LIST_SIZE,
    )
    context = {
        "country": country,
        "page": paginator.get_page(request.GET.get("page")),
        "status_counts": [(s, label, counts[s]) for s, label in Status.choices],
        "chart": stacked_bars([(country.name, counts)]),
        "deadlines": deadlines,
        "more_deadlines": more_deadlines,
        "evidence": evidence,
        "more_evidence": more_evidence,
        "today": timezone.localdate(),
    }
    return render(request, "tracker/country_detail.html", context)


def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Public evidence for anyone; internal only for staff and the country's focal points."""
    evidence = get_object_or_404(Evidence.objects.select_related("commitment"), pk=pk)
    may_see = evidence.is_public or permissions.can_view(request.user, evidence)
    if not evidence.file or not may_see:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), as_attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public_page
def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = Consultation.objects.annotate(
        recommendation_count=Count("recommendations")
    ).order_by("-date")
    return render(request, "tracker/consultation_list.html", {"consultations": consultations})


@public_page
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A report, paragraph by paragraph, its recommendations linked to their progress."""
    paragraphs = Paragraph.objects.select_related("recommendation").order_by("number")
    consultation = get_object_or_404(
        Consultation.objects.prefetch_related(
            "sections",
            "agenda_items",
            Prefetch("paragraphs", queryset=paragraphs),
        ),
        slug=slug,
    )
    context = {"consultation": consultation, "targets": Targets.of(consultations=consultation)}
    return render(request, "tracker/consultation_detail.html", context)
