"""Pages of results with links to the next and previous ones; a page size above the
maximum is clamped, and the response says so."""

from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.notice = ""
        asked = request.query_params.get(self.page_size_query_param, "")
        if asked.isdigit() and int(asked) > self.max_page_size:
            self.notice = _("page_size %(asked)s is above the maximum: %(most)s a page.") % {
                "asked": asked,
                "most": self.max_page_size,
            }
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        body = {
            "count": self.page.paginator.count,
            "page_size": self.get_page_size(self.request),
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
        }
        if self.notice:
            body["notice"] = self.notice
        return Response({**body, "results": data})

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):  # OpenAPI 3.1: null is a type, not "nullable"
            described["properties"][link] = {"type": ["string", "null"], "format": "uri"}
        described["properties"]["page_size"] = {"type": "integer", "example": self.page_size}
        described["properties"]["notice"] = {
            "type": "string",
            "description": "Said when the page size asked for was above the maximum.",
        }
        return described
