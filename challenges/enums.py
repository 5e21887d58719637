from django.db import models
from django.utils.translation import gettext_lazy as _


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Open for proposals")
    CLOSED = "closed", _("Closed")
    UNDER_EVALUATION = "under_evaluation", _("Under evaluation")
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses the public may see.
PUBLIC_STATUSES = [
    ChallengeStatus.PUBLISHED,
    ChallengeStatus.CLOSED,
    ChallengeStatus.UNDER_EVALUATION,
    ChallengeStatus.AWARDED,
    ChallengeStatus.NOT_AWARDED,
    ChallengeStatus.CANCELLED,
]


class ProcurementRoute(models.TextChoices):
    PRE_COMMERCIAL = "pcp", _("Pre-commercial procurement")
    INNOVATION_PARTNERSHIP = "innovation_partnership", _("Innovation partnership")
    COMPETITIVE_DIALOGUE = "competitive_dialogue", _("Competitive dialogue")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", _("Competitive procedure with negotiation")
    OPEN_WITH_VARIANTS = "open_variants", _("Open procedure allowing variants")
    PROOF_OF_VALUE = "proof_of_value", _("Proof-of-value trial")
    MARKET_CONSULTATION = "market_consultation", _("Market consultation only")


class Currency(models.TextChoices):
    EUR = "EUR", "EUR"
    NOK = "NOK", "NOK"
    SEK = "SEK", "SEK"
    DKK = "DKK", "DKK"
    GBP = "GBP", "GBP"


class ScoringScale(models.IntegerChoices):
    ZERO_TO_FIVE = 5, _("0 to 5")
    ZERO_TO_TEN = 10, _("0 to 10")


class StatementLanguage(models.TextChoices):
    EN = "en", _("English")
    NB = "nb", _("Norwegian Bokmål")


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")


class ClarificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    PUBLIC = "public", _("Answered publicly")
    PRIVATE = "private", _("Answered privately")


class CoachCategory(models.TextChoices):
    BRAND = "brand", _("Brand or product name")
    TECHNOLOGY = "technology", _("Technology named as the answer")
    SOLUTION_PHRASE = "solution_phrase", _("Prescribes a solution")
