"""Where evidence files are kept: a storage of their own, which no URL serves.

Files are downloaded only through the view that checks who may see them
(tracker.views.evidence_file); the storage is settings.STORAGES["evidence"]: a folder of
the disk, or, with S3_ENDPOINT_URL, a private bucket of an S3-compatible object store.
Backups, restores and moving files between the two go through the storage, wherever the
files live.
"""

import secrets
import tarfile

from django.core.files import File
from django.utils import timezone

from consultations.storage import NamedStorage

evidence = NamedStorage("evidence")


def evidence_storage():
    return evidence


def store_errors() -> tuple[type[BaseException], ...]:
    """What a file store raises when it cannot keep or give back a file: a full or missing
    disk, an object store that does not answer or refuses."""
    errors: list[type[BaseException]] = [OSError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover (installed with django-storages[s3])
        return tuple(errors)
    return (*errors, BotoCoreError, ClientError)


def forget(names) -> None:
    """Remove files stored for a change that was then refused (nothing half-written);
    a store that does not answer keeps them, as it keeps nothing else either."""
    for name in names:
        try:
            evidence.delete(name)
        except store_errors():
            pass


def every_file(store, folder: str = ""):
    """The names of all files in a store (a folder of the disk or an object store)."""
    try:
        folders, files = store.listdir(folder)
    except FileNotFoundError:  # a disk store's folder not made yet: nothing stored
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in folders:
        yield from every_file(store, f"{folder}/{name}" if folder else name)


def put(store, name: str, content) -> None:
    """Store content under exactly this name (replacing what was there)."""
    if store.exists(name):
        store.delete(name)
    kept = store.save(name, File(content, name=name))
    if kept != name:  # pragma: no cover (a store that renames what it is given)
        raise OSError(f"{name} was stored as {kept}")


def archive(store, tar: tarfile.TarFile, prefix: str) -> int:
    """Add every file of the store to the archive under prefix/; returns how many."""
    count = 0
    for name in every_file(store):
        with store.open(name, "rb") as content:
            info = tarfile.TarInfo(f"{prefix}/{name}")
            info.size = store.size(name)
            tar.addfile(info, content)
        count += 1
    return count


def restore(tar: tarfile.TarFile, prefix: str, store) -> int:
    """Make the store hold exactly the archive's files under prefix/; returns how many."""
    for name in list(every_file(store)):
        store.delete(name)
    count = 0
    for member in tar.getmembers():
        if member.isfile() and member.name.startswith(f"{prefix}/"):
            put(store, member.name.removeprefix(f"{prefix}/"), tar.extractfile(member))
            count += 1
    return count


def evidence_name(instance, filename: str) -> str:
    """Where a new evidence file is kept: evidence/<year>/<month>/<a random folder>/<its
    name>. The folder of its own means two files of the same name sent at the same moment
    never take one name: an object store cannot check that a name is free and take it in
    one step, and the second would replace the first."""
    return f"evidence/{timezone.now():%Y/%m}/{secrets.token_hex(8)}/{filename}"
