"""Work done in the background by `manage.py run_worker`, through Django's tasks framework
with django-tasks-db's backend (tasks are rows of the project's database).

Every task here is safe to run twice: a task is retried when it fails and run again when
its worker died (tracker.worker), so each one checks what is already done. `later`
enqueues a task with the change that calls for it."""

from django.tasks import task

from consultations.tasks import later

__all__ = ["later"]


@task
def send_email(email_id: int) -> str:
    """Send one email of the outbox, unless it was sent already."""
    from tracker import outbox

    return outbox.deliver(email_id)


@task
def send_deadline_reminders() -> int:
    """The day's deadline reminders (each deadline and person once a day)."""
    from tracker import reminders

    return len(reminders.send_deadline_reminders())


@task
def send_digests() -> dict:
    """The followers' digests (each address once a day), then addresses never confirmed
    are deleted."""
    from tracker.following import service

    return {"sent": service.send_digests(), "deleted": service.delete_unconfirmed()}


@task
def purge_uploads() -> int:
    """Spreadsheet uploads left unconfirmed, and reports uploaded for import but not
    imported, past their hour."""
    from consultations import reading
    from tracker import uploads

    return uploads.purge() + reading.purge()


@task
def prepare_download(download_id: int) -> str:
    """A download too big to make within a request (tracker.downloads)."""
    from tracker import downloads

    return downloads.make(download_id)


@task
def tidy_up() -> dict:
    """Daily: emails sent more than EMAIL_KEEP_DAYS ago, finished tasks and scheduled runs
    more than TASK_KEEP_DAYS old, workers not seen for a day, downloads asked more than
    DOWNLOAD_KEEP_HOURS ago."""
    from tracker import downloads, outbox, worker

    return {
        "emails": outbox.forget_old(),
        "downloads": downloads.forget_old(),
        **worker.forget_old(),
    }
