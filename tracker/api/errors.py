"""Every API error in one shape: {"error": {"status": 400, "message": "...", "fields": {}}}."""

from django.utils.translation import gettext as _
from rest_framework.views import exception_handler


def handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields = {}
    if isinstance(detail, dict) and "detail" not in detail:
        fields = {name: [str(m) for m in messages] for name, messages in detail.items()}
        message = _("Some values cannot be used: see fields.")
    elif isinstance(detail, dict):
        message = str(detail["detail"])
    else:
        message = " ".join(str(item) for item in detail)
    response.data = body(response.status_code, message, fields)
    return response


def body(status: int, message: str, fields: dict | None = None) -> dict:
    return {"error": {"status": status, "message": message, "fields": fields or {}}}
