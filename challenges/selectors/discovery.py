"""Reads of discovery: the public list and its search, the detail page, the home page's block, follows and
saved searches, and who hears of a newly published challenge."""

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django_countries import countries as all_countries

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User

from ..enums import ClarificationStatus
from ..models import Amendment, Challenge, Clarification, Follow, SavedSearch, Theme
from ..search import (
    ChallengeFilters,
    apply_filters,
    matches_filters,
    matches_words_in_python,
    order_results,
    search_challenges,
    search_query,
    uses_postgres,
)
from .authoring import statement_queryset

PAGE_SIZE = 20
# Pagination is capped rather than keyset: the list counts and pages through at most MAX_RESULTS rows
# (50 pages), so the deepest page costs an OFFSET of at most 980 and the count never scans more than
# MAX_RESULTS matches. Anyone past that is told to narrow the search.
MAX_RESULTS = 1000
HOME_BLOCK_SIZE = 5


# --- The public list ----------------------------------------------------------------------------------


def public_challenges_matching(
    *, text: str, filters: ChallengeFilters, sort: str, now: datetime | None = None
) -> QuerySet[Challenge]:
    """Public challenges that match the search words and filters, in the asked order, with what a list row
    shows (owner, themes) loaded."""
    now = now or timezone.now()
    queryset = apply_filters(Challenge.objects.all(), filters, now=now)  # public statuses only, always
    queryset = search_challenges(queryset, text)
    return (
        order_results(queryset, sort=sort, text=text, filters=filters)
        .select_related("owner")
        .prefetch_related("themes")
    )


@dataclass
class ResultsPage:
    page: Page
    count: int
    capped: bool  # more than MAX_RESULTS matched; count is MAX_RESULTS


def paginate_results(queryset: QuerySet, *, page_number: str | None) -> ResultsPage:
    """One page of at most MAX_RESULTS results; page=abc is the first page, page=999999 the last. Three
    queries at most: the capped count, the rows, and the rows' prefetches."""
    paginator = Paginator(queryset[: MAX_RESULTS + 1], PAGE_SIZE)
    total = paginator.count
    capped = total > MAX_RESULTS
    if capped:
        paginator = Paginator(queryset[:MAX_RESULTS], PAGE_SIZE)
        paginator.count = MAX_RESULTS  # known already: not counted again
    return ResultsPage(page=paginator.get_page(page_number), count=min(total, MAX_RESULTS), capped=capped)


COUNTRY_CHOICES_KEY = "challenges:buyer-countries"
COUNTRY_CHOICES_SECONDS = 300


def theme_choices() -> list[tuple[str, str]]:
    return [(theme.slug, str(theme)) for theme in Theme.objects.all()]


def buyer_country_choices() -> list[tuple[str, str]]:
    """The countries of buyers that have public challenges, by name in the current language. The codes
    are kept in the cache for COUNTRY_CHOICES_SECONDS: reading them scans every public challenge, and a new
    buyer country may take that long to appear in the filter."""
    codes = cache.get(COUNTRY_CHOICES_KEY)
    if codes is None:
        codes = sorted(
            set(
                Organisation.objects.filter(Exists(Challenge.objects.public().filter(owner=OuterRef("pk"))))
                .values_list("country", flat=True)
                .distinct()
            )
        )
        cache.set(COUNTRY_CHOICES_KEY, codes, COUNTRY_CHOICES_SECONDS)
    return sorted(
        ((code, all_countries.name(code) or code) for code in codes if code), key=lambda pair: pair[1]
    )


def open_challenges_closing_soon(*, limit: int = HOME_BLOCK_SIZE) -> list[Challenge]:
    """The open challenges whose deadlines come first, for the home page. One query."""
    return list(
        Challenge.objects.open_for_proposals()
        .select_related("owner")
        .order_by("submission_deadline", "pk")[:limit]
    )


# --- The detail page ----------------------------------------------------------------------------------


# The areas that build on challenges show panels on its page (the view names their templates). What a panel
# needs of the challenge's own row (the award, the user's place on the panel, a count, whether there is
# anything to show at all) its area adds to the page's one query of the challenge, through a function named
# here by its dotted path rather than imported: challenges knows none of them. Each takes the queryset and
# the user and returns it annotated; its panel reads the annotations when they are there and queries as
# before when they are not. An area whose app is not installed is left out, as a template that does not
# exist is.
DETAIL_ROW_EXTENSIONS = (
    "challenges.evaluation.selectors.challenge_page.with_challenge_page_facts",
    "suppliers.selectors.board.with_board_summary",
    "suppliers.selectors.proposals.with_own_proposal_flag",
    "challenges.casestudies.selectors.with_case_study",
    "challenges.ideas.selectors.with_origin_idea",
)


@functools.cache
def detail_row_extensions() -> tuple[Callable[[QuerySet, User], QuerySet], ...]:
    return tuple(
        import_string(path) for path in DETAIL_ROW_EXTENSIONS if apps.get_containing_app_config(path)
    )


def challenge_for_detail(*, user: User, pk: int) -> Challenge | None:
    """The challenge with everything its statement shows (authoring's statement_queryset: owner, outcomes,
    criteria, CPV codes, themes, documents), if the user may see it. Amendments and clarifications come
    from their own areas' selectors, which read nothing when the row says there are none
    (`has_amendments`, `has_public_clarifications`). For a signed-in user, whether they follow the
    challenge and its buyer comes with it (follow_state reads it). The other areas' panels add what they
    read of the row (DETAIL_ROW_EXTENSIONS)."""
    challenges = (
        statement_queryset()
        .visible_to(user)
        .filter(pk=pk)
        .annotate(
            has_amendments=Exists(Amendment.objects.filter(challenge=OuterRef("pk"))),
            has_public_clarifications=Exists(
                Clarification.objects.filter(challenge=OuterRef("pk"), status=ClarificationStatus.PUBLIC)
            ),
        )
    )
    if user.is_authenticated:
        challenges = challenges.annotate(
            followed_by_user=Exists(Follow.objects.filter(user=user, challenge=OuterRef("pk"))),
            owner_followed_by_user=Exists(
                Follow.objects.filter(user=user, organisation=OuterRef("owner_id"))
            ),
        )
    for extend in detail_row_extensions():
        challenges = extend(challenges, user)
    return challenges.first()


@dataclass(frozen=True)
class FollowState:
    challenge: bool = False
    organisation: bool = False


def follow_state(*, user: User, challenge: Challenge) -> FollowState:
    """Whether the user follows the challenge and its buyer. One query, none when signed out or when the
    challenge was read by challenge_for_detail for this user."""
    if not user.is_authenticated:
        return FollowState()
    if hasattr(challenge, "followed_by_user"):
        return FollowState(
            challenge=challenge.followed_by_user, organisation=challenge.owner_followed_by_user
        )
    rows = list(
        Follow.objects.filter(
            Q(challenge=challenge) | Q(organisation_id=challenge.owner_id), user=user
        ).values_list("challenge_id", "organisation_id")
    )
    return FollowState(
        challenge=any(challenge_id for challenge_id, _organisation_id in rows),
        organisation=any(organisation_id for _challenge_id, organisation_id in rows),
    )


# --- Follows and saved searches -----------------------------------------------------------------------


def followable_organisations() -> QuerySet[Organisation]:
    """Buying organisations anyone may follow: those that have a public challenge (the rest are not known
    to the public, so following them is a 404)."""
    return Organisation.objects.filter(
        kind=OrganisationKind.BUYER, pk__in=Challenge.objects.public().values("owner_id")
    )


def unfollowable_organisations(*, user: User) -> QuerySet[Organisation]:
    """Organisations the user may unfollow: the followable ones and any they follow already."""
    return Organisation.objects.filter(
        Q(pk__in=followable_organisations().values("pk"))
        | Q(pk__in=Follow.objects.filter(user=user, organisation__isnull=False).values("organisation_id"))
    )


def follows_for_user(*, user: User) -> QuerySet[Follow]:
    """What the user follows: organisations, and challenges they may still see."""
    return (
        Follow.objects.filter(user=user)
        .filter(Q(organisation__isnull=False) | Q(challenge__in=Challenge.objects.visible_to(user)))
        .select_related("challenge", "challenge__owner", "organisation")
        .order_by("-created_at", "-pk")
    )


def saved_searches_for_user(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user).order_by("name", "pk")


# --- Who hears of a new challenge ---------------------------------------------------------------------


def organisation_followers(*, organisation_id: int, created_before: datetime) -> list[User]:
    """Active users who followed the organisation before the given time."""
    return [
        follow.user
        for follow in Follow.objects.filter(
            organisation_id=organisation_id, created_at__lte=created_before, user__is_active=True
        ).select_related("user")
    ]


def saved_searches_matching(*, challenge: Challenge, created_before: datetime) -> list[SavedSearch]:
    """Saved searches (of active users, saved before the given time) that the challenge matches, ordered
    by user and name. The challenge must come with owner, themes, CPV codes and outcomes loaded.

    The filters are checked in Python (matches_filters, which mirrors the list's SQL). The search words are
    checked in SQL on PostgreSQL, for every saved search at once, with the list's own query against the
    challenge's vector; on SQLite, in Python with the list's fallback (every word somewhere in the text)."""
    now = timezone.now()
    searches = (
        SavedSearch.objects.filter(created_at__lte=created_before, user__is_active=True)
        .select_related("user")
        .order_by("user_id", "name", "pk")
    )
    if uses_postgres():
        same_search = search_query(OuterRef("query"))  # the list's own query, per saved search
        searches = searches.filter(
            Q(query="") | Exists(Challenge.objects.filter(pk=challenge.pk, search_vector=same_search))
        )
        candidates = searches.iterator(chunk_size=2000)
    else:
        candidates = (
            search
            for search in searches.iterator(chunk_size=2000)
            if matches_words_in_python(challenge, search.query)
        )
    parsed: dict[str, ChallengeFilters] = {}

    def filters_of(search: SavedSearch) -> ChallengeFilters:
        # Saved searches share a few sets of filters; reading one builds a form: once per set.
        key = json.dumps(search.filters, sort_keys=True, default=str)
        if key not in parsed:
            parsed[key] = ChallengeFilters.from_json(search.filters)
        return parsed[key]

    return [search for search in candidates if matches_filters(challenge, filters_of(search), now=now)]
