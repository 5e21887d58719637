"""The statement editor, step by step: each step saves its own fields as a draft, keeps what was typed when
something is wrong, and says what is wrong at the field."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus, ReviewDecision, ScoringScale
from challenges.models import Challenge, Outcome
from portal.accounts.models import Membership
from portal.audit.models import AuditEvent
from tests.accounts.form_assertions import (
    assert_field_error,
    assert_input_value,
    assert_non_field_error,
    assert_selected,
)
from tests.challenges.authoring_fixtures import authoring_actors, edit_url, h1_count, messages_of
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.challenges import ChallengeFactory, OutcomeFactory, ReviewFactory

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def actors() -> dict:
    return authoring_actors()


@pytest.fixture
def member_client(client, actors):
    client.force_login(actors["owner_member"])
    return client


def _future(days: int = 40) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=days)).replace(second=0, microsecond=0)


# Creating


def test_challenge_create_makes_a_draft_of_the_active_buyer(client, actors):
    client.force_login(actors["owner_member"])

    response = client.post(
        reverse("challenges:challenge-create"),
        {
            "title": "Safer school roads",
            "summary": "Fewer children hurt on their way to school.",
            "language": "nb",
        },
    )

    challenge = Challenge.objects.get(title="Safer school roads")
    assert response.status_code == 302
    assert response["Location"] == edit_url(challenge, "problem")
    assert challenge.owner == actors["buyer"]
    assert challenge.status == ChallengeStatus.DRAFT
    assert challenge.language == "nb"
    assert AuditEvent.objects.get(action="challenge.created").target_id == str(challenge.pk)
    assert messages_of(response) == ["The challenge has been saved as a draft."]


def test_challenge_create_and_continue_goes_to_the_outcomes(client, actors):
    client.force_login(actors["owner_member"])

    response = client.post(
        reverse("challenges:challenge-create"),
        {"title": "Safer school roads", "language": "en", "then": "next"},
    )

    assert response["Location"] == edit_url(Challenge.objects.get(title="Safer school roads"), "outcomes")


def test_challenge_create_without_a_title_says_so_and_keeps_the_rest(client, actors):
    client.force_login(actors["owner_member"])

    response = client.post(
        reverse("challenges:challenge-create"), {"title": "", "summary": "Kept summary", "language": "nb"}
    )

    assert response.status_code == 200
    assert_field_error(response, "title", "This field is required.")
    assert "Kept summary" in response.content.decode()
    assert_selected(response, "language", "nb")
    assert list(Challenge.objects.all()) == [actors["challenge"]]


def test_challenge_create_page_tells_a_supplier_to_switch_or_register(client, actors):
    client.force_login(actors["supplier"])

    response = client.get(reverse("challenges:challenge-create"))

    content = response.content.decode()
    assert response.status_code == 403
    assert "Only buyers write challenges" in content
    assert reverse("accounts:organisation-create") in content
    assert h1_count(response) == 1


def test_challenge_create_follows_the_organisation_the_user_acts_for(client, actors):
    user = actors["owner_member"]
    supplier = SupplierFactory()
    MembershipFactory(user=user, organisation=supplier)
    client.force_login(user)
    session = client.session
    session["active_organisation_id"] = supplier.pk
    session.save()

    refused = client.get(reverse("challenges:challenge-create"))
    assert refused.status_code == 403
    assert "switch to it" in refused.content.decode()

    client.post(reverse("accounts:organisation-switch"), {"organisation": actors["buyer"].pk})
    client.post(reverse("challenges:challenge-create"), {"title": "Cleaner harbour", "language": "en"})

    assert Challenge.objects.get(title="Cleaner harbour").owner == actors["buyer"]


# Step 1: the problem


def test_problem_step_saves_the_draft_and_audits_the_fields(member_client, actors):
    challenge = actors["challenge"]

    response = member_client.post(
        edit_url(challenge, "problem"),
        {
            "title": "Fewer lonely older residents",
            "summary": challenge.summary,
            "current_situation": challenge.current_situation,
            "affected": challenge.affected,
            "why_now": "The number of residents over 80 doubles by 2040.",
            "language": "en",
            "then": "stay",
        },
    )

    challenge.refresh_from_db()
    assert response["Location"] == edit_url(challenge, "problem")
    assert challenge.title == "Fewer lonely older residents"
    assert challenge.why_now == "The number of residents over 80 doubles by 2040."
    assert AuditEvent.objects.get(action="challenge.updated").data == {"fields": ["title", "why_now"]}
    assert messages_of(response) == ["Draft saved."]


def test_problem_step_save_and_continue_goes_to_the_next_step(member_client, actors):
    challenge = actors["challenge"]

    response = member_client.post(
        edit_url(challenge, "problem"), {"title": "X", "language": "en", "then": "next"}
    )

    assert response["Location"] == edit_url(challenge, "outcomes")


def test_problem_step_allows_a_partial_draft(member_client, actors):
    challenge = actors["challenge"]

    member_client.post(edit_url(challenge, "problem"), {"title": "Only a title", "language": "en"})

    challenge.refresh_from_db()
    assert challenge.title == "Only a title"
    assert challenge.summary == ""
    assert challenge.why_now == ""


def test_problem_step_with_a_blank_title_keeps_what_was_typed(member_client, actors):
    challenge = actors["challenge"]
    title = challenge.title

    response = member_client.post(
        edit_url(challenge, "problem"), {"title": "", "summary": "A new summary", "language": "en"}
    )

    assert response.status_code == 200
    assert_field_error(response, "title", "This field is required.")
    assert "A new summary" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.title == title
    assert challenge.summary != "A new summary"


def test_problem_step_marks_the_fields_for_the_coach(member_client, actors):
    response = member_client.get(edit_url(actors["challenge"], "problem"))

    content = response.content.decode()
    for name in ["title", "summary", "current_situation", "affected", "why_now"]:
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', content).group(0)
        assert f'data-coach="{name}"' in tag
        assert 'data-coach-language="#id_language"' in tag
    assert "coach-panel" in content


# Step 2: outcomes


def _outcome_data(rows: list[dict], *, initial: int) -> dict:
    data = {
        "outcomes-TOTAL_FORMS": str(len(rows)),
        "outcomes-INITIAL_FORMS": str(initial),
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"outcomes-{index}-{key}"] = value
    return data


def test_outcomes_step_adds_removes_and_reorders(member_client, actors):
    challenge = actors["challenge"]
    first = challenge.outcomes.get()
    second = OutcomeFactory(challenge=challenge, description="Second outcome", position=1)

    response = member_client.post(
        edit_url(challenge, "outcomes"),
        _outcome_data(
            [
                {
                    "id": first.pk,
                    "description": first.description,
                    "indicator": "I",
                    "target": "T",
                    "ORDER": "2",
                },
                {"id": second.pk, "description": "Second outcome", "ORDER": "1", "DELETE": "on"},
                {
                    "description": "Fewer falls at home",
                    "indicator": "Falls reported",
                    "target": "-20 %",
                    "ORDER": "1",
                },
            ],
            initial=2,
        ),
    )

    assert response.status_code == 302
    assert list(challenge.outcomes.values_list("description", flat=True)) == [
        "Fewer falls at home",
        first.description,
    ]
    assert not Outcome.objects.filter(pk=second.pk).exists()
    assert AuditEvent.objects.get(action="challenge.updated").data == {"fields": ["outcomes"]}


def test_outcomes_step_ignores_the_empty_row(member_client, actors):
    challenge = actors["challenge"]
    outcome = challenge.outcomes.get()

    response = member_client.post(
        edit_url(challenge, "outcomes"),
        _outcome_data(
            [
                {
                    "id": outcome.pk,
                    "description": "Reworded",
                    "indicator": outcome.indicator,
                    "target": outcome.target,
                    "ORDER": "1",
                },
                {"description": "", "indicator": "", "baseline": "", "target": "", "ORDER": ""},
            ],
            initial=1,
        ),
    )

    assert response.status_code == 302
    assert list(challenge.outcomes.values_list("description", flat=True)) == ["Reworded"]


def test_outcomes_step_needs_at_least_one_outcome(member_client, actors):
    challenge = actors["challenge"]
    outcome = challenge.outcomes.get()

    response = member_client.post(
        edit_url(challenge, "outcomes"),
        _outcome_data(
            [{"id": outcome.pk, "description": outcome.description, "ORDER": "1", "DELETE": "on"}], initial=1
        ),
    )

    assert response.status_code == 200
    assert_non_field_error(response, "Add at least one outcome: describe it in the empty row.")
    assert challenge.outcomes.count() == 1


def test_outcomes_step_allows_an_outcome_without_indicator_for_now(member_client, actors):
    challenge = ChallengeFactory(owner=actors["buyer"], with_outcome_and_criteria=False)

    member_client.post(
        edit_url(challenge, "outcomes"),
        _outcome_data([{"description": "Cleaner air", "ORDER": "1"}], initial=0),
    )

    assert list(challenge.outcomes.values_list("description", "indicator")) == [("Cleaner air", "")]
    review = member_client.get(edit_url(challenge, "review")).content.decode()
    assert "Outcome 1 needs a measurable indicator." in review


def test_outcomes_step_with_a_row_lacking_its_description_keeps_the_rest(member_client, actors):
    challenge = actors["challenge"]
    outcome = challenge.outcomes.get()

    response = member_client.post(
        edit_url(challenge, "outcomes"),
        _outcome_data(
            [
                {
                    "id": outcome.pk,
                    "description": "Reworded",
                    "indicator": outcome.indicator,
                    "target": outcome.target,
                    "ORDER": "1",
                },
                {"description": "", "indicator": "Typed indicator", "ORDER": ""},
            ],
            initial=1,
        ),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert_field_error(response, "outcomes-1-description", "This field is required.")
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', content, re.S).group(0)
    assert "Outcome 2: Outcome: This field is required." in summary
    assert 'value="Typed indicator"' in content
    assert "Reworded" in content
    assert challenge.outcomes.get().description != "Reworded"


def test_outcomes_step_refuses_an_outcome_of_another_challenge(member_client, actors):
    challenge = actors["challenge"]
    foreign = OutcomeFactory()

    response = member_client.post(
        edit_url(challenge, "outcomes"),
        _outcome_data([{"id": foreign.pk, "description": "Taken over", "ORDER": "1"}], initial=1),
    )

    assert response.status_code == 200
    assert_non_field_error(response, "Some of the rows no longer exist. Reload the page and try again.")
    foreign.refresh_from_db()
    assert foreign.description != "Taken over"


def test_outcomes_step_marks_the_fields_for_the_coach(member_client, actors):
    content = member_client.get(edit_url(actors["challenge"], "outcomes")).content.decode()

    for field in ["description", "indicator", "target"]:
        tag = re.search(rf'<(?:input|textarea)[^>]*name="outcomes-0-{field}"[^>]*>', content).group(0)
        assert f'data-coach="outcome_{field}"' in tag
        assert 'data-coach-language="en"' in tag
    assert "coach-panel" in content


# Step 3: constraints


def test_constraints_step_saves_the_constraints(member_client, actors):
    challenge = actors["challenge"]

    member_client.post(
        edit_url(challenge, "constraints"),
        {"constraints": "GDPR; WCAG 2.1 AA; must work with our journal system.", "out_of_scope": ""},
    )

    challenge.refresh_from_db()
    assert challenge.constraints == "GDPR; WCAG 2.1 AA; must work with our journal system."
    assert challenge.out_of_scope == ""
    assert AuditEvent.objects.get(action="challenge.updated").data == {
        "fields": ["constraints", "out_of_scope"]
    }


# Step 4: practicalities


def _practicalities(**overrides) -> dict:
    data = {
        "budget_min": "100000",
        "budget_max": "250000",
        "currency": "NOK",
        "deadline_timezone": "Europe/Oslo",
        "questions_deadline": _future(20).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M"),
        "submission_deadline": _future(40).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M"),
        "decision_date": "",
        "pilot_start": "",
        "pilot_end": "",
        "route": "innovation_partnership",
        "cpv_codes": "85300000, 72000000-5",
        "themes": [],
        "contact_name": "Kari Nordmann",
        "contact_email": "kari@example.org",
        "is_innovative": "on",
    }
    return {**data, **overrides}


def test_practicalities_step_saves_everything(member_client, actors):
    challenge = actors["challenge"]
    theme = challenge.themes.model.objects.get(slug="health-and-care")

    response = member_client.post(edit_url(challenge, "practicalities"), _practicalities(themes=[theme.pk]))

    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.budget_min == 100000
    assert challenge.currency == "NOK"
    assert challenge.route == "innovation_partnership"
    assert list(challenge.cpv_codes.values_list("code", flat=True)) == ["72000000", "85300000"]
    assert list(challenge.themes.all()) == [theme]
    fields = AuditEvent.objects.get(action="challenge.updated").data["fields"]
    assert {"budget_min", "cpv_codes", "themes", "currency", "route"} <= set(fields)


def test_practicalities_step_stores_deadlines_in_utc_from_the_chosen_time_zone(member_client, actors):
    challenge = actors["challenge"]
    year = timezone.now().year + 1

    member_client.post(
        edit_url(challenge, "practicalities"),
        _practicalities(
            deadline_timezone="America/New_York",
            questions_deadline=f"{year}-01-10T09:00",
            submission_deadline=f"{year}-07-01T12:00",
        ),
    )

    challenge.refresh_from_db()
    assert challenge.deadline_timezone == "America/New_York"
    # Winter: UTC-5; summer: UTC-4.
    assert challenge.questions_deadline == datetime.datetime(year, 1, 10, 14, 0, tzinfo=datetime.UTC)
    assert challenge.submission_deadline == datetime.datetime(year, 7, 1, 16, 0, tzinfo=datetime.UTC)
    page = member_client.get(edit_url(challenge, "practicalities"))
    assert_input_value(page, "submission_deadline", f"{year}-07-01T12:00")
    assert_input_value(page, "questions_deadline", f"{year}-01-10T09:00")


def test_practicalities_step_refuses_a_time_the_clocks_skip(member_client, actors):
    challenge = actors["challenge"]
    year = timezone.now().year + 1
    # Summer time starts on the last Sunday of March at 02:00 in Oslo: 02:30 does not exist.
    last_sunday = max(
        datetime.date(year, 3, day) for day in range(25, 32) if datetime.date(year, 3, day).weekday() == 6
    )

    response = member_client.post(
        edit_url(challenge, "practicalities"),
        _practicalities(questions_deadline="", submission_deadline=f"{last_sunday:%Y-%m-%d}T02:30"),
    )

    assert_field_error(
        response,
        "submission_deadline",
        "The clocks skip this time in Europe/Oslo (summer time starts). Choose another time.",
    )


def test_practicalities_step_refuses_a_budget_minimum_above_the_maximum(member_client, actors):
    challenge = actors["challenge"]

    response = member_client.post(
        edit_url(challenge, "practicalities"), _practicalities(budget_min="300000", budget_max="250000")
    )

    assert response.status_code == 200
    assert_field_error(response, "budget_min", "The lowest budget is above the highest budget (250000).")
    assert_input_value(response, "budget_min", "300000")
    assert_input_value(response, "contact_name", "Kari Nordmann")
    challenge.refresh_from_db()
    assert challenge.budget_min == 50000


def test_practicalities_step_refuses_a_negative_budget(member_client, actors):
    response = member_client.post(
        edit_url(actors["challenge"], "practicalities"), _practicalities(budget_min="-1")
    )

    assert_field_error(response, "budget_min", "A budget cannot be negative.")


def test_practicalities_step_refuses_a_deadline_in_the_past(member_client, actors):
    challenge = actors["challenge"]
    past = (timezone.now() - datetime.timedelta(days=1)).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")

    response = member_client.post(
        edit_url(challenge, "practicalities"), _practicalities(submission_deadline=past)
    )

    assert_field_error(
        response, "submission_deadline", "This deadline has already passed. Choose a date in the future."
    )
    assert_input_value(response, "submission_deadline", past)


def test_practicalities_step_refuses_questions_after_the_submission_deadline(member_client, actors):
    challenge = actors["challenge"]
    submission = _future(20).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")
    questions = _future(30).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")

    response = member_client.post(
        edit_url(challenge, "practicalities"),
        _practicalities(questions_deadline=questions, submission_deadline=submission),
    )

    assert_field_error(
        response,
        "questions_deadline",
        "The deadline for questions must be before the deadline for proposals.",
    )
    assert_input_value(response, "questions_deadline", questions)
    assert_input_value(response, "submission_deadline", submission)


def test_practicalities_step_refuses_a_decision_before_the_deadline(member_client, actors):
    response = member_client.post(
        edit_url(actors["challenge"], "practicalities"),
        _practicalities(decision_date=_future(2).date().isoformat()),
    )

    assert_field_error(
        response, "decision_date", "The decision cannot come before the deadline for proposals."
    )


def test_practicalities_step_refuses_a_pilot_that_ends_before_it_starts(member_client, actors):
    response = member_client.post(
        edit_url(actors["challenge"], "practicalities"),
        _practicalities(pilot_start="2031-05-01", pilot_end="2031-04-01"),
    )

    assert_field_error(response, "pilot_end", "The pilot cannot end before it starts.")


def test_practicalities_step_refuses_an_unknown_cpv_code(member_client, actors):
    challenge = actors["challenge"]
    codes_before = list(challenge.cpv_codes.values_list("code", flat=True))

    response = member_client.post(
        edit_url(challenge, "practicalities"), _practicalities(cpv_codes="85300000, 12345678")
    )

    assert_field_error(
        response,
        "cpv_codes",
        "Unknown CPV code: 12345678. Check the number, or search for the right code.",
    )
    assert_input_value(response, "cpv_codes", "85300000, 12345678")
    assert list(challenge.cpv_codes.values_list("code", flat=True)) == codes_before


def test_practicalities_step_refuses_text_that_is_not_a_cpv_code(member_client, actors):
    response = member_client.post(
        edit_url(actors["challenge"], "practicalities"), _practicalities(cpv_codes="85300000; home care")
    )

    assert_field_error(
        response,
        "cpv_codes",
        "“home”, “care” are not CPV codes: a CPV code has 8 digits, for example 72000000.",
    )


def test_practicalities_step_refuses_an_unknown_time_zone(member_client, actors):
    response = member_client.post(
        edit_url(actors["challenge"], "practicalities"),
        _practicalities(deadline_timezone="Mars/Olympus_Mons"),
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()


def test_practicalities_step_gives_the_picker_its_search_and_labels(member_client, actors):
    challenge = actors["challenge"]
    challenge.cpv_codes.set(["85300000"])

    response = member_client.get(edit_url(challenge, "practicalities"))

    tag = re.search(r'<input[^>]*name="cpv_codes"[^>]*>', response.content.decode()).group(0)
    assert 'value="85300000"' in tag
    assert f'data-cpv-search-url="{reverse("challenges:cpv-search")}"' in tag
    assert "85300000&quot;: &quot;Social work and related services" in tag
    assert "js/challenges/cpv-picker.js" in response.content.decode()


# Step 5: criteria


def _criteria_data(rows: list[dict], *, initial: int, scale: int = ScoringScale.ZERO_TO_FIVE) -> dict:
    data = {
        "scoring_scale": str(scale),
        "criteria-TOTAL_FORMS": str(len(rows)),
        "criteria-INITIAL_FORMS": str(initial),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"criteria-{index}-{key}"] = value
    return data


def test_criteria_step_saves_weights_that_add_up_to_100(member_client, actors):
    challenge = actors["challenge"]
    impact, cost = challenge.criteria.order_by("position")

    response = member_client.post(
        edit_url(challenge, "criteria"),
        _criteria_data(
            [
                {"id": impact.pk, "name": impact.name, "weight": "50", "ORDER": "1"},
                {"id": cost.pk, "name": cost.name, "weight": "30", "ORDER": "2"},
                {
                    "name": "Team",
                    "description": "Experience with care services",
                    "weight": "20",
                    "ORDER": "3",
                },
            ],
            initial=2,
            scale=ScoringScale.ZERO_TO_TEN,
        ),
    )

    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.scoring_scale == ScoringScale.ZERO_TO_TEN
    assert list(challenge.criteria.values_list("name", "weight")) == [
        (impact.name, 50),
        (cost.name, 30),
        ("Team", 20),
    ]


def test_criteria_step_refuses_weights_that_do_not_add_up_to_100(member_client, actors):
    challenge = actors["challenge"]
    impact, cost = challenge.criteria.order_by("position")

    response = member_client.post(
        edit_url(challenge, "criteria"),
        _criteria_data(
            [
                {"id": impact.pk, "name": "Impact, reworded", "weight": "60", "ORDER": "1"},
                {"id": cost.pk, "name": cost.name, "weight": "30", "ORDER": "2"},
            ],
            initial=2,
        ),
    )

    content = response.content.decode()
    message = "The weights add up to 90; they must add up to 100."
    assert response.status_code == 200
    assert re.search(
        r'<div id="id_criteria-0-weight_error" class="invalid-feedback">.*?' + re.escape(message),
        content,
        re.S,
    )
    assert re.search(
        r'<div id="id_criteria-1-weight_error" class="invalid-feedback">.*?' + re.escape(message),
        content,
        re.S,
    )
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', content, re.S).group(0)
    assert summary.count(message) == 1
    assert 'href="#id_criteria-0-weight"' in summary
    assert 'value="Impact, reworded"' in content
    assert sorted(challenge.criteria.values_list("weight", flat=True)) == [40, 60]
    assert not AuditEvent.objects.filter(action="challenge.updated").exists()


def test_criteria_step_refuses_a_weight_out_of_range(member_client, actors):
    challenge = ChallengeFactory(owner=actors["buyer"], with_outcome_and_criteria=False)

    response = member_client.post(
        edit_url(challenge, "criteria"),
        _criteria_data([{"name": "Everything", "weight": "101", "ORDER": "1"}], initial=0),
    )

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    assert challenge.criteria.count() == 0


# Step 7: review


def test_review_step_lists_what_is_missing_with_links_to_the_steps(member_client, actors):
    challenge = ChallengeFactory(
        owner=actors["buyer"],
        summary="",
        submission_deadline=None,
        questions_deadline=None,
        with_outcome_and_criteria=False,
    )

    content = member_client.get(edit_url(challenge, "review")).content.decode()

    assert "Write a short summary." in content
    assert "Add at least one outcome." in content
    assert "Set the deadline for proposals." in content
    assert "Choose at least one CPV code." in content
    assert "Add the evaluation criteria." in content
    assert f'href="{edit_url(challenge, "problem")}">Write a short summary.' in content


def test_review_step_says_when_nothing_is_missing(member_client, actors):
    challenge = actors["challenge"]
    challenge.cpv_codes.set(["85300000"])

    response = member_client.get(edit_url(challenge, "review"))

    content = response.content.decode()
    assert "Nothing is missing: the challenge can be submitted for review." in content
    assert challenge.current_situation.split(",")[0] in content
    assert h1_count(response) == 1


# Returned from review, and no longer a draft


def test_a_challenge_returned_from_review_shows_the_comments_and_can_be_edited(member_client, actors):
    challenge = actors["challenge"]
    ReviewFactory(challenge=challenge, decision=ReviewDecision.RETURNED, comment="Name the people affected.")

    page = member_client.get(edit_url(challenge, "problem"))
    member_client.post(edit_url(challenge, "problem"), {"title": "Reworked", "language": "en"})

    assert "Name the people affected." in page.content.decode()
    challenge.refresh_from_db()
    assert challenge.title == "Reworked"


def test_an_approved_review_shows_no_comments(member_client, actors):
    challenge = actors["challenge"]
    ReviewFactory(challenge=challenge, decision=ReviewDecision.RETURNED, comment="Old comment")
    ReviewFactory(challenge=challenge, decision=ReviewDecision.APPROVED, comment="Fine now")

    assert "Old comment" not in member_client.get(edit_url(challenge, "problem")).content.decode()


def test_the_editor_of_a_challenge_in_review_says_why_it_cannot_be_edited(member_client, actors):
    challenge = actors["challenge"]
    Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.IN_REVIEW)

    response = member_client.post(edit_url(challenge, "problem"), {"title": "Sneaky", "language": "en"})

    assert response.status_code == 403
    assert "is no longer a draft" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.title != "Sneaky"


def test_a_member_who_left_the_organisation_can_no_longer_edit(client, actors):
    user = actors["owner_member"]
    Membership.objects.filter(user=user).delete()
    client.force_login(user)

    assert client.get(edit_url(actors["challenge"], "problem")).status_code == 404


def test_every_editor_page_has_one_h1_and_no_inline_script_or_style(member_client, actors):
    challenge = actors["challenge"]
    urls = [
        edit_url(challenge, step)
        for step in [
            "problem",
            "outcomes",
            "constraints",
            "practicalities",
            "criteria",
            "documents",
            "review",
        ]
    ]
    urls += [
        reverse("challenges:challenge-create"),
        reverse("challenges:challenge-preview", kwargs={"pk": challenge.pk}),
        reverse("challenges:organisation-challenges"),
    ]

    for url in urls:
        response = member_client.get(url)
        content = response.content.decode()
        assert h1_count(response) == 1, url
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content) == [], url
        assert " style=" not in content, url
        assert "onclick=" not in content and "onload=" not in content, url


def test_a_step_saves_even_when_another_step_holds_something_wrong(member_client, actors):
    challenge = actors["challenge"]
    # The deadline has passed since it was set: the practicalities step would refuse it, the problem
    # step does not care.
    Challenge.objects.filter(pk=challenge.pk).update(
        questions_deadline=None, submission_deadline=timezone.now() - datetime.timedelta(days=1)
    )

    response = member_client.post(edit_url(challenge, "problem"), {"title": "Still saved", "language": "en"})

    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.title == "Still saved"
    review = member_client.get(edit_url(challenge, "review")).content.decode()
    assert "The deadline for proposals has passed; choose a later one." in review


@pytest.mark.parametrize("typed", ["garbage", "2030-02-30T10:00", "31/12/2030 10:00"])
def test_practicalities_step_malformed_deadline_is_a_field_error_not_a_crash(member_client, actors, typed):
    challenge = actors["challenge"]

    response = member_client.post(
        edit_url(challenge, "practicalities"), _practicalities(submission_deadline=typed)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["submission_deadline"]
    assert typed in response.content.decode()
