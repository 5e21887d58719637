import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.utils import timezone

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


@pytest.mark.django_db
def test_load_demo_twice_gives_the_evaluation_and_award_once(client):
    from django.urls import reverse

    from challenges.enums import ChallengeStatus
    from challenges.evaluation.enums import AwardDecision, AwardStatus, TrialDecision
    from challenges.evaluation.models import (
        Award,
        AwardedProposal,
        BidderFeedback,
        ConflictDeclaration,
        ConsensusScore,
        Evaluator,
        Panel,
        ScoreSheet,
        Trial,
    )
    from challenges.models import Challenge

    call_command("load_demo")
    call_command("load_demo")

    procurer = User.objects.get(email="procurer@rotterdam.example.org")
    colleague = User.objects.get(email="colleague@rotterdam.example.org")
    cloudbursts = Challenge.objects.get(title="Keeping streets and cellars dry during cloudbursts")
    reuse = Challenge.objects.get(title="Reusing construction materials from demolished municipal buildings")
    assert (cloudbursts.status, reuse.status) == (ChallengeStatus.UNDER_EVALUATION, ChallengeStatus.AWARDED)
    assert Panel.objects.count() == 2
    assert cloudbursts.panel.scoring_deadline > timezone.now()
    panel = Evaluator.objects.filter(challenge=cloudbursts, removed_at__isnull=True)
    assert sorted(
        (e.user.email if e.user else e.email, e.is_chair, e.is_external, e.accepted_at is not None)
        for e in panel.select_related("user")
    ) == [
        (colleague.email, False, False, True),
        ("hydrology.expert@waterboard.example.org", False, True, False),
        (procurer.email, True, False, True),
    ]
    assert list(
        ConflictDeclaration.objects.filter(evaluator__challenge=cloudbursts)
        .values_list("evaluator__user__email", "organisation__name", "has_conflict")
        .order_by("evaluator__user__email", "organisation__name")
    ) == [
        (colleague.email, "Emajõe Robotics OÜ", False),
        (colleague.email, "Fjordlys Analytics AS", False),
        (procurer.email, "Emajõe Robotics OÜ", False),
        (procurer.email, "Fjordlys Analytics AS", False),
    ]
    sheets = ScoreSheet.objects.filter(proposal__challenge=cloudbursts)
    assert sorted(
        (sheet.proposal.supplier.name, sheet.evaluator.user.email, sheet.submitted_at is not None)
        for sheet in sheets.select_related("proposal__supplier", "evaluator__user")
    ) == [
        ("Emajõe Robotics OÜ", procurer.email, False),
        ("Fjordlys Analytics AS", colleague.email, True),
        ("Fjordlys Analytics AS", procurer.email, True),
    ]
    for sheet in sheets.filter(submitted_at__isnull=False):
        scores = list(sheet.scores.all())
        assert len(scores) == cloudbursts.criteria.count()
        assert all(0 <= s.value <= cloudbursts.scoring_scale and s.justification for s in scores)

    assert list(
        Evaluator.objects.filter(challenge=reuse)
        .values_list("user__email", "is_chair")
        .order_by("user__email")
    ) == [(colleague.email, False), (procurer.email, True)]
    assert ConflictDeclaration.objects.filter(evaluator__challenge=reuse, has_conflict=False).count() == 2
    assert ScoreSheet.objects.filter(proposal__challenge=reuse, submitted_at__isnull=False).count() == 2
    assert ConsensusScore.objects.filter(proposal__challenge=reuse).count() == reuse.criteria.count()
    trial = Trial.objects.get()
    assert (trial.proposal.challenge, trial.decision, trial.results.count()) == (reuse, TrialDecision.GO, 1)
    award = Award.objects.get()
    assert (award.challenge, award.decision, award.status) == (reuse, AwardDecision.AWARD, AwardStatus.FINAL)
    assert award.standstill_ends_at < timezone.now() and award.rationale
    winner = AwardedProposal.objects.get()
    assert (winner.award, winner.proposal.supplier.name) == (award, "Maasbouw Circulair B.V.")
    assert winner.value > 0
    feedback = BidderFeedback.objects.get()
    assert (feedback.proposal, feedback.rank) == (winner.proposal, 1)

    package = client.get(reverse("open_data:challenge-releases", kwargs={"pk": reuse.pk})).json()
    awards = [award for release in package["releases"] for award in release.get("awards", [])]
    assert {supplier["name"] for award in awards for supplier in award["suppliers"]} == {
        "Maasbouw Circulair B.V."
    }
    assert "active" in {award["status"] for award in awards}
    assert "Maasbouw Circulair B.V." in client.get(reuse.get_absolute_url()).content.decode()
    client.force_login(procurer)
    for name in ("scoring", "moderation", "report"):
        assert client.get(reverse(f"evaluation:{name}", kwargs={"pk": cloudbursts.pk})).status_code == 200
    assert (
        "Waiting for 2 sheets."
        in client.get(reverse("evaluation:moderation", kwargs={"pk": cloudbursts.pk})).content.decode()
    )
    assert client.get(reverse("evaluation:award", kwargs={"pk": reuse.pk})).status_code == 200
    client.force_login(User.objects.get(email="sme4@suppliers.example.org"))
    page = client.get(reverse("evaluation:award-feedback", kwargs={"pk": winner.proposal.pk}))
    assert page.status_code == 200
    assert feedback.note in page.content.decode()
