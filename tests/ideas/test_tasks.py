"""Supporters and the author hear once that the idea's challenge is published: the periodic task claims each
idea with a conditional UPDATE, so running it twice tells nobody twice."""

import pytest
from django.core import mail
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.ideas.models import Idea
from challenges.ideas.services import claim_and_notify_supporters, convert_idea_to_challenge
from challenges.ideas.tasks import notify_idea_supporters_task
from challenges.models import Challenge
from portal.celery import app
from portal.notifications.models import Notification
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.ideas import IdeaSupportFactory, PublishedIdeaFactory

pytestmark = pytest.mark.django_db

KIND = "ideas.challenge_published"


def _told() -> list[int]:
    return sorted(Notification.objects.filter(kind=KIND).values_list("recipient_id", flat=True))


def _publish(challenge: Challenge) -> None:
    Challenge.objects.filter(pk=challenge.pk).update(
        status=ChallengeStatus.PUBLISHED, published_at=timezone.now()
    )


@pytest.fixture
def converted(city):
    """A published idea with two supporters, turned into a challenge draft."""
    idea = PublishedIdeaFactory(city=city)
    supporters = [IdeaSupportFactory(idea=idea).user for _ in range(2)]
    challenge = convert_idea_to_challenge(idea=idea, by=MembershipFactory(organisation=city).user)
    idea.refresh_from_db()
    return idea, supporters, challenge


def test_the_task_is_registered_with_celery():
    app.loader.import_default_modules()

    assert "ideas.notify_idea_supporters" in app.tasks


def test_nobody_hears_while_the_challenge_is_a_draft(converted):
    assert notify_idea_supporters_task() == 0

    assert _told() == []
    assert Idea.objects.get().supporters_notified_at is None


def test_supporters_and_author_hear_once(converted, django_capture_on_commit_callbacks):
    idea, supporters, challenge = converted
    _publish(challenge)

    with django_capture_on_commit_callbacks(execute=True):
        first = notify_idea_supporters_task()
    with django_capture_on_commit_callbacks(execute=True):
        second = notify_idea_supporters_task()

    assert (first, second) == (1, 0)
    assert _told() == sorted([idea.author_id, *(user.pk for user in supporters)])
    assert Idea.objects.get().supporters_notified_at is not None
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [idea.author.email, *(user.email for user in supporters)]
    )
    assert all(challenge.get_absolute_url() in message.body for message in mail.outbox)


def test_a_claimed_idea_is_not_claimed_again(converted):
    idea, _supporters, challenge = converted
    _publish(challenge)
    idea.refresh_from_db()

    assert claim_and_notify_supporters(idea=idea) is True
    # A second worker that read the same idea before the claim finds nothing left to claim.
    assert claim_and_notify_supporters(idea=idea) is False
    assert len(_told()) == 3


def test_a_supporter_who_left_is_not_told(converted):
    idea, supporters, challenge = converted
    supporters[0].is_active = False
    supporters[0].save()
    _publish(challenge)

    notify_idea_supporters_task()

    assert _told() == sorted([idea.author_id, supporters[1].pk])


def test_an_idea_without_author_or_supporters_is_claimed_quietly(city):
    idea = PublishedIdeaFactory(city=city, author=None)
    challenge = convert_idea_to_challenge(idea=idea, by=MembershipFactory(organisation=city).user)
    _publish(challenge)

    assert notify_idea_supporters_task() == 1
    assert notify_idea_supporters_task() == 0
    assert _told() == []


def test_several_ideas_in_one_run(city):
    member = MembershipFactory(organisation=city).user
    for _ in range(3):
        idea = PublishedIdeaFactory(city=city)
        IdeaSupportFactory(idea=idea, user=UserFactory())
        _publish(convert_idea_to_challenge(idea=idea, by=member))

    assert notify_idea_supporters_task() == 3
    assert len(_told()) == 6


def test_supporters_hear_when_the_author_erased_their_account(converted):
    idea, supporters, challenge = converted
    idea.author.delete()  # the idea stays, without an author
    _publish(challenge)

    assert notify_idea_supporters_task() == 1

    assert _told() == sorted(user.pk for user in supporters)
