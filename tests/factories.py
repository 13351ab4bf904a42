"""Test data, made by helpers rather than fixtures files."""

from pathlib import Path
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from consultations.importer import import_report_file
from consultations.models import Consultation

SHIPPED_REPORT = (
    settings.BASE_DIR
    / "consultations"
    / "reports"
    / "2022-04-11-border-management-labour-migration.txt"
)
TEST_REPORTS = Path(__file__).parent / "consultations" / "reports"


def make_user(username: str, *, is_staff: bool = False, **fields):
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery staple",
        is_staff=is_staff,
        **fields,
    )


def make_staff(username: str = "staff"):
    """Network staff, named as on a fresh install: through tracker.roles."""
    from tracker import roles

    user = make_user(username)
    roles.grant_network_staff(user)
    return user


def make_consultation(path: Path = SHIPPED_REPORT) -> Consultation:
    """Import a report file, as staff would.

    The shipped report is imported for real once per test process; later tests that start
    from the same data get the same rows written again (each table's rows, history
    included, as the database stored them), which takes a fraction of the time. Any other
    starting point, or any other report, is imported for real."""
    if path != SHIPPED_REPORT:
        return import_report_file(path.read_bytes(), source_name=path.name).consultation
    models = _report_models()
    before = _last_keys(models)
    if _shipped_import is not None and _shipped_import.before == before:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement, rows in _shipped_import.rows:
                cursor.executemany(statement, rows)
        return Consultation.objects.get(pk=_shipped_import.consultation)
    consultation = import_report_file(path.read_bytes(), source_name=path.name).consultation
    _remember_shipped_import(models, before, consultation)
    return consultation


class _ShippedImport(NamedTuple):
    before: tuple
    rows: list  # (INSERT statement, rows of values as the database takes them)
    consultation: int


_shipped_import: _ShippedImport | None = None


def _report_models() -> list:
    return list(apps.get_app_config("consultations").get_models(include_auto_created=True))


def _last_keys(models) -> tuple:
    """The highest primary key of each table, in one query."""
    quote = connection.ops.quote_name
    highest = [
        f"(SELECT MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)})" for m in models
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(highest)}")
        return tuple(value or 0 for value in cursor.fetchone())


def _remember_shipped_import(models, before: tuple, consultation) -> None:
    global _shipped_import
    rows = []
    for model, last in zip(models, before, strict=False):
        fields = model._meta.concrete_fields
        values = model._default_manager.filter(pk__gt=last).order_by("pk")
        values = values.values_list(*[f.attname for f in fields])
        if not values:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        prepared = [
            tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))
            for row in values
        ]
        rows.append((statement, prepared))
    _shipped_import = _ShippedImport(before, rows, consultation.pk)


def make_country(code: str, *, is_champion: bool = True):
    from tracker.models import Country

    return Country.objects.get_or_create(code=code, defaults={"is_champion": is_champion})[0]


def make_focal_point(username: str, *countries, language: str = "en"):
    """A focal point: staff status to log in to the admin, member of the given countries.
    Their emails are in English unless `language` says otherwise ("" for their first
    country's language, as for someone who never chose one)."""
    from tracker import roles
    from tracker.models import Profile

    user = make_user(username)
    roles.grant_focal_point(user, countries, role="Focal point")
    if language:
        Profile.objects.update_or_create(user=user, defaults={"language": language})
    return user


def make_commitment(recommendation, country, **fields):
    from tracker.models import Commitment

    return Commitment.objects.create(recommendation=recommendation, country=country, **fields)


def make_evidence(commitment, by, *, visibility="public", **fields):
    """Evidence as published by whoever adds it directly (staff, on a fresh install); a
    focal point's evidence goes with an update (`update=`)."""
    import datetime as dt

    from tracker import permissions
    from tracker.models import Evidence

    fields = {
        "date": dt.date(2024, 3, 1),
        "title": "Ministerial circular",
        "note": "The circular, in short.",
        "set_by_staff": permissions.is_network_staff(by),
        **fields,
    }
    return Evidence.objects.create(
        commitment=commitment, added_by=by, visibility=visibility, **fields
    )


def make_deadline(commitment, by, *, due_date, **fields):
    from tracker import permissions
    from tracker.models import Deadline

    fields = {
        "description": "Report to the network",
        "set_by_staff": permissions.is_network_staff(by),
        **fields,
    }
    return Deadline.objects.create(
        commitment=commitment, created_by=by, due_date=due_date, **fields
    )


def make_update(commitment, author, *, status="in_progress", accepted_by=None, **fields):
    """A progress update as its author reports it (submitted for review, or published when
    network staff wrote it); accepted when `accepted_by` is given."""
    from tracker import review
    from tracker.models import ProgressUpdate

    fields = {"narrative": "Work has begun.", **fields}
    update = ProgressUpdate(commitment=commitment, status=status, **fields)
    review.report(update, by=author)
    if accepted_by is not None:
        review.accept(update, by=accepted_by, seen_version=update.version)
        update.refresh_from_db()
    return update


def grow_commitments(total: int, *, by, countries, lead_agency: str = "", internal=False):
    """Grow the data to `total` commitments, adding the recommendations of `countries` in
    turn, each with public evidence (and internal, if asked), a past-due deadline and a
    "planned" update by network staff `by`, published at once. Written in bulk with their
    history, through the same path as a spreadsheet upload by staff (review.report_many).
    """
    import datetime as dt

    from simple_history.utils import bulk_create_with_history

    from consultations.models import Recommendation
    from tracker import review
    from tracker.models import Commitment, Deadline, Evidence, ProgressUpdate

    recommendations = list(Recommendation.objects.order_by("pk"))
    have = set(Commitment.objects.values_list("recommendation_id", "country_id"))
    new = []
    for code in countries:
        country = make_country(code)
        for recommendation in recommendations:
            if len(have) + len(new) >= total:
                break
            if (recommendation.pk, country.pk) not in have:
                new.append(
                    Commitment(
                        recommendation=recommendation, country=country, lead_agency=lead_agency
                    )
                )
    if len(have) + len(new) < total:
        raise AssertionError(f"only {len(have) + len(new)} commitments could be made")
    made = bulk_create_with_history(new, Commitment, default_user=by)
    kinds = [("Decree", "public")] + ([("Memo", "internal")] if internal else [])
    evidence = [
        Evidence(
            commitment=commitment,
            country_id=commitment.country_id,
            added_by=by,
            set_by_staff=True,
            date=dt.date(2024, 3, 1),
            title=title,
            note="The circular, in short.",
            visibility=visibility,
        )
        for commitment in made
        for title, visibility in kinds
    ]
    bulk_create_with_history(evidence, Evidence, default_user=by)
    deadlines = [
        Deadline(
            commitment=commitment,
            country_id=commitment.country_id,
            created_by=by,
            set_by_staff=True,
            description="Report to the network",
            due_date=dt.date(2020, 1, 1),
        )
        for commitment in made
    ]
    bulk_create_with_history(deadlines, Deadline, default_user=by)
    updates = [
        ProgressUpdate(commitment=commitment, status="planned", narrative="Work has begun.")
        for commitment in made
    ]
    review.report_many(updates, [], by=by)
