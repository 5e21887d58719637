"""One read of the user's memberships per request serves the permission predicates (organisation_roles and
friends) and the header's switcher and active organisation (memberships_for_request)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from portal.accounts.enums import MembershipRole
from portal.accounts.models import User
from portal.accounts.selectors import active_organisation_for, memberships_for_request
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return request


def test_memberships_are_read_once_for_roles_and_the_switcher():
    user = UserFactory()
    buyer = AdminMembershipFactory(user=user, organisation=BuyerFactory(name="Bergen kommune"))
    supplier = MembershipFactory(user=user, organisation=SupplierFactory(name="Aker Care"))
    user = User.objects.get(pk=user.pk)  # as a new request reads it
    request = _request_for(user)

    with CaptureQueriesContext(connection) as queries:
        roles = user.organisation_roles
        memberships = memberships_for_request(request=request)
        active = active_organisation_for(request=request)
        kinds = (user.buyer_organisation_ids, user.supplier_organisation_ids)

    assert len(queries) == 1
    assert roles == {
        buyer.organisation_id: MembershipRole.ADMIN,
        supplier.organisation_id: MembershipRole.MEMBER,
    }
    assert [m.pk for m in memberships] == [supplier.pk, buyer.pk]  # by organisation name
    assert active == supplier.organisation
    assert kinds == ({buyer.organisation_id}, {supplier.organisation_id})


def test_forgetting_the_roles_reads_the_switchers_memberships_again():
    user = User.objects.get(pk=UserFactory().pk)
    request = _request_for(user)
    assert memberships_for_request(request=request) == []
    membership = MembershipFactory(user=user)

    user.forget_organisation_roles()

    assert [m.pk for m in memberships_for_request(request=request)] == [membership.pk]
    assert user.organisation_ids == {membership.organisation_id}


def test_memberships_for_an_anonymous_request_are_none_and_read_nothing():
    request = _request_for(AnonymousUser())

    with CaptureQueriesContext(connection) as queries:
        assert memberships_for_request(request=request) == []

    assert len(queries) == 0
