"""Who can read a proposal, and when: ProposalQuerySet.visible_to and the view_proposal rule agree."""

from datetime import timedelta

import pytest
import rules
from django.utils import timezone

from challenges.enums import ChallengeStatus
from portal.accounts.enums import MembershipRole
from suppliers.enums import PartnerStatus
from suppliers.models import Proposal
from tests.factories.accounts import (
    AdminMembershipFactory,
    MembershipFactory,
    ProgrammeStaffFactory,
    SupplierFactory,
    UserFactory,
)
from tests.factories.evaluation import ConflictDeclarationFactory
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    ConsortiumPartnerFactory,
    EvaluatorFactory,
    SubmittedProposalFactory,
)

pytestmark = pytest.mark.django_db


def _member(organisation, role=MembershipRole.MEMBER):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def bid():
    proposal = SubmittedProposalFactory()
    partner = AcceptedPartnerFactory(proposal=proposal)
    invited = ConsortiumPartnerFactory(proposal=proposal, status=PartnerStatus.INVITED)
    evaluator_row = EvaluatorFactory(challenge=proposal.challenge)
    # Proposals open to an evaluator once they have declared about every bidding organisation.
    for organisation in (proposal.supplier, partner.organisation):
        ConflictDeclarationFactory(evaluator=evaluator_row, organisation=organisation, has_conflict=False)
    evaluator = evaluator_row.user
    return {
        "proposal": proposal,
        "lead": _member(proposal.supplier),
        "partner": _member(partner.organisation),
        "invited_partner": _member(invited.organisation),
        "other_supplier": _member(SupplierFactory()),
        "buyer_admin": AdminMembershipFactory(organisation=proposal.challenge.owner).user,
        "buyer_member": _member(proposal.challenge.owner),
        "evaluator": evaluator,
        "staff": ProgrammeStaffFactory(),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


def _close(proposal):
    challenge = proposal.challenge
    challenge.submission_deadline = timezone.now() - timedelta(minutes=1)
    challenge.questions_deadline = challenge.submission_deadline - timedelta(days=1)
    challenge.status = ChallengeStatus.CLOSED
    challenge.save()


def _sees(user, proposal) -> bool:
    user = type(user).objects.get(pk=user.pk)  # fresh role cache
    in_queryset = Proposal.objects.visible_to(user).filter(pk=proposal.pk).exists()
    fresh = Proposal.objects.select_related("challenge").get(pk=proposal.pk)
    # rules.has_perm, not user.has_perm: Django lets superusers pass every user.has_perm.
    assert in_queryset == rules.has_perm("suppliers.view_proposal", user, fresh)
    return in_queryset


BEFORE = {
    "lead": True,
    "partner": True,
    "invited_partner": False,
    "other_supplier": False,
    "buyer_admin": False,
    "buyer_member": False,
    "evaluator": False,
    "staff": False,
    "superuser": False,
}
AFTER = {**BEFORE, "buyer_admin": True, "evaluator": True}


@pytest.mark.parametrize("actor", sorted(BEFORE))
def test_proposal_is_sealed_before_the_deadline(bid, actor):
    assert _sees(bid[actor], bid["proposal"]) is BEFORE[actor]


@pytest.mark.parametrize("actor", sorted(AFTER))
def test_proposal_opens_to_buyer_admins_and_evaluators_after_the_deadline(bid, actor):
    _close(bid["proposal"])

    assert _sees(bid[actor], bid["proposal"]) is AFTER[actor]


def test_published_challenge_past_its_deadline_opens_before_the_closing_task_runs(bid):
    challenge = bid["proposal"].challenge
    challenge.submission_deadline = timezone.now() - timedelta(seconds=1)
    challenge.questions_deadline = challenge.submission_deadline
    challenge.save()

    assert _sees(bid["evaluator"], bid["proposal"]) is True


def test_cancelled_challenge_keeps_its_proposals_sealed(bid):
    _close(bid["proposal"])
    bid["proposal"].challenge.status = ChallengeStatus.CANCELLED
    bid["proposal"].challenge.save()

    assert _sees(bid["buyer_admin"], bid["proposal"]) is False
    assert _sees(bid["lead"], bid["proposal"]) is True


def test_draft_never_opens_to_the_buyer(bid):
    proposal = bid["proposal"]
    Proposal.objects.filter(pk=proposal.pk).update(status="draft")
    _close(proposal)

    assert _sees(bid["buyer_admin"], proposal) is False
    assert _sees(bid["evaluator"], proposal) is False


def test_deadline_reminders_skip_members_of_organisations_that_have_submitted():
    from challenges.services.lifecycle import send_deadline_reminders
    from portal.notifications.models import Notification
    from tests.factories.challenges import FollowFactory

    proposal = SubmittedProposalFactory()
    challenge = proposal.challenge
    challenge.submission_deadline = timezone.now() + timedelta(hours=12)
    challenge.questions_deadline = challenge.submission_deadline - timedelta(hours=1)
    challenge.save()
    partner = AcceptedPartnerFactory(proposal=proposal)
    lead, partner_member = _member(proposal.supplier), _member(partner.organisation)
    waiting = _member(SupplierFactory())
    for user in (lead, partner_member, waiting):
        FollowFactory(user=user, challenge=challenge)

    send_deadline_reminders()

    reminded = set(
        Notification.objects.filter(kind="challenges.deadline_reminder").values_list(
            "recipient_id", flat=True
        )
    )
    assert reminded == {waiting.pk}


def test_evaluator_who_has_not_declared_sees_nothing(bid):
    _close(bid["proposal"])
    undeclared = EvaluatorFactory(challenge=bid["proposal"].challenge).user

    assert _sees(undeclared, bid["proposal"]) is False


def test_evaluator_who_declared_for_some_bidders_only_sees_nothing(bid):
    _close(bid["proposal"])
    row = EvaluatorFactory(challenge=bid["proposal"].challenge)
    ConflictDeclarationFactory(evaluator=row, organisation=bid["proposal"].supplier, has_conflict=False)

    assert _sees(row.user, bid["proposal"]) is False


def test_conflicted_evaluator_sees_the_other_bids_but_not_that_one(bid):
    proposal = bid["proposal"]
    other = SubmittedProposalFactory(challenge=proposal.challenge)
    _close(proposal)
    row = EvaluatorFactory(challenge=proposal.challenge)
    partner_organisation = proposal.partners.get(status=PartnerStatus.ACCEPTED).organisation
    ConflictDeclarationFactory(evaluator=row, organisation=proposal.supplier, has_conflict=False)
    ConflictDeclarationFactory(
        evaluator=row, organisation=partner_organisation, has_conflict=True, reason="Shares"
    )
    ConflictDeclarationFactory(evaluator=row, organisation=other.supplier, has_conflict=False)

    assert _sees(row.user, proposal) is False  # a conflict with a consortium partner hides the bid
    assert _sees(row.user, other) is True


def test_removed_evaluator_sees_nothing(bid):
    from challenges.evaluation.models import Evaluator

    _close(bid["proposal"])
    Evaluator.objects.filter(user=bid["evaluator"]).update(removed_at=timezone.now())

    assert _sees(bid["evaluator"], bid["proposal"]) is False


# An admin of the buying organisation who also sits on the challenge's panel reads its bids as an
# evaluator only: the queryset, the page and the object rule (suppliers.view_proposal) agree.


@pytest.fixture
def admin_on_panel(bid):
    proposal = bid["proposal"]
    _close(proposal)
    admin = AdminMembershipFactory(organisation=proposal.challenge.owner).user
    return {"user": admin, "row": EvaluatorFactory(challenge=proposal.challenge, user=admin)}


def _reads(client, user, proposal) -> bool:
    """Whether the user reads the proposal: in visible_to, and its page opens (a 404 otherwise)."""
    user = type(user).objects.get(pk=user.pk)
    in_queryset = Proposal.objects.visible_to(user).filter(pk=proposal.pk).exists()
    client.force_login(user)
    status = client.get(proposal.get_absolute_url()).status_code
    assert status == (200 if in_queryset else 404)
    # The object rule says the same as the queryset (a fresh row: the panel is cached per instance).
    assert (
        rules.has_perm("suppliers.view_proposal", user, Proposal.objects.get(pk=proposal.pk)) is in_queryset
    )
    return in_queryset


def _declare(row, proposal, *, conflict_with=()):
    organisations = [
        proposal.supplier,
        *(p.organisation for p in proposal.partners.filter(status="accepted")),
    ]
    for organisation in organisations:
        ConflictDeclarationFactory(
            evaluator=row,
            organisation=organisation,
            has_conflict=organisation in conflict_with,
            reason="Former employer" if organisation in conflict_with else "",
        )


def test_admin_on_the_panel_reads_nothing_before_declaring(client, bid, admin_on_panel):
    assert _reads(client, admin_on_panel["user"], bid["proposal"]) is False
    # Another admin of the buyer, not on the panel, reads it as before.
    assert _reads(client, bid["buyer_admin"], bid["proposal"]) is True


def test_admin_on_the_panel_reads_once_declared_without_conflict(client, bid, admin_on_panel):
    _declare(admin_on_panel["row"], bid["proposal"])

    assert _reads(client, admin_on_panel["user"], bid["proposal"]) is True


def test_admin_on_the_panel_never_reads_a_bid_they_declared_a_conflict_with(client, bid, admin_on_panel):
    proposal = bid["proposal"]
    other = SubmittedProposalFactory(challenge=proposal.challenge)
    partner = proposal.partners.get(status=PartnerStatus.ACCEPTED).organisation
    _declare(admin_on_panel["row"], proposal, conflict_with=[partner])
    ConflictDeclarationFactory(evaluator=admin_on_panel["row"], organisation=other.supplier)

    assert _reads(client, admin_on_panel["user"], proposal) is False
    assert _reads(client, admin_on_panel["user"], other) is True


def test_admin_removed_from_the_panel_reads_as_an_admin_again(client, bid, admin_on_panel):
    from challenges.evaluation.models import Evaluator

    Evaluator.objects.filter(pk=admin_on_panel["row"].pk).update(removed_at=timezone.now())

    assert _reads(client, admin_on_panel["user"], bid["proposal"]) is True


def test_admin_on_another_challenges_panel_reads_this_one_as_an_admin(client, bid):
    proposal = bid["proposal"]
    _close(proposal)
    EvaluatorFactory(user=bid["buyer_admin"])  # the panel of another challenge

    assert _reads(client, bid["buyer_admin"], proposal) is True
