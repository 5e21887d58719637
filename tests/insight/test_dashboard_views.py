"""The dashboard pages and their CSV files: who may open them, what they show, and their query counts."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from challenges.enums import ChallengeStatus
from exchanges.enums import EventStatus
from exchanges.surveys.enums import SurveyKind
from portal.audit.models import AuditEvent
from portal.insight.models import Programme
from portal.insight.services_programmes import create_programme
from portal.insight.views.dashboard import csv_cell
from tests.factories.accounts import AdminMembershipFactory, BuyerFactory, ProgrammeOrganisationFactory
from tests.factories.challenges import ClarificationFactory
from tests.factories.evaluation import TrialFactory
from tests.factories.exchanges import ExchangeEventFactory, RegistrationFactory
from tests.factories.insight import ProcurementVolumeFactory, ProgrammeFactory
from tests.factories.suppliers import AcceptedPartnerFactory

from .conftest import BEFORE, LAST, NOW, at, award, bid, challenge, idea, survey_with_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

TOO_FEW = "too few organisations to compare"

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

    # A row per organisation and year, then the period's totals that the chart draws.
    assert [row[0] for row in rows[1:]] == [str(LAST)] * 3 + [f"Total {LAST}–{LAST}"]


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


def _csv(client, url) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))


def test_csv_says_not_recorded(client, world, actors):
    client.force_login(actors["admin"])
    url = reverse(
        "insight:organisation-dashboard-csv", kwargs={"slug": world.alpha.slug, "section": "innovative-share"}
    )

    rows = _csv(client, f"{url}?from={BEFORE}&to={BEFORE}")

    alpha = rows[2]
    assert (alpha[1], alpha[3], alpha[4], alpha[8]) == (
        "Alpha kommune",
        "not recorded",
        "not recorded",
        "not recorded",
    )
    # Only Beta recorded a volume for BEFORE: the programme's row would be Beta's own.
    assert rows[1] == [
        str(BEFORE),
        f"Programme: {world.programme.organisation.name}",
        *[TOO_FEW] * 7,
        "10.00",
        TOO_FEW,
    ]


def test_organisation_dashboard_of_a_two_buyer_programme_has_no_programme_figures(client, world, actors):
    """The programme follows Alpha and Beta: any programme figure minus Alpha's own would be Beta's."""
    client.force_login(actors["admin"])
    kwargs = {"slug": world.alpha.slug}

    for section in SECTIONS:
        url = reverse("insight:organisation-dashboard-csv", kwargs={**kwargs, "section": section})
        rows = _csv(client, f"{url}?from={BEFORE}&to={NOW}")
        if section == "exchanges":
            column = rows[0].index("From the programme's organisations, average per organisation")
            assert [row[column] for row in rows[1:]] == [TOO_FEW] * 3
            continue
        programme_rows = [row for row in rows[1:] if row[1].startswith("Programme:")]
        assert len(programme_rows) == 3
        for row in programme_rows:
            figures = row[2:]
            if section == "innovative-share":
                figures = figures[:7] + figures[8:]  # the target is the programme's setting, not a figure
            assert figures == [TOO_FEW] * len(figures), (section, row)
    html = client.get(reverse("insight:organisation-dashboard", kwargs=kwargs)).content.decode()
    programme_rows = re.findall(r"<tr><th scope=\"row\">\d+</th><td>Programme:.*?</tr>", html)
    assert len(programme_rows) == 4 * 3  # the share, funnel, SME and timing tables, a row a year
    for table_row in programme_rows:
        cells = re.findall(r"<td>(.*?)</td>", table_row)[1:]
        assert set(cells) <= {TOO_FEW, "10.00"}, table_row
    assert (
        f"{LAST}: Alpha kommune, by count: 10.0 %; Alpha kommune, by value: 10.0 %; "
        "Programme, by count: no data; Programme, by value: no data."
    ) in html
    assert "at least 3 other organisations contribute to it" in html
    # Beta's volume (30 procurements, 2 000 000 NOK) and the programme's sums (50, 3 awards) appear nowhere.
    for figure in ("2000000", "2 000 000", "2.000.000", "<td>50</td>", "<td>30</td>"):
        assert figure not in html


def test_organisation_dashboard_compares_counts_with_the_programme_average(client, world, actors):
    for index in range(2):
        world.programme.buyers.add(BuyerFactory(name=f"Other kommune {index}"))
    client.force_login(actors["admin"])
    url = reverse(
        "insight:organisation-dashboard-csv", kwargs={"slug": world.alpha.slug, "section": "funnel"}
    )

    rows = _csv(client, f"{url}?from={LAST}&to={LAST}")

    name = world.programme.organisation.name
    # The programme's totals (3, 6, 5, 5, 1, 4) over its 4 organisations.
    assert rows[1] == [
        str(LAST),
        f"Programme: {name}, average per organisation (4 organisations)",
        "0.8",
        "1.5",
        "1.3",
        "1.3",
        "0.3",
        "1.0",
    ]
    assert rows[2] == [str(LAST), "Alpha kommune", "2", "5", "4", "4", "1", "3"]


def test_programme_dashboard_keeps_totals(client, world, actors):
    for index in range(2):
        world.programme.buyers.add(BuyerFactory(name=f"Other kommune {index}"))
    client.force_login(actors["staff"])
    url = reverse(
        "insight:dashboard-csv", kwargs={"slug": world.programme.organisation.slug, "section": "funnel"}
    )

    rows = _csv(client, f"{url}?from={LAST}&to={LAST}")

    assert rows[1] == [
        str(LAST),
        f"Programme: {world.programme.organisation.name}",
        "3",
        "6",
        "5",
        "5",
        "1",
        "4",
    ]


def test_csv_cells_cannot_start_a_formula(client, world, actors):
    world.alpha.name = '=HYPERLINK("http://example.com")'
    world.alpha.save(update_fields=["name"])
    world.beta.name = "-2+3"
    world.beta.save(update_fields=["name"])
    client.force_login(actors["staff"])
    url = reverse(
        "insight:dashboard-csv", kwargs={"slug": world.programme.organisation.slug, "section": "timing"}
    )

    rows = _csv(client, f"{url}?from={LAST}&to={LAST}")

    assert [row[1] for row in rows[1:]] == [
        f"Programme: {world.programme.organisation.name}",
        "'-2+3",
        '\'=HYPERLINK("http://example.com")',
    ]


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cell_prefixes_what_starts_like_a_formula(text):
    assert csv_cell(text) == f"'{text}"


@pytest.mark.parametrize(("cell", "text"), [("Alpha", "Alpha"), (None, ""), (12, "12"), ("a=b", "a=b")])
def test_csv_cell_leaves_the_rest_alone(cell, text):
    assert csv_cell(cell) == text


def test_empty_cells_are_hidden_dashes_with_a_text_for_screen_readers(client, world, actors):
    client.force_login(actors["staff"])

    html = client.get(
        reverse("insight:dashboard", kwargs={"slug": world.programme.organisation.slug})
    ).content.decode()

    assert '<td><span aria-hidden="true">–</span><span class="visually-hidden">none</span></td>' in html
    assert 'aria-label="none"' not in html


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


def test_programme_create_that_loses_a_race_is_a_validation_error(world, actors, monkeypatch):
    """Two staff create the same dashboard at once: both pass the form's and the service's checks before
    either has saved, and the second's insert hits the unique organisation. Simulated by letting the
    check miss the programme that is already there: the second gets the message the view shows (as a
    form error), not a 500."""
    original = QuerySet.exists
    monkeypatch.setattr(QuerySet, "exists", lambda qs: False if qs.model is Programme else original(qs))

    with pytest.raises(ValidationError, match="already has a programme dashboard"):
        create_programme(
            organisation=world.programme.organisation, buyers=[], target=Decimal("10"), by=actors["staff"]
        )

    assert Programme.objects.filter(organisation=world.programme.organisation).count() == 1
    assert not AuditEvent.objects.filter(action="insight.programme_created").exists()


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
    """`rows` buyers in a programme, each with `rows` of everything a dashboard reads, in LAST: challenges
    (published, past their deadline, awarded) with a bid, its accepted partner, a trial and a
    clarification; citizen ideas; exchanges it hosts, with confirmed registrations and pre-exchange and
    reflection surveys whose responses carry ratings."""
    buyers = [BuyerFactory() for _n in range(rows)]
    programme = ProgrammeFactory(buyers=buyers)
    for buyer in buyers:
        ProcurementVolumeFactory(organisation=buyer, year=LAST)
        for _n in range(rows):
            item = challenge(
                buyer, published=at(LAST, 2, 1), deadline=at(LAST, 3, 1), status=ChallengeStatus.AWARDED
            )
            proposal = bid(item)
            AcceptedPartnerFactory(proposal=proposal)
            trial = TrialFactory(proposal=proposal)
            type(trial).objects.filter(pk=trial.pk).update(shortlisted_at=at(LAST, 3, 15))
            ClarificationFactory(challenge=item)
            award(item, decided=at(LAST, 4, 1), values=[(proposal, "1000")])
            idea(buyer, published=at(LAST, 5, 1))
            event = ExchangeEventFactory(
                host=buyer,
                starts_at=at(LAST, 9, 1, 7),
                status=EventStatus.COMPLETED,
                registration_opens_at=at(LAST, 6, 1),
            )
            registrations = RegistrationFactory.create_batch(rows, event=event, organisation=buyer)
            people = [registration.user for registration in registrations]
            event.pre_survey = survey_with_answers(kind=SurveyKind.PRE_EXCHANGE, respondents=people, drafts=1)
            event.reflection_survey = survey_with_answers(
                kind=SurveyKind.REFLECTION, respondents=people, drafts=1, ratings=[4] * rows
            )
            event.save(update_fields=["pre_survey", "reflection_survey"])
    return programme, buyers


@pytest.mark.parametrize("rows", [1, 4])
def test_programme_dashboard_query_count(client, django_assert_num_queries, actors, rows):
    programme, _buyers = _small_world(rows)
    client.force_login(actors["staff"])
    url = reverse("insight:dashboard", kwargs={"slug": programme.organisation.slug})

    with django_assert_num_queries(14):
        response = client.get(url)

    assert response.status_code == 200
    sections = {section.slug: section.table for section in response.context["sections"]}
    # Everything was read: each buyer's `rows` of each stage, and every participant answered both surveys.
    funnel = next(row for row in sections["funnel"].rows if row[0] == LAST and row[1].startswith("Programme"))
    assert funnel[2:] == [rows * rows] * 6
    exchanges = sections["exchanges"].rows[1]
    assert exchanges[:4] == [LAST, rows * rows, rows**3, rows**3]
    assert exchanges[4:] == [rows**3, Decimal("100.0"), rows**3, Decimal("100.0"), rows**3, Decimal("4.00")]


@pytest.mark.parametrize("rows", [1, 4])
def test_organisation_dashboard_query_count(client, django_assert_num_queries, rows):
    _programme, buyers = _small_world(rows)
    admin = AdminMembershipFactory(organisation=buyers[0]).user
    client.force_login(admin)
    url = reverse("insight:organisation-dashboard", kwargs={"slug": buyers[0].slug})

    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [1, 4])
def test_index_query_count(client, django_assert_num_queries, actors, rows):
    _small_world(rows)
    client.force_login(actors["staff"])

    with django_assert_num_queries(9):
        assert client.get(reverse("insight:index")).status_code == 200
