"""Discovery's pages: the public list and search, the public detail page, follows and saved searches."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.redirects import safe_next_url
from portal.web.pagecache import public_page

from ..models import Challenge
from ..search import ChallengeFilters, ChallengeSearchForm
from ..selectors.discovery import (
    buyer_country_choices,
    challenge_for_detail,
    follow_state,
    followable_organisations,
    follows_for_user,
    paginate_results,
    public_challenges_matching,
    saved_searches_for_user,
    theme_choices,
    unfollowable_organisations,
)
from ..selectors.lifecycle import amendments_for_challenge
from ..selectors.qa import public_clarifications_for
from ..services.discovery import (
    DiscoveryError,
    delete_saved_search,
    follow_challenge,
    follow_organisation,
    save_search,
    unfollow_challenge,
    unfollow_organisation,
)

# Partials other parts of challenges provide; the detail page includes each one that exists.
STATEMENT_TEMPLATES = ["challenges/authoring/_statement.html", "challenges/discovery/_statement.html"]
PARTIALS = {
    "amendments_template": "challenges/lifecycle/_amendments.html",
    "clarifications_template": "challenges/qa/_clarifications.html",
    "actions_template": "challenges/lifecycle/_actions.html",
    # Suppliers build on challenges: their panels (your proposal, the partner board) are named, not imported.
    "proposal_panel_template": "suppliers/proposals/_challenge_panel.html",
    "board_panel_template": "suppliers/board/_challenge_panel.html",
    # Evaluation sits above both: the public award notice and, for the panel, the way to the evaluation.
    "award_notice_template": "evaluation/_award_notice.html",
    "evaluation_panel_template": "evaluation/_challenge_panel.html",
    # Citizen ideas and case studies build on challenges too: the idea a challenge started from, and what
    # other cities learnt from similar needs.
    "idea_origin_template": "ideas/_challenge_panel.html",
    "case_study_template": "casestudies/_challenge_panel.html",
}


def _existing_template(name: str) -> str:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


def search_query_string(*, text: str, filters: ChallengeFilters, sort: str = "") -> str:
    """The query string of a search, with only the values that differ from the defaults."""
    params = {"q": text, **filters.as_json(), "sort": sort}
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


def _search_form(request: HttpRequest, data) -> ChallengeSearchForm:
    form = ChallengeSearchForm(data=data, themes=theme_choices(), countries=buyer_country_choices())
    form.is_valid()  # the fields that validate apply; the others show their errors
    return form


@public_page
@require_safe
def challenge_list(request: HttpRequest) -> HttpResponse:
    form = _search_form(request, request.GET)
    text, filters, sort = form.search_words, form.filters, form.sort_order
    results = paginate_results(
        public_challenges_matching(text=text, filters=filters, sort=sort), page_number=request.GET.get("page")
    )
    return render(
        request,
        "challenges/discovery/challenge_list.html",
        {
            "form": form,
            "page_obj": results.page,
            "result_count": results.count,
            "results_capped": results.capped,
            "search_words": text,
            "filters": filters,
            "saved_search_params": {"q": text, **filters.as_json()},
            "is_filtered": bool(text or filters.as_json()),
            "query_string": search_query_string(text=text, filters=filters, sort=sort),
            "all_statuses_query_string": search_query_string(
                text=text, filters=ChallengeFilters(status="all")
            ),
            "can_save_search": request.user.has_perm("challenges.follow"),
        },
    )


@public_page
@require_safe
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = challenge_for_detail(user=request.user, pk=pk)
    if challenge is None:
        raise Http404
    context = {
        "challenge": challenge,
        "statement_template": next(filter(None, map(_existing_template, STATEMENT_TEMPLATES))),
        "amendments": amendments_for_challenge(challenge=challenge),
        "clarifications": public_clarifications_for(challenge=challenge),
        "follow": follow_state(user=request.user, challenge=challenge),
        "can_follow": request.user.has_perm("challenges.follow"),
        "deadline_passed": challenge.submission_deadline is not None
        and challenge.submission_deadline <= timezone.now(),
        **{key: _existing_template(name) for key, name in PARTIALS.items()},
    }
    return render(request, "challenges/discovery/challenge_detail.html", context)


@login_required
@require_POST
def challenge_follow(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge.objects.visible_to(request.user), pk=pk)
    try:
        follow_challenge(user=request.user, challenge=challenge)
    except DiscoveryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You follow this challenge. You will hear about changes, answers and its deadline.")
        )
    return HttpResponseRedirect(safe_next_url(request, challenge.get_absolute_url()))


@login_required
@require_POST
def challenge_unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge.objects.visible_to(request.user), pk=pk)
    unfollow_challenge(user=request.user, challenge=challenge)
    messages.success(request, _("You no longer follow this challenge."))
    return HttpResponseRedirect(safe_next_url(request, challenge.get_absolute_url()))


@login_required
@require_POST
def organisation_follow(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(followable_organisations(), pk=pk)
    try:
        follow_organisation(user=request.user, organisation=organisation)
    except DiscoveryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You follow %(name)s. You will hear about every challenge it publishes.")
            % {"name": organisation.name},
        )
    return HttpResponseRedirect(safe_next_url(request, reverse("challenges:follow-list")))


@login_required
@require_POST
def organisation_unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    # Any organisation the user follows may be unfollowed, even one that no longer has public challenges.
    organisation = get_object_or_404(unfollowable_organisations(user=request.user), pk=pk)
    unfollow_organisation(user=request.user, organisation=organisation)
    messages.success(request, _("You no longer follow %(name)s.") % {"name": organisation.name})
    return HttpResponseRedirect(safe_next_url(request, reverse("challenges:follow-list")))


@login_required
@require_safe
def follow_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(follows_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "challenges/discovery/follow_list.html", {"page_obj": page, "query_string": ""})


@login_required
@require_safe
def saved_search_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(saved_searches_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request, "challenges/discovery/savedsearch_list.html", {"page_obj": page, "query_string": ""}
    )


@login_required
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    form = _search_form(request, request.POST)
    try:
        saved_search = save_search(
            user=request.user,
            name=request.POST.get("name", ""),
            query=form.search_words,
            filters=form.filters,
        )
    except DiscoveryError as error:
        messages.error(request, str(error))
        query_string = search_query_string(text=form.search_words, filters=form.filters)
        return redirect(f"{reverse('challenges:challenge-list')}?{query_string}")
    messages.success(
        request,
        _("Search “%(name)s” saved. We will tell you when a new challenge matches it.")
        % {"name": saved_search.name},
    )
    return redirect("challenges:saved-search-list")


@login_required
@require_http_methods(["GET", "POST"])
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the user's own: anyone else's is a 404.
    saved_search = get_object_or_404(saved_searches_for_user(user=request.user), pk=pk)
    if request.method == "POST":
        delete_saved_search(user=request.user, saved_search=saved_search)
        messages.success(request, _("Search “%(name)s” deleted.") % {"name": saved_search.name})
        return redirect("challenges:saved-search-list")
    return render(
        request, "challenges/discovery/savedsearch_confirm_delete.html", {"saved_search": saved_search}
    )
