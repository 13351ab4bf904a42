from django_tasks_db.management.commands import db_worker

from tracker.worker import Housekeeping


class Command(db_worker.Command):
    help = (
        "Run background tasks (emails, reminders, digests, purges) until stopped, and enqueue "
        "the scheduled ones. Run one or more on any host; each takes the options of "
        "django-tasks-db's db_worker."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        Housekeeping(options["worker_id"]).start()
        super().handle(*args, **options)
