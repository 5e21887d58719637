"""The lifecycle's pages: submit for review, review (approve or return), amend, extend the deadlines and
cancel. Each finds the challenge among those the user may see (any other is a 404), checks the named
permission (refused: a 404 too), calls one service and turns its refusal into a form error."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms_lifecycle import (
    AmendmentDocumentForm,
    AmendmentForm,
    CancelForm,
    ConfirmForm,
    DeadlineForm,
    ReviewForm,
)
from ..models import Challenge
from ..selectors.lifecycle import review_blockers
from ..services.lifecycle import (
    ChallengeStateError,
    IncompleteChallengeError,
    add_amendment_document,
    amend_challenge,
    approve_challenge,
    cancel_challenge,
    extend_deadline,
    return_challenge,
    submit_for_review,
)

COACH_CHECKLIST_TEMPLATE = "challenges/coach/_checklist.html"


def challenge_for_action(request: HttpRequest, pk: int, permission: str) -> Challenge:
    """The challenge, if the user may see it and has the permission; a 404 otherwise."""
    challenge = get_object_or_404(Challenge.objects.visible_to(request.user).select_related("owner"), pk=pk)
    if not rules.has_perm(permission, request.user, challenge):
        raise Http404
    return challenge


def _coach(challenge: Challenge) -> dict:
    """The coach's checklist, if the coach is installed (it is written alongside; the page works
    without it)."""
    try:
        from ..coach import findings_for_challenge

        get_template(COACH_CHECKLIST_TEMPLATE)
    except (ImportError, TemplateDoesNotExist):
        return {"coach_template": "", "coach_findings": None}
    return {"coach_template": COACH_CHECKLIST_TEMPLATE, "coach_findings": findings_for_challenge(challenge)}


@login_required
@require_http_methods(["GET", "POST"])
def challenge_submit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.submit_challenge_for_review")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_for_review(challenge=challenge, by=request.user)
        except IncompleteChallengeError:
            # The page lists what is missing (review_blockers) under the summary.
            form.add_error(None, _("The challenge cannot go to review yet: complete the items listed below."))
        except ChallengeStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The challenge has been sent for review."))
            return redirect(challenge)
    challenge = Challenge.objects.prefetch_related("outcomes", "criteria").get(pk=challenge.pk)
    return render(
        request,
        "challenges/lifecycle/challenge_submit.html",
        {
            "challenge": challenge,
            "form": form,
            "missing": review_blockers(challenge=challenge),
            **_coach(challenge),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_review(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.review_challenge")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        try:
            if decision == ReviewForm.APPROVE:
                approve_challenge(challenge=challenge, by=request.user, comment=comment)
            else:
                return_challenge(challenge=challenge, by=request.user, comment=comment)
        except ChallengeStateError as error:
            form.add_error(None, str(error))
        else:
            if decision == ReviewForm.APPROVE:
                messages.success(request, _("The challenge is published."))
            else:
                messages.success(
                    request, _("The challenge has been returned to its authors with your comments.")
                )
            return redirect(challenge)
    challenge = (
        Challenge.objects.select_related("owner", "submitted_for_review_by")
        .prefetch_related("outcomes", "criteria")
        .get(pk=challenge.pk)
    )
    with timezone.override(challenge.deadline_zone):
        return render(
            request,
            "challenges/lifecycle/challenge_review.html",
            {
                "challenge": challenge,
                "form": form,
                "missing": review_blockers(challenge=challenge),
                "reviews": challenge.reviews.select_related("reviewer"),
            },
        )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_amend(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.amend_challenge")
    # The form edits a copy, so the page keeps showing the challenge as it is until the amendment is saved.
    form = AmendmentForm(
        request.POST if request.method == "POST" else None, instance=Challenge.objects.get(pk=challenge.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            amend_challenge(
                challenge=challenge,
                by=request.user,
                changes=form.changes(),
                summary=form.cleaned_data["amendment_summary"],
            )
        except ChallengeStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The amendment is published and followers have been told."))
            return redirect(challenge)
    return render(
        request, "challenges/lifecycle/challenge_amend.html", {"challenge": challenge, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_amend_document(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.amend_challenge")
    form = AmendmentDocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            add_amendment_document(
                challenge=challenge,
                by=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                summary=form.cleaned_data["amendment_summary"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        except ChallengeStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The document is published as an amendment and followers have been told.")
            )
            return redirect(challenge)
    return render(
        request, "challenges/lifecycle/challenge_amend_document.html", {"challenge": challenge, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.extend_deadline")
    # Deadlines are typed and shown in the challenge's own time zone, whatever the reader's.
    with timezone.override(challenge.deadline_zone):
        form = DeadlineForm(
            request.POST or None,
            initial={
                "submission_deadline": challenge.submission_deadline,
                "questions_deadline": challenge.questions_deadline,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                extend_deadline(
                    challenge=challenge,
                    by=request.user,
                    submission_deadline=form.cleaned_data["submission_deadline"],
                    questions_deadline=form.cleaned_data["questions_deadline"],
                    summary=form.cleaned_data["summary"],
                )
            except ChallengeStateError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The new deadlines are published and followers have been told."))
                return redirect(challenge)
        return render(
            request,
            "challenges/lifecycle/challenge_deadline.html",
            {"challenge": challenge, "form": form, "deadline_zone": str(challenge.deadline_zone)},
        )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.cancel_challenge")
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_challenge(challenge=challenge, by=request.user, reason=form.cleaned_data["reason"])
        except ChallengeStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The challenge has been cancelled."))
            return redirect(challenge)
    return render(
        request, "challenges/lifecycle/challenge_cancel.html", {"challenge": challenge, "form": form}
    )
