"""Rules and services of a challenge's case study: only ended (and once published) challenges, one per
challenge, prefilled from the challenge, status guards, audit entries."""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from challenges.casestudies.enums import CaseOutcome, CaseSource, CaseStudyStatus
from challenges.casestudies.models import CaseStudy
from challenges.casestudies.services import (
    CaseStudyStateError,
    case_study_prefill,
    create_case_study,
    publish_case_study,
    publish_exchange_case_study,
    unpublish_case_study,
    update_case_study,
)
from challenges.enums import ChallengeStatus
from portal.audit.models import AuditEvent
from tests.factories.accounts import BuyerFactory, MembershipFactory, ProgrammeOrganisationFactory
from tests.factories.casestudies import CaseStudyFactory, ExchangeCaseStudyFactory, PublishedCaseStudyFactory
from tests.factories.challenges import ChallengeFactory, CPVCodeFactory, OutcomeFactory, ThemeFactory

pytestmark = pytest.mark.django_db


# Who may write, for which challenge


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (ChallengeStatus.DRAFT, False),
        (ChallengeStatus.IN_REVIEW, False),
        (ChallengeStatus.PUBLISHED, False),
        (ChallengeStatus.CLOSED, False),
        (ChallengeStatus.UNDER_EVALUATION, False),
        (ChallengeStatus.AWARDED, True),
        (ChallengeStatus.NOT_AWARDED, True),
        (ChallengeStatus.CANCELLED, True),
    ],
)
def test_only_an_ended_challenge_may_have_a_case_study(owner, owner_member, status, allowed):
    challenge = ChallengeFactory(owner=owner, status=status)

    assert rules.has_perm("casestudies.write_case_study", owner_member, challenge) is allowed


def test_a_challenge_cancelled_before_publication_may_not_have_one(owner, owner_member):
    challenge = ChallengeFactory(owner=owner, status=ChallengeStatus.CANCELLED, published_at=None)

    assert rules.has_perm("casestudies.write_case_study", owner_member, challenge) is False
    with pytest.raises(CaseStudyStateError, match="awarded, not awarded or cancelled"):
        create_case_study(challenge=challenge, by=owner_member, title="T", need="N")


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("anonymous", False),
        ("owner_member", True),
        ("other_buyer", False),
        ("supplier", False),
        ("staff", False),
    ],
)
def test_only_the_owners_members_write_a_case_study(actors, awarded_challenge, actor, allowed):
    user = actors[actor] or AnonymousUser()

    assert rules.has_perm("casestudies.write_case_study", user, awarded_challenge) is allowed


@pytest.mark.parametrize(
    ("actor", "view_draft", "change", "publish", "unpublish_published"),
    [
        ("anonymous", False, False, False, False),
        ("owner_member", True, True, True, True),
        ("other_buyer", False, False, False, False),
        ("supplier", False, False, False, False),
        ("staff", True, False, False, True),
    ],
)
def test_case_study_permissions(actors, owner, actor, view_draft, change, publish, unpublish_published):
    user = actors[actor] or AnonymousUser()
    draft = CaseStudyFactory(challenge__owner=owner)
    published = PublishedCaseStudyFactory(challenge__owner=owner)

    assert rules.has_perm("casestudies.view_case_study", user, draft) is view_draft
    assert rules.has_perm("casestudies.view_case_study", user, published) is True
    assert rules.has_perm("casestudies.change_case_study", user, draft) is change
    assert rules.has_perm("casestudies.publish_case_study", user, draft) is publish
    assert rules.has_perm("casestudies.publish_case_study", user, published) is False
    assert rules.has_perm("casestudies.unpublish_case_study", user, published) is unpublish_published
    assert rules.has_perm("casestudies.unpublish_case_study", user, draft) is False


def test_an_exchange_case_study_is_changed_by_staff_and_not_published_in_the_library(actors):
    case_study = ExchangeCaseStudyFactory(status=CaseStudyStatus.DRAFT, published_at=None)
    host_member = actors["owner_member"]
    case_study.owner = host_member.memberships.get().organisation
    case_study.save()

    assert rules.has_perm("casestudies.change_case_study", actors["staff"], case_study) is True
    assert rules.has_perm("casestudies.change_case_study", host_member, case_study) is False
    assert rules.has_perm("casestudies.publish_case_study", host_member, case_study) is False
    with pytest.raises(CaseStudyStateError, match="published from its reflection report"):
        publish_case_study(case_study=case_study, by=actors["staff"])


# Prefill and creation


def test_prefill_comes_from_the_challenge(owner):
    theme, code = ThemeFactory(slug="health-and-care"), CPVCodeFactory(code="33190000")
    challenge = ChallengeFactory(
        owner=owner,
        status=ChallengeStatus.NOT_AWARDED,
        title="Fewer falls at home",
        summary="Falls end independent living.",
        current_situation="900 falls a year.",
        affected="Older residents.",
        why_now="Twice as many over-80s.",
        route="proof_of_value",
        with_outcome_and_criteria=False,
    )
    challenge.themes.set([theme])
    challenge.cpv_codes.set([code])
    OutcomeFactory(
        challenge=challenge,
        description="Fewer falls",
        indicator="Falls per 100 users",
        baseline="22",
        target="15",
    )

    values = case_study_prefill(challenge=challenge)

    assert values["title"] == "Fewer falls at home"
    assert (
        values["need"]
        == "Falls end independent living.\n\n900 falls a year.\n\nOlder residents.\n\nTwice as many over-80s."
    )
    assert values["route"] == "proof_of_value"
    assert (values["themes"], values["cpv_codes"]) == ([theme], [code])
    assert values["outcome_against_indicators"] == (
        "- Fewer falls\n  Indicator: Falls per 100 users; baseline 22; target 15.\n  What it showed: "
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (ChallengeStatus.AWARDED, CaseOutcome.AWARDED),
        (ChallengeStatus.NOT_AWARDED, CaseOutcome.NOT_AWARDED),
        (ChallengeStatus.CANCELLED, CaseOutcome.CANCELLED),
    ],
)
def test_create_takes_outcome_owner_and_country_from_the_challenge(owner, owner_member, status, outcome):
    challenge = ChallengeFactory(owner=owner, status=status)
    theme = ThemeFactory()

    case_study = create_case_study(challenge=challenge, by=owner_member, title="T", need="N", themes=[theme])

    assert (case_study.source, case_study.outcome, case_study.owner, str(case_study.country)) == (
        CaseSource.CHALLENGE,
        outcome,
        owner,
        "NO",
    )
    assert (case_study.status, case_study.created_by, list(case_study.themes.all())) == (
        CaseStudyStatus.DRAFT,
        owner_member,
        [theme],
    )
    assert AuditEvent.objects.filter(action="casestudy.created", target_id=str(case_study.pk)).count() == 1


def test_one_case_study_per_challenge(awarded_challenge, owner_member):
    create_case_study(challenge=awarded_challenge, by=owner_member, title="First", need="N")

    with pytest.raises(CaseStudyStateError, match="already has its case study"):
        create_case_study(challenge=awarded_challenge, by=owner_member, title="Second", need="N")


def test_database_refuses_a_second_case_study_of_a_challenge(awarded_challenge):
    CaseStudyFactory(challenge=awarded_challenge)

    with pytest.raises(IntegrityError):
        CaseStudyFactory(challenge=awarded_challenge)


def test_update_changes_fields_and_links(owner_member, owner):
    case_study = CaseStudyFactory(challenge__owner=owner)
    code = CPVCodeFactory(code="48000000")

    update_case_study(case_study=case_study, by=owner_member, lessons="One\nTwo", cpv_codes=[code])

    case_study.refresh_from_db()
    assert (case_study.lesson_list, list(case_study.cpv_codes.all())) == (["One", "Two"], [code])
    entry = AuditEvent.objects.get(action="casestudy.updated")
    assert entry.data == {"fields": ["cpv_codes", "lessons"]}


# Publishing


def test_publish_and_unpublish_are_audited(owner_member, owner):
    case_study = CaseStudyFactory(challenge__owner=owner)

    publish_case_study(case_study=case_study, by=owner_member)
    case_study.refresh_from_db()
    assert (case_study.status, case_study.published_at is not None) == (CaseStudyStatus.PUBLISHED, True)
    with pytest.raises(CaseStudyStateError, match="already published"):
        publish_case_study(case_study=case_study, by=owner_member)

    unpublish_case_study(case_study=case_study, by=owner_member)
    case_study.refresh_from_db()
    assert (case_study.status, case_study.published_at) == (CaseStudyStatus.DRAFT, None)
    with pytest.raises(CaseStudyStateError, match="not published"):
        unpublish_case_study(case_study=case_study, by=owner_member)

    actions = list(
        AuditEvent.objects.filter(target_id=str(case_study.pk)).order_by("pk").values_list("action", "actor")
    )
    assert actions == [("casestudy.published", owner_member.pk), ("casestudy.unpublished", owner_member.pk)]


def test_publishing_needs_lessons(owner_member, owner):
    case_study = CaseStudyFactory(challenge__owner=owner, lessons="  ")

    with pytest.raises(CaseStudyStateError, match="the lessons learnt"):
        publish_case_study(case_study=case_study, by=owner_member)

    case_study.refresh_from_db()
    assert case_study.status == CaseStudyStatus.DRAFT


def test_database_refuses_a_published_case_study_without_a_date():
    with pytest.raises(IntegrityError):
        CaseStudyFactory(status=CaseStudyStatus.PUBLISHED, published_at=None)


# An exchange's case study: managed by programme staff, like the reflection report it comes from


@pytest.mark.parametrize(
    ("actor", "view_draft", "change", "unpublish_published"),
    [
        ("anonymous", False, False, False),
        ("owner_member", False, False, False),  # a member of the host organisation
        ("other_buyer", False, False, False),
        ("supplier", False, False, False),
        ("staff", True, True, True),
    ],
)
def test_exchange_case_study_permissions(actors, owner, actor, view_draft, change, unpublish_published):
    user = actors[actor] or AnonymousUser()
    draft = ExchangeCaseStudyFactory(owner=owner, status=CaseStudyStatus.DRAFT, published_at=None)
    published = ExchangeCaseStudyFactory(owner=owner)

    assert rules.has_perm("casestudies.view_case_study", user, draft) is view_draft
    assert rules.has_perm("casestudies.view_case_study", user, published) is True
    assert rules.has_perm("casestudies.change_case_study", user, draft) is change
    assert rules.has_perm("casestudies.publish_case_study", user, draft) is False
    assert rules.has_perm("casestudies.unpublish_case_study", user, published) is unpublish_published
    assert rules.has_perm("casestudies.unpublish_case_study", user, draft) is False
    visible = set(CaseStudy.objects.visible_to(user))
    assert visible == ({draft, published} if view_draft else {published})


def test_owner_members_see_their_challenges_drafts_but_not_their_exchanges(actors, owner):
    challenge_draft = CaseStudyFactory(challenge__owner=owner)
    ExchangeCaseStudyFactory(owner=owner, status=CaseStudyStatus.DRAFT, published_at=None)

    assert list(CaseStudy.objects.visible_to(actors["owner_member"])) == [challenge_draft]


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("anonymous", False),
        ("owner_member", True),
        ("other_buyer", True),
        ("programme_member", True),
        ("supplier", False),
        ("staff", True),
    ],
)
def test_contacts_are_for_the_public_sector_and_staff(actors, actor, allowed):
    actors["programme_member"] = MembershipFactory(organisation=ProgrammeOrganisationFactory()).user
    user = actors[actor] or AnonymousUser()

    assert (
        rules.has_perm("casestudies.view_case_study_contacts", user, PublishedCaseStudyFactory()) is allowed
    )


# Audit entries name the organisation; nothing changed, nothing written


def test_audit_entries_name_the_owner(owner_member, owner):
    case_study = CaseStudyFactory(challenge__owner=owner)

    update_case_study(case_study=case_study, by=owner_member, title="A better title")
    publish_case_study(case_study=case_study, by=owner_member)
    unpublish_case_study(case_study=case_study, by=owner_member)

    entries = AuditEvent.objects.filter(target_id=str(case_study.pk)).order_by("pk")
    assert [(entry.action, entry.organisation_id) for entry in entries] == [
        ("casestudy.updated", owner.pk),
        ("casestudy.published", owner.pk),
        ("casestudy.unpublished", owner.pk),
    ]


def test_an_update_that_changes_nothing_writes_nothing(owner_member, owner, django_assert_num_queries):
    case_study = CaseStudyFactory(challenge__owner=owner)
    themes = [ThemeFactory()]
    case_study.themes.set(themes)
    before = CaseStudy.objects.get(pk=case_study.pk).updated_at

    # savepoint, the locked row, the themes, release: no UPDATE, no audit entry
    with django_assert_num_queries(4):
        update_case_study(case_study=case_study, by=owner_member, title=case_study.title, themes=themes)

    assert CaseStudy.objects.get(pk=case_study.pk).updated_at == before
    assert not AuditEvent.objects.filter(action="casestudy.updated").exists()


def test_an_update_writes_only_what_changed(owner_member, owner):
    case_study = CaseStudyFactory(challenge__owner=owner, lessons="Old lesson")
    # A colleague's change to another field, saved after our copy was read, survives our save.
    CaseStudy.objects.filter(pk=case_study.pk).update(contacts="Ola Nordmann")

    with CaptureQueriesContext(connection) as queries:
        update_case_study(case_study=case_study, by=owner_member, lessons="New lesson")

    updates = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert "contacts" not in updates[0] and "lessons" in updates[0]
    case_study.refresh_from_db()
    assert (case_study.lessons, case_study.contacts) == ("New lesson", "Ola Nordmann")


# A published case study keeps what publishing required


@pytest.mark.parametrize(("field", "label"), [("lessons", "the lessons learnt"), ("need", "the need")])
def test_a_published_case_study_cannot_lose_what_publishing_required(owner_member, owner, field, label):
    case_study = PublishedCaseStudyFactory(challenge__owner=owner)
    kept = getattr(case_study, field)

    with pytest.raises(CaseStudyStateError, match=label):
        update_case_study(case_study=case_study, by=owner_member, **{field: "  "}, title="Changed too")

    case_study.refresh_from_db()
    assert (getattr(case_study, field), case_study.title) == (kept, case_study.title)
    assert case_study.title != "Changed too"


def test_a_draft_may_be_saved_without_lessons(owner_member, owner):
    case_study = CaseStudyFactory(challenge__owner=owner)

    update_case_study(case_study=case_study, by=owner_member, lessons="")

    case_study.refresh_from_db()
    assert case_study.lessons == ""


def test_a_published_exchange_case_study_may_have_no_lessons_but_a_need(staff):
    case_study = ExchangeCaseStudyFactory(lessons="")

    update_case_study(case_study=case_study, by=staff, result="A market day")
    with pytest.raises(CaseStudyStateError, match="the need"):
        update_case_study(case_study=case_study, by=staff, need="")

    case_study.refresh_from_db()
    assert (case_study.result, case_study.need != "") == ("A market day", True)


def test_an_exchange_case_study_published_from_an_empty_summary_states_the_title_as_its_need(staff):
    case_study = publish_exchange_case_study(
        case_study=None,
        owner=BuyerFactory(country="FI"),
        title="BUILD exchange in Turku",
        need=" ",
        lessons="",
        result="",
        by=staff,
    )

    case_study.refresh_from_db()
    assert (case_study.need, case_study.is_published) == ("BUILD exchange in Turku", True)


# The technical admin deletes nothing


def test_admin_cannot_delete_case_studies(rf):
    from django.contrib import admin

    model_admin = admin.site._registry[CaseStudy]

    assert model_admin.has_delete_permission(rf.get("/"), PublishedCaseStudyFactory()) is False
    assert model_admin.has_delete_permission(rf.get("/")) is False
