"""Evidence files in S3-compatible object storage (SeaweedFS on 127.0.0.1): kept private in
the bucket, downloaded only through the view that checks who may see them, carried by
backups, moved in and out by a command; a store that does not answer refuses the upload
cleanly and leaves the pages serving."""

import tarfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import make_evidence
from tests.storage.seaweed import free_ports
from tests.tracker.test_reporting import IMPLEMENTED_WITH_FILE, PDF, a_pdf, report
from tracker.models import Evidence, ProgressUpdate
from tracker.storage import every_file

pytestmark = pytest.mark.django_db


def anonymous_get(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_focal_points_file_goes_to_the_private_bucket_and_back_through_the_view(
    object_store, kh_client, world, settings
):
    response = report(kh_client, world.kh_31, files=a_pdf(), **IMPLEMENTED_WITH_FILE)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    key = f"evidence/{evidence.file.name}"
    assert object_store.names() == [key]
    # Nothing on the disk, and the object is not readable without the keys.
    assert list(every_file(FileSystemStorage(settings.EVIDENCE_ROOT))) == []
    assert anonymous_get(f"{object_store.endpoint}/{object_store.bucket}/{key}") == 403
    # Staff download it through the view; nobody else before it is accepted.
    kh_client.force_login(world.staff)
    download = kh_client.get(f"/evidence/{evidence.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert Client().get(f"/evidence/{evidence.pk}/file/").status_code == 404  # anonymous


@pytest.mark.django_db(transaction=True)  # a backup takes its own snapshot transaction
def test_backups_carry_the_stored_files_and_restore_puts_them_back(
    object_store, world, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = make_evidence(world.kh_31, world.staff, title="Circular")
    from django.core.files.base import ContentFile

    evidence.file.save("circular.pdf", ContentFile(PDF))
    call_command("backup_data", output=tmp_path / "backup")
    with tarfile.open(tmp_path / "backup" / "media.tar.gz") as archive:
        assert f"evidence/{evidence.file.name}" in archive.getnames()

    object_store.client().delete_object(
        Bucket=object_store.bucket, Key=f"evidence/{evidence.file.name}"
    )
    assert object_store.names() == []
    call_command("restore_data", tmp_path / "backup", no_input=True)
    assert object_store.names() == [f"evidence/{evidence.file.name}"]
    assert Evidence.objects.get(title="Circular").file.read() == PDF


def test_files_move_into_the_store_and_back_out(seaweed, world, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    disk = FileSystemStorage(location=settings.EVIDENCE_ROOT)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.EVIDENCE_ROOT},
        },
    }
    evidence = make_evidence(world.kh_31, world.staff, title="Circular")
    from django.core.files.base import ContentFile

    evidence.file.save("circular.pdf", ContentFile(PDF))
    name = evidence.file.name
    with pytest.raises(CommandError, match="S3_ENDPOINT_URL is not set"):
        call_command("move_evidence_files", "--into-store")

    for stale in seaweed.names():
        seaweed.client().delete_object(Bucket=seaweed.bucket, Key=stale)
    settings.STORAGES = {**settings.STORAGES, "evidence": seaweed.storage_setting()}
    call_command("move_evidence_files", "--into-store")
    assert seaweed.names() == [f"evidence/{name}"]
    assert not disk.exists(name)
    assert Evidence.objects.get().file.read() == PDF  # the record needed no change

    call_command("move_evidence_files", "--out-of-store")
    assert seaweed.names() == []
    assert disk.open(name).read() == PDF


def test_a_store_that_does_not_answer_refuses_the_upload_and_writes_nothing(
    object_store, kh_client, world, settings
):
    closed = free_ports(1)[0]  # nothing listens there
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": object_store.storage_setting(f"http://127.0.0.1:{closed}"),
    }
    response = report(kh_client, world.kh_31, files=a_pdf(), **IMPLEMENTED_WITH_FILE)
    assert response.status_code == 200
    assert (
        "The file could not be stored: the file store did not answer. Nothing was saved; "
        "send the report again in a few minutes."
    ) in response.text
    assert not Evidence.objects.exists()
    assert not ProgressUpdate.objects.exists()
    # What the focal point typed is still in the form.
    assert "The decree was signed." in response.text
    # Pages without files still serve.
    assert Client().get("/").status_code == 200
    assert Client().get("/recommendations/BM22-R31/").status_code == 200


def test_an_admin_form_whose_file_the_store_refuses_says_so_and_saves_nothing(
    object_store, client, world, settings
):
    from tests.tracker.test_evidence_files import UPDATE_ADD_URL, update_form, upload

    client.force_login(world.focal_kh)
    data = update_form(client, world.kh_31, upload("circular.pdf", PDF))
    closed = free_ports(1)[0]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": object_store.storage_setting(f"http://127.0.0.1:{closed}"),
    }
    response = client.post(UPDATE_ADD_URL, data, follow=True)
    assert response.status_code == 200
    assert "The file could not be stored: the file store did not answer." in response.text
    assert not Evidence.objects.exists()
    assert not ProgressUpdate.objects.exists()


def test_a_report_uploaded_for_import_waits_in_the_store_for_the_worker_that_reads_it(
    object_store, world, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultations.models import ReportFile

    client.force_login(world.staff)
    pdf = SimpleUploadedFile("report.pdf", PDF)
    with django_capture_on_commit_callbacks() as queued:
        asked = client.post("/admin/consultations/consultation/import/", {"file": pdf})
    assert asked.status_code == 302
    kept = ReportFile.objects.get()
    assert object_store.names() == [f"uploads/{kept.file.name}"]
    [read] = queued
    read()  # by a worker, wherever it runs
    assert object_store.names() == []
    kept.refresh_from_db()
    assert kept.error.startswith("report.pdf, ")  # a one-page PDF, not a report
    assert "report.pdf, " in client.get(asked["Location"]).text


def test_files_of_the_same_name_sent_at_the_same_moment_are_both_kept(object_store, world):
    def save(content: bytes) -> str:
        evidence = Evidence(commitment=world.kh_31, title="Circular", visibility="internal")
        evidence.file.save("circular.pdf", ContentFile(content), save=False)
        return evidence.file.name

    # Twenty pairs, each pair saved at the same moment (as two hosts would).
    with ThreadPoolExecutor(2) as pool:
        pairs = [list(pool.map(save, [b"%PDF first", b"%PDF second"])) for _ in range(20)]
    names = [name for pair in pairs for name in pair]
    assert len(set(names)) == 40
    assert all(name.startswith("evidence/") and name.endswith("/circular.pdf") for name in names)
    store = Evidence._meta.get_field("file").storage
    for first, second in pairs:
        assert store.open(first).read() == b"%PDF first"
        assert store.open(second).read() == b"%PDF second"
