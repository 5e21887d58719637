import factory
from django.utils import timezone

from exchanges.surveys.enums import QuestionKind, SurveyKind, SurveyStatus
from exchanges.surveys.models import Answer, Choice, Completion, Question, Response, Survey

from .accounts import ProgrammeStaffFactory, UserFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    """A draft survey without questions; OpenSurveyFactory for one that accepts answers."""

    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Survey {n}")
    intro = "Tell us what you think."
    kind = SurveyKind.CUSTOM
    status = SurveyStatus.DRAFT
    created_by = factory.SubFactory(ProgrammeStaffFactory)


class OpenSurveyFactory(SurveyFactory):
    status = SurveyStatus.OPEN


class QuestionFactory(factory.django.DjangoModelFactory):
    """A free-text question; pass kind and add ChoiceFactory rows for choice questions."""

    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n + 1)
    key = factory.Sequence(lambda n: f"question-{n}")
    kind = QuestionKind.TEXT
    text = factory.Sequence(lambda n: f"Question {n}?")


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, kind=QuestionKind.SINGLE)
    position = factory.Sequence(lambda n: n + 1)
    value = factory.Sequence(lambda n: f"option-{n}")
    label = factory.Sequence(lambda n: f"Option {n}")


class ResponseFactory(factory.django.DjangoModelFactory):
    """A draft; SubmittedResponseFactory for a submitted one (add its Completion yourself if needed)."""

    class Meta:
        model = Response

    survey = factory.SubFactory(OpenSurveyFactory)
    respondent = factory.SubFactory(UserFactory)


class SubmittedResponseFactory(ResponseFactory):
    submitted_at = factory.LazyFunction(timezone.now)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory, survey=factory.SelfAttribute("..response.survey"))
    value = "An answer in my own words."


class CompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Completion

    survey = factory.SubFactory(OpenSurveyFactory)
    user = factory.SubFactory(UserFactory)
