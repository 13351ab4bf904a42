"""The time zone each person reads times in: their own choice, or the zone of their first
country (focal points), or UTC (network staff)."""

import zoneinfo

from django.conf import settings
from django.utils import timezone

# The zone of each country's capital; a country not listed reads times in UTC.
COUNTRY_ZONES = {
    "KH": "Asia/Phnom_Penh",
    "ID": "Asia/Jakarta",
    "NP": "Asia/Kathmandu",
    "PH": "Asia/Manila",
    "TH": "Asia/Bangkok",
    "LA": "Asia/Vientiane",
    "VN": "Asia/Ho_Chi_Minh",
    "MY": "Asia/Kuala_Lumpur",
    "MM": "Asia/Yangon",
    "BD": "Asia/Dhaka",
    "LK": "Asia/Colombo",
    "IN": "Asia/Kolkata",
}


def zone_name_for(user) -> str:
    from tracker import permissions
    from tracker.models import Country, Profile

    if not user.is_authenticated:
        return settings.TIME_ZONE
    chosen = Profile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    if chosen:
        return chosen
    if permissions.is_network_staff(user):
        return "UTC"
    first = (
        Country.objects.filter(pk__in=permissions.focal_country_ids(user)).order_by("pk").first()
    )
    return COUNTRY_ZONES.get(first.code.code, "UTC") if first else settings.TIME_ZONE


def remember_zone(sender, request, user, **kwargs) -> None:
    """On sign-in, the person's zone is kept in their session (user_logged_in)."""
    if request is not None and hasattr(request, "session"):
        request.session["time_zone"] = zone_name_for(user)


class TimeZoneMiddleware:
    """Shows times in the signed-in person's zone (kept in their session at sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            name = request.session.get("time_zone")
            if name is None:
                name = request.session["time_zone"] = zone_name_for(request.user)
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone is this request's: the thread's next work starts from the default.
            timezone.deactivate()
