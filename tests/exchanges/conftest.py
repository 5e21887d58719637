import pytest

from portal.accounts.enums import MembershipRole
from tests.factories.accounts import (
    BuyerFactory,
    MembershipFactory,
    ProgrammeOrganisationFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
)
from tests.factories.exchanges import ExchangeEventFactory, RegistrationFactory


@pytest.fixture
def staff(db):
    """Programme staff, with the authenticator app staff must have."""
    user = TOTPAuthenticatorFactory().user
    MembershipFactory(user=user, organisation=ProgrammeOrganisationFactory(), role=MembershipRole.ADMIN)
    return user


@pytest.fixture
def buyer(db):
    return BuyerFactory(name="City of Tartu", city="Tartu", country="EE")


@pytest.fixture
def procurer(buyer):
    return MembershipFactory(organisation=buyer).user


@pytest.fixture
def another_procurer(db):
    return MembershipFactory(organisation=BuyerFactory()).user


@pytest.fixture
def supplier_user(db):
    return MembershipFactory(organisation=SupplierFactory()).user


@pytest.fixture
def event(db):
    return ExchangeEventFactory()


@pytest.fixture
def actors(event, staff, procurer, supplier_user):
    """The permission grid around one open event: a registered participant, a procurer who is not
    registered, a supplier, programme staff and anonymous (None)."""
    registration = RegistrationFactory(event=event)
    return {
        "anonymous": None,
        "supplier": supplier_user,
        "procurer": procurer,
        "participant": registration.user,
        "staff": staff,
        "event": event,
        "registration": registration,
    }
