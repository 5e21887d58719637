"""The dashboard pages and their CSV files: who may open them, what they show, and their query counts."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from portal.audit.models import AuditEvent
from portal.insight.models import Programme
from tests.factories.accounts import AdminMembershipFactory, BuyerFactory, ProgrammeOrganisationFactory
from tests.factories.challenges import ChallengeFactory
from tests.factories.evaluation import AwardFactory
from tests.factories.insight import ProcurementVolumeFactory, ProgrammeFactory

from .conftest import BEFORE, LAST, NOW, at

pytestmark = pytest.mark.django_db

SECTIONS = ["innovative-share", "funnel", "sme", "timing", "exchanges"]


def _get(client, actors, actor, url):
    if user := actors[actor]:
        client.force_login(user)
    return client.get(url)


def _links_for_members() -> bool:
    """Whether a plain member has anything on the index: the volumes or self-assessment pages (built
    beside the dashboards) exist."""
    for name in ("insight:volumes", "insight:capabilities"):
        try:
            reverse(name, kwargs={"slug": "x"})
            return True
        except NoReverseMatch:
            continue
    return False


# --- Permission grids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("admin", 200), ("other_admin", 200), ("supplier", 404), ("staff", 200)],
)
def test_index_access(client, actors, actor, status):
    assert _get(client, actors, actor, reverse("insight:index")).status_code == status


def test_index_access_of_a_member(client, actors):
    expected = 200 if _links_for_members() else 404
    assert _get(client, actors, "member", reverse("insight:index")).status_code == expected


PROGRAMME_GRID = [
    ("anonymous", 302),
    ("member", 404),
    ("admin", 404),
    ("other_admin", 404),
    ("supplier", 404),
    ("staff", 200),
]


@pytest.mark.parametrize(("actor", "status"), PROGRAMME_GRID)
@pytest.mark.parametrize("name", ["insight:dashboard", "insight:programme-settings"])
def test_programme_pages_access(client, world, actors, actor, status, name):
    url = reverse(name, kwargs={"slug": world.programme.organisation.slug})
    assert _get(client, actors, actor, url).status_code == status


@pytest.mark.parametrize(("actor", "status"), PROGRAMME_GRID)
@pytest.mark.parametrize("section", SECTIONS)
def test_programme_csv_access(client, world, actors, actor, status, section):
    url = reverse(
        "insight:dashboard-csv", kwargs={"slug": world.programme.organisation.slug, "section": section}
    )
    assert _get(client, actors, actor, url).status_code == status


@pytest.mark.parametrize(("actor", "status"), [("anonymous", 302), *PROGRAMME_GRID[1:]])
def test_programme_create_access(client, world, actors, actor, status):
    assert _get(client, actors, actor, reverse("insight:programme-create")).status_code == status


ORGANISATION_GRID = [
    ("anonymous", 302),
    ("member", 404),
    ("admin", 200),
    ("other_admin", 404),
    ("supplier", 404),
    ("staff", 200),
]


@pytest.mark.parametrize(("actor", "status"), ORGANISATION_GRID)
def test_organisation_dashboard_access(client, world, actors, actor, status):
    url = reverse("insight:organisation-dashboard", kwargs={"slug": world.alpha.slug})
    assert _get(client, actors, actor, url).status_code == status


@pytest.mark.parametrize(("actor", "status"), ORGANISATION_GRID)
@pytest.mark.parametrize("section", SECTIONS)
def test_organisation_csv_access(client, world, actors, actor, status, section):
    url = reverse("insight:organisation-dashboard-csv", kwargs={"slug": world.alpha.slug, "section": section})
    assert _get(client, actors, actor, url).status_code == status


def test_unknown_programme_section_and_organisation_are_404(client, world, actors):
    client.force_login(actors["staff"])
    slug = world.programme.organisation.slug
    assert client.get(reverse("insight:dashboard", kwargs={"slug": "nope"})).status_code == 404
    assert (
        client.get(reverse("insight:dashboard-csv", kwargs={"slug": slug, "section": "nope"})).status_code
        == 404
    )
    # A supplier or programme organisation has no organisation dashboard.
    programme_slug = world.programme.organisation.slug
    assert (
        client.get(reverse("insight:organisation-dashboard", kwargs={"slug": programme_slug})).status_code
        == 404
    )


# --- What the pages show ----------------------------------------------------------------------------------


def test_programme_dashboard_has_accessible_charts_and_tables(client, world, actors):
    client.force_login(actors["staff"])

    response = client.get(reverse("insight:dashboard", kwargs={"slug": world.programme.organisation.slug}))

    html = response.content.decode()
    assert html.count("<h1") == 1
    svgs = re.findall(r"<svg[^>]*role=\"img\"[^>]*>", html)
    assert len(svgs) == 6  # one per section, two for the exchanges
    for svg in svgs:
        title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
        assert f'<title id="{title_id}">' in html
        assert f'<desc id="{desc_id}">' in html
    assert "style=" not in html.split("<main", 1)[1]
    assert html.count('<table class="table table-sm table-striped') == 5
    # The share chart's description states the programme's values and the target.
    desc = re.search(r'<desc id="chart-innovative-share-desc">([^<]*)</desc>', html).group(1)
    assert f"{LAST}: Programme, by count: 6.0 %; Programme, by value: no data." in desc
    assert "The target is 10.0 %." in desc
    assert "Alpha kommune" in html and "Beta kommune" in html
    assert "Gamma kommune" not in html


def test_organisation_dashboard_never_shows_another_organisations_row(client, world, actors):
    client.force_login(actors["admin"])

    html = client.get(
        reverse("insight:organisation-dashboard", kwargs={"slug": world.alpha.slug})
    ).content.decode()

    assert "Alpha kommune" in html
    assert "Beta kommune" not in html
    assert f"Programme: {world.programme.organisation.name}" in html


def test_bad_period_shows_a_message_and_the_default(client, world, actors):
    client.force_login(actors["staff"])
    url = reverse("insight:dashboard", kwargs={"slug": world.programme.organisation.slug})

    for query in ("?from=abc&to=2020", f"?from={NOW}&to={BEFORE}", "?from=1900", "?from=1990&to=2030"):
        response = client.get(url + query)
        assert response.status_code == 200
        assert response.context["period"].years == [BEFORE, LAST, NOW]
        assert response.context["period_form"].errors
        assert "There is a problem" in response.content.decode()
    # What the person typed is kept.
    assert 'value="abc"' in client.get(url + "?from=abc").content.decode()


def test_period_filter(client, world, actors):
    client.force_login(actors["staff"])
    url = reverse(
        "insight:dashboard-csv", kwargs={"slug": world.programme.organisation.slug, "section": "funnel"}
    )

    rows = list(
        csv.reader(io.StringIO(client.get(f"{url}?from={LAST}&to={LAST}").content.decode("utf-8-sig")))
    )

    assert [row[0] for row in rows[1:]] == [str(LAST)] * 3


def test_csv_of_the_innovative_share(client, world, actors):
    client.force_login(actors["staff"])
    url = reverse(
        "insight:dashboard-csv",
        kwargs={"slug": world.programme.organisation.slug, "section": "innovative-share"},
    )

    response = client.get(f"{url}?from={LAST}&to={LAST}")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{world.programme.organisation.slug}-innovative-share-{LAST}-{LAST}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Year", "Organisation", "Innovative awards", "Procurements", "Share by count (%)"]
    name = world.programme.organisation.name
    assert rows[1:] == [
        [
            str(LAST),
            f"Programme: {name} (2 organisations with a volume)",
            "3",
            "50",
            "6.0",
            "",
            "",
            "",
            "",
            "10.00",
            "1",
        ],
        [
            str(LAST),
            "Alpha kommune",
            "2",
            "20",
            "10.0",
            "100000.00",
            "1000000.00",
            "EUR",
            "10.0",
            "10.00",
            "1",
        ],
        [str(LAST), "Beta kommune", "1", "30", "3.3", "300000.00", "2000000.00", "NOK", "15.0", "10.00", "0"],
    ]


def test_csv_says_not_recorded(client, world, actors):
    client.force_login(actors["admin"])
    url = reverse(
        "insight:organisation-dashboard-csv", kwargs={"slug": world.alpha.slug, "section": "innovative-share"}
    )

    rows = list(
        csv.reader(io.StringIO(client.get(f"{url}?from={BEFORE}&to={BEFORE}").content.decode("utf-8-sig")))
    )

    alpha = rows[2]
    assert (alpha[1], alpha[3], alpha[4], alpha[8]) == (
        "Alpha kommune",
        "not recorded",
        "not recorded",
        "not recorded",
    )
    assert [row[1] for row in rows[1:]] == [
        f"Programme: {world.programme.organisation.name} (1 organisation with a volume)",
        "Alpha kommune",
    ]


def test_csv_of_sme_participation_for_the_organisation(client, world, actors):
    client.force_login(actors["admin"])
    url = reverse("insight:organisation-dashboard-csv", kwargs={"slug": world.alpha.slug, "section": "sme"})

    rows = list(
        csv.reader(io.StringIO(client.get(f"{url}?from={LAST}&to={LAST}").content.decode("utf-8-sig")))
    )

    assert rows[2] == [str(LAST), "Alpha kommune", "4", "4", "1.0", "2", "50.0", "2", "50.0", "1", "3.0"]


def test_organisation_dashboard_chooses_its_programme(client, world, actors):
    second = ProgrammeFactory(
        buyers=[world.alpha], organisation=ProgrammeOrganisationFactory(name="Zeta programme")
    )
    client.force_login(actors["admin"])
    url = reverse("insight:organisation-dashboard", kwargs={"slug": world.alpha.slug})

    assert client.get(url).context["programme"] == world.programme  # the first by name
    assert client.get(f"{url}?programme={second.organisation.slug}").context["programme"] == second
    response = client.get(f"{url}?programme=unknown")
    assert response.status_code == 200
    assert response.context["programme"] == world.programme


# --- Programme settings -------------------------------------------------------------------------------------


def test_programme_settings_change_target_and_buyers_audited(client, world, actors):
    client.force_login(actors["staff"])
    url = reverse("insight:programme-settings", kwargs={"slug": world.programme.organisation.slug})

    response = client.post(
        url, {"innovative_share_target": "12.5", "buyers": [world.alpha.pk, world.gamma.pk]}
    )

    assert response.status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.innovative_share_target == Decimal("12.5")
    assert set(world.programme.buyers.all()) == {world.alpha, world.gamma}
    event = AuditEvent.objects.get(action="insight.programme_updated")
    assert event.actor == actors["staff"]
    assert event.data["before"] == {"target": "10.00", "buyers": sorted([world.alpha.pk, world.beta.pk])}


def test_programme_settings_bad_input_keeps_what_was_typed(client, world, actors):
    client.force_login(actors["staff"])
    url = reverse("insight:programme-settings", kwargs={"slug": world.programme.organisation.slug})

    response = client.post(url, {"innovative_share_target": "150", "buyers": [world.alpha.pk]})

    assert response.status_code == 200
    assert 'value="150"' in response.content.decode()
    world.programme.refresh_from_db()
    assert world.programme.innovative_share_target == Decimal("10")


def test_programme_create(client, world, actors):
    organisation = ProgrammeOrganisationFactory()
    client.force_login(actors["staff"])

    response = client.post(
        reverse("insight:programme-create"),
        {"organisation": organisation.pk, "innovative_share_target": "10", "buyers": [world.beta.pk]},
    )

    programme = Programme.objects.get(organisation=organisation)
    assert response.status_code == 302
    assert response["Location"] == programme.get_absolute_url()
    assert list(programme.buyers.all()) == [world.beta]
    assert AuditEvent.objects.filter(action="insight.programme_created").count() == 1


def test_programme_create_refuses_an_organisation_with_a_dashboard(client, world, actors):
    client.force_login(actors["staff"])

    response = client.post(
        reverse("insight:programme-create"),
        {"organisation": world.programme.organisation.pk, "innovative_share_target": "10"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]


# --- Query counts ---------------------------------------------------------------------------------------


def _small_world(rows: int):
    buyers = [BuyerFactory() for _n in range(rows)]
    programme = ProgrammeFactory(buyers=buyers)
    for buyer in buyers:
        ProcurementVolumeFactory(organisation=buyer, year=LAST)
        for _n in range(rows):
            item = ChallengeFactory(owner=buyer, status="awarded", published_at=at(LAST, 2, 1))
            AwardFactory(challenge=item, decided_at=at(LAST, 3, 1))
    return programme, buyers


@pytest.mark.parametrize("rows", [1, 4])
def test_programme_dashboard_query_count(client, django_assert_num_queries, actors, rows):
    programme, _buyers = _small_world(rows)
    client.force_login(actors["staff"])
    url = reverse("insight:dashboard", kwargs={"slug": programme.organisation.slug})

    with django_assert_num_queries(23):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 4])
def test_organisation_dashboard_query_count(client, django_assert_num_queries, rows):
    _programme, buyers = _small_world(rows)
    admin = AdminMembershipFactory(organisation=buyers[0]).user
    client.force_login(admin)
    url = reverse("insight:organisation-dashboard", kwargs={"slug": buyers[0].slug})

    with django_assert_num_queries(24):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 4])
def test_index_query_count(client, django_assert_num_queries, actors, rows):
    _small_world(rows)
    client.force_login(actors["staff"])

    with django_assert_num_queries(10):
        assert client.get(reverse("insight:index")).status_code == 200
