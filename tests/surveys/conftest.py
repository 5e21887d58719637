import pytest

from exchanges.surveys import services
from exchanges.surveys.enums import QuestionKind
from tests.factories.accounts import TOTPAuthenticatorFactory, UserFactory


@pytest.fixture
def staff(db):
    return TOTPAuthenticatorFactory().user


@pytest.fixture
def person(db):
    return UserFactory()


@pytest.fixture
def every_kind(staff):
    """An open survey with one question of each kind, and a conditional one:

    colour (single, required: red/green/blue), extras (multiple: a/b/c), order (ranking: x/y/z),
    score (scale 1 to 5, required), comment (text, optional), why_red (text, required, shown only if
    colour is red)."""
    survey = services.create_survey(title="Every kind", by=staff)
    colour = services.add_question(
        survey=survey,
        kind=QuestionKind.SINGLE,
        key="colour",
        text="Favourite colour?",
        required=True,
        choices=[("red", "Red"), ("green", "Green"), ("blue", "Blue")],
    )
    services.add_question(
        survey=survey,
        kind=QuestionKind.MULTIPLE,
        key="extras",
        text="Extras?",
        choices=[("a", "A"), ("b", "B"), ("c", "C")],
    )
    services.add_question(
        survey=survey,
        kind=QuestionKind.RANKING,
        key="order",
        text="Rank them",
        choices=[("x", "X"), ("y", "Y"), ("z", "Z")],
    )
    services.add_question(
        survey=survey,
        kind=QuestionKind.SCALE,
        key="score",
        text="How good?",
        required=True,
        scale_low_label="Bad",
        scale_high_label="Good",
    )
    services.add_question(survey=survey, kind=QuestionKind.TEXT, key="comment", text="Anything else?")
    services.add_question(
        survey=survey,
        kind=QuestionKind.TEXT,
        key="why_red",
        text="Why red?",
        required=True,
        show_if=colour,
        show_if_values=["red"],
    )
    return services.open_survey(survey=survey, by=staff)


VALID = {"colour": "green", "extras": ["a", "c"], "order": ["z", "x"], "score": 4, "comment": "Fine."}
