from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from consultations.models import Consultation, Paragraph, Targets
from tracker.page_cache import public_page


@public_page
def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = Consultation.objects.annotate(
        recommendation_count=Count("recommendations")
    ).order_by("-date")
    return render(request, "consultations/consultation_list.html", {"consultations": consultations})


@public_page
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
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
    return render(request, "consultations/consultation_detail.html", context)
