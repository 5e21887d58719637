"""Programme staff's survey pages: who may see them, the builder's bad input, preview, results and export."""

import csv
import io
import re

import pytest
from django.urls import reverse

from exchanges.surveys import services
from exchanges.surveys.enums import SurveyStatus
from exchanges.surveys.models import Response, Survey
from exchanges.surveys.services import save_answers
from tests.accounts.form_assertions import assert_field_error, assert_non_field_error
from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory, UserFactory
from tests.factories.surveys import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(staff):
    survey = services.create_survey_from_template(template="pre_exchange", title="Before Tartu", by=staff)
    return {
        "anonymous": None,
        "procurer": MembershipFactory(organisation=BuyerFactory()).user,
        "supplier": MembershipFactory(organisation=SupplierFactory()).user,
        "staff": staff,
        "survey": survey,
        "question": survey.questions.get(key="learn"),
    }


def _login(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)


PAGES = {
    "list": lambda s, q: reverse("surveys:survey-list"),
    "create": lambda s, q: reverse("surveys:survey-create"),
    "detail": lambda s, q: reverse("surveys:survey-detail", args=[s.pk]),
    "settings": lambda s, q: reverse("surveys:survey-update", args=[s.pk]),
    "preview": lambda s, q: reverse("surveys:survey-preview", args=[s.pk]),
    "results": lambda s, q: reverse("surveys:survey-results", args=[s.pk]),
    "export": lambda s, q: reverse("surveys:survey-export", args=[s.pk]),
    "question-create": lambda s, q: reverse("surveys:question-create", args=[s.pk]),
    "question-update": lambda s, q: reverse("surveys:question-update", args=[s.pk, q.pk]),
    "question-delete": lambda s, q: reverse("surveys:question-delete", args=[s.pk, q.pk]),
}
ACTIONS = {
    "open": lambda s, q: reverse("surveys:survey-open", args=[s.pk]),
    "close": lambda s, q: reverse("surveys:survey-close", args=[s.pk]),
    "move": lambda s, q: reverse("surveys:question-move", args=[s.pk, q.pk]),
}
GRID = [("anonymous", 302), ("procurer", 404), ("supplier", 404), ("staff", 200)]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("actor", "status"), GRID)
def test_survey_page_access(client, actors, page, actor, status):
    _login(client, actors, actor)

    response = client.get(PAGES[page](actors["survey"], actors["question"]))

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    ("actor", "status"), [("anonymous", 302), ("procurer", 404), ("supplier", 404), ("staff", 302)]
)
def test_survey_action_access(client, actors, action, actor, status):
    _login(client, actors, actor)

    response = client.post(ACTIONS[action](actors["survey"], actors["question"]), {"direction": "down"})

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    elif actor != "staff":
        assert Survey.objects.get(pk=actors["survey"].pk).status == SurveyStatus.DRAFT


def test_unknown_survey_and_question_of_another_survey_are_404(client, actors, staff):
    other = services.create_survey(title="Other", by=staff)
    client.force_login(staff)

    assert client.get(reverse("surveys:survey-detail", args=[999999])).status_code == 404
    url = reverse("surveys:question-update", args=[other.pk, actors["question"].pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("rows", [1, 5])
def test_survey_list_query_count(client, staff, django_assert_num_queries, rows):
    SurveyFactory.create_batch(rows)
    client.force_login(staff)

    with django_assert_num_queries(7):
        response = client.get(reverse("surveys:survey-list"))

    assert response.status_code == 200


def test_create_survey_from_template(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("surveys:survey-create"),
        {"template": "reflection", "title": "After Rotterdam", "is_anonymous": "on"},
    )

    survey = Survey.objects.get(title="After Rotterdam")
    assert response["Location"] == survey.get_absolute_url()
    assert survey.is_anonymous and survey.kind == "reflection"
    assert survey.questions.filter(key="quote_consent").exists()


def test_create_survey_without_title_keeps_what_was_chosen(client, staff):
    client.force_login(staff)

    response = client.post(reverse("surveys:survey-create"), {"template": "pre_exchange", "title": ""})

    assert response.status_code == 200
    assert_field_error(response, "title", "This field is required.")
    assert re.search(r'value="pre_exchange"\s+id="id_template_0" checked', response.content.decode())


def test_builder_page_lists_questions_and_says_when_they_are_locked(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]

    page = client.get(survey.get_absolute_url()).content.decode()
    assert "You can change the questions until the first person submits answers" in page
    assert (
        "Shown only when the answer to “Which role could you take in the exchange?” includes: "
        "Present a case from my city" in page
    )

    services.open_survey(survey=survey, by=staff)
    save_answers(survey=survey, user=UserFactory(), data={"learn": "Everything"}, submit=True)
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "the questions can no longer change" in page
    assert reverse("surveys:question-create", args=[survey.pk]) not in page


def _question_post(**changes) -> dict:
    return {
        "kind": "single",
        "text": "Which city?",
        "key": "",
        "help_text": "",
        "choices": "Turku\ntartu | Tartu\nRotterdam",
        "scale_min": "1",
        "scale_max": "5",
        **changes,
    }


def test_add_a_choice_question_with_options_and_a_made_up_key(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]

    response = client.post(
        reverse("surveys:question-create", args=[survey.pk]), _question_post(required="on")
    )

    question = survey.questions.get(key="which-city")
    assert response.status_code == 302
    assert question.required is True
    assert [(c.value, c.label) for c in question.choices.all()] == [
        ("turku", "Turku"),
        ("tartu", "Tartu"),
        ("rotterdam", "Rotterdam"),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"key": "learn"}, "key", "Another question of this survey already has the key “learn”."),
        ({"choices": ""}, "choices", "Give at least two options to choose from."),
        ({"kind": "text"}, "choices", "Only choice and ranking questions have options."),
        ({"kind": "scale", "choices": "", "scale_min": "4", "scale_max": "2"}, "scale_max",
         "The scale must go up from a lower to a higher number, within 0 to 10."),
        ({"text": ""}, "text", "This field is required."),
    ],
)  # fmt: skip
def test_builder_bad_input_shows_the_error_at_the_field_and_keeps_the_input(
    client, actors, staff, changes, field, message
):
    client.force_login(staff)
    survey = actors["survey"]
    before = survey.questions.count()

    response = client.post(reverse("surveys:question-create", args=[survey.pk]), _question_post(**changes))

    assert response.status_code == 200
    assert_field_error(response, field, message)
    assert survey.questions.count() == before
    if field != "text":
        assert "Which city?" in response.content.decode()


def test_builder_refuses_a_condition_on_a_later_question(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]
    first = survey.questions.get(key="themes")
    roles = survey.questions.get(key="roles")

    response = client.post(
        reverse("surveys:question-update", args=[survey.pk, first.pk]),
        _question_post(
            text=first.text,
            key="themes",
            kind="multiple",
            choices="\n".join(f"{c.value} | {c.label}" for c in first.choices.all()),
            condition=[f"{roles.pk}:host_visit"],
        ),
    )

    assert response.status_code == 200
    assert_field_error(
        response,
        "condition",
        "A question can depend only on an earlier question: move it below “Which role could you take in the "
        "exchange?” first.",
    )
    first.refresh_from_db()
    assert first.show_if is None


def test_builder_condition_on_options_of_one_question(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]
    themes, roles = survey.questions.get(key="themes"), survey.questions.get(key="roles")

    mixed = client.post(
        reverse("surveys:question-create", args=[survey.pk]),
        _question_post(
            kind="text", choices="", condition=[f"{themes.pk}:sustainability", f"{roles.pk}:host_visit"]
        ),
    )
    assert_field_error(mixed, "condition", "Choose options of one question only.")

    client.post(
        reverse("surveys:question-create", args=[survey.pk]),
        _question_post(kind="text", key="visit", choices="", condition=[f"{roles.pk}:host_visit"]),
    )
    visit = survey.questions.get(key="visit")
    assert (visit.show_if, visit.show_if_values) == (roles, ["host_visit"])
    edit_page = client.get(reverse("surveys:question-update", args=[survey.pk, visit.pk])).content.decode()
    assert f'<option value="{roles.pk}:host_visit" selected>' in edit_page


def test_builder_refuses_changes_once_answers_are_submitted(client, actors, staff):
    client.force_login(staff)
    survey = services.open_survey(survey=actors["survey"], by=staff)
    save_answers(survey=survey, user=UserFactory(), data={"learn": "All"}, submit=True)

    response = client.post(reverse("surveys:question-create", args=[survey.pk]), _question_post())

    assert_non_field_error(
        response, "The questions can no longer change: people have already submitted answers."
    )


def test_move_and_delete_questions(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]
    practical = survey.questions.get(key="practical")
    case_topic = survey.questions.get(key="case_topic")

    client.post(reverse("surveys:question-move", args=[survey.pk, practical.pk]), {"direction": "up"})
    assert list(survey.questions.order_by("position").values_list("key", flat=True))[-2:] == [
        "practical",
        "free_time",
    ]

    refused = client.post(
        reverse("surveys:question-move", args=[survey.pk, case_topic.pk]), {"direction": "up"}, follow=True
    )
    assert "depends on the answer to" in refused.content.decode()

    client.post(reverse("surveys:question-delete", args=[survey.pk, practical.pk]))
    assert not survey.questions.filter(key="practical").exists()
    roles = survey.questions.get(key="roles")
    refused = client.post(reverse("surveys:question-delete", args=[survey.pk, roles.pk]), follow=True)
    assert "remove or change that condition first" in refused.content.decode()
    assert survey.questions.filter(key="roles").exists()  # fmt: skip


def test_open_and_close_from_the_builder(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]

    client.post(reverse("surveys:survey-open", args=[survey.pk]))
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN
    refused = client.post(reverse("surveys:survey-open", args=[survey.pk]), follow=True)
    assert "The survey is already open." in refused.content.decode()
    client.post(reverse("surveys:survey-close", args=[survey.pk]))
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.CLOSED


def test_settings_bad_dates_show_at_the_field(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]

    response = client.post(
        reverse("surveys:survey-update", args=[survey.pk]),
        {"title": "Renamed", "intro": "", "opens_at": "2026-06-10T10:00", "closes_at": "2026-06-01T10:00"},
    )

    assert_field_error(response, "closes_at", "The survey must close after it opens.")
    assert 'value="Renamed"' in response.content.decode()
    assert Survey.objects.get(pk=survey.pk).title == "Before Tartu"


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_settings_far_off_years_are_field_errors(client, actors, staff, typed):
    """Year 0001 overflowed when stored (SQLite) or read back (PostgreSQL): a 500, now a field error."""
    client.force_login(staff)
    survey = actors["survey"]

    response = client.post(
        reverse("surveys:survey-update", args=[survey.pk]),
        {"title": "Renamed", "intro": "", "opens_at": typed},
    )

    assert_field_error(response, "opens_at", "Give a date between the years 2000 and 2100.")
    assert f'value="{typed}"' in response.content.decode()
    assert Survey.objects.get(pk=survey.pk).opens_at is None


def test_settings_say_what_anonymous_does_not_promise(client, actors, staff):
    client.force_login(staff)

    page = client.get(reverse("surveys:survey-update", args=[actors["survey"].pk])).content.decode()

    assert "cannot link an answer back to a person through the portal" in page
    assert "direct access to it" in page


def test_preview_checks_answers_without_saving(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]
    url = reverse("surveys:survey-preview", args=[survey.pk])

    refused = client.post(url, {"action": "check", "roles": ["present_case"], "learn": ""})
    assert_field_error(refused, "learn", "Answer this question.")

    accepted = client.post(url, {"action": "check", "learn": "How to ask the market"})
    assert "These answers would be accepted. Nothing was saved." in accepted.content.decode()
    assert Response.objects.count() == 0


def test_preview_renders_accessible_widgets_that_work_without_javascript(client, actors, staff):
    client.force_login(staff)
    survey = actors["survey"]
    roles = survey.questions.get(key="roles")

    page = client.get(reverse("surveys:survey-preview", args=[survey.pk])).content.decode()

    assert '<fieldset id="id_roles"' in page
    assert "<legend" in page
    assert '<label for="id_free_time_0" class="col-sm-3 col-form-label">1st choice</label>' in page
    assert '<label for="id_free_time_5" class="col-sm-3 col-form-label">6th choice</label>' in page
    assert '<select name="free_time_2" id="id_free_time_2"' in page
    assert 'data-show-if="roles" data-show-if-values="present_case"' in page
    assert roles.text in page
    assert '<script src="/static/js/survey-conditions.js" defer></script>' in page
    assert 'name="action" value="check"' in page


def test_results_page_shows_charts_with_tables(client, actors, staff):
    client.force_login(staff)
    survey = services.open_survey(survey=actors["survey"], by=staff)
    save_answers(
        survey=survey,
        user=UserFactory(),
        data={"learn": "Markets", "themes": ["sustainability"]},
        submit=True,
    )

    page = client.get(reverse("surveys:survey-results", args=[survey.pk])).content.decode()

    assert "1 person has submitted answers." in page
    assert '<rect x="0" y="1" height="12" width="100.0%"' in page
    assert "<caption" in page and '<th scope="row" class="fw-normal">Sustainability</th>' in page
    assert "Markets" in page


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_named_survey_has_identities(client, staff):
    survey = services.create_survey(title="Named", by=staff)
    services.add_question(survey=survey, kind="text", key="idea", text="Idea?")
    services.add_question(
        survey=survey, kind="multiple", key="pick", text="Pick", choices=[("a", "A"), ("b", "B")]
    )
    services.open_survey(survey=survey, by=staff)
    person = UserFactory(full_name="Kari Nordmann", email="kari@example.org")
    save_answers(survey=survey, user=person, data={"idea": "=HYPERLINK(1)", "pick": ["a", "b"]}, submit=True)
    client.force_login(staff)

    rows = _csv_rows(client.get(reverse("surveys:survey-export", args=[survey.pk])))

    assert rows[0] == ["Response", "Name", "Email", "Submitted", "idea", "pick"]
    assert rows[1][1:3] == ["Kari Nordmann", "kari@example.org"]
    assert rows[1][4:] == ["'=HYPERLINK(1)", "a; b"]


def test_export_anonymous_survey_has_no_identities(client, staff):
    survey = services.create_survey(title="Anonymous", by=staff, is_anonymous=True)
    services.add_question(survey=survey, kind="text", key="idea", text="Idea?")
    services.open_survey(survey=survey, by=staff)
    person = UserFactory(full_name="Kari Nordmann", email="kari@example.org")
    save_answers(survey=survey, user=person, data={"idea": "Share more"}, submit=True)
    client.force_login(staff)

    response = client.get(reverse("surveys:survey-export", args=[survey.pk]))
    rows = _csv_rows(response)

    assert rows[0] == ["Response", "Submitted", "idea"]
    assert len(rows[1][1]) == 10  # the date only
    assert rows[1][2] == "Share more"
    assert "Kari" not in response.content.decode() and "kari@" not in response.content.decode()


@pytest.mark.parametrize("responses", [1, 5])
def test_results_page_query_count(client, actors, staff, django_assert_num_queries, responses):
    survey = services.open_survey(survey=actors["survey"], by=staff)
    for _index in range(responses):
        save_answers(
            survey=survey, user=UserFactory(), data={"learn": "x", "free_time": ["sauna"]}, submit=True
        )
    client.force_login(staff)

    with django_assert_num_queries(10):
        response = client.get(reverse("surveys:survey-results", args=[survey.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("responses", [1, 5])
def test_export_query_count(client, actors, staff, django_assert_num_queries, responses):
    survey = services.open_survey(survey=actors["survey"], by=staff)
    for _index in range(responses):
        save_answers(survey=survey, user=UserFactory(), data={"learn": "x"}, submit=True)
    client.force_login(staff)

    with django_assert_num_queries(7):
        response = client.get(reverse("surveys:survey-export", args=[survey.pk]))

    assert len(_csv_rows(response)) == responses + 1
