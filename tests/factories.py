"""Test data, made by helpers rather than fixtures files."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from consultations.importer import import_report_file
from consultations.models import Consultation
from tracker.demo import network_staff_group

SHIPPED_REPORT = (
    settings.BASE_DIR
    / "consultations"
    / "reports"
    / "2022-04-11-border-management-labour-migration.txt"
)
TEST_REPORTS = Path(__file__).parent / "consultations" / "reports"


def make_user(username: str, *, is_staff: bool = False, **fields):
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery staple",
        is_staff=is_staff,
        **fields,
    )


def make_staff(username: str = "staff"):
    user = make_user(username, is_staff=True)
    user.groups.add(network_staff_group())
    return user


def make_consultation(path: Path = SHIPPED_REPORT) -> Consultation:
    """Import a report file, as staff would."""
    return import_report_file(path.read_bytes(), source_name=path.name).consultation
