from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.accounts.enums import MembershipRole, OrganisationKind, SMESize
from portal.accounts.models import Invitation, Organisation, User
from tests.factories.accounts import (
    AdminMembershipFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_user_manager_create_user_normalises_email_and_hashes_password():
    user = User.objects.create_user("Ann@EXAMPLE.org", "a-long-password", full_name="Ann")

    assert user.email == "Ann@example.org"
    assert user.check_password("a-long-password")
    assert user.is_staff is False
    assert user.is_programme_staff is False


def test_user_manager_create_user_requires_email():
    with pytest.raises(ValueError):
        User.objects.create_user("", "a-long-password")


def test_user_manager_create_superuser_has_admin_site_access():
    user = User.objects.create_superuser("root@example.org", "a-long-password", full_name="Root")

    assert user.is_staff is True
    assert user.is_superuser is True


def test_user_email_is_the_login_field():
    assert User.USERNAME_FIELD == "email"


def test_user_email_unique_ignoring_case():
    UserFactory(email="ann@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="ANN@example.org", verified=False)


def test_user_short_name_is_first_name_or_email():
    assert UserFactory(full_name="Kari Nordmann").get_short_name() == "Kari"
    assert UserFactory(full_name="", email="kari@example.org").get_short_name() == "kari@example.org"


def test_user_organisation_roles_maps_organisation_to_role():
    admin = AdminMembershipFactory()
    member = MembershipFactory(user=admin.user)

    assert admin.user.organisation_roles == {
        admin.organisation_id: MembershipRole.ADMIN,
        member.organisation_id: MembershipRole.MEMBER,
    }
    assert admin.user.organisation_ids == {admin.organisation_id, member.organisation_id}


def test_user_forget_organisation_roles_reads_them_again():
    user = UserFactory()
    assert user.organisation_roles == {}
    membership = MembershipFactory(user=user)

    user.forget_organisation_roles()

    assert user.organisation_roles == {membership.organisation_id: MembershipRole.MEMBER}


def test_organisation_supplier_without_size_class_refused_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(kind=OrganisationKind.SUPPLIER, sme_size="")


def test_organisation_buyer_with_size_class_refused_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(kind=OrganisationKind.BUYER, sme_size=SMESize.MICRO)


def test_organisation_supplier_with_size_class_saved():
    supplier = SupplierFactory(sme_size=SMESize.MEDIUM)

    assert supplier.is_supplier is True
    assert supplier.is_buyer is False


def test_organisation_unique_slug_for_numbers_taken_slugs():
    OrganisationFactory(slug="trondheim-kommune")
    OrganisationFactory(slug="trondheim-kommune-2")

    assert Organisation.unique_slug_for("Trondheim kommune") == "trondheim-kommune-3"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Bærum kommune", "baerum-kommune"),
        ("Tromsø", "tromso"),
        ("Åsnes", "asnes"),
        ("Ørland AS", "orland-as"),
    ],
)
def test_organisation_unique_slug_for_spells_nordic_letters(name, slug):
    assert Organisation.unique_slug_for(name) == slug


def test_organisation_unique_slug_for_long_name_fits_the_field():
    OrganisationFactory(slug=Organisation.unique_slug_for("x" * 69 + " y"))

    slug = Organisation.unique_slug_for("x" * 69 + " y")

    assert len(slug) <= 80
    assert not slug.startswith("-") and "--" not in slug


def test_organisation_unique_slug_for_name_without_letters():
    assert Organisation.unique_slug_for("!!!") == "organisation"


def test_organisation_visible_to_members_only():
    membership = MembershipFactory()
    OrganisationFactory()

    assert list(Organisation.objects.visible_to(membership.user)) == [membership.organisation]


def test_membership_unique_per_user_and_organisation():
    membership = MembershipFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=membership.user, organisation=membership.organisation)


def test_invitation_digest_is_sha256_of_token():
    token, digest = Invitation.new_token()

    assert digest == Invitation.digest(token)
    assert len(digest) == 64
    assert token not in digest


def test_invitation_is_pending_until_accepted_revoked_or_expired():
    assert InvitationFactory().is_pending is True
    assert InvitationFactory(accepted_at=timezone.now()).is_pending is False
    assert InvitationFactory(revoked_at=timezone.now()).is_pending is False
    assert InvitationFactory(expires_at=timezone.now() - timedelta(seconds=1)).is_pending is False


def test_invitation_pending_queryset_matches_is_pending():
    pending = InvitationFactory()
    InvitationFactory(accepted_at=timezone.now())
    InvitationFactory(revoked_at=timezone.now())
    InvitationFactory(expires_at=timezone.now() - timedelta(seconds=1))

    assert list(Invitation.objects.pending()) == [pending]


def test_invitation_one_open_per_email_and_organisation():
    invitation = InvitationFactory(email="ann@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(organisation=invitation.organisation, email="ANN@example.org")


def test_invitation_closed_one_does_not_block_a_new_one():
    invitation = InvitationFactory(email="ann@example.org", revoked_at=timezone.now())

    again = InvitationFactory(organisation=invitation.organisation, email="ann@example.org")

    assert again.is_pending is True
