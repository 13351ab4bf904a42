"""The default text of "How this tracker works", and the status over time worked out
once from the commitments' history (from then on every change keeps it up to date)."""

import datetime as dt

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

HOW_IT_WORKS = """\
This tracker follows what the GCM Champion Countries do with the recommendations of the \
Regional Consultation Series on the Global Compact for Migration in Asia and the Pacific, \
for follow-up to the International Migration Review Forum.

## Who reports
Each country that owns a recommendation names government focal points. They report their \
country's progress on each of its commitments: the status, what was done, the challenges, \
the support needed, evidence and the next deadlines. They cannot change anything of another \
country.

## Who reviews
Staff of the UN Network on Migration in Asia and the Pacific review every report before the \
public sees it: they accept it, or return it to the focal point with a reason. Only \
accepted reports are shown on this site, in its downloads and in its briefs. A \
commitment's status is the status of its latest accepted report.

## What needs evidence
"Partially implemented" and "Implemented" are accepted only with public evidence: a \
document, a web page, or a note saying where the proof can be found.

## How often it is updated
Focal points may report at any time. The network also opens reporting rounds, for instance \
before the International Migration Review Forum, and reminds focal points of their \
deadlines. An accepted report shows on this site at once.

## What the figures mean
"With progress" counts the commitments that are planned, in progress, partially \
implemented or implemented, as a share of the commitments that apply: "Not applicable" is \
left out. Figures over time are taken at the end of each quarter.
"""


def add_text(apps, schema_editor):
    SiteText = apps.get_model("tracker", "SiteText")
    SiteText.objects.get_or_create(
        page="how-it-works",
        language="en",
        defaults={"title": "How this tracker works", "body": HOW_IT_WORKS},
    )


def _next_quarter(quarter):
    month = quarter.month + 3
    return dt.date(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)


def count_statuses(apps, schema_editor):
    """Each quarter's figures since the first consultation, from the history (as
    CommitmentQuerySet.as_of reads it); later, every change keeps them (tracker.trends)."""
    Consultation = apps.get_model("consultations", "Consultation")
    Commitment = apps.get_model("tracker", "Commitment")
    History = apps.get_model("tracker", "HistoricalCommitment")
    Country = apps.get_model("tracker", "Country")
    StatusCount = apps.get_model("tracker", "StatusCount")
    first = Consultation.objects.order_by("date").values_list("date", flat=True).first()
    if first is None or not Commitment.objects.exists():
        return
    today = timezone.localdate()
    statuses = [
        "not_started",
        "planned",
        "in_progress",
        "partially_implemented",
        "implemented",
        "not_applicable",
    ]
    country_ids = list(Country.objects.values_list("pk", flat=True))
    quarter = dt.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    rows = []
    while quarter <= today:
        end = min(_next_quarter(quarter) - dt.timedelta(days=1), today)
        cutoff = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
        past = History.objects.filter(id=OuterRef("pk"), history_date__lt=cutoff).order_by(
            "-history_date", "-history_id"
        )
        stood = (
            Commitment.objects.annotate(then=Subquery(past.values("status")[:1]))
            .filter(then__isnull=False)
            .order_by()
            .values_list("country_id", "then")
            .annotate(n=Count("pk"))
        )
        counts = {}
        for country_id, status, n in stood:
            counts.setdefault(country_id, dict.fromkeys(statuses, 0))[status] = n
        rows += [
            StatusCount(
                quarter=quarter, country_id=pk, counts=counts.get(pk, dict.fromkeys(statuses, 0))
            )
            for pk in country_ids
        ]
        quarter = _next_quarter(quarter)
    StatusCount.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0011_trends_and_site_text"),
        ("consultations", "0002_reference_data"),
    ]

    operations = [
        migrations.RunPython(add_text, migrations.RunPython.noop),
        migrations.RunPython(count_statuses, migrations.RunPython.noop),
    ]
