from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges")

    def ready(self) -> None:
        # Celery's autodiscovery imports challenges.tasks only; the discovery fan-out task lives beside it.
        from . import kinds, tasks_discovery  # noqa: F401
