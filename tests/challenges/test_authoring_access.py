"""Who may open each page of the statement editor. A challenge the user may not see is a 404, never a 403;
one they may see but not edit (not a draft, or not theirs) says why, with a 403."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from challenges.enums import ChallengeStatus
from challenges.models import Challenge, ChallengeDocument
from challenges.services.authoring import add_challenge_document
from tests.challenges.authoring_fixtures import assert_status, authoring_actors, edit_url, login
from tests.challenges.test_authoring_uploads import PDF

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "owner_member", "owner_admin", "other_buyer", "supplier", "staff"]


@pytest.fixture
def actors() -> dict:
    return authoring_actors()


def _grid(**statuses):
    return [(actor, statuses[actor]) for actor in ACTORS]


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=200, owner_admin=200, other_buyer=200, supplier=403, staff=403),
)
def test_challenge_create_page_access(client, actors, actor, status):
    login(client, actors, actor)

    assert_status(client.get(reverse("challenges:challenge-create")), status)


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=302, owner_admin=302, other_buyer=302, supplier=403, staff=403),
)
def test_challenge_create_post_access(client, actors, actor, status):
    login(client, actors, actor)

    response = client.post(
        reverse("challenges:challenge-create"), {"title": "Fewer potholes", "language": "en"}
    )

    assert_status(response, status)
    assert Challenge.objects.filter(title="Fewer potholes").exists() is (
        status == 302 and actor != "anonymous"
    )


@pytest.mark.parametrize(
    "step", ["problem", "outcomes", "constraints", "practicalities", "criteria", "documents", "review"]
)
@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=200, owner_admin=200, other_buyer=404, supplier=404, staff=404),
)
def test_challenge_edit_page_access(client, actors, actor, status, step):
    login(client, actors, actor)

    assert_status(client.get(edit_url(actors["challenge"], step)), status)


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=302, owner_admin=302, other_buyer=404, supplier=404, staff=404),
)
def test_challenge_edit_post_access(client, actors, actor, status):
    login(client, actors, actor)
    challenge = actors["challenge"]
    data = {"title": "Renamed", "language": "en", "summary": challenge.summary}

    response = client.post(edit_url(challenge, "problem"), data)

    assert_status(response, status)
    challenge.refresh_from_db()
    assert (challenge.title == "Renamed") is (actor in {"owner_member", "owner_admin"})


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=403, owner_admin=403, other_buyer=404, supplier=404, staff=403),
)
def test_challenge_edit_page_access_in_review(client, actor, status):
    actors = authoring_actors(status=ChallengeStatus.IN_REVIEW)
    login(client, actors, actor)

    assert_status(client.get(edit_url(actors["challenge"], "problem")), status)


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=403, owner_admin=403, other_buyer=403, supplier=403, staff=403),
)
def test_challenge_edit_page_access_when_published(client, actor, status):
    actors = authoring_actors(status=ChallengeStatus.PUBLISHED)
    login(client, actors, actor)

    assert_status(client.get(edit_url(actors["challenge"], "problem")), status)


def test_challenge_edit_of_an_unknown_step_is_404(client, actors):
    client.force_login(actors["owner_member"])

    assert client.get(edit_url(actors["challenge"], "budget")).status_code == 404


def test_challenge_edit_of_a_missing_challenge_is_404(client, actors):
    client.force_login(actors["owner_member"])

    assert (
        client.get(reverse("challenges:challenge-edit", kwargs={"pk": 987654, "step": "problem"})).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=200, owner_admin=200, other_buyer=404, supplier=404, staff=404),
)
def test_challenge_preview_page_access(client, actors, actor, status):
    login(client, actors, actor)

    assert_status(
        client.get(reverse("challenges:challenge-preview", kwargs={"pk": actors["challenge"].pk})), status
    )


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=200, owner_admin=200, other_buyer=404, supplier=404, staff=200),
)
def test_challenge_preview_page_access_in_review(client, actor, status):
    actors = authoring_actors(status=ChallengeStatus.IN_REVIEW)
    login(client, actors, actor)

    assert_status(
        client.get(reverse("challenges:challenge-preview", kwargs={"pk": actors["challenge"].pk})), status
    )


def _document(actors) -> ChallengeDocument:
    challenge = actors["challenge"]
    status = challenge.status
    Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.DRAFT)
    document = add_challenge_document(
        challenge=challenge,
        by=actors["owner_member"],
        title="Report",
        file=SimpleUploadedFile("report.pdf", PDF),
    )
    Challenge.objects.filter(pk=challenge.pk).update(status=status)
    return document


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=404, owner_member=200, owner_admin=200, other_buyer=404, supplier=404, staff=404),
)
def test_document_download_access_for_a_draft(client, actors, actor, status):
    document = _document(actors)
    login(client, actors, actor)

    assert (
        client.get(reverse("challenges:document-download", kwargs={"pk": document.pk})).status_code == status
    )


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=404, owner_member=200, owner_admin=200, other_buyer=404, supplier=404, staff=200),
)
def test_document_download_access_in_review(client, actor, status):
    actors = authoring_actors(status=ChallengeStatus.IN_REVIEW)
    document = _document(actors)
    login(client, actors, actor)

    assert (
        client.get(reverse("challenges:document-download", kwargs={"pk": document.pk})).status_code == status
    )


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=200, owner_member=200, owner_admin=200, other_buyer=200, supplier=200, staff=200),
)
def test_document_download_access_when_published(client, actor, status):
    actors = authoring_actors(status=ChallengeStatus.PUBLISHED)
    document = _document(actors)
    login(client, actors, actor)

    assert (
        client.get(reverse("challenges:document-download", kwargs={"pk": document.pk})).status_code == status
    )


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=302, owner_admin=302, other_buyer=404, supplier=404, staff=404),
)
def test_document_delete_access(client, actors, actor, status):
    document = _document(actors)
    login(client, actors, actor)
    url = reverse(
        "challenges:document-delete", kwargs={"pk": actors["challenge"].pk, "document_pk": document.pk}
    )

    response = client.post(url)

    assert_status(response, status)
    assert ChallengeDocument.objects.filter(pk=document.pk).exists() is (
        actor not in {"owner_member", "owner_admin"}
    )


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=403, owner_admin=403, other_buyer=403, supplier=403, staff=403),
)
def test_document_delete_access_when_not_a_draft(client, actor, status):
    actors = authoring_actors(status=ChallengeStatus.CLOSED)
    document = _document(actors)
    login(client, actors, actor)
    url = reverse(
        "challenges:document-delete", kwargs={"pk": actors["challenge"].pk, "document_pk": document.pk}
    )

    assert_status(client.post(url), status)
    assert ChallengeDocument.objects.filter(pk=document.pk).exists()


def test_document_delete_refuses_get(client, actors):
    document = _document(actors)
    client.force_login(actors["owner_member"])
    url = reverse(
        "challenges:document-delete", kwargs={"pk": actors["challenge"].pk, "document_pk": document.pk}
    )

    assert client.get(url).status_code == 405


def test_document_delete_of_another_challenges_document_is_404(client, actors):
    other = authoring_actors()
    document = _document(other)
    client.force_login(actors["owner_member"])
    url = reverse(
        "challenges:document-delete", kwargs={"pk": actors["challenge"].pk, "document_pk": document.pk}
    )

    assert client.post(url).status_code == 404
    assert ChallengeDocument.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=302, owner_member=200, owner_admin=200, other_buyer=200, supplier=200, staff=200),
)
def test_organisation_challenges_page_access(client, actors, actor, status):
    login(client, actors, actor)

    assert_status(client.get(reverse("challenges:organisation-challenges")), status)


@pytest.mark.parametrize(
    ("actor", "status"),
    _grid(anonymous=200, owner_member=200, owner_admin=200, other_buyer=200, supplier=200, staff=200),
)
def test_cpv_search_access(client, actors, actor, status):
    login(client, actors, actor)

    assert client.get(reverse("challenges:cpv-search"), {"q": "care"}).status_code == status


def test_review_step_refuses_post(client, actors):
    client.force_login(actors["owner_member"])

    assert client.post(edit_url(actors["challenge"], "review")).status_code == 405
