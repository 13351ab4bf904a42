"""The admin's long lists: the country filter offers the countries in the user's scope
that have commitments (and no other), for commitments, updates, evidence and deadlines."""

import re

import pytest

from consultations.models import Recommendation
from tests.factories import make_commitment, make_country, make_focal_point

pytestmark = pytest.mark.django_db

LISTS = {
    "commitments": ("/admin/tracker/commitment/", "country__id__exact"),
    "updates": ("/admin/tracker/progressupdate/", "commitment__country__id__exact"),
    "evidence": ("/admin/tracker/evidence/", "commitment__country__id__exact"),
    "deadlines": ("/admin/tracker/deadline/", "commitment__country__id__exact"),
}


def offered(page: str, parameter: str) -> set[str]:
    return set(re.findall(rf"\?{parameter}=(\d+)", page))


@pytest.fixture
def nepal(world):
    """A third country with a commitment; New Zealand, with none."""
    nepal = make_country("NP")
    make_commitment(Recommendation.objects.get(code="BM22-R31"), nepal)
    make_country("NZ")
    return nepal


@pytest.mark.parametrize("name", LISTS)
def test_staff_are_offered_every_country_with_commitments(name, staff_client, world, nepal):
    path, parameter = LISTS[name]
    page = staff_client.get(path).text
    assert offered(page, parameter) == {
        str(world.cambodia.pk),
        str(world.thailand.pk),
        str(nepal.pk),
    }


@pytest.mark.parametrize("name", LISTS)
def test_a_focal_point_is_offered_only_their_countries(name, client, world, nepal):
    client.force_login(make_focal_point("two.countries", world.cambodia, world.thailand))
    path, parameter = LISTS[name]
    page = client.get(path).text
    assert offered(page, parameter) == {str(world.cambodia.pk), str(world.thailand.pk)}
