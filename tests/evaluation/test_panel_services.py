"""The panel: appointing, inviting experts, the chair, removal, opening the evaluation and declarations,
with their notifications and audit entries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.evaluation import kinds
from challenges.evaluation.models import ConflictDeclaration, Evaluator
from challenges.evaluation.selectors.panel import bidding_organisation_ids, undeclared_organisations
from challenges.evaluation.services.panel import (
    PanelError,
    accept_expert_invitation,
    appoint_evaluator,
    declare_conflicts,
    invite_external_expert,
    open_evaluation,
    remove_evaluator,
    set_chair,
    update_panel,
)
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification, OutboxMail
from suppliers.models import Proposal
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.challenges import PublishedChallengeFactory

from .conftest import EVALUATORS, evaluator_of, fresh

pytestmark = pytest.mark.django_db


def _actions():
    return list(AuditEvent.objects.filter(action__startswith="evaluation.").values_list("action", flat=True))


def test_appoint_member_notifies_and_audits(ev):
    member = MembershipFactory(organisation=ev["challenge"].owner).user

    evaluator = appoint_evaluator(challenge=ev["challenge"], by=ev["procurer"], user=member)

    assert evaluator.user == member
    assert Notification.objects.filter(recipient=member, kind=kinds.APPOINTED.key).count() == 1
    assert "evaluation.evaluator_appointed" in _actions()


def test_appoint_refuses_someone_outside_the_organisation(ev):
    with pytest.raises(PanelError):
        appoint_evaluator(challenge=ev["challenge"], by=ev["procurer"], user=ev["other_buyer"])


def test_appoint_refuses_someone_already_on_the_panel(ev):
    with pytest.raises(PanelError):
        appoint_evaluator(challenge=ev["challenge"], by=ev["procurer"], user=ev["evaluator2"])


def test_appoint_needs_an_owner_admin(ev):
    member = MembershipFactory(organisation=ev["challenge"].owner).user
    with pytest.raises(PanelError):
        appoint_evaluator(challenge=ev["challenge"], by=ev["owner_member"], user=member)


def test_panel_cannot_change_after_the_outcome(ev):
    Evaluator.objects.filter(pk=evaluator_of(ev, "chair").pk)
    ev["challenge"].status = ChallengeStatus.AWARDED
    ev["challenge"].save()
    member = MembershipFactory(organisation=ev["challenge"].owner).user
    with pytest.raises(PanelError):
        appoint_evaluator(challenge=ev["challenge"], by=ev["procurer"], user=member)


def test_update_panel_sets_deadline_and_trial_stage(ev):
    deadline = timezone.now() + timedelta(days=9)

    panel = update_panel(
        challenge=ev["challenge"], by=ev["procurer"], scoring_deadline=deadline, has_trial_stage=True
    )

    assert (panel.scoring_deadline, panel.has_trial_stage) == (deadline, True)
    assert "evaluation.panel_updated" in _actions()


def test_invite_and_accept_external_expert(ev):
    evaluator = invite_external_expert(challenge=ev["challenge"], by=ev["procurer"], email="Ada@Lab.example")
    outbox = OutboxMail.objects.get(to_email="Ada@Lab.example")
    token = outbox.body_text.split("/evaluation/invitation/")[1].split("/")[0]
    assert evaluator.token_digest and token not in evaluator.token_digest
    expert = UserFactory(email="ada@lab.example")

    from challenges.evaluation.selectors.panel import evaluator_for_token

    found = evaluator_for_token(token)
    accepted = accept_expert_invitation(evaluator=found, user=expert)

    assert (accepted.user, accepted.is_external, accepted.token_digest) == (expert, True, "")
    assert evaluator_for_token(token) is None  # the link works once


def test_expert_must_accept_with_the_invited_address(ev):
    evaluator = invite_external_expert(challenge=ev["challenge"], by=ev["procurer"], email="ada@lab.example")
    with pytest.raises(PanelError):
        accept_expert_invitation(evaluator=evaluator, user=UserFactory(email="someone@else.example"))


def test_reinviting_replaces_the_earlier_link(ev):
    first = invite_external_expert(challenge=ev["challenge"], by=ev["procurer"], email="ada@lab.example")
    invite_external_expert(challenge=ev["challenge"], by=ev["procurer"], email="ada@lab.example")

    first.refresh_from_db()
    assert first.removed_at is not None and first.token_digest == ""


def test_set_chair_keeps_exactly_one(ev):
    set_chair(evaluator=evaluator_of(ev, "evaluator2"), by=ev["procurer"])

    chairs = Evaluator.objects.filter(challenge=ev["challenge"], is_chair=True, removed_at__isnull=True)
    assert [e.user for e in chairs] == [ev["evaluator2"]]
    assert "evaluation.chair_set" in _actions()


def test_pending_invitation_cannot_chair(ev):
    invited = invite_external_expert(challenge=ev["challenge"], by=ev["procurer"], email="ada@lab.example")
    with pytest.raises(PanelError):
        set_chair(evaluator=invited, by=ev["procurer"])


def test_remove_evaluator_is_audited_with_reason(ev):
    removed = remove_evaluator(
        evaluator=evaluator_of(ev, "expert"), by=ev["procurer"], reason="Left the university"
    )

    assert removed.removed_at is not None
    event = AuditEvent.objects.get(action="evaluation.evaluator_removed")
    assert event.data["reason"] == "Left the university"


def test_open_evaluation_needs_a_chair(ev):
    Evaluator.objects.filter(challenge=ev["challenge"]).update(is_chair=False)
    with pytest.raises(PanelError):
        open_evaluation(challenge=ev["challenge"], by=ev["procurer"])


def test_open_evaluation_needs_the_challenge_closed(db):
    challenge = PublishedChallengeFactory()
    admin = MembershipFactory(organisation=challenge.owner, role="admin").user
    from tests.factories.suppliers import EvaluatorFactory

    EvaluatorFactory(challenge=challenge, is_chair=True)
    with pytest.raises(PanelError):
        open_evaluation(challenge=challenge, by=admin)


def test_open_evaluation_excludes_bidding_members_and_asks_for_declarations(ev):
    mail.outbox.clear()

    challenge = open_evaluation(challenge=ev["challenge"], by=ev["procurer"])

    assert challenge.status == ChallengeStatus.UNDER_EVALUATION
    automatic = ConflictDeclaration.objects.get(evaluator=evaluator_of(ev, "bidding_evaluator"))
    assert (automatic.organisation_id, automatic.has_conflict, automatic.is_automatic) == (
        ev["bid_b"].supplier_id,
        True,
        True,
    )
    asked = set(
        Notification.objects.filter(kind=kinds.CONFLICTS_TO_DECLARE.key).values_list(
            "recipient_id", flat=True
        )
    )
    assert asked == {ev[actor].pk for actor in EVALUATORS}
    assert "evaluation.opened" in _actions()


def test_bidding_organisations_include_accepted_partners(ev):
    assert bidding_organisation_ids(challenge=ev["challenge"]) == {
        ev["bid_a"].supplier_id,
        ev["bid_b"].supplier_id,
        ev["partner"].organisation_id,
    }


def test_declarations_must_cover_every_bidding_organisation(ev):
    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])
    evaluator = evaluator_of(ev, "evaluator2")

    with pytest.raises(PanelError):
        declare_conflicts(
            evaluator=evaluator, by=ev["evaluator2"], answers={ev["bid_a"].supplier_id: (False, "")}
        )

    assert ConflictDeclaration.objects.filter(evaluator=evaluator).count() == 0


def test_a_conflict_needs_a_reason(ev):
    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])
    evaluator = evaluator_of(ev, "evaluator2")
    answers = {organisation.pk: (True, "") for organisation in undeclared_organisations(evaluator=evaluator)}

    with pytest.raises(PanelError):
        declare_conflicts(evaluator=evaluator, by=ev["evaluator2"], answers=answers)


def test_declarations_are_only_possible_once_opened(ev):
    evaluator = evaluator_of(ev, "evaluator2")
    with pytest.raises(PanelError):
        declare_conflicts(evaluator=evaluator, by=ev["evaluator2"], answers={})


def test_declared_conflict_hides_that_organisations_proposals(opened):
    conflicted = fresh(opened["conflicted"])

    visible = set(Proposal.objects.visible_to(conflicted).values_list("pk", flat=True))

    assert visible == {opened["bid_a"].pk}
    assert AuditEvent.objects.filter(action="evaluation.conflict_declared", data__has_conflict=True).exists()


def test_declaring_a_conflict_with_a_partner_hides_the_consortium_bid(ev):
    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])
    evaluator = evaluator_of(ev, "evaluator2")
    answers = {
        organisation.pk: (
            (True, "Former employer") if organisation.pk == ev["partner"].organisation_id else (False, "")
        )
        for organisation in undeclared_organisations(evaluator=evaluator)
    }
    declare_conflicts(evaluator=evaluator, by=ev["evaluator2"], answers=answers)

    visible = set(Proposal.objects.visible_to(fresh(ev["evaluator2"])).values_list("pk", flat=True))
    assert visible == {ev["bid_b"].pk}


def test_undeclared_evaluator_sees_nothing(ev):
    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])

    assert list(Proposal.objects.visible_to(fresh(ev["evaluator2"]))) == []


def test_automatically_excluded_evaluator_never_sees_the_bid_as_evaluator(opened):
    user = fresh(opened["bidding_evaluator"])
    # They belong to B, so they read B's proposal as its bidder; as an evaluator they score only A.
    from challenges.evaluation.selectors.scoring import scorable_proposals

    scorable = list(scorable_proposals(evaluator=evaluator_of(opened, "bidding_evaluator")))
    assert scorable == [opened["bid_a"]]
    assert opened["bid_b"].pk in set(Proposal.objects.visible_to(user).values_list("pk", flat=True))


def test_removed_evaluator_sees_nothing(opened):
    remove_evaluator(evaluator=evaluator_of(opened, "evaluator2"), by=opened["procurer"], reason="Ill")

    assert list(Proposal.objects.visible_to(fresh(opened["evaluator2"]))) == []


def test_evaluator_appointed_after_opening_is_asked_to_declare(opened):
    member = MembershipFactory(organisation=opened["challenge"].owner).user
    MembershipFactory(organisation=opened["bid_a"].supplier, user=member)

    evaluator = appoint_evaluator(challenge=opened["challenge"], by=opened["procurer"], user=member)

    assert ConflictDeclaration.objects.filter(evaluator=evaluator, is_automatic=True).count() == 1
    assert Notification.objects.filter(recipient=member, kind=kinds.CONFLICTS_TO_DECLARE.key).exists()
