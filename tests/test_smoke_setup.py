import pytest
from django.urls import reverse

from tests.factories.accounts import AdminMembershipFactory


@pytest.mark.django_db
def test_home_page_renders_for_a_member(client):
    membership = AdminMembershipFactory()
    client.force_login(membership.user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert membership.organisation.name in response.content.decode()
