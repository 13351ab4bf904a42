"""manage.py in a process of its own, as a deployment runs it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """With the project's settings (not the suite's) unless `env` names others, and without
    the DJANGO_ENV and DEBUG of the environment the suite runs in."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "DEBUG")}
    environment["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
