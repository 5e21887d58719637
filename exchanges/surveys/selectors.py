"""Reads of the survey engine: a survey's aggregated results, quotable texts, who has not answered yet, and
a person's draft. Results count submitted responses only, in a fixed number of queries."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from .enums import QuestionKind
from .models import Answer, Completion, Question, Response, Survey


@dataclass
class ChoiceCount:
    value: str
    label: str
    count: int
    percent: float  # of the people who answered the question


@dataclass
class RankedChoice:
    value: str
    label: str
    score: int  # Borda: of the n options a person ranked, the first scores n, the last 1
    mean_rank: float | None  # 1 is best; over the people who ranked it
    ranked_by: int
    percent_of_top: float  # score as a share of the best score, for the bar


@dataclass
class ScaleCount:
    value: int
    count: int
    percent: float


@dataclass
class QuestionResults:
    question: Question
    answered: int
    choices: list[ChoiceCount] = field(default_factory=list)
    ranking: list[RankedChoice] = field(default_factory=list)
    mean: float | None = None
    distribution: list[ScaleCount] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind


@dataclass
class SurveyResults:
    survey: Survey
    respondents: int
    questions: list[QuestionResults]


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _results_for(question: Question, values: list) -> QuestionResults:
    result = QuestionResults(question=question, answered=len(values))
    labels = {choice.value: choice.label for choice in question.choices.all()}
    if question.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        counts: Counter = Counter()
        for value in values:
            counts.update(set(value) if isinstance(value, list) else {value})
        result.choices = [
            ChoiceCount(value, label, counts[value], _percent(counts[value], len(values)))
            for value, label in labels.items()
        ]
    elif question.kind == QuestionKind.RANKING:
        scores: Counter = Counter()
        ranks: dict[str, list[int]] = defaultdict(list)
        for value in values:
            if not isinstance(value, list):
                continue
            for position, choice in enumerate(value):
                scores[choice] += len(value) - position
                ranks[choice].append(position + 1)
        top = max(scores.values(), default=0)
        ranked = [
            RankedChoice(
                value=value,
                label=label,
                score=scores[value],
                mean_rank=round(sum(ranks[value]) / len(ranks[value]), 2) if ranks[value] else None,
                ranked_by=len(ranks[value]),
                percent_of_top=_percent(scores[value], top),
            )
            for value, label in labels.items()
        ]
        # Best first: highest score, then the better mean rank, then the order of the options.
        order = {value: index for index, value in enumerate(labels)}
        ranked.sort(
            key=lambda item: (
                -item.score,
                item.mean_rank if item.mean_rank is not None else 1e9,
                order[item.value],
            )
        )
        result.ranking = ranked
    elif question.kind == QuestionKind.SCALE:
        numbers = [value for value in values if isinstance(value, int) and not isinstance(value, bool)]
        counts = Counter(numbers)
        result.mean = round(sum(numbers) / len(numbers), 2) if numbers else None
        result.distribution = [
            ScaleCount(value, counts[value], _percent(counts[value], len(numbers)))
            for value in question.scale_values
        ]
    else:
        result.texts = [str(value) for value in values if str(value).strip()]
    return result


def survey_results(*, survey: Survey, respondents: int | None = None) -> SurveyResults:
    """Per question, in order: how many answered it; choice counts and percentages; a ranking's Borda
    scores and mean ranks, best first; a scale's mean and distribution; the free texts. Submitted responses
    only. Four queries, however many responses; three when the caller already counted the submitted
    responses (`respondents`)."""
    questions = list(survey.questions.order_by("position", "pk").prefetch_related("choices"))
    values: dict[int, list] = defaultdict(list)
    # Anonymous responses all carry the date only: their order by random key says nothing about who.
    for question_id, value in (
        Answer.objects.filter(response__survey=survey, response__submitted_at__isnull=False)
        .order_by("response__submitted_at", "response_id")
        .values_list("question_id", "value")
    ):
        values[question_id].append(value)
    return SurveyResults(
        survey=survey,
        respondents=submitted_count(survey=survey) if respondents is None else respondents,
        questions=[_results_for(question, values[question.pk]) for question in questions],
    )


def submitted_count(*, survey: Survey) -> int:
    return Response.objects.filter(survey=survey).submitted().count()


def consenting_texts(
    *, survey: Survey, key: str, consent_key: str = "quote_consent", consent_value: str = "yes"
) -> list[str]:
    """The non-empty text answers to question ``key`` from submitted responses whose answer to
    ``consent_key`` is (or, for a multiple choice, contains) ``consent_value``."""
    rows = (
        Answer.objects.filter(
            response__survey=survey,
            response__submitted_at__isnull=False,
            question__key__in=[key, consent_key],
        )
        .order_by("response__submitted_at", "response_id")
        .values_list("response_id", "question__key", "value")
    )
    texts: dict = {}
    consenting: set = set()
    for response_id, question_key, value in rows:
        if question_key == consent_key:
            if value == consent_value or (isinstance(value, list) and consent_value in value):
                consenting.add(response_id)
        elif isinstance(value, str) and value.strip():
            texts[response_id] = value.strip()
    return [text for response_id, text in texts.items() if response_id in consenting]


def pending_respondents(*, survey: Survey, users: Iterable) -> list:
    """The given users (a queryset or a list) who have not submitted the survey, in the given order."""
    completed = Completion.objects.filter(survey=survey).values_list("user_id", flat=True)
    if isinstance(users, QuerySet):
        return list(users.exclude(pk__in=completed))
    done = set(completed)
    return [user for user in users if user.pk not in done]


def has_completed(*, survey: Survey, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Completion.objects.filter(survey=survey, user=user).exists()


def draft_for(*, survey: Survey, user) -> Response | None:
    """The person's unsubmitted answers, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Response.objects.drafts().filter(survey=survey, respondent=user).first()


def answers_of(*, response: Response | None) -> dict:
    """A response's answers by question key, as SurveyAnswerForm takes them (initial_answers)."""
    if response is None:
        return {}
    return dict(response.answers.values_list("question__key", "value"))


def surveys_for_staff(*, user) -> QuerySet[Survey]:
    return Survey.objects.visible_to(user).select_related("created_by").order_by("-created_at", "-pk")


def questions_for_builder(*, survey: Survey) -> list[Question]:
    return list(
        survey.questions.order_by("position", "pk").select_related("show_if").prefetch_related("choices")
    )


def responses_for_export(*, survey: Survey) -> QuerySet[Response]:
    return (
        Response.objects.filter(survey=survey)
        .submitted()
        .select_related("respondent")
        .prefetch_related("answers")
        .order_by("submitted_at", "id")
    )
