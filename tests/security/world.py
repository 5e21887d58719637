"""One world for the security tests: every role the issue names and enough objects to fill every URL's
arguments.

Buyer organisation X owns challenge C (published, open: its bids are sealed), with supplier A's submitted
proposal (A leads a consortium with partner P, who accepted) and supplier B's submitted proposal; C has a
panel with an evaluator and a conflicted evaluator (who declared a conflict on W's panel, the only
one that has opened: declarations come after the deadline). X also owns a draft
challenge D (with a document), a published case study, and its citizens' idea. Buyer organisation Y is
"another organisation" (its procurer). Exchanges, surveys, the insight programme, the partner board and the
notification centre each get one object of their own.

`build_world()` returns a `World` (attribute access); `ROLES` names the ten roles in the matrix's order."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from challenges.enums import ChallengeStatus
from portal.accounts.enums import MembershipRole
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    InvitationFactory,
    MembershipFactory,
    ProgrammeOrganisationFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
)
from tests.factories.casestudies import PublishedCaseStudyFactory
from tests.factories.challenges import (
    ChallengeDocumentFactory,
    ChallengeFactory,
    ClarificationFactory,
    CoachRuleFactory,
    PublishedChallengeFactory,
    SavedSearchFactory,
)
from tests.factories.evaluation import (
    ConflictDeclarationFactory,
    PanelFactory,
    ScoreSheetFactory,
    TrialFactory,
)
from tests.factories.exchanges import (
    AgendaSessionFactory,
    ExchangeEventFactory,
    ExchangeProgrammeFactory,
    RegistrationFactory,
)
from tests.factories.ideas import PublishedIdeaFactory
from tests.factories.insight import ProgrammeFactory
from tests.factories.notifications import NotificationFactory
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    EvaluatorFactory,
    PartnerConversationFactory,
    PartnerPostFactory,
    ProposalDocumentFactory,
    ReceiptFactory,
    SubmittedProposalFactory,
    SupplierProfileFactory,
)
from tests.factories.surveys import QuestionFactory, SurveyFactory

ROLES = (
    "anonymous",
    "supplier_a",
    "supplier_b",
    "partner",
    "procurer",
    "other_procurer",
    "evaluator",
    "conflicted",
    "staff",
    "superuser",
)


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    now = timezone.now()
    buyer_x = BuyerFactory(name="Buyer X", slug="buyer-x")
    buyer_y = BuyerFactory(name="Buyer Y", slug="buyer-y")
    supplier_a = SupplierFactory(name="Supplier A", slug="supplier-a")
    supplier_b = SupplierFactory(name="Supplier B", slug="supplier-b")
    partner_p = SupplierFactory(name="Partner P", slug="partner-p")
    programme_org = ProgrammeOrganisationFactory(name="Programme office", slug="programme-office")

    users = {
        "anonymous": None,
        "supplier_a": AdminMembershipFactory(organisation=supplier_a).user,
        "supplier_b": AdminMembershipFactory(organisation=supplier_b).user,
        "partner": AdminMembershipFactory(organisation=partner_p).user,
        "procurer": AdminMembershipFactory(organisation=buyer_x).user,
        "other_procurer": AdminMembershipFactory(organisation=buyer_y).user,
        "evaluator": MembershipFactory(organisation=buyer_x, role=MembershipRole.MEMBER).user,
        "conflicted": MembershipFactory(organisation=buyer_x, role=MembershipRole.MEMBER).user,
        "staff": TOTPAuthenticatorFactory().user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    procurer = users["procurer"]

    # The open challenge and its sealed bids.
    challenge = PublishedChallengeFactory(owner=buyer_x, created_by=procurer, title="Open challenge C")
    proposal_a = SubmittedProposalFactory(
        challenge=challenge, supplier=supplier_a, created_by=users["supplier_a"], title="Sealed bid of A"
    )
    proposal_b = SubmittedProposalFactory(
        challenge=challenge, supplier=supplier_b, created_by=users["supplier_b"], title="Sealed bid of B"
    )
    partnership = AcceptedPartnerFactory(
        proposal=proposal_a, organisation=partner_p, invited_by=users["supplier_a"]
    )
    document_a = ProposalDocumentFactory(proposal=proposal_a, uploaded_by=users["supplier_a"])
    receipt_a = ReceiptFactory(proposal=proposal_a, submitted_by=users["supplier_a"], number=1)
    receipt_b = ReceiptFactory(proposal=proposal_b, submitted_by=users["supplier_b"], number=1)

    # The panel: an evaluator and a conflicted evaluator (conflict with A).
    PanelFactory(challenge=challenge, scoring_deadline=challenge.submission_deadline + timedelta(days=14))
    evaluator = EvaluatorFactory(
        challenge=challenge, user=users["evaluator"], appointed_by=procurer, is_chair=True
    )
    conflicted = EvaluatorFactory(challenge=challenge, user=users["conflicted"], appointed_by=procurer)
    # A question from a resident who is none of the roles (asking is not bidding, but keep them apart).
    question = ClarificationFactory(challenge=challenge, asked_by=UserFactory())

    # X's draft (owner-only) and other buying-side objects.
    draft = ChallengeFactory(owner=buyer_x, created_by=procurer, title="Draft challenge D")
    draft_document = ChallengeDocumentFactory(challenge=draft, uploaded_by=procurer)
    awarded = ChallengeFactory(
        owner=buyer_x,
        created_by=procurer,
        status=ChallengeStatus.AWARDED,
        title="Awarded challenge W",
        submission_deadline=now - timedelta(days=60),
        questions_deadline=now - timedelta(days=70),
    )
    case_study = PublishedCaseStudyFactory(challenge=awarded, created_by=procurer)
    # W's evaluation left a score sheet and a trial (of an opened bid by a supplier none of the roles
    # belongs to), for the URLs that take them; C, still open, has neither.
    opened_bid = SubmittedProposalFactory(challenge=awarded, title="Opened bid on W")
    sheet = ScoreSheetFactory(
        evaluator=EvaluatorFactory(challenge=awarded, user=users["evaluator"], appointed_by=procurer),
        proposal=opened_bid,
    )
    trial = TrialFactory(proposal=opened_bid, shortlisted_by=procurer)
    # Conflicts are declared once an evaluation opens, after the deadline: the conflicted evaluator
    # declared theirs on W's panel; on C (still open) they sit on the panel like the other evaluator.
    ConflictDeclarationFactory(
        evaluator=EvaluatorFactory(challenge=awarded, user=users["conflicted"], appointed_by=procurer),
        organisation=opened_bid.supplier,
        has_conflict=True,
        reason="A relative runs it.",
    )
    idea = PublishedIdeaFactory(city=buyer_x)
    coach_rule = CoachRuleFactory()

    # The supplier side.
    profile_a = SupplierProfileFactory(organisation=supplier_a)
    post_b = PartnerPostFactory(challenge=challenge, organisation=supplier_b, created_by=users["supplier_b"])
    conversation = PartnerConversationFactory(post=post_b, organisation=supplier_a)

    # People's own things (supplier A's, the procurer's).
    notification = NotificationFactory(recipient=users["supplier_a"])
    saved_search = SavedSearchFactory(user=users["supplier_a"])
    invitation = InvitationFactory(organisation=buyer_x, invited_by=procurer)
    evaluator_membership = users["evaluator"].memberships.get(organisation=buyer_x)

    # Exchanges, surveys and the programme dashboard.
    exchange_programme = ExchangeProgrammeFactory(organiser=programme_org)
    event = ExchangeEventFactory(programme=exchange_programme, host=buyer_x)
    registration = RegistrationFactory(event=event, user=procurer, organisation=buyer_x)
    session = AgendaSessionFactory(event=event)
    survey = SurveyFactory(created_by=users["staff"])
    survey_question = QuestionFactory(survey=survey)
    insight_programme = ProgrammeFactory(organisation=programme_org)
    insight_programme.buyers.add(buyer_x)

    objects = {name: value for name, value in locals().items() if name not in {"users", "now"}}
    objects["year"] = now.year - 1
    return World(users=users, objects=objects)


# Fixtures: one world per test module, rolled back at its end. A test module imports the
# *_fixture functions; its tests then ask for world, role_clients and world_storage by those names.


@pytest.fixture(scope="module", name="world_media")
def world_media_fixture(tmp_path_factory) -> dict:
    """The world's uploads live in a directory of the module's own: the suite's in-memory storage is new in
    every test, and would lose the files the world uploaded once."""
    location = tmp_path_factory.mktemp("security-media")
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }


@pytest.fixture(scope="module", name="world")
def world_fixture(django_db_setup, django_db_blocker, world_media) -> World:
    """The world, built once for the module inside a transaction that is rolled back at the end (each
    test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), override_settings(STORAGES=world_media), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(name="world_storage")
def world_storage_fixture(settings, world_media) -> None:
    """Each test reads the world's uploads (after the suite's autouse in-memory storage)."""
    settings.STORAGES = world_media


@pytest.fixture(scope="module", name="role_clients")
def role_clients_fixture(world, django_db_blocker) -> dict[str, Client]:
    """A signed-in test client per role (anonymous: none), re-used by every request of the module."""
    clients = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            client = Client(REMOTE_ADDR="192.0.2.10")
            if world.users[role] is not None:
                client.force_login(world.users[role])
            clients[role] = client
    return clients
