"""Evaluation and award: a challenge's panel, conflict declarations, blind scores, consensus, proof-of-value
trials and the award with its feedback to every bidder.

Evaluation reads proposals, so this app sits above both challenges and suppliers (STYLE.md): it may
import suppliers; neither imports it (suppliers.models names `challenge__evaluators` by string).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import AwardDecision, AwardStatus, TrialDecision


class Panel(models.Model):
    """A challenge's evaluation settings: the scoring deadline and whether a proof-of-value stage follows
    the scoring."""

    challenge = models.OneToOneField("challenges.Challenge", on_delete=models.CASCADE, related_name="panel")
    scoring_deadline = models.DateTimeField(_("scoring deadline"), null=True, blank=True)
    has_trial_stage = models.BooleanField(
        _("proof-of-value stage"),
        default=False,
        help_text=_("Shortlisted proposals go to a paid trial before the award decision."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluation panel")
        verbose_name_plural = _("evaluation panels")

    def __str__(self) -> str:
        return str(self.challenge)


class Evaluator(models.Model):
    """A member of a challenge's evaluation panel; one of them may chair it. An external expert is invited
    by email: `user` stays empty until they accept (the token is stored as its SHA-256)."""

    challenge = models.ForeignKey("challenges.Challenge", on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluator_roles",
    )
    email = models.EmailField(_("invited address"), blank=True)
    token_digest = models.CharField(max_length=64, blank=True, editable=False)
    is_external = models.BooleanField(_("external expert"), default=False)
    is_chair = models.BooleanField(_("chair"), default=False)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        ordering = ["challenge", "-is_chair", "appointed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "user"],
                condition=Q(removed_at__isnull=True),
                name="evaluator_once_per_challenge",
            ),
            models.UniqueConstraint(
                fields=["challenge"],
                condition=Q(is_chair=True, removed_at__isnull=True),
                name="evaluator_one_chair",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="evaluator_has_user_or_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.email} · {self.challenge}"


class ConflictDeclaration(models.Model):
    """An evaluator's declaration about one bidding organisation (lead or consortium partner). A declared
    conflict hides every proposal that organisation is part of from the evaluator. Declarations are
    final: a correction is a new declaration by the chair's reopening, audited."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="declarations")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    # Set when the evaluator is a member of the organisation: excluded without being asked.
    is_automatic = models.BooleanField(default=False)
    reason = models.TextField(_("nature of the conflict"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict declaration")
        verbose_name_plural = _("conflict declarations")
        ordering = ["evaluator", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "organisation"], name="declaration_once"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} / {self.organisation}: {self.has_conflict}"


class ScoreSheet(models.Model):
    """One evaluator's scores for one proposal. Editable while a draft; locked once submitted (the chair
    can reopen it, audited). Nobody sees other evaluators' sheets for a proposal before submitting their
    own."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="sheets")
    proposal = models.ForeignKey("suppliers.Proposal", on_delete=models.CASCADE, related_name="score_sheets")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    # The chair's reason for the latest reopening, shown to the evaluator on their sheet.
    reopen_reason = models.TextField(_("why the sheet was reopened"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["proposal", "evaluator"]
        constraints = [models.UniqueConstraint(fields=["evaluator", "proposal"], name="score_sheet_once")]

    def __str__(self) -> str:
        return f"{self.evaluator} → {self.proposal_id}"


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("challenges.Criterion", on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["sheet", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__lte=10), name="score_at_most_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.criterion_id}: {self.value}"


class ConsensusScore(models.Model):
    """The panel's agreed score for one proposal and criterion, recorded by the chair with its rationale.
    Weighted totals and the ranking are computed from these and the published weights."""

    proposal = models.ForeignKey(
        "suppliers.Proposal", on_delete=models.CASCADE, related_name="consensus_scores"
    )
    criterion = models.ForeignKey("challenges.Criterion", on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(_("consensus score"))
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consensus score")
        verbose_name_plural = _("consensus scores")
        ordering = ["proposal", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "criterion"], name="consensus_once_per_criterion"),
            models.CheckConstraint(condition=Q(value__lte=10), name="consensus_at_most_10"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.criterion_id}: {self.value}"


class Trial(models.Model):
    """A shortlisted proposal's paid proof-of-value trial, and the go / no-go decision on it."""

    proposal = models.OneToOneField("suppliers.Proposal", on_delete=models.CASCADE, related_name="trial")
    shortlisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shortlisted_at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField(_("what the trial showed"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=TrialDecision.choices, default=TrialDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trial")
        verbose_name_plural = _("trials")
        ordering = ["shortlisted_at"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.decision}"


class TrialResult(models.Model):
    """A trial's measured result against one of the challenge's outcome indicators."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="results")
    outcome = models.ForeignKey("challenges.Outcome", on_delete=models.CASCADE, related_name="+")
    measured = models.CharField(_("measured value"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("trial result")
        verbose_name_plural = _("trial results")
        ordering = ["trial", "outcome__position", "outcome_id"]
        constraints = [models.UniqueConstraint(fields=["trial", "outcome"], name="trial_result_once")]

    def __str__(self) -> str:
        return f"{self.trial_id}/{self.outcome_id}: {self.measured}"


class Award(models.Model):
    """The decision on a challenge: award to one or more bidders, or no award, with its rationale (for the
    bidders) and its public summary (for everyone). It becomes final when the standstill period ends (a
    periodic task finalises it)."""

    challenge = models.OneToOneField("challenges.Challenge", on_delete=models.PROTECT, related_name="award")
    decision = models.CharField(_("decision"), max_length=10, choices=AwardDecision.choices)
    # For the bidders (with their feedback) and the evaluation report: it may discuss other bidders.
    rationale = models.TextField(_("rationale"))
    # For everyone: the public award notice and the open data (OCDS award description). Required for a
    # decision (the form and decide_award); blank only on awards decided before it existed.
    public_summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_(
            "Shown on the public challenge page and in the open data. It must not name or describe other "
            "bidders."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AwardStatus.choices, default=AwardStatus.STANDSTILL
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    standstill_ends_at = models.DateTimeField(_("standstill ends"))
    final_at = models.DateTimeField(_("final"), null=True, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(standstill_ends_at__gte=models.F("decided_at")),
                name="award_standstill_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge}: {self.decision}"


class AwardedProposal(models.Model):
    """A proposal the award goes to, with the contract value."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="awarded")
    proposal = models.ForeignKey("suppliers.Proposal", on_delete=models.PROTECT, related_name="awards")
    value = models.DecimalField(
        _("contract value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("awarded proposal")
        verbose_name_plural = _("awarded proposals")
        ordering = ["award", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "proposal"], name="awarded_proposal_once"),
            models.CheckConstraint(condition=Q(value__gte=0), name="awarded_value_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.award_id} → {self.proposal_id}"


class BidderFeedback(models.Model):
    """The individual feedback one bidder receives with the award: their consensus scores and
    justifications, their rank and the winning total are computed; this row holds the panel's note to
    them and when it was sent."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="feedback")
    proposal = models.ForeignKey("suppliers.Proposal", on_delete=models.CASCADE, related_name="feedback")
    note = models.TextField(_("note to the bidder"), blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    total = models.DecimalField(_("weighted total"), max_digits=7, decimal_places=3, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bidder feedback")
        verbose_name_plural = _("bidder feedback")
        ordering = ["award", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["award", "proposal"], name="feedback_once_per_bidder")]

    def __str__(self) -> str:
        return f"{self.award_id} → {self.proposal_id}"
