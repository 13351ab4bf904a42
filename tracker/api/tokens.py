"""Personal API tokens (tracker.models.ApiToken) on the API's write endpoints:
`Authorization: Bearer <token>`. A token that is missing, malformed, unknown, expired or
revoked, or whose holder may no longer hold one, is refused with 401 and the same words,
whichever it is. Tokens are read only here: the admin and the pages never look at them."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from tracker import permissions
from tracker.models import ApiToken

REFUSED = _("Send a usable API token: Authorization: Bearer <token>.")
# How often a token's "last used" is written: at most once a minute, not on every request.
USE_RECORDED_EVERY = dt.timedelta(minutes=1)


class TokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None  # no token: the permission below refuses, also with 401
        if len(header) != 2 or header[0].lower() != self.keyword:
            raise exceptions.AuthenticationFailed(REFUSED)
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(REFUSED) from None
        token = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(digest=ApiToken.digest_of(secret))
            .first()
        )
        if token is None or not permissions.can_hold_api_token(token.user):
            raise exceptions.AuthenticationFailed(REFUSED)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasToken(BasePermission):
    """Only with a usable token; anything else is 401 (never 403, which would say more)."""

    message = REFUSED

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiToken):
            return True
        raise exceptions.NotAuthenticated(REFUSED)


class TokenScheme(OpenApiAuthenticationExtension):
    """How the published schema describes the token."""

    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made by a focal point in the admin "
            "(API tokens). It submits progress for that focal point's countries only.",
        }
