"""Writes for blind, independent scoring and the chair's moderation: draft scores, submitting (locks the
sheet), the chair's reopening, consensus scores, the "all scores in" notice and the scoring-deadline
reminders. Every write is audited; audit entries name the sheet and criteria, never the values, so the
trail can be read by the owner while scoring runs without giving the scores away.

Scoring continues after the scoring deadline (it is the panel's target, reminded before it; the chair
decides what a late sheet means), but only while the challenge is under evaluation."""

from datetime import UTC, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.accounts.models import User
from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify
from suppliers.models import Proposal

from .. import kinds
from ..models import ConsensusScore, Evaluator, Panel, Score, ScoreSheet
from ..selectors.scoring import (
    criteria_of,
    evaluators_with_unsubmitted_sheets,
    scorable_proposals,
    scoring_complete,
    scoring_progress,
)

# (key, earliest, latest before the deadline): one reminder per stage and person.
REMINDER_STAGES = (
    ("3d", timedelta(days=1), timedelta(days=3)),
    ("1d", timedelta(0), timedelta(days=1)),
)


class ScoringError(Exception):
    """A scoring step the state or the person's role does not allow; its message is meant for them."""


class SheetIncompleteError(ScoringError):
    """Submitting needs every criterion scored and justified. `errors` is {criterion id: {"value" or
    "justification": message}} for the form's fields."""

    def __init__(self, errors: dict[int, dict[str, str]]):
        self.errors = errors
        super().__init__(_("Score and justify every criterion before submitting."))


def _lock(challenge: Challenge) -> Challenge:
    return Challenge.objects.select_for_update(of=("self",)).select_related("owner").get(pk=challenge.pk)


def _audit(by: User, action: str, challenge: Challenge, target, data: dict) -> None:
    record_audit(actor=by, action=action, target=target, organisation=challenge.owner, data=data)


def _require_scoring(evaluator: Evaluator, by: User, challenge: Challenge) -> None:
    if evaluator.user_id != by.pk or evaluator.removed_at is not None:
        raise ScoringError(_("Only the evaluator can change their own scores."))
    if challenge.status != ChallengeStatus.UNDER_EVALUATION:
        raise ScoringError(_("Scores can be changed only while the challenge is under evaluation."))


def _require_scorable(evaluator: Evaluator, proposal: Proposal) -> None:
    if not scorable_proposals(evaluator=evaluator).filter(pk=proposal.pk).exists():
        raise ScoringError(_("You cannot score this proposal."))


def _clean(values: dict[int, tuple[int | None, str]], scale: int, criterion_ids: set[int]) -> dict:
    errors: dict[int, dict[str, str]] = {}
    cleaned = {}
    for criterion_id, (value, text) in values.items():
        if criterion_id not in criterion_ids:
            raise ScoringError(_("Score the challenge's published criteria only."))
        if value is not None and not 0 <= value <= scale:
            errors[criterion_id] = {
                "value": _("Give a score from 0 to %(scale)s.") % {"scale": scale},
            }
        cleaned[criterion_id] = (value, (text or "").strip())
    if errors:
        raise SheetIncompleteError(errors)
    return cleaned


def save_scores(
    *, evaluator: Evaluator, proposal: Proposal, by: User, values: dict[int, tuple[int | None, str]]
) -> ScoreSheet:
    """Save a draft: {criterion id: (score or None, justification)}. A score must be on the challenge's
    scale (SheetIncompleteError names the criterion); a submitted sheet is locked (ScoringError)."""
    with transaction.atomic():
        challenge = _lock(evaluator.challenge)
        evaluator = Evaluator.objects.select_related("challenge").get(pk=evaluator.pk)
        _require_scoring(evaluator, by, challenge)
        _require_scorable(evaluator, proposal)
        criteria = criteria_of(challenge=challenge)
        cleaned = _clean(values, challenge.scoring_scale, {c.pk for c in criteria})
        sheet, _created = ScoreSheet.objects.get_or_create(evaluator=evaluator, proposal=proposal)
        sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.submitted_at is not None:
            raise ScoringError(_("This sheet has been submitted and is locked; the chair can reopen it."))
        existing = {score.criterion_id: score for score in sheet.scores.all()}
        changed = []
        for criterion_id, (value, text) in cleaned.items():
            score = existing.get(criterion_id) or Score(sheet=sheet, criterion_id=criterion_id)
            if score.pk is None or (score.value, score.justification) != (value, text):
                score.value, score.justification = value, text
                score.save()
                changed.append(criterion_id)
        sheet.save(update_fields=["updated_at"])
        if changed:
            _audit(
                by,
                "evaluation.scores_saved",
                challenge,
                sheet,
                {"proposal": proposal.pk, "criteria": sorted(changed)},
            )
    return sheet


def submit_sheet(
    *, evaluator: Evaluator, proposal: Proposal, by: User, values: dict[int, tuple[int | None, str]]
) -> ScoreSheet:
    """Save the given scores and submit the sheet: every criterion needs a score on the scale and a
    justification (SheetIncompleteError, with what is missing per criterion; the scores are kept as a
    draft). Locks the sheet, audits it, and tells the chair when this was the last sheet."""
    sheet = save_scores(evaluator=evaluator, proposal=proposal, by=by, values=values)
    with transaction.atomic():
        challenge = _lock(evaluator.challenge)
        sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.submitted_at is not None:
            raise ScoringError(_("This sheet has already been submitted."))
        scores = {score.criterion_id: score for score in sheet.scores.all()}
        errors: dict[int, dict[str, str]] = {}
        for criterion in criteria_of(challenge=challenge):
            score = scores.get(criterion.pk)
            missing = {}
            if score is None or score.value is None:
                missing["value"] = _("Give a score.")
            if score is None or not score.justification:
                missing["justification"] = _("Justify the score.")
            if missing:
                errors[criterion.pk] = missing
        if errors:
            raise SheetIncompleteError(errors)
        sheet.submitted_at = timezone.now()
        sheet.save(update_fields=["submitted_at", "updated_at"])
        _audit(by, "evaluation.sheet_submitted", challenge, sheet, {"proposal": proposal.pk})
        notify_if_all_scores_in(challenge=challenge)
    return sheet


def reopen_sheet(*, sheet: ScoreSheet, by: User, reason: str) -> ScoreSheet:
    """The chair unlocks a submitted sheet, with a reason (audited). Side effects: the evaluator is told
    (SHEET_REOPENED, with the reason, which their sheet also shows) and no longer sees the others' scores
    for that proposal until they submit again; a consensus already recorded for the proposal is cleared
    (audited), so its moderation, the ranking and the award wait for the sheet."""
    reason = (reason or "").strip()
    if not reason:
        raise ScoringError(_("Say why the sheet is reopened."))
    with transaction.atomic():
        challenge = _lock(sheet.evaluator.challenge)
        if challenge.status != ChallengeStatus.UNDER_EVALUATION:
            raise ScoringError(_("Sheets can be reopened only while the challenge is under evaluation."))
        chair = Evaluator.objects.filter(
            challenge=challenge, user=by, is_chair=True, removed_at__isnull=True
        ).first()
        if chair is None:
            raise ScoringError(_("Only the panel's chair can reopen a sheet."))
        sheet = (
            ScoreSheet.objects.select_for_update(of=("self",))
            .select_related("evaluator__user", "proposal__supplier")
            .get(pk=sheet.pk)
        )
        if sheet.submitted_at is None:
            raise ScoringError(_("This sheet is not submitted: there is nothing to reopen."))
        sheet.submitted_at, sheet.reopened_at, sheet.reopen_reason = None, timezone.now(), reason
        sheet.save(update_fields=["submitted_at", "reopened_at", "reopen_reason", "updated_at"])
        _audit(
            by,
            "evaluation.sheet_reopened",
            challenge,
            sheet,
            {"proposal": sheet.proposal_id, "evaluator": sheet.evaluator_id, "reason": reason},
        )
        consensus = ConsensusScore.objects.filter(proposal_id=sheet.proposal_id)
        cleared = sorted(consensus.values_list("criterion_id", flat=True))
        if cleared:
            consensus.delete()
            _audit(
                by,
                "evaluation.consensus_cleared",
                challenge,
                sheet.proposal,
                {"proposal": sheet.proposal_id, "criteria": cleared, "sheet": sheet.pk},
            )
        evaluator = sheet.evaluator
        if evaluator.user_id is not None and evaluator.removed_at is None:
            notify(
                recipients=[evaluator.user],
                kind=kinds.SHEET_REOPENED,
                context={"challenge": challenge, "proposal": sheet.proposal, "reason": reason},
                target=challenge,
                url=reverse("evaluation:sheet", kwargs={"pk": sheet.proposal_id}),
            )
    return sheet


def record_consensus(
    *, proposal: Proposal, by: User, values: dict[int, tuple[int | None, str]]
) -> list[ConsensusScore]:
    """The chair records the panel's consensus for a proposal whose sheets are all in: {criterion id:
    (score, rationale)}, every criterion with a score on the scale and a rationale (SheetIncompleteError
    otherwise, nothing saved). Replaces earlier consensus; audited."""
    with transaction.atomic():
        challenge = _lock(proposal.challenge)
        if challenge.status != ChallengeStatus.UNDER_EVALUATION:
            raise ScoringError(_("Consensus can be recorded only while the challenge is under evaluation."))
        chair = (
            Evaluator.objects.select_related("challenge", "user")
            .filter(challenge=challenge, user=by, is_chair=True, removed_at__isnull=True)
            .first()
        )
        if chair is None:
            raise ScoringError(_("Only the panel's chair can record the consensus."))
        proposals = scorable_proposals(evaluator=chair).filter(pk=proposal.pk)
        progress = scoring_progress(challenge=challenge, proposals=proposals)
        if not progress:
            raise ScoringError(_("You cannot moderate this proposal."))
        if not progress[0].complete:
            raise ScoringError(_("Not every evaluator has submitted their scores for this proposal yet."))
        criteria = criteria_of(challenge=challenge)
        cleaned = _clean(values, challenge.scoring_scale, {c.pk for c in criteria})
        errors: dict[int, dict[str, str]] = {}
        for criterion in criteria:
            value, rationale = cleaned.get(criterion.pk, (None, ""))
            missing = {}
            if value is None:
                missing["value"] = _("Give the consensus score.")
            if not rationale:
                missing["justification"] = _("Give the rationale.")
            if missing:
                errors[criterion.pk] = missing
        if errors:
            raise SheetIncompleteError(errors)
        recorded = []
        for criterion in criteria:
            value, rationale = cleaned[criterion.pk]
            consensus, _created = ConsensusScore.objects.update_or_create(
                proposal=proposal,
                criterion=criterion,
                defaults={"value": value, "rationale": rationale, "decided_by": by},
            )
            recorded.append(consensus)
        _audit(
            by,
            "evaluation.consensus_recorded",
            challenge,
            proposal,
            {"criteria": {str(c.criterion_id): c.value for c in recorded}},
        )
    return recorded


def notify_if_all_scores_in(*, challenge: Challenge) -> bool:
    """Tell the chair when every expected sheet is in (call inside the transaction of the change that may
    have completed it). Returns whether it did."""
    if challenge.status != ChallengeStatus.UNDER_EVALUATION or not scoring_complete(challenge=challenge):
        return False
    chair = (
        Evaluator.objects.select_related("user")
        .filter(challenge=challenge, is_chair=True, removed_at__isnull=True, user__isnull=False)
        .first()
    )
    if chair is None:
        return False
    notify(
        recipients=[chair.user],
        kind=kinds.ALL_SCORES_IN,
        context={"challenge": challenge},
        target=challenge,
        url=reverse("evaluation:moderation", kwargs={"pk": challenge.pk}),
    )
    return True


def scoring_reminder_key(*, panel: Panel, stage: str) -> str:
    """Names the deadline itself: a moved deadline is reminded again, the same one never twice."""
    deadline = panel.scoring_deadline.astimezone(UTC)
    return f"evaluation:{panel.challenge_id}:scoring-{stage}:{deadline:%Y%m%dT%H%M%SZ}"


def send_scoring_reminders() -> int:
    """Remind evaluators with unsubmitted sheets 3 days and again 1 day before the scoring deadline of a
    challenge under evaluation. Each stage reaches each person once however often this runs
    (claim_reminders). Returns how many reminders it sent."""
    sent, now = 0, timezone.now()
    for stage, after, until in REMINDER_STAGES:
        panels = (
            Panel.objects.select_related("challenge", "challenge__owner")
            .filter(challenge__status=ChallengeStatus.UNDER_EVALUATION)
            .filter(scoring_deadline__gt=now + after, scoring_deadline__lte=now + until)
            .order_by("pk")
        )
        for panel in panels:
            with transaction.atomic():
                owing = evaluators_with_unsubmitted_sheets(challenge=panel.challenge)
                recipients = claim_reminders(users=owing, key=scoring_reminder_key(panel=panel, stage=stage))
                if recipients:
                    notify(
                        recipients=recipients,
                        kind=kinds.SCORING_DEADLINE,
                        context={"challenge": panel.challenge, "deadline": panel.scoring_deadline},
                        target=panel.challenge,
                        url=reverse("evaluation:scoring", kwargs={"pk": panel.challenge_id}),
                    )
                sent += len(recipients)
    return sent
