"""The suppliers admin: every model is there; bids stay out of it (not even counted) until the deadline,
and are never changed through it."""

import pytest
from django.contrib import admin
from django.urls import reverse

from challenges.enums import ChallengeStatus
from suppliers.models import (
    CapabilityTag,
    ConsortiumPartner,
    CriterionAnswer,
    OutcomeAnswer,
    PartnerConversation,
    PartnerMessage,
    PartnerPost,
    PriceLine,
    Proposal,
    ProposalDocument,
    Receipt,
    SupplierProfile,
    SupplierReference,
)
from suppliers.services.submission import submit_proposal
from tests.factories.accounts import UserFactory
from tests.factories.suppliers import (
    CapabilityTagFactory,
    PartnerMessageFactory,
    PriceLineFactory,
    ProposalDocumentFactory,
    SupplierReferenceFactory,
)

from .conftest import close_challenge
from .test_submission_services import make_complete

pytestmark = pytest.mark.django_db

BID_MODELS = [
    Proposal,
    OutcomeAnswer,
    CriterionAnswer,
    PriceLine,
    ProposalDocument,
    Receipt,
    ConsortiumPartner,
]
OTHER_MODELS = [
    CapabilityTag,
    SupplierProfile,
    SupplierReference,
    PartnerPost,
    PartnerConversation,
    PartnerMessage,
]


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def bid(actors):
    proposal = make_complete(actors["proposal"])
    PriceLineFactory(proposal=proposal, description="Sealed line", amount=proposal.price)
    ProposalDocumentFactory(proposal=proposal, title="Sealed annex")
    receipt = submit_proposal(proposal=proposal, by=actors["lead"])
    return {**actors, "proposal": proposal, "receipt": receipt}


def test_every_suppliers_model_is_registered():
    assert {model for model in BID_MODELS + OTHER_MODELS} <= set(admin.site._registry)


@pytest.mark.parametrize("model", OTHER_MODELS)
def test_reference_data_pages_open(superuser_client, model):
    SupplierReferenceFactory()
    PartnerMessageFactory()
    CapabilityTagFactory()

    assert superuser_client.get(_changelist(model)).status_code == 200
    obj = model.objects.first()
    change_url = reverse(f"admin:suppliers_{model._meta.model_name}_change", args=[obj.pk])
    assert superuser_client.get(change_url).status_code == 200


@pytest.mark.parametrize("model", BID_MODELS)
def test_superuser_sees_neither_a_bid_nor_a_count_before_the_deadline(superuser_client, bid, model):
    response = superuser_client.get(_changelist(model))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert response.context["cl"].full_result_count == 0
    assert bid["proposal"].title not in content
    assert bid["proposal"].supplier.name not in content
    assert "Sealed" not in content
    assert bid["receipt"].digest not in content


def test_a_sealed_proposal_cannot_be_opened_by_its_admin_url(superuser_client, bid):
    url = reverse("admin:suppliers_proposal_change", args=[bid["proposal"].pk])

    response = superuser_client.get(url, follow=True)

    # The admin treats an object outside its queryset as missing: back to the index with a message.
    assert bid["proposal"].summary not in response.content.decode()
    assert bid["proposal"].title not in response.content.decode()


@pytest.mark.parametrize("model", BID_MODELS)
def test_bids_appear_read_only_once_the_challenge_has_closed(superuser_client, bid, model):
    close_challenge(bid["challenge"])

    response = superuser_client.get(_changelist(model))

    assert response.context["cl"].result_count >= 1
    model_admin = admin.site._registry[model]
    request = response.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_closed_proposal_change_page_shows_metadata_but_not_its_content(superuser_client, bid):
    close_challenge(bid["challenge"])
    proposal = bid["proposal"]
    url = reverse("admin:suppliers_proposal_change", args=[proposal.pk])

    response = superuser_client.get(url)
    content = response.content.decode()

    assert response.status_code == 200
    # Metadata: the supplier, the status, the receipt's digest, the documents' sizes and fingerprints.
    assert proposal.supplier.name in content
    assert bid["receipt"].digest in content
    assert proposal.documents.get().sha256 in content
    # Content is read in the portal, where each opening is audited: none of it here.
    for text in [
        proposal.title,
        proposal.summary,
        proposal.approach,
        proposal.team,
        proposal.timeline,
        "Sealed line",
        "Sealed annex",
        "annex.pdf",
        "Hardware and installation",  # the partner's role
        *[answer.answer for answer in proposal.outcome_answers.all()],
        *[answer.answer for answer in proposal.criterion_answers.all()],
    ]:
        assert text not in content, text
    assert 'name="summary"' not in content
    assert superuser_client.post(url, {"summary": "Changed"}).status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).summary == proposal.summary


@pytest.mark.parametrize("model", BID_MODELS)
def test_closed_bid_rows_show_no_content_in_their_lists_and_change_pages(superuser_client, bid, model):
    close_challenge(bid["challenge"])
    proposal = bid["proposal"]
    secrets = [
        proposal.title,
        proposal.summary,
        "Sealed line",
        "Sealed annex",
        "annex.pdf",
        *[answer.answer for answer in proposal.outcome_answers.all()],
        *[answer.answer for answer in proposal.criterion_answers.all()],
    ]

    pages = [superuser_client.get(_changelist(model))]
    pages += [
        superuser_client.get(reverse(f"admin:suppliers_{model._meta.model_name}_change", args=[obj.pk]))
        for obj in model.objects.all()
    ]

    for page in pages:
        assert page.status_code == 200
        content = page.content.decode()
        for text in secrets:
            assert text not in content, (model, text)


def test_closed_bid_rows_have_no_change_history_page(superuser_client, bid):
    close_challenge(bid["challenge"])

    line = PriceLine.objects.get(description="Sealed line")

    response = superuser_client.get(reverse("admin:suppliers_priceline_history", args=[line.pk]))

    assert response.status_code == 403


def test_a_cancelled_challenges_bids_stay_out_of_the_admin(superuser_client, bid):
    close_challenge(bid["challenge"])
    bid["challenge"].status = ChallengeStatus.CANCELLED
    bid["challenge"].save()

    response = superuser_client.get(_changelist(Proposal))

    assert response.context["cl"].full_result_count == 0


# Rows elsewhere that point at a bid: the audit log, notifications, the outbox, delete pages


def test_programme_staff_audit_log_hides_a_bid_until_the_deadline(client, bid):
    client.force_login(bid["staff"])
    page = client.get(reverse("audit:event-list"))
    assert page.status_code == 200
    assert b"proposal.submitted" not in page.content
    assert bid["proposal"].supplier.name.encode() not in page.content

    close_challenge(bid["challenge"])
    page = client.get(reverse("audit:event-list"))
    assert b"proposal.submitted" in page.content


def test_the_bidders_admin_still_reads_their_own_bid_history(client, bid):
    client.force_login(bid["lead_admin"])
    page = client.get(reverse("audit:organisation-event-list", args=[bid["proposal"].supplier.slug]))
    assert b"proposal.submitted" in page.content


def test_admin_audit_and_notification_lists_hide_a_bid_until_the_deadline(superuser_client, bid):
    from portal.audit.models import AuditEvent
    from portal.notifications.models import Notification

    receipts = Notification.objects.filter(kind="suppliers.proposal_submitted")
    assert receipts.exists()
    for model, marker in [(AuditEvent, "proposal.submitted"), (Notification, receipts.first().title)]:
        page = superuser_client.get(_changelist(model))
        assert page.status_code == 200
        assert marker.encode() not in page.content, model

    close_challenge(bid["challenge"])
    for model, marker in [(AuditEvent, "proposal.submitted"), (Notification, receipts.first().title)]:
        assert marker.encode() in superuser_client.get(_changelist(model)).content, model


def test_admin_outbox_never_lists_a_bidders_mail(superuser_client, bid, django_capture_on_commit_callbacks):
    from portal.notifications.models import OutboxMail

    other = OutboxMail.objects.create(
        to_email="someone@example.org", kind="accounts.invited", subject="Hello"
    )
    receipt_mail = OutboxMail.objects.create(
        to_email="lead@example.org", kind="suppliers.proposal_submitted", subject="Receipt for your proposal"
    )
    page = superuser_client.get(_changelist(OutboxMail))
    assert other.subject.encode() in page.content
    assert receipt_mail.subject.encode() not in page.content
    change = reverse("admin:notifications_outboxmail_change", args=[receipt_mail.pk])
    assert superuser_client.get(change).status_code == 302  # "does not exist", back to the list


def test_admin_cannot_delete_a_published_challenge_or_a_bidding_organisation(superuser_client, bid):
    challenge = bid["challenge"]
    assert (
        superuser_client.get(reverse("admin:challenges_challenge_delete", args=[challenge.pk])).status_code
        == 403
    )
    supplier = bid["proposal"].supplier
    assert (
        superuser_client.get(reverse("admin:accounts_organisation_delete", args=[supplier.pk])).status_code
        == 403
    )
    for model in (type(challenge), type(supplier)):
        assert b"delete_selected" not in superuser_client.get(_changelist(model)).content


def test_a_supplier_without_any_bid_is_not_deletable_either(superuser_client, db):
    from tests.factories.accounts import SupplierFactory

    quiet = SupplierFactory()
    assert (
        superuser_client.get(reverse("admin:accounts_organisation_delete", args=[quiet.pk])).status_code
        == 403
    )


def test_outcomes_of_a_published_challenge_cannot_be_deleted_in_the_admin(superuser_client, bid):
    page = superuser_client.get(reverse("admin:challenges_challenge_change", args=[bid["challenge"].pk]))
    outcomes = next(
        formset
        for formset in page.context["inline_admin_formsets"]
        if formset.opts.model.__name__ == "Outcome"
    )
    assert not outcomes.has_delete_permission
    assert not outcomes.has_add_permission


def test_a_suppliers_people_are_not_deleted_in_the_admin(superuser_client, bid):
    lead = bid["lead"]
    assert superuser_client.get(reverse("admin:accounts_user_delete", args=[lead.pk])).status_code == 403


def test_admin_hides_reminders_and_amendments_of_an_open_challenge(superuser_client, bid):
    from portal.notifications.models import Notification, OutboxMail
    from portal.notifications.services import notify

    notify(
        recipients=[bid["other_supplier"]],
        kind="challenges.deadline_reminder",
        context={
            "challenge": bid["challenge"],
            "stage": "48h",
            "deadline": bid["challenge"].submission_deadline,
        },
        target=bid["challenge"],
    )
    reminder = Notification.objects.get(kind="challenges.deadline_reminder")
    assert reminder.title.encode() not in superuser_client.get(_changelist(Notification)).content
    assert (
        not superuser_client.get(_changelist(OutboxMail))
        .context["cl"]
        .result_list.filter(kind="challenges.deadline_reminder")
    )

    close_challenge(bid["challenge"])
    assert reminder.title.encode() in superuser_client.get(_changelist(Notification)).content


def test_a_denied_probe_stays_out_of_the_staff_audit_log_until_the_deadline(client, bid):
    from portal.audit.models import AuditEvent

    client.force_login(bid["other_supplier"])
    assert client.get(bid["proposal"].get_absolute_url()).status_code == 404
    denied = AuditEvent.objects.get(action="proposal.access_denied")
    assert denied.target_label == f"Proposal no. {bid['proposal'].pk}"

    client.force_login(bid["staff"])
    assert b"proposal.access_denied" not in client.get(reverse("audit:event-list")).content
    close_challenge(bid["challenge"])
    assert b"proposal.access_denied" in client.get(reverse("audit:event-list")).content
