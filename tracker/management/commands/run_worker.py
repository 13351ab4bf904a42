import contextlib
import logging
import time

from django.conf import settings
from django.db import OperationalError
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
        """The database went away (a restart): once it answers, what this worker had
        claimed is queued again, and the worker goes on."""
        logger.warning(
            "The database did not answer; worker %s tries again in %s s.",
            worker_id,
            settings.TASK_HEARTBEAT_SECONDS,
            exc_info=True,
        )
        time.sleep(settings.TASK_HEARTBEAT_SECONDS)
        with contextlib.suppress(OperationalError):  # still down: the next turn tries again
            worker.requeue_claimed_by(worker_id)
