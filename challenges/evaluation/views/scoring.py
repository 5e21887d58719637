"""The panel's scoring pages: each evaluator's list and score sheets (blind: the others' scores appear
only once the evaluator's own sheet for that proposal is submitted), the chair's moderation, consensus
and reopening, and the printable evaluation report. Proposals are read through scorable_proposals (built
on ProposalQuerySet.visible_to): anything else is a 404."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.web.fragments import private_fragment, snapshot
from suppliers.models import Proposal
from suppliers.selectors.access import denied_proposal_access, proposal_or_404

from ..forms_scoring import ConsensusForm, ReopenSheetForm, ScoreSheetForm
from ..models import ConflictDeclaration, Evaluator, Score, ScoreSheet
from ..selectors.panel import (
    panel_of,
    undeclared_organisations,
)
from ..selectors.report import (
    award_rows_of_report,
    evaluation_trail,
    evaluation_trail_events,
    proposals_for_report,
    trail_names,
    trials_of_report,
)
from ..selectors.scoring import (
    DECIDED_STATUSES,
    MODERATION_ROWS,
    SCORING_ROWS,
    PanelState,
    complete_proposal_ids,
    criteria_of,
    moderation_page_sheets,
    moderation_proposals,
    moderation_rows,
    own_sheets,
    panel_state,
    panel_state_from,
    ranking,
    readable_ids,
    scorable_if_declared,
    scorable_page,
    scorable_proposals,
    scoring_progress,
    scoring_version,
    tie_break_rule,
    with_moderation,
)
from ..services.scoring import (
    ScoringError,
    SheetIncompleteError,
    record_consensus,
    reopen_sheet,
    save_scores,
    submit_sheet,
)
from .panel import challenge_for, own_evaluator, panel_member_for

SCORING_PAGE_SIZE = 50
PROPOSAL_TEXTS = ("summary", "approach", "team", "timeline")
MODERATION_PAGE_SIZE = 20


def _proposal_for_evaluator(
    request: HttpRequest, pk: int, permission: str, *, state: bool = False, moderation: bool = False
) -> tuple[Proposal, Evaluator, PanelState | None]:
    """A proposal the user scores (or moderates) as a member of its challenge's panel; a 404 otherwise.
    The user's row on the proposal's panel comes with the challenge (one query); the proposal is read
    through scorable_proposals, which keeps to the proposals visible to them. With state=True the panel's
    state is read too (and returned), and answers scorable_proposals' questions; with moderation=True the
    proposal comes with what moderation_rows reads (with_moderation)."""
    evaluator = (
        Evaluator.objects.select_related("challenge__owner")
        .filter(challenge__proposals__pk=pk, user=request.user, removed_at__isnull=True)
        .first()
        if request.user.is_authenticated
        else None
    )
    if evaluator is None or not rules.has_perm(permission, request.user, evaluator):
        raise denied_proposal_access(request, proposal_id=pk)
    evaluator.user = request.user  # the same person, with their roles already read
    panel = panel_state(challenge=evaluator.challenge) if state else None
    proposals = scorable_proposals(evaluator=evaluator, state=panel)
    proposal = proposal_or_404(
        request, pk=pk, queryset=with_moderation(proposals) if moderation else proposals
    )
    proposal.challenge = evaluator.challenge
    return proposal, evaluator, panel


def _kept_panel_page(
    request: HttpRequest, pk: int, permission: str, *, name: str, rows, render
) -> tuple[Challenge, SafeString]:
    """The challenge and the part `render(request, challenge, evaluator)` renders for a member of its panel
    with this permission (a 404 otherwise), kept under the version of `rows` (private_fragment). The
    permission, the version and everything the part shows, the person's roles included, are read from one
    snapshot, the version only once the permission is granted."""
    with snapshot():
        request.user.forget_organisation_roles()
        challenge, evaluator = panel_member_for(request, pk, permission)
        version = scoring_version(challenge_id=challenge.pk, user_id=request.user.pk, rows=rows)
        content = private_fragment(
            request, name=name, version=version, render=lambda: render(request, challenge, evaluator)
        )
    return challenge, content


@login_required
@require_http_methods(["GET"])
def scoring(request: HttpRequest, pk: int) -> HttpResponse:
    challenge, content = _kept_panel_page(
        request,
        pk,
        "evaluation.view_scoring",
        name="evaluation-scoring",
        rows=SCORING_ROWS,
        render=_scoring_list,
    )
    return render(
        request, "evaluation/scoring/scoring_list.html", {"challenge": challenge, "content": content}
    )


def _scoring_list(request: HttpRequest, challenge, evaluator: Evaluator) -> str:
    # The panel's members and declarations, read once: they say what is pending, what this evaluator
    # scores and who is expected to score what.
    state = panel_state(challenge=challenge)
    pending = undeclared_organisations(evaluator=evaluator, state=state)
    progress, proposals, page = [], [], None
    if not pending:
        # A page of proposals at a time: a panel may have hundreds to score. The list shows titles and
        # bidders, not the proposals' texts.
        page = scorable_page(
            evaluator=evaluator, state=state, number=request.GET.get("page"), per_page=SCORING_PAGE_SIZE
        )
        proposals = page.object_list.defer(*PROPOSAL_TEXTS)
        if evaluator.is_chair:
            # The chair follows the panel's progress on the proposals they may read, never on one they
            # declared a conflict with (its title would tell them about it).
            progress = scoring_progress(challenge=challenge, proposals=proposals, state=state, scores=False)
            proposals = [row.proposal for row in progress]
        else:
            proposals = list(proposals)
    sheets = own_sheets(evaluator=evaluator, proposals=proposals)
    # Per row: the proposal, this evaluator's sheet, and for the chair the panel's progress on it.
    panel_rows = {row.proposal.pk: row for row in progress}
    rows = [(proposal, sheets.get(proposal.pk), panel_rows.get(proposal.pk)) for proposal in proposals]
    # Times in the challenge's own zone (its row, and so its zone, is in the version the list is kept under).
    with timezone.override(challenge.deadline_zone):
        return render_to_string(
            "evaluation/scoring/_scoring_list.html",
            {
                "challenge": challenge,
                "evaluator": evaluator,
                "panel": panel_of(challenge=challenge),
                "pending": pending,
                "rows": rows,
                "page_obj": page,
                "progress": progress,
                "is_evaluating": challenge.status == ChallengeStatus.UNDER_EVALUATION,
                "can_score": rules.has_perm("evaluation.score", request.user, evaluator),
            },
        )


def _others_sheets(proposal: Proposal, evaluator: Evaluator) -> list[ScoreSheet]:
    return list(
        ScoreSheet.objects.filter(
            proposal=proposal, submitted_at__isnull=False, evaluator__removed_at__isnull=True
        )
        .exclude(evaluator=evaluator)
        .select_related("evaluator__user")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    proposal, evaluator, _state = _proposal_for_evaluator(request, pk, "evaluation.view_scoring")
    challenge = proposal.challenge
    criteria = criteria_of(challenge=challenge)
    own = (
        ScoreSheet.objects.filter(evaluator=evaluator, proposal=proposal)
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .first()
    )
    initial = (
        {score.criterion_id: (score.value, score.justification) for score in own.scores.all()} if own else {}
    )
    can_edit = rules.has_perm("evaluation.score", request.user, evaluator) and not (own and own.submitted_at)
    form = ScoreSheetForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        scale=challenge.scoring_scale,
        initial_scores=initial,
    )
    if request.method == "POST":
        if not can_edit:
            form.add_error(None, _("This sheet is locked."))
        elif form.is_valid():
            submitting = request.POST.get("action") == ScoreSheetForm.SUBMIT
            try:
                if submitting:
                    submit_sheet(
                        evaluator=evaluator, proposal=proposal, by=request.user, values=form.values()
                    )
                else:
                    save_scores(evaluator=evaluator, proposal=proposal, by=request.user, values=form.values())
            except SheetIncompleteError as error:
                form.add_service_errors(error.errors)
                form.add_error(None, str(error))
            except ScoringError as error:
                form.add_error(None, str(error))
            else:
                if submitting:
                    messages.success(request, _("Your scores are submitted and locked."))
                else:
                    messages.success(request, _("Your draft is saved."))
                return redirect("evaluation:sheet", pk=proposal.pk)
    submitted = bool(own and own.submitted_at)
    # Blindness: the others' sheets are read only once this evaluator's own sheet is submitted.
    others = _others_sheets(proposal, evaluator) if submitted else []
    return render(
        request,
        "evaluation/scoring/sheet_form.html",
        {
            "challenge": challenge,
            "proposal": proposal,
            "evaluator": evaluator,
            "sheet": own,
            "form": form,
            "can_edit": can_edit,
            "submitted": submitted,
            "criteria": criteria,
            "own_scores": {score.criterion_id: score for score in own.scores.all()} if own else {},
            "others": others,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    sheet_row = get_object_or_404(
        ScoreSheet.objects.select_related("evaluator__user", "evaluator__challenge", "proposal__supplier"),
        pk=pk,
        submitted_at__isnull=False,
    )
    challenge = challenge_for(request, sheet_row.evaluator.challenge_id)
    chair = own_evaluator(request, challenge, "evaluation.reopen_sheet")
    if not scorable_proposals(evaluator=chair).filter(pk=sheet_row.proposal_id).exists():
        raise Http404
    form = ReopenSheetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reopen_sheet(sheet=sheet_row, by=request.user, reason=form.cleaned_data["reason"])
        except ScoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The sheet is open again for its evaluator."))
            return redirect("evaluation:moderation", pk=challenge.pk)
    return render(
        request,
        "evaluation/scoring/sheet_reopen.html",
        {"challenge": challenge, "sheet": sheet_row, "form": form},
    )


@login_required
@require_http_methods(["GET"])
def moderation(request: HttpRequest, pk: int) -> HttpResponse:
    challenge, content = _kept_panel_page(
        request,
        pk,
        "evaluation.moderate",
        name="evaluation-moderation",
        rows=MODERATION_ROWS,
        render=_moderation,
    )
    return render(request, "evaluation/scoring/moderation.html", {"challenge": challenge, "content": content})


def _moderation(request: HttpRequest, challenge, chair: Evaluator) -> str:
    state = panel_state(challenge=challenge)
    criteria = criteria_of(challenge=challenge)
    # Every opened proposal once: the ranking ranks them all (those whose sheets are all in); they name the
    # bidders the chair must have declared about. The chair moderates those they may read, a page at a
    # time, and only that page's scores are read.
    proposals = moderation_proposals(challenge=challenge)
    state.read_bidders_from(proposals)
    may_read = readable_ids(evaluator=chair, state=state)
    readable = [proposal for proposal in proposals if proposal.pk in may_read]
    visible = complete_proposal_ids(state=state, proposals=readable)
    page = Paginator(readable, MODERATION_PAGE_SIZE).get_page(request.GET.get("page"))
    moderation_page_sheets(page.object_list)
    rows = moderation_rows(
        challenge=challenge, chair=chair, state=state, criteria=criteria, proposals=list(page.object_list)
    )
    return render_to_string(
        "evaluation/scoring/_moderation.html",
        {
            "challenge": challenge,
            "chair": chair,
            "rows": rows,
            "page_obj": page,
            "criteria": criteria,
            "ranking": [
                row
                for row in ranking(challenge=challenge, criteria=criteria, proposals=proposals)
                if row.proposal.pk in visible
            ],
            "tie_break_rule": tie_break_rule(),
            "can_record": rules.has_perm("evaluation.record_consensus", request.user, chair),
            "half_scale": challenge.scoring_scale / 2,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consensus(request: HttpRequest, pk: int) -> HttpResponse:
    proposal, chair, state = _proposal_for_evaluator(
        request, pk, "evaluation.record_consensus", state=True, moderation=True
    )
    challenge = proposal.challenge
    criteria = criteria_of(challenge=challenge)
    rows = moderation_rows(
        challenge=challenge, chair=chair, state=state, criteria=criteria, proposals=[proposal]
    )
    if not rows or not rows[0].progress.complete:
        raise Http404
    row = rows[0]
    initial = {
        c.criterion.pk: (c.consensus.value, c.consensus.rationale) for c in row.criteria if c.consensus
    }
    form = ConsensusForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        scale=challenge.scoring_scale,
        initial_scores=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_consensus(proposal=proposal, by=request.user, values=form.values())
        except SheetIncompleteError as error:
            form.add_service_errors(error.errors)
            form.add_error(None, str(error))
        except ScoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The consensus is recorded."))
            return redirect("evaluation:moderation", pk=challenge.pk)
    return render(
        request,
        "evaluation/scoring/consensus_form.html",
        {
            "challenge": challenge,
            "proposal": proposal,
            "row": row,
            "form": form,
            "moderated": dict(zip([c.criterion.pk for c in row.criteria], row.criteria, strict=True)),
        },
    )


# The evaluation report


@login_required
@require_http_methods(["GET"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Panel, declarations, every submitted sheet with its justifications, consensus with rationale, the
    ranking, the proof-of-value trials, the award and the audit trail. Scores appear per proposal only
    where the reader may see them: a panel member once they submitted their own sheet for it; the owner's
    admins once all its sheets are in."""
    # The panel's settings and the award come with the challenge (one query).
    challenge = challenge_for(request, pk, related=("panel", "award__decided_by"))
    # The panel now and the members removed from it, in one read: the reader's own row, the panel's state
    # and the trail's names come from it.
    members = list(Evaluator.objects.filter(challenge=challenge).select_related("user"))
    for member in members:
        member.challenge = challenge
    evaluators = [member for member in members if member.removed_at is None]
    removed = [member for member in members if member.removed_at is not None]
    evaluator = next(
        (
            member
            for member in evaluators
            if request.user.is_authenticated and member.user_id == request.user.pk
        ),
        None,
    )
    declarations = list(
        ConflictDeclaration.objects.filter(evaluator__challenge=challenge)
        .select_related("evaluator__user", "organisation")
        .order_by("evaluator_id", "organisation__name")
    )
    state = panel_state_from(
        challenge=challenge,
        evaluators=[member for member in evaluators if member.user_id is not None],
        declarations=declarations,
    )
    if evaluator is not None:
        if not rules.has_perm("evaluation.view_scoring", request.user, evaluator):
            raise Http404
        evaluator.user = request.user  # the same person, with their roles already read
        # Whether they have declared about every bidder is asked of the proposals read below, which name
        # the bidders: no query for them.
        readable_proposals = scorable_if_declared(evaluator=evaluator, state=state)
    elif rules.has_perm("evaluation.view_report", request.user, challenge):
        readable_proposals = None  # every opened proposal
    else:
        raise Http404
    # Every opened proposal once, with its consensus (the ranking) and, for those the reader may read, the
    # submitted sheets with their scores (the progress); with its trial and its part in the award.
    award = getattr(challenge, "award", None)  # read with the challenge: None before the decision
    proposals = proposals_for_report(challenge=challenge, readable=readable_proposals, award=award)
    if evaluator is not None:
        state.read_bidders_from(proposals)
        if proposals and not state.has_declared(evaluator):
            # As scorable_proposals: nothing opens to them until they have declared about every bidder.
            for proposal in proposals:
                proposal.readable, proposal.submitted_sheets = False, []
    progress = scoring_progress(
        challenge=challenge, proposals=[proposal for proposal in proposals if proposal.readable], state=state
    )
    if evaluator is not None:
        own_submitted = {
            row.proposal.pk
            for row in progress
            if any(sheet.evaluator_id == evaluator.pk for sheet in row.proposal.submitted_sheets)
        }
        may_see = {row.proposal.pk for row in progress if row.proposal.pk in own_submitted}
    elif challenge.status in DECIDED_STATUSES:
        may_see = {row.proposal.pk for row in progress}
    else:
        may_see = {row.proposal.pk for row in progress if row.complete}
    sections = [
        {
            "progress": row,
            "may_see": row.proposal.pk in may_see,
            "consensus": row.proposal.consensus_list if row.proposal.pk in may_see else [],
        }
        for row in progress
    ]
    readable = {row.proposal.pk for row in progress}
    criteria = criteria_of(challenge=challenge)
    trials = trials_of_report(proposals=proposals)
    winners, feedback = award_rows_of_report(proposals=proposals)
    events = evaluation_trail_events(
        challenge=challenge,
        proposal_ids=readable,
        award=award,
        trial_ids=[t.pk for t in trials],
        evaluators=members,
    )
    with timezone.override(challenge.deadline_zone):
        trail = evaluation_trail(
            events=events,
            names=trail_names(
                challenge=challenge,
                evaluators=evaluators + removed,
                declarations=declarations,
                criteria=criteria,
                events=events,
                proposals=proposals,
                trials=trials,
            ),
            may_see=may_see,
            trials=trials,
        )
        return render(
            request,
            "evaluation/scoring/report.html",
            {
                "challenge": challenge,
                "panel": panel_of(challenge=challenge),
                "evaluators": evaluators,
                "removed": removed,
                "declarations": declarations,
                "criteria": criteria,
                "sections": sections,
                "ranking": [
                    row
                    for row in ranking(challenge=challenge, criteria=criteria, proposals=proposals)
                    if row.proposal.pk in may_see
                ],
                "tie_break_rule": tie_break_rule(),
                # The trials of the bids the reader may read; the award with the ranks of those whose
                # scores they may see.
                "trials": [trial for trial in trials if trial.proposal_id in readable],
                "award": award,
                "award_winners": winners,
                "award_feedback": [row for row in feedback if row.proposal_id in may_see],
                "trail": trail,
                "generated_at": timezone.now(),
            },
        )
