"""Pages of citizen ideas: the public list and detail page, submission with the coach's preview, a
resident's own ideas and their withdrawal, support, the moderation queue and decision page, and turning
an idea into a challenge draft. Thin: each view finds the idea through Idea.objects.visible_to (anything
else is a 404), checks the rule, and calls one service; the services' refusals become messages or form
errors."""

from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_slug
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from challenges.coach import find_issues, language_or_none
from portal.accounts.models import Organisation
from portal.redirects import safe_next_url
from portal.web.pagecache import public_page

from .enums import IdeaStatus
from .forms import HONEYPOT_FIELD, IdeaFilterForm, IdeaForm, ModerationForm
from .models import Idea
from .rules import is_city_member, is_moderator
from .selectors import (
    PAGE_SIZE,
    city_choices,
    idea_for_detail,
    ideas_for_author,
    last_display_name,
    merge_candidates,
    moderation_cities,
    moderation_queue,
    public_ideas,
    submission_cities,
    supports_idea,
    theme_choices,
    with_merged_ideas,
)
from .services import (
    IdeaStateError,
    SpamSuspected,
    SubmissionLimitReached,
    challenge_fields_from_idea,
    convert_idea_to_challenge,
    merge_idea,
    publish_idea,
    reject_idea,
    submission_limit_message,
    submit_idea,
    support_idea,
    withdraw_idea,
    withdraw_support,
)

OWN_IDEAS_PER_PAGE = 25


def _query_string(**params: str) -> str:
    return urlencode({key: value for key, value in params.items() if value})


def _slug_or_empty(value: str) -> str:
    """The value if it can be an organisation's slug, else "" (a NUL byte, say, which PostgreSQL refuses in
    a query parameter)."""
    try:
        validate_slug(value)
    except ValidationError:
        return ""
    return value if len(value) <= Organisation._meta.get_field("slug").max_length else ""


# --- Public pages -----------------------------------------------------------------------------------------


@public_page
@require_safe
def idea_list(request: HttpRequest) -> HttpResponse:
    form = IdeaFilterForm(request.GET or None, cities=city_choices(), themes=theme_choices())
    form.is_valid()  # valid filters apply; an unknown city or theme shows its error and is ignored
    city, theme, sort = form.value("city"), form.value("theme"), form.value("sort")
    page = Paginator(public_ideas(city=city, theme=theme, sort=sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ideas/idea_list.html",
        {
            "form": form,
            "page_obj": page,
            "is_filtered": bool(city or theme),
            "query_string": _query_string(city=city, theme=theme, sort=sort),
            "can_submit": rules.has_perm("ideas.submit_idea", request.user),
            "can_moderate": rules.has_perm("ideas.view_moderation_queue", request.user),
        },
    )


@public_page
@require_safe
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = idea_for_detail(user=request.user, pk=pk)
    if idea is None:
        raise Http404
    return render(
        request,
        "ideas/idea_detail.html",
        {
            "idea": idea,
            "supported": supports_idea(user=request.user, idea=idea),
            "is_author": request.user.is_authenticated and idea.author_id == request.user.pk,
            "is_city_member": is_city_member(request.user, idea),
        },
    )


# --- Submission -------------------------------------------------------------------------------------------


def _coach_findings(form: IdeaForm, language: str) -> dict:
    """The coach's findings in the title, the problem and who is affected, by field label (the shape
    templates/challenges/coach/_findings.html shows)."""
    findings = {}
    for name in ("title", "problem", "affected"):
        if found := find_issues(form.cleaned_data.get(name) or "", language=language):
            findings[str(form.fields[name].label)] = found
    return findings


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request: HttpRequest) -> HttpResponse:
    initial = {"display_name": last_display_name(user=request.user)}
    if city := _slug_or_empty(request.GET.get("city", "")):
        initial["city"] = submission_cities().filter(slug=city).values_list("pk", flat=True).first()
    form = IdeaForm(request.POST if request.method == "POST" else None, initial=initial)
    language = language_or_none(get_language()) or "en"
    context = {
        "form": form,
        "honeypot_field": HONEYPOT_FIELD,
        "preview": False,
        # Once someone has tried to send, the send button stays (the preview is advice, not a gate).
        "show_submit": request.POST.get("action") == "submit",
    }
    status = 200
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "submit":
            try:
                idea = submit_idea(
                    author=request.user,
                    language=language,
                    honeypot=request.POST.get(HONEYPOT_FIELD, ""),
                    **form.cleaned_data,
                )
            except SpamSuspected as error:
                form.add_error(None, str(error))
                status = 400
            except SubmissionLimitReached as error:
                form.add_error(None, str(error))
                status = 429
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Your idea is waiting for the city's moderators; we will tell you when "
                        "they have decided."
                    ),
                )
                return redirect(idea)
        else:
            context.update(
                preview=True,
                coach_findings=_coach_findings(form, language),
                limit_message=submission_limit_message(user=request.user),
            )
    return render(request, "ideas/idea_form.html", context, status=status)


@login_required
@require_safe
def my_ideas(request: HttpRequest) -> HttpResponse:
    page = Paginator(ideas_for_author(user=request.user), OWN_IDEAS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "ideas/my_ideas.html", {"page_obj": page, "query_string": ""})


@login_required
@require_http_methods(["GET", "POST"])
def idea_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's confirmation page (GET) and the withdrawal itself (POST)."""
    idea = get_object_or_404(
        with_merged_ideas(Idea.objects.visible_to(request.user)).select_related("city", "challenge"), pk=pk
    )
    if not rules.has_perm("ideas.withdraw_idea", request.user, idea):
        if idea.author_id == request.user.pk:
            messages.info(request, _("This idea can no longer be withdrawn."))
            return redirect(idea)
        raise Http404
    if request.method == "POST":
        try:
            withdraw_idea(idea=idea, by=request.user)
        except IdeaStateError as error:
            messages.error(request, str(error))
            return redirect(idea)
        except PermissionDenied:
            raise Http404 from None
        messages.success(
            request,
            _(
                "Your idea is withdrawn. Nobody but you, the city's moderators and programme staff can see "
                "it now."
            ),
        )
        return redirect("ideas:my-ideas")
    return render(request, "ideas/idea_withdraw.html", {"idea": idea})


# --- Support ------------------------------------------------------------------------------------------------


def _visible_idea(request: HttpRequest, pk: int) -> Idea:
    return get_object_or_404(Idea.objects.visible_to(request.user).select_related("city"), pk=pk)


@login_required
@require_POST
def idea_support(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _visible_idea(request, pk)
    try:
        added = support_idea(idea=idea, user=request.user)
    except IdeaStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You support this idea.") if added else _("You already support this idea.")
        )
    return redirect(safe_next_url(request, idea.get_absolute_url()))


@login_required
@require_POST
def idea_withdraw_support(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _visible_idea(request, pk)
    if withdraw_support(idea=idea, user=request.user):
        messages.success(request, _("You no longer support this idea."))
    return redirect(safe_next_url(request, idea.get_absolute_url()))


# --- Moderation -------------------------------------------------------------------------------------------


@login_required
@require_safe
def moderation_list(request: HttpRequest) -> HttpResponse:
    if not rules.has_perm("ideas.view_moderation_queue", request.user):
        raise Http404
    cities = moderation_cities(user=request.user)
    city = request.GET.get("city", "")
    if city not in {slug for slug, _name in cities}:
        city = ""
    page = Paginator(moderation_queue(user=request.user, city=city), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ideas/moderation_list.html",
        {"page_obj": page, "cities": cities, "city": city, "query_string": _query_string(city=city)},
    )


def _decided_already(request: HttpRequest, idea: Idea) -> HttpResponse:
    messages.info(request, _("This idea has already been decided on."))
    return redirect(idea)


@login_required
@require_http_methods(["GET", "POST"])
def idea_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(
        Idea.objects.visible_to(request.user).select_related("city", "challenge").prefetch_related("themes"),
        pk=pk,
    )
    if not rules.has_perm("ideas.moderate_idea", request.user, idea):
        if is_moderator(request.user, idea):
            return _decided_already(request, idea)
        raise Http404
    candidates = merge_candidates(idea=idea)
    form = ModerationForm(
        request.POST if request.method == "POST" else None, idea=idea, candidates=candidates
    )
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            if decision == IdeaStatus.PUBLISHED:
                publish_idea(idea=idea, by=request.user)
                message = _("The idea is published.")
            elif decision == IdeaStatus.MERGED:
                target = form.cleaned_data["merge_into"]
                merge_idea(idea=idea, into=target, by=request.user)
                message = _("The idea is merged into “%(title)s”.") % {"title": target.title}
            else:
                reject_idea(idea=idea, by=request.user, reason=form.cleaned_data["reason"])
                message = _("The idea is not published; the author has been told why.")
        except IdeaStateError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, message)
            return redirect("ideas:moderation-list")
    return render(
        request,
        "ideas/idea_moderate.html",
        {"idea": idea, "form": form, "similar": candidates},
    )


# --- Turning an idea into a challenge -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def idea_convert(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(
        Idea.objects.visible_to(request.user).select_related("city", "challenge").prefetch_related("themes"),
        pk=pk,
    )
    if not rules.has_perm("ideas.convert_idea", request.user, idea):
        if idea.is_converted and idea.city_id in request.user.buyer_organisation_ids:
            messages.info(request, _("This idea has already become a challenge."))
            return redirect(idea)
        raise Http404
    if request.method == "POST":
        try:
            challenge = convert_idea_to_challenge(idea=idea, by=request.user)
        except IdeaStateError as error:
            messages.error(request, str(error))
            return redirect(idea)
        except PermissionDenied:
            raise Http404 from None
        messages.success(
            request,
            _(
                "A challenge draft has been made from the idea. Restate it as your organisation's need, add "
                "outcomes and criteria, and submit it for review. Its supporters will hear when it is "
                "published."
            ),
        )
        return redirect(reverse("challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": "problem"}))
    return render(
        request, "ideas/idea_convert.html", {"idea": idea, "prefill": challenge_fields_from_idea(idea)}
    )
