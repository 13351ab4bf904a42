import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from tracker import storage


def media_folder() -> Path:
    """Uploaded files other than evidence, archived as media/."""
    return Path(settings.MEDIA_ROOT)


# Evidence is archived as evidence/, read through its storage wherever it lives (a folder
# of the disk or an object store, see tracker.storage).
EVIDENCE = "evidence"


# Rebuilt by `migrate` (content types, permissions), counted again by the restore (the
# figures' tallies, tracker.stats) or not worth keeping (sessions, and uploads waiting an
# hour at most for their confirmation).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "tracker.pendingupload",
    "tracker.tally",
    "tracker.countedcommitment",
]


class Command(BaseCommand):
    help = (
        "Back up the data (as portable JSON, for SQLite and PostgreSQL alike) and the "
        "uploaded files (evidence and the rest) into a new folder under backups/ (or --output)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Folder to write (must not exist).")

    def handle(self, *args, output: Path | None, **options):
        folder = output or settings.BASE_DIR / "backups" / timezone.now().strftime("%Y%m%d-%H%M%S")
        folder.mkdir(parents=True, exist_ok=False)
        data = folder / "data.json"
        # One snapshot for every table, so that a backup taken while people work is whole.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                *[f"--exclude={label}" for label in EXCLUDED],
                natural_foreign=True,
                natural_primary=True,
                indent=1,
                output=str(data),
            )
        with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
            if media_folder().exists():
                archive.add(media_folder(), arcname="media")
            files = storage.archive(storage.evidence, archive, EVIDENCE)
        self.stdout.write(f"Backed up to {folder} ({files} evidence files)")
