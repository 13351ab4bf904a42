"""The facets' options, read in one query, are those the models give, in their order."""

import datetime as dt

import pytest
from django.utils import translation

from consultations.models import Consultation, GcmObjective, Sdg, Section, Theme
from tests.factories import make_country
from tracker.facet_options import option_lists
from tracker.models import Country, country_name


def expected() -> dict:
    """The options as the models' own queries and texts give them."""
    sections = Section.objects.filter(kind=Section.Kind.RECOMMENDATIONS)
    return {
        "consultation": [(c.code, str(c)) for c in Consultation.objects.all()],
        "section": [
            (str(s.pk), f"{s.consultation.code} {s.key} {(s.parent or s).title}") for s in sections
        ],
        "objective": [(str(o.number), str(o)) for o in GcmObjective.objects.all()],
        "sdg": [(str(s.number), str(s)) for s in Sdg.objects.all()],
        "theme": [(t.slug, t.name) for t in Theme.objects.all()],
        "country": sorted(
            ((str(c.code), country_name(c.code)) for c in Country.objects.all()),
            key=lambda option: option[1],
        ),
    }


@pytest.fixture
def two_reports(world):
    """The shipped report, an earlier one with a nested recommendations section and another
    of the same day, themes and a third country."""
    earlier = Consultation.objects.create(
        code="EA21",
        slug="earlier",
        title="An earlier consultation",
        date=dt.date(2021, 3, 9),
        starts_at=dt.datetime(2021, 3, 9, 2, tzinfo=dt.UTC),
    )
    parent = Section.objects.create(
        consultation=earlier, key="II", title="Ways forward", kind="recommendations", order=2
    )
    Section.objects.create(
        consultation=earlier,
        key="II.A",
        title="Labour",
        parent=parent,
        kind="recommendations",
        order=3,
    )
    Section.objects.create(consultation=earlier, key="I", title="Opening", kind="opening", order=1)
    # The same day as the earlier one: the title orders the two.
    Consultation.objects.create(
        code="AB21",
        slug="same-day",
        title="A consultation on the same day",
        date=earlier.date,
        starts_at=earlier.starts_at,
    )
    Theme.objects.create(name="Women migrant workers", slug="women")
    Theme.objects.create(name="Climate and mobility", slug="climate")
    make_country("NP")
    return earlier


@pytest.mark.parametrize("language", ["en", "th", "km"])
def test_each_facet_offers_what_its_model_gives_in_its_order(
    two_reports, language, django_assert_num_queries
):
    with translation.override(language):
        with django_assert_num_queries(1):
            lists = option_lists()
        assert lists == expected()
    assert [value for value, _label in lists["consultation"]] == ["BM22", "AB21", "EA21"]
    assert [value for value, _label in lists["theme"]] == ["climate", "women"]
    assert len(lists["objective"]) == 23 and len(lists["sdg"]) == 17
    nested = [label for _value, label in lists["section"] if label.startswith("EA21")]
    assert nested == ["EA21 II Ways forward", "EA21 II.A Ways forward"]


def test_labels_are_in_the_pages_language(two_reports):
    with translation.override("th"):
        thai = dict(option_lists()["objective"])
    with translation.override("en"):
        english = dict(option_lists()["objective"])
    assert english["1"].startswith("1. ")
    assert thai["1"] != english["1"]
