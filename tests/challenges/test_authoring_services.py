"""The statement editor's writes: each guarded (owner's members, drafts only), each audited."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.enums import ChallengeStatus, ReviewDecision, ScoringScale
from challenges.models import Challenge, ChallengeDocument, CPVCode, Criterion, Outcome, Theme
from challenges.services.authoring import (
    ChallengeNotEditable,
    add_challenge_document,
    create_challenge,
    delete_challenge_document,
    save_criteria,
    save_outcomes,
    update_challenge,
)
from portal.audit.models import AuditEvent
from tests.challenges.test_authoring_uploads import EXE, PDF
from tests.factories.accounts import BuyerFactory, MembershipFactory, SupplierFactory, UserFactory
from tests.factories.challenges import (
    ChallengeFactory,
    CriterionFactory,
    OutcomeFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def stored_files(challenge) -> list[str]:
    try:
        return default_storage.listdir(f"challenges/{challenge.pk}")[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def member():
    return MembershipFactory(organisation=BuyerFactory()).user


@pytest.fixture
def draft(member):
    return ChallengeFactory(owner=member.memberships.get().organisation)


# Creating


def test_create_challenge_makes_a_draft_of_the_buyer_and_audits_it(member):
    buyer = member.memberships.get().organisation

    challenge = create_challenge(
        owner=buyer, by=member, title="Safer school roads", summary="Fewer accidents."
    )

    assert challenge.status == ChallengeStatus.DRAFT
    assert challenge.owner == buyer
    assert challenge.created_by == member
    assert challenge.summary == "Fewer accidents."
    event = AuditEvent.objects.get(action="challenge.created")
    assert event.target_id == str(challenge.pk)
    assert event.organisation_id == buyer.pk
    assert event.actor == member


def test_create_challenge_refuses_a_supplier_organisation():
    supplier = SupplierFactory()
    user = MembershipFactory(organisation=supplier).user

    with pytest.raises(PermissionDenied):
        create_challenge(owner=supplier, by=user, title="Anything")

    assert Challenge.objects.count() == 0


def test_create_challenge_refuses_someone_outside_the_buyer():
    with pytest.raises(PermissionDenied):
        create_challenge(owner=BuyerFactory(), by=UserFactory(), title="Anything")

    assert Challenge.objects.count() == 0


def test_create_challenge_refuses_fields_the_editor_does_not_own(member):
    with pytest.raises(TypeError):
        create_challenge(
            owner=member.memberships.get().organisation, by=member, title="X", status="published"
        )


# Updating the challenge's own fields


def test_update_challenge_saves_and_audits_the_changed_fields_only(draft, member):
    changed = update_challenge(
        challenge=draft, by=member, title="A new title", summary=draft.summary, why_now="Because."
    )

    draft.refresh_from_db()
    assert changed == ["title", "why_now"]
    assert draft.title == "A new title"
    assert draft.why_now == "Because."
    event = AuditEvent.objects.get(action="challenge.updated")
    assert event.data == {"fields": ["title", "why_now"]}
    assert event.organisation_id == draft.owner_id


def test_update_challenge_without_changes_records_nothing(draft, member):
    changed = update_challenge(challenge=draft, by=member, title=draft.title)

    assert changed == []
    assert not AuditEvent.objects.filter(action="challenge.updated").exists()


def test_update_challenge_sets_cpv_codes_and_themes(draft, member):
    codes = list(CPVCode.objects.filter(code__in=["85300000", "72000000"]))
    theme = Theme.objects.get(slug="ageing-and-loneliness")

    changed = update_challenge(challenge=draft, by=member, cpv_codes=codes, themes=[theme])

    assert changed == ["cpv_codes", "themes"]
    assert set(draft.cpv_codes.values_list("code", flat=True)) == {"85300000", "72000000"}
    assert list(draft.themes.all()) == [theme]
    assert AuditEvent.objects.get(action="challenge.updated").data == {"fields": ["cpv_codes", "themes"]}


@pytest.mark.parametrize(
    "status", [ChallengeStatus.IN_REVIEW, ChallengeStatus.PUBLISHED, ChallengeStatus.CANCELLED]
)
def test_update_challenge_refuses_a_challenge_that_is_not_a_draft(member, status):
    challenge = ChallengeFactory(owner=member.memberships.get().organisation, status=status)

    with pytest.raises(ChallengeNotEditable):
        update_challenge(challenge=challenge, by=member, title="Changed")

    challenge.refresh_from_db()
    assert challenge.title != "Changed"
    assert not AuditEvent.objects.exists()


def test_update_challenge_refuses_someone_outside_the_owner(draft):
    other = MembershipFactory(organisation=BuyerFactory()).user

    with pytest.raises(PermissionDenied):
        update_challenge(challenge=draft, by=other, title="Changed")


def test_update_challenge_refuses_lifecycle_fields(draft, member):
    with pytest.raises(TypeError):
        update_challenge(challenge=draft, by=member, status=ChallengeStatus.PUBLISHED)


def test_a_challenge_returned_from_review_can_be_edited_again(member):
    challenge = ChallengeFactory(owner=member.memberships.get().organisation, status=ChallengeStatus.DRAFT)
    ReviewFactory(challenge=challenge, decision=ReviewDecision.RETURNED, comment="Say who is affected.")

    update_challenge(challenge=challenge, by=member, affected="Residents over 75 and their families.")

    challenge.refresh_from_db()
    assert challenge.affected == "Residents over 75 and their families."


# Outcomes


def test_save_outcomes_creates_updates_deletes_and_orders(member):
    challenge = ChallengeFactory(owner=member.memberships.get().organisation, with_outcome_and_criteria=False)
    first = OutcomeFactory(challenge=challenge, description="First", position=0)
    second = OutcomeFactory(challenge=challenge, description="Second", position=1)

    changed = save_outcomes(
        challenge=challenge,
        by=member,
        outcomes=[
            {"description": "Brand new", "indicator": "Count", "baseline": "", "target": "10"},
            {"pk": second.pk, "description": "Second, reworded", "indicator": "Share", "target": "50 %"},
        ],
    )

    assert changed is True
    rows = list(challenge.outcomes.values_list("description", "position"))
    assert rows == [("Brand new", 0), ("Second, reworded", 1)]
    assert not Outcome.objects.filter(pk=first.pk).exists()
    assert AuditEvent.objects.get(action="challenge.updated").data == {"fields": ["outcomes"]}


def test_save_outcomes_without_changes_records_nothing(draft, member):
    outcome = draft.outcomes.get()
    row = {
        "pk": outcome.pk,
        "description": outcome.description,
        "indicator": outcome.indicator,
        "baseline": outcome.baseline,
        "target": outcome.target,
    }

    assert save_outcomes(challenge=draft, by=member, outcomes=[row]) is False
    assert not AuditEvent.objects.exists()


def test_save_outcomes_refuses_none(draft, member):
    with pytest.raises(ValidationError):
        save_outcomes(challenge=draft, by=member, outcomes=[])

    assert draft.outcomes.count() == 1


def test_save_outcomes_refuses_an_outcome_of_another_challenge(draft, member):
    foreign = OutcomeFactory()

    with pytest.raises(ValidationError):
        save_outcomes(challenge=draft, by=member, outcomes=[{"pk": foreign.pk, "description": "Mine now"}])

    foreign.refresh_from_db()
    assert foreign.description != "Mine now"
    assert foreign.challenge_id != draft.pk


def test_save_outcomes_refuses_a_published_challenge(member):
    challenge = ChallengeFactory(
        owner=member.memberships.get().organisation, status=ChallengeStatus.PUBLISHED
    )

    with pytest.raises(ChallengeNotEditable):
        save_outcomes(challenge=challenge, by=member, outcomes=[{"description": "New"}])


# Criteria


def test_save_criteria_replaces_the_criteria_and_sets_the_scale(draft, member):
    kept = draft.criteria.get(weight=60)

    changed = save_criteria(
        challenge=draft,
        by=member,
        criteria=[
            {"name": "Price", "description": "", "weight": 30},
            {"pk": kept.pk, "name": "Impact", "description": "On the outcomes", "weight": 70},
        ],
        scoring_scale=ScoringScale.ZERO_TO_TEN,
    )

    draft.refresh_from_db()
    assert changed is True
    assert draft.scoring_scale == ScoringScale.ZERO_TO_TEN
    assert list(draft.criteria.values_list("name", "weight", "position")) == [
        ("Price", 30, 0),
        ("Impact", 70, 1),
    ]
    assert AuditEvent.objects.get(action="challenge.updated").data == {
        "fields": ["criteria", "scoring_scale"]
    }


@pytest.mark.parametrize("weights", [[50, 40], [60, 60], [100, 1]])
def test_save_criteria_refuses_weights_that_do_not_add_up_to_100(draft, member, weights):
    with pytest.raises(ValidationError) as error:
        save_criteria(
            challenge=draft,
            by=member,
            criteria=[{"name": f"C{n}", "weight": weight} for n, weight in enumerate(weights)],
            scoring_scale=ScoringScale.ZERO_TO_FIVE,
        )

    assert error.value.messages == [f"The weights add up to {sum(weights)}; they must add up to 100."]
    assert sorted(draft.criteria.values_list("weight", flat=True)) == [40, 60]


def test_save_criteria_allows_a_draft_without_criteria(draft, member):
    save_criteria(challenge=draft, by=member, criteria=[], scoring_scale=ScoringScale.ZERO_TO_FIVE)

    assert not Criterion.objects.filter(challenge=draft).exists()


def test_save_criteria_refuses_a_criterion_of_another_challenge(draft, member):
    foreign = CriterionFactory(weight=100)

    with pytest.raises(ValidationError):
        save_criteria(
            challenge=draft,
            by=member,
            criteria=[{"pk": foreign.pk, "name": "Mine", "weight": 100}],
            scoring_scale=ScoringScale.ZERO_TO_FIVE,
        )


# Documents


def test_add_challenge_document_records_its_digest_and_real_type(draft, member):
    file = SimpleUploadedFile("Background report.pdf", PDF, content_type="text/html")

    document = add_challenge_document(challenge=draft, by=member, title="Background", file=file)

    assert document.content_type == "application/pdf"
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.size == len(PDF)
    assert document.original_name == "Background report.pdf"
    assert document.uploaded_by == member
    # Stored under a generated name, never the one the uploader chose.
    assert document.file.name.startswith(f"challenges/{draft.pk}/")
    assert "Background" not in document.file.name
    assert default_storage.open(document.file.name).read() == PDF
    event = AuditEvent.objects.get(action="challenge.document_added")
    assert event.data["sha256"] == document.sha256


def test_add_challenge_document_refuses_a_disguised_file_and_stores_nothing(draft, member):
    with pytest.raises(ValidationError):
        add_challenge_document(
            challenge=draft, by=member, title="Invoice", file=SimpleUploadedFile("invoice.pdf", EXE)
        )

    assert not ChallengeDocument.objects.exists()
    assert stored_files(draft) == []


def test_add_challenge_document_refuses_a_challenge_in_review_and_leaves_no_file(member):
    challenge = ChallengeFactory(
        owner=member.memberships.get().organisation, status=ChallengeStatus.IN_REVIEW
    )

    with pytest.raises(ChallengeNotEditable):
        add_challenge_document(
            challenge=challenge, by=member, title="Late", file=SimpleUploadedFile("late.pdf", PDF)
        )

    assert not ChallengeDocument.objects.exists()
    assert stored_files(challenge) == []


def test_delete_challenge_document_removes_the_row_and_then_the_file(
    draft, member, django_capture_on_commit_callbacks
):
    document = add_challenge_document(
        challenge=draft, by=member, title="Report", file=SimpleUploadedFile("report.pdf", PDF)
    )
    name = document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        delete_challenge_document(document=document, by=member)

    assert not ChallengeDocument.objects.filter(pk=document.pk).exists()
    assert not default_storage.exists(name)
    assert AuditEvent.objects.get(action="challenge.document_deleted").data["title"] == "Report"


def test_delete_challenge_document_refuses_a_published_challenge(member):
    challenge = ChallengeFactory(owner=member.memberships.get().organisation)
    document = add_challenge_document(
        challenge=challenge, by=member, title="Report", file=SimpleUploadedFile("report.pdf", PDF)
    )
    Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.PUBLISHED)

    with pytest.raises(ChallengeNotEditable):
        delete_challenge_document(document=document, by=member)

    assert ChallengeDocument.objects.filter(pk=document.pk).exists()
