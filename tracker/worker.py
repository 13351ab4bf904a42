"""What django-tasks-db's worker does not do itself: retry a failed task, run again a task
whose worker died, and enqueue the scheduled jobs. `manage.py run_worker` runs the
library's worker with `Housekeeping` beside it.

- Retries: a task that raised is queued again after TASK_RETRY_SECONDS, doubling each
  time, until it has been tried TASK_ATTEMPTS times; then it stays failed, with its
  traceback, in the admin (Task results).
- A worker writes that it is alive every TASK_HEARTBEAT_SECONDS. A task still marked as
  running whose worker has not been seen for TASK_WORKER_LOST_SECONDS (it was killed, its
  host went away) is queued again, as one attempt. A task claimed by a worker that never
  said it was alive (the library's own `db_worker`) is queued again after
  TASK_TIMEOUT_SECONDS.
- Schedule: the daily jobs once a day from DAILY_JOBS_HOUR (local time), the hourly ones
  once an hour, however many workers run (the first to write the run's row enqueues it).
"""

import datetime as dt
import logging
import socket
import threading

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tracker import tasks
from tracker.models import ScheduledRun, TaskWorker

logger = logging.getLogger(__name__)

DAILY = [tasks.send_deadline_reminders, tasks.send_digests, tasks.tidy_up]
HOURLY = [tasks.purge_uploads]


def connect_signals() -> None:
    task_finished.connect(retry_failed, sender=DatabaseBackend, dispatch_uid="tracker.retry")


def retry_failed(sender, task_result, **kwargs) -> None:
    """A task that raised goes back in the queue, later, while it has attempts left."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    attempts = len(task_result.worker_ids)
    if attempts >= settings.TASK_ATTEMPTS:
        logger.error(
            "Task %s (%s) failed %s times; not retried.",
            task_result.id,
            task_result.task.name,
            attempts,
        )
        return
    delay = dt.timedelta(seconds=settings.TASK_RETRY_SECONDS * 2 ** (attempts - 1))
    DBTaskResult.objects.filter(id=task_result.id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now() + delay, finished_at=None
    )
    logger.warning(
        "Task %s (%s) failed (attempt %s); retried in %s.",
        task_result.id,
        task_result.task.name,
        attempts,
        delay,
    )


def beat(worker_id: str, now: dt.datetime | None = None) -> None:
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now or timezone.now()},
        create_defaults={"seen_at": now or timezone.now(), "host": socket.gethostname()},
    )


def requeue_lost(now: dt.datetime | None = None) -> int:
    """Queue again the tasks whose worker died; returns how many."""
    now = now or timezone.now()
    lost_before = now - dt.timedelta(seconds=settings.TASK_WORKER_LOST_SECONDS)
    timeout_before = now - dt.timedelta(seconds=settings.TASK_TIMEOUT_SECONDS)
    seen = dict(TaskWorker.objects.values_list("worker_id", "seen_at"))
    requeued = 0
    running = DBTaskResult.objects.running().only("id", "worker_ids", "started_at", "task_path")
    for result in running:
        worker_id = result.worker_ids[-1] if result.worker_ids else None
        if worker_id in seen:
            lost = seen[worker_id] < lost_before
        else:
            lost = result.started_at is None or result.started_at < timeout_before
        if not lost:
            continue
        still_running = DBTaskResult.objects.filter(id=result.id, status=TaskResultStatus.RUNNING)
        if len(result.worker_ids) >= settings.TASK_ATTEMPTS:
            still_running.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="tracker.worker.WorkerLost",
                traceback=f"Worker {worker_id} stopped while running it, at the last attempt.",
            )
            logger.error(
                "Task %s (%s): its worker %s stopped; no attempt left.",
                result.id,
                result.task_path,
                worker_id,
            )
        elif still_running.update(status=TaskResultStatus.READY, run_after=now):
            requeued += 1
            logger.warning(
                "Task %s (%s): its worker %s stopped; queued again.",
                result.id,
                result.task_path,
                worker_id,
            )
    return requeued


def requeue_claimed_by(worker_id: str) -> int:
    """Queue again what a worker had claimed when its loop stopped on an error (it runs
    one task at a time, so none of them is still running); returns how many."""
    requeued = 0
    for result in DBTaskResult.objects.running().only("id", "worker_ids"):
        if result.worker_ids and result.worker_ids[-1] == worker_id:
            requeued += DBTaskResult.objects.filter(
                id=result.id, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY, run_after=timezone.now())
    return requeued


def enqueue_scheduled(now: dt.datetime | None = None) -> list[str]:
    """Enqueue the daily and hourly jobs not yet enqueued for this day or hour; returns
    their names."""
    local = timezone.localtime(now or timezone.now())
    due = [(job, local.strftime("%Y-%m-%dT%H")) for job in HOURLY]
    if local.hour >= settings.DAILY_JOBS_HOUR:
        due += [(job, local.date().isoformat()) for job in DAILY]
    enqueued = []
    for job, period in due:
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, period=period)
                tasks.later(job)
        except IntegrityError:
            continue  # enqueued by this or another worker already
        enqueued.append(job.name)
    return enqueued


def forget_old(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    before = now - dt.timedelta(days=settings.TASK_KEEP_DAYS)
    finished = DBTaskResult.objects.finished().filter(finished_at__lt=before)
    return {
        "tasks": finished.delete()[0],
        "scheduled runs": ScheduledRun.objects.filter(enqueued_at__lt=before).delete()[0],
        "workers": TaskWorker.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()[0],
    }


class Housekeeping:
    """Runs beside a worker, in a thread of its process: says the worker is alive, queues
    again the tasks of dead workers, enqueues the scheduled jobs."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def once(self) -> None:
        beat(self.worker_id)
        requeue_lost()
        enqueue_scheduled()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                self.once()
            except Exception:  # the database away for a moment: try again at the next beat
                logger.exception("Worker housekeeping failed; trying again.")
            self.stopped.wait(settings.TASK_HEARTBEAT_SECONDS)

    def start(self) -> threading.Thread:
        self.once()  # alive before the first task is claimed
        thread = threading.Thread(target=self.run, name="housekeeping", daemon=True)
        thread.start()
        return thread
