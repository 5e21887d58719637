from django.db import models
from django.utils.translation import gettext_lazy as _


class TrialDecision(models.TextChoices):
    PENDING = "pending", _("Trial running")
    GO = "go", _("Go")
    NO_GO = "no_go", _("No go")


class AwardDecision(models.TextChoices):
    AWARD = "award", _("Award")
    NO_AWARD = "no_award", _("No award")


class AwardStatus(models.TextChoices):
    STANDSTILL = "standstill", _("In standstill")
    FINAL = "final", _("Final")
