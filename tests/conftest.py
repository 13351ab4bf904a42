import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from consultations.models import Recommendation
from tests.factories import (
    make_commitment,
    make_consultation,
    make_country,
    make_deadline,
    make_evidence,
    make_focal_point,
    make_staff,
    make_update,
    make_user,
)
from tracker import review


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_login_throttling(settings):
    """Sign-in throttling has tests of its own; elsewhere the test client signs in freely."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language (a request leaves its own active)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def page_cache(settings):
    """Each test has an empty page cache of its own, in memory."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    """Evidence files, and uploads waiting for a task, of each test in folders of its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence"},
        },
        "uploads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "uploads"},
        },
    }


@pytest.fixture
def staff(db):
    """A member of the network secretariat, with every permission of the project."""
    return make_staff("nina.staff")


@pytest.fixture
def outsider(db):
    """Someone with an account and admin access but no permission on the project's data."""
    return make_user("otto.outsider", is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@dataclass
class World:
    """The shipped report, Cambodia and Thailand each owning recommendations 31 and 32."""

    consultation: object
    cambodia: object
    thailand: object
    kh_31: object
    kh_32: object
    th_31: object
    th_32: object
    staff: object
    focal_kh: object
    focal_th: object


@pytest.fixture
def world(db, staff) -> World:
    consultation = make_consultation()
    r31 = Recommendation.objects.get(code="BM22-R31")
    r32 = Recommendation.objects.get(code="BM22-R32")
    cambodia, thailand = make_country("KH"), make_country("TH")
    return World(
        consultation=consultation,
        cambodia=cambodia,
        thailand=thailand,
        kh_31=make_commitment(r31, cambodia),
        kh_32=make_commitment(r32, cambodia),
        th_31=make_commitment(r31, thailand),
        th_32=make_commitment(r32, thailand),
        staff=staff,
        focal_kh=make_focal_point("kim.cambodia", cambodia),
        focal_th=make_focal_point("tida.thailand", thailand),
    )


@pytest.fixture
def kh_client(client, world):
    client.force_login(world.focal_kh)
    return client


@pytest.fixture
def published(world):
    """Accepted progress and public evidence, beside what must stay hidden."""
    make_evidence(world.kh_31, world.focal_kh, title="Public circular", visibility="public")
    make_update(
        world.kh_31,
        world.focal_kh,
        status="in_progress",
        narrative="Accepted: border posts apply one rule.",
        accepted_by=world.staff,
    )
    make_evidence(world.kh_31, world.focal_kh, title="Internal memo SECRET", visibility="internal")
    make_update(world.kh_31, world.focal_kh, narrative="Submitted: SECRET draft not reviewed.")
    returned = make_update(world.th_31, world.focal_th, narrative="Returned: SECRET wording.")
    review.return_for_changes(
        returned, by=world.staff, comment="SECRET reviewer comment", seen_version=returned.version
    )
    make_deadline(world.kh_31, world.focal_kh, due_date=dt.date(2020, 1, 1), description="Late")
    make_deadline(world.th_32, world.focal_th, due_date=dt.date(2031, 1, 1), description="Later")
    return world
