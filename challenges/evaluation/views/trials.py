"""The proof-of-value stage's pages (owner's admins; a challenge whose panel has the stage): the shortlist
with the ranking, one trial's results against the outcome indicators, and its go / no-go decision.
Refused or not visible: 404 (see views.award)."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from suppliers.models import Proposal
from suppliers.selectors.access import denied_proposal_access

from ..forms_trials import ShortlistForm, TrialDecisionForm, TrialResultsForm
from ..models import Trial
from ..selectors.award import hidden_bid_count, panel_has_trial_stage, standings_for
from ..selectors.trials import outcome_results, trials_of, trials_visible_to
from ..services.trials import (
    MeasuredResult,
    TrialError,
    decide_trial,
    record_trial_results,
    shortlist_for_trial,
)
from .award import _challenge


def _trial(request: HttpRequest, pk: int) -> Trial:
    trial = get_object_or_404(trials_visible_to(user=request.user), pk=pk)
    if not rules.has_perm("evaluation.view_trials", request.user, trial.proposal.challenge):
        raise Http404
    return trial


@login_required
@require_http_methods(["GET", "POST"])
def trial_list(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk, "evaluation.view_trials")
    if not panel_has_trial_stage(challenge=challenge):
        raise Http404
    can_manage = rules.has_perm("evaluation.manage_trials", request.user, challenge)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        form = ShortlistForm(request.POST)
        if form.is_valid():
            proposal = (
                Proposal.objects.visible_to(request.user)
                .filter(challenge=challenge, pk=form.cleaned_data["proposal"])
                .first()
            )
            try:
                if proposal is None:
                    # Audited when a proposal of that number exists (a sealed bid's, say).
                    denied_proposal_access(request, proposal_id=form.cleaned_data["proposal"])
                    raise TrialError(_("That proposal is not one of this challenge's bids."))
                shortlist_for_trial(proposal=proposal, by=request.user)
            except TrialError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The proposal is shortlisted for a proof-of-value trial."))
        return redirect("evaluation:trial-list", pk=challenge.pk)
    standings = standings_for(challenge=challenge, user=request.user)
    return render(
        request,
        "evaluation/trials/trial_list.html",
        {
            "challenge": challenge,
            "standings": standings,
            "hidden_bids": hidden_bid_count(challenge=challenge, shown=len(standings)),
            "trials": trials_of(challenge=challenge, user=request.user),
            "can_manage": can_manage,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trial = _trial(request, pk)
    challenge = trial.proposal.challenge
    can_manage = trial.decision == "pending" and rules.has_perm(
        "evaluation.manage_trials", request.user, challenge
    )
    if request.method == "POST" and not can_manage:
        raise Http404
    rows = outcome_results(trial=trial)
    form = TrialResultsForm(request.POST or None, outcome_results=rows) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            record_trial_results(
                trial=trial,
                by=request.user,
                results=[MeasuredResult(outcome_id=o, measured=m, note=n) for o, m, n in form.results()],
            )
        except TrialError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The trial's results are recorded."))
            return redirect("evaluation:trial-detail", pk=trial.pk)
    return render(
        request,
        "evaluation/trials/trial_detail.html",
        {"challenge": challenge, "trial": trial, "rows": rows, "form": form, "can_manage": can_manage},
    )


@login_required
@require_http_methods(["GET", "POST"])
def trial_decide(request: HttpRequest, pk: int) -> HttpResponse:
    trial = _trial(request, pk)
    challenge = trial.proposal.challenge
    if trial.decision != "pending" or not rules.has_perm("evaluation.manage_trials", request.user, challenge):
        raise Http404
    form = TrialDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decide_trial(
                trial=trial,
                by=request.user,
                decision=form.cleaned_data["decision"],
                summary=form.cleaned_data["summary"],
            )
        except TrialError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("The go / no-go decision is recorded."))
            return redirect("evaluation:trial-list", pk=challenge.pk)
    return render(
        request, "evaluation/trials/trial_decide.html", {"challenge": challenge, "trial": trial, "form": form}
    )
