"""The settings of a worker the tests start as a process of its own: the project's, with
emails written to files in EMAIL_FILE_PATH and a heartbeat fast enough for a test."""

import os

from tracker.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["EMAIL_FILE_PATH"]},
    }
}
TASK_HEARTBEAT_SECONDS = 0.2
TASK_WORKER_LOST_SECONDS = 1.5
TASK_RETRY_SECONDS = 0
