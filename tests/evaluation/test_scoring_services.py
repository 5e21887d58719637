"""Blind scoring, moderation and reminders: drafts, submission rules, locking, reopening, the chair's
"all scores in", consensus and the scoring-deadline reminders."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from challenges.evaluation import kinds
from challenges.evaluation.models import ConsensusScore, Panel, ScoreSheet
from challenges.evaluation.selectors.scoring import (
    evaluators_with_unsubmitted_sheets,
    may_see_scores,
    moderation_rows,
    scoring_complete,
)
from challenges.evaluation.services.panel import remove_evaluator
from challenges.evaluation.services.scoring import (
    ScoringError,
    SheetIncompleteError,
    record_consensus,
    reopen_sheet,
    save_scores,
    send_scoring_reminders,
    submit_sheet,
)
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification

from .conftest import CONFLICTED_WITH_B, evaluator_of, score, submit_all

pytestmark = pytest.mark.django_db


def _criteria(ev):
    return list(ev["challenge"].criteria.order_by("position", "pk"))


def test_draft_saves_partial_scores(opened):
    impact, _feasibility = _criteria(opened)
    evaluator = evaluator_of(opened, "evaluator2")

    sheet = save_scores(
        evaluator=evaluator, proposal=opened["bid_a"], by=opened["evaluator2"], values={impact.pk: (4, "")}
    )

    assert sheet.submitted_at is None
    assert [(s.criterion_id, s.value) for s in sheet.scores.all()] == [(impact.pk, 4)]
    event = AuditEvent.objects.get(action="evaluation.scores_saved")
    # The trail names the proposal and the criteria, never the values.
    assert event.data == {"proposal": opened["bid_a"].pk, "criteria": [impact.pk]}


def test_score_outside_the_scale_is_refused_per_criterion(opened):
    impact, _feasibility = _criteria(opened)
    with pytest.raises(SheetIncompleteError) as error:
        save_scores(
            evaluator=evaluator_of(opened, "evaluator2"),
            proposal=opened["bid_a"],
            by=opened["evaluator2"],
            values={impact.pk: (6, "Too generous")},
        )
    assert error.value.errors == {impact.pk: {"value": "Give a score from 0 to 5."}}
    assert ScoreSheet.objects.count() == 0


def test_submit_needs_every_criterion_scored_and_justified(opened):
    impact, feasibility = _criteria(opened)
    evaluator = evaluator_of(opened, "evaluator2")

    with pytest.raises(SheetIncompleteError) as error:
        submit_sheet(
            evaluator=evaluator,
            proposal=opened["bid_a"],
            by=opened["evaluator2"],
            values={impact.pk: (4, "Strong"), feasibility.pk: (3, "")},
        )

    assert error.value.errors == {feasibility.pk: {"justification": "Justify the score."}}
    sheet = ScoreSheet.objects.get(evaluator=evaluator)
    assert sheet.submitted_at is None  # kept as a draft, nothing lost
    assert {s.criterion_id: s.value for s in sheet.scores.all()} == {impact.pk: 4, feasibility.pk: 3}


def test_submitted_sheet_is_locked(opened):
    sheet = score(opened, "evaluator2", opened["bid_a"], [4, 3])
    impact, _feasibility = _criteria(opened)

    assert sheet.submitted_at is not None
    with pytest.raises(ScoringError):
        save_scores(
            evaluator=evaluator_of(opened, "evaluator2"),
            proposal=opened["bid_a"],
            by=opened["evaluator2"],
            values={impact.pk: (1, "Changed my mind")},
        )
    assert AuditEvent.objects.filter(action="evaluation.sheet_submitted").count() == 1


def test_conflicted_evaluator_cannot_score_that_proposal(opened):
    with pytest.raises(ScoringError):
        score(opened, "conflicted", opened["bid_b"], [4, 3])


def test_evaluator_who_has_not_declared_cannot_score(ev):
    from challenges.evaluation.services.panel import open_evaluation

    open_evaluation(challenge=ev["challenge"], by=ev["procurer"])
    ev["challenge"].refresh_from_db()
    with pytest.raises(ScoringError):
        score(ev, "evaluator2", ev["bid_a"], [4, 3])


def test_scoring_needs_the_evaluation_open(ev):
    with pytest.raises(ScoringError):
        score(ev, "evaluator2", ev["bid_a"], [4, 3])


def test_only_the_chair_reopens_with_a_reason(opened):
    sheet = score(opened, "evaluator2", opened["bid_a"], [4, 3])

    with pytest.raises(ScoringError):
        reopen_sheet(sheet=sheet, by=opened["evaluator2"], reason="I want to change it")
    with pytest.raises(ScoringError):
        reopen_sheet(sheet=sheet, by=opened["chair"], reason=" ")
    reopened = reopen_sheet(sheet=sheet, by=opened["chair"], reason="Justification contradicts the score")

    assert reopened.submitted_at is None and reopened.reopened_at is not None
    event = AuditEvent.objects.get(action="evaluation.sheet_reopened")
    assert event.data["reason"] == "Justification contradicts the score"
    # Reopened, the evaluator no longer sees the others' scores for it.
    assert (
        may_see_scores(
            user=opened["evaluator2"], evaluator=evaluator_of(opened, "evaluator2"), proposal=opened["bid_a"]
        )
        is False
    )


def test_reopening_tells_the_evaluator_why(opened, django_capture_on_commit_callbacks):
    from django.core import mail

    sheet = score(opened, "evaluator2", opened["bid_a"], [4, 3])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reopened = reopen_sheet(sheet=sheet, by=opened["chair"], reason="Justification contradicts the score")

    assert reopened.reopen_reason == "Justification contradicts the score"
    (notification,) = Notification.objects.filter(kind=kinds.SHEET_REOPENED.key)
    assert notification.recipient == opened["evaluator2"]
    assert notification.url == f"/evaluation/proposals/{opened['bid_a'].pk}/sheet/"
    (message,) = [m for m in mail.outbox if m.to == [opened["evaluator2"].email]]
    assert "Justification contradicts the score" in message.body
    assert opened["bid_a"].title in message.body and opened["challenge"].title in message.subject
    assert "Justification contradicts the score" in message.alternatives[0][0]


def test_reopening_a_moderated_sheet_clears_that_proposals_consensus(opened):
    impact, feasibility = _criteria(opened)
    submit_all(opened)
    values = {impact.pk: (4, "Agreed"), feasibility.pk: (3, "Agreed")}
    for bid in ("bid_a", "bid_b"):
        record_consensus(proposal=opened[bid], by=opened["chair"], values=values)
    sheet = ScoreSheet.objects.get(evaluator=evaluator_of(opened, "expert"), proposal=opened["bid_a"])

    reopen_sheet(sheet=sheet, by=opened["chair"], reason="Check the cost criterion")

    assert not ConsensusScore.objects.filter(proposal=opened["bid_a"]).exists()
    assert ConsensusScore.objects.filter(proposal=opened["bid_b"]).count() == 2  # untouched
    cleared = AuditEvent.objects.get(action="evaluation.consensus_cleared")
    assert cleared.data == {
        "proposal": opened["bid_a"].pk,
        "criteria": sorted([impact.pk, feasibility.pk]),
        "sheet": sheet.pk,
    }
    assert cleared.actor == opened["chair"]
    rows = {
        row.proposal.pk: row
        for row in moderation_rows(challenge=opened["challenge"], chair=evaluator_of(opened, "chair"))
    }
    assert rows[opened["bid_a"].pk].progress.complete is False  # moderation waits for the sheet
    with pytest.raises(ScoringError, match="Not every evaluator"):
        record_consensus(proposal=opened["bid_a"], by=opened["chair"], values=values)


def test_reopening_a_sheet_without_consensus_clears_nothing(opened):
    sheet = score(opened, "evaluator2", opened["bid_a"], [4, 3])

    reopen_sheet(sheet=sheet, by=opened["chair"], reason="Check the cost criterion")

    assert not AuditEvent.objects.filter(action="evaluation.consensus_cleared").exists()


def test_chair_is_told_once_all_sheets_are_in(opened):
    score(opened, "chair", opened["bid_a"], [4, 3])
    assert not Notification.objects.filter(kind=kinds.ALL_SCORES_IN.key).exists()

    submit_all(opened)

    assert scoring_complete(challenge=opened["challenge"]) is True
    notices = Notification.objects.filter(kind=kinds.ALL_SCORES_IN.key)
    assert [n.recipient for n in notices] == [opened["chair"]]


def test_removing_the_last_missing_evaluator_completes_the_scoring(opened):
    for actor in ("chair", "evaluator2", "conflicted", "bidding_evaluator", "admin_evaluator"):
        for bid in ("bid_a", "bid_b"):
            if actor in CONFLICTED_WITH_B and bid == "bid_b":
                continue
            score(opened, actor, opened[bid], [3, 3])
    assert scoring_complete(challenge=opened["challenge"]) is False

    remove_evaluator(evaluator=evaluator_of(opened, "expert"), by=opened["procurer"], reason="No time")

    assert Notification.objects.filter(kind=kinds.ALL_SCORES_IN.key, recipient=opened["chair"]).count() == 1


def test_moderation_shows_spread_and_flags_strong_disagreement(opened):
    # Scale 0-5: a spread above 2.5 is flagged.
    for actor, values in {
        "chair": [4, 3],
        "evaluator2": [1, 3],
        "conflicted": [4, 2],
        "bidding_evaluator": [4, 3],
        "expert": [3, 4],
        "admin_evaluator": [3, 3],
    }.items():
        score(opened, actor, opened["bid_a"], values)

    rows = {
        row.proposal.pk: row
        for row in moderation_rows(challenge=opened["challenge"], chair=evaluator_of(opened, "chair"))
    }

    impact, feasibility = rows[opened["bid_a"].pk].criteria
    assert (impact.spread, impact.flagged, impact.minimum, impact.maximum) == (3, True, 1, 4)
    assert (feasibility.spread, feasibility.flagged) == (2, False)
    assert rows[opened["bid_b"].pk].criteria == []  # its sheets are not all in


def test_consensus_needs_all_sheets_and_every_criterion(opened):
    impact, feasibility = _criteria(opened)
    values = {impact.pk: (4, "Agreed after discussion"), feasibility.pk: (3, "Budget is tight")}
    with pytest.raises(ScoringError):
        record_consensus(proposal=opened["bid_a"], by=opened["chair"], values=values)

    submit_all(opened)
    with pytest.raises(SheetIncompleteError):
        record_consensus(
            proposal=opened["bid_a"],
            by=opened["chair"],
            values={impact.pk: (4, "ok"), feasibility.pk: (3, "")},
        )
    with pytest.raises(ScoringError):
        record_consensus(proposal=opened["bid_a"], by=opened["evaluator2"], values=values)
    record_consensus(proposal=opened["bid_a"], by=opened["chair"], values=values)

    assert {(c.criterion_id, c.value) for c in ConsensusScore.objects.all()} == {
        (impact.pk, 4),
        (feasibility.pk, 3),
    }
    assert AuditEvent.objects.filter(action="evaluation.consensus_recorded").count() == 1


def test_scoring_reminders_go_once_per_stage_to_evaluators_who_owe_sheets(opened):
    Panel.objects.filter(challenge=opened["challenge"]).update(
        scoring_deadline=timezone.now() + timedelta(days=2)
    )
    submit_all(opened)
    ScoreSheet.objects.filter(evaluator=evaluator_of(opened, "evaluator2"), proposal=opened["bid_b"]).update(
        submitted_at=None
    )
    assert [u.pk for u in evaluators_with_unsubmitted_sheets(challenge=opened["challenge"])] == [
        opened["evaluator2"].pk
    ]

    assert send_scoring_reminders() == 1
    assert send_scoring_reminders() == 0  # the 3-day stage is claimed
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=12)):
        assert send_scoring_reminders() == 1  # the 1-day stage
    reminded = Notification.objects.filter(kind=kinds.SCORING_DEADLINE.key)
    assert {n.recipient_id for n in reminded} == {opened["evaluator2"].pk}


def test_no_reminders_far_from_the_deadline(opened):
    Panel.objects.filter(challenge=opened["challenge"]).update(
        scoring_deadline=timezone.now() + timedelta(days=10)
    )

    assert send_scoring_reminders() == 0
