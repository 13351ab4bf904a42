"""Background tasks of the consultations (Django's tasks framework; see tracker.worker for
the worker, its retries and its schedule)."""

from django.db import transaction
from django.tasks import task
from django_tasks_db import DatabaseBackend


def later(job, *args) -> None:
    """Enqueue `job` with the change being made: in its transaction when tasks are kept in
    the database (the change and its task are written together, or neither), after the
    transaction commits with any other backend (which may run it at once, and must not act
    on a change that can still roll back)."""
    if isinstance(job.get_backend(), DatabaseBackend):
        job.enqueue(*args)
    else:
        transaction.on_commit(lambda: job.enqueue(*args))


@task
def read_report_file(report_file_id: int) -> str:
    """Read an uploaded report into text (a PDF takes seconds)."""
    from consultations import reading

    return reading.read(report_file_id)
