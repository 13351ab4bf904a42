"""The client's address, believing X-Forwarded-For only from the configured proxies.

Written here rather than taken from ipware: ipware reads the header whoever sent the
request, and its trusted proxies are matched by position at the end of the chain, while
this believes the header only when the connection itself comes from one of
settings.TRUSTED_PROXIES, and skips any number of them (tests/tracker/test_sign_in.py)."""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote not in trusted or not forwarded:
        return remote
    # Walk back from the nearest hop; the first address that is not one of our proxies
    # is the client (anything further left could have been written by the client).
    for address in reversed([a.strip() for a in forwarded.split(",") if a.strip()]):
        if address not in trusted:
            return address
    return remote
