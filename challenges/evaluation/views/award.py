"""The award's pages: the decision (owner's admins: the form while the evaluation is under way, the decision
as recorded afterwards), a bidder's own feedback, and the amendment that changes a published challenge's
criteria (which reopens the submission period).

Each page finds its object among those the user may see and checks the named permission with
rules.has_perm (never user.has_perm: a superuser has no part in an award as such). Anything refused is a
404, so these working pages do not reveal themselves to people without a role in them."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from challenges.forms_lifecycle import CriteriaAmendmentForm
from challenges.models import Challenge
from challenges.services.lifecycle import CRITERIA_AMENDMENT_MIN_DAYS, ChallengeStateError, amend_criteria
from suppliers.models import Proposal
from suppliers.selectors.access import denied_proposal_access, proposal_or_404

from ..forms_award import AwardForm
from ..selectors.award import award_of, award_page_for, feedback_for
from ..services.award import AwardedBid, AwardError, decide_award


def _challenge(request: HttpRequest, pk: int, permission: str, *related: str) -> Challenge:
    challenge = get_object_or_404(
        Challenge.objects.visible_to(request.user).select_related("owner", *related), pk=pk
    )
    if not rules.has_perm(permission, request.user, challenge):
        raise Http404
    return challenge


@login_required
@require_http_methods(["GET", "POST"])
def award_page(request: HttpRequest, pk: int) -> HttpResponse:
    # The panel's settings and the award come with the challenge (one query).
    challenge = _challenge(request, pk, "evaluation.view_award", "panel", "award")
    award = award_of(challenge=challenge)
    page = award_page_for(challenge=challenge, user=request.user, award=award)
    standings = page.standings
    can_decide = award is None and rules.has_perm("evaluation.decide_award", request.user, challenge)
    if request.method == "POST" and not can_decide:
        raise Http404
    form = AwardForm(request.POST or None, standings=standings) if can_decide else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            decide_award(
                challenge=challenge,
                by=request.user,
                decision=form.cleaned_data["decision"],
                rationale=form.cleaned_data["rationale"],
                public_summary=form.cleaned_data["public_summary"],
                standstill_days=form.cleaned_data["standstill_days"],
                awarded=[AwardedBid(proposal_id=pk, value=value) for pk, value in form.awarded().items()],
                notes=form.notes(),
            )
        except AwardError as error:
            field = {"awarded": "decision"}.get(error.field, error.field)
            form.add_error(field if field in form.fields else None, str(error))
        else:
            messages.success(
                request, _("The award decision is recorded and every bidder has their feedback.")
            )
            return redirect("evaluation:award", pk=challenge.pk)
    if award is not None:
        feedback = {row.proposal_id: row for row in award.feedback.all()}
        for standing in standings:
            standing.feedback = feedback.get(standing.proposal.pk)
    return render(
        request,
        "evaluation/award/award_page.html",
        {
            "challenge": challenge,
            "award": award,
            "form": form,
            "standings": standings,
            "hidden_bids": page.hidden_bids,
            "blockers": page.blockers,
        },
    )


@login_required
@require_safe
def award_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_or_404(
        request,
        pk=pk,
        queryset=Proposal.objects.visible_to(request.user)
        .select_related("challenge", "challenge__owner", "supplier")
        .prefetch_related("partners"),
    )
    if not rules.has_perm("evaluation.view_feedback", request.user, proposal):
        raise denied_proposal_access(request, proposal_id=proposal.pk)
    view = feedback_for(proposal=proposal)
    if view is None:
        raise Http404
    return render(request, "evaluation/award/award_feedback.html", {"view": view, "proposal": proposal})


@login_required
@require_http_methods(["GET", "POST"])
def criteria_amend(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk, "challenges.amend_challenge")
    # Deadlines are typed and shown in the challenge's own time zone, whatever the reader's.
    with timezone.override(challenge.deadline_zone):
        form = CriteriaAmendmentForm(request.POST or None, challenge=challenge)
        if request.method == "POST" and form.is_valid():
            try:
                amend_criteria(
                    challenge=challenge,
                    by=request.user,
                    criteria=form.criteria_rows(),
                    scoring_scale=form.cleaned_data["scoring_scale"],
                    submission_deadline=form.cleaned_data["submission_deadline"],
                    summary=form.cleaned_data["amendment_summary"],
                )
            except ChallengeStateError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "The criteria are amended and the submission period is reopened; followers and "
                        "everyone with a proposal have been told."
                    ),
                )
                return redirect(challenge)
        return render(
            request,
            "challenges/lifecycle/challenge_amend_criteria.html",
            {
                "challenge": challenge,
                "form": form,
                "deadline_zone": str(challenge.deadline_zone),
                "minimum_days": CRITERIA_AMENDMENT_MIN_DAYS,
            },
        )
