import logging
import time

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections
from django_tasks_db.management.commands import db_worker

from tracker import worker

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = (
        "Run background tasks (emails, reminders, digests, big downloads, reading reports) "
        "until stopped, and enqueue the scheduled ones. Run one or more on any host; each "
        "takes the options of django-tasks-db's db_worker."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        housekeeping = worker.Housekeeping(worker_id)
        housekeeping.start()
        try:
            while True:
                try:
                    return super().handle(*args, **options)
                except OperationalError:
                    self.wait_for_the_database(worker_id)
        finally:
            housekeeping.stopped.set()

    def wait_for_the_database(self, worker_id: str) -> None:
        """The database went away (a restart): once it answers again, what this worker had
        claimed is queued again, and the worker goes on (not before: its task would be left
        running, claimed by nobody at work)."""
        logger.warning(
            "The database did not answer; worker %s tries again in %s s.",
            worker_id,
            settings.TASK_HEARTBEAT_SECONDS,
            exc_info=True,
        )
        while True:
            time.sleep(settings.TASK_HEARTBEAT_SECONDS)
            close_old_connections()  # a broken connection is opened anew
            try:
                worker.requeue_claimed_by(worker_id)
                return
            except DatabaseError:  # still down, or busy: the next beat tries again
                continue
