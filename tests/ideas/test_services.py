"""The rules of every idea service: submission (limits, honeypot, links, the name shown), support (once per
person, never one's own, only published ideas), moderation (status guards, who may), merging (supports
move without counting anyone twice) and turning an idea into a challenge draft."""

from datetime import timedelta

import pytest
import rules
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from challenges.enums import ChallengeStatus
from challenges.ideas.enums import IdeaStatus
from challenges.ideas.models import AFFECTED_MAX_LENGTH, PROBLEM_MAX_LENGTH, Idea, IdeaSupport
from challenges.ideas.selectors import merge_candidates
from challenges.ideas.services import (
    IdeaStateError,
    SpamSuspected,
    SubmissionLimitReached,
    claim_and_notify_supporters,
    convert_idea_to_challenge,
    merge_idea,
    publish_idea,
    reject_idea,
    submit_idea,
    support_idea,
    withdraw_idea,
    withdraw_support,
)
from challenges.models import Challenge
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from tests.factories.accounts import AdminMembershipFactory, MembershipFactory, SupplierFactory, UserFactory
from tests.factories.challenges import ThemeFactory
from tests.factories.ideas import IdeaFactory, IdeaSupportFactory, PublishedIdeaFactory

pytestmark = pytest.mark.django_db

KIND_CHALLENGE = "ideas.challenge_published"


def _submit(author, city, **overrides):
    values = {
        "author": author,
        "city": city,
        "title": "Dark footpath along the river",
        "problem": "The footpath along the river has no lights; people avoid it after dark.",
        "display_name": "Ingrid",
        "affected": "Pupils and commuters.",
        "location": "Along the river",
    }
    return submit_idea(**{**values, **overrides})


def _supporters(idea) -> set[int]:
    return set(IdeaSupport.objects.filter(idea=idea).values_list("user_id", flat=True))


# --- Submission ----------------------------------------------------------------------------------------


def test_submit_idea_waits_for_moderation_and_tells_the_citys_members(city, other_city, people):
    colleague = MembershipFactory(organisation=city).user
    theme = ThemeFactory()

    idea = _submit(people["author"], city, themes=[theme], language="nb-NO")

    assert idea.status == IdeaStatus.PENDING
    assert idea.published_at is None
    assert idea.language == "nb"
    assert list(idea.themes.all()) == [theme]
    told = set(Notification.objects.filter(kind="ideas.submitted").values_list("recipient_id", flat=True))
    assert told == {people["city_member"].pk, colleague.pk}
    assert AuditEvent.objects.filter(action="idea.submitted", target_id=str(idea.pk)).count() == 1


def test_submit_idea_strips_the_text(city, people):
    idea = _submit(people["author"], city, title="  Dark footpath  ", display_name=" Ingrid ")

    assert (idea.title, idea.display_name) == ("Dark footpath", "Ingrid")


def test_submit_idea_refuses_a_filled_honeypot(city, people):
    with pytest.raises(SpamSuspected):
        _submit(people["author"], city, honeypot="http://spam.example")

    assert Idea.objects.count() == 0


@pytest.mark.parametrize(("links", "accepted"), [(0, True), (2, True), (3, False)])
def test_submit_idea_caps_the_links(city, people, links, accepted):
    problem = "The path is dark. " + " ".join(f"https://example.org/{n}" for n in range(links))

    if accepted:
        _submit(people["author"], city, problem=problem)
        assert Idea.objects.count() == 1
    else:
        with pytest.raises(ValidationError) as error:
            _submit(people["author"], city, problem=problem)
        assert "problem" in error.value.message_dict
        assert Idea.objects.count() == 0


def test_submit_idea_counts_links_in_every_field(city, people):
    with pytest.raises(ValidationError):
        _submit(
            people["author"],
            city,
            title="See www.example.org",
            problem="And https://example.org/a",
            location="http://example.org/map",
        )


def test_submit_idea_refuses_an_email_address_as_the_public_name(city, people):
    with pytest.raises(ValidationError) as error:
        _submit(people["author"], city, display_name="ingrid@example.org")

    assert "display_name" in error.value.message_dict


def test_submit_idea_only_for_a_buyer(people):
    with pytest.raises(ValidationError) as error:
        _submit(people["author"], SupplierFactory())

    assert "city" in error.value.message_dict


def test_submit_idea_requires_title_problem_and_name(city, people):
    with pytest.raises(ValidationError) as error:
        _submit(people["author"], city, title=" ", problem="", display_name="")

    assert set(error.value.message_dict) == {"title", "problem", "display_name"}


def test_submit_idea_allows_three_an_hour(city, people):
    for _ in range(settings.IDEAS_PER_HOUR):
        _submit(people["author"], city)

    with pytest.raises(SubmissionLimitReached):
        _submit(people["author"], city)

    assert Idea.objects.count() == 3
    # Another person is not affected.
    _submit(people["resident"], city)


def test_submit_idea_hourly_limit_forgets_older_ideas(city, people):
    IdeaFactory.create_batch(settings.IDEAS_PER_HOUR, author=people["author"], city=city)
    Idea.objects.update(created_at=timezone.now() - timedelta(minutes=61))

    _submit(people["author"], city)

    assert Idea.objects.count() == 4


def test_submit_idea_allows_ten_a_day(city, people):
    IdeaFactory.create_batch(settings.IDEAS_PER_DAY, author=people["author"], city=city)
    Idea.objects.update(created_at=timezone.now() - timedelta(hours=5))

    with pytest.raises(SubmissionLimitReached) as error:
        _submit(people["author"], city)

    assert "24 hours" in str(error.value)
    # A day later they may submit again.
    Idea.objects.update(created_at=timezone.now() - timedelta(hours=25))
    _submit(people["author"], city)


def test_submit_idea_counts_ideas_in_every_status(city, people):
    IdeaFactory(author=people["author"], city=city, status=IdeaStatus.REJECTED, rejection_reason="No.")
    PublishedIdeaFactory(author=people["author"], city=city)
    IdeaFactory(author=people["author"], city=city)

    with pytest.raises(SubmissionLimitReached):
        _submit(people["author"], city)


# --- Support ---------------------------------------------------------------------------------------------


def test_support_idea_once_per_person(people):
    idea = PublishedIdeaFactory()

    assert support_idea(idea=idea, user=people["resident"]) is True
    assert support_idea(idea=idea, user=people["resident"]) is False

    assert IdeaSupport.objects.filter(idea=idea).count() == 1


def test_support_is_unique_in_the_database(people):
    support = IdeaSupportFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        IdeaSupport.objects.create(idea=support.idea, user=support.user)


def test_support_idea_refuses_the_author(people):
    idea = PublishedIdeaFactory(author=people["author"])

    with pytest.raises(IdeaStateError):
        support_idea(idea=idea, user=people["author"])

    assert IdeaSupport.objects.count() == 0


@pytest.mark.parametrize("status", [IdeaStatus.PENDING, IdeaStatus.REJECTED])
def test_support_idea_only_published(people, status):
    idea = IdeaFactory(status=status, rejection_reason="No." if status == IdeaStatus.REJECTED else "")

    with pytest.raises(IdeaStateError):
        support_idea(idea=idea, user=people["resident"])


def test_withdraw_support(people):
    support = IdeaSupportFactory(user=people["resident"])

    assert withdraw_support(idea=support.idea, user=people["resident"]) is True
    assert withdraw_support(idea=support.idea, user=people["resident"]) is False
    assert IdeaSupport.objects.count() == 0


# --- Moderation ------------------------------------------------------------------------------------------


def test_publish_idea(city, people):
    idea = IdeaFactory(city=city, author=people["author"])

    publish_idea(idea=idea, by=people["city_member"])

    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PUBLISHED
    assert idea.published_at is not None
    assert idea.moderated_by == people["city_member"]
    assert list(
        Notification.objects.filter(kind="ideas.moderated").values_list("recipient_id", flat=True)
    ) == [people["author"].pk]
    assert AuditEvent.objects.filter(action="idea.published", target_id=str(idea.pk)).count() == 1


def test_publish_idea_only_pending(city, people):
    idea = PublishedIdeaFactory(city=city)

    with pytest.raises(IdeaStateError):
        publish_idea(idea=idea, by=people["city_member"])


def test_programme_staff_may_moderate_any_city(city, people):
    idea = IdeaFactory(city=city)

    publish_idea(idea=idea, by=people["staff"])

    assert Idea.objects.get().status == IdeaStatus.PUBLISHED


@pytest.mark.parametrize("actor", ["other_city_member", "resident", "supplier"])
def test_only_the_city_and_staff_moderate(city, people, actor):
    idea = IdeaFactory(city=city)

    with pytest.raises(PermissionDenied):
        publish_idea(idea=idea, by=people[actor])
    with pytest.raises(PermissionDenied):
        reject_idea(idea=idea, by=people[actor], reason="No.")

    assert Idea.objects.get().status == IdeaStatus.PENDING


def test_nobody_moderates_their_own_idea(city, people):
    idea = IdeaFactory(city=city, author=people["city_member"])

    with pytest.raises(PermissionDenied):
        publish_idea(idea=idea, by=people["city_member"])


def test_reject_idea_needs_a_reason_the_author_sees(city, people):
    idea = IdeaFactory(city=city, author=people["author"])

    with pytest.raises(ValidationError):
        reject_idea(idea=idea, by=people["city_member"], reason="  ")
    reject_idea(idea=idea, by=people["city_member"], reason="We already run a service for this.")

    idea.refresh_from_db()
    assert (idea.status, idea.rejection_reason) == (IdeaStatus.REJECTED, "We already run a service for this.")
    notice = Notification.objects.get(kind="ideas.moderated")
    assert notice.recipient == people["author"]
    assert AuditEvent.objects.get(action="idea.rejected").data == {
        "reason": "We already run a service for this."
    }


def test_reject_idea_takes_down_a_published_idea(city, people):
    idea = PublishedIdeaFactory(city=city)

    reject_idea(idea=idea, by=people["city_member"], reason="It names a person.")

    assert Idea.objects.get().status == IdeaStatus.REJECTED
    assert Idea.objects.public().count() == 0


def test_reject_idea_refuses_a_decided_idea(city, people):
    rejected = IdeaFactory(city=city, status=IdeaStatus.REJECTED, rejection_reason="No.")

    with pytest.raises(IdeaStateError):
        reject_idea(idea=rejected, by=people["city_member"], reason="Again.")


def test_merge_moves_supports_without_counting_anyone_twice(city, people):
    duplicate_author, target_author = UserFactory(), UserFactory()
    only_duplicate, both, only_target = UserFactory(), UserFactory(), UserFactory()
    target = PublishedIdeaFactory(city=city, author=target_author)
    duplicate = PublishedIdeaFactory(city=city, author=duplicate_author)
    for user in (only_duplicate, both, target_author):
        IdeaSupportFactory(idea=duplicate, user=user)
    for user in (both, only_target):
        IdeaSupportFactory(idea=target, user=user)

    merge_idea(idea=duplicate, into=target, by=people["city_member"])

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (IdeaStatus.MERGED, target)
    # Each person once; the target's author does not support their own idea; the duplicate's author joins.
    assert _supporters(target) == {only_duplicate.pk, both.pk, only_target.pk, duplicate_author.pk}
    assert _supporters(duplicate) == set()
    audit = AuditEvent.objects.get(action="idea.merged")
    assert audit.data == {"into": target.pk, "supports_moved": 1, "supports_dropped_as_doubles": 2}
    notice = Notification.objects.get(kind="ideas.moderated")
    assert notice.recipient == duplicate_author


def test_merge_of_a_pending_idea_whose_author_already_supports_the_target(city, people):
    target = PublishedIdeaFactory(city=city)
    duplicate = IdeaFactory(city=city)
    IdeaSupportFactory(idea=target, user=duplicate.author)

    merge_idea(idea=duplicate, into=target, by=people["city_member"])

    assert _supporters(target) == {duplicate.author_id}


def test_merge_repoints_ideas_merged_into_the_duplicate(city, people):
    target = PublishedIdeaFactory(city=city)
    duplicate = PublishedIdeaFactory(city=city)
    earlier = IdeaFactory(city=city)
    merge_idea(idea=earlier, into=duplicate, by=people["city_member"])

    merge_idea(idea=duplicate, into=target, by=people["city_member"])

    earlier.refresh_from_db()
    assert earlier.merged_into == target


def test_merge_only_into_a_published_idea_of_the_same_city(city, other_city, people):
    duplicate = IdeaFactory(city=city)

    with pytest.raises(IdeaStateError):
        merge_idea(idea=duplicate, into=IdeaFactory(city=city), by=people["city_member"])
    with pytest.raises(IdeaStateError):
        merge_idea(idea=duplicate, into=PublishedIdeaFactory(city=other_city), by=people["city_member"])
    with pytest.raises(IdeaStateError):
        merge_idea(idea=duplicate, into=duplicate, by=people["city_member"])

    assert Idea.objects.get(pk=duplicate.pk).status == IdeaStatus.PENDING


def test_merge_refuses_an_idea_that_became_a_challenge(city, people):
    idea = PublishedIdeaFactory(city=city)
    convert_idea_to_challenge(idea=idea, by=people["city_member"])

    with pytest.raises(IdeaStateError):
        merge_idea(idea=idea, into=PublishedIdeaFactory(city=city), by=people["city_member"])


# --- Turning an idea into a challenge -----------------------------------------------------------------------


def test_convert_idea_to_challenge_drafts_it_for_the_city(city, people):
    theme = ThemeFactory()
    idea = PublishedIdeaFactory(city=city, language="nb")
    idea.themes.add(theme)

    challenge = convert_idea_to_challenge(idea=idea, by=people["city_member"])

    assert challenge.owner == city
    assert challenge.status == ChallengeStatus.DRAFT
    assert challenge.created_by == people["city_member"]
    assert challenge.title == idea.title
    assert challenge.summary == idea.problem
    # The location line is written in the idea's language, whatever the procurer's.
    with translation.override("nb"):
        where = gettext("Where: %(location)s") % {"location": idea.location}
    assert challenge.current_situation == f"{idea.problem}\n\n{where}"
    assert challenge.affected == idea.affected
    assert challenge.language == "nb"
    assert list(challenge.themes.all()) == [theme]
    idea.refresh_from_db()
    assert (idea.challenge, idea.converted_by) == (challenge, people["city_member"])
    assert idea.converted_at is not None
    assert AuditEvent.objects.get(action="idea.converted").data == {"challenge": challenge.pk}
    assert AuditEvent.objects.filter(action="challenge.created").count() == 1


def test_convert_shortens_a_long_problem_for_the_summary(city, people):
    idea = PublishedIdeaFactory(city=city, problem="word " * 200 + "\n\nSecond paragraph.")

    challenge = convert_idea_to_challenge(idea=idea, by=people["city_member"])

    assert len(challenge.summary) == 500
    assert "Second paragraph" not in challenge.summary
    assert challenge.current_situation.startswith(idea.problem)


def test_convert_only_once(city, people):
    idea = PublishedIdeaFactory(city=city)
    convert_idea_to_challenge(idea=idea, by=people["city_member"])

    with pytest.raises(IdeaStateError):
        convert_idea_to_challenge(idea=idea, by=people["city_member"])


def test_convert_only_published(city, people):
    with pytest.raises(IdeaStateError):
        convert_idea_to_challenge(idea=IdeaFactory(city=city), by=people["city_member"])


@pytest.mark.parametrize("actor", ["other_city_member", "staff", "resident"])
def test_convert_only_by_the_citys_members(city, people, actor):
    idea = PublishedIdeaFactory(city=city)

    with pytest.raises(PermissionDenied):
        convert_idea_to_challenge(idea=idea, by=people[actor])

    assert Idea.objects.get().challenge is None


# --- Settings, lengths ------------------------------------------------------------------------------------


@override_settings(IDEAS_PER_HOUR=1, IDEAS_PER_DAY=10)
def test_submission_limits_are_read_from_the_settings_when_they_apply(city, people):
    _submit(people["author"], city)

    with pytest.raises(SubmissionLimitReached):
        _submit(people["author"], city)


@override_settings(IDEAS_PER_HOUR=10, IDEAS_PER_DAY=2)
def test_daily_limit_is_read_from_the_settings(city, people):
    _submit(people["author"], city)
    _submit(people["author"], city)

    with pytest.raises(SubmissionLimitReached) as error:
        _submit(people["author"], city)

    assert "24 hours" in str(error.value)


@override_settings(IDEAS_MAX_LINKS=0)
def test_link_limit_is_read_from_the_settings(city, people):
    with pytest.raises(ValidationError) as error:
        _submit(people["author"], city, problem="The map at https://example.org shows it.")

    assert "problem" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "limit"), [("problem", PROBLEM_MAX_LENGTH), ("affected", AFFECTED_MAX_LENGTH)]
)
def test_submit_idea_caps_the_length_of_the_long_texts(city, people, field, limit):
    assert (PROBLEM_MAX_LENGTH, AFFECTED_MAX_LENGTH) == (5_000, 2_000)
    _submit(people["author"], city, **{field: "a" * limit})

    with pytest.raises(ValidationError) as error:
        _submit(people["resident"], city, **{field: "a" * (limit + 1)})

    assert set(error.value.message_dict) == {field}
    assert str(limit) in error.value.message_dict[field][0]
    assert Idea.objects.count() == 1


# --- The audit log: residents' events are for programme staff only --------------------------------------


def test_resident_events_are_recorded_for_programme_staff_only(city, people):
    city_admin = AdminMembershipFactory(organisation=city).user
    idea = _submit(people["author"], city, title="Ingrid Solberg's street is dark")
    publish_idea(idea=idea, by=people["city_member"])
    withdraw_idea(idea=idea, by=people["author"])

    submitted = AuditEvent.objects.get(action="idea.submitted")
    withdrawn = AuditEvent.objects.get(action="idea.withdrawn")
    assert (submitted.organisation, withdrawn.organisation) == (None, None)
    assert submitted.actor_label == people["author"].email
    # The city's admins see the moderation, not the resident's entries (their email and IP address).
    assert list(AuditEvent.objects.visible_to(city_admin).values_list("action", flat=True)) == [
        "idea.published"
    ]
    assert set(AuditEvent.objects.visible_to(people["staff"]).values_list("action", flat=True)) == {
        "idea.submitted",
        "idea.published",
        "idea.withdrawn",
    }
    # The append-only log keeps no resident-written text (an operator may have to redact it).
    assert all("Ingrid" not in event.target_label for event in AuditEvent.objects.all()), (
        AuditEvent.objects.values_list("target_label", flat=True)
    )


# --- Merging a pending idea keeps it private ----------------------------------------------------------------


def test_merging_a_pending_idea_does_not_publish_it(city, people):
    target = PublishedIdeaFactory(city=city)
    pending = IdeaFactory(city=city)
    published = PublishedIdeaFactory(city=city)

    merge_idea(idea=pending, into=target, by=people["city_member"])
    merge_idea(idea=published, into=target, by=people["city_member"])

    pending.refresh_from_db()
    published.refresh_from_db()
    assert pending.published_at is None
    assert (pending.is_public, published.is_public) == (False, True)
    assert set(Idea.objects.public()) == {target, published}
    assert rules.has_perm("ideas.view_idea", AnonymousUser(), pending) is False
    assert rules.has_perm("ideas.view_idea", people["resident"], pending) is False
    assert rules.has_perm("ideas.view_idea", pending.author, pending) is True
    assert rules.has_perm("ideas.view_idea", AnonymousUser(), published) is True
    assert set(Idea.objects.visible_to(people["resident"])) == {target, published}


# --- Taking down an idea others were merged into -------------------------------------------------------


def test_taking_down_an_idea_takes_down_the_ideas_merged_into_it(city, people):
    target = PublishedIdeaFactory(city=city, author=people["author"])
    was_published = PublishedIdeaFactory(city=city)
    was_pending = IdeaFactory(city=city)
    unrelated = PublishedIdeaFactory(city=city)
    merge_idea(idea=was_published, into=target, by=people["city_member"])
    merge_idea(idea=was_pending, into=target, by=people["city_member"])
    Notification.objects.all().delete()

    reject_idea(idea=target, by=people["city_member"], reason="It names a neighbour.")

    for idea in (target, was_published, was_pending):
        idea.refresh_from_db()
        assert (idea.status, idea.rejection_reason, idea.merged_into) == (
            IdeaStatus.REJECTED,
            "It names a neighbour.",
            None,
        )
    assert list(Idea.objects.public()) == [unrelated]
    told = Notification.objects.filter(kind="ideas.moderated")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [people["author"].pk, was_published.author_id, was_pending.author_id]
    )
    audits = AuditEvent.objects.filter(action="idea.rejected")
    assert sorted(audits.values_list("target_id", flat=True)) == sorted(
        str(idea.pk) for idea in (target, was_published, was_pending)
    )
    assert audits.get(target_id=str(was_pending.pk)).data == {
        "reason": "It names a neighbour.",
        "with": target.pk,
    }
    # Published once, and still remembered as such; the status says it no longer is.
    assert target.published_at is not None


def test_rejecting_a_pending_idea_leaves_other_ideas_alone(city, people):
    target = PublishedIdeaFactory(city=city)
    merged = PublishedIdeaFactory(city=city)
    merge_idea(idea=merged, into=target, by=people["city_member"])
    pending = IdeaFactory(city=city)

    reject_idea(idea=pending, by=people["city_member"], reason="Not a problem for the city.")

    merged.refresh_from_db()
    assert (merged.status, merged.merged_into) == (IdeaStatus.MERGED, target)


# --- A challenge draft cancelled before publication ----------------------------------------------------


def _cancel(challenge) -> None:
    Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.CANCELLED)


def test_an_abandoned_challenge_draft_is_no_conversion(city, people):
    idea = PublishedIdeaFactory(city=city)
    first = convert_idea_to_challenge(idea=idea, by=people["city_member"])
    _cancel(first)
    idea = Idea.objects.select_related("challenge").get(pk=idea.pk)

    assert (idea.conversion_abandoned, idea.is_converted) == (True, False)
    assert rules.has_perm("ideas.convert_idea", people["city_member"], idea) is True
    assert rules.has_perm("ideas.moderate_idea", people["city_member"], idea) is True

    second = convert_idea_to_challenge(idea=idea, by=people["city_member"])

    idea.refresh_from_db()
    assert idea.challenge == second != first
    assert AuditEvent.objects.filter(action="idea.converted").order_by("pk").last().data == {
        "challenge": second.pk,
        "abandoned_challenge": first.pk,
    }


def test_an_idea_with_an_abandoned_draft_may_be_taken_down_or_merged(city, people):
    taken_down, duplicate = PublishedIdeaFactory(city=city), PublishedIdeaFactory(city=city)
    target = PublishedIdeaFactory(city=city)
    for idea in (taken_down, duplicate):
        _cancel(convert_idea_to_challenge(idea=idea, by=people["city_member"]))

    reject_idea(idea=taken_down, by=people["city_member"], reason="It names a person.")
    merge_idea(idea=duplicate, into=target, by=people["city_member"])

    assert Idea.objects.get(pk=taken_down.pk).status == IdeaStatus.REJECTED
    assert Idea.objects.get(pk=duplicate.pk).status == IdeaStatus.MERGED


def test_a_cancelled_challenge_that_was_published_still_counts(city, people):
    idea = PublishedIdeaFactory(city=city)
    challenge = convert_idea_to_challenge(idea=idea, by=people["city_member"])
    Challenge.objects.filter(pk=challenge.pk).update(
        status=ChallengeStatus.CANCELLED, published_at=timezone.now()
    )
    idea = Idea.objects.select_related("challenge").get(pk=idea.pk)

    assert (idea.conversion_abandoned, idea.is_converted) == (False, True)
    with pytest.raises(IdeaStateError):
        convert_idea_to_challenge(idea=idea, by=people["city_member"])
    with pytest.raises(IdeaStateError):
        reject_idea(idea=idea, by=people["city_member"], reason="Too late.")


# --- Merging into an idea whose supporters heard of its challenge --------------------------------------


def _converted_and_told(city, people):
    target = PublishedIdeaFactory(city=city)
    told_before = IdeaSupportFactory(idea=target).user
    challenge = convert_idea_to_challenge(idea=target, by=people["city_member"])
    Challenge.objects.filter(pk=challenge.pk).update(
        status=ChallengeStatus.PUBLISHED, published_at=timezone.now()
    )
    target.refresh_from_db()
    assert claim_and_notify_supporters(idea=target) is True
    target.refresh_from_db()
    return target, told_before, challenge


def test_merging_into_an_idea_whose_supporters_were_told_tells_the_newcomers(city, people):
    target, told_before, challenge = _converted_and_told(city, people)
    duplicate = PublishedIdeaFactory(city=city)
    moved = IdeaSupportFactory(idea=duplicate).user
    IdeaSupportFactory(idea=duplicate, user=told_before)  # a double: told already
    before = set(Notification.objects.filter(kind=KIND_CHALLENGE).values_list("pk", flat=True))

    with transaction.atomic():
        merge_idea(idea=duplicate, into=target, by=people["city_member"])
        # Written in the merge's own transaction: no task will ever run for the target again.
        new = Notification.objects.filter(kind=KIND_CHALLENGE).exclude(pk__in=before)
        assert sorted(new.values_list("recipient_id", flat=True)) == sorted([moved.pk, duplicate.author_id])
    assert {notice.target_id for notice in new} == {str(challenge.pk)}
    assert claim_and_notify_supporters(idea=target) is False


def test_merging_into_an_idea_whose_supporters_were_not_told_yet_leaves_it_to_the_task(city, people):
    target = PublishedIdeaFactory(city=city)
    convert_idea_to_challenge(idea=target, by=people["city_member"])
    duplicate = PublishedIdeaFactory(city=city)
    IdeaSupportFactory(idea=duplicate)

    merge_idea(idea=duplicate, into=target, by=people["city_member"])

    assert Notification.objects.filter(kind=KIND_CHALLENGE).count() == 0


def test_the_duplicates_author_told_before_as_a_supporter_is_not_told_twice(city, people):
    target, told_before, _challenge = _converted_and_told(city, people)
    duplicate = PublishedIdeaFactory(city=city, author=told_before)

    merge_idea(idea=duplicate, into=target, by=people["city_member"])

    assert Notification.objects.filter(kind=KIND_CHALLENGE, recipient=told_before).count() == 1


# --- The author withdraws their idea --------------------------------------------------------------------


@pytest.mark.parametrize("factory", [IdeaFactory, PublishedIdeaFactory])
def test_withdraw_idea(city, people, factory):
    idea = factory(city=city, author=people["author"])

    withdraw_idea(idea=idea, by=people["author"])

    idea.refresh_from_db()
    assert idea.status == IdeaStatus.WITHDRAWN
    assert idea.is_public is False
    assert Idea.objects.public().count() == 0
    assert list(Idea.objects.filter(status=IdeaStatus.PENDING)) == []
    assert AuditEvent.objects.get(action="idea.withdrawn").organisation is None
    with pytest.raises(IdeaStateError):
        support_idea(idea=idea, user=people["resident"])


@pytest.mark.parametrize("actor", ["resident", "city_member", "staff"])
def test_only_the_author_withdraws(city, people, actor):
    idea = PublishedIdeaFactory(city=city, author=people["author"])

    with pytest.raises(PermissionDenied):
        withdraw_idea(idea=idea, by=people[actor])

    assert Idea.objects.get().status == IdeaStatus.PUBLISHED


def test_withdraw_refuses_decided_converted_and_merged_into_ideas(city, people):
    author = people["author"]
    rejected = IdeaFactory(city=city, author=author, status=IdeaStatus.REJECTED, rejection_reason="No.")
    converted = PublishedIdeaFactory(city=city, author=author)
    convert_idea_to_challenge(idea=converted, by=people["city_member"])
    target = PublishedIdeaFactory(city=city, author=author)
    merge_idea(idea=IdeaFactory(city=city), into=target, by=people["city_member"])

    for idea in (rejected, converted, target):
        with pytest.raises(IdeaStateError):
            withdraw_idea(idea=idea, by=author)

    assert Idea.objects.filter(status=IdeaStatus.WITHDRAWN).count() == 0


def test_withdraw_an_idea_whose_challenge_draft_was_abandoned(city, people):
    idea = PublishedIdeaFactory(city=city, author=people["author"])
    _cancel(convert_idea_to_challenge(idea=idea, by=people["city_member"]))

    withdraw_idea(idea=idea, by=people["author"])

    assert Idea.objects.get().status == IdeaStatus.WITHDRAWN


# --- Merge candidates ----------------------------------------------------------------------------------


def test_merge_candidates_are_thirty_unconverted_published_ideas_of_the_city_sharing_themes_first(
    city, other_city, people
):
    theme, other_theme = ThemeFactory(), ThemeFactory()
    idea = IdeaFactory(city=city)
    idea.themes.add(theme)
    now = timezone.now()
    plain = [PublishedIdeaFactory(city=city, published_at=now - timedelta(hours=n)) for n in range(32)]
    sharing_old = PublishedIdeaFactory(city=city, published_at=now - timedelta(days=30))
    sharing_old.themes.add(theme, other_theme)
    sharing_new = PublishedIdeaFactory(city=city, published_at=now - timedelta(days=20))
    sharing_new.themes.add(theme)
    other_theme_only = PublishedIdeaFactory(city=city, published_at=now)  # newest; the same time, a later pk
    other_theme_only.themes.add(other_theme)
    converted = PublishedIdeaFactory(city=city, published_at=now)
    converted.themes.add(theme)
    convert_idea_to_challenge(idea=converted, by=people["city_member"])
    abandoned = PublishedIdeaFactory(city=city, published_at=now - timedelta(days=40))
    abandoned.themes.add(theme)
    _cancel(convert_idea_to_challenge(idea=abandoned, by=people["city_member"]))
    PublishedIdeaFactory(city=other_city, published_at=now).themes.add(theme)
    IdeaFactory(city=city).themes.add(theme)

    candidates = merge_candidates(idea=idea)

    assert len(candidates) == 30
    assert candidates[:3] == [sharing_new, sharing_old, abandoned]
    assert candidates[3] == other_theme_only
    assert candidates[4:] == plain[:26]
    assert converted not in candidates
