"""The profile editor, the profile page and the logo: what a person sees and what bad input does."""

import re

import pytest
from django.urls import reverse

from portal.accounts.enums import MembershipRole
from suppliers.models import SupplierProfile
from tests.factories.accounts import AdminMembershipFactory, MembershipFactory, SupplierFactory
from tests.factories.suppliers import CapabilityTagFactory, SupplierProfileFactory, SupplierReferenceFactory

from .test_profiles_logos import image_bytes, upload

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "description": "Sensors for safer homes.",
        "sme_size": "small",
        "website": "example.org",
        "cpv_codes": "72000000, 48000000-8",
        "capability_tags": "Computer vision, IoT, iot",
        "capabilities": "Privacy by design.",
        "countries_served": ["NO", "SE"],
        "regions_served": "Trøndelag",
        "has_public_sector_sales": "on",
        "is_listed": "on",
        "references-TOTAL_FORMS": "1",
        "references-INITIAL_FORMS": "0",
        "references-MIN_NUM_FORMS": "0",
        "references-MAX_NUM_FORMS": "1000",
        "references-0-title": "Fall detection pilot",
        "references-0-client": "Bergen kommune",
        "references-0-year": "2024",
        "references-0-is_public_sector": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def admin_client(client):
    organisation = SupplierFactory()
    client.force_login(AdminMembershipFactory(organisation=organisation).user)
    client.organisation = organisation
    return client


def edit_url(organisation) -> str:
    return reverse("suppliers:profile-edit", args=[organisation.slug])


def test_profile_edit_first_save_creates_the_profile(admin_client):
    organisation = admin_client.organisation
    response = admin_client.post(edit_url(organisation), form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("suppliers:profile-detail", args=[organisation.slug])
    profile = SupplierProfile.objects.get(organisation=organisation)
    organisation.refresh_from_db()
    assert (organisation.website, organisation.sme_size) == ("https://example.org", "small")
    assert sorted(profile.capability_tags.values_list("name", flat=True)) == ["Computer vision", "IoT"]
    assert sorted(profile.cpv_codes.values_list("code", flat=True)) == ["48000000", "72000000"]
    assert list(profile.references.values_list("title", "is_public_sector", "year")) == [
        ("Fall detection pilot", True, 2024)
    ]
    page = admin_client.get(response["Location"]).content.decode()
    assert "Fall detection pilot" in page and "Computer vision" in page and "Sweden" in page


def test_profile_edit_shows_the_saved_values(admin_client):
    organisation = admin_client.organisation
    profile = SupplierProfileFactory(organisation=organisation)
    SupplierReferenceFactory(profile=profile, title="Home care routes")
    profile.capability_tags.set(
        [CapabilityTagFactory(name="Computer vision"), CapabilityTagFactory(name="IoT")]
    )
    profile.cpv_codes.set(["72000000", "48000000"])
    page = admin_client.get(edit_url(organisation)).content.decode()
    assert 'value="Computer vision, IoT"' in page
    assert "48000000, 72000000" in page
    assert "Home care routes" in page
    assert len(re.findall(r"<h1[ >]", page)) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cpv_codes", "7200", "is not a CPV code"),
        ("cpv_codes", "99999999", "Unknown CPV code"),
        ("capability_tags", ", ".join(f"tag {n}" for n in range(16)), "Use at most 15 tags"),
        ("capability_tags", "!!!", "is not a usable tag"),
        ("website", "not a website", "Enter a valid URL"),
        ("sme_size", "huge", "Select a valid choice"),
        ("countries_served", ["XX"], "Select a valid choice"),
        ("references-0-year", "1800", "greater than or equal to 1950"),
        ("references-0-client", "", "This field is required"),
    ],
)
def test_profile_edit_bad_input_is_shown_at_the_field_and_kept(admin_client, field, value, message):
    organisation = admin_client.organisation
    response = admin_client.post(edit_url(organisation), form_data(**{field: value}))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "There is a problem" in page
    assert "Sensors for safer homes." in page  # what was typed is kept
    assert not SupplierProfile.objects.filter(organisation=organisation).exists()


def test_profile_edit_refuses_a_disguised_logo_and_asks_again_for_a_good_one(admin_client):
    organisation = admin_client.organisation
    response = admin_client.post(
        edit_url(organisation), {**form_data(), "logo": upload("logo.png", b"MZ" + b"\x00" * 300)}
    )
    assert "must be a PNG or JPEG image" in response.content.decode()
    response = admin_client.post(
        edit_url(organisation), {**form_data(cpv_codes="bad"), "logo": upload("logo.png")}
    )
    assert "Choose the logo again" in response.content.decode()
    assert not SupplierProfile.objects.exists()


def test_profile_edit_uploads_and_serves_the_logo(admin_client):
    organisation = admin_client.organisation
    admin_client.post(
        edit_url(organisation), {**form_data(), "logo": upload("logo.jpg", image_bytes("JPEG"))}
    )
    profile = SupplierProfile.objects.get()
    response = admin_client.get(reverse("suppliers:profile-logo", args=[organisation.slug]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert b"".join(response.streaming_content) == profile.logo.open("rb").read()


def test_unlisted_logo_is_private(client):
    profile = SupplierProfileFactory(is_listed=False)
    profile.logo.save("x.png", upload(), save=True)
    member = MembershipFactory(organisation=profile.organisation).user
    client.force_login(member)
    response = client.get(reverse("suppliers:profile-logo", args=[profile.organisation.slug]))
    assert response["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.get(reverse("suppliers:profile-logo", args=[profile.organisation.slug])).status_code == 404


def test_profile_edit_removes_a_reference_and_the_logo(admin_client):
    organisation = admin_client.organisation
    profile = SupplierProfileFactory(organisation=organisation)
    profile.logo.save("x.png", upload(), save=True)
    reference = SupplierReferenceFactory(profile=profile)
    data = form_data(
        **{
            "references-TOTAL_FORMS": "2",
            "references-INITIAL_FORMS": "1",
            "references-0-id": str(reference.pk),
            "references-0-DELETE": "on",
            "references-1-title": "",
            "references-1-client": "",
            "references-1-year": "",
            "references-1-is_public_sector": None,
            "remove_logo": "on",
        }
    )
    response = admin_client.post(edit_url(organisation), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.references.count(), profile.logo.name) == (0, "")


def test_profile_edit_refuses_someone_elses_reference_id(admin_client):
    organisation = admin_client.organisation
    SupplierProfileFactory(organisation=organisation)
    foreign = SupplierReferenceFactory()
    data = form_data(**{"references-0-id": str(foreign.pk), "references-0-title": "Mine now"})
    response = admin_client.post(edit_url(organisation), data)
    assert response.status_code == 200
    assert "no longer exist" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.title != "Mine now"


def test_profile_page_tells_members_whether_it_is_listed(client):
    profile = SupplierProfileFactory(is_listed=False)
    member = MembershipFactory(organisation=profile.organisation, role=MembershipRole.MEMBER).user
    client.force_login(member)
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "not in the public directory" in page
    assert reverse("suppliers:profile-edit", args=[profile.organisation.slug]) not in page  # not an admin


def test_profile_page_before_the_first_edit_invites_the_admin(admin_client):
    organisation = admin_client.organisation
    page = admin_client.get(reverse("suppliers:profile-detail", args=[organisation.slug])).content.decode()
    assert "no supplier profile yet" in page
    assert edit_url(organisation) in page


def test_organisation_page_links_members_to_the_supplier_profile(admin_client):
    organisation = admin_client.organisation
    page = admin_client.get(organisation.get_absolute_url()).content.decode()
    assert reverse("suppliers:profile-detail", args=[organisation.slug]) in page


@pytest.mark.parametrize("references", [1, 4])
def test_profile_page_query_count(client, django_assert_num_queries, references):
    profile = SupplierProfileFactory()
    SupplierReferenceFactory.create_batch(references, profile=profile)
    # The profile with its organisation, then its tags, CPV codes and references.
    with django_assert_num_queries(4):
        assert client.get(profile.get_absolute_url()).status_code == 200
