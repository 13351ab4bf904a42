"""The public pages' figures, kept up to date instead of counted on each page.

What is counted (tracker.models.Tally): each commitment under its country, its
recommendation and its recommendation's GCM objectives, by status and, but for
recommendations, by the day of its next open published deadline, from which the overdue
are counted for any day. The pages read them with `Tally.objects.figures(kinds)`: a few rows
per country or objective, not 50,000 commitments.

How: how each commitment is counted is kept (tracker.models.CountedCommitment). After a
public change of a commitment, of a deadline or of an update (accepted or withdrawn, its
deadlines come and go with it), the commitment is compared with how it was counted and its
counts move from the old to the new, in the same transaction; no other commitment is
counted again. Writes in bulk (page_cache.bulk_changes) compare every commitment once, at
their end; a change of a recommendation's GCM objectives compares its commitments. The
status over time (tracker.models.StatusCount) is recorded from the countries' tallies
whenever they change.

Counting is done one transaction at a time (page_cache.hold), so each sees every change
committed before it.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from consultations.models import GcmObjective, Recommendation
from tracker import page_cache
from tracker.models import (
    Commitment,
    CountedCommitment,
    Country,
    Deadline,
    Figures,
    ProgressUpdate,
    StatusCount,
    Tally,
)

Kind = Tally.Kind
# Deadlines due more than this many days ago (in UTC) are counted under one day, the day
# before them: past due in every time zone, and a few rows a group however old they are.
DAYS_KEPT = 2
MANY = 500  # groups or days to read every row of their kind rather than name them


class Counted(NamedTuple):
    country: int
    recommendation: int
    objectives: tuple[int, ...]  # its recommendation's GCM objectives
    status: str
    due_on: dt.date | None  # of its next open published deadline


def sync(commitments: Iterable[int] | None = None) -> None:
    """Count these commitments (ids; None: every one) as they are now."""
    ids = None if commitments is None else list(commitments)
    with transaction.atomic(savepoint=False):
        page_cache.hold()
        now, before = _as_they_are(ids), _as_counted(ids)
        changed = [pk for pk in now.keys() | before.keys() if now.get(pk) != before.get(pk)]
        counts: Counter = Counter()
        for pk in changed:
            _add(counts, before.get(pk), -1)
            _add(counts, now.get(pk), 1)
        _keep(now, before, changed)
        _apply(counts)
        if ids is None:
            StatusCount.objects.record()
        elif countries := {
            key
            for (kind, key, status, _day), n in counts.items()
            if n and status and kind == Kind.COUNTRY
        }:
            StatusCount.objects.record(countries=countries)


def sync_recommendations(recommendations: Iterable[int] | None) -> None:
    """Count the commitments of these recommendations (ids; None: every one) as they are
    now: after a change of their GCM objectives."""
    if recommendations is None:
        sync()
        return
    counted = CountedCommitment.objects.filter(recommendation_id__in=list(recommendations))
    if ids := list(counted.values_list("pk", flat=True)):
        sync(ids)


def _as_they_are(ids: list[int] | None) -> dict[int, Counted]:
    commitments = Commitment.objects.order_by()
    deadlines = Deadline.objects.public().open().order_by()
    links = Recommendation.gcm_objectives.through.objects.order_by()
    if ids is not None:
        commitments = commitments.filter(pk__in=ids)
        deadlines = deadlines.filter(commitment__in=ids)
        links = links.filter(recommendation__commitments__in=ids)
    next_due = dict(
        deadlines.values("commitment")
        .annotate(first=Min("due_date"))
        .values_list("commitment", "first")
    )
    objectives: dict[int, set[int]] = defaultdict(set)
    for recommendation, objective in links.values_list("recommendation_id", "gcmobjective_id"):
        objectives[recommendation].add(objective)
    rows = commitments.values_list("pk", "country_id", "recommendation_id", "status")
    return {
        pk: Counted(
            country,
            recommendation,
            tuple(sorted(objectives[recommendation])),
            status,
            next_due.get(pk),
        )
        for pk, country, recommendation, status in rows
    }


def _as_counted(ids: list[int] | None) -> dict[int, Counted]:
    rows = CountedCommitment.objects.order_by()
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    columns = ("pk", "country_id", "recommendation_id", "objectives", "status", "due_on")
    return {
        pk: Counted(country, recommendation, tuple(objectives), status, due_on)
        for pk, country, recommendation, objectives, status, due_on in rows.values_list(*columns)
    }


def _first_kept_day() -> dt.date:
    return timezone.now().date() - dt.timedelta(days=DAYS_KEPT)


def _day(due_on: dt.date) -> dt.date:
    """The day a deadline is counted under: its own, or the day before the days kept."""
    return max(due_on, _first_kept_day() - dt.timedelta(days=1))


def _add(counts: Counter, counted: Counted | None, sign: int) -> None:
    if counted is None:
        return
    counts[Kind.RECOMMENDATION, counted.recommendation, counted.status, None] += sign
    groups = [(Kind.COUNTRY, counted.country)]
    groups += [(Kind.OBJECTIVE, pk) for pk in counted.objectives]
    day = _day(counted.due_on) if counted.due_on else None
    for kind, key in groups:
        counts[kind, key, counted.status, None] += sign
        if day:
            counts[kind, key, "", day] += sign


def _keep(now: dict[int, Counted], before: dict[int, Counted], changed: list[int]) -> None:
    """Write how the changed commitments are counted now."""
    rows = {pk: _row(pk, now[pk]) if pk in now else None for pk in changed}
    gone = [pk for pk, row in rows.items() if row is None]
    CountedCommitment.objects.filter(pk__in=gone).delete()
    CountedCommitment.objects.bulk_update(
        [row for pk, row in rows.items() if row and pk in before],
        ["country_id", "recommendation_id", "objectives", "status", "due_on"],
        batch_size=500,
    )
    CountedCommitment.objects.bulk_create(
        [row for pk, row in rows.items() if row and pk not in before], batch_size=1000
    )


def _row(pk: int, counted: Counted) -> CountedCommitment:
    return CountedCommitment(
        commitment_id=pk,
        country_id=counted.country,
        recommendation_id=counted.recommendation,
        objectives=list(counted.objectives),
        status=counted.status,
        due_on=counted.due_on,
    )


def _apply(counts: Counter) -> None:
    """Add `counts` ({(kind, key, status, day): n}) to the tallies, counting the days of
    the groups' deadlines before the days kept as one on the way. One query reads the rows
    concerned, at most three write them."""
    counts = Counter({group: n for group, n in counts.items() if n})
    if not counts:
        return
    first_kept = _first_kept_day()
    folded = first_kept - dt.timedelta(days=1)
    keys, statuses, days = defaultdict(set), defaultdict(set), defaultdict(set)
    for kind, key, status, day in counts:
        keys[kind].add(key)
        (days if day else statuses)[kind].add(day or status)
    which = Q(pk__in=[])
    for kind in keys:
        if len(keys[kind]) + len(days[kind]) < MANY:  # the rows of these counts only
            rows = (
                Q(due_on__isnull=True, status__in=statuses[kind])
                | Q(due_on__in=days[kind])
                | Q(due_on__lt=first_kept)
            )
            which |= Q(kind=kind, key__in=keys[kind]) & rows
        else:
            which |= Q(kind=kind)
    rows: dict[tuple, Tally] = {}
    changed: dict[int, Tally] = {}
    gone: list[int] = []
    for row in Tally.objects.filter(which):
        if row.due_on is not None and row.due_on < folded:
            row.due_on = folded
            changed[row.pk] = row
        group = (row.kind, row.key, row.status, row.due_on)
        if group in rows:  # a day folded into another row
            rows[group].n += row.n
            changed[rows[group].pk] = rows[group]
            changed.pop(row.pk, None)
            gone.append(row.pk)
        else:
            rows[group] = row
    new = []
    for (kind, key, status, day), n in counts.items():
        if (row := rows.get((kind, key, status, day))) is None:
            new.append(Tally(kind=kind, key=key, status=status, due_on=day, n=n))
        else:
            row.n += n
            changed[row.pk] = row
    gone += [pk for pk, row in changed.items() if not row.n]
    Tally.objects.filter(pk__in=gone).delete()
    Tally.objects.bulk_update(
        [row for row in changed.values() if row.n], ["due_on", "n"], batch_size=500
    )
    Tally.objects.bulk_create(new, batch_size=1000)


# --- what the pages read ---------------------------------------------------------------


def by_country_and_objective() -> tuple[dict[str, Figures], dict[tuple[int, str], Figures]]:
    """The figures of every country, by its code, and of every GCM objective, by its number
    and short name (those with commitments): three small queries."""
    figures = Tally.objects.figures([Kind.COUNTRY, Kind.OBJECTIVE])
    codes = Country.objects.filter(pk__in=list(figures[Kind.COUNTRY])).values_list("pk", "code")
    objectives = GcmObjective.objects.filter(pk__in=list(figures[Kind.OBJECTIVE]))
    names = {
        pk: (number, name)
        for pk, number, name in objectives.values_list("pk", "number", "short_name")
    }
    return (
        {code: figures[Kind.COUNTRY][pk] for pk, code in codes},
        {names[pk]: found for pk, found in figures[Kind.OBJECTIVE].items() if pk in names},
    )


def by_country(overdue: bool = True) -> dict[int, Figures]:
    """The figures of every country with commitments, by its id (without `overdue`, the
    statuses only, `Figures.overdue` None): one query."""
    figures = Tally.objects.figures([Kind.COUNTRY])[Kind.COUNTRY]
    return figures if overdue else {pk: Figures(f.counts, None) for pk, f in figures.items()}


def region(by_country: dict[int, Figures]) -> Figures:
    """All countries' commitments by status (every commitment has a country)."""
    nothing = Figures(Figures.empty().counts, None)
    return sum((Figures(f.counts, None) for f in by_country.values()), nothing)


def commitments_counted(country: str = "", status: str = "") -> int:
    """How many commitments have this country (its code; empty: any) and this status (a
    status or WITH_PROGRESS; empty: any), from the countries' tallies: one query."""
    countries = Country.objects.filter(code=country).values("pk") if country else None
    return Tally.objects.of(Kind.COUNTRY, countries).commitments(status)


def by_recommendation(recommendations: Iterable[int]) -> dict[int, Figures]:
    """The figures (statuses only) of these recommendations, by id: one query."""
    return Tally.objects.figures([Kind.RECOMMENDATION], recommendations)[Kind.RECOMMENDATION]


# --- what changes the figures -----------------------------------------------------------


def _commitment_changed(sender, instance, **kwargs) -> None:
    if _counts(instance, kwargs):
        _sync_now_or_at_end([instance.pk])


def _carrier_changed(sender, instance, **kwargs) -> None:
    """A deadline, or an update (its deadlines are published with its acceptance)."""
    if _counts(instance, kwargs):
        _sync_now_or_at_end(instance.changed_commitments())  # moved: both commitments


def _sync_now_or_at_end(commitments) -> None:
    """Counted now; or, within writes that make one change together (page_cache.together:
    an update accepted and its commitment's new status), once as they end."""
    if not page_cache.at_end(sync, commitments):
        sync(commitments)


def _counts(instance, kwargs) -> bool:
    # Writes in bulk (and loading a backup) are counted once, at their end; records that
    # know whether the public sees the change say so.
    return (
        not kwargs.get("raw")
        and not page_cache.in_bulk()
        and getattr(instance, "public_changed", True)
    )


def _objectives_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or page_cache.in_bulk():
        return
    if not reverse:  # a recommendation's objectives
        sync_recommendations([instance.pk])
    else:  # an objective's recommendations (None when cleared: any)
        sync_recommendations(pk_set)


def connect_signals() -> None:
    post_save.connect(_commitment_changed, sender=Commitment, dispatch_uid="stats_save")
    post_delete.connect(_commitment_changed, sender=Commitment, dispatch_uid="stats_delete")
    for model in (Deadline, ProgressUpdate):
        uid = model._meta.model_name
        post_save.connect(_carrier_changed, sender=model, dispatch_uid=f"stats_save_{uid}")
        post_delete.connect(_carrier_changed, sender=model, dispatch_uid=f"stats_delete_{uid}")
    through = Recommendation.gcm_objectives.through
    m2m_changed.connect(_objectives_changed, sender=through, dispatch_uid="stats_objectives")
