"""The panel's pages: the owner's admins appoint and invite evaluators, choose the chair, remove members,
set the scoring deadline and open the evaluation; an invited expert accepts; each evaluator declares their
conflicts. Each view finds its object among those the user may see (any other is a 404), checks the
permission with rules.has_perm (superusers get no pass), calls one service and turns its refusal into a
form error."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from challenges.models import Challenge

from ..forms_panel import (
    AppointForm,
    ConfirmForm,
    DeclarationForm,
    InviteExpertForm,
    PanelSettingsForm,
    RemoveEvaluatorForm,
)
from ..models import Evaluator
from ..selectors.panel import (
    appointable_members,
    declarations_of,
    evaluator_for,
    evaluator_for_token,
    evaluators_of,
    panel_of,
    removed_evaluators_of,
    undeclared_organisations,
)
from ..services.panel import (
    PanelError,
    accept_expert_invitation,
    appoint_evaluator,
    declare_conflicts,
    invite_external_expert,
    open_evaluation,
    remove_evaluator,
    set_chair,
    update_panel,
)


def challenge_for(
    request: HttpRequest, pk: int, permission: str | None = None, *, related: tuple[str, ...] = ()
) -> Challenge:
    """The challenge, if the user may see it (and has the permission on it); a 404 otherwise. `related`
    names more relations to read with it (select_related)."""
    challenge = get_object_or_404(
        Challenge.objects.visible_to(request.user).select_related("owner", *related), pk=pk
    )
    if permission and not rules.has_perm(permission, request.user, challenge):
        raise Http404
    return challenge


def _panel_page(request: HttpRequest, challenge: Challenge, status: int = 200, **forms) -> HttpResponse:
    panel = panel_of(challenge=challenge)
    can_edit = rules.has_perm("evaluation.edit_panel", request.user, challenge)
    with timezone.override(challenge.deadline_zone):
        context = {
            "challenge": challenge,
            "panel": panel,
            "evaluators": list(evaluators_of(challenge=challenge)),
            "removed": list(removed_evaluators_of(challenge=challenge)),
            "can_edit": can_edit,
            "can_open": rules.has_perm("evaluation.open_evaluation", request.user, challenge),
            "settings_form": forms.get("settings_form") or PanelSettingsForm(instance=panel),
            "appoint_form": forms.get("appoint_form")
            or AppointForm(members=appointable_members(challenge=challenge)),
            "invite_form": forms.get("invite_form") or InviteExpertForm(),
            "open_form": forms.get("open_form") or ConfirmForm(),
            "deadline_zone": str(challenge.deadline_zone),
        }
        return render(request, "evaluation/panel/panel_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for(request, pk, "evaluation.manage_panel")
    return _panel_page(request, challenge)


@login_required
@require_POST
def panel_settings(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for(request, pk, "evaluation.edit_panel")
    with timezone.override(challenge.deadline_zone):
        form = PanelSettingsForm(request.POST, instance=panel_of(challenge=challenge))
        if form.is_valid():
            try:
                update_panel(
                    challenge=challenge,
                    by=request.user,
                    scoring_deadline=form.cleaned_data["scoring_deadline"],
                    has_trial_stage=form.cleaned_data["has_trial_stage"],
                )
            except PanelError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The panel's settings are saved."))
                return redirect("evaluation:panel", pk=challenge.pk)
    return _panel_page(request, challenge, settings_form=form)


@login_required
@require_POST
def panel_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for(request, pk, "evaluation.edit_panel")
    form = AppointForm(request.POST, members=appointable_members(challenge=challenge))
    if form.is_valid():
        try:
            evaluator = appoint_evaluator(
                challenge=challenge, by=request.user, user=form.cleaned_data["user"]
            )
        except PanelError as error:
            form.add_error("user", str(error))
        else:
            messages.success(
                request, _("%(name)s is on the panel and has been told.") % {"name": evaluator.user}
            )
            return redirect("evaluation:panel", pk=challenge.pk)
    return _panel_page(request, challenge, appoint_form=form)


@login_required
@require_POST
def panel_invite(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for(request, pk, "evaluation.edit_panel")
    form = InviteExpertForm(request.POST)
    if form.is_valid():
        try:
            invite_external_expert(challenge=challenge, by=request.user, email=form.cleaned_data["email"])
        except PanelError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("evaluation:panel", pk=challenge.pk)
    return _panel_page(request, challenge, invite_form=form)


@login_required
@require_POST
def panel_open(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for(request, pk, "evaluation.manage_panel")
    form = ConfirmForm(request.POST)
    if not rules.has_perm("evaluation.open_evaluation", request.user, challenge):
        form.add_error(None, _("The evaluation can be opened once the challenge has closed."))
    else:
        try:
            open_evaluation(challenge=challenge, by=request.user)
        except PanelError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The evaluation is open. The panel has been asked to declare their conflicts.")
            )
            return redirect("evaluation:panel", pk=challenge.pk)
    return _panel_page(request, challenge, status=200, open_form=form)


def _panel_evaluator(request: HttpRequest, pk: int) -> Evaluator:
    evaluator = get_object_or_404(
        Evaluator.objects.select_related("challenge", "challenge__owner", "user").filter(
            challenge__in=Challenge.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    if not rules.has_perm("evaluation.edit_panel", request.user, evaluator.challenge):
        raise Http404
    return evaluator


@login_required
@require_POST
def evaluator_chair(request: HttpRequest, pk: int) -> HttpResponse:
    evaluator = _panel_evaluator(request, pk)
    try:
        set_chair(evaluator=evaluator, by=request.user)
    except PanelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s chairs the panel.") % {"name": evaluator.user})
    return redirect("evaluation:panel", pk=evaluator.challenge_id)


@login_required
@require_http_methods(["GET", "POST"])
def evaluator_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evaluator = _panel_evaluator(request, pk)
    if evaluator.removed_at is not None:
        raise Http404
    form = RemoveEvaluatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            remove_evaluator(evaluator=evaluator, by=request.user, reason=form.cleaned_data["reason"])
        except PanelError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is no longer on the panel.") % {"name": evaluator.user or evaluator.email},
            )
            return redirect("evaluation:panel", pk=evaluator.challenge_id)
    return render(
        request,
        "evaluation/panel/evaluator_remove.html",
        {"evaluator": evaluator, "challenge": evaluator.challenge, "form": form},
    )


@require_http_methods(["GET", "POST"])
def evaluator_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An external expert's link: signed out, it offers sign-in or sign-up and comes back here; signed in
    with the invited address, it accepts."""
    evaluator = evaluator_for_token(token)
    if evaluator is None:
        raise Http404
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        try:
            accept_expert_invitation(evaluator=evaluator, user=request.user)
        except PanelError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("You are on the evaluation panel of “%(title)s”.") % {"title": evaluator.challenge.title},
            )
            return redirect("evaluation:scoring", pk=evaluator.challenge_id)
    return render(
        request,
        "evaluation/panel/evaluator_invitation.html",
        {"evaluator": evaluator, "challenge": evaluator.challenge, "form": form, "next": request.path},
    )


def own_evaluator(request: HttpRequest, challenge: Challenge, permission: str) -> Evaluator:
    """The user's active row on the challenge's panel, if they have the permission; a 404 otherwise."""
    evaluator = evaluator_for(challenge=challenge, user=request.user)
    if evaluator is None or not rules.has_perm(permission, request.user, evaluator):
        raise Http404
    evaluator.user = request.user  # the same person, with their roles already read
    return evaluator


def panel_member_for(request: HttpRequest, pk: int, permission: str) -> tuple[Challenge, Evaluator]:
    """The challenge (if the user may see it) and the user's active row on its panel (if they have the
    permission), read together in one query (with the challenge's owner and panel settings); a 404
    otherwise, as challenge_for followed by own_evaluator."""
    evaluator = (
        Evaluator.objects.select_related("challenge__owner", "challenge__panel")
        .filter(
            challenge__in=Challenge.objects.visible_to(request.user),
            challenge__pk=pk,
            user=request.user,
            removed_at__isnull=True,
        )
        .first()
    )
    if evaluator is None or not rules.has_perm(permission, request.user, evaluator):
        raise Http404
    evaluator.user = request.user  # the same person, with their roles already read
    return evaluator.challenge, evaluator


@login_required
@require_http_methods(["GET", "POST"])
def declarations(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for(request, pk)
    evaluator = own_evaluator(request, challenge, "evaluation.view_scoring")
    can_declare = rules.has_perm("evaluation.declare_conflicts", request.user, evaluator)
    pending = undeclared_organisations(evaluator=evaluator) if can_declare else []
    form = DeclarationForm(request.POST if request.method == "POST" else None, organisations=pending)
    if request.method == "POST":
        if not can_declare or not pending:
            form.add_error(None, _("There is nothing to declare now."))
        elif form.is_valid():
            try:
                declare_conflicts(evaluator=evaluator, by=request.user, answers=form.answers())
            except PanelError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your declarations are recorded. The proposals are open to you."))
                return redirect("evaluation:scoring", pk=challenge.pk)
    return render(
        request,
        "evaluation/panel/declarations.html",
        {
            "challenge": challenge,
            "evaluator": evaluator,
            "form": form,
            "pending": pending,
            "can_declare": can_declare,
            "declarations": list(declarations_of(evaluator=evaluator)),
            "cancel_url": reverse("evaluation:scoring", kwargs={"pk": challenge.pk}),
        },
    )
