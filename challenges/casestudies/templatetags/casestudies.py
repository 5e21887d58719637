"""What challenge pages show of the case-study library (the lead includes them; challenges' templates
load this library):

- {% case_study_actions challenge %}: "Write a case study", "Edit the case study" or "Read the case study",
  as the person's permissions allow. No query for a challenge that has not ended; one otherwise.
- {% related_case_studies challenge [heading_level] [text_fallback] %}: "Others who faced this need", up to
  three published case studies sharing a theme or a CPV division with the challenge, and a link to the
  library filtered by a theme they share with it, or else by a CPV division they share. With text_fallback
  (the editor's problem step), a challenge without themes or codes yet gets the case studies matching its
  title and summary instead. One query (two for the fallback when the themes and codes were not
  prefetched)."""

from collections import Counter
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


def _most_shared(values) -> str | None:
    """The value most case studies share (the closest one's on a tie: they come closest first)."""
    counts = Counter(value for value in values if value)
    return counts.most_common(1)[0][0] if counts else None


@register.inclusion_tag("casestudies/_related.html")
def related_case_studies(challenge, heading_level: int = 2, text_fallback: bool = False) -> dict:
    case_studies = related_case_studies_for(challenge=challenge, text_fallback=bool(text_fallback))
    library_url = reverse("casestudies:case-study-list")
    theme = _most_shared(getattr(case_study, "shared_theme", None) for case_study in case_studies)
    division = _most_shared(getattr(case_study, "shared_division", None) for case_study in case_studies)
    # Filter the library by what the matches share with the challenge, so the link shows more like them.
    if theme:
        library_url += "?" + urlencode({"theme": theme})
    elif division:
        library_url += "?" + urlencode({"cpv": division})
    return {
        "case_studies": case_studies,
        "library_url": library_url,
        "on_theme": bool(theme),
        "division": "" if theme else division or "",
        "heading_level": heading_level,
    }
