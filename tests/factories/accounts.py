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
