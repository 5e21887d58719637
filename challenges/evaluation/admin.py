"""The technical admin for evaluation and award: read-only for everyone, superusers included (every change
goes through the portal's services, which audit it). Scores, sheets and consensus stay out of the admin
until the challenge's outcome is recorded: nobody reads scores in flight here."""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from challenges.enums import ChallengeStatus

from .models import (
    Award,
    AwardedProposal,
    BidderFeedback,
    ConflictDeclaration,
    ConsensusScore,
    Evaluator,
    Panel,
    Score,
    ScoreSheet,
    Trial,
    TrialResult,
)

DECIDED = [ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED]


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class BidNamedAdmin(ReadOnlyAdmin):
    """Rows that point at a proposal name it by number only ("Proposal no. N"): its title is bid content,
    read in the portal where openings are audited."""

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "proposal"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "bid"]

    @admin.display(description=_("proposal"))
    def bid(self, obj) -> str:
        return obj.proposal.audit_label


class DecidedOnlyAdmin(ReadOnlyAdmin):
    """Rows of challenges whose outcome is recorded only. `challenge_path` leads from the row to its
    challenge."""

    challenge_path = ""

    def get_queryset(self, request) -> QuerySet:
        return super().get_queryset(request).filter(**{f"{self.challenge_path}__status__in": DECIDED})


@admin.register(Panel)
class PanelAdmin(ReadOnlyAdmin):
    list_display = ["challenge", "scoring_deadline", "has_trial_stage"]
    list_select_related = ["challenge"]


@admin.register(Evaluator)
class EvaluatorAdmin(ReadOnlyAdmin):
    list_display = ["challenge", "user", "email", "is_chair", "is_external", "appointed_at", "removed_at"]
    list_select_related = ["challenge", "user"]
    list_filter = ["is_chair", "is_external"]
    search_fields = ["user__email", "email", "challenge__title"]
    exclude = ["token_digest"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["evaluator", "organisation", "has_conflict", "is_automatic", "declared_at"]
    list_select_related = ["evaluator__user", "evaluator__challenge", "organisation"]
    list_filter = ["has_conflict", "is_automatic"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(BidNamedAdmin, DecidedOnlyAdmin):
    challenge_path = "evaluator__challenge"
    list_display = ["evaluator", "bid", "submitted_at", "reopened_at"]
    list_select_related = ["evaluator__user", "evaluator__challenge", "proposal"]


@admin.register(Score)
class ScoreAdmin(DecidedOnlyAdmin):
    challenge_path = "sheet__evaluator__challenge"
    list_display = ["sheet", "criterion", "value"]
    list_select_related = ["sheet__evaluator__user", "sheet__evaluator__challenge", "criterion"]


@admin.register(ConsensusScore)
class ConsensusScoreAdmin(BidNamedAdmin, DecidedOnlyAdmin):
    challenge_path = "proposal__challenge"
    list_display = ["bid", "criterion", "value", "decided_by", "decided_at"]
    list_select_related = ["proposal", "criterion", "decided_by"]


@admin.register(Trial)
class TrialAdmin(BidNamedAdmin):
    list_display = ["bid", "decision", "shortlisted_at", "decided_at"]
    list_select_related = ["proposal"]


@admin.register(TrialResult)
class TrialResultAdmin(ReadOnlyAdmin):
    list_display = ["trial", "outcome", "measured"]
    list_select_related = ["trial", "outcome"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["challenge", "decision", "status", "decided_at", "standstill_ends_at", "final_at"]
    list_select_related = ["challenge"]
    list_filter = ["decision", "status"]


@admin.register(AwardedProposal)
class AwardedProposalAdmin(BidNamedAdmin):
    list_display = ["award", "bid", "value"]
    list_select_related = ["award__challenge", "proposal"]


@admin.register(BidderFeedback)
class BidderFeedbackAdmin(BidNamedAdmin):
    list_display = ["award", "bid", "rank", "total", "sent_at"]
    list_select_related = ["award__challenge", "proposal"]
