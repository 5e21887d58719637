"""Celery's autodiscovery reads <app>.tasks: the evaluation's tasks live in one module per area."""

from .tasks_award import finalise_awards_task
from .tasks_scoring import send_scoring_reminders_task

__all__ = ["finalise_awards_task", "send_scoring_reminders_task"]
