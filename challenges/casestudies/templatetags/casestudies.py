"""What challenge pages show of the case-study library (the lead includes them; challenges' templates
load this library):

- {% case_study_actions challenge %}: "Write a case study", "Edit the case study" or "Read the case study",
  as the person's permissions allow. No query for a challenge that has not ended; one otherwise.
- {% related_case_studies challenge %}: "Others who faced this need", up to three published case studies
  sharing a theme or a CPV division with the challenge, and a link to the library filtered by its first
  theme. Two queries at most (none for the themes when the page prefetched them)."""

from urllib.parse import urlencode

import rules
from django import template
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from ..selectors import case_study_of_challenge
from ..selectors import related_case_studies as related_case_studies_for

register = template.Library()


@register.inclusion_tag("casestudies/_challenge_actions.html", takes_context=True)
def case_study_actions(context, challenge) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    case_study = case_study_of_challenge(challenge=challenge)
    can_write = case_study is None and rules.has_perm("casestudies.write_case_study", user, challenge)
    can_edit = case_study is not None and rules.has_perm("casestudies.change_case_study", user, case_study)
    can_read = case_study is not None and rules.has_perm("casestudies.view_case_study", user, case_study)
    return {
        "challenge": challenge,
        "case_study": case_study,
        "can_write": can_write,
        "can_edit": can_edit,
        "can_read": can_read,
    }


@register.inclusion_tag("casestudies/_related.html")
def related_case_studies(challenge, heading_level: int = 2) -> dict:
    case_studies = related_case_studies_for(challenge=challenge)
    library_url, on_theme = reverse("casestudies:case-study-list"), False
    if case_studies:
        first_theme = next(iter(challenge.themes.all()), None)  # the page's prefetch, if it made one
        if first_theme is not None:
            library_url += "?" + urlencode({"theme": first_theme.slug})
            on_theme = True
    return {
        "case_studies": case_studies,
        "library_url": library_url,
        "on_theme": on_theme,
        "heading_level": heading_level,
    }
