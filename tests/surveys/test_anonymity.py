"""Anonymous surveys are unlinkable: once submitted, nothing in a response (or its answers, or the audit log)
can be joined or ordered back to the person; only the Completion says that they answered."""

import uuid
from datetime import UTC, datetime

import pytest
import time_machine

from exchanges.surveys import services
from exchanges.surveys.models import Answer, Completion, Response
from exchanges.surveys.selectors import draft_for, has_completed, survey_results
from exchanges.surveys.services import SurveyError, save_answers
from portal.audit.models import AuditEvent
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_survey(staff):
    survey = services.create_survey_from_template(
        template="reflection", title="Reflection", by=staff, is_anonymous=True
    )
    return services.open_survey(survey=survey, by=staff)


def _answers(learning: str) -> dict:
    return {
        "differences": "Tartu asks the market first.",
        "surprises": "Open data everywhere.",
        "learnings": learning,
        "bring_back_to": "My team",
        "overall": 5,
        "commitment": "Run a market dialogue.",
        "quote_consent": "yes",
    }


def test_anonymous_response_has_no_respondent_random_key_and_the_date_only(anonymous_survey):
    person = UserFactory()
    with time_machine.travel(datetime(2026, 5, 12, 14, 37, 21, tzinfo=UTC), tick=False):
        save_answers(survey=anonymous_survey, user=person, data={"learnings": "draft"}, submit=False)
        assert draft_for(survey=anonymous_survey, user=person).respondent == person
        save_answers(survey=anonymous_survey, user=person, data=_answers("Ask early."), submit=True)

    response = Response.objects.get(survey=anonymous_survey)
    midnight = datetime(2026, 5, 12, tzinfo=UTC)
    # Every column of the row, so that a new column must be thought about here.
    assert {field.attname for field in Response._meta.concrete_fields} == {
        "id",
        "survey_id",
        "respondent_id",
        "submitted_at",
        "created_at",
        "updated_at",
    }
    assert response.respondent_id is None
    assert isinstance(response.id, uuid.UUID) and response.id.version == 4
    assert response.submitted_at == response.created_at == response.updated_at == midnight
    assert all(answer.id.version == 4 for answer in Answer.objects.all())
    assert {field.attname for field in Answer._meta.concrete_fields} == {
        "id",
        "response_id",
        "question_id",
        "value",
    }
    # The draft that named the person is gone; the completion is the only trace of who answered.
    assert not Response.objects.filter(respondent=person).exists()
    assert draft_for(survey=anonymous_survey, user=person) is None
    completion = Completion.objects.get()
    assert completion.user == person
    assert completion.completed_at == datetime(2026, 5, 12, 14, 37, 21, tzinfo=UTC)
    assert has_completed(survey=anonymous_survey, user=person) is True


def test_audit_log_never_names_an_anonymous_response(anonymous_survey):
    person = UserFactory()
    save_answers(survey=anonymous_survey, user=person, data=_answers("Ask early."), submit=True)
    response = Response.objects.get()

    entry = AuditEvent.objects.get(action="survey.submitted")
    assert entry.actor == person
    assert entry.target_id == str(anonymous_survey.pk)
    assert str(response.pk) not in str(entry.data)
    assert not AuditEvent.objects.filter(target_id=str(response.pk)).exists()


def test_order_of_responses_does_not_follow_order_of_completions(anonymous_survey):
    people = UserFactory.create_batch(6)
    with time_machine.travel(datetime(2026, 5, 12, 9, 0, tzinfo=UTC)) as traveller:
        for index, person in enumerate(people):
            traveller.shift(60)
            save_answers(
                survey=anonymous_survey, user=person, data=_answers(f"Learning {index}"), submit=True
            )

    completions = list(Completion.objects.order_by("completed_at", "pk").values_list("user_id", flat=True))
    assert completions == [person.pk for person in people]
    responses = list(Response.objects.filter(survey=anonymous_survey))
    # Nothing in the rows to order them by but their random keys: all share one timestamp and no person.
    assert {(r.submitted_at, r.created_at, r.updated_at) for r in responses} == {
        (datetime(2026, 5, 12, tzinfo=UTC),) * 3
    }
    assert {r.respondent_id for r in responses} == {None}
    assert len({r.id for r in responses}) == 6
    # Ordering by key gives some permutation unrelated to who came first: check that the keys are random
    # (version 4), not time-based (version 1) or sequential.
    assert all(r.id.version == 4 for r in responses)
    # The results still count every response.
    assert survey_results(survey=anonymous_survey).respondents == 6


def test_anonymous_survey_is_still_one_submission_per_person(anonymous_survey):
    person = UserFactory()
    save_answers(survey=anonymous_survey, user=person, data=_answers("Once"), submit=True)

    with pytest.raises(SurveyError, match="already submitted"):
        save_answers(survey=anonymous_survey, user=person, data=_answers("Twice"), submit=True)

    assert Response.objects.count() == 1


def test_anonymity_cannot_change_once_people_have_started(anonymous_survey, staff):
    save_answers(survey=anonymous_survey, user=UserFactory(), data={"learnings": "draft"}, submit=False)

    with pytest.raises(SurveyError, match="cannot change once people have started") as excinfo:
        services.update_survey(survey=anonymous_survey, by=staff, title="Reflection", is_anonymous=False)

    assert excinfo.value.field == "is_anonymous"
