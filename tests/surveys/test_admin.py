"""The technical admin of surveys opens for an operator; anonymous responses are read-only there."""

import pytest
from django.urls import reverse

from exchanges.surveys import services
from exchanges.surveys.models import Answer, Choice, Completion, Question, Response, Survey
from exchanges.surveys.services import save_answers
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [Survey, Question, Response, Completion]


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def anonymous_response(staff):
    survey = services.create_survey_from_template(
        template="pre_exchange", title="P", by=staff, is_anonymous=True
    )
    services.open_survey(survey=survey, by=staff)
    save_answers(survey=survey, user=UserFactory(), data={"learn": "Markets"}, submit=True)
    return Response.objects.get(survey=survey)


def _url(model, name, *args):
    return reverse(f"admin:surveys_{model._meta.model_name}_{name}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_admin_changelist_and_change_pages_open(operator_client, anonymous_response, model):
    obj = model.objects.first()

    assert operator_client.get(_url(model, "changelist")).status_code == 200
    assert operator_client.get(_url(model, "change", obj.pk)).status_code == 200


def test_anonymous_response_is_read_only_in_the_admin(operator_client, anonymous_response):
    someone = UserFactory()
    url = _url(Response, "change", anonymous_response.pk)

    page = operator_client.get(url).content.decode()
    changed = operator_client.post(url, {"respondent": someone.pk})
    deleted = operator_client.post(_url(Response, "delete", anonymous_response.pk), {"post": "yes"})

    assert 'name="_save"' not in page
    assert changed.status_code == 403
    assert deleted.status_code == 403
    anonymous_response.refresh_from_db()
    assert anonymous_response.respondent_id is None
    assert Answer.objects.filter(response=anonymous_response).exists()


def test_questions_and_choices_are_read_only_in_the_admin(operator_client, anonymous_response):
    question = Question.objects.get(key="themes")

    page = operator_client.get(_url(Question, "change", question.pk)).content.decode()

    assert 'name="text"' not in page
    assert Choice.objects.filter(question=question).count() == 8
