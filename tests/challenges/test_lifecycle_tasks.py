"""The periodic tasks: closing challenges at their deadline and the deadline reminders."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from challenges import kinds
from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from challenges.services.lifecycle import deadline_reminder_key, send_deadline_reminders
from challenges.tasks import close_due_challenges_task, send_deadline_reminders_task
from portal.celery import app
from portal.notifications.models import Notification, ReminderRecord
from tests.factories.accounts import UserFactory
from tests.factories.challenges import ChallengeFactory, FollowFactory, PublishedChallengeFactory

pytestmark = pytest.mark.django_db


def _closing_in(delta: timedelta, **kwargs) -> Challenge:
    return PublishedChallengeFactory(
        questions_deadline=None, submission_deadline=timezone.now() + delta, **kwargs
    )


def _reminders(user) -> int:
    return Notification.objects.filter(recipient=user, kind=kinds.DEADLINE_REMINDER.key).count()


def test_tasks_are_registered_under_the_scheduled_names():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"challenges.close_due_challenges", "challenges.send_deadline_reminders"} <= scheduled
    assert app.tasks["challenges.close_due_challenges"].name == close_due_challenges_task.name
    assert app.tasks["challenges.send_deadline_reminders"].name == send_deadline_reminders_task.name
    assert close_due_challenges_task.acks_late is True
    assert send_deadline_reminders_task.acks_late is True


def test_close_due_challenges_task_closes_a_challenge_one_second_past_its_deadline():
    challenge = _closing_in(-timedelta(seconds=1))

    close_due_challenges_task.delay()

    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.CLOSED


def test_close_due_challenges_task_run_twice_notifies_once(django_capture_on_commit_callbacks):
    challenge = _closing_in(-timedelta(seconds=1))
    follower = FollowFactory(challenge=challenge).user

    with django_capture_on_commit_callbacks(execute=True):
        close_due_challenges_task.delay()
        close_due_challenges_task.delay()

    assert Notification.objects.filter(recipient=follower).count() == 1
    assert len(mail.outbox) == 1


def test_deadline_reminders_seven_days_before_reach_followers_once(django_capture_on_commit_callbacks):
    challenge = _closing_in(timedelta(days=6, hours=23))
    follower = FollowFactory(challenge=challenge).user
    bystander = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        first = send_deadline_reminders_task.delay().get()
        second = send_deadline_reminders_task.delay().get()

    assert (first, second) == (1, 0)
    assert _reminders(follower) == 1
    assert _reminders(bystander) == 0
    assert ReminderRecord.objects.get(user=follower).key == deadline_reminder_key(
        challenge=challenge, stage="7d"
    )
    assert [message.to for message in mail.outbox] == [[follower.email]]
    assert challenge.title in mail.outbox[0].body


def test_deadline_reminders_one_day_before_come_after_the_seven_day_one():
    challenge = _closing_in(timedelta(days=5))
    follower = FollowFactory(challenge=challenge).user
    send_deadline_reminders()
    seven_day_key = deadline_reminder_key(challenge=challenge, stage="7d")
    Challenge.objects.filter(pk=challenge.pk).update(submission_deadline=timezone.now() + timedelta(hours=20))
    challenge.refresh_from_db()

    send_deadline_reminders()
    send_deadline_reminders()

    assert _reminders(follower) == 2
    assert sorted(ReminderRecord.objects.filter(user=follower).values_list("key", flat=True)) == [
        deadline_reminder_key(challenge=challenge, stage="1d"),
        seven_day_key,
    ]


def test_deadline_reminders_start_again_after_the_deadline_is_extended():
    challenge = _closing_in(timedelta(days=6))
    follower = FollowFactory(challenge=challenge).user
    send_deadline_reminders()
    Challenge.objects.filter(pk=challenge.pk).update(
        submission_deadline=challenge.submission_deadline + timedelta(hours=12)
    )

    send_deadline_reminders()
    send_deadline_reminders()

    assert _reminders(follower) == 2


@pytest.mark.parametrize(
    "challenge_factory",
    [
        lambda: _closing_in(timedelta(days=8)),
        lambda: _closing_in(-timedelta(seconds=1)),
        lambda: _closing_in(timedelta(days=3), status=ChallengeStatus.CANCELLED),
        lambda: ChallengeFactory(
            questions_deadline=None, submission_deadline=timezone.now() + timedelta(days=3)
        ),
    ],
    ids=["too-early", "past", "cancelled", "draft"],
)
def test_deadline_reminders_skip_challenges_outside_the_window(challenge_factory):
    challenge = challenge_factory()
    follower = UserFactory()
    FollowFactory(user=follower, challenge=challenge)

    assert send_deadline_reminders() == 0

    assert _reminders(follower) == 0


def test_deadline_reminders_skip_inactive_followers():
    challenge = _closing_in(timedelta(days=2))
    follower = FollowFactory(challenge=challenge, user=UserFactory(is_active=False)).user

    send_deadline_reminders()

    assert _reminders(follower) == 0
