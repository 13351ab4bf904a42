from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from tracker import permissions
from tracker.models import Evidence


def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Public evidence for anyone; internal only for staff and the country's focal points."""
    evidence = get_object_or_404(Evidence.objects.select_related("commitment"), pk=pk)
    if not evidence.file or not (
        evidence.is_public or permissions.can_view(request.user, evidence)
    ):
        raise Http404
    response = FileResponse(evidence.file.open("rb"), as_attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
