"""Periodic work on proposals (scheduled in CELERY_BEAT_SCHEDULE). Thin: each task calls one service,
which is idempotent, so a task delivered twice (acks_late) changes nothing the second time."""

from celery import shared_task

from .services import submission


@shared_task(name="suppliers.send_draft_reminders", acks_late=True, ignore_result=True)
def send_draft_reminders_task() -> int:
    """Remind bidders of unsubmitted proposals 48 hours and 6 hours before the deadline, once each."""
    return submission.send_draft_reminders()
