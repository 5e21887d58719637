"""The answer form the exchanges app shows participants: posted fields become answers, errors show at the
question, typed text survives a refused submit, a draft comes back as it was left."""

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory

from exchanges.surveys import services
from exchanges.surveys.forms import SurveyAnswerForm
from exchanges.surveys.models import Completion
from exchanges.surveys.selectors import answers_of, draft_for

pytestmark = pytest.mark.django_db


def _post(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in fields.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def _render(form, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("surveys/_answer_form.html", {"form": form}, request=request)


def test_posted_fields_become_answers_of_each_kind(every_kind, person):
    data = _post(
        colour="red",
        extras=["a", "b"],
        order_0="z",
        order_1="",
        order_2="x",
        score="2",
        comment="Nice",
        why_red="Warm",
        action="submit",
    )
    form = SurveyAnswerForm(survey=every_kind, data=data)

    response = form.save(user=person, submit=True)

    assert form.errors == {}
    assert answers_of(response=response) == {
        "colour": "red",
        "extras": ["a", "b"],
        "order": ["z", "x"],
        "score": 2,
        "comment": "Nice",
        "why_red": "Warm",
    }


def test_refused_submit_shows_errors_and_keeps_typed_text(every_kind, person):
    data = _post(colour="red", order_0="x", order_1="x", comment="Typed with care", score="")
    form = SurveyAnswerForm(survey=every_kind, data=data)

    assert form.save(user=person, submit=True) is None

    assert form.errors == {
        "order": ["Rank each option only once."],
        "score": ["Answer this question."],
        "why_red": ["Answer this question."],
    }
    assert not Completion.objects.exists()
    assert answers_of(response=draft_for(survey=every_kind, user=person)) == {
        "colour": "red",
        "order": ["x"],
        "comment": "Typed with care",
    }
    html = _render(form, person)
    assert "Typed with care</textarea>" in html
    assert '<div id="id_score_error" class="invalid-feedback">Answer this question.</div>' in html
    assert '<a href="#id_order">Rank them: Rank each option only once.</a>' in html
    assert '<fieldset id="id_order" tabindex="-1" class="is-invalid"' in html


def test_tampered_option_is_an_error_and_the_rest_is_kept_as_draft(every_kind, person):
    form = SurveyAnswerForm(survey=every_kind, data=_post(colour="purple", comment="Keep me", score="3"))

    assert form.save(user=person, submit=True) is None

    assert "colour" in form.errors
    assert answers_of(response=draft_for(survey=every_kind, user=person)) == {
        "comment": "Keep me",
        "score": 3,
    }


def test_save_for_later_then_resume_with_the_draft(every_kind, person):
    form = SurveyAnswerForm(
        survey=every_kind, data=_post(extras=["c"], order_0="y", order_1="z", comment="Later")
    )
    draft = form.save(user=person, submit=False)

    resumed = SurveyAnswerForm(survey=every_kind, initial_answers=answers_of(response=draft))
    html = _render(resumed, person)

    assert 'value="c" checked' in html
    assert '<option value="y" selected>Y</option>' in html
    assert html.count("selected>") == 2
    assert "Later</textarea>" in html
    assert 'name="action" value="save"' in html and 'name="action" value="submit"' in html


def test_closed_survey_is_an_error_on_the_form(every_kind, staff, person):
    services.close_survey(survey=every_kind, by=staff)
    form = SurveyAnswerForm(survey=every_kind, data=_post(comment="Too late"))

    assert form.save(user=person, submit=False) is None
    assert form.non_field_errors() == ["This survey is not open for answers."]


def test_scale_shows_its_end_labels(every_kind, person):
    html = _render(SurveyAnswerForm(survey=every_kind), person)

    assert '<label class="form-check-label" for="id_score_0">1 – Bad</label>' in html
    assert '<label class="form-check-label" for="id_score_4">5 – Good</label>' in html
    assert 'data-show-if="colour" data-show-if-values="red"' in html
