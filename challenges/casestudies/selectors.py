"""Reads of the case-study library, limited to what the person asking may see: the public list and its
search, the detail page, a challenge's own case study, and "others who faced this need"."""

from django.db.models import (
    Case,
    CharField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Substr
from django_countries import countries as all_countries

from challenges.models import Challenge, Theme
from portal.accounts.models import User

from .models import CaseStudy
from .rules import ENDED_STATUSES
from .search import CaseStudyFilters, apply_filters, order_results, search_case_studies, significant_words

RELATED_LIMIT = 3


def published_case_studies_matching(*, text: str, filters: CaseStudyFilters) -> QuerySet[CaseStudy]:
    """Published case studies matching the words and filters, best match or newest first, with what a
    list row shows (owner, themes) loaded."""
    queryset = apply_filters(CaseStudy.objects.published(), filters)
    queryset = search_case_studies(queryset, text)
    return order_results(queryset, text=text).select_related("owner").prefetch_related("themes")


def theme_choices() -> list[tuple[str, str]]:
    return [(theme.slug, str(theme)) for theme in Theme.objects.all()]


def country_choices() -> list[tuple[str, str]]:
    """The countries of published case studies, by name in the current language. One query."""
    codes = set(CaseStudy.objects.published().values_list("country", flat=True).distinct())
    return sorted(
        ((code, all_countries.name(code) or code) for code in codes if code), key=lambda pair: pair[1]
    )


def case_study_for_detail(*, user: User, pk: int) -> CaseStudy | None:
    """The case study with everything its page shows, if the user may see it: owner, challenge, themes,
    CPV codes, and the reflection report it was written from (exchanges names its link to us by string;
    the reverse relation is read here without importing exchanges). Two queries."""
    return (
        CaseStudy.objects.visible_to(user)
        .select_related("owner", "challenge", "reflection_report__event")
        .prefetch_related("themes", "cpv_codes")
        .filter(pk=pk)
        .first()
    )


def editable_case_study(*, user: User, pk: int) -> CaseStudy | None:
    """For the editor: the case study (as the user may see it) with its themes and CPV codes."""
    return (
        CaseStudy.objects.visible_to(user)
        .select_related("owner", "challenge")
        .prefetch_related("themes", "cpv_codes")
        .filter(pk=pk)
        .first()
    )


def case_study_of_challenge(*, challenge: Challenge) -> CaseStudy | None:
    """The challenge's case study, in any status (None, and no query, for a challenge that has not
    ended: it cannot have one; no query either when the challenge was read with it, with_case_study)."""
    if challenge.status not in ENDED_STATUSES:
        return None
    if getattr(challenge, "case_study_read", False):
        return challenge._state.fields_cache["case_study"]
    return CaseStudy.objects.filter(challenge_id=challenge.pk).first()


def with_case_study(challenges: QuerySet[Challenge], user: User) -> QuerySet[Challenge]:
    """The challenges with their case study (or None) in the same row, for case_study_of_challenge: the
    challenge page reads it with the challenge (challenges.selectors.discovery names this function).
    `case_study_read` says the row was read so: a case study cached on the challenge some other way (by
    creating one for it) may be out of date."""
    return challenges.select_related("case_study").annotate(case_study_read=Value(True))


def _one_if(condition) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _has_themes_or_codes(challenge: Challenge) -> bool:
    """From the page's prefetch when it made one (the editor does); otherwise one query."""
    cache = getattr(challenge, "_prefetched_objects_cache", {})
    if "themes" in cache and "cpv_codes" in cache:
        return bool(cache["themes"]) or bool(cache["cpv_codes"])
    return (
        Challenge.objects.filter(pk=challenge.pk)
        .filter(Q(themes__isnull=False) | Q(cpv_codes__isnull=False))
        .exists()
    )


def related_case_studies(
    *, challenge: Challenge, limit: int = RELATED_LIMIT, text_fallback: bool = False
) -> list[CaseStudy]:
    """ "Others who faced this need": up to `limit` published case studies that share a theme or a CPV
    division (the code's first two digits) with the challenge, other than its own; those sharing both
    first, then the newest. Each is annotated with `shared_theme` (the slug of a theme it shares, or None)
    and `shared_division` (a CPV division it shares, or None). One query (the challenge's themes and codes
    are read in subqueries).

    text_fallback: for a challenge that has no theme or CPV code yet (a new draft: they are chosen later in
    the editor), the case studies matching any significant word of its title and summary instead, best
    match first (library search, search_case_studies); `shared_theme` and `shared_division` are None. One
    query, none when the title and summary have no significant word; one more unless the challenge's
    themes and codes were prefetched."""
    if text_fallback and not _has_themes_or_codes(challenge):
        return _case_studies_like_text(challenge=challenge, limit=limit)
    challenge_themes = Challenge.themes.through.objects.filter(challenge_id=challenge.pk).values("theme_id")
    challenge_divisions = (
        Challenge.cpv_codes.through.objects.filter(challenge_id=challenge.pk)
        .annotate(division=Substr("cpvcode_id", 1, 2))
        .values("division")
    )
    themes_shared = CaseStudy.themes.through.objects.filter(
        casestudy_id=OuterRef("pk"), theme_id__in=challenge_themes
    )
    divisions_shared = CaseStudy.cpv_codes.through.objects.annotate(
        division=Substr("cpvcode_id", 1, 2)
    ).filter(casestudy_id=OuterRef("pk"), division__in=challenge_divisions)
    return list(
        CaseStudy.objects.published()
        .exclude(challenge_id=challenge.pk)
        .annotate(
            closeness=_one_if(Exists(themes_shared)) + _one_if(Exists(divisions_shared)),
            shared_theme=Subquery(themes_shared.order_by("theme__slug").values("theme__slug")[:1]),
            shared_division=Subquery(divisions_shared.order_by("division").values("division")[:1]),
        )
        .filter(closeness__gt=0)
        .select_related("owner")
        .order_by("-closeness", "-published_at", "-pk")[:limit]
    )


def _case_studies_like_text(*, challenge: Challenge, limit: int) -> list[CaseStudy]:
    text = f"{challenge.title} {challenge.summary}"
    if not significant_words(text):
        return []
    queryset = search_case_studies(
        CaseStudy.objects.published().exclude(challenge_id=challenge.pk), text, any_word=True
    )
    return list(
        order_results(queryset, text=text)
        .annotate(
            shared_theme=Value(None, output_field=CharField()),
            shared_division=Value(None, output_field=CharField()),
        )
        .select_related("owner")[:limit]
    )
