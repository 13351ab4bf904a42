"""Storages named in settings.STORAGES, for file fields: looked up when first used, and
again whenever the setting changes (as a field's storage is fixed when its model is
defined, before a test or a deployment may change it)."""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty

_made: list["NamedStorage"] = []


class NamedStorage(LazyObject):
    def __init__(self, alias: str):
        super().__init__()
        self.__dict__["alias"] = alias
        _made.append(self)

    def _setup(self):
        self._wrapped = storages[self.__dict__["alias"]]


def _storages_changed(*, setting, **kwargs) -> None:
    if setting == "STORAGES":
        for storage in _made:
            storage._wrapped = empty


setting_changed.connect(_storages_changed)

uploads = NamedStorage("uploads")


def uploads_storage():
    """settings.STORAGES["uploads"]: a folder of the disk, or the object store's uploads/."""
    return uploads
