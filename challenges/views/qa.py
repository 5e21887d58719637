"""Clarification pages: the buyer's questions inbox and answer form, a supplier's questions on one
challenge (with the form to ask, while questions are open), and a supplier's questions everywhere."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from portal.accounts.selectors import active_organisation_for

from ..enums import ClarificationStatus
from ..forms_lifecycle import AnswerForm, QuestionForm
from ..models import Clarification
from ..selectors.qa import (
    clarification_for_owner,
    clarifications_for_owner,
    pending_question_count,
    questions_for_supplier,
)
from ..services.qa import ClarificationError, answer_question, ask_question
from .lifecycle import challenge_for_action

PAGE_SIZE = 20


@login_required
@require_safe
def question_list(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.view_questions")
    page = Paginator(clarifications_for_owner(challenge=challenge), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "challenges/qa/question_list.html",
        {
            "challenge": challenge,
            "page_obj": page,
            "pending_count": pending_question_count(challenge=challenge),
            "can_answer": rules.has_perm("challenges.answer_question", request.user, challenge),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.answer_question")
    try:
        clarification = clarification_for_owner(challenge=challenge, pk=question_pk)
    except Clarification.DoesNotExist:
        raise Http404 from None
    pending = clarification.status == ClarificationStatus.PENDING
    form = None
    if pending:
        form = AnswerForm(
            request.POST if request.method == "POST" else None,
            initial={"public_question": clarification.question},
        )
        if request.method == "POST" and form.is_valid():
            try:
                answer_question(
                    clarification=clarification,
                    by=request.user,
                    answer=form.cleaned_data["answer"],
                    publish=form.publish,
                    public_question=form.cleaned_data["public_question"],
                )
            except ClarificationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The answer is published.")
                    if form.publish
                    else _("The answer has been sent to the asker."),
                )
                return redirect("challenges:question-list", pk=challenge.pk)
    elif request.method == "POST":
        messages.error(request, _("This question has already been answered."))
        return redirect("challenges:question-list", pk=challenge.pk)
    return render(
        request,
        "challenges/qa/question_answer.html",
        {"challenge": challenge, "clarification": clarification, "form": form},
    )


def _acting_supplier(request: HttpRequest):
    """The supplier organisation the user acts for: the active one if it is a supplier, else None (the
    service then takes their first)."""
    organisation = active_organisation_for(request=request)
    if organisation is not None and organisation.pk in request.user.supplier_organisation_ids:
        return organisation
    return None


@login_required
@require_http_methods(["GET", "POST"])
def question_ask(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_action(request, pk, "challenges.use_supplier_questions")
    can_ask = rules.has_perm("challenges.ask_question", request.user, challenge)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # Asked even if the page said questions were open when it was loaded: the service decides by the
        # database's clock, and a refusal keeps what was typed.
        try:
            ask_question(
                challenge=challenge,
                by=request.user,
                question=form.cleaned_data["question"],
                organisation=_acting_supplier(request),
            )
        except ClarificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your question has been sent to the buyer."))
            return redirect("challenges:question-ask", pk=challenge.pk)
    return render(
        request,
        "challenges/qa/question_ask.html",
        {
            "challenge": challenge,
            "form": form,
            "can_ask": can_ask or bool(form.errors),
            "acting_for": _acting_supplier(request),
            "questions": questions_for_supplier(user=request.user, challenge=challenge),
        },
    )


@login_required
@require_safe
def my_questions(request: HttpRequest) -> HttpResponse:
    page = Paginator(questions_for_supplier(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "challenges/qa/my_questions.html", {"page_obj": page})
