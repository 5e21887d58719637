import pytest

from portal.accounts.enums import MembershipRole
from tests.factories.accounts import (
    BuyerFactory,
    MembershipFactory,
    ProgrammeOrganisationFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
)


@pytest.fixture
def city(db):
    return BuyerFactory(name="Trondheim kommune", city="Trondheim")


@pytest.fixture
def other_city(db):
    return BuyerFactory(name="Bergen kommune", city="Bergen")


@pytest.fixture
def staff(db):
    """Programme staff, with the authenticator app staff must have."""
    user = TOTPAuthenticatorFactory().user
    MembershipFactory(user=user, organisation=ProgrammeOrganisationFactory(), role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def people(city, other_city, staff) -> dict:
    """The permission grid around ideas for one city: a resident who writes them (the author), another
    resident, a member of the city, a member of another city, a supplier and programme staff."""
    return {
        "anonymous": None,
        "author": UserFactory(full_name="Ingrid Solberg", email="ingrid.solberg@example.org"),
        "resident": UserFactory(),
        "city_member": MembershipFactory(organisation=city).user,
        "other_city_member": MembershipFactory(organisation=other_city).user,
        "supplier": MembershipFactory(organisation=SupplierFactory()).user,
        "staff": staff,
    }
