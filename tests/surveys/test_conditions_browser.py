"""survey-conditions.js in a real Chromium under the portal's strict CSP: a conditional question shows only
while the earlier answer calls for it (progressive enhancement; the server's rules decide on submit)."""

import pytest
from django.test import Client
from django.urls import reverse

from exchanges.surveys import services
from tests.inprocess_browser import InProcessSite

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_conditional_question_follows_the_earlier_answer(open_in_chromium, staff):
    from playwright.sync_api import expect

    open_, errors = open_in_chromium
    survey = services.create_survey_from_template(template="pre_exchange", title="Before Tartu", by=staff)
    client = Client()
    client.force_login(staff)
    site = InProcessSite(client)
    page = open_(site, reverse("surveys:survey-preview", args=[survey.pk]))

    case_topic = page.locator("#question-case_topic")
    expect(case_topic).to_be_hidden()
    page.get_by_label("Present a case from my city").check()
    expect(case_topic).to_be_visible()
    page.get_by_label("Which case would you present?").fill("Needs-based school meals")
    page.get_by_label("Present a case from my city").uncheck()
    expect(case_topic).to_be_hidden()
    page.get_by_label("Present a case from my city").check()
    expect(page.get_by_label("Which case would you present?")).to_have_value("Needs-based school meals")
    # Ranking works as plain selects.
    page.get_by_label("1st choice").select_option("sauna")
    expect(page.get_by_label("1st choice")).to_have_value("sauna")
    assert page.get_by_role("heading", level=1).count() == 1
    assert errors == []
    assert site.missing_static == []
