"""The public supplier directory: listed profiles only, search words, filters that keep their values, bad
filter values ignored with a message, pagination and a query count that does not grow with rows."""

import re

import pytest
from django.urls import reverse

from portal.accounts.enums import SMESize
from suppliers.selectors.profiles import PAGE_SIZE
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.suppliers import CapabilityTagFactory, SupplierProfileFactory, SupplierReferenceFactory

pytestmark = pytest.mark.django_db

URL = reverse("suppliers:directory")


def names(response) -> list[str]:
    return [profile.organisation.name for profile in response.context["page_obj"]]


def profile(name: str, **kwargs):
    tags = kwargs.pop("tags", [])
    cpv = kwargs.pop("cpv", [])
    size = kwargs.pop("size", SMESize.SMALL)
    created = SupplierProfileFactory(organisation=SupplierFactory(name=name, sme_size=size), **kwargs)
    created.capability_tags.set(tags)
    created.cpv_codes.set(cpv)
    return created


@pytest.fixture
def directory():
    vision = CapabilityTagFactory(name="Computer vision", slug="computer-vision")
    routing = CapabilityTagFactory(name="Route optimisation", slug="route-optimisation")
    alpha = profile(
        "Alpha Sensors",
        description="Fall detection for older residents.",
        countries_served=["NO"],
        tags=[vision],
        cpv=["48000000"],
        size=SMESize.MICRO,
        has_public_sector_sales=True,
    )
    SupplierReferenceFactory(profile=alpha, is_public_sector=True)
    beta = profile(
        "Beta Routes",
        description="Home care scheduling.",
        capabilities="Vehicle routing at city scale.",
        countries_served=["SE", "DK"],
        tags=[routing],
        cpv=["72200000"],
        size=SMESize.MEDIUM,
    )
    SupplierReferenceFactory(profile=beta, is_public_sector=False)
    profile("Hidden Gamma", description="Fall detection too.", is_listed=False, tags=[vision])
    return {"alpha": alpha, "beta": beta}


def test_directory_lists_listed_profiles_only(client, directory):
    response = client.get(URL)
    assert names(response) == ["Alpha Sensors", "Beta Routes"]
    assert "Hidden Gamma" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "fall detection"}, ["Alpha Sensors"]),  # description, every word
        ({"q": "BETA"}, ["Beta Routes"]),  # name, any case
        ({"q": "routing"}, ["Beta Routes"]),  # capabilities text
        ({"q": "vision"}, ["Alpha Sensors"]),  # a tag (the unlisted profile shares it)
        ({"q": "fall routing"}, []),
        ({"country": "SE"}, ["Beta Routes"]),
        ({"country": "NO"}, ["Alpha Sensors"]),
        ({"size": "micro"}, ["Alpha Sensors"]),
        ({"cpv": "72"}, ["Beta Routes"]),
        ({"cpv": "72000000"}, ["Beta Routes"]),  # a whole code finds the codes below it
        ({"cpv": "72200000-7"}, ["Beta Routes"]),
        ({"cpv": "72210000"}, []),
        ({"tag": "route-optimisation"}, ["Beta Routes"]),
        ({"public_references": "on"}, ["Alpha Sensors"]),
        ({"first_time": "on"}, ["Beta Routes"]),
        ({"q": "detection", "size": "micro", "country": "NO"}, ["Alpha Sensors"]),
    ],
)
def test_directory_search_and_filters(client, directory, query, expected):
    assert names(client.get(URL, query)) == expected


def test_directory_filters_keep_their_values(client, directory):
    page = client.get(
        URL, {"q": "fall", "country": "NO", "size": "micro", "public_references": "on"}
    ).content.decode()
    assert 'value="fall"' in page
    assert '<option value="NO" selected>' in page
    assert '<option value="micro" selected>' in page
    assert re.search(r'<input type="checkbox" name="public_references"[^>]* checked>', page)


@pytest.mark.parametrize(
    "query",
    [
        {"country": "Atlantis"},
        {"size": "gigantic"},
        {"cpv": "abc"},
        {"tag": "no-such-tag"},
        {"page": "abc"},
        {"page": "99999"},
        {"q": "x" * 500},
    ],
)
def test_directory_bad_values_are_ignored_with_a_message(client, directory, query):
    response = client.get(URL, query)
    assert response.status_code == 200
    if "page" not in query:
        assert "Some filters could not be used" in response.content.decode()
    # The bad filter is left out: everything listed is still found (q is refused when over-long).
    assert names(response) == ["Alpha Sensors", "Beta Routes"]


def test_directory_pages_through_results(client):
    for n in range(PAGE_SIZE + 1):
        profile(f"Supplier {n:02d}", countries_served=["NO"])
    first = client.get(URL, {"country": "NO"})
    second = client.get(URL, {"country": "NO", "page": "2"})
    assert (len(names(first)), names(second)) == (PAGE_SIZE, [f"Supplier {PAGE_SIZE:02d}"])
    assert "country=NO&amp;page=2" in first.content.decode()


def test_directory_shows_badges_and_tags(client, directory):
    page = client.get(URL).content.decode()
    assert "Public-sector references" in page
    assert "First-time public-sector supplier" in page
    assert "Route optimisation" in page


@pytest.mark.parametrize("rows", [1, 6])
def test_directory_query_count(client, django_assert_num_queries, rows):
    tag = CapabilityTagFactory()
    for n in range(rows):
        created = profile(f"Listed {n}", countries_served=["NO"], tags=[tag])
        SupplierReferenceFactory(profile=created)
    # The tag choices, the count, the rows (with their organisations), their tags.
    with django_assert_num_queries(4):
        response = client.get(
            URL, {"q": "listed", "country": "NO", "tag": tag.slug, "public_references": "on"}
        )
    assert len(names(response)) == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_directory_query_count_signed_in(client, django_assert_num_queries, rows):
    for n in range(rows):
        profile(f"Listed {n}")
    member = SupplierProfileFactory().organisation
    client.force_login(MembershipFactory(organisation=member).user)
    client.get(URL)  # warm the session
    # Session, user, memberships (navigation and predicates), unread notifications, then the four above.
    with django_assert_num_queries(8):
        client.get(URL)
