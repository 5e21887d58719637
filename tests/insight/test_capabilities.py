"""The capability self-assessment: one answer per organisation and year (this year or last), revised in
place and audited; the programme's average computed by hand, hidden when fewer than three others
answered; the weakest areas with the next level, case studies and open exchanges; who may see and answer;
the results page's query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.casestudies.enums import Capability, CaseStudyStatus
from exchanges.enums import EventStatus
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.insight.capabilities import DESCRIPTIONS, LEVEL_NAMES, level_choices
from portal.insight.demo import PROGRAMME_NAME, load_insight_demo
from portal.insight.models import CapabilityAssessment, ProcurementVolume, Programme
from portal.insight.selectors_assessment import (
    programme_averages,
    suggestions_for,
    upcoming_exchanges,
    weakest_capabilities,
)
from portal.insight.services import InsightError, submit_capability_assessment
from portal.web.demo import BUYERS
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    ProgrammeOrganisationFactory,
    SupplierFactory,
    UserFactory,
    organisation_actors,
)
from tests.factories.exchanges import (
    AgendaSessionFactory,
    ExchangeEventFactory,
    PlanningEventFactory,
    PublishedAgendaSessionFactory,
)
from tests.factories.insight import CapabilityAssessmentFactory, ProgrammeFactory
from tests.insight.factories_assess import PublishedCaseStudyFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
KEYS = Capability.values  # management_anchoring, competence, internal_collaboration, supplier_dialogue,
# municipal_collaboration, systematic_learning


def _levels(*values) -> dict[str, int]:
    return dict(zip(KEYS, values, strict=True))


def _assessment(organisation, year, *values, **kwargs) -> CapabilityAssessment:
    return CapabilityAssessmentFactory(organisation=organisation, year=year, **_levels(*values), **kwargs)


@pytest.fixture
def actors(db):
    actors = organisation_actors()
    supplier_membership = AdminMembershipFactory(organisation=SupplierFactory())
    actors["supplier"] = supplier_membership.user
    actors["supplier_organisation"] = supplier_membership.organisation
    return actors


def _results_url(organisation) -> str:
    return reverse("insight:capabilities", args=[organisation.slug])


def _form_url(organisation, year=THIS_YEAR) -> str:
    return reverse("insight:capability-form", args=[organisation.slug, year])


def _form_data(*values, notes="") -> dict:
    return {**{key: str(value) for key, value in _levels(*values).items()}, "notes": notes}


# The scale


def test_every_capability_has_five_described_levels():
    assert set(DESCRIPTIONS) == set(Capability)
    for capability, descriptions in DESCRIPTIONS.items():
        assert len(descriptions) == 5
        assert len({str(text) for text in descriptions}) == 5
        choices = level_choices(capability)
        assert [level for level, _label in choices] == [1, 2, 3, 4, 5]
        assert choices[0][1] == f"1 · {LEVEL_NAMES[1]}: {descriptions[0]}"


# Rules


def test_submit_creates_the_year_with_an_audit_entry(actors):
    organisation, admin = actors["organisation"], actors["admin"]

    assessment = submit_capability_assessment(
        organisation=organisation,
        year=THIS_YEAR,
        levels=_levels(2, 3, 2, 1, 3, 2),
        notes=" First go. ",
        by=admin,
    )

    assert assessment.levels() == _levels(2, 3, 2, 1, 3, 2)
    assert (assessment.notes, assessment.submitted_by) == ("First go.", admin)
    event = AuditEvent.objects.get(action="insight.capability_assessment_submitted")
    assert (event.actor, event.organisation, event.target_id) == (admin, organisation, str(assessment.pk))
    assert event.data == {
        "year": THIS_YEAR,
        "old": None,
        "new": {**_levels(2, 3, 2, 1, 3, 2), "notes": "First go."},
    }


def test_submit_again_revises_the_year_and_audits_old_and_new(actors):
    organisation, admin = actors["organisation"], actors["admin"]
    submit_capability_assessment(
        organisation=organisation, year=THIS_YEAR, levels=_levels(2, 3, 2, 1, 3, 2), notes="", by=admin
    )

    submit_capability_assessment(
        organisation=organisation,
        year=THIS_YEAR,
        levels=_levels(2, 3, 3, 1, 3, 2),
        notes="Teams now.",
        by=admin,
    )

    assessment = CapabilityAssessment.objects.get(organisation=organisation)
    assert assessment.internal_collaboration == 3
    event = AuditEvent.objects.get(action="insight.capability_assessment_revised")
    assert event.data == {
        "year": THIS_YEAR,
        "old": {**_levels(2, 3, 2, 1, 3, 2), "notes": ""},
        "new": {**_levels(2, 3, 3, 1, 3, 2), "notes": "Teams now."},
    }


def test_submit_unchanged_writes_nothing(actors):
    organisation, admin = actors["organisation"], actors["admin"]
    for _ in range(2):
        submit_capability_assessment(
            organisation=organisation, year=THIS_YEAR, levels=_levels(2, 3, 2, 1, 3, 2), notes="", by=admin
        )

    assert AuditEvent.objects.filter(action__startswith="insight.capability").count() == 1


def test_submit_for_last_year_is_allowed(actors):
    submit_capability_assessment(
        organisation=actors["organisation"],
        year=THIS_YEAR - 1,
        levels=_levels(*[3] * 6),
        notes="",
        by=actors["admin"],
    )

    assert CapabilityAssessment.objects.get().year == THIS_YEAR - 1


@pytest.mark.parametrize(
    ("year", "levels"),
    [
        (THIS_YEAR - 2, _levels(*[3] * 6)),
        (THIS_YEAR + 1, _levels(*[3] * 6)),
        (THIS_YEAR, _levels(0, 3, 3, 3, 3, 3)),
        (THIS_YEAR, _levels(6, 3, 3, 3, 3, 3)),
        (THIS_YEAR, {key: 3 for key in KEYS[:5]}),
    ],
)
def test_submit_refuses_other_years_and_levels_outside_the_scale(actors, year, levels):
    with pytest.raises(InsightError):
        submit_capability_assessment(
            organisation=actors["organisation"], year=year, levels=levels, notes="", by=actors["admin"]
        )

    assert not CapabilityAssessment.objects.exists()


def test_submit_only_for_buyers(actors):
    with pytest.raises(InsightError):
        submit_capability_assessment(
            organisation=actors["supplier_organisation"],
            year=THIS_YEAR,
            levels=_levels(*[3] * 6),
            notes="",
            by=actors["supplier"],
        )


# The programme's average


@pytest.fixture
def programme_of_five(db):
    """Ours and four other buyers in one programme; an outsider who is in no programme."""
    ours, first, second, third, fourth = BuyerFactory.create_batch(5)
    ProgrammeFactory(buyers=[ours, first, second, third, fourth])
    return ours, [first, second, third, fourth], BuyerFactory()


def test_programme_average_by_hand(programme_of_five):
    ours, (first, second, third, fourth), outsider = programme_of_five
    _assessment(ours, THIS_YEAR, 1, 1, 1, 1, 1, 1)  # not part of its own comparison
    _assessment(first, THIS_YEAR, 2, 3, 4, 5, 1, 2)
    _assessment(second, THIS_YEAR, 3, 3, 2, 4, 1, 2)
    _assessment(third, THIS_YEAR, 4, 2, 2, 4, 2, 3)
    _assessment(fourth, THIS_YEAR - 1, 5, 5, 5, 5, 5, 5)  # another year
    _assessment(outsider, THIS_YEAR, 5, 5, 5, 5, 5, 5)  # not in the programme

    average = programme_averages(organisation=ours, years=[THIS_YEAR])[THIS_YEAR]

    assert average.others == 3
    assert average.shown
    # (2+3+4)/3 = 3.0; (3+3+2)/3 = 2.67; (4+2+2)/3 = 2.67; (5+4+4)/3 = 4.33; (1+1+2)/3 = 1.33;
    # (2+2+3)/3 = 2.33
    assert average.levels == _levels(3.0, 2.7, 2.7, 4.3, 1.3, 2.3)


def test_programme_average_hidden_with_fewer_than_three_others(programme_of_five):
    ours, (first, second, _third, fourth), outsider = programme_of_five
    _assessment(first, THIS_YEAR, 2, 3, 4, 5, 1, 2)
    _assessment(second, THIS_YEAR, 3, 3, 2, 4, 1, 2)
    _assessment(outsider, THIS_YEAR, 5, 5, 5, 5, 5, 5)
    _assessment(fourth, THIS_YEAR - 1, 5, 5, 5, 5, 5, 5)

    averages = programme_averages(organisation=ours, years=[THIS_YEAR, THIS_YEAR - 1])

    assert (averages[THIS_YEAR].others, averages[THIS_YEAR].shown, averages[THIS_YEAR].levels) == (
        2,
        False,
        {},
    )
    assert (averages[THIS_YEAR - 1].others, averages[THIS_YEAR - 1].shown) == (1, False)


def test_programme_average_counts_an_organisation_in_two_shared_programmes_once(programme_of_five):
    ours, (first, second, third, _fourth), _outsider = programme_of_five
    ProgrammeFactory(buyers=[ours, first])  # a second programme with the same pair
    for other in (first, second):
        _assessment(other, THIS_YEAR, 2, 2, 2, 2, 2, 2)
    _assessment(third, THIS_YEAR, 5, 5, 5, 5, 5, 5)

    average = programme_averages(organisation=ours, years=[THIS_YEAR])[THIS_YEAR]

    assert average.others == 3
    assert average.levels == _levels(*[3.0] * 6)  # (2+2+5)/3, not (2+2+2+5)/4


def test_results_page_shows_the_average_only_with_three_others(client, actors, programme_of_five):
    ours, (first, second, third, _fourth), _outsider = programme_of_five
    admin = AdminMembershipFactory(organisation=ours).user
    _assessment(ours, THIS_YEAR, 1, 1, 1, 1, 1, 1)
    _assessment(ours, THIS_YEAR - 1, 1, 1, 1, 1, 1, 1)
    for other, value in ((first, 2), (second, 3), (third, 5)):
        _assessment(other, THIS_YEAR, *[value] * 6)
    for other in (first, second):
        _assessment(other, THIS_YEAR - 1, *[4] * 6)
    client.force_login(admin)

    page = client.get(_results_url(ours)).content.decode()

    assert f"{THIS_YEAR}: the average of 3 other organisations." in page
    assert f"{THIS_YEAR - 1}: 2 other organisations answered, too few to show an average." in page
    assert ">3.3</td>" in page  # (2+3+5)/3
    assert ">4.0</td>" not in page  # last year's two answers stay hidden


def test_results_page_without_a_programme_says_so(client, actors):
    _assessment(actors["organisation"], THIS_YEAR, 1, 2, 3, 4, 5, 1)
    client.force_login(actors["member"])

    page = client.get(_results_url(actors["organisation"])).content.decode()

    assert "No programme follows" in page


# The weakest areas


@pytest.mark.parametrize(
    ("values", "weakest"),
    [
        ((3, 2, 4, 2, 5, 1), ["systematic_learning", "competence"]),  # a tie at 2 goes in the FORAN order
        ((2, 2, 2, 2, 2, 2), ["management_anchoring", "competence"]),
        ((5, 5, 4, 5, 5, 5), ["internal_collaboration"]),  # only one below the top
        ((5, 5, 5, 5, 5, 5), []),
    ],
)
def test_weakest_capabilities(actors, values, weakest):
    assessment = _assessment(actors["organisation"], THIS_YEAR, *values)

    assert weakest_capabilities(assessment) == weakest


def test_suggestions_give_the_next_level_and_the_latest_three_published_case_studies(actors):
    assessment = _assessment(actors["organisation"], THIS_YEAR, 3, 2, 4, 3, 5, 1)
    now = timezone.now()
    learning = [
        PublishedCaseStudyFactory(capability="systematic_learning", published_at=now - timedelta(days=days))
        for days in (40, 10, 30, 20)
    ]
    PublishedCaseStudyFactory(
        capability="systematic_learning", status=CaseStudyStatus.DRAFT, published_at=None
    )
    competence = PublishedCaseStudyFactory(capability="competence")
    PublishedCaseStudyFactory(capability="supplier_dialogue")  # not among the weakest

    suggestions = suggestions_for(assessment=assessment)

    assert [(s.capability, s.level, s.next_level) for s in suggestions] == [
        ("systematic_learning", 1, 2),
        ("competence", 2, 3),
    ]
    assert suggestions[0].next_step == DESCRIPTIONS[Capability.SYSTEMATIC_LEARNING][1]
    assert suggestions[0].case_studies == [learning[1], learning[3], learning[2]]  # 10, 20, 30 days ago
    assert suggestions[1].case_studies == [competence]


def test_upcoming_exchanges_are_public_future_and_open_for_registration(db):
    soon = ExchangeEventFactory(starts_at=timezone.now() + timedelta(days=20))
    later = ExchangeEventFactory()  # 40 days ahead
    PlanningEventFactory()
    ExchangeEventFactory(status=EventStatus.REGISTRATION_CLOSED)
    ExchangeEventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))
    ExchangeEventFactory(registration_opens_at=timezone.now() + timedelta(days=1))
    ExchangeEventFactory(
        status=EventStatus.REGISTRATION_OPEN,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(hours=3),
        registration_closes_at=None,
        cancellation_cutoff=None,
    )

    assert [item.event for item in upcoming_exchanges()] == [soon, later]


def test_upcoming_exchanges_with_a_case_study_on_the_weakest_areas_come_first(db):
    learning = PublishedCaseStudyFactory(capability="systematic_learning")
    competence = PublishedCaseStudyFactory(capability="competence")
    dialogue = PublishedCaseStudyFactory(capability="supplier_dialogue")
    draft = PublishedCaseStudyFactory(
        capability="competence", status=CaseStudyStatus.DRAFT, published_at=None
    )
    soonest = ExchangeEventFactory(starts_at=timezone.now() + timedelta(days=10))
    PublishedAgendaSessionFactory(event=soonest).case_studies.add(dialogue)  # not a weak area
    on_learning = ExchangeEventFactory(starts_at=timezone.now() + timedelta(days=30))
    PublishedAgendaSessionFactory(event=on_learning).case_studies.add(learning)
    on_both = ExchangeEventFactory(starts_at=timezone.now() + timedelta(days=50))
    PublishedAgendaSessionFactory(event=on_both).case_studies.add(competence)
    PublishedAgendaSessionFactory(event=on_both).case_studies.add(learning)
    # Links that do not count: an agenda change not yet published, a draft case study.
    unpublished = ExchangeEventFactory(starts_at=timezone.now() + timedelta(days=20))
    AgendaSessionFactory(event=unpublished).case_studies.add(competence)
    PublishedAgendaSessionFactory(event=unpublished).case_studies.add(draft)

    items = upcoming_exchanges(capabilities=["systematic_learning", "competence"])

    assert [(item.event, item.capabilities) for item in items] == [
        (on_learning, ["systematic_learning"]),
        (on_both, ["systematic_learning", "competence"]),
        (soonest, []),
    ]


def test_results_page_says_which_exchanges_are_on_the_weakest_areas(client, actors):
    _assessment(actors["organisation"], THIS_YEAR, 4, 4, 4, 2, 4, 4)
    dialogue = PublishedCaseStudyFactory(capability="supplier_dialogue")
    ExchangeEventFactory(title="Exchange in Tartu", starts_at=timezone.now() + timedelta(days=10))
    on_dialogue = ExchangeEventFactory(
        title="Exchange in Turku", starts_at=timezone.now() + timedelta(days=30)
    )
    PublishedAgendaSessionFactory(event=on_dialogue).case_studies.add(dialogue)
    client.force_login(actors["member"])

    page = client.get(_results_url(actors["organisation"])).content.decode()

    turku, tartu = page.index("Exchange in Turku"), page.index("Exchange in Tartu")
    assert turku < tartu
    assert "A case study on the agenda is about: Dialogue with suppliers." in page[turku:tartu]
    assert "No case study on its agenda is about your weakest areas." in page[tartu:]


def test_results_page_shows_the_suggestions(client, actors):
    _assessment(actors["organisation"], THIS_YEAR - 1, 1, 1, 1, 1, 1, 1)
    _assessment(actors["organisation"], THIS_YEAR, 4, 4, 4, 2, 4, 4)
    case_study = PublishedCaseStudyFactory(capability="supplier_dialogue", title="Our first market day")
    event = ExchangeEventFactory(title="Exchange in Tartu")
    client.force_login(actors["member"])

    page = client.get(_results_url(actors["organisation"])).content.decode()

    assert "Dialogue with suppliers" in page
    assert str(DESCRIPTIONS[Capability.SUPPLIER_DIALOGUE][2]).replace("'", "&#x27;") in page
    assert case_study.get_absolute_url() in page
    assert event.get_absolute_url() in page
    assert "Exchange in Tartu" in page


def test_results_page_chart_is_accessible_svg(client, actors):
    _assessment(actors["organisation"], THIS_YEAR - 1, 1, 2, 3, 4, 5, 1)
    _assessment(actors["organisation"], THIS_YEAR, 2, 2, 3, 4, 5, 2)
    client.force_login(actors["member"])

    page = client.get(_results_url(actors["organisation"])).content.decode()

    svg = page[page.index('<svg role="img"') : page.index("</svg>")]
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg and '<desc id="chart-desc">' in svg
    assert "style=" not in svg
    assert "<table" in page and "Results by year" in page
    # Level 5 of 5 spans the whole plot (390 units wide); level 2 two fifths of it.
    assert 'width="390.0"' in svg and 'width="156.0"' in svg


# The questionnaire


def test_questionnaire_renders_a_fieldset_per_capability_with_described_levels(client, actors):
    client.force_login(actors["admin"])

    page = client.get(_form_url(actors["organisation"])).content.decode()

    assert page.count("<fieldset") == 6
    assert page.count('type="radio"') == 30
    assert "<legend" in page
    assert str(DESCRIPTIONS[Capability.MANAGEMENT_ANCHORING][4]).replace("'", "&#x27;") in page


def test_questionnaire_saves_and_redirects(client, actors):
    client.force_login(actors["admin"])

    response = client.post(_form_url(actors["organisation"]), _form_data(2, 3, 2, 1, 3, 2, notes="Start."))

    assert response.status_code == 302
    assessment = CapabilityAssessment.objects.get(organisation=actors["organisation"], year=THIS_YEAR)
    assert (assessment.levels(), assessment.notes) == (_levels(2, 3, 2, 1, 3, 2), "Start.")
    assert AuditEvent.objects.filter(action="insight.capability_assessment_submitted").count() == 1


def test_questionnaire_missing_answer_keeps_the_others(client, actors):
    client.force_login(actors["admin"])
    data = _form_data(2, 3, 2, 1, 3, 2, notes="Half done.")
    del data["supplier_dialogue"]
    data["competence"] = "9"

    response = client.post(_form_url(actors["organisation"]), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_supplier_dialogue_0"' in page
    assert "Choose the level that describes your organisation best." in page
    assert "Select a valid choice." in page
    assert 'name="management_anchoring" value="2"' in page and "Half done." in page
    assert not CapabilityAssessment.objects.exists()


def test_questionnaire_starts_from_last_year_and_revises_this_year(client, actors):
    organisation = actors["organisation"]
    _assessment(organisation, THIS_YEAR - 1, 1, 2, 3, 4, 5, 1, notes="Old notes.")
    client.force_login(actors["admin"])

    page = client.get(_form_url(organisation)).content.decode()

    assert f"Your answers for {THIS_YEAR - 1} are filled in" in page
    assert "Old notes." not in page
    assert page.count(" checked") == 6


def test_questionnaire_for_a_closed_year_sends_back_with_a_message(client, actors):
    client.force_login(actors["admin"])

    response = client.get(_form_url(actors["organisation"], THIS_YEAR - 2), follow=True)

    assert response.redirect_chain[-1][0] == _results_url(actors["organisation"])
    assert f"You can answer for {THIS_YEAR - 1} or {THIS_YEAR} only." in response.content.decode()


# Who may see and answer


GRID = [
    # actor, results, questionnaire (GET), questionnaire (POST)
    ("anonymous", 302, 302, 302),
    ("member", 200, 404, 404),
    ("admin", 200, 200, 302),
    ("other_admin", 404, 404, 404),
    ("supplier", 404, 404, 404),
    ("staff", 200, 404, 404),
]


@pytest.mark.parametrize(("actor", "results", "form_get", "form_post"), GRID)
def test_capability_pages_access(client, actors, actor, results, form_get, form_post):
    organisation = actors["organisation"]
    _assessment(organisation, THIS_YEAR - 1, 1, 2, 3, 4, 5, 1)
    if user := actors[actor]:
        client.force_login(user)

    assert client.get(_results_url(organisation)).status_code == results
    assert client.get(_form_url(organisation)).status_code == form_get
    response = client.post(_form_url(organisation), _form_data(*[3] * 6))

    assert response.status_code == form_post
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    assert CapabilityAssessment.objects.filter(year=THIS_YEAR).exists() == (actor == "admin")


def test_capability_pages_of_a_supplier_organisation_are_a_404_even_to_its_admin(client, actors):
    client.force_login(actors["supplier"])

    assert client.get(_results_url(actors["supplier_organisation"])).status_code == 404
    assert client.get(_form_url(actors["supplier_organisation"])).status_code == 404


def test_answer_buttons_show_only_to_admins(client, actors):
    for actor, shown in (("admin", True), ("member", False), ("staff", False)):
        client.force_login(actors[actor])
        page = client.get(_results_url(actors["organisation"])).content.decode()
        assert (_form_url(actors["organisation"]) in page) == shown


@pytest.mark.parametrize("rows", [1, 4])
def test_results_page_query_count(client, django_assert_num_queries, actors, rows):
    organisation = actors["organisation"]
    others = BuyerFactory.create_batch(3)
    ProgrammeFactory(buyers=[organisation, *others])
    for year in range(THIS_YEAR - rows + 1, THIS_YEAR + 1):
        _assessment(organisation, year, 3, 2, 4, 3, 5, 1)
        for other in others:
            _assessment(other, year, 2, 2, 2, 2, 2, 2)
    for capability in ("competence", "systematic_learning"):
        PublishedCaseStudyFactory.create_batch(rows, capability=capability)
    for event in ExchangeEventFactory.create_batch(rows):
        # Agendas that present case studies on the weakest areas, to rank the exchanges by.
        for case_study in PublishedCaseStudyFactory.create_batch(rows, capability="systematic_learning"):
            PublishedAgendaSessionFactory(event=event).case_studies.add(case_study)
    client.force_login(actors["member"])

    # session, user, roles (the header's memberships too), organisation, assessments, programme averages,
    # programmes, case studies, exchanges; the header's unread notifications
    with django_assert_num_queries(10):
        response = client.get(_results_url(organisation))

    assert response.status_code == 200


# The demo


def _demo_base() -> None:
    """What load_insight_demo needs of the base demo (portal/web/demo.py): its programme organisation and
    buyers, each with its procurer as admin (built here rather than by load_demo, which is slow)."""
    ProgrammeOrganisationFactory(name=PROGRAMME_NAME)
    for city, country, region, name in BUYERS:
        AdminMembershipFactory(
            organisation=BuyerFactory(name=name, city=city, country=country, region=region),
            user=UserFactory(email=f"procurer@{city.lower()}.example.org"),
        )
    BuyerFactory(city="Trondheim")  # another organisation in the same city is left alone


def test_demo_without_the_base_demo_does_nothing(db):
    assert load_insight_demo() is None
    assert not Programme.objects.exists()


def test_demo_programme_volumes_and_assessments_twice_changes_nothing(client):
    _demo_base()
    load_insight_demo()
    counts = (
        ProcurementVolume.objects.count(),
        CapabilityAssessment.objects.count(),
        AuditEvent.objects.filter(action__startswith="insight.").count(),
    )
    load_insight_demo()

    assert (
        ProcurementVolume.objects.count(),
        CapabilityAssessment.objects.count(),
        AuditEvent.objects.filter(action__startswith="insight.").count(),
    ) == counts
    programme = Programme.objects.get(organisation__name=PROGRAMME_NAME)
    assert programme.buyers.count() == 6
    assert counts[:2] == (18, 10)
    trondheim = programme.buyers.get(city="Trondheim")
    assert set(ProcurementVolume.objects.filter(organisation=trondheim).values_list("year", "currency")) == {
        # This year and the two before: the dashboard's default period.
        (year, "NOK")
        for year in range(THIS_YEAR - 2, THIS_YEAR + 1)
    }
    assert programme_averages(organisation=trondheim, years=[THIS_YEAR])[THIS_YEAR].shown
    client.force_login(User.objects.get(email="procurer@trondheim.example.org"))
    page = client.get(_results_url(trondheim)).content.decode()
    assert f"{THIS_YEAR}: the average of 4 other organisations." in page
