"""A backup restored gives back the same progress table and the same uploaded files."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from consultations.models import Recommendation
from tests.factories import make_deadline, make_evidence, make_update
from tracker.models import Commitment, Evidence, ProgressUpdate

pytestmark = pytest.mark.django_db(transaction=True)


def export(client) -> bytes:
    response = client.get(reverse("tracker:progress_export", args=["csv"]))
    return b"".join(response.streaming_content)


def test_export_after_restore_is_identical_to_before(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_update(world.kh_31, world.focal_kh, status="planned", accepted_by=world.staff)
    make_update(world.th_32, world.focal_th, narrative="Waiting for review")
    evidence = make_evidence(world.kh_31, world.focal_kh, title="Signed circular")
    evidence.file.save("circular.pdf", ContentFile(b"%PDF-1.4 circular"))
    make_deadline(world.kh_32, world.staff, due_date=dt.date(2030, 1, 1))
    before = export(client)
    histories = {model._meta.label: model.history.count() for model in (Recommendation, Commitment)}
    backup = tmp_path / "backup"
    call_command("backup_data", output=backup)

    # Lose everything, files included.
    call_command("flush", interactive=False, verbosity=0)
    evidence.file.storage.delete(evidence.file.name)
    assert Commitment.objects.count() == 0

    call_command("restore_data", backup, no_input=True)
    assert export(client) == before
    assert ProgressUpdate.objects.count() == 2
    restored = Evidence.objects.get(title="Signed circular")
    assert restored.file.read() == b"%PDF-1.4 circular"
    assert restored.history.count() == evidence.history.count()
    # The history comes back as it was: loading writes none of its own (the m2m tags of a
    # recommendation would, and on PostgreSQL their ids would collide with the loaded ones).
    assert {
        model._meta.label: model.history.count() for model in (Recommendation, Commitment)
    } == histories


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore_data", tmp_path, no_input=True)
