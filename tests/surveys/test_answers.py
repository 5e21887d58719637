"""Answering a survey: each kind's rules, required and conditional questions, save and resume, one
submission per person."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchanges.surveys import services
from exchanges.surveys.models import Answer, Completion, Response
from exchanges.surveys.selectors import answers_of, draft_for, has_completed
from exchanges.surveys.services import SurveyError, save_answers
from portal.audit.models import AuditEvent
from tests.factories.accounts import UserFactory

from .conftest import VALID

pytestmark = pytest.mark.django_db


def _errors(excinfo) -> dict:
    return {key: messages[0] for key, messages in excinfo.value.message_dict.items()}


def _submit_errors(survey, user, data) -> dict:
    with pytest.raises(ValidationError) as excinfo:
        save_answers(survey=survey, user=user, data=data, submit=True)
    return _errors(excinfo)


def test_submit_valid_answers_stores_each_kind_in_its_shape(every_kind, person):
    response = save_answers(survey=every_kind, user=person, data=VALID, submit=True)

    assert response.respondent == person
    assert response.submitted_at is not None
    assert answers_of(response=response) == {
        "colour": "green",
        "extras": ["a", "c"],
        "order": ["z", "x"],
        "score": 4,
        "comment": "Fine.",
    }
    assert has_completed(survey=every_kind, user=person) is True
    assert AuditEvent.objects.filter(action="survey.submitted", actor=person).count() == 1


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("colour", "purple", "Choose one of the options."),
        ("colour", ["red", "green"], "Choose one of the options."),
        ("extras", ["a", "d"], "Choose only among the options."),
        ("order", ["x", "x"], "Rank each option only once."),
        ("order", ["x", "w"], "Rank only the options given."),
        ("score", 6, "Choose a number from 1 to 5."),
        ("score", 0, "Choose a number from 1 to 5."),
        ("score", "four", "Choose a number on the scale."),
        ("score", True, "Choose a number on the scale."),
        ("comment", "x" * 5001, "Keep your answer under 5000 characters (it has 5001)."),
        ("comment", ["not", "text"], "Write your answer as text."),
    ],
)
def test_submit_refuses_an_answer_that_breaks_its_kind(every_kind, person, key, value, message):
    errors = _submit_errors(every_kind, person, {**VALID, key: value})

    assert errors == {key: message}
    assert not Completion.objects.exists()


def test_scale_accepts_a_number_posted_as_text(every_kind, person):
    response = save_answers(survey=every_kind, user=person, data={**VALID, "score": "5"}, submit=True)

    assert answers_of(response=response)["score"] == 5


def test_ranking_may_rank_some_options_only(every_kind, person):
    response = save_answers(survey=every_kind, user=person, data={**VALID, "order": ["y"]}, submit=True)

    assert answers_of(response=response)["order"] == ["y"]


def test_required_questions_must_be_answered(every_kind, person):
    errors = _submit_errors(every_kind, person, {"colour": "", "score": None, "comment": "   "})

    assert errors == {"colour": "Answer this question.", "score": "Answer this question."}


def test_conditional_question_is_required_only_when_shown(every_kind, person):
    errors = _submit_errors(every_kind, person, {**VALID, "colour": "red"})

    assert errors == {"why_red": "Answer this question."}


def test_conditional_question_hidden_is_not_required_and_its_answer_discarded(every_kind, person):
    response = save_answers(
        survey=every_kind,
        user=person,
        data={**VALID, "colour": "blue", "why_red": "It is warm."},
        submit=True,
    )

    assert "why_red" not in answers_of(response=response)


def test_conditional_question_shown_keeps_its_answer(every_kind, person):
    response = save_answers(
        survey=every_kind,
        user=person,
        data={**VALID, "colour": "red", "why_red": " It is warm. "},
        submit=True,
    )

    assert answers_of(response=response)["why_red"] == "It is warm."


def test_condition_on_a_multiple_choice_question_and_chained_conditions(staff, person):
    survey = services.create_survey(title="Chain", by=staff)
    roles = services.add_question(
        survey=survey,
        kind="multiple",
        key="roles",
        text="Roles?",
        choices=[("present", "Present"), ("listen", "Listen")],
    )
    topic = services.add_question(
        survey=survey,
        kind="single",
        key="topic",
        text="Topic?",
        required=True,
        choices=[("law", "Law"), ("tech", "Tech")],
        show_if=roles,
        show_if_values=["present"],
    )
    services.add_question(
        survey=survey,
        kind="text",
        key="law_case",
        text="Which law case?",
        required=True,
        show_if=topic,
        show_if_values=["law"],
    )
    services.open_survey(survey=survey, by=staff)

    # "topic" is hidden, so "law_case" is hidden too, even though a stale "law" was posted.
    response = save_answers(
        survey=survey, user=person, data={"roles": ["listen"], "topic": "law", "law_case": "x"}, submit=True
    )

    assert answers_of(response=response) == {"roles": ["listen"]}
    other = UserFactory()
    assert _submit_errors(survey, other, {"roles": ["listen", "present"], "topic": "law"}) == {
        "law_case": "Answer this question."
    }


def test_draft_keeps_what_is_valid_and_resumes(every_kind, person):
    draft = save_answers(
        survey=every_kind,
        user=person,
        data={"colour": "purple", "extras": ["a", "zzz"], "comment": "Half a thought", "score": 9},
        submit=False,
    )

    assert draft.submitted_at is None
    assert draft_for(survey=every_kind, user=person) == draft
    assert answers_of(response=draft) == {"extras": ["a"], "comment": "Half a thought"}
    assert not Completion.objects.exists()

    again = save_answers(survey=every_kind, user=person, data={"comment": "A whole thought"}, submit=False)

    assert again.pk == draft.pk
    assert answers_of(response=again) == {"comment": "A whole thought"}


def test_draft_keeps_answers_to_questions_hidden_for_now(every_kind, person):
    draft = save_answers(
        survey=every_kind,
        user=person,
        data={"colour": "blue", "why_red": "Typed before changing my mind"},
        submit=False,
    )

    assert answers_of(response=draft)["why_red"] == "Typed before changing my mind"


def test_failed_submit_keeps_typed_text_in_the_draft(every_kind, person):
    long_text = "y" * 6000
    errors = _submit_errors(every_kind, person, {"comment": long_text, "extras": ["b"]})

    assert set(errors) == {"colour", "score", "comment"}
    draft = draft_for(survey=every_kind, user=person)
    assert answers_of(response=draft) == {"comment": long_text, "extras": ["b"]}
    assert not Completion.objects.exists()


def test_submit_after_draft_uses_the_same_response(every_kind, person):
    draft = save_answers(survey=every_kind, user=person, data={"comment": "Draft"}, submit=False)

    submitted = save_answers(survey=every_kind, user=person, data=VALID, submit=True)

    assert submitted.pk == draft.pk
    assert Response.objects.count() == 1
    assert draft_for(survey=every_kind, user=person) is None


def test_one_submission_per_person_and_no_change_afterwards(every_kind, person):
    save_answers(survey=every_kind, user=person, data=VALID, submit=True)

    for submit in (True, False):
        with pytest.raises(SurveyError, match="already submitted"):
            save_answers(survey=every_kind, user=person, data={**VALID, "comment": "Changed"}, submit=submit)

    assert Answer.objects.get(question__key="comment").value == "Fine."
    assert Completion.objects.count() == 1


@pytest.mark.parametrize("state", ["draft", "closed", "not_yet_open", "past_closing"])
def test_answers_only_while_the_survey_accepts_them(every_kind, staff, person, state):
    if state == "draft":
        every_kind.status = "draft"
    elif state == "closed":
        every_kind.status = "closed"
    elif state == "not_yet_open":
        every_kind.opens_at = timezone.now() + timedelta(days=1)
    else:
        every_kind.closes_at = timezone.now() - timedelta(minutes=1)
    every_kind.save()

    assert every_kind.is_accepting_answers is False
    with pytest.raises(SurveyError, match="not open for answers"):
        save_answers(survey=every_kind, user=person, data=VALID, submit=False)


def test_signed_out_person_cannot_answer(every_kind):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(SurveyError):
        save_answers(survey=every_kind, user=AnonymousUser(), data=VALID, submit=True)
