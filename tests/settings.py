"""The settings of the suite: the project's, with tasks run at once (after the transaction
commits, as tracker.tasks.later enqueues them) instead of by a worker. The worker itself is
tested with the database backend (tests/tracker/test_background_tasks.py)."""

from tracker.settings import *  # noqa: F403

TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
