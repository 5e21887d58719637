"""What the fuzzer found, kept as plain examples: they run in a second on every database and whatever
Hypothesis happens to draw."""

import pytest
from django.urls import reverse

from portal.accounts.enums import MembershipRole
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.suppliers import ProposalFactory, SupplierProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_and_proposal():
    proposal = ProposalFactory()
    lead = MembershipFactory(organisation=proposal.supplier, role=MembershipRole.ADMIN).user
    SupplierProfileFactory(organisation=SupplierFactory(name="Emajõe Robotics OÜ"), is_listed=True)
    return lead, proposal


def test_consortium_search_with_a_nul_byte_drops_it(client, lead_and_proposal):
    # PostgreSQL refuses NUL in a query parameter: the search answered 500.
    lead, proposal = lead_and_proposal
    client.force_login(lead)

    response = client.get(reverse("suppliers:consortium", kwargs={"pk": proposal.pk}), {"q": "Emaj\x00"})

    assert response.status_code == 200
    assert [organisation.name for organisation in response.context["found"]] == ["Emajõe Robotics OÜ"]


def test_consortium_invite_with_a_nul_byte_in_the_search_is_a_form_error(client, lead_and_proposal):
    lead, proposal = lead_and_proposal
    client.force_login(lead)

    response = client.post(
        reverse("suppliers:consortium-invite", kwargs={"pk": proposal.pk}),
        {"q": "\x00Emaj", "organisation": "", "role": "Sensors", "work_share": "20"},
    )

    assert response.status_code == 200
    assert "organisation" in response.context["organisation_form"].errors
