"""A worker killed in the middle of a task: another worker runs the task again, once, and
its email goes out once. Real processes (`manage.py run_worker`) on a database of their
own, SQLite or, when the suite runs on PostgreSQL, a database created for the test."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import manage

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {seconds} s for {what}.")
        time.sleep(0.1)


@pytest.fixture
def own_database(tmp_path):
    """Environment variables pointing a process at a new, migrated database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SQLITE_PATH", "TASKS_BACKEND"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.tasks.worker_settings",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "PYTHONUNBUFFERED": "1",
    }
    engine = settings.DATABASES["default"]["ENGINE"]
    created = None
    if engine == "django.db.backends.postgresql":
        import psycopg

        server = settings.DATABASES["default"]
        created = f"tracker_worker_{uuid.uuid4().hex[:12]}"
        address = dict(
            host=server["HOST"], port=server["PORT"] or 5432, user=server["USER"],
            password=server["PASSWORD"],
        )  # fmt: skip
        with psycopg.connect(dbname="postgres", autocommit=True, **address) as connection:
            connection.execute(f'CREATE DATABASE "{created}"')
        env["DATABASE_URL"] = (
            f"postgres://{address['user']}:{address['password']}@{address['host']}:"
            f"{address['port']}/{created}"
        )
    else:
        env |= {"DATABASE_URL": "", "SQLITE_PATH": str(tmp_path / "worker.sqlite3")}
    run("migrate", "--no-input", "-v0", env=env)
    yield env
    if created:
        with psycopg.connect(dbname="postgres", autocommit=True, **address) as connection:
            connection.execute(f'DROP DATABASE "{created}" WITH (FORCE)')


def run(*args: str, env: dict) -> str:
    done = manage(*args, timeout=120, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def worker(worker_id: str, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--worker-id", worker_id,
         "--interval", "0.1", "--no-startup-delay"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


ENQUEUE = """
from tests.tasks import jobs
from tracker.models import Email
email = Email.objects.create(subject="Your update was accepted", body="B", to=["a@example.org"])
result = jobs.hold_then_send.enqueue({folder!r}, email.pk)
print(result.id)
"""

STATE = """
import json
from django_tasks_db.models import DBTaskResult
from tracker.models import Email
task = DBTaskResult.objects.get(task_path="tests.tasks.jobs.hold_then_send")
email = Email.objects.get()
print(json.dumps({"status": task.status, "workers": task.worker_ids,
                  "returned": task.return_value, "sent": email.sent_at is not None}))
"""


def test_a_task_whose_worker_is_killed_runs_again_on_another_once(own_database, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    run("shell", "-v0", "-c", ENQUEUE.format(folder=str(runs)), env=own_database)
    first = worker("first", own_database, tmp_path / "first.log")
    try:
        wait_for(lambda: (runs / "run-1").exists(), "the first worker to start the task")
    finally:
        first.send_signal(signal.SIGKILL)  # mid-task: no chance to record anything
        first.wait(10)
    (runs / "go").touch()
    second = worker("second", own_database, tmp_path / "second.log")
    try:
        mail = tmp_path / "mail"
        wait_for(lambda: mail.exists() and any(mail.iterdir()), "the email, from the second")
    finally:
        second.terminate()
        second.wait(30)
    state = json.loads(run("shell", "-v0", "-c", STATE, env=own_database))
    assert state == {
        "status": "SUCCESSFUL", "workers": ["first", "second"], "returned": "sent", "sent": True
    }  # fmt: skip
    assert sorted(path.name for path in runs.glob("run-*")) == ["run-1", "run-2"]
    messages = "".join(path.read_text() for path in (tmp_path / "mail").iterdir())
    assert messages.count("Subject: Your update was accepted") == 1
    assert "queued again" in (tmp_path / "second.log").read_text()
