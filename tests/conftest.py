import pytest

from tests.factories import make_staff, make_user


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
