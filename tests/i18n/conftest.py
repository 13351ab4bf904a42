"""The pages every language is checked on, with data whose free text (what focal points
write) is not English, so that any English left on a page is the site's own."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation

from tests.factories import make_deadline, make_evidence, make_update
from tracker import review
from tracker.models import Subscription

KHMER = "វឌ្ឍនភាព"  # "progress": free text in Khmer script


@dataclass
class Visit:
    path: str
    user: str = ""  # "", "focal_kh" or "staff"


@pytest.fixture
def multilingual(world):
    """The `world` with accepted progress, public evidence, deadlines and an update
    waiting for review, all written in Khmer, and an address following Cambodia."""
    make_evidence(world.kh_31, world.staff, title=KHMER, note=KHMER, visibility="public")
    make_update(
        world.kh_31,
        world.focal_kh,
        narrative=KHMER,
        challenges=KHMER,
        support_needed=KHMER,
        accepted_by=world.staff,
    )
    make_deadline(world.kh_31, world.staff, due_date=dt.date(2020, 1, 1), description=KHMER)
    make_deadline(world.th_32, world.staff, due_date=dt.date(2031, 1, 1), description=KHMER)
    waiting = make_update(world.kh_32, world.focal_kh, status="planned", narrative=KHMER)
    returned = make_update(world.th_31, world.focal_th, narrative=KHMER)
    review.return_for_changes(
        returned, by=world.staff, comment=KHMER, seen_version=returned.version
    )
    for user in (world.focal_kh, world.focal_th, world.staff):
        user.first_name, user.last_name = KHMER, KHMER
        user.save()
    world.waiting = waiting
    world.subscription = Subscription.objects.create(
        email="ana@example.org", country=world.cambodia, key=Subscription.new_key()
    )
    return world


def visits(world) -> list[Visit]:
    """Every public page and every page of the reporting and review flow."""
    r = reverse
    return [
        Visit(r("tracker:dashboard")),
        Visit(r("tracker:how_it_works")),
        Visit(r("tracker:progress_table")),
        Visit(r("tracker:progress_table") + "?country=kh&status=with_progress&overdue=1"),
        Visit(r("tracker:progress_table") + "?as_of=2999-01-01"),  # a refused day
        Visit(r("tracker:recommendation_list")),
        Visit(r("tracker:recommendation_detail", args=["BM22-R31"])),
        Visit(r("tracker:country_list")),
        Visit(r("tracker:country_detail", args=["kh"])),
        Visit(r("tracker:consultation_list")),
        Visit(world.consultation.get_absolute_url()),
        Visit(r("tracker:follow", args=["countries", "kh"])),
        Visit(r("tracker:follow_confirm", args=[world.subscription.key])),
        Visit(r("tracker:follow_stop", args=[world.subscription.key])),
        Visit(r("tracker:follow_privacy")),
        Visit(r("tracker:my_commitments"), "focal_kh"),
        Visit(r("tracker:report_progress", args=[world.kh_31.pk]), "focal_kh"),
        Visit(r("tracker:report_progress", args=[world.kh_32.pk]), "focal_kh"),
        Visit(r("tracker:report_sent", args=[world.waiting.pk]), "focal_kh"),
        Visit(r("tracker:account_settings"), "focal_kh"),
        Visit(r("tracker:review_queue"), "staff"),
        Visit(r("tracker:review_update", args=[world.waiting.pk]), "staff"),
    ]


def in_language(code: str, path: str) -> str:
    """The page's address in that language (a prefix; none for English)."""
    with translation.override(settings.LANGUAGE_CODE):  # from the English address
        return translate_url(path, code)
