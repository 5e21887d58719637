from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Evaluation and award read proposals, so they sit above both challenges and suppliers."""

    name = "challenges.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation and award")

    def ready(self) -> None:
        from . import kinds  # noqa: F401
