"""Discovery's Celery tasks. Celery's autodiscovery imports only `challenges.tasks`, so this module is
imported from there (or from ChallengesConfig.ready()) to register the tasks with the worker."""

from celery import shared_task


@shared_task(name="challenges.publication_fanout", acks_late=True, ignore_result=True)
def publication_fanout_task(*, challenge_id: int) -> int:
    """Tell followers of the buyer and owners of matching saved searches about a newly published
    challenge. Idempotent: a second run finds everyone already told."""
    from .services.discovery import fan_out_publication

    return fan_out_publication(challenge_id=challenge_id)


@shared_task(name="challenges.sweep_publication_fanouts", acks_late=True, ignore_result=True)
def sweep_publication_fanouts_task() -> int:
    """Periodic safety net: run the fan-out again for challenges published recently, in case the broker
    was down when one was published (the claims make a repeated run tell nobody twice)."""
    from .services.discovery import sweep_publication_fanouts

    return sweep_publication_fanouts()
