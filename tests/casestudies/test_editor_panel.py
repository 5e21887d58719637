"""The challenge editor's "Others who faced this need": on the problem, practicalities and review steps of a
saved challenge; on the problem step a new draft (no themes or CPV codes yet) is matched by its title and
summary."""

import pytest
from django.urls import reverse

from tests.factories.casestudies import PublishedCaseStudyFactory
from tests.factories.challenges import ChallengeFactory, ThemeFactory

pytestmark = pytest.mark.django_db
PANEL = "Others who faced this need"


def _edit(client, challenge, step) -> str:
    url = reverse("challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": step})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def draft(owner):
    return ChallengeFactory(
        owner=owner,
        title="Fewer falls at home",
        summary="Older residents fall at home at night.",
        with_outcome_and_criteria=False,
    )


def test_problem_step_of_a_new_draft_matches_its_title_and_summary(client, owner_member, draft):
    on_falls = PublishedCaseStudyFactory(title="Sensors against falls")
    client.force_login(owner_member)

    page = _edit(client, draft, "problem")

    assert PANEL in page
    assert on_falls.get_absolute_url() in page


@pytest.mark.parametrize(
    ("step", "shown"), [("problem", True), ("outcomes", False), ("practicalities", True), ("review", True)]
)
def test_panel_steps_match_the_challenges_themes(client, owner_member, draft, step, shown):
    care = ThemeFactory(slug="care")
    draft.themes.set([care])
    on_care = PublishedCaseStudyFactory(
        title="School meals", need="Pupils skip lunch.", lessons="", result="", market_engagement=""
    )
    on_care.themes.set([care])
    client.force_login(owner_member)

    page = _edit(client, draft, step)

    assert (PANEL in page) is shown
    assert (on_care.get_absolute_url() in page) is shown
    if shown:
        assert f"{reverse('casestudies:case-study-list')}?theme=care" in page


def test_no_panel_for_a_challenge_not_yet_saved(client, owner, owner_member):
    PublishedCaseStudyFactory()
    client.force_login(owner_member)

    response = client.get(reverse("challenges:challenge-create"))

    assert response.status_code == 200
    assert PANEL not in response.content.decode()
