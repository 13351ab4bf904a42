"""Settings come from the environment; production settings pass Django's deployment checks."""

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import manage

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x8Jq2-vN4r7LpQz0sWm5tYc3bHf9dKa6gUe1iOo8nRl2jXw7Tv",
    "ALLOWED_HOSTS": "tracker.example.org",
}


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_application_leaves_what_it_loaded_out_of_the_garbage_collectors_passes():
    # Frozen at import: a full pass then walks what requests make, not Django and the URLs.
    script = (
        "import gc, tracker.wsgi; frozen = gc.get_freeze_count();"
        "print(frozen, len(gc.get_objects()), frozen > 50_000)"
    )
    result = manage("shell", "-c", script, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    frozen, tracked, many = result.stdout.splitlines()[-1].split()
    assert many == "True" and int(tracked) < int(frozen) / 10, result.stdout


def test_the_application_collects_young_objects_every_50_000_not_every_2_000():
    # A page makes hundreds of objects; Python's default collected them every 2,000.
    script = (
        "import gc, tracker.wsgi; before = gc.get_stats()[0]['collections'];"
        "made = [[] for _ in range(20_000)];"
        "print(gc.get_stats()[0]['collections'] - before, gc.get_threshold()[0])"
    )
    result = manage("shell", "-c", script, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["0", "50000"], result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", **{**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_booleans_accept_only_true_or_false():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_sqlite_waits_for_the_write_lock_instead_of_failing():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the suite runs on PostgreSQL")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_postgresql_uses_the_connection_pool():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the suite runs on SQLite")
    assert database["OPTIONS"]["pool"]
    assert database["CONN_MAX_AGE"] == 0


def _prepared_after_six_runs(**env: str) -> str:
    """What PostgreSQL holds prepared on a connection that ran one query six times."""
    script = (
        "from django.db import connection; from tracker.models import Country;"
        "[list(Country.objects.filter(code='KH')) for _ in range(6)];"
        "cursor = connection.cursor();"
        "cursor.execute('SELECT statement FROM pg_prepared_statements');"
        "print(repr([row[0] for row in cursor.fetchall()]))"
    )
    result = manage("shell", "-c", script, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_postgresql_plans_a_query_run_again_and_again_once(db):
    database = connection.settings_dict  # the suite's database
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the suite runs on SQLite")
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**database)
    assert "tracker_country" in _prepared_after_six_runs(DATABASE_URL=url)
    # Off behind a pooler in transaction mode, which cannot keep them.
    off = _prepared_after_six_runs(DATABASE_URL=url, DB_PREPARED_STATEMENTS="false")
    assert off == "[]"
