"""update_supplier_profile: created on the first edit, organisation facts saved, tags, references, logo,
audit."""

import pytest
from django.core.exceptions import ValidationError

from challenges.models import CPVCode
from portal.audit.models import AuditEvent
from suppliers.models import CapabilityTag, SupplierProfile
from suppliers.services.profiles import ProfileError, capability_tags_for, update_supplier_profile
from tests.factories.accounts import AdminMembershipFactory, BuyerFactory, SupplierFactory
from tests.factories.suppliers import CapabilityTagFactory, SupplierProfileFactory, SupplierReferenceFactory

from .test_profiles_logos import image_bytes, upload

pytestmark = pytest.mark.django_db


def values(**overrides) -> dict:
    return {
        "description": "We build route optimisation for home care.",
        "capabilities": "Optimisation, scheduling.",
        "countries_served": ["NO"],
        "regions_served": "Trøndelag",
        "has_public_sector_sales": False,
        "is_listed": True,
        "sme_size": "micro",
        "website": "https://example.org",
        "cpv_codes": list(CPVCode.objects.filter(code__in=["72000000", "48000000"])),
        "capability_tags": ["Route optimisation", "IoT"],
        **overrides,
    }


@pytest.fixture
def supplier():
    organisation = SupplierFactory()
    return organisation, AdminMembershipFactory(organisation=organisation).user


def test_update_supplier_profile_creates_the_profile_on_first_edit(supplier):
    organisation, admin = supplier
    profile = update_supplier_profile(organisation=organisation, by=admin, **values())
    profile.refresh_from_db()
    organisation.refresh_from_db()
    assert (profile.description, profile.is_listed, [str(c) for c in profile.countries_served]) == (
        "We build route optimisation for home care.",
        True,
        ["NO"],
    )
    assert (organisation.sme_size, organisation.website) == ("micro", "https://example.org")
    assert sorted(profile.cpv_codes.values_list("code", flat=True)) == ["48000000", "72000000"]
    assert sorted(profile.capability_tags.values_list("name", flat=True)) == ["IoT", "Route optimisation"]
    event = AuditEvent.objects.get(action="supplier_profile.updated")
    assert (event.actor, event.organisation, event.target_id) == (admin, organisation, str(profile.pk))
    assert "created" in event.data["changed"]


def test_update_supplier_profile_records_only_what_changed(supplier):
    organisation, admin = supplier
    update_supplier_profile(organisation=organisation, by=admin, **values())
    update_supplier_profile(organisation=organisation, by=admin, **values(regions_served="Vestland"))
    update_supplier_profile(organisation=organisation, by=admin, **values(regions_served="Vestland"))
    events = AuditEvent.objects.filter(action="supplier_profile.updated").order_by("pk")
    assert [event.data["changed"] for event in events][1:] == [["regions_served"]]
    assert SupplierProfile.objects.count() == 1


def test_update_supplier_profile_reuses_tags_by_short_name(supplier):
    organisation, admin = supplier
    existing = CapabilityTagFactory(name="IoT", slug="iot")
    profile = update_supplier_profile(
        organisation=organisation, by=admin, **values(capability_tags=["iot", "  Computer   vision "])
    )
    assert set(profile.capability_tags.all()) == {existing, CapabilityTag.objects.get(slug="computer-vision")}
    assert CapabilityTag.objects.get(slug="computer-vision").name == "Computer vision"


def test_capability_tags_for_spells_norwegian_letters():
    [tag] = capability_tags_for(["Bærekraft og sløsing"])
    assert (tag.name, tag.slug) == ("Bærekraft og sløsing", "baerekraft-og-slosing")


def test_update_supplier_profile_refuses_too_many_tags(supplier):
    organisation, admin = supplier
    with pytest.raises(ProfileError):
        update_supplier_profile(
            organisation=organisation, by=admin, **values(capability_tags=[f"tag {n}" for n in range(16)])
        )
    assert not SupplierProfile.objects.exists()


def test_update_supplier_profile_refuses_a_buyer():
    buyer = BuyerFactory()
    admin = AdminMembershipFactory(organisation=buyer).user
    with pytest.raises(ProfileError):
        update_supplier_profile(organisation=buyer, by=admin, **values())
    assert not SupplierProfile.objects.exists()


def test_update_supplier_profile_adds_edits_reorders_and_removes_references(supplier):
    organisation, admin = supplier
    profile = SupplierProfileFactory(organisation=organisation)
    keep = SupplierReferenceFactory(profile=profile, position=0, title="Kept")
    gone = SupplierReferenceFactory(profile=profile, position=1, title="Gone")
    new = {"pk": None, "title": "New", "client": "Oslo", "year": 2024, "is_public_sector": False}
    edited = {
        "pk": keep.pk,
        "title": "Kept, renamed",
        "client": "Bergen",
        "year": 2023,
        "is_public_sector": True,
    }
    update_supplier_profile(organisation=organisation, by=admin, **values(), references=[new, edited])
    assert list(profile.references.values_list("title", "position", "is_public_sector")) == [
        ("New", 0, False),
        ("Kept, renamed", 1, True),
    ]
    assert not profile.references.filter(pk=gone.pk).exists()
    assert "references" in AuditEvent.objects.latest("pk").data["changed"]


def test_update_supplier_profile_refuses_another_profiles_reference(supplier):
    organisation, admin = supplier
    SupplierProfileFactory(organisation=organisation)
    foreign = SupplierReferenceFactory()
    row = {"pk": foreign.pk, "title": "Stolen", "client": "X", "year": None, "is_public_sector": False}
    with pytest.raises(ProfileError):
        update_supplier_profile(organisation=organisation, by=admin, **values(), references=[row])
    foreign.refresh_from_db()
    assert foreign.title != "Stolen"


def test_update_supplier_profile_stores_the_logo_under_a_generated_name(supplier):
    organisation, admin = supplier
    profile = update_supplier_profile(
        organisation=organisation, by=admin, **values(), logo=upload("../../etc/passwd.png")
    )
    assert profile.logo.name.startswith(f"suppliers/{organisation.pk}/logo/")
    assert "passwd" not in profile.logo.name
    assert profile.logo.read(8) == b"\x89PNG\r\n\x1a\n"


def test_update_supplier_profile_replaces_and_removes_the_logo(supplier, django_capture_on_commit_callbacks):
    organisation, admin = supplier
    profile = update_supplier_profile(organisation=organisation, by=admin, **values(), logo=upload())
    first = profile.logo.name
    storage = profile.logo.storage
    with django_capture_on_commit_callbacks(execute=True):
        profile = update_supplier_profile(
            organisation=organisation, by=admin, **values(), logo=upload("b.jpg", image_bytes("JPEG"))
        )
    assert profile.logo.name != first
    assert not storage.exists(first)
    second = profile.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        profile = update_supplier_profile(organisation=organisation, by=admin, **values(), remove_logo=True)
    profile.refresh_from_db()
    assert (profile.logo.name, storage.exists(second)) == ("", False)


def test_update_supplier_profile_checks_the_logo_itself(supplier):
    organisation, admin = supplier
    with pytest.raises(ValidationError):
        update_supplier_profile(
            organisation=organisation, by=admin, **values(), logo=upload("logo.png", b"MZ" + b"\x00" * 50)
        )
    assert not SupplierProfile.objects.exists()


def test_update_supplier_profile_deletes_the_new_logo_when_the_change_rolls_back(supplier):
    organisation, admin = supplier
    SupplierProfileFactory(organisation=organisation)
    foreign = SupplierReferenceFactory()
    row = {"pk": foreign.pk, "title": "Stolen", "client": "X", "year": None, "is_public_sector": False}
    storage = SupplierProfile._meta.get_field("logo").storage
    with pytest.raises(ProfileError):
        update_supplier_profile(
            organisation=organisation, by=admin, **values(), references=[row], logo=upload()
        )
    assert storage.listdir(f"suppliers/{organisation.pk}/logo") == ([], [])
    assert SupplierProfile.objects.get(organisation=organisation).logo.name == ""
