"""Building surveys: the ready templates and their stable keys, the question rules, ordering, opening and
closing, and the lock once answers are submitted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exchanges.surveys import services
from exchanges.surveys.enums import QuestionKind, SurveyKind, SurveyStatus
from exchanges.surveys.models import Question
from exchanges.surveys.services import SurveyError
from portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _keys(survey) -> list[str]:
    return list(survey.questions.order_by("position").values_list("key", flat=True))


def test_pre_exchange_template_has_the_keys_the_agenda_reads(staff):
    survey = services.create_survey_from_template(template="pre_exchange", title="Before Tartu", by=staff)

    assert survey.kind == SurveyKind.PRE_EXCHANGE
    assert survey.status == SurveyStatus.DRAFT
    assert _keys(survey) == ["themes", "learn", "roles", "case_topic", "free_time", "practical"]
    questions = {q.key: q for q in survey.questions.prefetch_related("choices")}
    assert questions["themes"].kind == QuestionKind.MULTIPLE
    assert "needs-articulation" in [c.value for c in questions["themes"].choices.all()]
    assert questions["learn"].required is True
    assert [c.value for c in questions["roles"].choices.all()] == [
        "present_case",
        "lead_discussion",
        "host_visit",
        "participate",
    ]
    assert questions["case_topic"].show_if == questions["roles"]
    assert questions["case_topic"].show_if_values == ["present_case"]
    assert questions["free_time"].kind == QuestionKind.RANKING
    assert [c.value for c in questions["free_time"].choices.all()] == [
        "city_walk",
        "sauna",
        "museum",
        "dinner_together",
        "sports",
        "own_time",
    ]
    assert questions["practical"].required is False
    assert AuditEvent.objects.filter(action="survey.created", target_id=str(survey.pk)).exists()


def test_reflection_template_has_its_keys_and_takes_session_ratings(staff):
    survey = services.create_survey_from_template(
        template="reflection", title="After Tartu", by=staff, is_anonymous=True
    )
    services.add_question(
        survey=survey,
        kind=QuestionKind.SCALE,
        key="session-7",
        text="How useful was the visit?",
        required=False,
        choices=[],
    )

    assert survey.is_anonymous is True
    assert _keys(survey) == [
        "differences",
        "surprises",
        "learnings",
        "bring_back_to",
        "overall",
        "change_next_time",
        "commitment",
        "quote_consent",
        "session-7",
    ]
    overall = survey.questions.get(key="overall")
    assert (overall.kind, overall.scale_min, overall.scale_max, overall.required) == ("scale", 1, 5, True)
    consent = survey.questions.get(key="quote_consent")
    assert [c.value for c in consent.choices.all()] == ["yes", "no"]
    assert consent.required is True
    assert survey.questions.get(key="change_next_time").required is False


def test_unknown_template_is_refused(staff):
    with pytest.raises(SurveyError, match="no survey template"):
        services.create_survey_from_template(template="nope", title="X", by=staff)


@pytest.fixture
def survey(staff):
    survey = services.create_survey(title="Builder", by=staff)
    services.add_question(
        survey=survey, kind="single", key="first", text="First?", choices=[("a", "A"), ("b", "B")]
    )
    return survey


TWO_OPTIONS = "Give at least two options to choose from."
SCALE = "The scale must go up from a lower to a higher number, within 0 to 10."
XY = [("x", "X"), ("y", "Y")]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"key": "first"}, "key", "Another question of this survey already has the key “first”."),
        ({"key": "has space"}, "key", "The key may use only letters, digits, - and _ (at most 60)."),
        ({"key": ""}, "key", "Give the question a key."),
        ({"kind": "essay"}, "kind", "Choose a kind of question."),
        ({"text": "  "}, "text", "Write the question."),
        ({"kind": "single", "choices": []}, "choices", TWO_OPTIONS),
        ({"kind": "ranking", "choices": [("x", "X")]}, "choices", TWO_OPTIONS),
        (
            {"kind": "multiple", "choices": [("x", "X"), ("x", "Y")]},
            "choices",
            "Two options have the value “x”.",
        ),
        ({"kind": "multiple", "choices": [("x", "X"), ("y", "")]}, "choices", "Every option needs a label."),
        ({"kind": "text", "choices": XY}, "choices", "Only choice and ranking questions have options."),
        ({"kind": "scale", "scale_min": 5, "scale_max": 5}, "scale_max", SCALE),
        ({"kind": "scale", "scale_min": 1, "scale_max": 11}, "scale_max", SCALE),
        ({"show_if_values": ["a"]}, "show_if", "Say which question the condition is about."),
    ],
)
def test_add_question_refuses_bad_input(survey, changes, field, message):
    arguments = {"survey": survey, "kind": "text", "key": "second", "text": "Second?", **changes}

    with pytest.raises(SurveyError) as excinfo:
        services.add_question(**arguments)

    assert (excinfo.value.field, str(excinfo.value)) == (field, message)
    assert survey.questions.count() == 1


def test_condition_must_name_an_existing_option_of_a_choice_question(survey, staff):
    first = survey.questions.get(key="first")
    text = services.add_question(survey=survey, kind="text", key="free", text="Free?")

    with pytest.raises(SurveyError, match="“First\\?” has no option “c”"):
        services.add_question(
            survey=survey, kind="text", key="x", text="X?", show_if=first, show_if_values=["c"]
        )
    with pytest.raises(SurveyError, match="only on a single or multiple choice question"):
        services.add_question(
            survey=survey, kind="text", key="x", text="X?", show_if=text, show_if_values=["a"]
        )
    with pytest.raises(SurveyError, match="Choose the answers"):
        services.add_question(
            survey=survey, kind="text", key="x", text="X?", show_if=first, show_if_values=[]
        )
    other = services.create_survey(title="Other", by=staff)
    with pytest.raises(SurveyError, match="a question of this survey"):
        services.add_question(
            survey=other, kind="text", key="x", text="X?", show_if=first, show_if_values=["a"]
        )


def test_condition_on_a_later_question_is_refused(survey):
    first = survey.questions.get(key="first")
    later = services.add_question(
        survey=survey, kind="single", key="later", text="Later?", choices=[("y", "Y"), ("n", "N")]
    )

    with pytest.raises(SurveyError) as excinfo:
        services.update_question(
            question=first,
            kind="single",
            key="first",
            text="First?",
            choices=[("a", "A"), ("b", "B")],
            show_if=later,
            show_if_values=["y"],
        )

    assert excinfo.value.field == "show_if"
    assert (
        str(excinfo.value)
        == "A question can depend only on an earlier question: move it below “Later?” first."
    )


def test_update_question_changes_it_and_keeps_choices_used_by_conditions(survey):
    first = survey.questions.get(key="first")
    dependent = services.add_question(
        survey=survey, kind="text", key="why_a", text="Why A?", show_if=first, show_if_values=["a"]
    )

    updated = services.update_question(
        question=first, kind="multiple", key="first", text="First, now multiple?", required=True,
        choices=[("a", "A"), ("b", "B"), ("c", "C")],
    )  # fmt: skip

    assert (updated.kind, updated.text, updated.required) == ("multiple", "First, now multiple?", True)
    assert [c.value for c in updated.choices.all()] == ["a", "b", "c"]
    with pytest.raises(SurveyError, match="shown only for the option “a”") as excinfo:
        services.update_question(
            question=first, kind="multiple", key="first", text="First?", choices=[("b", "B"), ("c", "C")]
        )
    assert excinfo.value.field == "choices"
    with pytest.raises(SurveyError, match="must stay a single or multiple choice question"):
        services.update_question(question=first, kind="text", key="first", text="First?")
    dependent.refresh_from_db()
    assert dependent.show_if_values == ["a"]


def test_delete_question_refused_while_another_depends_on_it(survey):
    first = survey.questions.get(key="first")
    dependent = services.add_question(
        survey=survey, kind="text", key="why_a", text="Why A?", show_if=first, show_if_values=["a"]
    )

    with pytest.raises(SurveyError, match="remove or change that condition first"):
        services.delete_question(question=first)

    services.delete_question(question=dependent)
    services.delete_question(question=first)
    assert survey.questions.count() == 0


def test_move_question_up_and_down_keeps_conditions_after_their_question(survey):
    first = survey.questions.get(key="first")
    second = services.add_question(survey=survey, kind="text", key="second", text="Second?")
    third = services.add_question(
        survey=survey, kind="text", key="third", text="Third?", show_if=first, show_if_values=["b"]
    )

    services.move_question(question=third, direction="up")
    assert _keys(survey) == ["first", "third", "second"]
    with pytest.raises(SurveyError, match="“Third\\?” depends on the answer to “First\\?”"):
        services.move_question(question=third, direction="up")
    with pytest.raises(SurveyError, match="must come after it"):
        services.move_question(question=first, direction="down")
    with pytest.raises(SurveyError, match="already the first question"):
        services.move_question(question=first, direction="up")
    services.move_question(question=second, direction="up")
    assert _keys(survey) == ["first", "second", "third"]
    with pytest.raises(SurveyError, match="already the last question"):
        services.move_question(question=Question.objects.get(pk=third.pk), direction="down")
    with pytest.raises(SurveyError, match="up or down"):
        services.move_question(question=first, direction="sideways")


def test_questions_are_locked_once_someone_submits(survey, staff, person):
    services.open_survey(survey=survey, by=staff)
    services.save_answers(survey=survey, user=person, data={"first": "a"}, submit=True)
    first = survey.questions.get(key="first")

    for attempt in (
        lambda: services.add_question(survey=survey, kind="text", key="late", text="Late?"),
        lambda: services.update_question(
            question=first, kind="single", key="first", text="Changed?", choices=XY
        ),
        lambda: services.delete_question(question=first),
        lambda: services.move_question(question=first, direction="down"),
    ):
        with pytest.raises(SurveyError, match="can no longer change"):
            attempt()


def test_a_draft_does_not_lock_questions_and_a_kind_change_drops_its_answers(survey, staff, person):
    services.open_survey(survey=survey, by=staff)
    draft = services.save_answers(survey=survey, user=person, data={"first": "a"}, submit=False)
    first = survey.questions.get(key="first")

    services.update_question(question=first, kind="text", key="first", text="First, in words?")

    assert draft.answers.count() == 0


def test_open_and_close(survey, staff):
    empty = services.create_survey(title="Empty", by=staff)
    with pytest.raises(SurveyError, match="Add at least one question"):
        services.open_survey(survey=empty, by=staff)

    opened = services.open_survey(survey=survey, by=staff)
    assert opened.status == SurveyStatus.OPEN and opened.is_accepting_answers
    with pytest.raises(SurveyError, match="already open"):
        services.open_survey(survey=survey, by=staff)

    closed = services.close_survey(survey=survey, by=staff)
    assert closed.status == SurveyStatus.CLOSED and not closed.is_accepting_answers
    with pytest.raises(SurveyError, match="Only an open survey"):
        services.close_survey(survey=survey, by=staff)
    assert services.open_survey(survey=survey, by=staff).status == SurveyStatus.OPEN
    assert AuditEvent.objects.filter(action="survey.closed").count() == 1


def test_opening_needs_a_closing_time_in_the_future(survey, staff):
    survey.closes_at = timezone.now() - timedelta(hours=1)
    survey.save()

    with pytest.raises(SurveyError, match="closing time has passed"):
        services.open_survey(survey=survey, by=staff)


def test_update_survey_checks_its_fields(survey, staff):
    now = timezone.now()
    with pytest.raises(SurveyError, match="Give the survey a title"):
        services.update_survey(survey=survey, by=staff, title=" ")
    with pytest.raises(SurveyError, match="must close after it opens") as excinfo:
        services.update_survey(
            survey=survey, by=staff, title="T", opens_at=now, closes_at=now - timedelta(days=1)
        )
    assert excinfo.value.field == "closes_at"

    updated = services.update_survey(
        survey=survey,
        by=staff,
        title=" New title ",
        intro="Why",
        is_anonymous=True,
        closes_at=now + timedelta(days=3),
    )

    assert (updated.title, updated.intro, updated.is_anonymous) == ("New title", "Why", True)
