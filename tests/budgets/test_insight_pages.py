"""Query budgets of the dashboards (portal/insight): each page and each CSV file renders with the same number
of queries with 1 and with 50 rows and at most 15.

The dashboards scale with the buying organisations a programme follows and with everything they did: one
row is a buyer of the programme with a procurement volume, an awarded innovative challenge with a bid (an
accepted consortium partner, a trial, a clarification), a published citizen idea and a completed exchange it
hosted, with a confirmed registration and answered pre-exchange and reflection surveys. The dashboard's
organisation always has one of each; the rows are added to the programme."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from exchanges.enums import EventStatus
from exchanges.surveys.enums import SurveyKind
from portal.insight.views.dashboard import SECTIONS
from tests.budgets.budget import assert_flat_budgets
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    ProgrammeOrganisationFactory,
    TOTPAuthenticatorFactory,
)
from tests.factories.challenges import ClarificationFactory
from tests.factories.evaluation import TrialFactory
from tests.factories.exchanges import ExchangeEventFactory, RegistrationFactory
from tests.factories.insight import CapabilityAssessmentFactory, ProcurementVolumeFactory, ProgrammeFactory
from tests.factories.suppliers import AcceptedPartnerFactory
from tests.insight.conftest import at, award, bid, challenge, idea, survey_with_answers

pytestmark = pytest.mark.django_db

PAGES = {
    "insight:index",
    "insight:programme-create",
    "insight:dashboard",
    "insight:programme-settings",
    "insight:dashboard-csv",
    "insight:organisation-dashboard",
    "insight:organisation-dashboard-csv",
    "insight:volumes",
    "insight:capabilities",
    "insight:capability-form",
}

THIS_YEAR = timezone.localdate().year
LAST = THIS_YEAR - 1


def _staff():
    user = TOTPAuthenticatorFactory().user
    MembershipFactory(user=user, organisation=ProgrammeOrganisationFactory())
    return user


def _activity(buyer) -> None:
    """One of everything a dashboard counts, for `buyer`, last year."""
    ProcurementVolumeFactory(organisation=buyer, year=LAST)
    item = challenge(buyer, published=at(LAST, 2, 1), deadline=at(LAST, 3, 1), status=ChallengeStatus.AWARDED)
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
    people = [RegistrationFactory(event=event, organisation=buyer).user]
    event.pre_survey = survey_with_answers(kind=SurveyKind.PRE_EXCHANGE, respondents=people, drafts=1)
    event.reflection_survey = survey_with_answers(
        kind=SurveyKind.REFLECTION, respondents=people, drafts=0, ratings=[4]
    )
    event.save(update_fields=["pre_survey", "reflection_survey"])
    CapabilityAssessmentFactory(organisation=buyer, year=LAST)


class Scene:
    """A programme that follows the dashboard's organisation and one other buyer (so the programme's
    figures are shown beside the organisation's); growing adds buyers with their activity."""

    def __init__(self):
        self.organisation = BuyerFactory()
        self.admin = AdminMembershipFactory(organisation=self.organisation).user
        self.staff = _staff()
        self.programme = ProgrammeFactory(buyers=[self.organisation])
        _activity(self.organisation)
        self.grow(1)

    def grow(self, n: int) -> None:
        for _n in range(n):
            buyer = BuyerFactory()
            self.programme.buyers.add(buyer)
            _activity(buyer)


def _programme_urls(scene) -> dict[str, str]:
    slug = {"slug": scene.programme.organisation.slug}
    return {
        "insight:index": reverse("insight:index"),
        "insight:programme-create": reverse("insight:programme-create"),
        "insight:dashboard": reverse("insight:dashboard", kwargs=slug),
        "insight:programme-settings": reverse("insight:programme-settings", kwargs=slug),
        **{
            f"insight:dashboard-csv {section}": reverse(
                "insight:dashboard-csv", kwargs={**slug, "section": section}
            )
            for section in SECTIONS
        },
    }


def _organisation_urls(scene) -> dict[str, str]:
    slug = {"slug": scene.organisation.slug}
    return {
        "insight:organisation-dashboard": reverse("insight:organisation-dashboard", kwargs=slug),
        **{
            f"insight:organisation-dashboard-csv {section}": reverse(
                "insight:organisation-dashboard-csv", kwargs={**slug, "section": section}
            )
            for section in SECTIONS
        },
        "insight:volumes": reverse("insight:volumes", kwargs=slug),
        "insight:capabilities": reverse("insight:capabilities", kwargs=slug),
        "insight:capability-form": reverse("insight:capability-form", kwargs={**slug, "year": THIS_YEAR}),
    }


def test_every_page_is_measured():
    scene = SimpleNamespace(
        programme=SimpleNamespace(organisation=SimpleNamespace(slug="p")),
        organisation=SimpleNamespace(slug="o"),
    )
    names = {*_programme_urls(scene), *_organisation_urls(scene)}

    assert {name.split(" ")[0] for name in names} == PAGES


# One scene per person, every page of theirs measured on it: the scene is slow to build.


def test_programme_staff_pages_query_budget(client, django_assert_max_num_queries):
    scene = Scene()
    client.force_login(scene.staff)

    assert_flat_budgets(client, django_assert_max_num_queries, _programme_urls(scene), scene.grow)


def test_organisation_pages_query_budget(client, django_assert_max_num_queries):
    """The organisation's admin: its dashboard and CSV files, volumes (one a year, back from the year
    before last) and capability self-assessments (likewise), growing with the programme's buyers."""
    scene = Scene()
    client.force_login(scene.admin)

    def grow(n):
        for year in range(LAST - n, LAST):
            ProcurementVolumeFactory(organisation=scene.organisation, year=year)
            CapabilityAssessmentFactory(organisation=scene.organisation, year=year)
        scene.grow(n)

    assert_flat_budgets(client, django_assert_max_num_queries, _organisation_urls(scene), grow)
