"""The admin pages of the challenge models open for an operator, and keep the lifecycle read-only."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from challenges.models import (
    Amendment,
    Challenge,
    ChallengeDocument,
    Clarification,
    CoachRule,
    CPVCode,
    Follow,
    Review,
    SavedSearch,
    Theme,
)
from challenges.services.authoring import add_challenge_document
from tests.challenges.test_authoring_uploads import PDF
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.challenges import (
    AmendmentFactory,
    ClarificationFactory,
    CoachRuleFactory,
    FollowFactory,
    ReviewFactory,
    SavedSearchFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Challenge,
    ChallengeDocument,
    Review,
    Amendment,
    Clarification,
    Follow,
    SavedSearch,
    CoachRule,
    CPVCode,
    Theme,
]


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def rows():
    review = ReviewFactory()
    challenge = review.challenge
    member = MembershipFactory(organisation=challenge.owner).user
    add_challenge_document(
        challenge=challenge, by=member, title="Report", file=SimpleUploadedFile("r.pdf", PDF)
    )
    AmendmentFactory()
    ClarificationFactory()
    FollowFactory()
    SavedSearchFactory()
    CoachRuleFactory()
    return challenge


def test_every_challenge_model_is_registered():
    assert all(admin.site.is_registered(model) for model in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_admin_changelist_and_change_pages_open(operator_client, rows, model):
    meta = model._meta
    changelist = operator_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    obj = model.objects.first()
    change = operator_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))

    assert changelist.status_code == 200
    assert change.status_code == 200


def test_admin_challenge_search_and_cpv_autocomplete(operator_client, rows):
    found = operator_client.get(reverse("admin:challenges_challenge_changelist"), {"q": rows.title})
    autocomplete = operator_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "challenges",
            "model_name": "challenge",
            "field_name": "cpv_codes",
            "term": "social work",
        },
    )

    assert rows.title in found.content.decode()
    assert autocomplete.status_code == 200
    assert any(result["id"] == "85310000" for result in autocomplete.json()["results"])


def test_admin_keeps_the_status_read_only(operator_client, rows):
    content = operator_client.get(
        reverse("admin:challenges_challenge_change", args=[rows.pk])
    ).content.decode()

    assert 'name="status"' not in content
    assert 'name="title"' in content


def test_admin_cannot_add_documents_that_skipped_the_content_check(operator_client):
    assert operator_client.get(reverse("admin:challenges_challengedocument_add")).status_code == 403
