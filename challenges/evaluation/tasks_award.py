"""Periodic work of the award (scheduled in CELERY_BEAT_SCHEDULE every 5 minutes). Thin: the service claims
each award with a conditional UPDATE, so a task delivered twice (acks_late) finalises nothing twice."""

from celery import shared_task

from .services.award import finalise_due_awards


@shared_task(name="evaluation.finalise_awards", acks_late=True, ignore_result=True)
def finalise_awards_task() -> int:
    """Make final every award whose standstill period has ended, and tell the bidders and followers."""
    return finalise_due_awards()
