"""Periodic work on staff exchanges (scheduled in CELERY_BEAT_SCHEDULE). Thin and idempotent: the service
claims a reminder record per person and stage before it mails."""

from celery import shared_task

from .services import reminders


@shared_task(name="exchanges.send_exchange_reminders", acks_late=True, ignore_result=True)
def send_exchange_reminders_task() -> int:
    """Registration open, survey reminders, agenda published, the day before and waitlist promotions."""
    return reminders.send_exchange_reminders()
