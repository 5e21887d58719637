"""Periodic work on citizen ideas (scheduled in CELERY_BEAT_SCHEDULE; Celery's autodiscovery imports this
module, and IdeasConfig.ready imports it too). Thin: the service claims each idea with a conditional
UPDATE, so a task delivered twice (acks_late) tells nobody twice."""

from celery import shared_task

from .services import notify_supporters_of_published_challenges


@shared_task(name="ideas.notify_idea_supporters", acks_late=True, ignore_result=True)
def notify_idea_supporters_task() -> int:
    """Tell supporters and authors of ideas whose challenge has been published (every minute)."""
    return notify_supporters_of_published_challenges()
