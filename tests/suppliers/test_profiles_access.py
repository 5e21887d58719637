"""The permission grid of every profile URL, for every actor, with the profile listed, unlisted and not yet
created. A challenge's closing plays no part in profiles, so the grid does not repeat itself around it."""

import pytest
from django.urls import reverse

from suppliers.models import SupplierProfile
from tests.factories.suppliers import SupplierProfileFactory

from .conftest import ACTORS
from .test_profiles_logos import upload

pytestmark = pytest.mark.django_db

MEMBERS = {"lead", "lead_admin"}


def status_for(actor: str, *, url: str, listed: bool | None) -> int:
    """listed=None: the organisation has no profile yet."""
    visible = actor in MEMBERS or listed is True
    if url == "directory":
        return 200
    if url == "edit":
        if actor == "anonymous":
            return 302
        if actor == "lead_admin":
            return 200
        return 403 if visible else 404
    if url == "logo" and listed is None:
        return 404
    return 200 if visible else 404


def get(client, actors, actor, name, slug):
    if user := actors[actor]:
        client.force_login(user)
    url = (
        reverse("suppliers:directory")
        if name == "directory"
        else reverse(f"suppliers:profile-{name}", args=[slug])
    )
    return client.get(url)


@pytest.fixture
def profile_of(actors):
    def make(listed: bool | None) -> str:
        organisation = actors["proposal"].supplier
        if listed is not None:
            profile = SupplierProfileFactory(organisation=organisation, is_listed=listed)
            profile.logo.save("logo.png", upload(), save=True)
        return organisation.slug

    return make


@pytest.mark.parametrize("listed", [True, False, None], ids=["listed", "unlisted", "no-profile"])
@pytest.mark.parametrize("name", ["directory", "detail", "edit", "logo"])
@pytest.mark.parametrize("actor", ACTORS)
def test_profile_pages_access(client, actors, profile_of, actor, name, listed):
    slug = profile_of(listed)
    response = get(client, actors, actor, name, slug)
    assert response.status_code == status_for(actor, url=name, listed=listed)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("actor", ACTORS)
def test_profile_edit_post_access(client, actors, profile_of, actor):
    slug = profile_of(True)
    if user := actors[actor]:
        client.force_login(user)
    response = client.post(reverse("suppliers:profile-edit", args=[slug]), {"description": "Taken over"})
    expected = {"anonymous": 302, "lead_admin": 200}.get(actor, 403)  # the admin's empty form has errors
    assert response.status_code == expected
    assert SupplierProfile.objects.get().description != "Taken over"


@pytest.mark.parametrize("actor", ["lead", "other_supplier", "anonymous"])
def test_unknown_and_buyer_slugs_are_404(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)
    assert client.get(reverse("suppliers:profile-detail", args=["no-such-organisation"])).status_code == 404
    buyer_slug = actors["challenge"].owner.slug
    assert client.get(reverse("suppliers:profile-detail", args=[buyer_slug])).status_code == 404


def test_other_suppliers_pages_are_not_taken_by_profile_routes(client, actors):
    # /suppliers/<slug>/ comes first in the app's URLs; the other areas' first segments stay theirs.
    client.force_login(actors["lead"])
    response = client.get("/suppliers/proposals/")
    assert response.resolver_match.url_name != "profile-detail"


def test_directory_survives_an_organisation_slug_taken_by_another_page(client):
    # An organisation named "Receipts" would get the slug of another area's page: its profile cannot be
    # reached at /suppliers/receipts/, but the directory listing it must not fail.
    SupplierProfileFactory(organisation__slug="receipts", organisation__name="Receipts AS")
    response = client.get(reverse("suppliers:directory"))
    assert response.status_code == 200
    assert "Receipts AS" in response.content.decode()
