"""Clarification questions: who may ask and until when, public and private answers, who hears of them,
and that a published answer never identifies the asker."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from challenges import kinds
from challenges.enums import ClarificationStatus
from challenges.models import Clarification
from challenges.services.qa import ClarificationError, answer_question, ask_question
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    UserFactory,
)
from tests.factories.challenges import (
    ChallengeFactory,
    ClarificationFactory,
    FollowFactory,
    PublishedChallengeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    owner = BuyerFactory()
    supplier = SupplierFactory(name="Nordlys Omsorg AS")
    asker = MembershipFactory(
        organisation=supplier, user=UserFactory(full_name="Ola Spørsmål", email="ola@nordlys.example")
    ).user
    return {
        "owner": owner,
        "owner_admin": AdminMembershipFactory(organisation=owner).user,
        "owner_member": MembershipFactory(organisation=owner).user,
        "supplier": supplier,
        "asker": asker,
        "challenge": PublishedChallengeFactory(owner=owner),
    }


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# Asking


def test_ask_question_stores_a_private_pending_question_for_the_suppliers_organisation(people):
    clarification = ask_question(
        challenge=people["challenge"], by=people["asker"], question="  Can we pilot? "
    )

    assert clarification.status == ClarificationStatus.PENDING
    assert clarification.question == "Can we pilot?"
    assert clarification.asked_by == people["asker"]
    assert clarification.asked_by_organisation == people["supplier"]
    assert AuditEvent.objects.get(action="clarification.asked").organisation_id == people["supplier"].pk


def test_ask_question_uses_the_organisation_the_supplier_acts_for(people):
    second = SupplierFactory()
    MembershipFactory(organisation=second, user=people["asker"])

    clarification = ask_question(
        challenge=people["challenge"], by=people["asker"], question="Q?", organisation=second
    )

    assert clarification.asked_by_organisation == second


def test_ask_question_refuses_an_organisation_the_asker_does_not_belong_to(people):
    with pytest.raises(ClarificationError):
        ask_question(
            challenge=people["challenge"], by=people["asker"], question="Q?", organisation=SupplierFactory()
        )


def test_ask_question_notifies_the_buying_organisations_members(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_question(
            challenge=people["challenge"], by=people["asker"], question="May we use existing sensors?"
        )

    assert _kinds(people["owner_admin"]) == [kinds.QUESTION_ASKED.key]
    assert _kinds(people["owner_member"]) == [kinds.QUESTION_ASKED.key]
    assert _kinds(people["asker"]) == []
    assert "May we use existing sensors?" in mail.outbox[0].body


def test_ask_question_refuses_after_the_questions_deadline_to_the_second(people):
    challenge = PublishedChallengeFactory(
        owner=people["owner"], questions_deadline=timezone.now() - timedelta(seconds=1)
    )

    with pytest.raises(ClarificationError, match="deadline for questions has passed"):
        ask_question(challenge=challenge, by=people["asker"], question="Too late?")

    assert not Clarification.objects.exists()


def test_ask_question_falls_back_to_the_submission_deadline(people):
    challenge = PublishedChallengeFactory(
        owner=people["owner"],
        questions_deadline=None,
        submission_deadline=timezone.now() + timedelta(hours=1),
    )

    assert ask_question(challenge=challenge, by=people["asker"], question="Still open?").pk


def test_ask_question_refuses_a_challenge_not_published(people):
    with pytest.raises(ClarificationError):
        ask_question(challenge=ChallengeFactory(owner=people["owner"]), by=people["asker"], question="Q?")


@pytest.mark.parametrize("who", ["owner_member", "buyer", "nobody"])
def test_ask_question_refuses_everyone_but_suppliers(people, who):
    user = {
        "owner_member": people["owner_member"],
        "buyer": MembershipFactory().user,
        "nobody": UserFactory(),
    }[who]

    with pytest.raises(ClarificationError):
        ask_question(challenge=people["challenge"], by=user, question="Q?")


def test_ask_question_refuses_a_supplier_who_is_also_in_the_buying_organisation(people):
    MembershipFactory(organisation=people["owner"], user=people["asker"])

    with pytest.raises(ClarificationError, match="its own challenge"):
        ask_question(challenge=people["challenge"], by=people["asker"], question="Q?")


@pytest.mark.parametrize("question", ["", "   ", "x" * 4001])
def test_ask_question_refuses_an_empty_or_overlong_question(people, question):
    with pytest.raises(ClarificationError):
        ask_question(challenge=people["challenge"], by=people["asker"], question=question)


# Answering


def test_answer_question_publicly_with_an_anonymised_question(people, django_capture_on_commit_callbacks):
    clarification = ask_question(
        challenge=people["challenge"],
        by=people["asker"],
        question="We at Nordlys Omsorg AS ask: can we pilot?",
    )
    follower = FollowFactory(challenge=people["challenge"]).user
    FollowFactory(challenge=people["challenge"], user=people["asker"])

    with django_capture_on_commit_callbacks(execute=True):
        answer_question(
            clarification=clarification,
            by=people["owner_member"],
            answer="Yes, in one district.",
            publish=True,
            public_question="Can we pilot?",
        )

    clarification.refresh_from_db()
    assert clarification.status == ClarificationStatus.PUBLIC
    assert clarification.public_question == "Can we pilot?"
    assert clarification.answered_by == people["owner_member"]
    assert clarification.answered_at is not None
    assert _kinds(follower) == [kinds.CLARIFICATION_PUBLISHED.key]
    assert _kinds(people["asker"]) == [kinds.QUESTION_ANSWERED.key]
    follower_mail = next(message for message in mail.outbox if message.to == [follower.email])
    for identifying in ["Nordlys", "Ola Spørsmål", "ola@nordlys.example"]:
        assert identifying not in follower_mail.body
        assert identifying not in follower_mail.alternatives[0][0]
    assert "Can we pilot?" in follower_mail.body


def test_answer_question_publicly_keeps_the_question_when_not_edited(people):
    clarification = ClarificationFactory(challenge=people["challenge"], asked_by=people["asker"])

    answer_question(clarification=clarification, by=people["owner_member"], answer="Yes.", publish=True)

    clarification.refresh_from_db()
    assert clarification.public_question == clarification.question


def test_answer_question_privately_tells_only_the_asker(people, django_capture_on_commit_callbacks):
    clarification = ClarificationFactory(
        challenge=people["challenge"], asked_by=people["asker"], asked_by_organisation=people["supplier"]
    )
    follower = FollowFactory(challenge=people["challenge"]).user

    with django_capture_on_commit_callbacks(execute=True):
        answer_question(
            clarification=clarification,
            by=people["owner_admin"],
            answer="Your licence is fine.",
            publish=False,
        )

    clarification.refresh_from_db()
    assert clarification.status == ClarificationStatus.PRIVATE
    assert clarification.public_question == ""
    assert _kinds(people["asker"]) == [kinds.QUESTION_ANSWERED.key]
    assert _kinds(follower) == []
    assert [message.to for message in mail.outbox] == [[people["asker"].email]]
    assert "for your organisation only" in mail.outbox[0].body


def test_answer_question_refuses_a_second_answer(people):
    clarification = ClarificationFactory(challenge=people["challenge"], asked_by=people["asker"])
    answer_question(clarification=clarification, by=people["owner_member"], answer="Yes.", publish=False)

    with pytest.raises(ClarificationError, match="already been answered"):
        answer_question(clarification=clarification, by=people["owner_admin"], answer="No.", publish=True)


def test_answer_question_refuses_an_empty_answer(people):
    clarification = ClarificationFactory(challenge=people["challenge"], asked_by=people["asker"])

    with pytest.raises(ClarificationError, match="Write the answer"):
        answer_question(clarification=clarification, by=people["owner_member"], answer="  ", publish=True)


@pytest.mark.parametrize("who", ["asker", "other_buyer"])
def test_answer_question_refuses_anyone_outside_the_buying_organisation(people, who):
    clarification = ClarificationFactory(challenge=people["challenge"], asked_by=people["asker"])
    user = people["asker"] if who == "asker" else MembershipFactory().user

    with pytest.raises(ClarificationError):
        answer_question(clarification=clarification, by=user, answer="Yes.", publish=True)

    clarification.refresh_from_db()
    assert clarification.status == ClarificationStatus.PENDING
