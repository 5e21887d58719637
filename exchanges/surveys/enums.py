from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    PRE_EXCHANGE = "pre_exchange", _("Pre-exchange survey")
    REFLECTION = "reflection", _("Reflection survey")
    CUSTOM = "custom", _("Custom survey")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RANKING = "ranking", _("Ranking")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


# Kinds whose answers are picked from the question's choices.
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING})
# Kinds a later question's condition may depend on.
CONDITION_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
