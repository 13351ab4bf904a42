"""Where evidence files are kept: a storage of their own, which no URL serves.

Files are downloaded only through the view that checks who may see them
(tracker.views.evidence_file); the storage is settings.STORAGES["evidence"].
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class EvidenceStorage(LazyObject):
    """STORAGES["evidence"], looked up when first used (and again if the setting changes)."""

    def _setup(self):
        self._wrapped = storages["evidence"]


evidence = EvidenceStorage()


def evidence_storage():
    return evidence


def _storages_changed(*, setting, **kwargs) -> None:
    if setting == "STORAGES":
        evidence._wrapped = empty


setting_changed.connect(_storages_changed)
