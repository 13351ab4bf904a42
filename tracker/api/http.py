"""HTTP for the API: conditional GETs and the licence.

A response's ETag is made of the page cache's token (tracker.page_cache), which changes
with anything the public sees, and the full URL; Last-Modified is when the token last
changed. A client that sends them back gets 304 Not Modified without the data being read
again. A response read afresh is kept in the page cache under the same token and key as a
page (after the rate limit has been applied), so the next client asking the same question
is answered without the database. Every response names the data's licence in a Link
header (rel="license")."""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language

from tracker import page_cache


def licence_link() -> str:
    return f'<{settings.DATA_LICENCE_URL}>; rel="license"'


class ConditionalMixin:
    _keep_as = None  # where to keep the response being read afresh

    def dispatch(self, request, *args, **kwargs):
        token, changed_at = page_cache.current_revision()
        self._token = token
        seed = f"{token}:{get_language()}:{request.get_full_path()}:{settings.DATA_LICENCE_URL}"
        etag = f'"{hashlib.sha256(seed.encode()).hexdigest()[:32]}"'
        last_modified = http_date(changed_at.timestamp()) if changed_at else None
        if request.method in ("GET", "HEAD"):
            unchanged = get_conditional_response(
                request,
                etag=etag,
                last_modified=int(changed_at.timestamp()) if changed_at else None,
            )
            if unchanged is not None:
                return self._described(unchanged, etag, last_modified)
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:
            self._described(response, etag, last_modified)
        response["Link"] = licence_link()
        return response

    def list(self, request, *args, **kwargs):
        return self._cached(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._cached(super().retrieve, request, *args, **kwargs)

    def _cached(self, read, request, *args, **kwargs):
        if not settings.PUBLIC_PAGE_CACHE_SECONDS:
            return read(request, *args, **kwargs)
        key = page_cache.key_for(request, self._token, kind="api")
        kept = page_cache.read(key)
        if kept is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        self._keep_as = key
        return read(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._keep_as and response.status_code == 200 and hasattr(response, "render"):
            response.render()
            page_cache.keep(self._keep_as, (response.content, response["Content-Type"]))
        return response

    @staticmethod
    def _described(response, etag: str, last_modified: str | None):
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = last_modified
        # Shared caches may keep it, and must ask again (a conditional GET) before reuse.
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        response["Link"] = licence_link()
        return response
