"""The statement editor: create a draft, edit it step by step, preview it, manage its documents; a buyer's
list of its own challenges; the CPV picker's search. Thin: each view finds the challenge through
Challenge.objects.visible_to (anything else is a 404), checks the rule, and calls one service."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..forms import (
    ConstraintsForm,
    CriterionFormSet,
    DocumentForm,
    OutcomeFormSet,
    PracticalitiesForm,
    ProblemForm,
    ScoringScaleForm,
    criterion_initial,
    error_summary,
    outcome_initial,
)
from ..models import Challenge
from ..selectors.authoring import (
    STEP_NAMES,
    STEPS,
    challenge_for_editor,
    challenges_for_organisation,
    documents_visible_to,
    last_return_from_review,
    missing_for_submission,
    search_cpv_codes,
)
from ..services.authoring import (
    ChallengeNotEditable,
    add_challenge_document,
    create_challenge,
    delete_challenge_document,
    save_criteria,
    save_outcomes,
    update_challenge,
)

# The lifecycle area's actions (submit for review, cancel, ...), shown on the review step and the preview
# when that partial exists.
ACTIONS_TEMPLATE = "challenges/lifecycle/_actions.html"
# Case studies build on challenges: what other cities learnt from similar needs, on the steps where the
# need, its themes and CPV codes are written, and on the review. On the problem step a new draft has no
# themes or codes yet (chosen on practicalities), so its title and summary are matched instead.
RELATED_CASE_STUDIES_TEMPLATE = "casestudies/_editor_panel.html"
RELATED_CASE_STUDIES_STEPS = ("problem", "practicalities", "review")
ORGANISATION_CHALLENGES_PER_PAGE = 25


def _acting_buyer(request: HttpRequest):
    """The buyer organisation the user acts for, or None."""
    organisation = request.organisation
    return organisation if organisation and organisation.is_buyer else None


def _editor_challenge(request: HttpRequest, pk: int) -> Challenge:
    try:
        return challenge_for_editor(user=request.user, pk=pk)
    except Challenge.DoesNotExist:
        raise Http404 from None


def _optional_template(name: str) -> str:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


def _step_url(challenge: Challenge, step: str) -> str:
    return reverse("challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": step})


def _next_step(step: str) -> str:
    index = STEP_NAMES.index(step)
    return STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)]


def _after_save(request: HttpRequest, challenge: Challenge, step: str, *, changed: bool) -> HttpResponse:
    messages.success(
        request, _("Draft saved.") if changed else _("Nothing had changed; the draft is as it was.")
    )
    if request.POST.get("then") == "next":
        return redirect(_step_url(challenge, _next_step(step)))
    return redirect(_step_url(challenge, step))


def _editor_context(challenge: Challenge | None, step: str, **extra) -> dict:
    gaps = missing_for_submission(challenge) if challenge is not None else []
    steps = [
        {
            "name": name,
            "label": label,
            "url": _step_url(challenge, name) if challenge is not None else "",
            "gaps": sum(1 for gap in gaps if gap.step == name),
        }
        for name, label in STEPS
    ]
    return {
        "challenge": challenge,
        "step": step,
        "step_label": dict(STEPS)[step],
        "steps": steps,
        "gaps": gaps,
        "next_step": _next_step(step) if step != "review" else "",
        "returned_review": last_return_from_review(challenge=challenge) if challenge is not None else None,
        "related_template": _optional_template(RELATED_CASE_STUDIES_TEMPLATE)
        if challenge is not None and step in RELATED_CASE_STUDIES_STEPS
        else "",
        "related_text_fallback": step == "problem",
        **extra,
    }


def _not_editable(request: HttpRequest, challenge: Challenge) -> HttpResponse:
    return render(request, "challenges/authoring/challenge_locked.html", {"challenge": challenge}, status=403)


def _refused(request: HttpRequest, challenge: Challenge, error: Exception) -> HttpResponse:
    # The challenge left the draft status while the person was typing (e.g. a colleague submitted it).
    messages.error(request, str(error))
    return redirect("challenges:challenge-preview", pk=challenge.pk)


# Creating a challenge


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request: HttpRequest) -> HttpResponse:
    organisation = _acting_buyer(request)
    if organisation is None or not request.user.has_perm("challenges.create_challenge"):
        return render(
            request,
            "challenges/authoring/challenge_create_not_buyer.html",
            {"organisation": request.organisation or None},
            status=403,
        )
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        challenge = create_challenge(owner=organisation, by=request.user, **form.cleaned_data)
        messages.success(request, _("The challenge has been saved as a draft."))
        step = "outcomes" if request.POST.get("then") == "next" else "problem"
        return redirect(_step_url(challenge, step))
    return render(
        request,
        "challenges/authoring/challenge_edit_problem.html",
        _editor_context(None, "problem", form=form, organisation=organisation),
    )


# The editor, step by step


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_NAMES:
        raise Http404
    challenge = _editor_challenge(request, pk)
    if not request.user.has_perm("challenges.change_challenge", challenge):
        return _not_editable(request, challenge)
    if request.method == "POST" and step == "review":
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    try:
        return _STEP_VIEWS[step](request, challenge)
    except ChallengeNotEditable as error:
        return _refused(request, challenge, error)


def _model_form_step(form_class, step: str):
    template = f"challenges/authoring/challenge_edit_{step}.html"

    def step_view(request: HttpRequest, challenge: Challenge) -> HttpResponse:
        # The form works on a copy, so a refused form leaves the page's own challenge as it is saved.
        form = form_class(request.POST or None, instance=copy.copy(challenge))
        if request.method == "POST" and form.is_valid():
            changed = update_challenge(challenge=challenge, by=request.user, **form.cleaned_data)
            return _after_save(request, challenge, step, changed=bool(changed))
        return render(request, template, _editor_context(challenge, step, form=form))

    return step_view


def _outcomes_step(request: HttpRequest, challenge: Challenge) -> HttpResponse:
    existing = outcome_initial(challenge)
    formset = OutcomeFormSet(
        request.POST or None,
        prefix="outcomes",
        initial=existing,
        allowed_ids=[row["id"] for row in existing],
        form_kwargs={"language": challenge.language},
    )
    if request.method == "POST" and formset.is_valid():
        try:
            changed = save_outcomes(challenge=challenge, by=request.user, outcomes=formset.kept_rows())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return _after_save(request, challenge, "outcomes", changed=changed)
    return render(
        request,
        "challenges/authoring/challenge_edit_outcomes.html",
        _editor_context(challenge, "outcomes", formset=formset, errors=error_summary(None, formset)),
    )


def _criteria_step(request: HttpRequest, challenge: Challenge) -> HttpResponse:
    existing = criterion_initial(challenge)
    form = ScoringScaleForm(request.POST or None, instance=copy.copy(challenge))
    formset = CriterionFormSet(
        request.POST or None, prefix="criteria", initial=existing, allowed_ids=[row["id"] for row in existing]
    )
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        try:
            changed = save_criteria(
                challenge=challenge,
                by=request.user,
                criteria=formset.kept_rows(),
                scoring_scale=form.cleaned_data["scoring_scale"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return _after_save(request, challenge, "criteria", changed=changed)
    return render(
        request,
        "challenges/authoring/challenge_edit_criteria.html",
        _editor_context(
            challenge, "criteria", form=form, formset=formset, errors=error_summary(form, formset)
        ),
    )


def _documents_step(request: HttpRequest, challenge: Challenge) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = add_challenge_document(
                challenge=challenge,
                by=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("“%(title)s” has been added.") % {"title": document.title})
            return redirect(_step_url(challenge, "documents"))
    return render(
        request,
        "challenges/authoring/challenge_edit_documents.html",
        _editor_context(challenge, "documents", form=form, documents=challenge.documents.all()),
    )


def _review_step(request: HttpRequest, challenge: Challenge) -> HttpResponse:
    return render(
        request,
        "challenges/authoring/challenge_edit_review.html",
        _editor_context(challenge, "review", submit_template=_optional_template(ACTIONS_TEMPLATE)),
    )


_STEP_VIEWS = {
    "problem": _model_form_step(ProblemForm, "problem"),
    "outcomes": _outcomes_step,
    "constraints": _model_form_step(ConstraintsForm, "constraints"),
    "practicalities": _model_form_step(PracticalitiesForm, "practicalities"),
    "criteria": _criteria_step,
    "documents": _documents_step,
    "review": _review_step,
}


# Preview and documents


@login_required
@never_cache
@require_safe
def challenge_preview(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _editor_challenge(request, pk)
    if not request.user.has_perm("challenges.view_challenge", challenge):
        raise Http404
    return render(
        request,
        "challenges/authoring/challenge_preview.html",
        {
            "challenge": challenge,
            "can_edit": request.user.has_perm("challenges.change_challenge", challenge),
            "actions_template": _optional_template(ACTIONS_TEMPLATE),
        },
    )


@require_safe
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A document as an attachment, never shown inline: its type is the one its bytes showed at upload,
    and the browser is told not to guess another."""
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not document.challenge.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    challenge = _editor_challenge(request, pk)
    if not request.user.has_perm("challenges.change_challenge", challenge):
        return _not_editable(request, challenge)
    document = next((doc for doc in challenge.documents.all() if doc.pk == document_pk), None)
    if document is None:
        raise Http404
    try:
        delete_challenge_document(document=document, by=request.user)
    except ChallengeNotEditable as error:
        return _refused(request, challenge, error)
    messages.success(request, _("“%(title)s” has been removed.") % {"title": document.title})
    return redirect(_step_url(challenge, "documents"))


# A buyer's own challenges


@login_required
@require_safe
def organisation_challenges(request: HttpRequest) -> HttpResponse:
    organisation = _acting_buyer(request)
    page = None
    if organisation is not None:
        page = Paginator(
            challenges_for_organisation(organisation=organisation), ORGANISATION_CHALLENGES_PER_PAGE
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "challenges/authoring/organisation_challenges.html",
        {"organisation": organisation, "page_obj": page, "acting_for": request.organisation or None},
    )


# The CPV picker's search


@require_safe
def cpv_search(request: HttpRequest) -> JsonResponse:
    """{"results": [{"code", "label"}], "page", "has_more"}: CPV codes by code prefix or label words."""
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    # PostgreSQL text cannot hold NUL; a query string is untrusted input.
    query = request.GET.get("q", "").replace("\x00", "")[:200]
    codes, has_more = search_cpv_codes(query=query, page=page)
    return JsonResponse(
        {
            "results": [{"code": code.code, "label": code.label} for code in codes],
            "page": max(page, 1),
            "has_more": has_more,
        }
    )
