from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    """Citizen ideas: residents describe a problem they see in their city; the city's procurers moderate
    them and may turn one into a challenge draft. Sits above challenges (it creates drafts); challenges
    knows nothing of it."""

    name = "challenges.ideas"
    label = "ideas"
    verbose_name = _("Citizen ideas")

    def ready(self) -> None:
        # The task is registered even where autodiscovery has not run (a worker started with -I, tests).
        from . import kinds, tasks  # noqa: F401
