"""The pages of following: the form (on its own page too, for its errors), the answer,
confirming, stopping and the privacy notice. Who follows what is never shown."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from consultations.models import Recommendation
from tracker.client_ip import client_ip
from tracker.following import service
from tracker.following.forms import FollowForm
from tracker.models import Country


class AskingRate(SimpleRateThrottle):
    """How often one address (as sign-in throttling reads it) may send the form."""

    scope = "follow"

    def get_rate(self):
        return settings.FOLLOW_RATE or None

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def _followed(kind: str, key: str):
    if kind == "countries":
        return get_object_or_404(Country, code=key.upper())
    if kind == "recommendations":
        return get_object_or_404(Recommendation, code=key)
    raise Http404


# Exempt from CSRF: the form changes nothing for whoever sends it (no session, no account)
# and anyone may post it directly; the confirmation email is the protection. The cached
# public pages it sits on then carry no per-visitor token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    followed = _followed(kind, key)
    form = FollowForm(request.POST or None)
    context = {"followed": followed, "kind": kind, "key": key, "form": form}
    if request.method == "POST":
        rate = AskingRate()
        if not rate.allow_request(request, None):
            minutes = max(1, round((rate.wait() or 60) / 60))
            context["wait_minutes"] = minutes
            response = render(request, "tracker/following/follow.html", context, status=429)
            response["Retry-After"] = str(minutes * 60)
            return response
        if form.is_valid():
            service.ask(form.cleaned_data["email"], followed)
            context["asked"] = True
    return render(request, "tracker/following/follow.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, key: str) -> HttpResponse:
    """A button, not the link itself: mail scanners open links, only a person presses."""
    done = service.confirm(key) if request.method == "POST" else service.find(key)
    if done is None:
        return render(request, "tracker/following/key_action.html", {"unknown": True}, status=404)
    context = {"action": "confirm", "subscription": done, "done": request.method == "POST"}
    return render(request, "tracker/following/key_action.html", context)


# Exempt from CSRF: mail clients stop a list with a POST of their own (RFC 8058); the key in
# the address is the secret, and stopping is all it can do.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def stop(request: HttpRequest, key: str) -> HttpResponse:
    if request.method == "POST":
        stopped = service.stop(key)
        context = {"action": "stop", "done": True, "followed": stopped and stopped.followed}
        return render(request, "tracker/following/key_action.html", context)
    subscription = service.find(key)
    if subscription is None:  # already stopped: say so, as stopping again would
        context = {"action": "stop", "done": True, "followed": None}
        return render(request, "tracker/following/key_action.html", context)
    context = {"action": "stop", "subscription": subscription, "done": False}
    return render(request, "tracker/following/key_action.html", context)


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tracker/following/privacy.html",
        {
            "unconfirmed_days": settings.FOLLOW_UNCONFIRMED_DAYS,
            "contact": settings.PUBLIC_CONTACT_EMAIL,
        },
    )
