"""Reads for blind scoring, moderation and the ranking.

Blindness: nobody reads another evaluator's scores for a proposal until they have submitted their own
sheet for it (`may_see_scores`); draft sheets are read by their author only. Every page that shows scores
asks `may_see_scores` (or, for the chair's moderation, `ProposalProgress.complete`, which includes the
chair's own sheet)."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge, Criterion
from portal.accounts.models import Membership, Organisation, User
from portal.web.fragments import Rows, rows_version
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import ConsortiumPartner, Proposal

from ..models import ConflictDeclaration, ConsensusScore, Evaluator, Panel, Score, ScoreSheet
from ..rules import is_owner_admin
from .panel import active_evaluators_of, bidding_organisation_ids, undeclared_organisations

THREE_PLACES = Decimal("0.001")
DECIDED_STATUSES = frozenset({ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED})


def tie_break_rule() -> str:
    return _(
        "Equal weighted totals share a rank. Their order is decided by the higher consensus score on the "
        "highest-weighted criterion (then the next-highest, and so on), then the lower price, then the "
        "earlier submission."
    )


def criteria_of(*, challenge: Challenge) -> list[Criterion]:
    return list(challenge.criteria.order_by("position", "pk"))


def opened_proposals(*, challenge: Challenge) -> QuerySet[Proposal]:
    """The challenge's submitted proposals once it has closed, oldest submission first, with what the
    evaluation pages show of them (no per-row queries)."""
    return (
        Proposal.objects.opened()
        .filter(challenge=challenge)
        .select_related("supplier")
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=ConsortiumPartner.objects.filter(status=PartnerStatus.ACCEPTED).select_related(
                    "organisation"
                ),
            )
        )
        .order_by("submitted_at", "pk")
    )


def scorable_proposals(*, evaluator: Evaluator, state: "PanelState | None" = None) -> QuerySet[Proposal]:
    """The opened proposals this evaluator scores: those visible to them (ProposalQuerySet.visible_to, which
    reads a panel member's bids under the evaluator's rules even when they are an admin of the buyer) and
    none of whose bidding organisations they declared a conflict with. Empty until they have declared
    about every bidding organisation. Pass the panel's state when the caller has read it already: its
    declarations then answer both questions without a query."""
    if state is not None and state.knows(evaluator):
        if not state.has_declared(evaluator):
            return Proposal.objects.none()
        conflicted_orgs = sorted(state.conflicts.get(evaluator.pk, set()))
    else:
        conflicted_orgs = ConflictDeclaration.objects.filter(evaluator=evaluator, has_conflict=True).values(
            "organisation_id"
        )
        if undeclared_organisations(evaluator=evaluator):
            return Proposal.objects.none()
    return _scorable(evaluator, conflicted_orgs)


def scorable_if_declared(*, evaluator: Evaluator, state: "PanelState") -> QuerySet[Proposal]:
    """What scorable_proposals returns once the evaluator has declared about every bidding organisation,
    without asking whether they have: for a caller that asks it of the opened proposals it reads
    (PanelState.read_bidders_from), which spares the query for the bidders. `state` must know the
    evaluator (its declarations give the conflicts)."""
    return _scorable(evaluator, sorted(state.conflicts.get(evaluator.pk, set())))


def _scorable(evaluator: Evaluator, conflicted_orgs) -> QuerySet[Proposal]:
    return (
        # visible_to on the rows themselves, not through a subquery of every visible proposal: that
        # subquery made PostgreSQL scan all proposals of all challenges.
        opened_proposals(challenge=evaluator.challenge)
        .visible_to(evaluator.user)
        .exclude(supplier_id__in=conflicted_orgs)
        .exclude(
            pk__in=ConsortiumPartner.objects.filter(
                status=PartnerStatus.ACCEPTED, organisation_id__in=conflicted_orgs
            ).values("proposal_id")
        )
    )


def sheet_of(*, evaluator: Evaluator, proposal: Proposal) -> ScoreSheet | None:
    return (
        ScoreSheet.objects.filter(evaluator=evaluator, proposal=proposal).prefetch_related("scores").first()
    )


def own_sheets(*, evaluator: Evaluator, proposals=None) -> dict[int, ScoreSheet]:
    """{proposal id: this evaluator's sheet}, of the given proposals only when they are given (unordered:
    the model's ordering joins the proposals and the panel for rows gathered into a dict)."""
    sheets = ScoreSheet.objects.filter(evaluator=evaluator).order_by()
    if proposals is not None:
        sheets = sheets.filter(proposal_id__in=[proposal.pk for proposal in proposals])
    return {sheet.proposal_id: sheet for sheet in sheets}


# Who is expected to score what


@dataclass
class PanelState:
    """The active panel and its declarations, read once (two queries) to decide, per proposal, who is
    expected to score it. The bidding organisations are read (one more query) only when asked for."""

    evaluators: list[Evaluator]
    declared: dict[int, set[int]]  # evaluator id → organisations declared about
    conflicts: dict[int, set[int]]  # evaluator id → organisations declared in conflict
    challenge: Challenge | None = None
    _bidders: set[int] | None = field(default=None, repr=False)

    @property
    def bidders(self) -> set[int]:
        """The challenge's bidding organisations (bidding_organisation_ids), read on first use."""
        if self._bidders is None:
            self._bidders = bidding_organisation_ids(challenge=self.challenge)
        return self._bidders

    def read_bidders_from(self, proposals: list[Proposal]) -> None:
        """Answer `bidders` from the challenge's opened proposals, read with their accepted partners
        (opened_proposals), instead of by a query: once the challenge has passed its deadline they are all
        its submitted proposals, whose leads and accepted partners are the bidders. With none opened they
        say nothing (there may be submitted proposals still sealed), and `bidders` is read as before."""
        if proposals:
            self._bidders = set().union(*(proposal.bidder_organisation_ids for proposal in proposals))

    def knows(self, evaluator: Evaluator) -> bool:
        """The evaluator is one of the active members whose declarations this state holds."""
        return any(member.pk == evaluator.pk for member in self.evaluators)

    def pending_organisation_ids(self, evaluator: Evaluator) -> set[int]:
        """The bidding organisations the evaluator has not declared about yet."""
        return self.bidders - self.declared.get(evaluator.pk, set())

    def is_expected(self, evaluator: Evaluator, proposal: Proposal) -> bool:
        """Whether the evaluator must score the proposal: on the panel and not in conflict with any of its
        bidding organisations (an evaluator who has not declared yet is still expected)."""
        return not (self.conflicts.get(evaluator.pk, set()) & proposal.bidder_organisation_ids)

    def has_declared(self, evaluator: Evaluator) -> bool:
        return self.bidders <= self.declared.get(evaluator.pk, set())


def panel_state(*, challenge: Challenge, evaluators: list[Evaluator] | None = None) -> PanelState:
    """Pass the active members (active_evaluators_of) when the caller has read them already."""
    if evaluators is None:
        evaluators = list(active_evaluators_of(challenge=challenge))
    # Unordered: the model's ordering (by evaluator, then organisation name) joins and sorts three
    # more tables for rows that are only gathered into sets.
    rows = (
        ConflictDeclaration.objects.filter(evaluator__in=[e.pk for e in evaluators])
        .order_by()
        .values_list("evaluator_id", "organisation_id", "has_conflict")
    )
    return _panel_state(challenge=challenge, evaluators=evaluators, rows=rows)


def panel_state_from(
    *, challenge: Challenge, evaluators: list[Evaluator], declarations: list[ConflictDeclaration]
) -> PanelState:
    """panel_state from the active members and the declarations the caller has read already (those of
    members no longer on the panel are left out): no query."""
    active = {evaluator.pk for evaluator in evaluators}
    rows = [
        (d.evaluator_id, d.organisation_id, d.has_conflict) for d in declarations if d.evaluator_id in active
    ]
    return _panel_state(challenge=challenge, evaluators=evaluators, rows=rows)


def _panel_state(*, challenge: Challenge, evaluators: list[Evaluator], rows) -> PanelState:
    declared: dict[int, set[int]] = {}
    conflicts: dict[int, set[int]] = {}
    for evaluator_id, organisation_id, has_conflict in rows:
        declared.setdefault(evaluator_id, set()).add(organisation_id)
        if has_conflict:
            conflicts.setdefault(evaluator_id, set()).add(organisation_id)
    return PanelState(evaluators=evaluators, declared=declared, conflicts=conflicts, challenge=challenge)


@dataclass
class ProposalProgress:
    proposal: Proposal
    expected: list[Evaluator]
    # The expected evaluators' submitted sheets: with their evaluators and scores, except when read with
    # scores=False (scoring_progress, evaluation_proposals), which reads only whose sheet it is.
    submitted: list[ScoreSheet]

    @property
    def complete(self) -> bool:
        """Every expected evaluator has submitted (and there is at least one)."""
        return bool(self.expected) and len(self.submitted) == len(self.expected)

    @property
    def outstanding(self) -> int:
        return len(self.expected) - len(self.submitted)


def _submitted_sheets(*, scores: bool = True, readable: QuerySet[Proposal] | None = None) -> Prefetch:
    """The proposals' submitted sheets, as `submitted_sheets`. With scores, each with its evaluator and
    scores (for pages that show them); without, only which evaluator submitted which sheet (for pages that
    count them), unordered."""
    sheets = ScoreSheet.objects.filter(submitted_at__isnull=False)
    if readable is not None:
        sheets = sheets.filter(proposal__in=readable.values("pk"))
    if scores:
        # Each proposal's sheets chair first, then by appointment, and each sheet's scores in the criteria's
        # order: what the models' orderings give within one proposal and one sheet, without the joins and
        # sorts they add by following the proposal's and the challenge's orderings first.
        sheets = (
            sheets.select_related("evaluator__user")
            .order_by("-evaluator__is_chair", "evaluator__appointed_at", "evaluator_id")
            .prefetch_related(
                Prefetch(
                    "scores",
                    queryset=Score.objects.select_related("criterion").order_by(
                        "criterion__position", "criterion_id"
                    ),
                )
            )
        )
    else:
        sheets = sheets.only("pk", "proposal_id", "evaluator_id", "submitted_at").order_by()
    return Prefetch("score_sheets", queryset=sheets, to_attr="submitted_sheets")


def _consensus_list() -> Prefetch:
    return Prefetch(
        "consensus_scores",
        queryset=ConsensusScore.objects.select_related("criterion"),
        to_attr="consensus_list",
    )


def with_moderation(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """The proposals with what moderation_rows reads of each: the consensus (`consensus_list`) and the
    submitted sheets with their scores (`submitted_sheets`), three queries whatever their number."""
    return proposals.prefetch_related(_consensus_list(), _submitted_sheets())


def evaluation_proposals(
    *, challenge: Challenge, readable: QuerySet[Proposal] | None = None, scores: bool = True
) -> list[Proposal]:
    """Every opened proposal of the challenge (what `ranking` ranks), read once for a page that shows both
    the ranking and the scoring: each with its supplier, accepted partners and consensus (`consensus_list`),
    `readable` (it is among the given queryset, e.g. scorable_proposals; None: all of them), and, for the
    readable ones only, the submitted sheets (`submitted_sheets`, with their scores unless scores=False)
    that scoring_progress reads. Five queries (four without scores) whatever the number of proposals."""
    return list(evaluation_proposals_query(challenge=challenge, readable=readable, scores=scores))


def evaluation_proposals_query(
    *, challenge: Challenge, readable: QuerySet[Proposal] | None = None, scores: bool = True
) -> QuerySet[Proposal]:
    """evaluation_proposals, unread: for a page that reads more with the same rows (the report)."""
    if readable is None:
        flag = Value(True)
    elif readable.query.is_empty():
        flag = Value(False)
    else:
        flag = ExpressionWrapper(Q(pk__in=readable.values("pk")), output_field=BooleanField())
    return (
        opened_proposals(challenge=challenge)
        .annotate(readable=flag)
        .prefetch_related(_consensus_list(), _submitted_sheets(scores=scores, readable=readable))
    )


def moderation_proposals(*, challenge: Challenge) -> list[Proposal]:
    """Every opened proposal of the challenge (what `ranking` ranks) for the moderation page, with only what
    it shows of all of them: the title and the lead supplier's name, the accepted partners' ids
    (`accepted_partner_list`: who is expected to score what, and who the bidders are) and the consensus
    (`consensus_list`: the ranking). Which of them the chair may read is asked apart (readable_ids). The
    sheets are not read here: complete_proposal_ids says which proposals have all theirs in, and
    moderation_page_sheets reads them, with their scores, for one page. Reading every column of hundreds
    of proposals, their partners and whole sheets cost most of the page's time; so did prefetching by a
    list of hundreds of ids, hence the partners and the consensus are read by challenge. Three queries."""
    proposals = list(
        opened_proposals(challenge=challenge)
        .prefetch_related(None)
        # The ranking's tie-break reads the price and the submission time.
        .only(
            "id", "challenge_id", "supplier_id", "status", "title", "price", "submitted_at", "supplier__name"
        )
    )
    partners = _by_proposal(
        ConsortiumPartner.objects.filter(proposal__challenge=challenge, status=PartnerStatus.ACCEPTED).only(
            "id", "proposal_id", "organisation_id", "status"
        )
    )
    # The ranking reads the values; moderation_rows shows a page's values and rationales.
    consensus = _by_proposal(
        ConsensusScore.objects.filter(proposal__challenge=challenge).only(
            "id", "proposal_id", "criterion_id", "value", "rationale"
        )
    )
    for proposal in proposals:
        proposal.accepted_partner_list = partners.get(proposal.pk, [])
        proposal.consensus_list = consensus.get(proposal.pk, [])
    return proposals


def _by_proposal(rows: QuerySet) -> dict[int, list]:
    """{proposal id: its rows}, unordered (each reader looks rows up by criterion or organisation)."""
    grouped: dict[int, list] = {}
    for row in rows.order_by():
        grouped.setdefault(row.proposal_id, []).append(row)
    return grouped


def readable_ids(*, evaluator: Evaluator, state: PanelState) -> set[int]:
    """The ids of scorable_proposals, apart from the read of the proposals themselves: a subquery of
    visible_to made that read several times slower to build. One query; none until the evaluator has
    declared about every bidder, and none for the bidders when the caller has answered them from the
    opened proposals (PanelState.read_bidders_from)."""
    return set(scorable_ids(evaluator=evaluator, state=state, ordered=False))


def scorable_ids(*, evaluator: Evaluator, state: PanelState, ordered: bool = True) -> list[int]:
    """readable_ids in scorable_proposals' order (oldest submission first) unless ordered=False."""
    proposals = scorable_proposals(evaluator=evaluator, state=state).prefetch_related(None)
    if not ordered:
        proposals = proposals.order_by()
    return list(proposals.values_list("pk", flat=True))


def scorable_page(*, evaluator: Evaluator, state: PanelState, number, per_page: int) -> Page:
    """One page of scorable_proposals, oldest submission first, as a Paginator's page whose object_list is a
    queryset of that page's proposals (with their suppliers and accepted partners). Which proposals the
    evaluator scores is asked once (scorable_ids: visible_to built, planned and run once, where a paginated
    queryset runs it twice, for the count and for the page), and the page's rows are then read by those ids
    only: they never come from anywhere else, so what the page shows is what visible_to allows."""
    page = Paginator(scorable_ids(evaluator=evaluator, state=state), per_page).get_page(number)
    page.object_list = opened_proposals(challenge=evaluator.challenge).filter(pk__in=list(page.object_list))
    return page


# Every row an evaluator's scoring list is rendered from, whose version the list is kept under
# (scoring_version, portal/web/fragments.py). tests/evaluation/test_scoring_cache.py fails if the list reads
# a table that is not here.
SCORING_ROWS = (
    Rows("challenge", Challenge, "id = %(challenge)s", ("owner_id", "submission_deadline")),
    Rows("panel", Panel, "challenge_id = %(challenge)s"),
    Rows("evaluators", Evaluator, "challenge_id = %(challenge)s", ("user_id",)),
    Rows("declarations", ConflictDeclaration, "evaluator_id IN (SELECT id FROM evaluators)"),
    # The opened ones only (the others are never read): before the deadline there are none, so the version
    # does not take longer to read with more sealed bids, and tells nobody how many there are.
    Rows(
        "proposals",
        Proposal,
        "challenge_id = %(challenge)s AND status = %(submitted)s "
        "AND (SELECT submission_deadline <= now() FROM challenge)",
        ("supplier_id",),
    ),
    Rows("partners", ConsortiumPartner, "proposal_id IN (SELECT id FROM proposals)", ("organisation_id",)),
    Rows("sheets", ScoreSheet, "proposal_id IN (SELECT id FROM proposals)"),
    # The panel's members (with whom the panel's state is read, and whose names moderation shows).
    Rows("people", User, "id IN (SELECT user_id FROM evaluators)"),
    # visible_to reads the person's memberships, and the kinds of their organisations.
    Rows("memberships", Membership, "user_id = %(user)s", ("organisation_id",)),
    Rows(
        "organisations",
        Organisation,
        "id IN (SELECT supplier_id FROM proposals UNION SELECT organisation_id FROM partners "
        "UNION SELECT owner_id FROM challenge UNION SELECT organisation_id FROM memberships)",
    ),
)


# What the chair's moderation page shows besides: the criteria, the consensus and the sheets' scores.
# tests/evaluation/test_scoring_cache.py holds the same gate.
MODERATION_ROWS = (
    *SCORING_ROWS,
    Rows("criteria", Criterion, "challenge_id = %(challenge)s"),
    Rows("consensus", ConsensusScore, "proposal_id IN (SELECT id FROM proposals)"),
    Rows("scores", Score, "sheet_id IN (SELECT id FROM sheets)"),
)


def scoring_version(*, challenge_id: int, user_id: int, rows: tuple[Rows, ...] = SCORING_ROWS) -> str | None:
    """The version (portal.web.fragments.rows_version) of these rows (SCORING_ROWS or MODERATION_ROWS) for
    this challenge and person, with whether the challenge's deadline has passed (which opens its proposals
    without a write). Read it in the same snapshot() as everything the page shows."""
    return rows_version(
        rows,
        {"challenge": challenge_id, "user": user_id, "submitted": ProposalStatus.SUBMITTED},
        conditions=["SELECT bool_and(submission_deadline <= now()) FROM challenge"],
    )


def complete_proposal_ids(*, state: PanelState, proposals: list[Proposal]) -> set[int]:
    """The proposals (of those given) every expected evaluator has submitted a sheet for, as
    ProposalProgress.complete says, from one query of (proposal, evaluator) pairs."""
    # By challenge rather than by a list of hundreds of ids; only the given proposals are looked up.
    sheets = ScoreSheet.objects.filter(submitted_at__isnull=False, proposal__challenge=state.challenge)
    submitted: dict[int, set[int]] = {}
    for proposal_id, evaluator_id in sheets.order_by().values_list("proposal_id", "evaluator_id"):
        submitted.setdefault(proposal_id, set()).add(evaluator_id)
    complete = set()
    for proposal in proposals:
        expected = {e.pk for e in state.evaluators if state.is_expected(e, proposal)}
        if expected and expected <= submitted.get(proposal.pk, set()):
            complete.add(proposal.pk)
    return complete


def moderation_page_sheets(proposals: list[Proposal]) -> None:
    """Reads the submitted sheets, with their scores, of one page of moderation_proposals (as
    `submitted_sheets`, what scoring_progress and moderation_rows read). Two queries."""
    prefetch_related_objects(proposals, _submitted_sheets())


def scoring_progress(
    *,
    challenge: Challenge,
    proposals: QuerySet[Proposal] | list[Proposal] | None = None,
    state: PanelState | None = None,
    scores: bool = True,
) -> list[ProposalProgress]:
    """Per opened proposal (or per given proposal), who must score it and whose sheets are in. Pass the
    panel's state when the caller has read it already, and scores=False when the sheets' scores are not
    shown. A list of proposals must carry their `submitted_sheets` already (evaluation_proposals)."""
    state = state or panel_state(challenge=challenge)
    if proposals is None:
        proposals = opened_proposals(challenge=challenge)
    if isinstance(proposals, QuerySet):
        proposals = proposals.prefetch_related(_submitted_sheets(scores=scores))
    progress = []
    for proposal in proposals:
        expected = [e for e in state.evaluators if state.is_expected(e, proposal)]
        expected_ids = {e.pk for e in expected}
        submitted = [s for s in proposal.submitted_sheets if s.evaluator_id in expected_ids]
        progress.append(ProposalProgress(proposal=proposal, expected=expected, submitted=submitted))
    return progress


def scoring_complete(*, challenge: Challenge) -> bool:
    """All sheets of all active, non-conflicted evaluators are submitted, for every opened proposal."""
    progress = scoring_progress(challenge=challenge)
    return bool(progress) and all(row.complete for row in progress)


def evaluators_with_unsubmitted_sheets(*, challenge: Challenge) -> list[User]:
    """The active panel members who still owe a sheet (not started, draft or reopened)."""
    owing: dict[int, User] = {}
    for row in scoring_progress(challenge=challenge):
        done = {sheet.evaluator_id for sheet in row.submitted}
        for evaluator in row.expected:
            if evaluator.pk not in done:
                owing[evaluator.pk] = evaluator.user
    return list(owing.values())


def may_see_scores(*, user: User, evaluator: Evaluator | None, proposal: Proposal) -> bool:
    """Whether the user may read the panel's scores for this proposal (the proposal was read through
    visible_to, or scorable_proposals for an evaluator).

    - An active panel member: once they have submitted their own sheet for it (never before, whatever
      else they are).
    - An admin of the owning organisation who is not on the panel: once every expected sheet is in, or
      the outcome has been recorded.
    """
    if evaluator is not None:
        return ScoreSheet.objects.filter(
            evaluator=evaluator, proposal=proposal, submitted_at__isnull=False
        ).exists()
    if not is_owner_admin(user, proposal.challenge):
        return False
    if proposal.challenge.status in DECIDED_STATUSES:
        return True
    progress = scoring_progress(
        challenge=proposal.challenge,
        proposals=opened_proposals(challenge=proposal.challenge).filter(pk=proposal.pk),
    )
    return bool(progress) and progress[0].complete


# Moderation


@dataclass
class CriterionModeration:
    criterion: Criterion
    scores: list[tuple[Evaluator, Score]]
    consensus: ConsensusScore | None
    scale: int

    @property
    def values(self) -> list[int]:
        return [score.value for _evaluator, score in self.scores if score.value is not None]

    @property
    def spread(self) -> int | None:
        return max(self.values) - min(self.values) if self.values else None

    @property
    def minimum(self) -> int | None:
        return min(self.values) if self.values else None

    @property
    def maximum(self) -> int | None:
        return max(self.values) if self.values else None

    @property
    def mean(self) -> Decimal | None:
        if not self.values:
            return None
        return (Decimal(sum(self.values)) / len(self.values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def flagged(self) -> bool:
        """Evaluators disagree strongly: the spread is more than half the scale."""
        return self.spread is not None and self.spread * 2 > self.scale


@dataclass
class ProposalModeration:
    progress: ProposalProgress
    criteria: list[CriterionModeration] = field(default_factory=list)

    @property
    def proposal(self) -> Proposal:
        return self.progress.proposal

    @property
    def has_consensus(self) -> bool:
        return bool(self.criteria) and all(row.consensus is not None for row in self.criteria)


def moderation_rows(
    *,
    challenge: Challenge,
    chair: Evaluator,
    state: PanelState | None = None,
    criteria: list[Criterion] | None = None,
    proposals: list[Proposal] | None = None,
) -> list[ProposalModeration]:
    """What the chair moderates: each proposal they may read, and, once all its sheets are in, the
    individual scores per criterion with their spread and flag, and the consensus recorded so far. Its
    queries do not grow with the number of proposals. Pass what the caller has read already: the panel's
    state, the criteria, and the chair's scorable proposals as evaluation_proposals reads them."""
    if criteria is None:
        criteria = criteria_of(challenge=challenge)
    if proposals is None:
        proposals = scorable_proposals(evaluator=chair, state=state).prefetch_related(
            Prefetch("consensus_scores", queryset=ConsensusScore.objects.all(), to_attr="consensus_list")
        )
    rows = []
    for progress in scoring_progress(challenge=challenge, proposals=proposals, state=state):
        row = ProposalModeration(progress=progress)
        if progress.complete:
            consensus = {c.criterion_id: c for c in progress.proposal.consensus_list}
            for criterion in criteria:
                scores = [
                    (sheet.evaluator, score)
                    for sheet in progress.submitted
                    for score in sheet.scores.all()
                    if score.criterion_id == criterion.pk
                ]
                row.criteria.append(
                    CriterionModeration(
                        criterion=criterion,
                        scores=scores,
                        consensus=consensus.get(criterion.pk),
                        scale=challenge.scoring_scale,
                    )
                )
        rows.append(row)
    return rows


# Ranking


@dataclass(frozen=True)
class RankedProposal:
    """One row of `ranking`.

    proposal: the Proposal (supplier loaded). consensus: {criterion id: consensus value} (only the
    criteria with a consensus). by_criterion: [(Criterion, value or None)] in the criteria's order.
    total: the weighted total, Decimal with 3 places on 0 to 100, or None until every criterion has a
    consensus. rank: 1-based, shared by equal totals (1, 1, 3), None when total is None. tied: the total
    equals another's. tie_break: when tied, why it is placed before the next tied row ("" otherwise).
    """

    proposal: Proposal
    consensus: dict[int, int]
    by_criterion: list[tuple[Criterion, int | None]]
    total: Decimal | None
    rank: int | None
    tied: bool
    tie_break: str


def weighted_total(*, criteria: list[Criterion], consensus: dict[int, int], scale: int) -> Decimal | None:
    """Sum of weight * consensus / scale over the criteria (weights in %, so 0 to 100), to 3 places; None if a
    criterion has no consensus yet."""
    if not criteria or any(criterion.pk not in consensus for criterion in criteria):
        return None
    points = sum(criterion.weight * consensus[criterion.pk] for criterion in criteria)
    return (Decimal(points) / Decimal(scale)).quantize(THREE_PLACES, rounding=ROUND_HALF_UP)


def _tie_break_reason(ahead: dict, behind: dict, by_weight: list[Criterion]) -> str:
    for criterion in by_weight:
        if ahead["consensus"][criterion.pk] != behind["consensus"][criterion.pk]:
            return _("higher score on “%(criterion)s”") % {"criterion": criterion.name}
    ahead_price, behind_price = ahead["proposal"].price, behind["proposal"].price
    if ahead_price != behind_price:
        return _("lower price")
    if ahead["proposal"].submitted_at != behind["proposal"].submitted_at:
        return _("earlier submission")
    return _("submitted at the same time; listed by its number")


def ranking(
    *, challenge: Challenge, criteria: list[Criterion] | None = None, proposals: list[Proposal] | None = None
) -> list[RankedProposal]:
    """The opened proposals ranked by their weighted totals from the panel's consensus scores and the
    published weights: best first; equal totals share a rank and are ordered by the tie-break rule
    (`tie_break_rule()`): higher consensus on the highest-weighted criterion, then the next, ..., then
    lower price (a missing price last), then earlier submission. Proposals without a complete consensus
    follow, unranked. Three queries whatever the number of proposals; none when given the criteria and
    every opened proposal with its `consensus_list` (evaluation_proposals)."""
    if criteria is None:
        criteria = criteria_of(challenge=challenge)
    by_weight = sorted(criteria, key=lambda c: (-c.weight, c.position, c.pk))
    if proposals is None:
        proposals = opened_proposals(challenge=challenge).prefetch_related(
            Prefetch("consensus_scores", queryset=ConsensusScore.objects.all(), to_attr="consensus_list")
        )
    items = []
    for proposal in proposals:
        consensus = {c.criterion_id: c.value for c in proposal.consensus_list}
        items.append(
            {
                "proposal": proposal,
                "consensus": consensus,
                "total": weighted_total(
                    criteria=criteria, consensus=consensus, scale=challenge.scoring_scale
                ),
            }
        )
    complete = [item for item in items if item["total"] is not None]
    incomplete = [item for item in items if item["total"] is None]
    infinity = Decimal("Infinity")
    complete.sort(
        key=lambda item: (
            -item["total"],
            tuple(-item["consensus"][c.pk] for c in by_weight),
            item["proposal"].price if item["proposal"].price is not None else infinity,
            item["proposal"].submitted_at,
            item["proposal"].pk,
        )
    )
    # Sorted best first, so a total's rank is one more than the number of rows before its first row.
    first_index: dict[Decimal, int] = {}
    for index, item in enumerate(complete):
        first_index.setdefault(item["total"], index)
    sharing = Counter(item["total"] for item in complete)
    rows = []
    for index, item in enumerate(complete):
        following = complete[index + 1] if index + 1 < len(complete) else None
        reason = ""
        if following is not None and following["total"] == item["total"]:
            reason = _tie_break_reason(item, following, by_weight)
        rows.append(
            _row(
                item,
                criteria,
                rank=first_index[item["total"]] + 1,
                tied=sharing[item["total"]] > 1,
                tie_break=reason,
            )
        )
    rows.extend(_row(item, criteria, rank=None, tied=False, tie_break="") for item in incomplete)
    return rows


def _row(item: dict, criteria: list[Criterion], *, rank, tied, tie_break) -> RankedProposal:
    return RankedProposal(
        proposal=item["proposal"],
        consensus=item["consensus"],
        by_criterion=[(criterion, item["consensus"].get(criterion.pk)) for criterion in criteria],
        total=item["total"],
        rank=rank,
        tied=tied,
        tie_break=tie_break,
    )
