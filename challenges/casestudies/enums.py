from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseSource(models.TextChoices):
    CHALLENGE = "challenge", _("Challenge")
    EXCHANGE = "exchange", _("Staff exchange")


class CaseOutcome(models.TextChoices):
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    CANCELLED = "cancelled", _("Cancelled")
    EXCHANGE = "exchange", _("Learning from an exchange")


class CaseStudyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Capability(models.TextChoices):
    """The innovation capabilities of a buying organisation that the FORAN model names. The capability
    self-assessment rates each; a case study may say which one it illustrates most."""

    MANAGEMENT_ANCHORING = "management_anchoring", _("Management anchoring")
    COMPETENCE = "competence", _("Competence of the people involved")
    INTERNAL_COLLABORATION = "internal_collaboration", _("Internal collaboration between units")
    SUPPLIER_DIALOGUE = "supplier_dialogue", _("Dialogue with suppliers")
    MUNICIPAL_COLLABORATION = "municipal_collaboration", _("Collaboration with other municipalities")
    SYSTEMATIC_LEARNING = "systematic_learning", _("Systematic learning across projects")


# The challenge statuses a case study may be written from, and the outcome each one records.
OUTCOME_OF_CHALLENGE_STATUS = {
    "awarded": CaseOutcome.AWARDED,
    "not_awarded": CaseOutcome.NOT_AWARDED,
    "cancelled": CaseOutcome.CANCELLED,
}
