import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from portal.accounts.enums import MembershipRole, OrganisationKind, SMESize
from portal.accounts.models import Invitation, Membership, Organisation, User, invitation_lifetime

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary address, as allauth keeps it after sign-up (pass verified=False to skip)."""
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class ProgrammeStaffFactory(UserFactory):
    is_programme_staff = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Municipality {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.BUYER
    sme_size = ""
    country = "NO"
    region = "Trøndelag"
    city = "Trondheim"


class BuyerFactory(OrganisationFactory):
    pass


class SupplierFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Supplier {n} AS")
    kind = OrganisationKind.SUPPLIER
    sme_size = SMESize.SMALL


class ProgrammeOrganisationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Programme office {n}")
    kind = OrganisationKind.PROGRAMME


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MEMBER


class AdminMembershipFactory(MembershipFactory):
    role = MembershipRole.ADMIN


class InvitationFactory(factory.django.DjangoModelFactory):
    """Its token is unknown to the test (only the digest is stored); use invitation_with_token() when the
    test needs the link."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = MembershipRole.MEMBER
    token_digest = factory.LazyFunction(lambda: Invitation.new_token()[1])
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + invitation_lifetime())


def invitation_with_token(**kwargs) -> tuple[Invitation, str]:
    token, digest = Invitation.new_token()
    return InvitationFactory(token_digest=digest, **kwargs), token


# A fixed base32 secret, so a test can compute the code an authenticator app would show.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class TOTPAuthenticatorFactory(factory.django.DjangoModelFactory):
    """An activated authenticator app (allauth MFA), as TOTP.activate() stores it."""

    class Meta:
        model = "mfa.Authenticator"

    user = factory.SubFactory(ProgrammeStaffFactory)
    type = "totp"
    data = factory.LazyFunction(lambda: {"secret": _encrypt(TOTP_SECRET)})


def _encrypt(secret: str) -> str:
    from allauth.mfa.utils import encrypt

    return encrypt(secret)


def current_totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app shows now for the secret."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def organisation_actors() -> dict:
    """The people of a permission grid around one buyer organisation: its admin, a member, a colleague
    (another member, the object of role changes and removals), the admin of another organisation and
    programme staff (with the authenticator app staff must have). "anonymous" is None."""
    organisation = BuyerFactory()
    admin_membership = AdminMembershipFactory(organisation=organisation)
    member_membership = MembershipFactory(organisation=organisation)
    colleague_membership = MembershipFactory(organisation=organisation)
    other_admin_membership = AdminMembershipFactory()
    staff = TOTPAuthenticatorFactory().user
    return {
        "anonymous": None,
        "member": member_membership.user,
        "admin": admin_membership.user,
        "other_admin": other_admin_membership.user,
        "staff": staff,
        "organisation": organisation,
        "admin_membership": admin_membership,
        "member_membership": member_membership,
        "colleague_membership": colleague_membership,
        "other_organisation": other_admin_membership.organisation,
    }
