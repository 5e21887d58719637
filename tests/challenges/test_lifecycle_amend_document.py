"""A published challenge gets new documents as dated amendments that followers hear about."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from challenges.models import Amendment, ChallengeDocument
from portal.notifications.models import Notification
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.challenges import ChallengeFactory, FollowFactory, PublishedChallengeFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"


def _post(client, challenge, *, content=PDF, name="site-plan.pdf", summary="The site plan is now attached."):
    return client.post(
        reverse("challenges:challenge-amend-document", args=[challenge.pk]),
        {
            "title": "Site plan",
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
            "amendment_summary": summary,
        },
    )


def test_owner_member_adds_a_document_as_an_amendment_and_followers_are_told(
    client, django_capture_on_commit_callbacks
):
    member = MembershipFactory()
    challenge = PublishedChallengeFactory(owner=member.organisation)
    follower = FollowFactory(challenge=challenge).user
    client.force_login(member.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, challenge)

    assert response.status_code == 302
    document = ChallengeDocument.objects.get(challenge=challenge)
    assert document.title == "Site plan"
    amendment = Amendment.objects.get(challenge=challenge)
    assert amendment.changes == {"documents": {"from": None, "to": "Site plan"}}
    assert Notification.objects.filter(recipient=follower, kind="challenges.amended").count() == 1
    detail = client.get(challenge.get_absolute_url()).content.decode()
    assert "The site plan is now attached." in detail


def test_disguised_upload_is_refused_at_the_field_and_nothing_is_kept(client):
    member = MembershipFactory()
    challenge = PublishedChallengeFactory(owner=member.organisation)
    client.force_login(member.user)

    response = _post(client, challenge, content=b"MZ\x90\x00 not a pdf", name="plan.pdf")

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "The site plan is now attached." in response.content.decode()
    assert not ChallengeDocument.objects.filter(challenge=challenge).exists()
    assert not Amendment.objects.filter(challenge=challenge).exists()


def test_amendment_document_needs_a_summary(client):
    member = MembershipFactory()
    challenge = PublishedChallengeFactory(owner=member.organisation)
    client.force_login(member.user)

    response = _post(client, challenge, summary="")

    assert response.status_code == 200
    assert response.context["form"].errors["amendment_summary"]


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("owner_member", 200), ("other_buyer", 404), ("supplier", 404)],
)
def test_amendment_document_page_access(client, actor, status):
    member = MembershipFactory()
    challenge = PublishedChallengeFactory(owner=member.organisation)
    users = {
        "anonymous": None,
        "owner_member": member.user,
        "other_buyer": MembershipFactory().user,
        "supplier": MembershipFactory(organisation=SupplierFactory()).user,
    }
    if users[actor]:
        client.force_login(users[actor])

    response = client.get(reverse("challenges:challenge-amend-document", args=[challenge.pk]))

    assert response.status_code == status


def test_amendment_document_not_for_a_draft(client):
    member = MembershipFactory()
    challenge = ChallengeFactory(owner=member.organisation)
    client.force_login(member.user)

    response = client.get(reverse("challenges:challenge-amend-document", args=[challenge.pk]))

    assert response.status_code == 404
