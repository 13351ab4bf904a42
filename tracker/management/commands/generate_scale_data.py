"""Fill the database with synthetic data at scale, kept apart from the real reports.

Everything hangs on one consultation coded SCALE ("Synthetic scale data"); every update,
evidence note and deadline is flagged as demonstration data. Rows are written in batches;
recommendations and commitments get their history rows through django-simple-history's
bulk helpers (so as-of exports work), the made-up updates, evidence and deadlines do not.
"""

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django_countries import countries as all_countries
from simple_history.utils import bulk_create_with_history

from consultations.models import Consultation, Paragraph, Recommendation, Section
from tracker import page_cache
from tracker.models import Commitment, Country, Deadline, Evidence, ProgressUpdate, Status

CODE = "SCALE"
BATCH = 5000
NARRATIVES = [
    "The ministry issued a circular to border posts.",
    "A working group met with employers' associations.",
    "Draft regulation submitted to the cabinet.",
    "Training delivered to immigration officers in three provinces.",
    "Budget allocated in the annual plan.",
]


class Command(BaseCommand):
    help = "Generate synthetic consultations data at scale (consultation SCALE), for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=int, default=1000)
        parser.add_argument("--countries", type=int, default=50)
        parser.add_argument("--updates-per-commitment", type=int, default=5)
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument(
            "--replace", action="store_true", help="Delete earlier synthetic data first."
        )
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when the data is there."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if Consultation.objects.filter(code=CODE).exists():
            if options["if_missing"]:
                self.stdout.write("Synthetic data is already there.")
                return
            if not options["replace"]:
                raise CommandError("Synthetic data is already there; pass --replace.")
            with page_cache.bulk_changes():
                self.delete_existing()
        rng = random.Random(options["seed"])
        with page_cache.bulk_changes(), transaction.atomic():
            counts = self.generate(rng, options)
        self.settle()
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
        self.stdout.write(f"Generated {summary} in {elapsed:.1f} s.")

    @staticmethod
    def settle() -> None:
        """On PostgreSQL, what autovacuum does soon after in a database in use: the table
        pages marked all-visible, so that a query answered from an index alone (the review
        queue's ids and count) need not read the rows (the queue's last page: 43 ms in
        process before, 12 after). Only outside a transaction, where VACUUM can run (a
        test's data is in one)."""
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    def delete_existing(self) -> None:
        # Synthetic rows only, all under the SCALE consultation.
        commitments = Commitment.objects.filter(recommendation__consultation__code=CODE)
        Commitment.objects.filter(pk__in=commitments).update(latest_accepted_update=None)
        for model in (ProgressUpdate, Evidence, Deadline):
            model.objects.filter(commitment__in=commitments).delete()
        commitments.delete()
        Recommendation.objects.filter(consultation__code=CODE).delete()
        Consultation.objects.filter(code=CODE).delete()

    def generate(self, rng: random.Random, options) -> dict[str, int]:
        author = self.author()
        now = timezone.now()
        start = now - dt.timedelta(days=3 * 365)
        consultation = Consultation.objects.create(
            code=CODE,
            slug="synthetic-scale-data",
            series="Synthetic scale data (not a real consultation)",
            title="Synthetic scale data",
            document_type="GENERATED",
            date=start.date(),
            starts_at=start,
            venue="Nowhere",
        )
        section = Section.objects.create(
            consultation=consultation,
            key="I",
            label="I",
            title="Recommendations",
            kind=Section.Kind.RECOMMENDATIONS,
            order=1,
        )
        total = options["recommendations"]
        paragraphs = bulk_create_with_history(
            [
                Paragraph(
                    consultation=consultation,
                    section=section,
                    number=n,
                    text=f"Synthetic recommendation {n}: countries should act on topic {n % 37}.",
                )
                for n in range(1, total + 1)
            ],
            Paragraph,
            batch_size=BATCH,
        )
        paragraphs = list(Paragraph.objects.filter(consultation=consultation).order_by("number"))
        recommendations = bulk_create_with_history(
            [
                Recommendation(
                    consultation=consultation,
                    paragraph=paragraph,
                    code=f"{CODE}-R{paragraph.number}",
                    short_title_en=f"Synthetic recommendation {paragraph.number}",
                )
                for paragraph in paragraphs
            ],
            Recommendation,
            batch_size=BATCH,
        )
        Recommendation.objects.filter(consultation=consultation).keep_order()  # made in bulk
        recommendations = list(Recommendation.objects.filter(consultation=consultation))
        through = Recommendation.gcm_objectives.through
        through.objects.bulk_create(
            [through(recommendation=r, gcmobjective_id=1 + r.pk % 23) for r in recommendations],
            batch_size=BATCH,
        )

        codes = [code for code, _ in all_countries][: options["countries"]]
        for code in codes:
            Country.objects.get_or_create(code=code)
        country_list = list(Country.objects.filter(code__in=codes))

        commitments = bulk_create_with_history(
            [
                Commitment(recommendation=r, country=c)
                for r in recommendations
                for c in country_list
            ],
            Commitment,
            batch_size=BATCH,
        )
        commitments = list(
            Commitment.objects.filter(recommendation__consultation=consultation).only(
                "pk", "country_id"
            )
        )

        per = options["updates_per_commitment"]
        updates, evidence, deadlines = [], [], []
        statuses = [s for s in Status.values if s != Status.NOT_STARTED]
        for commitment in commitments:
            moment = start
            for _ in range(per):
                moment += dt.timedelta(days=rng.randint(1, 180), seconds=rng.randint(0, 86_399))
                accepted = rng.random() < 0.8
                updates.append(
                    ProgressUpdate(
                        commitment_id=commitment.pk,
                        status=rng.choice(statuses),
                        narrative=rng.choice(NARRATIVES),
                        author=author,
                        review_state="accepted" if accepted else "submitted",
                        reviewer=author if accepted else None,
                        reviewed_at=moment if accepted else None,
                        created_at=moment,
                        is_demo=True,
                    )
                )
            evidence.append(
                Evidence(
                    commitment_id=commitment.pk,
                    country_id=commitment.country_id,
                    date=(start + dt.timedelta(days=rng.randint(0, 900))).date(),
                    title=f"Synthetic evidence {commitment.pk}",
                    visibility=rng.choice(["public", "internal"]),
                    added_by=author,
                    is_demo=True,
                )
            )
            deadlines.append(
                Deadline(
                    commitment_id=commitment.pk,
                    country_id=commitment.country_id,
                    description="Synthetic follow-up",
                    due_date=(now + dt.timedelta(days=rng.randint(-200, 400))).date(),
                    created_by=author,
                    is_demo=True,
                )
            )
        # The many rows below are made up: they get no history rows of their own (the
        # commitments do), which keeps generation within a couple of minutes.
        ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
        Evidence.objects.bulk_create(evidence, batch_size=BATCH)
        Deadline.objects.bulk_create(deadlines, batch_size=BATCH)
        # Fresh statistics for the query planner (as a database in use has them), so that
        # it reads each commitment's updates by index below and in the benchmarks.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.set_public_status(consultation)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the statuses just set too
        return {
            "recommendations": len(recommendations),
            "countries": len(country_list),
            "commitments": len(commitments),
            "progress updates": len(updates),
            "evidence notes": len(evidence),
            "deadlines": len(deadlines),
        }

    @staticmethod
    def set_public_status(consultation) -> None:
        """Each commitment takes the status of its latest accepted update, as on review: one
        UPDATE for all, then a history row each for the state it ends in."""
        latest = ProgressUpdate.objects.filter(
            commitment=OuterRef("pk"), review_state="accepted"
        ).order_by("-created_at", "-pk")
        commitments = Commitment.objects.filter(recommendation__consultation=consultation)
        commitments.update(
            latest_accepted_update=Subquery(latest.values("pk")[:1]),
            status=Coalesce(Subquery(latest.values("status")[:1]), Value(Status.NOT_STARTED)),
            status_date=Subquery(latest.annotate(day=TruncDate("created_at")).values("day")[:1]),
        )
        Commitment.history.bulk_history_create(
            list(commitments.filter(latest_accepted_update__isnull=False)),
            update=True,
            batch_size=BATCH,
        )

    @staticmethod
    def author():
        user, _ = get_user_model().objects.get_or_create(
            username="synthetic", defaults={"first_name": "Synthetic data", "is_active": False}
        )
        return user
