"""Reads of the needs-not-solutions coach: the active rules of a language (cached), and the rules as
programme staff manage them."""

from django.core.cache import cache
from django.db.models import Q, QuerySet

from ..coach import Rule
from ..enums import CoachCategory, StatementLanguage
from ..models import CoachRule

# Bump the version when the cached shape changes, so a deploy never reads the old shape.
CACHE_KEY = "challenges:coach:rules:v1:{language}"
# The services forget the cache whenever a rule changes; the timeout only bounds how long an edit made
# around them (a shell, the Django admin) goes unnoticed.
CACHE_TIMEOUT = 60 * 60


def coach_rules_cache_key(language: str) -> str:
    return CACHE_KEY.format(language=language)


def forget_cached_coach_rules(*languages: str) -> None:
    cache.delete_many([coach_rules_cache_key(language) for language in languages])


def active_coach_rules(*, language: str) -> tuple[Rule, ...]:
    """The active rules of a language as plain data; one query when the cache is cold, none after."""
    key = coach_rules_cache_key(language)
    cached = cache.get(key)
    if cached is None:
        cached = [
            (rule.pk, rule.phrase, rule.category, rule.explanation, rule.suggestion)
            for rule in CoachRule.objects.filter(language=language, is_active=True).order_by("pk")
        ]
        cache.set(key, cached, CACHE_TIMEOUT)
    return tuple(
        Rule(id=pk, phrase=phrase, category=category, explanation=explanation, suggestion=suggestion)
        for pk, phrase, category, explanation, suggestion in cached
    )


def coach_rules_for_staff(
    *, user, language: str = "", category: str = "", state: str = "", query: str = ""
) -> QuerySet[CoachRule]:
    """Every rule for programme staff (filtered by language, category, state "active"/"inactive" and
    words in the phrase or advice); nothing for anyone else."""
    if not user.has_perm("challenges.manage_coach_rules"):
        return CoachRule.objects.none()
    rules = CoachRule.objects.all()
    if language in StatementLanguage.values:
        rules = rules.filter(language=language)
    if category in CoachCategory.values:
        rules = rules.filter(category=category)
    if state == "active":
        rules = rules.filter(is_active=True)
    elif state == "inactive":
        rules = rules.filter(is_active=False)
    if query:
        rules = rules.filter(
            Q(phrase__icontains=query) | Q(explanation__icontains=query) | Q(suggestion__icontains=query)
        )
    return rules
