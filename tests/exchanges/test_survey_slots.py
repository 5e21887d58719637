"""A survey built in the survey builder becomes answerable once staff make it an event's pre-exchange or
reflection survey from the planning page; or staff start an empty one there."""

import pytest
from django.urls import reverse

from exchanges.services.events import ExchangeStateError
from exchanges.services.surveys import attach_event_survey, create_event_survey, open_event_survey
from exchanges.surveys import services as survey_services
from exchanges.surveys.enums import SurveyKind
from tests.factories.exchanges import ExchangeEventFactory, PublishedAgendaSessionFactory, RegistrationFactory
from tests.factories.surveys import CompletionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_staff_attach_a_builder_survey_and_participants_answer_it(client, staff):
    event = ExchangeEventFactory()
    survey = survey_services.create_survey_from_template(template="pre_exchange", title="Our own", by=staff)
    participant = RegistrationFactory(event=event)
    client.force_login(staff)
    planning = client.get(reverse("exchanges:event-planning", args=[event.pk])).content.decode()
    assert f'<option value="{survey.pk}">Our own' in planning

    response = client.post(reverse("exchanges:survey-attach", args=[event.pk, "pre"]), {"survey": survey.pk})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.pre_survey == survey
    open_event_survey(event=event, which="pre", by=staff)
    client.force_login(participant.user)
    page = client.get(reverse("exchanges:event-survey", args=[event.pk, "pre"])).content.decode()
    assert "Our own" in page
    assert 'name="learn"' in page


def test_a_custom_survey_fits_either_slot_and_the_reflection_gets_session_ratings(staff):
    event = ExchangeEventFactory()
    session = PublishedAgendaSessionFactory(event=event, title="Site visit")
    custom = SurveyFactory(kind=SurveyKind.CUSTOM, created_by=staff)

    attach_event_survey(event=event, which="reflection", survey=custom, by=staff)

    event.refresh_from_db()
    assert event.reflection_survey == custom
    assert list(custom.questions.values_list("key", "text")) == [
        (session.rating_key, "How useful was “Site visit”?")
    ]


@pytest.mark.parametrize(
    ("which", "kind", "message"),
    [
        ("pre", SurveyKind.REFLECTION, "Choose a pre-exchange survey or a custom one."),
        ("reflection", SurveyKind.PRE_EXCHANGE, "Choose a reflection survey or a custom one."),
    ],
)
def test_a_survey_of_the_other_kind_is_refused(staff, which, kind, message):
    event = ExchangeEventFactory()

    with pytest.raises(ExchangeStateError, match=message):
        attach_event_survey(event=event, which=which, survey=SurveyFactory(kind=kind), by=staff)


def test_a_survey_of_another_exchange_or_with_answers_is_refused(client, staff):
    other = ExchangeEventFactory()
    taken = create_event_survey(event=other, which="pre", by=staff)
    answered = SurveyFactory(kind=SurveyKind.PRE_EXCHANGE)
    CompletionFactory(survey=answered)
    event = ExchangeEventFactory()

    with pytest.raises(ExchangeStateError, match="already belongs to an exchange"):
        attach_event_survey(event=event, which="pre", survey=taken, by=staff)
    with pytest.raises(ExchangeStateError, match="People have already answered that survey"):
        attach_event_survey(event=event, which="pre", survey=answered, by=staff)
    client.force_login(staff)
    response = client.post(
        reverse("exchanges:survey-attach", args=[event.pk, "pre"]), {"survey": taken.pk}, follow=True
    )
    assert "Choose a survey that belongs to no exchange yet." in response.content.decode()
    event.refresh_from_db()
    assert event.pre_survey is None


def test_planning_offers_each_slot_the_surveys_of_its_kind(client, staff):
    event = ExchangeEventFactory()
    pre = SurveyFactory(kind=SurveyKind.PRE_EXCHANGE, title="Wishes survey")
    reflection = SurveyFactory(kind=SurveyKind.REFLECTION, title="Lessons survey")
    client.force_login(staff)

    page = client.get(reverse("exchanges:event-planning", args=[event.pk])).content.decode()

    pre_card = page[page.index('id="survey-pre-title"') : page.index('id="survey-reflection-title"')]
    reflection_card = page[page.index('id="survey-reflection-title"') :]
    assert f'value="{pre.pk}"' in pre_card
    assert f'value="{reflection.pk}"' not in pre_card
    assert f'value="{reflection.pk}"' in reflection_card
    assert f'value="{pre.pk}"' not in reflection_card


def test_staff_start_an_empty_survey_for_the_event(client, staff):
    event = ExchangeEventFactory(title="Tartu")
    client.force_login(staff)

    response = client.post(reverse("exchanges:survey-create", args=[event.pk, "pre"]), {"start": "empty"})

    event.refresh_from_db()
    survey = event.pre_survey
    assert (survey.kind, survey.title, survey.questions.count()) == (
        SurveyKind.PRE_EXCHANGE,
        "Before the exchange: Tartu",
        0,
    )
    assert response["Location"] == survey.get_absolute_url()
