"""Query budgets of the staff-exchange pages (exchanges/) and of the survey builder (exchanges/surveys/): each
renders with the same number of queries with 1 and with 50 rows (registrations, agenda sessions with
speakers, survey responses, questions, events, reports …) and at most 15.

Every exchange page is measured on one scene: an event of a programme with a published agenda, an open
pre-exchange survey (from its template) and a reflection survey, one confirmed registration that answered,
and a published reflection report. Growing the scene adds, per row, a registration that answered the
pre-exchange survey, a published session it speaks at, an event of the programme and a published report."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exchanges.enums import EventStatus
from exchanges.services.surveys import create_event_survey, open_event_survey
from exchanges.surveys.enums import QuestionKind
from exchanges.surveys.services import save_answers
from tests.budgets.budget import assert_flat_budget
from tests.factories.accounts import MembershipFactory, ProgrammeOrganisationFactory, TOTPAuthenticatorFactory
from tests.factories.casestudies import ExchangeCaseStudyFactory
from tests.factories.exchanges import (
    CalendarFeedFactory,
    ExchangeEventFactory,
    ExchangeProgrammeFactory,
    PublishedAgendaSessionFactory,
    PublishedReflectionReportFactory,
    RegistrationFactory,
)
from tests.factories.surveys import (
    AnswerFactory,
    ChoiceFactory,
    QuestionFactory,
    SubmittedResponseFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db

PAGES = {
    "exchanges:programme-list",
    "exchanges:case-study-list",
    "exchanges:programme-create",
    "exchanges:my-registrations",
    "exchanges:calendar-feed",
    "exchanges:event-detail",
    "exchanges:event-agenda",
    "exchanges:event-calendar",
    "exchanges:report-detail",
    "exchanges:event-register",
    "exchanges:participant-list",
    "exchanges:event-survey",
    "exchanges:registration-edit",
    "exchanges:registration-cancel",
    "exchanges:event-edit",
    "exchanges:event-planning",
    "exchanges:participants-csv",
    "exchanges:agenda-edit",
    "exchanges:session-edit",
    "exchanges:survey-results",
    "exchanges:report-edit",
    "exchanges:programme-detail",
    "exchanges:programme-reports",
    "exchanges:event-create",
    "surveys:survey-list",
    "surveys:survey-create",
    "surveys:survey-detail",
    "surveys:survey-update",
    "surveys:survey-preview",
    "surveys:survey-results",
    "surveys:survey-export",
    "surveys:question-create",
    "surveys:question-update",
    "surveys:question-delete",
}

POST_ONLY = {
    "exchanges:feed-regenerate",
    "exchanges:event-status",
    "exchanges:agenda-generate",
    "exchanges:agenda-publish",
    "exchanges:proposal-dismiss",
    "exchanges:session-delete",
    "exchanges:survey-create",
    "exchanges:survey-attach",
    "exchanges:survey-state",
    "exchanges:survey-remind",
    "exchanges:report-action",
    "surveys:survey-open",
    "surveys:survey-close",
    "surveys:question-move",
}

PRE_ANSWERS = {
    "themes": ["market-dialogue", "sustainability"],
    "learn": "How to talk to the market",
    "roles": ["present_case"],
    "case_topic": "Smart school meals",
    "free_time": ["sauna"],
}


def _staff():
    user = TOTPAuthenticatorFactory().user
    MembershipFactory(user=user, organisation=ProgrammeOrganisationFactory())
    return user


class Scene:
    def __init__(self):
        self.staff = _staff()
        self.programme = ExchangeProgrammeFactory()
        self.event = ExchangeEventFactory(
            programme=self.programme, agenda_published_at=timezone.now() - datetime.timedelta(days=1)
        )
        self.sessions = 0
        self.session = self._session()
        self.pre = create_event_survey(event=self.event, which="pre", by=self.staff)
        open_event_survey(event=self.event, which="pre", by=self.staff)
        self.reflection = create_event_survey(event=self.event, which="reflection", by=self.staff)
        self.report = PublishedReflectionReportFactory(event=ExchangeEventFactory(programme=self.programme))
        self.registration = self._registration()

    def _session(self):
        starts_at = self.event.starts_at + datetime.timedelta(minutes=10 * self.sessions)
        self.sessions += 1
        return PublishedAgendaSessionFactory(
            event=self.event, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=10)
        )

    def _registration(self):
        registration = RegistrationFactory(event=self.event)
        save_answers(survey=self.pre, user=registration.user, data=PRE_ANSWERS, submit=True)
        return registration

    def grow(self, n: int) -> None:
        for _n in range(n):
            registration = self._registration()
            self._session().speakers.add(registration)
            ExchangeEventFactory(programme=self.programme)
            PublishedReflectionReportFactory(event=ExchangeEventFactory(programme=self.programme))


def _event_url(name, who="staff", status=200, **kwargs):
    def case(client):
        scene = Scene()
        user = scene.staff if who == "staff" else scene.registration.user
        client.force_login(user)
        return reverse(name, kwargs={"pk": scene.event.pk, **kwargs}), scene.grow, status

    return case


def _programme_list(client):
    scene = Scene()

    def grow(n):
        for _n in range(n):
            ExchangeEventFactory(programme=ExchangeProgrammeFactory())
        scene.grow(n)

    return reverse("exchanges:programme-list"), grow, 200


def _case_study_list(client):
    ExchangeCaseStudyFactory()
    return reverse("exchanges:case-study-list"), ExchangeCaseStudyFactory.create_batch, 301


def _staff_form(name):
    def case(client):
        scene = Scene()
        client.force_login(scene.staff)
        kwargs = {"slug": scene.programme.slug} if name == "exchanges:event-create" else {}
        return reverse(name, kwargs=kwargs), scene.grow, 200

    return case


def _my_registrations(client):
    registration = RegistrationFactory()
    client.force_login(registration.user)

    def grow(n):
        for _n in range(n):
            RegistrationFactory(user=registration.user, organisation=registration.organisation)

    return reverse("exchanges:my-registrations"), grow, 200


def _calendar_feed(client):
    registration = RegistrationFactory()
    feed = CalendarFeedFactory(user=registration.user)

    def grow(n):
        for _n in range(n):
            event = RegistrationFactory(user=registration.user, organisation=registration.organisation).event
            PublishedAgendaSessionFactory(event=event)

    return reverse("exchanges:calendar-feed", args=[feed.token]), grow, 200


def _public_event(name, status=200):
    def case(client):
        scene = Scene()
        return reverse(name, args=[scene.event.pk]), scene.grow, status

    return case


def _report_detail(client):
    scene = Scene()
    return reverse("exchanges:report-detail", args=[scene.report.event.pk]), scene.grow, 200


def _report_edit(client):
    scene = Scene()
    scene.event.status = EventStatus.COMPLETED
    scene.event.save(update_fields=["status"])
    client.force_login(scene.staff)
    return reverse("exchanges:report-edit", args=[scene.event.pk]), scene.grow, 200


def _event_register(client):
    scene = Scene()
    client.force_login(MembershipFactory().user)
    return reverse("exchanges:event-register", args=[scene.event.pk]), scene.grow, 200


def _registration_page(name):
    def case(client):
        scene = Scene()
        client.force_login(scene.registration.user)
        return reverse(name, args=[scene.registration.pk]), scene.grow, 200

    return case


def _session_edit(client):
    scene = Scene()
    client.force_login(scene.staff)
    scene.session.speakers.add(scene.registration)
    return reverse("exchanges:session-edit", args=[scene.session.pk]), scene.grow, 200


def _programme_page(name):
    def case(client):
        scene = Scene()
        return reverse(name, args=[scene.programme.slug]), scene.grow, 200

    return case


# --- The survey builder ------------------------------------------------------------------------------------


class SurveyScene:
    """A survey with a text, a single-choice and a scale question, and one submitted response that answers
    them; growing adds, per row, a text question and a submitted response answering the first three."""

    def __init__(self):
        self.staff = _staff()
        self.survey = SurveyFactory(created_by=self.staff)
        self.text = QuestionFactory(survey=self.survey, kind=QuestionKind.TEXT)
        self.single = QuestionFactory(survey=self.survey, kind=QuestionKind.SINGLE)
        self.choice = ChoiceFactory(question=self.single)
        ChoiceFactory(question=self.single)
        self.scale = QuestionFactory(survey=self.survey, kind=QuestionKind.SCALE, scale_min=1, scale_max=5)
        self._response()

    def _response(self):
        response = SubmittedResponseFactory(survey=self.survey)
        AnswerFactory(response=response, question=self.text, value="Well")
        AnswerFactory(response=response, question=self.single, value=self.choice.value)
        AnswerFactory(response=response, question=self.scale, value=4)

    def grow(self, n: int) -> None:
        for _n in range(n):
            QuestionFactory(survey=self.survey, kind=QuestionKind.TEXT)
            self._response()


def _survey_page(name, question=False):
    def case(client):
        scene = SurveyScene()
        client.force_login(scene.staff)
        kwargs = {"pk": scene.survey.pk}
        if question:
            kwargs["question_pk"] = scene.single.pk
        return reverse(name, kwargs=kwargs), scene.grow, 200

    return case


def _survey_list(client):
    scene = SurveyScene()
    client.force_login(scene.staff)

    def grow(n):
        SurveyFactory.create_batch(n, created_by=scene.staff)
        scene.grow(n)

    return reverse("surveys:survey-list"), grow, 200


def _survey_create(client):
    scene = SurveyScene()
    client.force_login(scene.staff)
    return reverse("surveys:survey-create"), scene.grow, 200


CASES = {
    "exchanges:programme-list": _programme_list,
    "exchanges:case-study-list": _case_study_list,
    "exchanges:programme-create": _staff_form("exchanges:programme-create"),
    "exchanges:my-registrations": _my_registrations,
    "exchanges:calendar-feed": _calendar_feed,
    "exchanges:event-detail": _event_url("exchanges:event-detail"),
    "exchanges:event-agenda": _public_event("exchanges:event-agenda"),
    "exchanges:event-calendar": _public_event("exchanges:event-calendar"),
    "exchanges:report-detail": _report_detail,
    "exchanges:event-register": _event_register,
    "exchanges:participant-list": _event_url("exchanges:participant-list", who="participant"),
    "exchanges:event-survey": _event_url("exchanges:event-survey", who="participant", which="pre"),
    "exchanges:registration-edit": _registration_page("exchanges:registration-edit"),
    "exchanges:registration-cancel": _registration_page("exchanges:registration-cancel"),
    "exchanges:event-edit": _event_url("exchanges:event-edit"),
    "exchanges:event-planning": _event_url("exchanges:event-planning"),
    "exchanges:participants-csv": _event_url("exchanges:participants-csv"),
    "exchanges:agenda-edit": _event_url("exchanges:agenda-edit"),
    "exchanges:session-edit": _session_edit,
    "exchanges:survey-results": _event_url("exchanges:survey-results", which="pre"),
    "exchanges:survey-results reflection": _event_url("exchanges:survey-results", which="reflection"),
    "exchanges:report-edit": _report_edit,
    "exchanges:programme-detail": _programme_page("exchanges:programme-detail"),
    "exchanges:programme-reports": _programme_page("exchanges:programme-reports"),
    "exchanges:event-create": _staff_form("exchanges:event-create"),
    "surveys:survey-list": _survey_list,
    "surveys:survey-create": _survey_create,
    "surveys:survey-detail": _survey_page("surveys:survey-detail"),
    "surveys:survey-update": _survey_page("surveys:survey-update"),
    "surveys:survey-preview": _survey_page("surveys:survey-preview"),
    "surveys:survey-results": _survey_page("surveys:survey-results"),
    "surveys:survey-export": _survey_page("surveys:survey-export"),
    "surveys:question-create": _survey_page("surveys:question-create"),
    "surveys:question-update": _survey_page("surveys:question-update", question=True),
    "surveys:question-delete": _survey_page("surveys:question-delete", question=True),
}


def test_every_page_has_a_case():
    assert {name.split(" ")[0] for name in CASES} == PAGES


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_query_budget(client, django_assert_max_num_queries, name):
    url, grow, status = CASES[name](client)

    assert_flat_budget(client, django_assert_max_num_queries, url, grow, status=status)
