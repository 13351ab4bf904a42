"""Faults: the site served by gunicorn, as in the load test, against a PostgreSQL cluster of
the test's own that the test may stop and start again.

The cluster is made with `initdb` in a temporary folder (PostgreSQL 15's programs, or those
in POSTGRES_BIN), trusts local connections, listens on a free port of 127.0.0.1 and on a
socket in that folder, and is stopped when the test ends, pass or fail; the machine's own
PostgreSQL server is never touched. PostgreSQL refuses to run as root: as root its programs
run as `nobody`, who owns the folder. Where the cluster or gunicorn cannot run, the tests
are skipped, except under CI=true, where that is a failure."""

import contextlib
import http.client
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import manage
from tests.storage.seaweed import free_ports

POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
UNPRIVILEGED_USER = "nobody"
WORKERS = 2


def unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"The fault tests must run under CI=true: {reason}")
    pytest.skip(reason)


@dataclass
class Cluster:
    folder: Path
    port: int
    run_as: list[str]  # the command that runs a program as PostgreSQL's user

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.run_as, str(POSTGRES_BIN / program), *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def log(self) -> str:
        path = self.folder / "postgres.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k '{self.folder}' -c fsync=off"
        result = self.run(
            "pg_ctl", "start", "--wait", "--timeout=60", "-D", str(self.data),
            "-l", str(self.folder / "postgres.log"), "-o", options,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {result.stderr}{self.log()}")

    def stop(self, mode: str = "fast") -> None:
        result = self.run(
            "pg_ctl", "stop", "--wait", "--timeout=60", "-m", mode, "-D", str(self.data)
        )
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {result.stderr}{self.log()}")

    def is_running(self) -> bool:
        return self.run("pg_ctl", "status", "-D", str(self.data)).returncode == 0


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        unavailable("PostgreSQL will not run as root, and runuser is missing")
    return ["runuser", "-u", UNPRIVILEGED_USER, "--"]


@pytest.fixture
def postgres() -> Iterator[Cluster]:
    """A running cluster of this test's own, with the project's tables and the demo data
    (the shipped report and the demo accounts)."""
    if not all((POSTGRES_BIN / program).exists() for program in ("initdb", "pg_ctl")):
        unavailable(f"PostgreSQL's initdb and pg_ctl are not in {POSTGRES_BIN}")
    run_as = _run_as()
    with contextlib.ExitStack() as cleanup:
        # In the system's temporary folder, not pytest's: the unprivileged user must reach it.
        folder = Path(tempfile.mkdtemp(prefix="gcm-postgres-"))
        cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
        if run_as:
            user = pwd.getpwnam(UNPRIVILEGED_USER)
            os.chown(folder, user.pw_uid, user.pw_gid)
        (port,) = free_ports(1)
        cluster = Cluster(folder, port, run_as)
        made = cluster.run(
            "initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        if made.returncode != 0:
            unavailable(f"initdb failed: {made.stderr[-1000:]}")
        try:
            cluster.start()
        except RuntimeError as error:
            unavailable(str(error))

        @cleanup.callback
        def stop():
            if cluster.is_running():
                cluster.stop("immediate")

        for command in (["migrate", "--no-input", "-v0"], ["load_demo"]):
            result = manage(
                *command, timeout=300, DATABASE_URL=cluster.url, CACHE_DIR=str(folder / "cache")
            )
            assert result.returncode == 0, result.stdout + result.stderr
        yield cluster


@dataclass
class Site:
    port: int
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def is_running(self) -> bool:
        return self.process.poll() is None


@pytest.fixture
def site(postgres: Cluster) -> Iterator[Site]:
    """The app served by gunicorn (WORKERS workers) with the load test's settings, on the
    cluster; its page cache in the cluster's folder."""
    (port,) = free_ports(1)
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV",)}
    environment |= {
        "DATABASE_URL": postgres.url,
        "DEBUG": "false",
        "SECRET_KEY": "fault-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CACHE_DIR": str(postgres.folder / "cache"),
    }
    log_path = postgres.folder / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "tracker.wsgi",
                "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
                "--log-level", "warning",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Site(port, process, log_path)
    try:
        deadline = time.monotonic() + 60
        while not _answers_health(port):
            if process.poll() is not None:
                unavailable(f"gunicorn stopped at start: {server.log()[-1000:]}")
            if time.monotonic() > deadline:
                unavailable("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers_health(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/health/")
        return connection.getresponse().status == 200
    except OSError:
        return False
