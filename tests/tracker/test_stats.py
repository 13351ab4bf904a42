"""The figures' tallies (tracker.stats) equal a fresh count of every commitment after every
way of writing: the report form and the review, staff's own updates and edits, deadlines,
a spreadsheet upload, new commitments in bulk, a change of a recommendation's GCM
objectives as a report import makes it, days passing; and a report import, a restore and
the synthetic data, each as a whole."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from consultations.models import GcmObjective, Recommendation
from tests.factories import TEST_REPORTS, make_consultation, make_deadline, make_update
from tests.forms import form_data
from tracker import review, services, stats
from tracker.filters import CommitmentFilter
from tracker.models import (
    WITH_PROGRESS,
    Commitment,
    Country,
    Deadline,
    Figures,
    ProgressUpdate,
    Status,
    StatusCount,
    Tally,
)

pytestmark = pytest.mark.django_db
Kind = Tally.Kind


def counted_afresh() -> dict:
    """What the tallies must hold, counted from every commitment as the pages counted
    before the tallies were kept: by country and by GCM objective with the overdue, by
    recommendation the statuses only."""
    return _comparable(
        {
            Kind.COUNTRY: _figures_by("country_id"),
            Kind.OBJECTIVE: _figures_by("recommendation__gcm_objectives"),
            Kind.RECOMMENDATION: {
                pk: Figures(counts, None) for pk, counts in _count_by("recommendation_id").items()
            },
        }
    )


def _count_by(field: str) -> dict[int, dict[str, int]]:
    """{value of field: {status: how many commitments}}."""
    table: dict[int, dict[str, int]] = {}
    rows = Commitment.objects.order_by().values_list(field, "status").annotate(n=Count("pk"))
    for key, status, n in rows:
        if key is not None:
            table.setdefault(key, dict.fromkeys(Status.values, 0))[status] = n
    return table


def _figures_by(field: str) -> dict[int, Figures]:
    """The figures by the value of `field`, the overdue read from the deadlines' side."""
    late = (
        Deadline.objects.public()
        .overdue()
        .order_by()
        .values_list(f"commitment__{field}")
        .annotate(n=Count("commitment", distinct=True))
    )
    overdue = {key: n for key, n in late if key is not None}
    return {key: Figures(counts, overdue.get(key, 0)) for key, counts in _count_by(field).items()}


def kept() -> dict:
    return _comparable(Tally.objects.figures())


def _comparable(figures: dict) -> dict:
    """Each group's statuses that some commitment has, and its overdue; no empty group."""
    return {
        kind: {
            key: ({s: n for s, n in f.counts.items() if n}, f.overdue)
            for key, f in by_key.items()
            if f.total
        }
        for kind, by_key in figures.items()
    }


def assert_kept() -> None:
    afresh = counted_afresh()
    assert kept() == afresh
    # The status over time is recorded from the countries' tallies: its latest quarter is
    # what every country counts now.
    _quarter, recorded = StatusCount.objects.series()[-1]
    for pk, (counts, _overdue) in afresh[Kind.COUNTRY].items():
        assert {s: n for s, n in recorded[pk].counts.items() if n} == counts
    # The progress table's number of rows for a country and a status is read from them.
    codes = dict(Country.objects.values_list("pk", "code"))
    rows = Commitment.objects.values_list("country_id", "status")
    for pk in [None, *codes]:
        for status in ["", WITH_PROGRESS, *Status.values]:
            wanted = Status.showing_progress() if status == WITH_PROGRESS else [status]
            expected = sum(1 for c, s in rows if pk in (None, c) and (not status or s in wanted))
            assert stats.commitments_counted(codes.get(pk, ""), status) == expected


# --- a sequence of writes, as people make them ---------------------------------------------


class Clock:
    """Days passing: every write and count happens `days` after today."""

    def __init__(self):
        self.days = 0

    @contextmanager
    def now(self):
        moment = dt.datetime.now(dt.UTC) + dt.timedelta(days=self.days)
        with mock.patch("django.utils.timezone.now", return_value=moment):
            yield


STEPS = (
    "report form",
    "report",
    "accept",
    "accept several",
    "return",
    "withdraw",
    "staff update",
    "deadline",
    "move deadline",
    "close deadline",
    "delete deadline",
    "edit commitment",
    "new commitment",
    "delete commitment",
    "spreadsheet",
    "assign",
    "objectives",
    "days pass",
)
STATUSES = [Status.NOT_STARTED, Status.PLANNED, Status.IN_PROGRESS, Status.NOT_APPLICABLE]


def pick(items, index: int):
    items = list(items)
    return items[index % len(items)] if items else None


def step(name: str, a: int, b: int, world, client, clock: Clock) -> None:
    """One write, chosen by `name`, on the records `a` and `b` pick."""
    commitments = Commitment.objects.order_by("pk")
    commitment = pick(commitments, a)
    day = timezone.localdate() + dt.timedelta(days=b % 40 - 20)  # past due, or not
    focal = {world.cambodia.pk: world.focal_kh, world.thailand.pk: world.focal_th}
    if name == "report form" and commitment is not None:
        client.force_login(focal[commitment.country_id])
        url = reverse("tracker:report_progress", args=[commitment.pk])
        page = client.get(url)
        changes = {"status": pick(STATUSES, b), "narrative": f"Step {a}."}
        if b % 2:
            changes |= {"deadlines-0-description": "Next step", "deadlines-0-due_date": day}
        data = form_data(page.text, "report-form", **changes)
        client.post(url, {**data, "send": "review"})
    elif name == "report" and commitment is not None:
        update = ProgressUpdate(commitment=commitment, status=pick(STATUSES, b), narrative="x")
        review.save_content(update, by=focal[commitment.country_id])
        make_deadline(commitment, update.author, due_date=day, update=update)
        review.send_on(update, by=update.author)
    elif name == "accept" and (update := pick(ProgressUpdate.objects.waiting(), a)):
        review.accept(update, by=world.staff, seen_version=update.version)
    elif name == "accept several" and (waiting := list(ProgressUpdate.objects.waiting())):
        # Two (of one commitment, at times) or more, counted once for all at the end.
        chosen = ProgressUpdate.objects.filter(pk__in=[pick(waiting, a).pk, pick(waiting, b).pk])
        versions = dict(chosen.values_list("pk", "version"))
        review.review_many(chosen, by=world.staff, accepting=True, seen_versions=versions)
    elif name == "return" and (update := pick(ProgressUpdate.objects.waiting(), a)):
        review.return_for_changes(
            update, by=world.staff, comment="More.", seen_version=update.version
        )
    elif name == "withdraw" and (update := pick(ProgressUpdate.objects.accepted(), a)):
        review.withdraw(update, by=world.staff, reason="Sent in error.")
    elif name == "staff update" and commitment is not None:
        make_update(commitment, world.staff, status=pick(STATUSES, b))
    elif name == "deadline" and commitment is not None:
        make_deadline(commitment, world.staff, due_date=day)
    elif name == "move deadline" and (deadline := pick(Deadline.objects.order_by("pk"), a)):
        deadline.due_date = day
        deadline.save()
    elif name == "close deadline" and (deadline := pick(Deadline.objects.open(), a)):
        deadline.is_done = True
        deadline.save()
    elif name == "delete deadline" and (deadline := pick(Deadline.objects.order_by("pk"), a)):
        deadline.delete()
    elif name == "edit commitment" and commitment is not None:
        commitment.lead_agency = f"Ministry {b}"
        commitment.response = Commitment.Response.SUPPORTED
        commitment.save()
    elif name == "new commitment":
        recommendation = pick(Recommendation.objects.order_by("pk"), a)
        country = pick(Country.objects.order_by("pk"), b)
        Commitment.objects.get_or_create(recommendation=recommendation, country=country)
    elif name == "delete commitment":
        bare = commitments.filter(updates__isnull=True, evidence__isnull=True)
        if (commitment := pick(bare.filter(deadlines__isnull=True), a)) is not None:
            commitment.delete()
    elif name == "spreadsheet" and commitment is not None:
        # What a confirmed upload by staff writes: published updates and their deadlines.
        chosen = {c.pk: c for c in (commitment, pick(commitments, b))}.values()
        updates = [
            ProgressUpdate(commitment=c, status=pick(STATUSES, a + b), narrative="Upload.")
            for c in chosen
        ]
        deadlines = [
            Deadline(commitment=u.commitment, update=u, due_date=day, description="Upload")
            for u in updates
        ]
        review.report_many(updates, deadlines, by=world.staff)
    elif name == "assign":
        recommendations = Recommendation.objects.order_by("pk")[a % 5 : a % 5 + 2]
        services.assign_recommendations(
            recommendations=recommendations, countries=[pick(Country.objects.all(), b)]
        )
    elif name == "objectives":
        recommendation = pick(Recommendation.objects.filter(commitments__isnull=False), a)
        objectives = GcmObjective.objects.order_by("number")
        if recommendation is None:
            return
        if b % 4 == 0:
            recommendation.gcm_objectives.add(pick(objectives, b))
        elif b % 4 == 1:
            recommendation.gcm_objectives.remove(pick(objectives, b))
        elif b % 4 == 2:
            recommendation.gcm_objectives.set([pick(objectives, b), pick(objectives, a)])
        else:  # (never from the objective's side: the recommendation's history is kept)
            recommendation.gcm_objectives.clear()
    elif name == "days pass":
        clock.days += b % 9


@pytest.fixture
def clock():
    return Clock()


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(STEPS), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=6,
    )
)
def test_the_tallies_equal_a_fresh_count_after_every_write(world, client, clock, steps):
    for name, a, b in steps:
        with clock.now():
            step(name, a, b, world, client, clock)
            assert_kept()


# --- writes as wholes ---------------------------------------------------------------------


def test_a_report_import_that_tags_recommendations_counts_their_objectives_again(world):
    pacific = TEST_REPORTS / "2023-11-02-pacific-labour-mobility.txt"
    consultation = make_consultation(pacific)
    assert_kept()
    services.assign_recommendations(
        recommendations=consultation.recommendations.all(), countries=[world.cambodia]
    )
    tagged = consultation.recommendations.get(code="PL23-R5")  # its paragraph names objective 2
    commitment = tagged.commitments.get()
    make_update(commitment, world.focal_kh, status="planned", accepted_by=world.staff)
    make_deadline(commitment, world.staff, due_date=dt.date(2020, 1, 1))
    tagged.gcm_objectives.remove(GcmObjective.objects.get(number=2))  # staff, in the admin
    assert_kept()
    make_consultation(pacific)  # imported again: the paragraph tags it again
    assert tagged.gcm_objectives.filter(number=2).exists()
    assert_kept()


@pytest.mark.django_db(transaction=True)  # a backup takes its own snapshot
def test_a_restored_backup_is_counted_afresh(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_update(world.kh_31, world.focal_kh, status="planned", accepted_by=world.staff)
    make_deadline(world.th_32, world.staff, due_date=dt.date(2020, 1, 1))
    call_command("backup_data", output=tmp_path / "backup")
    make_update(world.th_31, world.staff, status="not_applicable")
    deleted = world.kh_32.pk
    world.kh_32.delete()
    call_command("restore_data", tmp_path / "backup", no_input=True)
    assert Commitment.objects.filter(pk=deleted).exists()
    assert_kept()


def test_the_synthetic_data_is_counted(db):
    call_command("generate_scale_data", recommendations=6, countries=3)
    assert_kept()
    call_command("generate_scale_data", recommendations=4, countries=2, replace=True)
    assert_kept()


def test_deadlines_long_past_are_counted_as_one_day_and_stay_overdue(world):
    today = timezone.localdate()
    make_deadline(world.kh_31, world.staff, due_date=today - dt.timedelta(days=400))
    make_deadline(world.kh_32, world.staff, due_date=today - dt.timedelta(days=1))
    make_deadline(world.th_31, world.staff, due_date=today + dt.timedelta(days=30))
    rows = Tally.objects.of(Kind.COUNTRY, [world.cambodia.pk]).exclude(due_on=None)
    # A day further back than the days kept is counted as the day before them.
    folded = timezone.now().date() - dt.timedelta(days=stats.DAYS_KEPT + 1)
    assert sorted(row.due_on for row in rows) == [folded, today - dt.timedelta(days=1)]
    assert stats.by_country()[world.cambodia.pk].overdue == 2
    assert stats.by_country()[world.thailand.pk].overdue == 0
    assert_kept()


def test_the_progress_tables_count_comes_from_the_tallies_only_for_a_country_and_a_status(
    world, client, django_assert_max_num_queries
):
    make_update(world.kh_31, world.focal_kh, status="planned", accepted_by=world.staff)
    make_update(world.th_32, world.focal_th, status="in_progress", accepted_by=world.staff)
    for query, rows in (
        ("", 4),
        ("?country=kh", 2),
        ("?status=planned", 1),
        ("?country=th&status=with_progress", 1),
        ("?country=kh&status=implemented", 0),
        ("?q=border", None),  # counted from the rows
        ("?country=kh&consultation=BM22", None),
    ):
        filters = CommitmentFilter(
            dict(pair.split("=") for pair in query[1:].split("&") if pair),
            queryset=Commitment.objects.with_progress(),
        )
        assert filters.counted() == rows
        with django_assert_max_num_queries(14):
            page = client.get(f"/progress/{query}").text
        shown = filters.qs.count()
        assert f'<p class="result-count" role="status">{shown} commitment' in page
