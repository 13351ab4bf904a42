"""A limit per client address for the API, the address read as sign-in throttling reads it
(believing X-Forwarded-For only from TRUSTED_PROXIES); API_UNLIMITED_ADDRESSES are not
limited."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from tracker.client_ip import client_ip


class AddressRateThrottle(SimpleRateThrottle):
    scope = "address"

    def get_rate(self):
        return settings.API_RATE or None  # read at each request: a setting may change it

    def allow_request(self, request, view):
        # Addresses the operator trusts (a national system's server, a benchmark) are not
        # limited; everyone else is.
        if client_ip(request) in settings.API_UNLIMITED_ADDRESSES:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
