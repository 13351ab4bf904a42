"""Public pages: only accepted progress and public evidence ever appear here."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext

from consultations.models import Consultation, Recommendation, Targets
from tracker import (
    briefs,
    comparison,
    downloads,
    exports,
    links,
    page_cache,
    paging,
    permissions,
    report_pages,
    spreadsheets,
    stats,
    table_rows,
    trends,
)
from tracker.charts import stacked_bars
from tracker.filters import (
    STATUS_CHOICES,
    CommitmentFilter,
    RecommendationFilter,
    country_code,
)
from tracker.models import (
    WITH_PROGRESS,
    Commitment,
    Country,
    Deadline,
    Evidence,
    Figures,
    PreparedDownload,
    ProgressUpdate,
    SiteText,
    Status,
    country_name,
)
from tracker.page_cache import public_page
from tracker.resources import ProgressResource

PAGE_SIZE = 50
TIMELINE_SIZE = 100  # latest accepted updates on a recommendation's page
TIMELINE_FIELDS = [
    "pk",
    "created_at",
    "country_code",
    "status",
    "is_demo",
    "review_state",
    "withdrawn_at",
    "withdrawal_reason",
    "language",
    *ProgressUpdate.TEXTS,
    *ProgressUpdate.ENGLISH_TEXTS,
]
LIST_SIZE = 20  # deadlines and evidence on a country's page


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _commitments_page(request: HttpRequest, commitments, count: int | None = None, rows=None):
    """A page of commitments: the ids of the page first, in the queryset's order (one
    narrow query, after the count unless `count` is known), then those fifty rows, read
    from `rows` (the queryset itself when not given) with what it reads of each (the next
    deadline, the statuses as of a day), rather than all of it for every row it sorts.
    (Counting beside the ids with COUNT(*) OVER () made the database keep every matching
    row: 34 ms for 50,000, against 5 for the ids and a plain COUNT.)"""
    source = (commitments if rows is None else rows).order_by()
    number = request.GET.get("page")
    return paging.page_by_ids(number, commitments, PAGE_SIZE, count=count, rows=source.table_rows)


def _first(queryset, size: int) -> tuple[list, bool]:
    """The first `size` rows, and whether there are more (one query, no COUNT)."""
    rows = list(queryset[: size + 1])
    return rows[:size], len(rows) > size


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and benchmarks: "ok" through the whole middleware stack."""
    return HttpResponse("ok", content_type="text/plain")


@public_page
def dashboard(request: HttpRequest) -> HttpResponse:
    by_country, by_objective = stats.by_country_and_objective()
    # Every commitment has a country: the region's figures are the sum of the countries'.
    region = sum(by_country.values(), Figures.empty())
    country_rows = sorted(
        (country_name(code), figures, links.progress(country=code.lower()))
        for code, figures in by_country.items()
    )
    objective_rows = [
        (f"{number}. {gettext(name)}", figures, links.progress(objective=number))
        for (number, name), figures in sorted(by_objective.items())
    ]
    trend = trends.quarterly()
    context = {
        "region": region,
        "with_progress": WITH_PROGRESS,
        "status_counts": [(s, label, region.counts[s]) for s, label in Status.choices],
        "country_chart": stacked_bars(country_rows),
        "objective_chart": stacked_bars(objective_rows),
        "trend_chart": stacked_bars([(label, figures, "") for label, figures in trend]),
        # Of each deadline and update, what the lists show (tracker.tables), as values:
        # no objects of the record, its commitment, its recommendation and its country.
        "overdue": Deadline.objects.public()
        .overdue()
        .with_codes()
        .order_by("due_date")
        .values_list(
            "due_date", "description", "is_demo", "recommendation_code", "country_code", named=True
        )[:10],
        "latest_updates": ProgressUpdate.objects.accepted()
        .with_codes()
        .order_by("-reviewed_at", "-pk")
        .values_list(
            "pk",
            "status",
            "is_demo",
            "created_at",
            "recommendation_code",
            "country_code",
            named=True,
        )[:10],
    }
    return render(request, "tracker/dashboard.html", context)


def _progress_page(request: HttpRequest, filters: CommitmentFilter) -> HttpResponse:
    """The table and its facets; a value no facet takes (or a day that cannot be) is said by
    the facet, with status 400 and no download to offer."""
    valid = filters.is_valid()
    dates = filters.dates()
    # The rows of the page are read again by their ids, with what the table shows of each:
    # the facets need not be applied again, but for a day's statuses.
    rows = filters.qs.with_progress() if "as_of" in dates else Commitment.objects.with_progress()
    page = _commitments_page(
        request,
        filters.qs if valid else Commitment.objects.none(),
        count=filters.counted(),  # from the tallies, for a country and a status
        rows=rows,
    )
    if "as_of" in dates:
        Commitment.as_they_stood(page.object_list)
    context = {
        "filter": filters,
        "page": page,
        "as_of": dates.get("as_of"),
        # Shown for a download or a brief asked with a bad value: the form leads back here.
        "filter_action": reverse("tracker:progress_table"),
    }
    return render(request, "tracker/progress_table.html", context, status=200 if valid else 400)


@public_page
def how_it_works(request: HttpRequest) -> HttpResponse:
    """Who reports, who reviews, what the statuses mean, the licence and the contact."""
    text = SiteText.for_page(SiteText.Page.HOW_IT_WORKS, get_language())
    return render(request, "tracker/how_it_works.html", {"text": text})


def _country_or_status(request: HttpRequest):
    """A table of one country's commitments shows no other's progress; nor does a table of
    the commitments of one status today (as of another day, a change of status today
    changes no row, but the deadlines shown are today's)."""
    if code := country_code(request.GET.get("country", "")):
        return page_cache.of_country(code)
    status = request.GET.get("status", "")
    if status in dict(STATUS_CHOICES) and not request.GET.get("as_of"):
        return page_cache.of_status(status)
    return None


@public_page(scope=_country_or_status)
def progress_table(request: HttpRequest) -> HttpResponse:
    return _progress_page(request, CommitmentFilter(request.GET, queryset=Commitment.objects.all()))


def _export_name(stem: str, filters: CommitmentFilter, extension: str) -> str:
    """What the file holds: gcm-progress-TH-implemented-as-of-2026-06-30.xlsx."""
    data = filters.form.cleaned_data
    parts = [stem]
    for name in ("country", "consultation", "objective", "sdg", "theme", "status"):
        if value := data.get(name):
            label = {"objective": "objective-", "sdg": "sdg-"}.get(name, "")
            parts.append(f"{label}{value}".replace("_", "-"))
    if data.get("overdue"):
        parts.append("overdue")
    if data.get("q"):
        parts.append("search")
    dates = filters.dates()
    for name, day in dates.items():
        parts.append(f"{name.replace('_', '-')}-{day.isoformat()}")
    if "as_of" not in dates:
        parts.append(timezone.localdate().isoformat())
    return f"{'-'.join(parts)}.{extension}"


def progress_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Exactly the rows /progress/ shows for the same query string, as CSV, XLSX or JSON."""
    filters = CommitmentFilter(request.GET, queryset=Commitment.objects.all())
    if not filters.is_valid():
        return _progress_page(request, filters)
    filename = _export_name("gcm-progress", filters, fmt)
    if fmt == "xlsx":
        return downloads.respond(
            "progress",
            {"query": request.GET.urlencode()},
            filename,
            spreadsheets.XLSX_TYPE,
            rows=filters.qs.count(),
        )
    rows = ProgressResource(as_of=filters.dates().get("as_of")).iter_rows(filters.qs)
    if fmt == "csv":
        return exports.csv_response(rows, filename)
    return exports.json_response(rows, filename)


def progress_matrix(request: HttpRequest) -> HttpResponse:
    """Recommendations down, countries across: the table a delegation brings to the IMRF."""
    filters = CommitmentFilter(request.GET, queryset=Commitment.objects.all())
    if not filters.is_valid():
        return _progress_page(request, filters)
    return downloads.respond(
        "matrix",
        {"query": request.GET.urlencode()},
        _export_name("gcm-status-matrix", filters, "xlsx"),
        spreadsheets.XLSX_TYPE,
        rows=filters.qs.count(),
    )


def download(request: HttpRequest, key: str) -> HttpResponse:
    """The page of a download being made in the background: it looks again every few
    seconds and starts the download once the file is ready."""
    prepared = get_object_or_404(PreparedDownload.objects.defer("content"), key=key)
    return render(
        request,
        "tracker/download.html",
        {
            "download": prepared,
            "refresh_seconds": settings.DOWNLOAD_REFRESH_SECONDS,
            "keep_hours": settings.DOWNLOAD_KEEP_HOURS,
        },
    )


def download_file(request: HttpRequest, key: str) -> HttpResponse:
    prepared = get_object_or_404(PreparedDownload, key=key, ready_at__isnull=False)
    return downloads.file_response(
        bytes(prepared.content), prepared.filename, prepared.content_type
    )


@public_page
def recommendation_list(request: HttpRequest) -> HttpResponse:
    # What the list shows of each (its code, titles, report and paragraph's number), in
    # the order of the copies of the report's date and the paragraph's number each keeps
    # (RecommendationQuerySet.keep_order): not the paragraphs' texts, nor two joins to sort.
    recommendations = (
        Recommendation.objects.filter(is_current=True)
        .select_related("consultation", "paragraph")
        .only(
            "code",
            "short_title",
            *Recommendation.title_fields(),
            "consultation__title",
            "paragraph__number",
        )
        .order_by("consultation_date", "paragraph_number")
    )
    filters = RecommendationFilter(request.GET, queryset=recommendations)
    valid = filters.is_valid()
    page = _page(request, filters.qs if valid else recommendations.none())
    # How many countries own each, and have implemented it: from its tallies.
    figures = stats.by_recommendation(r.pk for r in page.object_list)
    for recommendation in page.object_list:
        counted = figures.get(recommendation.pk, Figures.empty())
        recommendation.country_count = counted.total
        recommendation.implemented_count = counted.implemented
    context = {"filter": filters, "page": page}
    return render(
        request, "tracker/recommendation_list.html", context, status=200 if valid else 400
    )


@public_page(scope=lambda request, code: page_cache.of_recommendation(code))
def recommendation_detail(request: HttpRequest, code: str) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("consultation", "paragraph__consultation"),
        code=code,
    )
    commitments = table_rows.with_public_evidence(
        recommendation.commitments.with_progress().order_by().table_rows()
    )
    # By the commitments' ids: the planner then reads the updates of these commitments
    # only, not every accepted update in date order. As values, what the timeline shows
    # (tracker.tables.timeline): a hundred updates as objects, each with its commitment and
    # country, took 2 ms to make.
    timeline, timeline_is_cut = _first(
        ProgressUpdate.objects.on_record()
        .filter(commitment__in=[c.pk for c in commitments])
        .with_codes()
        .order_by("-created_at", "-pk")
        .values_list(*TIMELINE_FIELDS, named=True),
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
    by_country = stats.by_country(overdue=False)
    countries = sorted(Country.objects.all(), key=lambda country: country.name)
    nothing = Figures(Figures.empty().counts, None)
    rows = [(country, by_country.get(country.pk, nothing)) for country in countries]
    context = {
        "rows": [
            (country, [figures.counts[s] for s in Status.values], figures)
            for country, figures in rows
        ],
        "statuses": Status.choices,
        "chart": stacked_bars(
            [(country.name, figures, country.get_absolute_url()) for country, figures in rows]
        ),
    }
    return render(request, "tracker/country_list.html", context)


@public_page(scope=lambda request, iso: page_cache.of_country(iso.upper()))
def country_detail(request: HttpRequest, iso: str) -> HttpResponse:
    if iso != iso.lower():
        raise Http404
    country = get_object_or_404(Country, code=iso.upper())
    # The oldest consultation first, by the copies of its date and the paragraph's number
    # each recommendation keeps (RecommendationQuerySet.keep_order): one join, not three.
    commitments = country.commitments.with_progress().order_by(
        "recommendation__consultation_date", "recommendation__paragraph_number", "pk"
    )
    by_country = stats.by_country()
    figures = by_country.get(country.pk, Figures.empty())
    region = stats.region(by_country)  # its share, for comparison
    # What the lists show of each (tracker.tables), the recommendation's code beside it.
    deadlines, more_deadlines = _first(
        Deadline.objects.public()
        .open()
        .filter(country=country)
        .order_by("due_date", "pk")
        .with_codes()
        .values_list("due_date", "description", "is_demo", "recommendation_code", named=True),
        LIST_SIZE,
    )
    evidence, more_evidence = _first(
        Evidence.objects.public()
        .filter(country=country)
        .with_codes()
        .order_by("-date", "-pk")
        .values_list(
            "pk", "date", "title", "url", "file", "is_demo", "recommendation_code", named=True
        ),
        LIST_SIZE,
    )
    context = {
        "country": country,
        "figures": figures,
        # What it shows of all countries: filled afresh at each request (tracker.comparison).
        "region_share": page_cache.hole("region-share", html=comparison.region_share(region)),
        "comparison_chart": page_cache.hole(
            "comparison", country.pk, html=comparison.chart(country, figures, region)
        ),
        "with_progress": WITH_PROGRESS,
        "page": _commitments_page(request, commitments, figures.total),
        "status_counts": [(s, label, figures.counts[s]) for s, label in Status.choices],
        "trend_chart": stacked_bars(
            [(label, quarter, "") for label, quarter in trends.quarterly(country.pk)]
        ),
        "deadlines": deadlines,
        "more_deadlines": more_deadlines,
        "evidence": evidence,
        "more_evidence": more_evidence,
        "today": timezone.localdate(),
    }
    return render(request, "tracker/country_detail.html", context)


def _brief_response(request, kind: str, params: dict, commitments, stem: str) -> HttpResponse:
    # A brief is the whole country (or recommendation): of the facets, only the day.
    query = {"as_of": request.GET["as_of"]} if "as_of" in request.GET else {}
    filters = CommitmentFilter(query, queryset=commitments)
    if not filters.is_valid():  # a day that cannot be: said by the facet, as the table does
        return _progress_page(request, filters)
    as_of = filters.dates().get("as_of")
    day = (as_of or timezone.localdate()).isoformat()
    fmt = params["fmt"]
    return downloads.respond(
        kind,
        {**params, "query": query},
        f"{stem}-{'as-of-' if as_of else ''}{day}.{fmt}",
        "application/pdf" if fmt == "pdf" else briefs.DOCX_TYPE,
        rows=commitments.count(),
    )


@public_page
def country_brief(request: HttpRequest, iso: str, fmt: str) -> HttpResponse:
    """A country's commitments, each with its status, response, update, evidence and
    deadlines: /countries/kh/brief.pdf (or .docx), with ?as_of=2026-06-30."""
    if iso != iso.lower():
        raise Http404
    country = get_object_or_404(Country, code=iso.upper())
    return _brief_response(
        request,
        "country brief",
        {"iso": iso, "fmt": fmt},
        country.commitments.all(),
        f"gcm-brief-{country.code.code}",
    )


@public_page
def recommendation_brief(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """A recommendation across the countries that own it."""
    recommendation = get_object_or_404(Recommendation, code=code)
    return _brief_response(
        request,
        "recommendation brief",
        {"code": code, "fmt": fmt},
        recommendation.commitments.all(),
        f"gcm-brief-{recommendation.code}",
    )


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
    """A report, paragraph by paragraph, its recommendations linked to their progress; a
    long one over several pages (?page=2), ?paragraph=12 leading to the page of its own."""
    consultation = get_object_or_404(
        Consultation.objects.prefetch_related("sections", "agenda_items"), slug=slug
    )
    pages = report_pages.pages_of(consultation)
    if "paragraph" in request.GET and "page" not in request.GET:
        return _paragraph_redirect(request, consultation, pages)
    page = Paginator(pages, 1).get_page(request.GET.get("page"))
    outline = report_pages.read(page.object_list[0])
    recommendations = [
        paragraph.recommendation
        for part in outline
        for paragraph in part.paragraphs
        if getattr(paragraph, "recommendation", None) is not None
    ]
    # One compact summary per recommendation, its countries by status, as one line of text,
    # from the recommendations' tallies (one query).
    figures = stats.by_recommendation(r.pk for r in recommendations)
    labels = [(status, str(label).lower()) for status, label in Status.choices]
    # "2 implemented": how many of the recommendation's countries have each status.
    how_many = pgettext("how many countries have a status", "%(count)s %(status)s")
    for recommendation in recommendations:
        counts = figures[recommendation.pk].counts if recommendation.pk in figures else {}
        recommendation.status_summary = ", ".join(
            how_many % {"count": counts[status], "status": label}
            for status, label in labels
            if counts.get(status)
        )
    starts = report_pages.starts(pages)
    context = {
        "consultation": consultation,
        "page": page,
        "outline": outline,
        # Each chapter, and the page it starts on (when another).
        "contents": [
            (section, "" if starts[section.pk] == page.number else f"?page={starts[section.pk]}")
            for section in consultation.sections.all()
            if section.level == 1
        ],
        "targets": Targets.of(consultations=consultation),
    }
    return render(request, "tracker/consultation_detail.html", context)


def _paragraph_redirect(request: HttpRequest, consultation, pages) -> HttpResponse:
    """To the page holding the paragraph asked for, at the paragraph (or the first page)."""
    number = request.GET["paragraph"]
    at = report_pages.page_holding(pages, int(number)) if number.isdigit() else None
    url = consultation.get_absolute_url()
    if at is None:
        return redirect(url)
    return redirect(f"{url}{f'?page={at}' if at > 1 else ''}#p{number}")
