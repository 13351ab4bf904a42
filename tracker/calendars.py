"""Buddhist Era years for Thai readers who choose them (as Thai official documents write
years: the Gregorian year + 543), on the pages they read; downloads and the API keep ISO
dates. The choice is a cookie, set from the switch on Thai pages, and applies only to
pages in Thai."""

import contextvars

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

COOKIE = "calendar"
BUDDHIST = "be"
OFFSET = 543
_chosen = contextvars.ContextVar("buddhist_era_chosen", default=False)


def buddhist_era() -> bool:
    """Whether dates shown now carry Buddhist Era years."""
    return _chosen.get() and (translation.get_language() or "") == "th"


def year_shown(year: int) -> int:
    """A year as the reader reads it (Buddhist Era for Thai readers who chose it)."""
    return year + OFFSET if buddhist_era() else year


class CalendarMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _chosen.set(request.COOKIES.get(COOKIE) == BUDDHIST)
        try:
            return self.get_response(request)
        finally:
            _chosen.reset(token)


def year_swapped(fmt: str, year: int) -> str:
    """A date format whose year codes (Y, y) are the Buddhist Era year, as literal text;
    other codes, and any already escaped, are left as they are."""
    out, escaped = [], False
    for char in fmt:
        if escaped:
            out.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "Yy":
            digits = str(year + OFFSET) if char == "Y" else f"{(year + OFFSET) % 100:02d}"
            out.append("".join("\\" + digit for digit in digits))
        else:
            out.append(char)
    return "".join(out)


@require_POST
def choose(request: HttpRequest):
    """Remember the years a Thai reader chose, and go back to the page."""
    back = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    response = HttpResponseRedirect(back)
    if request.POST.get("calendar") == BUDDHIST:
        response.set_cookie(
            COOKIE,
            BUDDHIST,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
