import pytest

from challenges.enums import ChallengeStatus
from tests.factories.accounts import (
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
)
from tests.factories.challenges import ChallengeFactory


@pytest.fixture
def staff(db):
    """Programme staff, with the authenticator app staff must have."""
    return TOTPAuthenticatorFactory().user


@pytest.fixture
def owner(db):
    return BuyerFactory(name="Trondheim kommune", country="NO")


@pytest.fixture
def owner_member(owner):
    return MembershipFactory(organisation=owner).user


@pytest.fixture
def awarded_challenge(owner):
    return ChallengeFactory(owner=owner, status=ChallengeStatus.AWARDED)


@pytest.fixture
def actors(owner, owner_member, staff):
    """The permission grid around one buyer organisation: a member, a member of another buyer, a supplier,
    programme staff and anonymous (None)."""
    return {
        "anonymous": None,
        "owner_member": owner_member,
        "other_buyer": MembershipFactory(organisation=BuyerFactory()).user,
        "supplier": MembershipFactory(organisation=SupplierFactory()).user,
        "staff": staff,
    }
