"""Spreadsheet uploads between their preview and their confirmation.

An upload is held in memory while it is checked and previewed. Only a preview that can
be confirmed keeps the file, in the database (`PendingUpload`), for its user alone, for an
hour at most; a user keeps at most MAX_PER_USER of them (a new one replaces the oldest).
Refused files and previews with errors are never written anywhere. Confirming claims the
upload once (a second confirmation finds nothing to claim) and removes it.

`PendingUploadStorage` is the temporary storage django-import-export is given
(IMPORT_EXPORT_TMP_STORAGE_CLASS). Expired uploads are removed by every new preview and
by `manage.py purge_uploads`.
"""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from import_export.tmp_storages import BaseStorage

from tracker.models import PendingUpload

LIFETIME = dt.timedelta(hours=1)
MAX_PER_USER = 3


class PendingUploadStorage(BaseStorage):
    """save() holds the bytes in memory (nothing is written); read() returns them, or those
    of the pending upload this storage is named after; remove() deletes that upload."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.read_mode = "rb"
        self.data: bytes | None = None

    def save(self, data):
        self.name = secrets.token_urlsafe(32)
        self.data = data

    def read(self):
        if self.data is None:
            stored = PendingUpload.objects.filter(token=self.name).values_list("data", flat=True)
            self.data = bytes(stored.first() or b"")
        return self.data

    def remove(self):
        PendingUpload.objects.filter(token=self.name).delete()


def keep(
    *, user, token: str, data: bytes, file_name: str, file_format: str, versions: dict
) -> None:
    """Keep a previewed upload for its confirmation."""
    with transaction.atomic():
        purge()
        mine = PendingUpload.objects.filter(user=user).order_by("-created_at", "-pk")
        older = list(mine.values_list("pk", flat=True)[MAX_PER_USER - 1 :])
        PendingUpload.objects.filter(pk__in=older).delete()
        PendingUpload.objects.create(
            token=token,
            user=user,
            file_name=file_name[:255],
            file_format=file_format,
            data=data,
            versions=versions,
        )


def claim(*, user, token: str) -> PendingUpload | None:
    """The user's pending upload, claimed for its confirmation: None when there is none
    (confirmed already, replaced, expired, or another user's)."""
    now = timezone.now()
    claimed = PendingUpload.objects.filter(
        token=token, user=user, claimed_at=None, created_at__gt=now - LIFETIME
    ).update(claimed_at=now)
    if not claimed:
        return None
    return PendingUpload.objects.defer("data").get(token=token)


def purge() -> int:
    """Remove uploads older than LIFETIME; returns how many."""
    deleted, _ = PendingUpload.objects.filter(created_at__lte=timezone.now() - LIFETIME).delete()
    return deleted
