"""Rules found missing in review: a challenge cancelled before publication stays private; its author may
not approve it; a deadline extension never shortens the questions window; the CPV search survives NUL."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from challenges.services.lifecycle import (
    ChallengeStateError,
    approve_challenge,
    cancel_challenge,
    extend_deadline,
)
from tests.factories.accounts import AdminMembershipFactory, MembershipFactory
from tests.factories.challenges import ChallengeFactory, PublishedChallengeFactory

pytestmark = pytest.mark.django_db


def test_cancelled_draft_stays_private(client):
    admin = AdminMembershipFactory()
    challenge = ChallengeFactory(owner=admin.organisation, created_by=admin.user)

    cancel_challenge(challenge=challenge, by=admin.user, reason="Not needed after all.")

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.CANCELLED
    assert not Challenge.objects.public().filter(pk=challenge.pk).exists()
    assert client.get(challenge.get_absolute_url()).status_code == 404
    assert (
        challenge.title
        not in client.get(reverse("challenges:challenge-list") + "?status=all").content.decode()
    )


def test_cancelled_published_challenge_stays_public(client):
    admin = AdminMembershipFactory()
    challenge = PublishedChallengeFactory(owner=admin.organisation)

    cancel_challenge(challenge=challenge, by=admin.user, reason="Budget withdrawn.")

    assert client.get(challenge.get_absolute_url()).status_code == 200


def test_author_may_not_approve_a_challenge_a_colleague_submitted():
    author = MembershipFactory()
    colleague = MembershipFactory(organisation=author.organisation)
    challenge = ChallengeFactory(
        owner=author.organisation,
        created_by=author.user,
        status=ChallengeStatus.IN_REVIEW,
        submitted_for_review_by=colleague.user,
    )

    assert not author.user.has_perm("challenges.review_challenge", challenge)
    with pytest.raises(ChallengeStateError):
        approve_challenge(challenge=challenge, by=author.user)


def test_extend_deadline_cannot_add_a_questions_deadline_before_the_current_end_of_questions():
    member = MembershipFactory()
    challenge = PublishedChallengeFactory(owner=member.organisation, questions_deadline=None)

    with pytest.raises(ChallengeStateError):
        extend_deadline(
            challenge=challenge,
            by=member.user,
            submission_deadline=challenge.submission_deadline,
            questions_deadline=timezone.now() + timedelta(days=1),
        )


def test_cpv_search_with_nul_bytes_answers_normally(client):
    member = MembershipFactory()
    client.force_login(member.user)

    response = client.get(reverse("challenges:cpv-search"), {"q": "\x00\x00road"})

    assert response.status_code == 200
