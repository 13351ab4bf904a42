"""Tasks used only by the tests of the worker."""

import time
from pathlib import Path

from django.tasks import task

from tracker import outbox


def _attempt(folder: str) -> int:
    """Count this run in `folder` (a file per run); returns which run it is."""
    runs = Path(folder)
    number = len(list(runs.glob("run-*"))) + 1
    (runs / f"run-{number}").touch()
    return number


@task
def fail_until(folder: str, succeeding_run: int) -> int:
    number = _attempt(folder)
    if number < succeeding_run:
        raise ConnectionError(f"run {number} failed")
    return number


@task
def send_then_crash(folder: str, email_id: int) -> str:
    """Sends the email, then fails the first time, as a task stopped just after sending."""
    sent = outbox.deliver(email_id)
    if _attempt(folder) == 1:
        raise RuntimeError("stopped after sending")
    return sent


@task
def hold_then_send(folder: str, email_id: int) -> str:
    """Counts its run, waits for a file named `go` in `folder`, then sends the email."""
    _attempt(folder)
    while not (Path(folder) / "go").exists():
        time.sleep(0.05)
    return outbox.deliver(email_id)
