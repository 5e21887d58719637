import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from portal.accounts.enums import MembershipRole, OrganisationKind
from portal.accounts.models import Membership, Organisation, User
from portal.web.demo import DEMO_PASSWORD


@pytest.mark.django_db
def test_load_demo_creates_the_cities_smes_intermediary_and_one_login_per_role(capsys):
    call_command("load_demo")

    buyers = set(Organisation.objects.filter(kind=OrganisationKind.BUYER).values_list("city", flat=True))
    assert buyers == {"Turku", "Tartu", "Rotterdam", "Trondheim", "Bergen", "Birmingham"}
    assert Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).exclude(sme_size="").count() == 5
    assert Organisation.objects.filter(kind=OrganisationKind.PROGRAMME).count() == 1
    staff = User.objects.get(email="staff@programme.example.org")
    assert staff.is_programme_staff
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    procurer = User.objects.get(email="procurer@trondheim.example.org")
    assert procurer.check_password(DEMO_PASSWORD)
    assert Membership.objects.get(user=procurer).role == MembershipRole.ADMIN
    printed = capsys.readouterr().out
    for email in [
        "procurer@trondheim.example.org",
        "sme1@suppliers.example.org",
        "staff@programme.example.org",
    ]:
        assert email in printed


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    call_command("load_demo")
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())

    call_command("load_demo")

    assert (User.objects.count(), Organisation.objects.count(), Membership.objects.count()) == counts


@pytest.mark.django_db
def test_demo_accounts_can_sign_in_with_the_printed_password(client):
    call_command("load_demo")

    response = client.post(
        "/accounts/login/", {"login": "procurer@trondheim.example.org", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/organisations/").status_code == 200


@pytest.mark.django_db
def test_health_answers_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_load_demo_creates_challenges_in_every_state_in_both_languages():
    from challenges.enums import ChallengeStatus
    from challenges.models import Challenge

    call_command("load_demo")

    assert set(Challenge.objects.values_list("status", flat=True)) == set(ChallengeStatus.values)
    assert set(Challenge.objects.values_list("language", flat=True)) == {"en", "nb"}
    published = Challenge.objects.get(title="Reducing loneliness among elderly residents living alone")
    assert published.clarifications.filter(status="public").count() == 1


@pytest.mark.django_db
def test_load_demo_gives_suppliers_profiles_a_consortium_draft_and_verifiable_sealed_bids():
    from suppliers.enums import PartnerStatus, ProposalStatus
    from suppliers.models import ConsortiumPartner, PartnerPost, Proposal, Receipt, SupplierProfile
    from suppliers.receipts import verify_receipt

    call_command("load_demo")

    assert SupplierProfile.objects.listed().count() == 5
    draft = Proposal.objects.get(status=ProposalStatus.DRAFT)
    assert draft.challenge.is_open
    assert list(ConsortiumPartner.objects.filter(proposal=draft).values_list("status", flat=True)) == [
        PartnerStatus.ACCEPTED
    ]
    submitted = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).select_related("challenge")
    assert submitted.count() == 4
    assert all(p.submitted_at < p.challenge.submission_deadline and p.is_opened for p in submitted)
    assert all(verify_receipt(receipt) for receipt in Receipt.objects.all())
    assert PartnerPost.objects.count() == 1
