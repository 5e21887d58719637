"""Discovery's search: the vector, ranking and stemming on PostgreSQL, the SQLite fallback, the filters
(the SQL of the list and the Python of saved-search matching give the same answers) and the GIN index."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from challenges.enums import ChallengeStatus, ProcurementRoute
from challenges.models import Challenge, CPVCode
from challenges.search import (
    ChallengeFilters,
    ChallengeSearchForm,
    apply_filters,
    matches_filters,
    matches_words_in_python,
    refresh_search_vector,
    search_challenges,
    uses_postgres,
)
from challenges.selectors.discovery import public_challenges_matching
from tests.factories.accounts import BuyerFactory
from tests.factories.challenges import (
    ChallengeFactory,
    OutcomeFactory,
    PublishedChallengeFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

NEUTRAL = {
    "title": "Better mornings for commuters",
    "summary": "Commuters wait too long.",
    "current_situation": "Buses are late.",
    "affected": "People travelling to work.",
    "why_now": "The city grows.",
    "with_outcome_and_criteria": False,
}


def indexed(**kwargs) -> Challenge:
    challenge = PublishedChallengeFactory(**{**NEUTRAL, **kwargs})
    refresh_search_vector(challenge_id=challenge.pk)
    return challenge


def titles(queryset) -> list[str]:
    return [challenge.title for challenge in queryset]


@pytest.fixture
def sqlite_only():
    if uses_postgres():
        pytest.skip("tests the SQLite fallback")


# --- PostgreSQL -----------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_refresh_search_vector_weights_title_above_problem_and_outcomes():
    challenge = indexed(title="Loneliness at home", current_situation="Noise at night.")
    OutcomeFactory(challenge=challenge, description="Quieter streets.", indicator="Complaints about traffic")
    refresh_search_vector(challenge_id=challenge.pk)

    vector = Challenge.objects.values_list("search_vector", flat=True).get(pk=challenge.pk)

    assert "'loneli':1A" in vector
    assert "'nois':" in vector and "B" in vector.split("'nois':")[1].split(" ")[0]
    assert "'traffic':" in vector and vector.split("'traffic':")[1].split(" ")[0].endswith("C")


@pytest.mark.postgres
def test_search_title_match_outranks_body_match():
    body = indexed(title="Better care at home", current_situation="Many residents feel loneliness every day.")
    title = indexed(title="Loneliness among elderly residents")

    results = public_challenges_matching(text="loneliness", filters=ChallengeFilters(), sort="")

    assert titles(results) == [title.title, body.title]
    assert results[0].rank > results[1].rank


@pytest.mark.postgres
def test_search_finds_words_in_outcomes():
    challenge = indexed()
    OutcomeFactory(challenge=challenge, description="Fewer residents feel isolated.", indicator="Survey")
    refresh_search_vector(challenge_id=challenge.pk)

    assert titles(search_challenges(Challenge.objects.all(), "isolated")) == [challenge.title]


@pytest.mark.postgres
def test_search_stems_english_words():
    challenge = indexed(title="Reducing loneliness among elderly residents")

    assert titles(search_challenges(Challenge.objects.all(), "reduce resident")) == [challenge.title]


@pytest.mark.postgres
def test_search_stems_norwegian_words_for_nb_challenges():
    norwegian = indexed(language="nb", title="Tryggere skoleveier", summary="Barna går til skolene i mørket.")
    indexed(language="en", title="Safer school roads", summary="Children walk to the skolene in the dark.")

    results = search_challenges(Challenge.objects.all(), "skole")

    # "skolene" stems to "skol" in Norwegian only: the English statement that uses the same word is not found.
    assert titles(results) == [norwegian.title]


@pytest.mark.postgres
def test_search_understands_websearch_syntax():
    both = indexed(title="Loneliness and mobility")
    indexed(title="Loneliness alone")

    assert titles(search_challenges(Challenge.objects.all(), "loneliness -alone")) == [both.title]
    assert titles(search_challenges(Challenge.objects.all(), '"loneliness and mobility"')) == [both.title]


@pytest.mark.postgres
def test_search_of_only_stop_words_or_punctuation_finds_nothing_without_error():
    indexed(title="Loneliness")

    assert titles(search_challenges(Challenge.objects.all(), "the and of")) == []
    assert titles(search_challenges(Challenge.objects.all(), "!!! ' & | :*")) == []


@pytest.mark.postgres
@pytest.mark.parametrize("status", ["open", "all"])
def test_search_plan_uses_the_gin_index(status):
    # Enough rows that an index on status and deadline would have to visit thousands of them.
    owner = BuyerFactory()
    deadline = timezone.now() + timedelta(days=30)
    Challenge.objects.bulk_create(
        Challenge(
            owner=owner,
            status=ChallengeStatus.PUBLISHED,
            title=f"Street lighting {n}",
            submission_deadline=deadline,
            published_at=timezone.now(),
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE challenges_challenge SET search_vector = to_tsvector('english', title)")
    for number in range(3):
        indexed(title=f"Loneliness {number}")
    queryset = public_challenges_matching(text="loneliness", filters=ChallengeFilters(status=status), sort="")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE challenges_challenge")
        plan = queryset.explain()

    assert "challenge_search_vector_gin" in plan
    assert len(titles(queryset)) == 3


@pytest.mark.postgres
def test_published_challenge_without_refresh_is_not_found_until_indexed():
    challenge = PublishedChallengeFactory(**{**NEUTRAL, "title": "Loneliness"})

    before = titles(search_challenges(Challenge.objects.all(), "loneliness"))
    refresh_search_vector(challenge_id=challenge.pk)
    after = titles(search_challenges(Challenge.objects.all(), "loneliness"))

    assert (before, after) == ([], [challenge.title])


# --- SQLite ---------------------------------------------------------------------------------------------


def test_refresh_search_vector_of_a_missing_challenge_does_nothing():
    refresh_search_vector(challenge_id=987654)

    assert Challenge.objects.count() == 0


def test_sqlite_search_matches_every_word_in_any_field(sqlite_only):
    in_title = indexed(title="Loneliness among elderly residents")
    in_outcome = indexed()
    OutcomeFactory(challenge=in_outcome, description="Fewer lonely residents.", indicator="Survey")
    indexed(title="Lonely lighthouse keepers")

    results = search_challenges(Challenge.objects.order_by("pk"), "LONEL residents")

    assert titles(results) == [in_title.title, in_outcome.title]


def test_sqlite_search_excludes_words_with_a_minus(sqlite_only):
    wanted = indexed(title="Loneliness and mobility")
    indexed(title="Loneliness alone")

    assert titles(search_challenges(Challenge.objects.all(), "loneliness -alone")) == [wanted.title]


def test_search_in_python_agrees_with_the_sqlite_fallback(sqlite_only):
    challenge = indexed(title="Loneliness alone")
    OutcomeFactory(challenge=challenge, description="Fewer isolated people.", indicator="Survey")
    loaded = Challenge.objects.prefetch_related("outcomes").get(pk=challenge.pk)

    for text in ("loneliness", "ISOLATED survey", "loneliness -alone", "-mobility", "submarine", '"alone"'):
        found = search_challenges(Challenge.objects.all(), text).exists()
        assert matches_words_in_python(loaded, text) == found, text


def test_sqlite_search_vector_stays_empty(sqlite_only):
    challenge = indexed(title="Loneliness")

    assert Challenge.objects.values_list("search_vector", flat=True).get(pk=challenge.pk) is None


def test_search_with_empty_words_returns_everything():
    indexed(title="One")
    indexed(title="Two")

    assert search_challenges(Challenge.objects.all(), "   ").count() == 2


# --- Filters --------------------------------------------------------------------------------------------


def _filter_titles(filters: ChallengeFilters) -> set[str]:
    return {challenge.title for challenge in public_challenges_matching(text="", filters=filters, sort="")}


def _python_titles(filters: ChallengeFilters) -> set[str]:
    now = timezone.now()
    challenges = Challenge.objects.select_related("owner").prefetch_related("themes", "cpv_codes")
    return {challenge.title for challenge in challenges if matches_filters(challenge, filters, now=now)}


@pytest.fixture
def catalogue() -> dict[str, Challenge]:
    """Challenges that differ in one thing each."""
    now = timezone.now()
    mobility = ThemeFactory(slug="mobility")
    software = CPVCode.objects.get_or_create(code="48000000", defaults={"label": "Software"})[0]
    bergen = BuyerFactory(city="Bergen", country="NO")
    stockholm = BuyerFactory(city="Stockholm", country="SE")
    challenges = {
        "open": PublishedChallengeFactory(title="open", owner=bergen, budget_min=None, budget_max=50_000),
        "soon": PublishedChallengeFactory(
            title="soon",
            owner=stockholm,
            budget_min=50_000,
            budget_max=250_000,
            questions_deadline=now + timedelta(days=1),
            submission_deadline=now + timedelta(days=3),
            route=ProcurementRoute.PRE_COMMERCIAL,
        ),
        "past_deadline": PublishedChallengeFactory(
            title="past_deadline",
            questions_deadline=now - timedelta(days=3),
            submission_deadline=now - timedelta(hours=1),
            budget_min=300_000,
            budget_max=None,
        ),
        "closed": PublishedChallengeFactory(
            title="closed", status=ChallengeStatus.CLOSED, budget_max=5_000_000
        ),
        "awarded": PublishedChallengeFactory(title="awarded", status=ChallengeStatus.AWARDED),
        "cancelled": PublishedChallengeFactory(title="cancelled", status=ChallengeStatus.CANCELLED),
        "no_budget": PublishedChallengeFactory(title="no_budget", budget_min=None, budget_max=None),
        "draft": ChallengeFactory(title="draft"),
        "in_review": ChallengeFactory(title="in_review", status=ChallengeStatus.IN_REVIEW),
    }
    challenges["open"].themes.add(mobility)
    challenges["soon"].cpv_codes.add(software)
    return challenges


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ChallengeFilters(), {"open", "soon", "no_budget"}),
        (ChallengeFilters(status="closed"), {"past_deadline", "closed", "cancelled"}),
        (ChallengeFilters(status="awarded"), {"awarded"}),
        (
            ChallengeFilters(status="all"),
            {"open", "soon", "past_deadline", "closed", "awarded", "cancelled", "no_budget"},
        ),
        (ChallengeFilters(theme="mobility"), {"open"}),
        (ChallengeFilters(cpv="48"), {"soon"}),
        (ChallengeFilters(cpv="45"), set()),
        (ChallengeFilters(country="SE"), {"soon"}),
        (ChallengeFilters(city="bergen"), {"open"}),
        (ChallengeFilters(route=ProcurementRoute.PRE_COMMERCIAL), {"soon"}),
        (ChallengeFilters(budget="lt50k"), {"open"}),
        (ChallengeFilters(budget="50k-250k"), {"soon"}),  # 50 000 to 250 000: the upper bound is in
        (ChallengeFilters(status="all", budget="250k-1m"), {"past_deadline"}),  # no maximum: the minimum
        (ChallengeFilters(status="all", budget="gt1m"), {"closed"}),
        (ChallengeFilters(days=7), {"soon"}),
        (ChallengeFilters(status="all", days=7), {"soon"}),
        (ChallengeFilters(status="closed", days=7), set()),
    ],
)
def test_filters_narrow_the_list(catalogue, filters, expected):
    assert _filter_titles(filters) == expected


@pytest.mark.parametrize(
    "filters",
    [
        ChallengeFilters(),
        ChallengeFilters(status="closed"),
        ChallengeFilters(status="awarded"),
        ChallengeFilters(status="all"),
        ChallengeFilters(theme="mobility"),
        ChallengeFilters(cpv="48"),
        ChallengeFilters(country="SE"),
        ChallengeFilters(city="BERGEN"),
        ChallengeFilters(route=ProcurementRoute.PRE_COMMERCIAL),
        ChallengeFilters(status="all", budget="lt50k"),
        ChallengeFilters(status="all", budget="50k-250k"),
        ChallengeFilters(status="all", budget="250k-1m"),
        ChallengeFilters(status="all", budget="gt1m"),
        ChallengeFilters(status="all", days=7),
    ],
)
def test_filters_in_python_match_the_sql(catalogue, filters):
    assert _python_titles(filters) == _filter_titles(filters)


def test_filters_never_show_drafts_or_reviews(catalogue):
    queryset = apply_filters(Challenge.objects.all(), ChallengeFilters(status="all"), now=timezone.now())

    assert {"draft", "in_review"} & set(titles(queryset)) == set()


def test_search_form_drops_only_the_fields_that_do_not_validate():
    form = ChallengeSearchForm(
        data={
            "q": "x" * 5000,
            "status": "bogus",
            "route": "teleportation",
            "days": "-1",
            "cpv": "4",
            "city": "Oslo",
        }
    )

    form.is_valid()

    assert len(form.search_words) == 200
    assert form.filters == ChallengeFilters(city="Oslo")
    assert set(form.errors) == {"status", "route", "days", "cpv"}


def test_filters_read_back_from_json_drop_what_does_not_fit():
    stored = {"status": "all", "days": "abc", "budget": "lots", "route": "pcp", "theme": "mobility", "zzz": 1}

    assert ChallengeFilters.from_json(stored) == ChallengeFilters(status="all", route="pcp", theme="mobility")
    assert ChallengeFilters.from_json(["not", "a", "dict"]) == ChallengeFilters()


def test_filters_as_json_keep_only_what_differs_from_the_defaults():
    assert ChallengeFilters(status="open", days=7, city="").as_json() == {"days": 7}
