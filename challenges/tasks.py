"""Periodic work on challenges (scheduled in CELERY_BEAT_SCHEDULE). Thin: each task calls one service,
which is idempotent, so a task delivered twice (acks_late) changes nothing the second time."""

from celery import shared_task

from .services import lifecycle


@shared_task(name="challenges.close_due_challenges", acks_late=True, ignore_result=True)
def close_due_challenges_task() -> int:
    """Close the published challenges whose deadline for proposals has passed (every 30 seconds; reads
    already show them closed to the second)."""
    return lifecycle.close_due_challenges()


@shared_task(name="challenges.send_deadline_reminders", acks_late=True, ignore_result=True)
def send_deadline_reminders_task() -> int:
    """Remind followers 7 days and 1 day before a challenge's deadline for proposals, once each."""
    return lifecycle.send_deadline_reminders()
