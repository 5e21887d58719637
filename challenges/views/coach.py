"""Views of the needs-not-solutions coach: the live check (JSON) used while a procurer types, and the
pages where programme staff manage the rules and try them out."""

import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..coach import find_issues, language_or_none
from ..forms_coach import MAX_TEXT_LENGTH, CoachRuleFilterForm, CoachRuleForm, CoachTryForm
from ..models import CoachRule
from ..selectors.coach import coach_rules_for_staff
from ..services.coach import (
    CoachRuleError,
    activate_coach_rule,
    create_coach_rule,
    deactivate_coach_rule,
    update_coach_rule,
)

RULES_PER_PAGE = 50
# The live check is debounced in the browser; the limit only stops a runaway script. Per user, per minute.
DEFAULT_CHECKS_PER_MINUTE = 120
# A text full of flags ("app app app …") would otherwise send megabytes of repeated advice.
MAX_FINDINGS_IN_RESPONSE = 100


def _require_rule_manager(request: HttpRequest) -> None:
    # Not a 403: the pages do not exist for anyone but programme staff.
    if not request.user.has_perm("challenges.manage_coach_rules"):
        raise Http404


def _rule(request: HttpRequest, pk: int) -> CoachRule:
    return get_object_or_404(coach_rules_for_staff(user=request.user), pk=pk)


def _save_rule(request: HttpRequest, form: CoachRuleForm, rule: CoachRule | None) -> CoachRule | None:
    """Calls the service; its refusals become field errors. Returns the saved rule, or None."""
    values = {name: form.cleaned_data[name] for name in CoachRuleForm.Meta.fields}
    try:
        if rule is None:
            return create_coach_rule(by=request.user, **values)
        return update_coach_rule(rule=rule, by=request.user, **values)
    except CoachRuleError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return None


@login_required
@require_safe
def coach_rule_list(request: HttpRequest) -> HttpResponse:
    _require_rule_manager(request)
    filters = CoachRuleFilterForm(request.GET)
    values = filters.cleaned_data if filters.is_valid() else {}
    rules = coach_rules_for_staff(
        user=request.user,
        language=values.get("language", ""),
        category=values.get("category", ""),
        state=values.get("state", ""),
        query=values.get("q", ""),
    )
    page = Paginator(rules, RULES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "challenges/coach/coachrule_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "query_string": urlencode({key: value for key, value in values.items() if value}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def coach_rule_create(request: HttpRequest) -> HttpResponse:
    _require_rule_manager(request)
    form = CoachRuleForm(
        request.POST if request.method == "POST" else None,
        initial={"language": language_or_none(get_language())},
    )
    if request.method == "POST" and form.is_valid() and (rule := _save_rule(request, form, None)):
        messages.success(request, _("The rule for “%(phrase)s” is in use.") % {"phrase": rule.phrase})
        return redirect("challenges:coach-rule-list")
    return render(request, "challenges/coach/coachrule_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def coach_rule_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_rule_manager(request)
    rule = _rule(request, pk)
    # A copy for the form, so that a refused edit never touches the rule the service locks and reads.
    form = CoachRuleForm(
        request.POST if request.method == "POST" else None, instance=CoachRule.objects.get(pk=rule.pk)
    )
    if request.method == "POST" and form.is_valid() and (saved := _save_rule(request, form, rule)):
        messages.success(request, _("The rule for “%(phrase)s” has been saved.") % {"phrase": saved.phrase})
        return redirect("challenges:coach-rule-list")
    return render(request, "challenges/coach/coachrule_form.html", {"form": form, "rule": rule})


@login_required
@require_POST
def coach_rule_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_rule_manager(request)
    rule = deactivate_coach_rule(rule=_rule(request, pk), by=request.user)
    messages.success(request, _("The coach no longer flags “%(phrase)s”.") % {"phrase": rule.phrase})
    return redirect("challenges:coach-rule-list")


@login_required
@require_POST
def coach_rule_activate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_rule_manager(request)
    rule = activate_coach_rule(rule=_rule(request, pk), by=request.user)
    messages.success(request, _("The coach flags “%(phrase)s” again.") % {"phrase": rule.phrase})
    return redirect("challenges:coach-rule-list")


@login_required
@require_http_methods(["GET", "POST"])
def coach_try(request: HttpRequest) -> HttpResponse:
    """Staff check a text against the active rules: rendered on the server (works without JavaScript),
    and live while they type."""
    _require_rule_manager(request)
    form = CoachTryForm(
        request.POST if request.method == "POST" else None,
        initial={"language": language_or_none(get_language())},
    )
    findings = None
    if request.method == "POST" and form.is_valid():
        findings = find_issues(form.cleaned_data["text"], language=form.cleaned_data["language"])
    return render(request, "challenges/coach/coach_try.html", {"form": form, "findings": findings})


def _too_many_checks(user) -> bool:
    key = f"challenges:coach:checks:{user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key) > getattr(settings, "COACH_CHECKS_PER_MINUTE", DEFAULT_CHECKS_PER_MINUTE)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        return False


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@never_cache
@require_POST
def coach_check(request: HttpRequest) -> JsonResponse:
    """The live coach: POST ``text`` and ``language`` (a form body or JSON, with the CSRF token) and get
    ``{"language": …, "count": …, "truncated": …, "findings": [{phrase, start, end, category,
    category_label, explanation, suggestion, rule_id, rule_phrase, language}, …]}`` (the first 100
    findings; ``count`` is the total). An unknown or missing language falls back to
    the page's language, then English. Signed-in users only (401 otherwise); a text over 20,000
    characters is a 400 with a message; too many checks in a minute a 429.

    POST only, not GET: a draft statement does not belong in URLs, and so not in access logs."""
    if not request.user.is_authenticated:
        return _error(_("Sign in to use the coach."), 401)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _error(_("The request could not be read."), 400)
        if not isinstance(data, dict):
            return _error(_("The request could not be read."), 400)
    else:
        data = request.POST
    text, language = data.get("text", ""), data.get("language", "")
    if not isinstance(text, str) or not isinstance(language, str):
        return _error(_("The request could not be read."), 400)
    if len(text) > MAX_TEXT_LENGTH:
        message = ngettext(
            "The text is too long for the coach: at most %(limit)s character, it has %(count)s.",
            "The text is too long for the coach: at most %(limit)s characters, it has %(count)s.",
            MAX_TEXT_LENGTH,
        ) % {"limit": f"{MAX_TEXT_LENGTH:,}", "count": f"{len(text):,}"}
        return _error(message, 400)
    if _too_many_checks(request.user):
        return _error(_("Too many checks at once; the coach will try again in a moment."), 429)
    language = language_or_none(language) or language_or_none(get_language()) or "en"
    findings = find_issues(text, language=language)
    return JsonResponse(
        {
            "language": language,
            "count": len(findings),
            "findings": [finding.as_dict() for finding in findings[:MAX_FINDINGS_IN_RESPONSE]],
            "truncated": len(findings) > MAX_FINDINGS_IN_RESPONSE,
        }
    )
