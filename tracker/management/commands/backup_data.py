import tarfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone


def file_folders() -> dict[str, Path]:
    """Uploaded files, by their name in the archive: evidence (kept apart, see
    tracker.storage) and the rest of MEDIA_ROOT."""
    return {
        "media": Path(settings.MEDIA_ROOT),
        "evidence": Path(storages["evidence"].location),
    }


# Rebuilt by `migrate` (content types, permissions) or not worth keeping (sessions, and
# uploads waiting an hour at most for their confirmation).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "tracker.pendingupload"]


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
            for name, path in file_folders().items():
                if path.exists():
                    archive.add(path, arcname=name)
        self.stdout.write(f"Backed up to {folder}")
