"""The library's search and filters: each filter narrows to what it names and nothing else; the search
works on both databases (stemming and Norwegian on PostgreSQL only); bad values are shown, not a 500."""

import pytest
from django.urls import reverse

from challenges.casestudies.enums import CaseOutcome, CaseSource
from challenges.casestudies.search import CaseStudyFilters
from challenges.casestudies.selectors import published_case_studies_matching
from tests.factories.accounts import BuyerFactory
from tests.factories.casestudies import CaseStudyFactory, ExchangeCaseStudyFactory, PublishedCaseStudyFactory
from tests.factories.challenges import CPVCodeFactory, ThemeFactory

pytestmark = pytest.mark.django_db


# The factory's texts speak of markets and home care: the fixture's case studies say only what they say here.
QUIET = {
    "market_engagement": "",
    "result": "",
    "outcome_against_indicators": "",
    "would_do_differently": "",
    "contacts": "",
}


def _titles(text: str = "", **filters) -> set[str]:
    return {
        case_study.title
        for case_study in published_case_studies_matching(text=text, filters=CaseStudyFilters(**filters))
    }


@pytest.fixture
def library(db):
    """Three published case studies that differ in every filter, and a draft."""
    mobility, care = ThemeFactory(slug="mobility"), ThemeFactory(slug="care")
    software, sensors, health = (
        CPVCodeFactory(code="48000000"),
        CPVCodeFactory(code="48210000"),
        CPVCodeFactory(code="85000000"),
    )
    school = PublishedCaseStudyFactory(
        title="Safer school routes",
        need="Children walk and cycle to school on busy roads.",
        lessons="Count the children first",
        route="pcp",
        owner=BuyerFactory(country="NO"),
        challenge__status="awarded",
        outcome=CaseOutcome.AWARDED,
        capability="supplier_dialogue",
        **QUIET,
    )
    school.themes.set([mobility])
    school.cpv_codes.set([sensors])
    falls = PublishedCaseStudyFactory(
        title="Fewer falls at home",
        need="Older residents fall at home.",
        lessons="Involve home care",
        route="proof_of_value",
        owner=BuyerFactory(country="SE"),
        challenge__status="not_awarded",
        outcome=CaseOutcome.NOT_AWARDED,
        capability="internal_collaboration",
        **{**QUIET, "result": "Nothing was bought"},
    )
    falls.themes.set([care])
    falls.cpv_codes.set([health])
    exchange = ExchangeCaseStudyFactory(
        title="Exchange in Turku", need="How Turku meets the market.", lessons="Market days work", **QUIET
    )
    exchange.cpv_codes.set([software])
    CaseStudyFactory(title="Draft on school routes", need="Children walk to school.", route="pcp")
    return {"school": school, "falls": falls, "exchange": exchange}


ALL = {"Safer school routes", "Fewer falls at home", "Exchange in Turku"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ALL),
        ({"theme": "mobility"}, {"Safer school routes"}),
        ({"theme": "care"}, {"Fewer falls at home"}),
        ({"cpv": "48"}, {"Safer school routes", "Exchange in Turku"}),
        ({"cpv": "4821"}, {"Safer school routes"}),
        ({"cpv": "48000000"}, {"Exchange in Turku"}),
        ({"cpv": "85"}, {"Fewer falls at home"}),
        ({"route": "pcp"}, {"Safer school routes"}),
        ({"route": "proof_of_value"}, {"Fewer falls at home"}),
        ({"country": "SE"}, {"Fewer falls at home"}),
        ({"country": "FI"}, {"Exchange in Turku"}),
        ({"outcome": CaseOutcome.AWARDED}, {"Safer school routes"}),
        ({"outcome": CaseOutcome.EXCHANGE}, {"Exchange in Turku"}),
        ({"source": CaseSource.EXCHANGE}, {"Exchange in Turku"}),
        ({"source": CaseSource.CHALLENGE}, {"Safer school routes", "Fewer falls at home"}),
        ({"capability": "internal_collaboration"}, {"Fewer falls at home"}),
        ({"theme": "mobility", "country": "SE"}, set()),
    ],
)
def test_each_filter_narrows_to_what_it_names(library, filters, expected):
    assert _titles(**filters) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("school", {"Safer school routes"}),
        ("SCHOOL", {"Safer school routes"}),
        ("market", {"Exchange in Turku"}),
        ("home care", {"Fewer falls at home"}),  # every word, across fields (title and lessons)
        ("bought", {"Fewer falls at home"}),  # the result is searched
        ("home -care", set()),
        ("nothing-matches-this", set()),
    ],
)
def test_search_words_on_either_database(library, text, expected):
    assert _titles(text) == expected


def test_search_and_filters_combine(library):
    assert _titles("school", route="proof_of_value") == set()
    assert _titles("home", source=CaseSource.CHALLENGE) == {"Fewer falls at home"}


@pytest.mark.postgres
def test_search_stems_english_and_norwegian_on_postgres(library):
    norwegian = PublishedCaseStudyFactory(
        title="Tryggere skolevei",
        need="Barna går til skolene langs travle veier.",
        lessons="Tell barna",
        **QUIET,
    )

    assert _titles("routes school") == {"Safer school routes"}
    assert _titles("children") == {"Safer school routes"}  # "Children" in the need
    assert _titles("falling") == {"Fewer falls at home"}  # stemmed: fall
    assert norwegian.title in _titles("skole")


@pytest.mark.postgres
def test_search_ranks_a_title_match_first_on_postgres(library):
    PublishedCaseStudyFactory(
        title="Market engagement in Oslo", need="Nothing else.", lessons="None", **QUIET
    )

    results = list(published_case_studies_matching(text="market", filters=CaseStudyFilters()))

    assert results[0].title == "Market engagement in Oslo"


def test_page_applies_the_filters_and_shows_bad_values(client, library):
    url = reverse("casestudies:case-study-list")

    page = client.get(url, {"theme": "care"}).content.decode()
    assert "Fewer falls at home" in page and "Safer school routes" not in page

    response = client.get(url, {"cpv": "4x", "route": "nonsense", "q": "school"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter 2 to 8 digits of a CPV code." in page
    assert 'value="4x"' in page
    assert "Safer school routes" in page  # the valid search still applies


def test_pages_keep_the_search(client, library):
    for number in range(20):
        PublishedCaseStudyFactory(title=f"School number {number}", need="school")

    page = client.get(reverse("casestudies:case-study-list"), {"q": "school"}).content.decode()

    assert 'href="?q=school&amp;page=2"' in page


def test_country_choices_are_the_countries_of_published_case_studies(client, library):
    page = client.get(reverse("casestudies:case-study-list")).content.decode()

    assert '<option value="SE">Sweden</option>' in page
    assert '<option value="FI">Finland</option>' in page
    assert '<option value="DK">' not in page
