"""The tallies the public pages' figures are read from (tracker.stats), counted once from
the commitments, from then on kept by every change; and each deadline's and evidence item's
country, for a country's page."""

import datetime as dt
from collections import Counter, defaultdict

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone


def fill_countries(apps, schema_editor):
    Commitment = apps.get_model("tracker", "Commitment")
    country = Commitment.objects.filter(pk=OuterRef("commitment_id")).values("country_id")[:1]
    for name in ("Deadline", "Evidence"):
        apps.get_model("tracker", name).objects.update(country_id=Subquery(country))


def count(apps, schema_editor):
    """As tracker.stats.sync counts every commitment."""
    Commitment = apps.get_model("tracker", "Commitment")
    Deadline = apps.get_model("tracker", "Deadline")
    Recommendation = apps.get_model("consultations", "Recommendation")
    CountedCommitment = apps.get_model("tracker", "CountedCommitment")
    Tally = apps.get_model("tracker", "Tally")
    published = Q(update__isnull=True) | Q(update__review_state="accepted")
    next_due = dict(
        Deadline.objects.filter(published, is_done=False)
        .order_by()
        .values("commitment")
        .annotate(first=Min("due_date"))
        .values_list("commitment", "first")
    )
    objectives = defaultdict(list)
    links = Recommendation.gcm_objectives.through.objects.values_list(
        "recommendation_id", "gcmobjective_id"
    )
    for recommendation, objective in links:
        objectives[recommendation].append(objective)
    first_kept = timezone.now().date() - dt.timedelta(days=2)
    folded = first_kept - dt.timedelta(days=1)
    counted, counts = [], Counter()
    rows = Commitment.objects.values_list("pk", "country_id", "recommendation_id", "status")
    for pk, country, recommendation, status in rows.iterator(chunk_size=5000):
        due_on = next_due.get(pk)
        tags = sorted(set(objectives[recommendation]))
        counted.append(
            CountedCommitment(
                commitment_id=pk,
                country_id=country,
                recommendation_id=recommendation,
                objectives=tags,
                status=status,
                due_on=due_on,
            )
        )
        counts["recommendation", recommendation, status, None] += 1
        groups = [("country", country)] + [("objective", o) for o in tags]
        for kind, key in groups:
            counts[kind, key, status, None] += 1
            if due_on:
                counts[kind, key, "", max(due_on, folded)] += 1
    CountedCommitment.objects.bulk_create(counted, batch_size=5000)
    Tally.objects.bulk_create(
        [
            Tally(kind=kind, key=key, status=status, due_on=day, n=n)
            for (kind, key, status, day), n in counts.items()
        ],
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0019_prepared_downloads"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountedCommitment",
            fields=[
                ("commitment_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("country_id", models.BigIntegerField()),
                ("recommendation_id", models.BigIntegerField(db_index=True)),
                ("objectives", models.JSONField(default=list)),
                ("status", models.CharField(max_length=30)),
                ("due_on", models.DateField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name="Tally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("country", "Country"),
                            ("recommendation", "Recommendation"),
                            ("objective", "Objective"),
                        ],
                        max_length=20,
                    ),
                ),
                ("key", models.BigIntegerField()),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("not_started", "Not started"),
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("partially_implemented", "Partially implemented"),
                            ("implemented", "Implemented"),
                            ("not_applicable", "Not applicable"),
                        ],
                        max_length=30,
                    ),
                ),
                ("due_on", models.DateField(blank=True, null=True)),
                ("n", models.IntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "due_on", "key"], name="tally_by_day")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("due_on__isnull", True)),
                        fields=("kind", "key", "status"),
                        name="tally_status_once",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("due_on__isnull", False)),
                        fields=("kind", "key", "due_on"),
                        name="tally_day_once",
                    ),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(fields=["is_done", "due_date"], name="deadline_open_due"),
        ),
        migrations.AddField(
            model_name="deadline",
            name="country",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tracker.country",
            ),
        ),
        migrations.AddField(
            model_name="evidence",
            name="country",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tracker.country",
            ),
        ),
        migrations.RunPython(fill_countries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deadline",
            name="country",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tracker.country",
            ),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="country",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tracker.country",
            ),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(fields=["commitment", "is_done", "due_date"], name="deadline_next"),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                fields=["country", "is_done", "due_date"], name="deadline_by_country"
            ),
        ),
        migrations.AddIndex(
            model_name="evidence",
            index=models.Index(
                fields=["country", "visibility", "date"], name="evidence_by_country"
            ),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
