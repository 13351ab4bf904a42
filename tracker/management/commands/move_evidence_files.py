from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError

from tracker import storage


class Command(BaseCommand):
    help = (
        "Move evidence files between the disk (EVIDENCE_ROOT) and the object store that "
        "S3_ENDPOINT_URL names: --into-store after setting up the store, --out-of-store to "
        "leave it. Each file is copied, checked, then removed from where it was; names stay, "
        "so the evidence records need no change. Running it again moves what is left."
    )

    def add_arguments(self, parser):
        direction = parser.add_mutually_exclusive_group(required=True)
        direction.add_argument("--into-store", action="store_true")
        direction.add_argument("--out-of-store", action="store_true")

    def handle(self, *args, into_store: bool, out_of_store: bool, **options):
        disk = FileSystemStorage(location=settings.EVIDENCE_ROOT)
        store = storages["evidence"]
        if isinstance(store, FileSystemStorage):
            raise CommandError(
                "Evidence files are kept on the disk (S3_ENDPOINT_URL is not set): there is "
                "no object store to move them into or out of."
            )
        source, target = (disk, store) if into_store else (store, disk)
        moved = 0
        for name in list(storage.every_file(source)):
            with source.open(name, "rb") as content:
                storage.put(target, name, content)
            if target.size(name) != source.size(name):
                raise CommandError(f"{name}: the copy differs in size; it was left where it was.")
            source.delete(name)
            moved += 1
        where = "into the object store" if into_store else f"to {settings.EVIDENCE_ROOT}"
        self.stdout.write(f"Moved {moved} evidence files {where}.")
