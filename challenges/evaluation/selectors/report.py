"""Reads for the evaluation report: the proof-of-value trials and the award decision, and the audit trail
of the whole evaluation (panel, declarations, scores, consensus, trials, award), each entry's action in
words and its details readable, names instead of ids. A fixed number of queries however long the trail."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, FilteredRelation, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges.enums import ChallengeStatus
from challenges.models import Challenge, Criterion, Outcome
from portal.audit.models import AuditEvent
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal

from ..enums import AwardDecision, TrialDecision
from ..models import (
    Award,
    AwardedProposal,
    BidderFeedback,
    ConflictDeclaration,
    Evaluator,
    Panel,
    ScoreSheet,
    Trial,
    TrialResult,
)
from .scoring import evaluation_proposals_query

ACTION_LABELS = {
    "challenge.published": gettext_lazy("Challenge published with its criteria"),
    "challenge.amended": gettext_lazy("Challenge amended"),
    "challenge.criteria_amended": gettext_lazy("Criteria amended"),
    "challenge.closed": gettext_lazy("Challenge closed for proposals"),
    "challenge.cancelled": gettext_lazy("Challenge cancelled"),
    "challenge.evaluation_started": gettext_lazy("Challenge under evaluation"),
    "challenge.outcome_recorded": gettext_lazy("Outcome recorded"),
    "evaluation.panel_updated": gettext_lazy("Scoring deadline and stages set"),
    "evaluation.evaluator_appointed": gettext_lazy("Evaluator appointed"),
    "evaluation.expert_invited": gettext_lazy("External expert invited"),
    "evaluation.expert_accepted": gettext_lazy("External expert joined the panel"),
    "evaluation.chair_set": gettext_lazy("Chair chosen"),
    "evaluation.evaluator_removed": gettext_lazy("Evaluator removed from the panel"),
    "evaluation.opened": gettext_lazy("Evaluation opened"),
    "evaluation.conflict_excluded": gettext_lazy("Excluded as a member of a bidding organisation"),
    "evaluation.conflict_declared": gettext_lazy("Conflict of interest declared"),
    "evaluation.scores_saved": gettext_lazy("Draft scores saved"),
    "evaluation.sheet_submitted": gettext_lazy("Score sheet submitted"),
    "evaluation.sheet_reopened": gettext_lazy("Score sheet reopened by the chair"),
    "evaluation.consensus_recorded": gettext_lazy("Consensus recorded"),
    "evaluation.consensus_cleared": gettext_lazy("Consensus cleared: a sheet was reopened"),
    "trial.shortlisted": gettext_lazy("Shortlisted for a proof-of-value trial"),
    "trial.results_recorded": gettext_lazy("Trial results recorded"),
    "trial.decided": gettext_lazy("Go / no-go decided"),
    "award.decided": gettext_lazy("Award decided"),
    "award.final": gettext_lazy("Award final after the standstill"),
}
# What the challenge's own entries add to the evaluation's trail; the others (edits while a draft, who
# follows it) are not the evaluation's.
CHALLENGE_ACTIONS = [action for action in ACTION_LABELS if action.startswith("challenge.")]

KEY_LABELS = {
    "proposal": gettext_lazy("Proposal"),
    "organisation": gettext_lazy("Organisation"),
    "user": gettext_lazy("Person"),
    "email": gettext_lazy("Address"),
    "evaluator": gettext_lazy("Evaluator"),
    "evaluators": gettext_lazy("Evaluators"),
    "reason": gettext_lazy("Reason"),
    "has_conflict": gettext_lazy("Conflict of interest"),
    "automatic": gettext_lazy("Automatic"),
    "criteria": gettext_lazy("Criteria"),
    "previous_criteria": gettext_lazy("Criteria before"),
    "scoring_scale": gettext_lazy("Highest score"),
    "scoring_deadline": gettext_lazy("Scoring deadline"),
    "has_trial_stage": gettext_lazy("Proof-of-value stage"),
    "decision": gettext_lazy("Decision"),
    "outcome": gettext_lazy("Outcome"),
    "rationale": gettext_lazy("Rationale"),
    "public_summary": gettext_lazy("Public summary"),
    "standstill_days": gettext_lazy("Standstill (days)"),
    "awarded": gettext_lazy("Awarded"),
    "summary": gettext_lazy("Summary"),
    "results": gettext_lazy("Results"),
    "fields": gettext_lazy("Changed"),
    "amendment": gettext_lazy("Amendment"),
    "previous_status": gettext_lazy("Status before"),
}
# Keys that say nothing the entry does not (the challenge is the report's) or that the report shows in
# its own sections, only to those who may read them (each bid's rank is in the award's section).
SKIPPED_KEYS = {"challenge", "sheet", "feedback"}
DECISION_LABELS = {**dict(AwardDecision.choices), **dict(TrialDecision.choices)}


def _of(model, ids) -> Q:
    return Q(target_type=ContentType.objects.get_for_model(model), target_id__in=[str(pk) for pk in ids])


def _of_query(model, queryset: QuerySet) -> Q:
    """As _of, with the ids read inside the same query (audit targets are stored as text)."""
    return Q(
        target_type=ContentType.objects.get_for_model(model),
        target_id__in=queryset.order_by().annotate(key=Cast("pk", CharField())).values("key"),
    )


def evaluation_trail_events(
    *,
    challenge: Challenge,
    proposal_ids: set[int],
    award: Award | None,
    trial_ids: list[int],
    evaluators: list[Evaluator] | None = None,
) -> list[AuditEvent]:
    """Every audit entry of the challenge's evaluation, oldest first: its lifecycle as the evaluation sees
    it, the panel and its members, the score sheets, the consensus of the given proposals, the trials and
    the award. One query; pass every member of the panel (removed ones too) when they are read already."""
    members = (
        _of(Evaluator, [evaluator.pk for evaluator in evaluators])
        if evaluators is not None
        else _of_query(Evaluator, Evaluator.objects.filter(challenge=challenge))
    )
    evaluation_actions = (
        Q(action__startswith="evaluation.") | Q(action__startswith="award.") | Q(action__startswith="trial.")
    )
    return list(
        AuditEvent.objects.filter(
            (_of(Challenge, [challenge.pk]) & (Q(action__in=CHALLENGE_ACTIONS) | evaluation_actions))
            | members
            | _of_query(ScoreSheet, ScoreSheet.objects.filter(evaluator__challenge=challenge))
            | _of_query(Panel, Panel.objects.filter(challenge=challenge))
            | _of(Trial, trial_ids)
            | _of(Award, [award.pk] if award else [])
            | (_of(Proposal, proposal_ids) & evaluation_actions)
        ).order_by("created_at", "pk")
    )


def proposals_for_report(
    *, challenge: Challenge, readable: QuerySet[Proposal] | None, award: Award | None
) -> list[Proposal]:
    """Every opened proposal as evaluation_proposals reads them (supplier, accepted partners, consensus,
    `readable`, the readable ones' submitted sheets and scores), with, in the same row, its trial and,
    once the award is decided, its place among the winners and its feedback: the report's trials and award
    sections cost no query of their own (trials_of_report, award_rows_of_report) but the trials' results.
    They can: a trial is shortlisted from the opened proposals, and the award goes to, and gives feedback
    on, submitted bids only (decide_award)."""
    proposals = evaluation_proposals_query(challenge=challenge, readable=readable).select_related("trial")
    if award is not None:
        # One award per challenge, and one winner row and one feedback row per bid of it (unique): joined
        # to the proposal's row, never more than one each.
        proposals = proposals.annotate(
            award_row=FilteredRelation("awards", condition=Q(awards__award=award)),
            feedback_row=FilteredRelation("feedback", condition=Q(feedback__award=award)),
        ).select_related("award_row", "feedback_row")
    return list(proposals)


def trials_of_report(*, proposals: list[Proposal]) -> list[Trial]:
    """The trials of the proposals read by proposals_for_report, the first shortlisted first, with their
    proposal, supplier and results (one query, none without trials)."""
    trials = []
    for proposal in proposals:
        trial = getattr(proposal, "trial", None)  # read with the proposal: None when it has none
        if trial is not None:
            trial.proposal = proposal
            trials.append(trial)
    trials.sort(key=lambda trial: (trial.shortlisted_at, trial.pk))
    prefetch_related_objects(
        trials, Prefetch("results", queryset=TrialResult.objects.select_related("outcome"))
    )
    return trials


def award_rows_of_report(*, proposals: list[Proposal]) -> tuple[list[AwardedProposal], list[BidderFeedback]]:
    """The award's winners and its feedback rows, in their own order, from the proposals read by
    proposals_for_report with the award (no query)."""
    winners, feedback = [], []
    for proposal in proposals:
        for name, rows in (("award_row", winners), ("feedback_row", feedback)):
            row = getattr(proposal, name, None)
            if row is not None:
                row.proposal = proposal
                rows.append(row)
    winners.sort(key=lambda row: row.pk)
    # BidderFeedback's ordering (rank, then pk), with the bids without a rank last, as PostgreSQL sorts.
    feedback.sort(key=lambda row: (row.rank is None, row.rank or 0, row.pk))
    return winners, feedback


@dataclass
class TrailNames:
    """What the trail's ids stand for."""

    proposals: dict[int, str] = field(default_factory=dict)
    organisations: dict[int, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    evaluators: dict[int, str] = field(default_factory=dict)
    criteria: dict[int, str] = field(default_factory=dict)
    outcomes: dict[int, str] = field(default_factory=dict)


def trail_names(
    *,
    challenge: Challenge,
    evaluators: list[Evaluator],
    declarations: list[ConflictDeclaration],
    criteria: list[Criterion],
    events: list[AuditEvent] | None = None,
    proposals: list[Proposal] = (),
    trials: list[Trial] = (),
) -> TrailNames:
    """Names for the ids the trail's details hold, from what the report has read and two queries (the
    challenge's bids, its outcomes). Given the trail's events, the opened proposals (with their supplier)
    and the trials (with their results' outcomes), each of those queries runs only when an entry names a
    bid, an organisation or an outcome that these do not."""
    names = TrailNames(criteria={criterion.pk: criterion.name for criterion in criteria})
    for evaluator in evaluators:
        name = (evaluator.user.full_name or evaluator.user.email) if evaluator.user else evaluator.email
        names.evaluators[evaluator.pk] = name
        if evaluator.user_id:
            names.users[evaluator.user_id] = name
    for declaration in declarations:
        names.organisations[declaration.organisation_id] = declaration.organisation.name
    if events is None:
        wanted_proposals = wanted_organisations = wanted_outcomes = None
    else:
        wanted_proposals, wanted_organisations, wanted_outcomes = _named_ids(events)
        _name_bids(names, proposals)
        for trial in trials:
            for result in trial.results.all():
                if result.outcome.challenge_id == challenge.pk:
                    names.outcomes[result.outcome_id] = str(result.outcome)
    if (
        wanted_proposals is None
        or not wanted_proposals <= names.proposals.keys()
        or not wanted_organisations <= names.organisations.keys()
    ):
        bids = Proposal.objects.filter(challenge=challenge).exclude(status=ProposalStatus.DRAFT)
        _name_bids(names, bids.select_related("supplier").only("pk", "title", "supplier__name"))
    if wanted_outcomes is None or not wanted_outcomes <= names.outcomes.keys():
        # Not through challenge.outcomes: it sets each outcome's challenge, reading the deferred ids.
        outcomes = Outcome.objects.filter(challenge=challenge).only("pk", "description")
        names.outcomes = {outcome.pk: str(outcome) for outcome in outcomes}
    return names


def _name_bids(names: TrailNames, proposals) -> None:
    for proposal in proposals:
        supplier = proposal.supplier.name
        names.organisations.setdefault(proposal.supplier_id, supplier)
        names.proposals[proposal.pk] = f"{proposal.title} ({supplier})" if proposal.title else supplier


def _as_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _named_ids(events: list[AuditEvent]) -> tuple[set[int], set[int], set[int]]:
    """The bids, organisations and outcomes the events' details name (as _value reads them)."""
    proposals, organisations, outcomes = set(), set(), set()
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        for key, value in data.items():
            if key in SKIPPED_KEYS or value is None or value == "" or isinstance(value, bool):
                continue
            if key == "proposal":
                proposals.add(_as_id(value))
            elif key == "organisation":
                organisations.add(_as_id(value))
            elif key == "awarded" and isinstance(value, list):
                proposals.update(_as_id(row.get("proposal")) for row in value if isinstance(row, dict))
            elif key == "results" and isinstance(value, list):
                outcomes.update(_as_id(row.get("outcome")) for row in value if isinstance(row, dict))
    return proposals - {None}, organisations - {None}, outcomes - {None}


@dataclass
class TrailEntry:
    event: AuditEvent
    label: str
    details: list[tuple[str, str]]
    shown: bool  # False: the details name scores the reader may not see yet


def _lookup(names: dict[int, str], value) -> str:
    try:
        return names.get(int(value)) or f"#{value}"
    except (TypeError, ValueError):
        return str(value)


def _criteria(value, names: TrailNames) -> str:
    if isinstance(value, dict):  # {criterion id: consensus score}
        return ", ".join(f"{_lookup(names.criteria, key)}: {score}" for key, score in value.items())
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):  # {"name", "weight"} as the challenge recorded them
                parts.append(f"{item.get('name', '')} ({item.get('weight', '')} %)")
            else:
                parts.append(_lookup(names.criteria, item))
        return ", ".join(parts)
    return str(value)


def _moment(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "j F Y, H:i")


def _value(key: str, value, names: TrailNames) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "proposal":
        return _lookup(names.proposals, value)
    if key == "organisation":
        return _lookup(names.organisations, value)
    if key == "user":
        return _lookup(names.users, value)
    if key == "evaluator":
        return _lookup(names.evaluators, value)
    if key in {"criteria", "previous_criteria"}:
        return _criteria(value, names)
    if key == "decision":
        return str(DECISION_LABELS.get(value, value))
    if key in {"outcome", "previous_status"} and value in ChallengeStatus.values:
        return str(ChallengeStatus(value).label)
    if key == "scoring_deadline":
        return _moment(value)
    if key == "awarded" and isinstance(value, list):
        return ", ".join(
            f"{_lookup(names.proposals, row.get('proposal'))}: {row.get('value')}"
            for row in value
            if isinstance(row, dict)
        )
    if key == "results" and isinstance(value, list):
        return "; ".join(
            f"{_lookup(names.outcomes, row.get('outcome'))}: {row.get('measured')}"
            for row in value
            if isinstance(row, dict)
        )
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{item_key}: {item}" for item_key, item in value.items())
    return str(value)


def _details(event: AuditEvent, names: TrailNames) -> list[tuple[str, str]]:
    data = event.data if isinstance(event.data, dict) else {}
    return [
        (str(KEY_LABELS.get(key, key)), _value(key, value, names))
        for key, value in data.items()
        if key not in SKIPPED_KEYS
    ]


def _event_proposal(event: AuditEvent, trial_proposals: dict[str, int]) -> int | None:
    """The proposal an audit entry's details are about, if any."""
    data = event.data if isinstance(event.data, dict) else {}
    if isinstance(data.get("proposal"), int):
        return data["proposal"]
    if event.action == "evaluation.consensus_recorded":
        return int(event.target_id)
    if event.action.startswith("trial."):
        return trial_proposals.get(event.target_id)
    return None


def evaluation_trail(
    *,
    events: list[AuditEvent],
    names: TrailNames,
    may_see: set[int],
    trials: list[Trial] | QuerySet[Trial],
) -> list[TrailEntry]:
    """The trail's entries in words. An entry about a proposal whose scores the reader may not see yet
    keeps its action and time but not its details."""
    trial_proposals = {str(trial.pk): trial.proposal_id for trial in trials}
    entries = []
    for event in events:
        proposal_id = _event_proposal(event, trial_proposals)
        entries.append(
            TrailEntry(
                event=event,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                details=_details(event, names),
                shown=proposal_id is None or proposal_id in may_see,
            )
        )
    return entries
