"""Reads of citizen ideas: the public list and detail page, a resident's own ideas, the moderation queue,
the submission limits, and the ideas whose supporters are due to hear about their challenge. Every read
a page makes goes through Idea.objects.visible_to (or public()), so a hidden idea is a 404."""

from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge, Theme
from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User
from portal.subqueries import correlated_count

from .enums import IdeaStatus
from .models import Idea, IdeaSupport

PAGE_SIZE = 20
SORT_NEWEST, SORT_SUPPORTED = "newest", "supported"
# How many ideas the moderation page offers to merge a duplicate into (and lists beside it).
MERGE_CANDIDATES = 30
# Newest first; PostgreSQL would put ideas never published (NULL) first.
NEWEST_FIRST = F("published_at").desc(nulls_last=True)
# An idea that has not become a challenge, or whose challenge draft the city cancelled before publishing it.
UNCONVERTED_Q = Q(challenge__isnull=True) | Q(
    challenge__status=ChallengeStatus.CANCELLED, challenge__published_at__isnull=True
)


def with_support_count(queryset: QuerySet[Idea]) -> QuerySet[Idea]:
    """Each idea with `support_count`, counted in the database."""
    # A correlated count, not a join and GROUP BY over every idea's supports (four times faster on 20,000
    # ideas with 40,000 supports).
    supports = IdeaSupport.objects.filter(idea=OuterRef("pk"))
    return queryset.annotate(support_count=correlated_count(supports, by="idea"))


# --- The public list and the detail page ---------------------------------------------------------------


def with_merged_ideas(queryset: QuerySet[Idea]) -> QuerySet[Idea]:
    """Each idea with `has_merged_ideas`: whether other ideas were merged into it (a subquery)."""
    return queryset.annotate(
        has_merged_ideas=Exists(Idea.objects.filter(merged_into=OuterRef("pk"), status=IdeaStatus.MERGED))
    )


def public_ideas(*, city: str = "", theme: str = "", sort: str = SORT_NEWEST) -> QuerySet[Idea]:
    """Public ideas (published, and merged after being published: those point to the idea they joined),
    filtered by the city's slug and a theme's slug, newest first or most supported first, with their
    support counts, cities, challenges and themes loaded (the rows in one query, their themes in a
    second)."""
    queryset = Idea.objects.public()
    if city:
        queryset = queryset.filter(city__slug=city)
    if theme:
        # A subquery, not a join: a join would multiply the rows that the support count counts.
        queryset = queryset.filter(
            Exists(Idea.themes.through.objects.filter(idea_id=OuterRef("pk"), theme__slug=theme))
        )
    queryset = with_support_count(queryset).select_related("city", "challenge").prefetch_related("themes")
    if sort == SORT_SUPPORTED:
        return queryset.order_by("-support_count", NEWEST_FIRST, "-pk")
    return queryset.order_by(NEWEST_FIRST, "-pk")


def city_choices() -> list[tuple[str, str]]:
    """The cities that have published ideas, for the list's filter. One query."""
    return list(
        Organisation.objects.filter(Exists(Idea.objects.public().filter(city=OuterRef("pk")))).values_list(
            "slug", "name"
        )
    )


def theme_choices() -> list[tuple[str, str]]:
    return [(theme.slug, str(theme)) for theme in Theme.objects.all()]


def submission_cities() -> QuerySet[Organisation]:
    """The cities and municipalities a resident may address an idea to: every buyer organisation."""
    return Organisation.objects.filter(kind=OrganisationKind.BUYER).order_by("name")


def idea_for_detail(*, user: User, pk: int) -> Idea | None:
    """The idea with what its page shows (city, the idea it was merged into, its challenge, themes, its
    support count, whether ideas were merged into it), if the user may see it."""
    return (
        with_merged_ideas(with_support_count(Idea.objects.visible_to(user).filter(pk=pk)))
        .select_related("city", "merged_into", "challenge")
        .prefetch_related("themes")
        .first()
    )


def supports_idea(*, user: User, idea: Idea) -> bool:
    """Whether the user supports the idea. One query; none when signed out."""
    if not user.is_authenticated:
        return False
    return IdeaSupport.objects.filter(idea=idea, user=user).exists()


# --- A resident's own ideas -------------------------------------------------------------------------------


def ideas_for_author(*, user: User) -> QuerySet[Idea]:
    """The ideas a person submitted, newest first, in every status, with what the list shows."""
    return (
        with_merged_ideas(with_support_count(Idea.objects.filter(author=user)))
        .select_related("city", "merged_into", "challenge")
        .order_by("-created_at", "-pk")
    )


def last_display_name(*, user: User) -> str:
    """The name the person showed with their last idea, to offer it again."""
    return (
        Idea.objects.filter(author=user)
        .order_by("-created_at")
        .values_list("display_name", flat=True)
        .first()
        or ""
    )


def recent_submission_counts(*, user: User, now: datetime | None = None) -> tuple[int, int]:
    """How many ideas the person submitted in the last hour and in the last 24 hours. One query."""
    now = now or timezone.now()
    counts = Idea.objects.filter(author=user, created_at__gte=now - timedelta(days=1)).aggregate(
        hour=Count("pk", filter=Q(created_at__gte=now - timedelta(hours=1))),
        day=Count("pk"),
    )
    return counts["hour"], counts["day"]


# --- Moderation ---------------------------------------------------------------------------------------------


def moderation_queue(*, user: User, city: str = "") -> QuerySet[Idea]:
    """The ideas waiting for moderation that the user may decide on: those addressed to the user's own
    cities (programme staff: every city), oldest first, not the user's own."""
    queryset = Idea.objects.filter(status=IdeaStatus.PENDING)
    if not user.is_programme_staff:
        queryset = queryset.filter(city_id__in=user.buyer_organisation_ids)
    if city:
        queryset = queryset.filter(city__slug=city)
    return (
        queryset.exclude(author=user)
        .select_related("city")
        .prefetch_related("themes")
        .order_by("created_at", "pk")
    )


def moderation_cities(*, user: User) -> list[tuple[str, str]]:
    """The cities whose queue the user sees (for the queue's filter)."""
    queryset = Organisation.objects.filter(kind=OrganisationKind.BUYER)
    if not user.is_programme_staff:
        queryset = queryset.filter(pk__in=user.buyer_organisation_ids)
    return list(queryset.order_by("name").values_list("slug", "name"))


def merge_targets(*, idea: Idea) -> QuerySet[Idea]:
    """The ideas a duplicate may be merged into: the other published ideas of the same city (what the
    merge service accepts)."""
    return Idea.objects.filter(city_id=idea.city_id, status=IdeaStatus.PUBLISHED).exclude(pk=idea.pk)


def merge_candidates(*, idea: Idea, limit: int = MERGE_CANDIDATES) -> list[Idea]:
    """The ideas the moderation page offers to merge the idea into, and lists beside it as possible
    duplicates: at most `limit` published ideas of the same city that have not become a challenge, those
    sharing a theme with the idea first, then the newest. One query (the idea's themes are read from its
    prefetch when there is one)."""
    theme_ids = [theme.pk for theme in idea.themes.all()]
    shares_theme = (
        Exists(Idea.themes.through.objects.filter(idea_id=OuterRef("pk"), theme_id__in=theme_ids))
        if theme_ids
        else Value(False, output_field=BooleanField())
    )
    return list(
        merge_targets(idea=idea)
        .filter(UNCONVERTED_Q)
        .annotate(shares_theme=shares_theme)
        .order_by(F("shares_theme").desc(), NEWEST_FIRST, "-pk")[:limit]
    )


def city_members(*, city: Organisation) -> QuerySet[User]:
    """The people who moderate the city's ideas: its members."""
    return User.objects.filter(memberships__organisation=city, is_active=True).distinct()


# --- Supporters hear about the challenge ------------------------------------------------------------------


def ideas_due_for_supporter_notice() -> QuerySet[Idea]:
    """Ideas whose challenge is public and whose supporters have not been told yet. One query."""
    return (
        Idea.objects.filter(supporters_notified_at__isnull=True, challenge__in=Challenge.objects.public())
        .select_related("challenge", "challenge__owner")
        .order_by("pk")
    )


def supporters_of(*, idea: Idea) -> QuerySet[User]:
    return User.objects.filter(idea_supports__idea=idea, is_active=True)


# --- The challenge page's "started from a citizen idea" -----------------------------------------------------


def origin_idea_for(*, challenge: Challenge) -> Idea | None:
    """The public idea a challenge was drafted from, with its support count. One query; none when the
    challenge was read with it (with_origin_idea)."""
    if hasattr(challenge, "origin_idea_id"):
        if challenge.origin_idea_id is None:
            return None
        # What the challenge page shows of it (its link, title and support count); any other field is
        # read from the database if asked for (deferred), never guessed.
        idea = Idea.from_db(
            Idea.objects.db, ["id", "title"], [challenge.origin_idea_id, challenge.origin_idea_title]
        )
        idea.support_count = challenge.origin_idea_support_count
        return idea
    return _origin_ideas(challenge).first()


def with_origin_idea(challenges: QuerySet[Challenge], user: User) -> QuerySet[Challenge]:
    """The challenges with the public idea each was drafted from, as origin_idea_for reads it, in their own
    row (`origin_idea_id`, None when there is none, `origin_idea_title`, `origin_idea_support_count`): the
    challenge page reads it with the challenge (challenges.selectors.discovery names this function)."""
    first = _origin_ideas(OuterRef("pk"))
    return challenges.annotate(
        origin_idea_id=Subquery(first.values("pk")[:1]),
        origin_idea_title=Subquery(first.values("title")[:1]),
        origin_idea_support_count=Subquery(first.values("support_count")[:1]),
    )


def _origin_ideas(challenge) -> QuerySet[Idea]:
    return with_support_count(Idea.objects.public().filter(challenge=challenge)).order_by("pk")
