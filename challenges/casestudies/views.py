"""The case-study library's pages: the public list and search, the detail page, and writing, editing,
publishing and unpublishing. A case study or challenge the person may not see, or may not act on, is a
404; service errors become messages."""

from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from challenges.models import Challenge
from portal.web.pagecache import public_page

from .forms import CaseStudyForm
from .models import CaseStudy
from .search import CaseStudySearchForm
from .selectors import (
    case_study_for_detail,
    case_study_of_challenge,
    country_choices,
    editable_case_study,
    published_case_studies_matching,
    theme_choices,
)
from .services import (
    CaseStudyStateError,
    case_study_prefill,
    create_case_study,
    publish_case_study,
    unpublish_case_study,
    update_case_study,
)

PAGE_SIZE = 20


@public_page
@require_safe
def case_study_list(request: HttpRequest) -> HttpResponse:
    form = CaseStudySearchForm(request.GET, themes=theme_choices(), countries=country_choices())
    form.is_valid()  # the fields that validate apply; the others show their errors
    text, filters = form.search_words, form.filters
    page = Paginator(published_case_studies_matching(text=text, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = {"q": text, **filters.as_json()}
    return render(
        request,
        "casestudies/case_study_list.html",
        {
            "form": form,
            "page_obj": page,
            "case_studies": page.object_list,
            "is_filtered": any(params.values()),
            "query_string": urlencode({key: value for key, value in params.items() if value}),
        },
    )


@public_page
@require_safe
def case_study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = case_study_for_detail(user=request.user, pk=pk)
    if case_study is None:
        raise Http404
    report = getattr(case_study, "reflection_report", None)  # written from an exchange's report
    return render(
        request,
        "casestudies/case_study_detail.html",
        {
            "case_study": case_study,
            "challenge": case_study.challenge
            if case_study.challenge and case_study.challenge.is_public
            else None,
            "report": report if report is not None and report.is_published else None,
        },
    )


def _ended_challenge(request: HttpRequest, pk: int) -> Challenge:
    challenge = (
        Challenge.objects.visible_to(request.user)
        .select_related("owner")
        .prefetch_related("outcomes", "themes", "cpv_codes")
        .filter(pk=pk)
        .first()
    )
    if challenge is None or not rules.has_perm("casestudies.write_case_study", request.user, challenge):
        raise Http404
    return challenge


@login_required
@require_http_methods(["GET", "POST"])
def case_study_create(request: HttpRequest, challenge_pk: int) -> HttpResponse:
    """Write the case study of an ended challenge, prefilled from it; saved as a draft."""
    challenge = _ended_challenge(request, challenge_pk)
    existing = case_study_of_challenge(challenge=challenge)
    if existing is not None:
        messages.info(request, _("This challenge already has its case study: here it is."))
        return redirect("casestudies:case-study-edit", pk=existing.pk)
    if request.method == "POST":
        form = CaseStudyForm(request.POST)
        if form.is_valid():
            try:
                case_study = create_case_study(challenge=challenge, by=request.user, **form.values())
            except CaseStudyStateError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Saved as a draft: only your organisation sees the case study until it is published."),
                )
                return redirect(case_study)
    else:
        form = CaseStudyForm(initial=case_study_prefill(challenge=challenge))
    return render(
        request,
        "casestudies/case_study_form.html",
        {"form": form, "challenge": challenge, "case_study": None},
    )


def _case_study_for(request: HttpRequest, pk: int, *permissions: str) -> CaseStudy:
    """The case study if the user holds one of the permissions on it (any other is a 404). The publishing
    views also let in those who may change it, so that a click on a stale page (publishing what a
    colleague just published) gets the service's message rather than a 404."""
    case_study = editable_case_study(user=request.user, pk=pk)
    if case_study is None or not any(rules.has_perm(name, request.user, case_study) for name in permissions):
        raise Http404
    return case_study


@login_required
@require_http_methods(["GET", "POST"])
def case_study_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = _case_study_for(request, pk, "casestudies.change_case_study")
    form = CaseStudyForm(request.POST if request.method == "POST" else None, instance=case_study)
    if request.method == "POST" and form.is_valid():
        try:
            update_case_study(case_study=case_study, by=request.user, **form.values())
        except CaseStudyStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The case study is saved."))
            return redirect(case_study)
    return render(
        request,
        "casestudies/case_study_form.html",
        {"form": form, "challenge": case_study.challenge, "case_study": case_study},
    )


@login_required
@require_POST
def case_study_publish(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = _case_study_for(
        request, pk, "casestudies.publish_case_study", "casestudies.change_case_study"
    )
    try:
        publish_case_study(case_study=case_study, by=request.user)
    except CaseStudyStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The case study is published: other cities find it in the library."))
    return redirect(case_study)


@login_required
@require_POST
def case_study_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = _case_study_for(
        request, pk, "casestudies.unpublish_case_study", "casestudies.change_case_study"
    )
    try:
        unpublish_case_study(case_study=case_study, by=request.user)
    except CaseStudyStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The case study is back to draft; the public no longer sees it."))
    return redirect(case_study)
