"""Full-text search over challenges: the stored search vector and the query that reads it.

On PostgreSQL each challenge keeps a weighted tsvector (`Challenge.search_vector`, GIN-indexed by migration
0002) built in the dictionary of the statement's language; the list searches it with a websearch query
parsed in every dictionary we index with, so an English and a Norwegian statement are both found by the
words of their own language. On SQLite (the embedded default) there is no vector: the search falls back to
case-insensitive containment of every word in the statement's text fields.
"""

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.validators import RegexValidator
from django.db import connection
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from portal.web.pagecache import expire_public_pages

from .enums import ChallengeStatus, ProcurementRoute, StatementLanguage
from .models import PUBLIC_Q, Challenge, Outcome

# The text search configuration (dictionary) for each statement language; anything else is "simple".
SEARCH_CONFIGS = {StatementLanguage.EN: "english", StatementLanguage.NB: "norwegian"}
FALLBACK_CONFIG = "simple"
# Fields of the statement that the search reads, by weight (A ranks highest).
TITLE_FIELDS = ("title", "summary")  # A
PROBLEM_FIELDS = ("current_situation", "affected", "why_now")  # B
# Outcomes' description and indicator are weight C.
MAX_QUERY_LENGTH = 200
MAX_FALLBACK_WORDS = 8


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_config(language: str) -> str:
    return SEARCH_CONFIGS.get(language, FALLBACK_CONFIG)


def clean_query(text: str | None) -> str:
    """The search words as the list uses them: whitespace collapsed, cut to a sane length."""
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def refresh_search_vector(*, challenge_id: int) -> None:
    """Rebuild one challenge's search vector from its statement and outcomes (PostgreSQL; a no-op on
    SQLite, which searches the text fields directly). Call it after anything that changes the statement or
    its outcomes; the publication fan-out calls it too, so a published challenge is always indexed. Two
    queries: the outcomes' text, then one UPDATE."""
    if not uses_postgres():
        return
    language = Challenge.objects.filter(pk=challenge_id).values_list("language", flat=True).first()
    if language is None:
        return
    config = search_config(language)
    outcome_text = " ".join(
        f"{description} {indicator}"
        for description, indicator in Outcome.objects.filter(challenge_id=challenge_id).values_list(
            "description", "indicator"
        )
    )
    vector = (
        SearchVector(*TITLE_FIELDS, weight="A", config=config)
        + SearchVector(*PROBLEM_FIELDS, weight="B", config=config)
        + SearchVector(Value(outcome_text), weight="C", config=config)
    )
    Challenge.objects.filter(pk=challenge_id).update(search_vector=vector)
    # The UPDATE sends no signal, and a search's cached page may have been stored before it.
    expire_public_pages()


def search_query(words) -> SearchQuery:
    """The tsquery of search words (a string, or an expression such as OuterRef("query")). Parsed in every
    dictionary we index with and OR-ed, so "skole" finds "skolene" in a Norwegian statement and "residents"
    finds "resident" in an English one; "simple" catches names and words no stemmer knows."""
    configs = [*SEARCH_CONFIGS.values(), FALLBACK_CONFIG]
    query = SearchQuery(words, search_type="websearch", config=configs[0])
    for config in configs[1:]:
        query |= SearchQuery(words, search_type="websearch", config=config)
    return query


def search_challenges(queryset: QuerySet[Challenge], text: str) -> QuerySet[Challenge]:
    """Narrow a challenge queryset to those matching the search words, annotated with `rank` (higher is
    better; 0 on SQLite, where there is no ranking). An empty query returns the queryset unchanged."""
    text = clean_query(text)
    if not text:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if uses_postgres():
        query = search_query(text)
        return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    return _fallback_search(queryset, text)


def _fallback_words(text: str) -> list[tuple[str, bool]]:
    """(word, wanted) pairs of the fallback search: quotes dropped, a leading "-" excludes the word, as in
    websearch syntax."""
    pairs = []
    for raw in clean_query(text).split()[:MAX_FALLBACK_WORDS]:
        word = raw.strip('"')
        wanted = not word.startswith("-")
        word = word.lstrip("-")
        if word:
            pairs.append((word, wanted))
    return pairs


def _fallback_search(queryset: QuerySet[Challenge], text: str) -> QuerySet[Challenge]:
    # Every word must appear somewhere in the statement or its outcomes (websearch's default AND), and no
    # excluded word may. Outcomes are matched through EXISTS, not a join, so a challenge never appears
    # twice. SQLite's LIKE ignores case for ASCII letters only ("Ø" and "ø" differ): the embedded mode's
    # limitation, which PostgreSQL does not share.
    for word, wanted in _fallback_words(text):
        in_statement = Q()
        for field in (*TITLE_FIELDS, *PROBLEM_FIELDS):
            in_statement |= Q(**{f"{field}__icontains": word})
        in_outcomes = Exists(
            Outcome.objects.filter(challenge=OuterRef("pk")).filter(
                Q(description__icontains=word) | Q(indicator__icontains=word)
            )
        )
        condition = in_statement | in_outcomes
        queryset = queryset.filter(condition if wanted else ~condition)
    return queryset.annotate(rank=Value(0.0, output_field=FloatField()))


# --- Filters ------------------------------------------------------------------------------------------
#
# The list's filters, the same for the page and for saved searches (stored as ChallengeFilters.as_json()).
# A filter is applied in SQL to the list (apply_filters) and in Python to one newly published challenge
# (matches_filters); tests hold the two to the same answers.


class StatusGroup:
    """What the status filter offers. "closed" is every public challenge that is neither open nor
    awarded: closed, under evaluation, not awarded, cancelled, and published ones whose deadline has
    passed but which the closing task has not reached yet."""

    OPEN = "open"
    CLOSED = "closed"
    AWARDED = "awarded"
    ALL = "all"
    CHOICES = [
        (OPEN, _("Open for proposals")),
        (CLOSED, _("Closed")),
        (AWARDED, _("Awarded")),
        (ALL, _("All")),
    ]


# Budget bands over the challenge's maximum budget (its minimum when it gives no maximum), in the
# challenge's own currency and without conversion (a NOK budget is compared with the same numbers as a EUR
# one). Upper bounds are included and lower bounds are not, so the round budgets people write ("up to
# 250 000") fall in the band that names them. A challenge without a budget is in no band.
BUDGET_BANDS: dict[str, tuple[int | None, int | None]] = {
    "lt50k": (None, 50_000),
    "50k-250k": (50_000, 250_000),
    "250k-1m": (250_000, 1_000_000),
    "gt1m": (1_000_000, None),
}
BUDGET_BAND_CHOICES = [
    ("", _("Any budget")),
    ("lt50k", _("Up to 50 000")),
    ("50k-250k", _("50 000 to 250 000")),
    ("250k-1m", _("250 000 to 1 million")),
    ("gt1m", _("Over 1 million")),
]


class Sort:
    BEST = ""  # relevance with search words; otherwise closing soonest (open) or newest (the rest)
    CLOSING = "closing"
    NEWEST = "newest"
    CHOICES = [(BEST, _("Best match")), (CLOSING, _("Closing soonest")), (NEWEST, _("Newest first"))]


MAX_DAYS = 365


@dataclass(frozen=True)
class ChallengeFilters:
    status: str = StatusGroup.OPEN
    theme: str = ""
    cpv: str = ""
    country: str = ""
    city: str = ""
    route: str = ""
    budget: str = ""
    days: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The filters that differ from the defaults, for SavedSearch.filters and query strings."""
        default = ChallengeFilters()
        return {name: value for name, value in asdict(self).items() if value != getattr(default, name)}

    @classmethod
    def from_json(cls, data: Any) -> "ChallengeFilters":
        """Read stored filters defensively: unknown keys and values of the wrong shape are dropped, so a
        saved search written by an older version never breaks the fan-out."""
        if not isinstance(data, dict):
            return cls()
        form = ChallengeSearchForm(data={key: value for key, value in data.items() if key != "q"})
        form.fields["theme"] = forms.CharField(required=False, max_length=60)
        form.fields["country"] = forms.CharField(required=False, max_length=2)
        form.is_valid()
        return form.filters


class SearchFormMixin:
    """What the portal's GET search forms share: the words in `q`, cleaned, and the fields that
    validated (a bad filter is left out; the rest still applies)."""

    def clean_q(self) -> str:
        # Over-long input is cut, not refused: a pasted paragraph still searches its first words.
        return clean_query(self.cleaned_data.get("q"))

    @property
    def valid_data(self) -> dict[str, Any]:
        """The fields that validated (call is_valid() first)."""
        return getattr(self, "cleaned_data", {})

    @property
    def search_words(self) -> str:
        return self.valid_data.get("q", "")


class ChallengeSearchForm(SearchFormMixin, forms.Form):
    """The list's search form (GET). Bad values never fail the page: a field that does not validate is
    shown with its error and left out of the search, and the rest still applies."""

    q = forms.CharField(label=_("Search words"), required=False, strip=True)
    status = forms.ChoiceField(label=_("Status"), choices=StatusGroup.CHOICES, required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    cpv = forms.CharField(
        label=_("CPV division"),
        required=False,
        max_length=2,
        validators=[RegexValidator(r"^[0-9]{2}$", _("Enter the first two digits of a CPV code."))],
        help_text=_("The first two digits of the CPV code, for example 48 for software."),
    )
    country = forms.ChoiceField(label=_("Buyer's country"), required=False)
    city = forms.CharField(label=_("Buyer's city"), required=False, max_length=120)
    route = forms.ChoiceField(
        label=_("Procurement route"),
        choices=[("", _("Any route")), *ProcurementRoute.choices],
        required=False,
    )
    budget = forms.ChoiceField(
        label=_("Budget"),
        choices=BUDGET_BAND_CHOICES,
        required=False,
        help_text=_("The maximum budget in the challenge's own currency."),
    )
    days = forms.IntegerField(
        label=_("Closing within (days)"), required=False, min_value=1, max_value=MAX_DAYS
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=Sort.CHOICES, required=False)

    def __init__(
        self, *args, themes: list[tuple[str, str]] = (), countries: list[tuple[str, str]] = (), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Any theme")), *themes]
        self.fields["country"].choices = [("", _("Any country")), *countries]

    def clean_city(self) -> str:
        return " ".join((self.cleaned_data.get("city") or "").split())

    @property
    def filters(self) -> ChallengeFilters:
        data = self.valid_data
        values = {
            field.name: data[field.name]
            for field in fields(ChallengeFilters)
            if data.get(field.name) not in (None, "")
        }
        return ChallengeFilters(**values)

    @property
    def sort_order(self) -> str:
        return self.valid_data.get("sort", "")


def apply_filters(
    queryset: QuerySet[Challenge], filters: ChallengeFilters, *, now: datetime
) -> QuerySet[Challenge]:
    """Narrow a queryset of challenges to those that pass the filters, in SQL."""
    is_open = Q(status=ChallengeStatus.PUBLISHED, submission_deadline__gt=now)
    if filters.status == StatusGroup.OPEN:
        queryset = queryset.filter(is_open)
    elif filters.status == StatusGroup.AWARDED:
        queryset = queryset.filter(status=ChallengeStatus.AWARDED)
    elif filters.status == StatusGroup.CLOSED:
        queryset = queryset.filter(PUBLIC_Q).exclude(is_open).exclude(status=ChallengeStatus.AWARDED)
    else:
        queryset = queryset.filter(PUBLIC_Q)
    # Themes and CPV codes through EXISTS, not joins, so a challenge appears once.
    if filters.theme:
        through = Challenge.themes.through
        queryset = queryset.filter(
            Exists(through.objects.filter(challenge_id=OuterRef("pk"), theme__slug=filters.theme))
        )
    if filters.cpv:
        through = Challenge.cpv_codes.through
        queryset = queryset.filter(
            Exists(through.objects.filter(challenge_id=OuterRef("pk"), cpvcode__code__startswith=filters.cpv))
        )
    if filters.country:
        queryset = queryset.filter(owner__country=filters.country)
    if filters.city:
        queryset = queryset.filter(owner__city__iexact=filters.city)
    if filters.route:
        queryset = queryset.filter(route=filters.route)
    if filters.budget in BUDGET_BANDS:
        low, high = BUDGET_BANDS[filters.budget]
        queryset = queryset.alias(budget_amount=Coalesce("budget_max", "budget_min"))
        queryset = queryset.filter(budget_amount__isnull=False)
        if low is not None:
            queryset = queryset.filter(budget_amount__gt=low)
        if high is not None:
            queryset = queryset.filter(budget_amount__lte=high)
    if filters.days:
        queryset = queryset.filter(is_open, submission_deadline__lte=now + timedelta(days=filters.days))
    return queryset


def status_group(challenge: Challenge, *, now: datetime) -> str | None:
    if (
        challenge.status == ChallengeStatus.PUBLISHED
        and challenge.submission_deadline
        and challenge.submission_deadline > now
    ):
        return StatusGroup.OPEN
    if challenge.status == ChallengeStatus.AWARDED:
        return StatusGroup.AWARDED
    if challenge.is_public:
        return StatusGroup.CLOSED
    return None


def matches_filters(challenge: Challenge, filters: ChallengeFilters, *, now: datetime) -> bool:
    """Whether one challenge passes the filters, in Python (no queries when its owner, themes and CPV
    codes are loaded). Mirrors apply_filters()."""
    group = status_group(challenge, now=now)
    if group is None or (filters.status != StatusGroup.ALL and group != filters.status):
        return False
    if filters.theme and filters.theme not in {theme.slug for theme in challenge.themes.all()}:
        return False
    if filters.cpv and not any(code.code.startswith(filters.cpv) for code in challenge.cpv_codes.all()):
        return False
    if filters.country and str(challenge.owner.country) != filters.country:
        return False
    if filters.city and challenge.owner.city.casefold() != filters.city.casefold():
        return False
    if filters.route and challenge.route != filters.route:
        return False
    if filters.budget in BUDGET_BANDS:
        low, high = BUDGET_BANDS[filters.budget]
        amount = challenge.budget_max if challenge.budget_max is not None else challenge.budget_min
        if amount is None:
            return False
        if low is not None and Decimal(amount) <= low:
            return False
        if high is not None and Decimal(amount) > high:
            return False
    return not (
        filters.days
        and (group != StatusGroup.OPEN or challenge.submission_deadline > now + timedelta(days=filters.days))
    )


def matches_words_in_python(challenge: Challenge, text: str) -> bool:
    """The SQLite fallback's test for one loaded challenge (outcomes prefetched), mirroring
    _fallback_search(): every wanted word appears in the statement or its outcomes, no excluded one does,
    ignoring case."""
    haystack = " ".join(
        [
            *(getattr(challenge, field) or "" for field in (*TITLE_FIELDS, *PROBLEM_FIELDS)),
            *(f"{outcome.description} {outcome.indicator}" for outcome in challenge.outcomes.all()),
        ]
    ).casefold()
    return all((word.casefold() in haystack) == wanted for word, wanted in _fallback_words(text))


def order_results(
    queryset: QuerySet[Challenge], *, sort: str, text: str, filters: ChallengeFilters
) -> QuerySet[Challenge]:
    """Order search results. "Best match" is relevance when there are search words, otherwise closing
    soonest for open challenges and newest first for the rest. Every order ends on the primary key, so
    pages never overlap."""
    closing = (F("submission_deadline").asc(nulls_last=True), "pk")
    newest = (F("published_at").desc(nulls_last=True), "-pk")
    if sort == Sort.CLOSING:
        return queryset.order_by(*closing)
    if sort == Sort.NEWEST:
        return queryset.order_by(*newest)
    if clean_query(text) and uses_postgres():
        return queryset.order_by("-rank", *closing)
    return queryset.order_by(*(closing if filters.status == StatusGroup.OPEN else newest))
