"""Reminders about unsubmitted proposals 48 hours and 6 hours before the deadline: who gets them, and that
each person gets each stage once per deadline, however often the task runs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from challenges.models import Challenge
from portal.celery import app
from portal.notifications.models import Notification
from suppliers import kinds
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import Proposal
from suppliers.services.submission import send_draft_reminders
from suppliers.tasks import send_draft_reminders_task
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    ConsortiumPartnerFactory,
    ProposalFactory,
    SubmittedProposalFactory,
)

pytestmark = pytest.mark.django_db

DEADLINE = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def _reminders(user) -> int:
    return Notification.objects.filter(recipient=user, kind=kinds.DRAFT_REMINDER.key).count()


@pytest.fixture
def run_up():
    """A challenge closing at DEADLINE: a draft by a consortium, a withdrawn proposal, a submitted one."""
    with time_machine.travel(DEADLINE - timedelta(days=10), tick=False):
        challenge = PublishedChallengeFactory(submission_deadline=DEADLINE, questions_deadline=None)
        draft = ProposalFactory(challenge=challenge)
        partner = AcceptedPartnerFactory(proposal=draft)
        invited = ConsortiumPartnerFactory(proposal=draft, status=PartnerStatus.INVITED)
        withdrawn = ProposalFactory(challenge=challenge, status=ProposalStatus.WITHDRAWN)
        submitted = SubmittedProposalFactory(challenge=challenge)
        people = {
            "lead": MembershipFactory(organisation=draft.supplier).user,
            "lead_colleague": MembershipFactory(organisation=draft.supplier).user,
            "partner": MembershipFactory(organisation=partner.organisation).user,
            "invited_partner": MembershipFactory(organisation=invited.organisation).user,
            "withdrawn_lead": MembershipFactory(organisation=withdrawn.supplier).user,
            "submitted_lead": MembershipFactory(organisation=submitted.supplier).user,
            "bystander": MembershipFactory(organisation=SupplierFactory()).user,
        }
    return {"challenge": challenge, "draft": draft, **people}


REMINDED = {"lead", "lead_colleague", "partner", "withdrawn_lead"}
NOT_REMINDED = {"invited_partner", "submitted_lead", "bystander"}


def _run_at(moment, times=2) -> list[int]:
    with time_machine.travel(moment, tick=False):
        return [send_draft_reminders() for _ in range(times)]


def test_draft_reminders_over_the_run_up_to_the_deadline(run_up):
    counts = {}
    for hours_before in (72, 49, 47, 30, 7, 5, 1):
        counts[hours_before] = _run_at(DEADLINE - timedelta(hours=hours_before))
    after = _run_at(DEADLINE + timedelta(minutes=1))

    assert counts == {72: [0, 0], 49: [0, 0], 47: [4, 0], 30: [0, 0], 7: [0, 0], 5: [4, 0], 1: [0, 0]}
    assert after == [0, 0]
    assert {name: _reminders(run_up[name]) for name in REMINDED | NOT_REMINDED} == {
        **{name: 2 for name in REMINDED},
        **{name: 0 for name in NOT_REMINDED},
    }


def test_a_draft_started_within_six_hours_gets_only_the_last_reminder(run_up):
    with time_machine.travel(DEADLINE - timedelta(hours=3), tick=False):
        late = ProposalFactory(challenge=run_up["challenge"])
        late_lead = MembershipFactory(organisation=late.supplier).user

    _run_at(DEADLINE - timedelta(hours=2))

    assert _reminders(late_lead) == 1


def test_a_proposal_submitted_after_the_first_reminder_gets_no_second(run_up):
    _run_at(DEADLINE - timedelta(hours=40))
    Proposal.objects.filter(pk=run_up["draft"].pk).update(
        status=ProposalStatus.SUBMITTED, submitted_at=DEADLINE
    )

    _run_at(DEADLINE - timedelta(hours=4))

    assert _reminders(run_up["lead"]) == 1
    assert _reminders(run_up["withdrawn_lead"]) == 2


def test_an_extended_deadline_is_reminded_of_again(run_up):
    _run_at(DEADLINE - timedelta(hours=40))
    later = DEADLINE + timedelta(days=1)
    Challenge.objects.filter(pk=run_up["challenge"].pk).update(submission_deadline=later)

    _run_at(later - timedelta(hours=40))
    _run_at(later - timedelta(hours=39))

    assert _reminders(run_up["lead"]) == 2


def test_a_person_in_two_bidding_organisations_is_reminded_once_per_stage(run_up):
    MembershipFactory(
        organisation=run_up["draft"].partners.first().organisation, user=run_up["withdrawn_lead"]
    )

    _run_at(DEADLINE - timedelta(hours=40))

    assert _reminders(run_up["withdrawn_lead"]) == 1


def test_draft_reminder_mail_names_the_challenge_and_the_deadline_in_its_zone(
    run_up, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(DEADLINE - timedelta(hours=40), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_draft_reminders()

    message = next(message for message in mail.outbox if message.to == [run_up["lead"].email])
    assert run_up["challenge"].title in message.subject
    assert "1 December 2026, 12:00" in message.body  # 11:00 UTC in Europe/Oslo
    assert run_up["draft"].get_absolute_url() in message.body


def test_draft_reminders_task_is_registered_under_the_scheduled_name(run_up):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "suppliers.send_draft_reminders" in scheduled
    assert app.tasks["suppliers.send_draft_reminders"].name == send_draft_reminders_task.name
    assert send_draft_reminders_task.acks_late is True
    with time_machine.travel(DEADLINE - timedelta(hours=40), tick=False):
        send_draft_reminders_task.delay()
        send_draft_reminders_task.delay()
    assert _reminders(run_up["lead"]) == 1
