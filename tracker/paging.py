"""Pages of long lists read in two steps: the ids of the page first (one narrow query,
which the database answers from an index however far the page is), then the rows of those
ids with all they show. Read in one step, a page deep in a list made the database build
every row it skipped: the review queue's last page, 55,000 updates in, took 165 ms."""

from django.core.paginator import Page, Paginator


def page_by_ids(number, queryset, size: int, *, count: int | None = None, rows=None) -> Page:
    """Page `number` of `queryset` (in its order), its rows read by `rows` (a function of
    the ids giving their rows, each with its `pk`, in any order; the queryset's objects when
    not given); `count`, when known already, spares the COUNT query."""
    paginator = Paginator(queryset.values_list("pk", flat=True), size)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(number)
    ids = list(page.object_list)
    read = queryset.order_by().in_bulk(ids) if rows is None else {r.pk: r for r in rows(ids)}
    page.object_list = [read[pk] for pk in ids if pk in read]  # not one gone meanwhile
    return page
