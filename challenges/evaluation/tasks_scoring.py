"""Periodic work of scoring (scheduled in CELERY_BEAT_SCHEDULE every 15 minutes). Thin: the service claims
each reminder per person and stage (claim_reminders), so a task delivered twice (acks_late) sends
nothing twice."""

from celery import shared_task

from .services.scoring import send_scoring_reminders


@shared_task(name="evaluation.send_scoring_reminders", acks_late=True, ignore_result=True)
def send_scoring_reminders_task() -> int:
    """Remind evaluators with unsubmitted sheets 3 days and 1 day before the scoring deadline."""
    return send_scoring_reminders()
