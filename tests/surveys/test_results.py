"""Aggregated results, worked out by hand; quotable texts; who has not answered yet."""

import pytest

from exchanges.surveys import services
from exchanges.surveys.selectors import consenting_texts, pending_respondents, survey_results
from exchanges.surveys.services import save_answers
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def _answer(survey, data, submit=True):
    return save_answers(survey=survey, user=UserFactory(), data=data, submit=submit)


@pytest.fixture
def answered(every_kind):
    _answer(
        every_kind,
        {
            "colour": "red",
            "extras": ["a", "b"],
            "order": ["x", "y", "z"],
            "score": 5,
            "comment": "Great",
            "why_red": "Warm",
        },
    )
    _answer(every_kind, {"colour": "green", "extras": ["a"], "order": ["y", "x"], "score": 3})
    _answer(
        every_kind,
        {"colour": "red", "extras": [], "order": ["y"], "score": 4, "comment": "Good", "why_red": "Bold"},
    )
    # A draft is not counted.
    _answer(
        every_kind,
        {"colour": "blue", "extras": ["c"], "order": ["z"], "score": 1, "comment": "Draft"},
        submit=False,
    )
    return every_kind  # fmt: skip


def _by_key(results) -> dict:
    return {item.question.key: item for item in results.questions}


def test_results_count_submitted_responses_only(answered):
    results = survey_results(survey=answered)

    assert results.respondents == 3
    assert [item.question.key for item in results.questions] == [
        "colour",
        "extras",
        "order",
        "score",
        "comment",
        "why_red",
    ]


def test_single_and_multiple_choice_counts_and_percentages(answered):
    items = _by_key(survey_results(survey=answered))

    assert items["colour"].answered == 3
    assert [(c.value, c.count, c.percent) for c in items["colour"].choices] == [
        ("red", 2, 66.7),
        ("green", 1, 33.3),
        ("blue", 0, 0.0),
    ]
    # Percentages of the two people who answered; each could choose several.
    assert items["extras"].answered == 2
    assert [(c.value, c.count, c.percent) for c in items["extras"].choices] == [
        ("a", 2, 100.0),
        ("b", 1, 50.0),
        ("c", 0, 0.0),
    ]


def test_ranking_borda_scores_and_mean_ranks_best_first(answered):
    # [x, y, z] gives x 3, y 2, z 1; [y, x] gives y 2, x 1; [y] gives y 1.
    # y: 2 + 2 + 1 = 5, places 2, 1, 1 → 1.33; x: 3 + 1 = 4, places 1, 2 → 1.5; z: 1, place 3.
    ranking = _by_key(survey_results(survey=answered))["order"].ranking

    assert [(r.value, r.score, r.mean_rank, r.ranked_by, r.percent_of_top) for r in ranking] == [
        ("y", 5, 1.33, 3, 100.0),
        ("x", 4, 1.5, 2, 80.0),
        ("z", 1, 3.0, 1, 20.0),
    ]


def test_ranking_ties_break_by_mean_rank_then_option_order(every_kind):
    _answer(every_kind, {"colour": "green", "score": 3, "order": ["z", "x"]})  # z 2, x 1
    _answer(every_kind, {"colour": "green", "score": 3, "order": ["x"]})  # x 1

    ranking = _by_key(survey_results(survey=every_kind))["order"].ranking

    # x and z both score 2; z's mean place (1) beats x's (1.5); y was never ranked.
    assert [(r.value, r.score, r.mean_rank) for r in ranking] == [
        ("z", 2, 1.0),
        ("x", 2, 1.5),
        ("y", 0, None),
    ]


def test_scale_mean_and_distribution(answered):
    item = _by_key(survey_results(survey=answered))["score"]

    assert item.mean == 4.0
    assert [(d.value, d.count, d.percent) for d in item.distribution] == [
        (1, 0, 0.0),
        (2, 0, 0.0),
        (3, 1, 33.3),
        (4, 1, 33.3),
        (5, 1, 33.3),
    ]


def test_text_answers_listed(answered):
    items = _by_key(survey_results(survey=answered))

    assert items["comment"].texts == ["Great", "Good"]
    assert items["comment"].answered == 2
    assert sorted(items["why_red"].texts) == ["Bold", "Warm"]


def test_results_of_a_survey_without_answers(every_kind):
    items = _by_key(survey_results(survey=every_kind))

    assert items["score"].mean is None
    assert [c.percent for c in items["colour"].choices] == [0.0, 0.0, 0.0]
    assert items["comment"].texts == []


@pytest.mark.parametrize("responses", [1, 6])
def test_results_take_a_fixed_number_of_queries(every_kind, django_assert_num_queries, responses):
    for _index in range(responses):
        _answer(every_kind, {"colour": "red", "why_red": "x", "extras": ["a"], "order": ["x"], "score": 2})

    with django_assert_num_queries(4):
        results = survey_results(survey=every_kind)

    assert results.respondents == responses


@pytest.fixture
def reflection(staff):
    survey = services.create_survey_from_template(template="reflection", title="After", by=staff)
    return services.open_survey(survey=survey, by=staff)


def _reflection_answers(learning, consent):
    return {
        "differences": "d",
        "surprises": "s",
        "learnings": learning,
        "bring_back_to": "b",
        "overall": 4,
        "commitment": f"Act on {learning}",
        "quote_consent": consent,
    }


def test_consenting_texts_only_from_those_who_agreed(reflection):
    _answer(reflection, _reflection_answers("Ask the market early", "yes"))
    _answer(reflection, _reflection_answers("Keep this to myself", "no"))
    _answer(reflection, _reflection_answers("Write needs, not specs", "yes"))
    _answer(reflection, _reflection_answers("Draft only", "yes"), submit=False)

    assert consenting_texts(survey=reflection, key="learnings") == [
        "Ask the market early",
        "Write needs, not specs",
    ]
    assert consenting_texts(survey=reflection, key="commitment", consent_value="no") == [
        "Act on Keep this to myself"
    ]


def test_pending_respondents_are_those_without_a_completion(every_kind):
    done, drafting, silent = UserFactory.create_batch(3)
    save_answers(survey=every_kind, user=done, data={"colour": "green", "score": 3}, submit=True)
    save_answers(survey=every_kind, user=drafting, data={"colour": "green"}, submit=False)

    from portal.accounts.models import User

    queryset = User.objects.filter(pk__in=[done.pk, drafting.pk, silent.pk]).order_by("pk")
    assert pending_respondents(survey=every_kind, users=queryset) == [drafting, silent]
    assert pending_respondents(survey=every_kind, users=[silent, done, drafting]) == [silent, drafting]
