"""Downloads, made now or, when too big to make within a request, by the background worker.

Each kind of download is one function from its parameters (plain values: the query string,
a country's code, the format) to the file's bytes, run in the language of the page that
asked. A small one is made in the request. A big one (more than DOWNLOAD_BACKGROUND_ROWS
rows in a spreadsheet, more than BRIEF_BACKGROUND_COMMITMENTS commitments in a brief) is
a PreparedDownload: the request is sent to a page that says it is being made and looks
again every few seconds, and the file downloads from there once it is ready. Its key
stands for the kind, the parameters, the language and the state of the public data, so
the same file asked by many before the data changes is made once."""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext

from tracker import briefs, exports, links, page_cache, spreadsheets, tasks
from tracker.filters import CommitmentFilter
from tracker.models import Commitment, Country, PreparedDownload
from tracker.resources import ProgressResource


def _filters(query: str) -> CommitmentFilter:
    filters = CommitmentFilter(QueryDict(query), queryset=Commitment.objects.all())
    filters.is_valid()  # checked by the request that asked for it
    return filters


def _about(filters: CommitmentFilter, query: str) -> list:
    """What a file says of itself; its source is the progress page of the same query."""
    source = links.page("tracker:progress_table")
    return exports.about(filters, f"{source}?{query}" if query else source)


def progress_xlsx(params: dict) -> bytes:
    filters = _filters(params["query"])
    resource = ProgressResource(as_of=filters.dates().get("as_of"))
    return spreadsheets.xlsx_bytes(
        resource.iter_rows(filters.qs),
        title=gettext("Progress"),
        about=_about(filters, params["query"]),
    )


def matrix_xlsx(params: dict) -> bytes:
    filters = _filters(params["query"])
    return exports.matrix_bytes(filters.qs, _about(filters, params["query"]))


def country_brief(params: dict) -> bytes:
    country = Country.objects.get(code=params["iso"].upper())
    return _brief(
        country.commitments.all(),
        params,
        lambda entries, as_of: briefs.country_brief(country, entries, as_of),
    )


def recommendation_brief(params: dict) -> bytes:
    from consultations.models import Recommendation

    recommendation = Recommendation.objects.select_related("paragraph").get(code=params["code"])
    return _brief(
        recommendation.commitments.all(),
        params,
        lambda entries, as_of: briefs.recommendation_brief(recommendation, entries, as_of),
    )


def _brief(commitments, params: dict, brief_of) -> bytes:
    filters, entries = briefs.read(commitments, params["query"])
    brief = brief_of(entries, filters.dates().get("as_of"))
    return briefs.pdf_bytes(brief) if params["fmt"] == "pdf" else briefs.docx_bytes(brief)


KINDS = {
    "progress": progress_xlsx,
    "matrix": matrix_xlsx,
    "country brief": country_brief,
    "recommendation brief": recommendation_brief,
}


def respond(kind: str, params: dict, filename: str, content_type: str, *, rows: int):
    """The file now, or, for more than the kind's limit of `rows`, a redirection to the
    page of its preparation."""
    limit = (
        settings.BRIEF_BACKGROUND_COMMITMENTS
        if kind.endswith("brief")
        else settings.DOWNLOAD_BACKGROUND_ROWS
    )
    if rows <= limit:
        return file_response(KINDS[kind](params), filename, content_type)
    download = ask(kind, params, filename, content_type)
    return redirect("tracker:download", download.key)


def file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    return exports.licensed(HttpResponse(content, content_type=content_type), filename)


def key_of(kind: str, params: dict, language: str) -> str:
    token, _changed = page_cache.current_revision()
    described = json.dumps([kind, params, language, token], sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()


def ask(kind: str, params: dict, filename: str, content_type: str) -> PreparedDownload:
    """The download of these parameters, made or being made; enqueued when new, or again
    when it failed."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = key_of(kind, params, language)
    fields = {
        "kind": kind,
        "params": params,
        "language": language,
        "filename": filename,
        "content_type": content_type,
    }
    try:
        with transaction.atomic():
            download, created = PreparedDownload.objects.defer("content").get_or_create(
                key=key, defaults=fields
            )
            if created:
                tasks.later(tasks.prepare_download, download.pk)
            elif download.has_failed:  # asked again: tried afresh
                PreparedDownload.objects.filter(pk=download.pk).update(attempts=0, error="")
                download.attempts = 0
                tasks.later(tasks.prepare_download, download.pk)
    except IntegrityError:  # asked by another request at the same moment
        download = PreparedDownload.objects.defer("content").get(key=key)
    return download


def make(download_id: int) -> str:
    """Make the file (the background task); raises, to be retried, when it cannot."""
    download = PreparedDownload.objects.defer("content").filter(pk=download_id).first()
    if download is None:
        return "gone"
    if download.ready_at is not None:
        return "already made"
    try:
        with translation.override(download.language):
            content = KINDS[download.kind](download.params)
    except Exception as error:
        PreparedDownload.objects.filter(pk=download.pk).update(
            attempts=download.attempts + 1, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    PreparedDownload.objects.filter(pk=download.pk).update(
        content=content, ready_at=timezone.now(), attempts=download.attempts + 1, error=""
    )
    return "made"


def forget_old() -> int:
    """Delete downloads asked more than DOWNLOAD_KEEP_HOURS ago."""
    before = timezone.now() - dt.timedelta(hours=settings.DOWNLOAD_KEEP_HOURS)
    return PreparedDownload.objects.filter(created_at__lt=before).delete()[0]
