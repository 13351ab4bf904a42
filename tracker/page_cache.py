"""Public pages cached whole, under a token that changes with anything they show.

A cached page is keyed by the public revision token (tracker.models.PublicRevision), the
language, the day (pages say what is overdue) and the full path with its query string.
Every save or delete of a record a public page shows replaces the token in the same
transaction, so the next request in any process renders afresh: an accepted update shows
at once. Reading the token is the one query a cached page costs.

The pages of one country, one recommendation or one status (a country's or a
recommendation's page, the progress table of one country or of one status) are kept instead
under the "wide" token and a token of their own (tracker.models.ScopedRevision). A change of
one commitment's progress (its status, an update accepted or withdrawn, evidence, a
deadline: `changed_scope` of the record) replaces the token and the tokens of its country,
its recommendation and its statuses before and after, not the wide token: the pages of
other countries, recommendations and statuses stay cached. Anything else (a
commitment made, moved or deleted, demonstration updates made or removed, the report, a
country, writes in bulk) replaces the wide token too. The few parts of a country's page
that show all countries are holes, filled at each request (`hole`).

The pages are the same for every visitor but for the CSRF token of the language form
(shown when more than one language is set up): it is cached as a placeholder and filled
in for each request.
"""

import contextlib
import contextvars
import datetime as dt
import hashlib
import logging
import time
import uuid
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from tracker.calendars import buddhist_era

logger = logging.getLogger(__name__)
CSRF_PLACEHOLDER = "csrf-token-placeholder-5b0d9c2e"
PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
# What a cached response keeps besides its body (a brief is a file to download; the feed
# says when its latest entry changed).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Link", "Last-Modified")
_bulk = contextvars.ContextVar("page_cache_bulk", default=False)
# The wide token of the page being served: what `remember` keeps its values under.
_wide = contextvars.ContextVar("page_cache_wide", default=None)
_page_values = contextvars.ContextVar("page_cache_values", default=None)  # its shared values


def current_token() -> str:
    return current_revision()[0]


def wide_token() -> str:
    """The token that changes with anything but the progress of commitments (the report,
    the countries, commitments made, moved or deleted): what is kept under it outlives
    the reviews."""
    return _revision_row("wide_token")[0]


def bump(scopes: list[tuple[str, int]] | None = None) -> str:
    """A new token: every cached public page is out of date; or, with `scopes` (of the
    country, recommendation and statuses of a commitment whose progress changed:
    models.progress_scopes), every page but those of other scopes."""
    from tracker.models import PublicRevision, ScopedRevision

    token, now = uuid.uuid4().hex, timezone.now()
    wide = {} if scopes else {"wide_token": token, "wide_changed_at": now}
    if not PublicRevision.objects.update(token=token, changed_at=now, **wide):
        PublicRevision.objects.create(
            token=token, changed_at=now, wide_token=token, wide_changed_at=now
        )
    if scopes:
        ScopedRevision.objects.bulk_create(
            [
                ScopedRevision(kind=kind, key=key, token=token, changed_at=now)
                for kind, key in scopes
            ],
            update_conflicts=True,
            unique_fields=["kind", "key"],
            update_fields=["token", "changed_at"],
        )
    return token


def current_revision() -> tuple[str, "dt.datetime | None"]:
    """The token and when it last changed (for the API's ETag and Last-Modified)."""
    return _revision_row("token", "changed_at")


def _revision_row(*fields: str) -> tuple:
    """These fields of the tokens' one row (made when missing)."""
    from tracker.models import PublicRevision

    row = PublicRevision.objects.order_by("pk").values_list(*fields).first()
    if row is None:
        bump()
        return _revision_row(*fields)
    return row


def hold() -> None:
    """Hold the token's row until the transaction ends, as every public change does when it
    replaces the token: a write that must see every change committed before it, and none
    made beside it (the figures, tracker.stats), takes it first. On SQLite a transaction
    that writes holds the whole database from its start already."""
    from tracker.models import PublicRevision

    if connection.features.has_select_for_update and not list(
        PublicRevision.objects.select_for_update().values_list("pk", flat=True)
    ):
        bump()


@contextlib.contextmanager
def bulk_changes():
    """For writes of thousands of records, in one transaction: one new token at the end,
    not one per record, and the figures (tracker.stats) counted once, before it commits."""
    from tracker import stats  # which reads this module's state

    outermost = not _bulk.get()
    token = _bulk.set(True)
    try:
        with transaction.atomic(savepoint=False):
            yield
            if outermost:
                stats.sync()
    finally:
        _bulk.reset(token)
        bump()


def in_bulk() -> bool:
    return _bulk.get()


class _Pending:
    """What the writes of one change (`together`) leave for its end: the scopes of the
    pages they change (or all pages: `wide`), and the calls kept for it (`at_end`)."""

    def __init__(self):
        self.wide = False
        self.scopes: set[tuple[str, int]] = set()
        self.calls: dict = {}

    def changed(self, scopes) -> None:
        if scopes is None:
            self.wide = True
        else:
            self.scopes.update(scopes)

    def done(self) -> None:
        for function, items in self.calls.items():
            function(sorted(items))
        if self.wide:
            bump()
        elif self.scopes:
            bump(sorted(self.scopes))


_pending = contextvars.ContextVar("page_cache_pending", default=None)


@contextlib.contextmanager
def together():
    """Writes that make one change between them, in one transaction: an update accepted
    with the status, response, evidence and deadlines it carries, or several accepted at
    once. The token is replaced, and the figures counted (tracker.stats, through
    `at_end`), once, as the transaction ends, rather than after each record written (an
    acceptance wrote both twice: for the update, then for its commitment). The token's row
    is held from the start, as the first change of a transaction holds it otherwise."""
    if _pending.get() is not None or _bulk.get():
        yield
        return
    pending = _Pending()
    reset = _pending.set(pending)
    try:
        with transaction.atomic(savepoint=False):
            hold()
            yield
            _pending.reset(reset)
            reset = None
            pending.done()
    finally:
        if reset is not None:
            _pending.reset(reset)


def at_end(function, items) -> bool:
    """Within `together`: `function` is called once as it ends, with these items and those
    of every other call for it (a sorted list); True. Outside it: False, and the caller
    calls it now."""
    pending = _pending.get()
    if pending is None:
        return False
    pending.calls.setdefault(function, set()).update(items)
    return True


def public_page(view=None, *, scope=None):
    """Serve the view's page from the cache while nothing it shows has changed.

    `scope(request, *args, **kwargs)`, for a page that shows the progress of the
    commitments of one country, one recommendation or one status and no other's, gives
    that scope (`of_country`, `of_recommendation`, `of_status`; None: every commitment's):
    the page then stays cached through changes of other commitments' progress."""
    if view is None:
        return partial(public_page, scope=scope)

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not settings.PUBLIC_PAGE_CACHE_SECONDS:
            return _rendered(view, request, *args, **kwargs)
        token, kept_under, changed_at, wide = _revision(scope and scope(request, *args, **kwargs))
        key = key_for(request, kept_under)
        content = read(key)
        lock = f"rendering:{key}"
        if content is None and not _take(lock):
            content = _while_another_renders(request, key, changed_at)
        if content is None:
            request.csrf_placeholder = True
            reset, opened = _wide.set(wide), _holes.set([] if scope else None)
            try:
                response = _rendered(view, request, *args, **kwargs)
                holes = _holes.get()
            finally:
                _wide.reset(reset)
                _holes.reset(opened)
                request.csrf_placeholder = False
                _cached(cache.delete, lock)
            if response.status_code != 200 or response.streaming:
                return response
            content = response.content
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            # The holes are kept without the HTML written for them: it is filled afresh.
            kept = (content, headers, tuple(hole[:3] for hole in holes or ()))
            keep(key, kept)
            keep(key_for(request, LATEST, "latest"), kept)
        else:
            content, headers, holes = content
        if holes:
            content = _filled(content, holes, token)
        if PLACEHOLDER_BYTES in content:  # a form on the page (the language switcher)
            content = content.replace(PLACEHOLDER_BYTES, get_token(request).encode())
        return HttpResponse(content, headers=headers)

    return cached_view


# Holes: the few parts of a page of one scope that show the progress of others (a
# country's page compares it with all countries) are left open in the page's cached copy
# and filled at each request, from HTML kept under the token (so written once per change,
# however many pages show it).
_holes = contextvars.ContextVar("page_cache_holes", default=None)  # of the page being kept
FILLERS = {}


def filled_later(name: str):
    """Registers the function that writes a hole's HTML (from its arguments) at a request."""

    def register(function):
        FILLERS[name] = function
        return function

    return register


def hole(name: str, *args, html: str) -> str:
    """`html` in place; in a page of one scope that is being kept, a mark that each request
    replaces with FILLERS[name](*args) as things then stand (the same HTML as `html`, given
    the same data)."""
    holes = _holes.get()
    if holes is None:
        return html
    mark = f"<!--hole:{uuid.uuid4().hex}-->"
    holes.append((mark, name, args, str(html)))
    return mark_safe(mark)


def _filled(content: bytes, holes, token: str) -> bytes:
    """The page with its holes filled: with the HTML the render wrote (kept for the other
    pages), or else with the HTML kept under the token, or else written now."""
    for mark, name, args, *written in holes:
        key = f"hole:v1:{_as_read(token)}:{name}:{':'.join(map(str, args))}"
        if written:
            html = written[0]
            keep(key, html)
        elif (html := read(key)) is None:
            html = str(FILLERS[name](*args))
            keep(key, html)
        content = content.replace(mark.encode(), html.encode())
    return content


def of_country(code: str):
    """The scope of the pages of one country (by its code)."""
    from tracker.models import Country, ScopedRevision

    return ScopedRevision.Kind.COUNTRY, *_id_of(Country, code)


def of_recommendation(code: str):
    """The scope of the pages of one recommendation (by its code)."""
    from consultations.models import Recommendation
    from tracker.models import ScopedRevision

    return ScopedRevision.Kind.RECOMMENDATION, *_id_of(Recommendation, code)


def of_status(status: str):
    """The scope of the progress tables of one status (or WITH_PROGRESS)."""
    from tracker.models import ScopedRevision, status_scope_key

    return ScopedRevision.Kind.STATUS, "%s", [status_scope_key(status)]


def _id_of(model, code: str) -> tuple[str, list]:
    """SQL for the id of the record of this code, and its parameters."""
    table = connection.ops.quote_name(model._meta.db_table)
    return f"(SELECT id FROM {table} WHERE code = %s)", [code]


def kept_under(scope=None) -> str:
    """The token the pages of this scope (of_country, of_recommendation, of_status; None:
    the others) are kept under now."""
    return _revision(scope)[1]


def _revision(scope) -> tuple[str, str, "dt.datetime | None", str]:
    """The token, the token the page is kept under and when that last changed, and the wide
    token, in one query: the page is kept under the token itself; or, for a page of one
    scope (a country, a recommendation, a status), under the wide token with the token of
    the scope. (Written in SQL: the same query through the ORM, with its two subqueries,
    took 1 ms to put together, against 0.1 ms to run; a cached page costs about 1 ms in
    all.)"""
    from tracker.models import PublicRevision, ScopedRevision

    if scope is None:
        token, changed_at, wide = _revision_row("token", "changed_at", "wide_token")
        return token, token, changed_at, wide
    kind, key, params = scope
    name = connection.ops.quote_name
    sql = (
        "SELECT p.token, p.wide_token, p.wide_changed_at, s.token, s.changed_at "
        f"FROM {name(PublicRevision._meta.db_table)} p "
        f"LEFT JOIN {name(ScopedRevision._meta.db_table)} s ON s.kind = %s AND s.{name('key')} "
        f"= {key} ORDER BY p.id LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, *params])
        row = cursor.fetchone()
    if row is None:
        bump()
        return _revision(scope)
    token, wide, wide_at, scoped, scoped_at = row
    moments = [_aware(moment) for moment in (wide_at, scoped_at) if moment]
    return token, f"{wide}.{scoped or ''}", max(moments, default=None), wide


def _aware(moment: "dt.datetime") -> "dt.datetime":
    """A moment as the database gives it to SQL written by hand: SQLite's in UTC, without
    its time zone (the ORM adds it)."""
    return timezone.make_aware(moment, dt.UTC) if timezone.is_naive(moment) else moment


# Stampede: after a change, the first request for a page renders it while the others for
# the same page wait for it (PUBLIC_PAGE_WAIT_SECONDS at most, then render it themselves);
# visitors who are not signed in may instead get the page as it was before the change, for
# PUBLIC_PAGE_STALE_SECONDS after it at most. Signed-in people (whoever made the change
# among them) always wait for the new page.
LATEST = "latest"


def _take(lock: str) -> bool:
    """Whether this request renders the page (no other is rendering it; or the cache
    failed, and then every request renders its own)."""
    taken = _cached(cache.add, lock, True, RENDER_LOCK_SECONDS)
    return taken is None or bool(taken)


def _while_another_renders(request, key: str, changed_at):
    """The page while another request renders it: the version from before the change
    (to a visitor, a few seconds after the change at most), or the new one once ready;
    None when it is not ready in time (this request then renders it too)."""
    recently = changed_at and timezone.now() - changed_at <= dt.timedelta(
        seconds=settings.PUBLIC_PAGE_STALE_SECONDS
    )
    if recently and not request.user.is_authenticated:
        stale = read(key_for(request, LATEST, "latest"))
        if stale is not None:
            return stale
    deadline = time.monotonic() + settings.PUBLIC_PAGE_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if (content := read(key)) is not None:
            return content
    return None


# How long a render may hold its page before others stop waiting for it.
RENDER_LOCK_SECONDS = 30


def key_for(request, token: str, kind: str = "page") -> str:
    """Where a response to this request is kept while the token stands."""
    # The settings pages show (the licence, the contact) count too: a cache that outlives
    # a restart does not keep pages from before they changed.
    shown = (settings.DATA_LICENCE_NAME, settings.DATA_LICENCE_URL, settings.PUBLIC_CONTACT_EMAIL)
    path = hashlib.sha256(repr((request.get_full_path(), shown)).encode()).hexdigest()
    return f"{kind}:v3:{_as_read(token)}:{path}"


def _as_read(token: str) -> str:
    """The token, with what else a page depends on: its language and calendar, the time
    zone and the day."""
    zone = timezone.get_current_timezone_name()
    language = get_language() + ("-be" if buddhist_era() else "")  # Thai, Buddhist Era years
    return f"{token}:{language}:{zone}:{timezone.localdate()}"


def read(key: str):
    return _cached(cache.get, key)


def keep(key: str, value) -> None:
    _cached(cache.set, key, value, settings.PUBLIC_PAGE_CACHE_SECONDS)


def remember(name: str, compute):
    """A value many pages share (a facet's options, whether there is demo data, the facets
    as a table's form writes them), computed once per language and per change of the
    wide token (the report, the countries, demonstration data: not the progress of a
    commitment, which such values do not show), and once a page however often the page
    asks for it. Outside a public page it is simply computed."""
    key = f"{get_language()}:{name}"
    values = _page_values.get()
    if values is not None and key in values:
        return values[key]
    wide = _wide.get()
    value = None
    if wide:
        value = _cached(cache.get_or_set, f"value:v2:{wide}:{key}", compute)
    if value is None:
        value = compute()
    if values is not None:
        values[key] = value
    return value


def _rendered(view, request, *args, **kwargs):
    """The view's response, its shared values (`remember`) read once."""
    reset = _page_values.set({})
    try:
        return view(request, *args, **kwargs)
    finally:
        _page_values.reset(reset)


def _cached(operation, *args):
    """A cache that fails (a folder that cannot be written, Redis down) slows the pages
    down but does not take them down."""
    try:
        return operation(*args)
    except Exception:
        logger.warning("The page cache failed; serving without it.", exc_info=True)
        return None


def csrf_placeholder(request) -> dict:
    """Context processor: the placeholder instead of this visitor's token, while caching."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "csrf_placeholder", False) else {}


# What the public pages show: a save or delete of any of these changes the token. --------


def _changed(sender, instance=None, signal=None, created=False, **kwargs) -> None:
    # Records that know whether the public sees the change (updates under review, internal
    # evidence, deadlines waiting for their update) say so; anything else counts. Those
    # that know it changes one commitment's progress alone say which (changed_scope).
    if _bulk.get():
        return
    deleting = signal is post_delete
    if not getattr(instance, "public_changed", True):
        # Unseen, but for the notice that the site holds demonstration data.
        demo = getattr(instance, "changes_demo_notice", None)
        if demo and demo(created=created, deleting=deleting):
            _bump_now_or_at_end(None)
        return
    scope = getattr(instance, "changed_scope", None)
    _bump_now_or_at_end(scope and scope(created=created, deleting=deleting))


def _tags_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and not _bulk.get():
        _bump_now_or_at_end(None)


def _bump_now_or_at_end(scopes) -> None:
    if (pending := _pending.get()) is not None:
        pending.changed(scopes)
    else:
        bump(scopes)


def connect_signals() -> None:
    from consultations import models as report
    from tracker import models as tracker

    shown = [
        report.GcmObjective,
        report.GuidingPrinciple,
        report.Sdg,
        report.Theme,
        report.Consultation,
        report.Section,
        report.Paragraph,
        report.Recommendation,
        report.AgendaItem,
        tracker.Country,
        tracker.Commitment,
        tracker.ProgressUpdate,
        tracker.Evidence,
        tracker.Deadline,
        tracker.SiteText,
    ]
    for model in shown:
        post_save.connect(_changed, sender=model, dispatch_uid=f"page_cache_save_{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"page_cache_delete_{model}")
    for model in (report.Consultation, report.Recommendation):
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_tags_changed, sender=through, dispatch_uid=f"page_cache_{through}")
