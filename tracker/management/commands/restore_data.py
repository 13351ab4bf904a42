import shutil
import tarfile
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from consultations.models import Recommendation
from tracker import page_cache, storage
from tracker.management.commands.backup_data import EVIDENCE, media_folder


class Command(BaseCommand):
    help = (
        "Replace all data and uploaded files with those of a backup folder made by "
        "backup_data. The database must be migrated first."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--no-input", action="store_true", help="Do not ask to confirm.")

    def handle(self, *args, folder: Path, no_input: bool, **options):
        data, media = folder / "data.json", folder / "media.tar.gz"
        if not data.exists():
            raise CommandError(f"{folder} holds no data.json: not a backup folder.")
        if not no_input and input("This replaces ALL data. Type 'yes' to go on: ") != "yes":
            raise CommandError("Nothing was restored.")
        # The backup holds the history too: loading writes none of its own (a recommendation's
        # tags would, through django-simple-history's m2m signal, which loaddata's raw saves
        # do not silence).
        with (
            page_cache.bulk_changes(),
            transaction.atomic(),
            override_settings(SIMPLE_HISTORY_ENABLED=False),
        ):
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(data), verbosity=0)
            # Copied, not trusted from the backup (which may predate the copies).
            Recommendation.objects.keep_order()
        files = 0
        if media.exists():
            with tempfile.TemporaryDirectory() as unpacked, tarfile.open(media) as archive:
                archive.extractall(unpacked, filter="data")
                target, source = media_folder(), Path(unpacked) / "media"
                if target.exists():
                    shutil.rmtree(target)
                if source.exists():
                    shutil.copytree(source, target)
                files = storage.restore(archive, EVIDENCE, storage.evidence)
        self.stdout.write(f"Restored from {folder} ({files} evidence files)")
