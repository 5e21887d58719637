"""The lifecycle's services: every transition, its guards, its audit entry and its notifications."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from challenges import kinds
from challenges.enums import ChallengeStatus, ReviewDecision, ScoringScale
from challenges.models import Amendment, Challenge, Review
from challenges.services.lifecycle import (
    ChallengeStateError,
    IncompleteChallengeError,
    amend_challenge,
    approve_challenge,
    cancel_challenge,
    close_challenge,
    close_due_challenges,
    extend_deadline,
    record_outcome,
    return_challenge,
    start_evaluation,
    submit_for_review,
)
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    ProgrammeStaffFactory,
    UserFactory,
)
from tests.factories.challenges import (
    ChallengeFactory,
    CriterionFactory,
    FollowFactory,
    PublishedChallengeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer():
    """A buying organisation with an admin, a member (who writes and submits) and a colleague."""
    organisation = BuyerFactory()
    return {
        "organisation": organisation,
        "admin": AdminMembershipFactory(organisation=organisation).user,
        "member": MembershipFactory(organisation=organisation).user,
        "colleague": MembershipFactory(organisation=organisation).user,
    }


def _in_review(buyer, **kwargs) -> Challenge:
    return ChallengeFactory(
        owner=buyer["organisation"],
        status=ChallengeStatus.IN_REVIEW,
        submitted_for_review_by=buyer["member"],
        submitted_for_review_at=timezone.now(),
        **kwargs,
    )


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _actions(challenge) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(challenge.pk)).order_by("pk").values_list("action", flat=True)
    )


# Submit for review


def test_submit_for_review_moves_draft_to_in_review(buyer):
    challenge = ChallengeFactory(owner=buyer["organisation"])

    submit_for_review(challenge=challenge, by=buyer["member"])

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.IN_REVIEW
    assert challenge.submitted_for_review_by == buyer["member"]
    assert challenge.submitted_for_review_at is not None
    assert _actions(challenge) == ["challenge.submitted_for_review"]


def test_submit_for_review_notifies_the_other_members(buyer, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(owner=buyer["organisation"])

    with django_capture_on_commit_callbacks(execute=True):
        submit_for_review(challenge=challenge, by=buyer["member"])

    assert _kinds(buyer["admin"]) == [kinds.REVIEW_REQUESTED.key]
    assert _kinds(buyer["colleague"]) == [kinds.REVIEW_REQUESTED.key]
    assert _kinds(buyer["member"]) == []
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [buyer["admin"].email, buyer["colleague"].email]
    )
    assert challenge.title in mail.outbox[0].subject


def test_submit_for_review_asks_programme_staff_when_the_submitter_is_alone(
    django_capture_on_commit_callbacks,
):
    membership = AdminMembershipFactory(organisation=BuyerFactory())
    staff = ProgrammeStaffFactory()
    challenge = ChallengeFactory(owner=membership.organisation)

    with django_capture_on_commit_callbacks(execute=True):
        submit_for_review(challenge=challenge, by=membership.user)

    assert _kinds(staff) == [kinds.REVIEW_REQUESTED.key]


def test_submit_for_review_lists_everything_missing(buyer):
    challenge = ChallengeFactory(
        owner=buyer["organisation"],
        summary="",
        why_now="  ",
        with_outcome_and_criteria=False,
    )
    CriterionFactory(challenge=challenge, weight=50)

    with pytest.raises(IncompleteChallengeError) as raised:
        submit_for_review(challenge=challenge, by=buyer["member"])

    assert raised.value.missing == [
        "Write a short summary.",
        "Say why it matters now.",
        "Add at least one outcome, with an indicator and a target.",
        "Choose at least one CPV code.",
        "The criteria's weights add up to 50; they must add up to 100.",
    ]
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT


def test_submit_for_review_refuses_a_deadline_in_the_past(buyer):
    challenge = ChallengeFactory(
        owner=buyer["organisation"],
        questions_deadline=None,
        submission_deadline=timezone.now() - timedelta(seconds=1),
    )

    with pytest.raises(IncompleteChallengeError) as raised:
        submit_for_review(challenge=challenge, by=buyer["member"])

    assert raised.value.missing == ["The deadline for proposals has passed: choose a later one."]


def test_submit_for_review_refuses_a_questions_deadline_in_the_past(buyer):
    challenge = ChallengeFactory(owner=buyer["organisation"], questions_deadline=timezone.now())

    with pytest.raises(IncompleteChallengeError) as raised:
        submit_for_review(challenge=challenge, by=buyer["member"])

    assert raised.value.missing == ["The deadline for questions has passed: choose a later one."]


def test_submit_for_review_refuses_an_outcome_without_indicator_or_target(buyer):
    challenge = ChallengeFactory(owner=buyer["organisation"])
    challenge.outcomes.update(indicator="", target=" ")

    with pytest.raises(IncompleteChallengeError) as raised:
        submit_for_review(challenge=challenge, by=buyer["member"])

    assert raised.value.missing == ["Outcome 1 has no indicator.", "Outcome 1 has no target."]


def test_submit_for_review_refuses_a_challenge_already_in_review(buyer):
    challenge = _in_review(buyer)

    with pytest.raises(ChallengeStateError):
        submit_for_review(challenge=challenge, by=buyer["admin"])


def test_submit_for_review_refuses_someone_outside_the_organisation(buyer):
    challenge = ChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError):
        submit_for_review(challenge=challenge, by=MembershipFactory().user)

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT


# Approve


def test_approve_challenge_publishes_records_the_review_and_freezes_the_criteria(buyer):
    challenge = _in_review(buyer)

    approve_challenge(challenge=challenge, by=buyer["admin"], comment=" Clear and measurable. ")

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PUBLISHED
    assert challenge.published_at is not None
    review = Review.objects.get(challenge=challenge)
    assert (review.reviewer, review.decision, review.comment) == (
        buyer["admin"],
        ReviewDecision.APPROVED,
        "Clear and measurable.",
    )
    event = AuditEvent.objects.get(action="challenge.published", target_id=str(challenge.pk))
    assert event.data == {
        "scoring_scale": ScoringScale.ZERO_TO_FIVE,
        "criteria": [
            {"name": "Impact on the outcomes", "weight": 60},
            {"name": "Feasibility and cost", "weight": 40},
        ],
    }


def test_approve_challenge_by_programme_staff(buyer):
    challenge = _in_review(buyer)

    approve_challenge(challenge=challenge, by=ProgrammeStaffFactory())

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PUBLISHED


def test_approve_challenge_refuses_the_submitter(buyer):
    challenge = _in_review(buyer)

    with pytest.raises(ChallengeStateError, match="Nobody may review their own submission"):
        approve_challenge(challenge=challenge, by=buyer["member"])

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.IN_REVIEW
    assert not Review.objects.exists()


def test_approve_challenge_refuses_programme_staff_who_submitted_it(buyer):
    staff = ProgrammeStaffFactory()
    MembershipFactory(organisation=buyer["organisation"], user=staff)
    challenge = _in_review(buyer)
    Challenge.objects.filter(pk=challenge.pk).update(submitted_for_review_by=staff)

    with pytest.raises(ChallengeStateError):
        approve_challenge(challenge=challenge, by=staff)


def test_approve_challenge_refuses_another_buyer(buyer):
    challenge = _in_review(buyer)

    with pytest.raises(ChallengeStateError):
        approve_challenge(challenge=challenge, by=MembershipFactory().user)


def test_approve_challenge_refuses_a_draft(buyer):
    challenge = ChallengeFactory(owner=buyer["organisation"], submitted_for_review_by=buyer["member"])

    with pytest.raises(ChallengeStateError, match="Only a challenge in review"):
        approve_challenge(challenge=challenge, by=buyer["admin"])


def test_approve_challenge_refuses_once_the_deadline_passed_in_review(buyer):
    challenge = _in_review(buyer, questions_deadline=None, submission_deadline=timezone.now())

    with pytest.raises(IncompleteChallengeError):
        approve_challenge(challenge=challenge, by=buyer["admin"])

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.IN_REVIEW


def test_approve_challenge_notifies_the_submitter(buyer, django_capture_on_commit_callbacks):
    challenge = _in_review(buyer)

    with django_capture_on_commit_callbacks(execute=True):
        approve_challenge(challenge=challenge, by=buyer["admin"])

    assert _kinds(buyer["member"]) == [kinds.REVIEW_APPROVED.key]
    assert [message.to for message in mail.outbox] == [[buyer["member"].email]]


def test_approve_challenge_hands_the_publication_to_discovery(buyer, django_capture_on_commit_callbacks):
    challenge = _in_review(buyer)
    follower = UserFactory()
    FollowFactory(user=follower, challenge=None, organisation=buyer["organisation"])

    with django_capture_on_commit_callbacks(execute=True):
        approve_challenge(challenge=challenge, by=buyer["admin"])

    assert _kinds(follower) == [kinds.PUBLISHED.key]


# Return


@pytest.mark.parametrize("comment", ["", "   "])
def test_return_challenge_refuses_an_empty_comment(buyer, comment):
    challenge = _in_review(buyer)

    with pytest.raises(ChallengeStateError, match="Say what must change"):
        return_challenge(challenge=challenge, by=buyer["admin"], comment=comment)

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.IN_REVIEW


def test_return_challenge_goes_back_to_draft_and_notifies_the_submitter(
    buyer, django_capture_on_commit_callbacks
):
    challenge = _in_review(buyer)

    with django_capture_on_commit_callbacks(execute=True):
        return_challenge(
            challenge=challenge, by=ProgrammeStaffFactory(), comment="Name the indicator's source."
        )

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT
    assert Review.objects.get(challenge=challenge).decision == ReviewDecision.RETURNED
    assert _kinds(buyer["member"]) == [kinds.REVIEW_RETURNED.key]
    assert "Name the indicator's source." in mail.outbox[0].body
    assert _actions(challenge) == ["challenge.returned"]


def test_return_challenge_refuses_the_submitter(buyer):
    challenge = _in_review(buyer)

    with pytest.raises(ChallengeStateError):
        return_challenge(challenge=challenge, by=buyer["member"], comment="Looks fine to me.")


# Closing, to the second


def test_challenge_reads_as_closed_one_second_after_its_deadline():
    challenge = PublishedChallengeFactory(
        questions_deadline=None, submission_deadline=timezone.now() - timedelta(seconds=1)
    )

    assert challenge.status == ChallengeStatus.PUBLISHED
    assert challenge.is_open is False
    assert challenge.display_status == ChallengeStatus.CLOSED
    assert challenge.display_status_label == "Closed"


def test_challenge_reads_as_open_before_its_deadline():
    challenge = PublishedChallengeFactory(
        questions_deadline=None, submission_deadline=timezone.now() + timedelta(seconds=30)
    )

    assert challenge.display_status == ChallengeStatus.PUBLISHED
    assert challenge.display_status_label == "Open for proposals"


def test_close_challenge_one_second_after_the_deadline_closes_it():
    deadline = timezone.now() - timedelta(seconds=1)
    challenge = PublishedChallengeFactory(questions_deadline=None, submission_deadline=deadline)

    assert close_challenge(challenge=challenge) is True

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.CLOSED
    assert challenge.closed_at == deadline
    assert _actions(challenge) == ["challenge.closed"]


def test_close_challenge_at_its_deadline_closes_it():
    challenge = PublishedChallengeFactory(questions_deadline=None, submission_deadline=timezone.now())

    assert close_challenge(challenge=challenge) is True


def test_close_challenge_before_the_deadline_leaves_it_open():
    challenge = PublishedChallengeFactory(
        questions_deadline=None, submission_deadline=timezone.now() + timedelta(seconds=30)
    )

    assert close_challenge(challenge=challenge) is False

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PUBLISHED


def test_close_due_challenges_closes_only_the_due_ones():
    due = PublishedChallengeFactory(
        questions_deadline=None, submission_deadline=timezone.now() - timedelta(seconds=1)
    )
    not_due = PublishedChallengeFactory(
        questions_deadline=None, submission_deadline=timezone.now() + timedelta(minutes=1)
    )
    draft = ChallengeFactory(questions_deadline=None, submission_deadline=timezone.now() - timedelta(days=1))

    assert close_due_challenges() == 1

    assert Challenge.objects.get(pk=due.pk).status == ChallengeStatus.CLOSED
    assert Challenge.objects.get(pk=not_due.pk).status == ChallengeStatus.PUBLISHED
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.DRAFT


def test_close_due_challenges_run_twice_changes_nothing_and_notifies_once(django_capture_on_commit_callbacks):
    challenge = PublishedChallengeFactory(
        questions_deadline=None, submission_deadline=timezone.now() - timedelta(seconds=1)
    )
    follower = FollowFactory(challenge=challenge).user

    with django_capture_on_commit_callbacks(execute=True):
        first = close_due_challenges()
    closed_at = Challenge.objects.get(pk=challenge.pk).updated_at
    with django_capture_on_commit_callbacks(execute=True):
        second = close_due_challenges()

    assert (first, second) == (1, 0)
    assert Challenge.objects.get(pk=challenge.pk).updated_at == closed_at
    assert _kinds(follower) == [kinds.CLOSED.key]
    assert [message.to for message in mail.outbox] == [[follower.email]]
    assert _actions(challenge) == ["challenge.closed"]


# Cancel


def test_cancel_challenge_by_owner_admin_notifies_followers_and_shows_the_reason(
    buyer, django_capture_on_commit_callbacks
):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])
    follower = FollowFactory(challenge=challenge).user

    with django_capture_on_commit_callbacks(execute=True):
        cancel_challenge(challenge=challenge, by=buyer["admin"], reason="The budget was withdrawn.")

    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.CANCELLED
    assert challenge.cancelled_at is not None
    amendment = Amendment.objects.get(challenge=challenge)
    assert amendment.summary == "The budget was withdrawn."
    assert amendment.changes == {"status": {"from": "published", "to": "cancelled"}}
    assert _kinds(follower) == [kinds.CANCELLED.key]
    assert "The budget was withdrawn." in mail.outbox[0].body


def test_cancel_challenge_in_draft_records_no_amendment(buyer):
    challenge = ChallengeFactory(owner=buyer["organisation"])

    cancel_challenge(challenge=challenge, by=buyer["admin"], reason="Merged with another challenge.")

    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.CANCELLED
    assert not Amendment.objects.exists()


def test_cancel_challenge_refuses_an_ordinary_member(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="administrator"):
        cancel_challenge(challenge=challenge, by=buyer["member"], reason="No budget.")


def test_cancel_challenge_requires_a_reason(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="Say why"):
        cancel_challenge(challenge=challenge, by=buyer["admin"], reason=" ")


@pytest.mark.parametrize(
    "status", [ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED, ChallengeStatus.CANCELLED]
)
def test_cancel_challenge_refuses_one_that_has_ended(buyer, status):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"], status=status)

    with pytest.raises(ChallengeStateError):
        cancel_challenge(challenge=challenge, by=buyer["admin"], reason="Too late.")


# Evaluation and outcome (minimal until the evaluation issue)


def test_start_evaluation_moves_a_closed_challenge_under_evaluation(buyer):
    challenge = PublishedChallengeFactory(
        owner=buyer["organisation"],
        status=ChallengeStatus.CLOSED,
        questions_deadline=None,
        submission_deadline=timezone.now() - timedelta(days=1),
    )

    start_evaluation(challenge=challenge, by=buyer["member"])

    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.UNDER_EVALUATION
    assert _actions(challenge) == ["challenge.evaluation_started"]


def test_start_evaluation_closes_a_due_challenge_the_task_has_not_reached(buyer):
    challenge = PublishedChallengeFactory(
        owner=buyer["organisation"],
        questions_deadline=None,
        submission_deadline=timezone.now() - timedelta(seconds=1),
    )

    start_evaluation(challenge=challenge, by=buyer["member"])

    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.UNDER_EVALUATION
    assert _actions(challenge) == ["challenge.closed", "challenge.evaluation_started"]


def test_start_evaluation_refuses_an_open_challenge(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="once the challenge has closed"):
        start_evaluation(challenge=challenge, by=buyer["member"])


def test_start_evaluation_refuses_another_buyer(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"], status=ChallengeStatus.CLOSED)

    with pytest.raises(ChallengeStateError):
        start_evaluation(challenge=challenge, by=MembershipFactory().user)


@pytest.mark.parametrize("outcome", [ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED])
def test_record_outcome_ends_the_evaluation(buyer, outcome):
    challenge = PublishedChallengeFactory(
        owner=buyer["organisation"], status=ChallengeStatus.UNDER_EVALUATION
    )

    record_outcome(challenge=challenge, by=buyer["admin"], outcome=outcome)

    assert Challenge.objects.get(pk=challenge.pk).status == outcome
    assert AuditEvent.objects.get(action="challenge.outcome_recorded").data == {"outcome": outcome}


def test_record_outcome_refuses_a_challenge_not_under_evaluation(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"], status=ChallengeStatus.CLOSED)

    with pytest.raises(ChallengeStateError):
        record_outcome(challenge=challenge, by=buyer["admin"], outcome=ChallengeStatus.AWARDED)


def test_record_outcome_refuses_an_ordinary_member_and_an_unknown_outcome(buyer):
    challenge = PublishedChallengeFactory(
        owner=buyer["organisation"], status=ChallengeStatus.UNDER_EVALUATION
    )

    with pytest.raises(ChallengeStateError):
        record_outcome(challenge=challenge, by=buyer["member"], outcome=ChallengeStatus.AWARDED)
    with pytest.raises(ChallengeStateError):
        record_outcome(challenge=challenge, by=buyer["admin"], outcome=ChallengeStatus.CANCELLED)


# Amendments


def test_amend_challenge_records_a_dated_diff_and_notifies_followers(
    buyer, django_capture_on_commit_callbacks
):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])
    follower = FollowFactory(challenge=challenge).user
    old_constraints = challenge.constraints

    with django_capture_on_commit_callbacks(execute=True):
        amendment = amend_challenge(
            challenge=challenge,
            by=buyer["member"],
            changes={"constraints": "Data stays in Norway.", "summary": challenge.summary},
            summary="Data residency clarified.",
        )

    challenge.refresh_from_db()
    assert challenge.constraints == "Data stays in Norway."
    assert amendment.changes == {"constraints": {"from": old_constraints, "to": "Data stays in Norway."}}
    assert amendment.created_by == buyer["member"]
    assert amendment.created_at is not None
    assert _kinds(follower) == [kinds.AMENDED.key]
    assert "Data residency clarified." in mail.outbox[0].body
    assert "Constraints and must-haves" in mail.outbox[0].body
    assert _actions(challenge) == ["challenge.amended"]


@pytest.mark.postgres
def test_amend_challenge_makes_the_new_text_searchable(buyer):
    from challenges.search import refresh_search_vector, search_challenges

    challenge = PublishedChallengeFactory(owner=buyer["organisation"])
    refresh_search_vector(challenge_id=challenge.pk)

    amend_challenge(
        challenge=challenge,
        by=buyer["member"],
        changes={"summary": "Residents want more visits from volunteers."},
        summary="Summary sharpened.",
    )

    assert list(search_challenges(Challenge.objects.all(), "volunteers")) == [challenge]


@pytest.mark.postgres
def test_a_new_search_vector_expires_the_public_pages(settings, django_capture_on_commit_callbacks):
    """The vector is written by a bulk UPDATE (no signal), after the publication's own commit: a search
    cached in between must not hide the challenge for the public pages' lifetime."""
    from django.core.cache import cache

    from challenges.search import refresh_search_vector
    from portal.web import pagecache

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    challenge = PublishedChallengeFactory()
    cache.set(pagecache.GENERATION_KEY, 41, None)

    with django_capture_on_commit_callbacks(execute=True):
        refresh_search_vector(challenge_id=challenge.pk)

    assert cache.get(pagecache.GENERATION_KEY) == 42


@pytest.mark.parametrize("field", ["scoring_scale", "title", "criteria", "budget_max"])
def test_amend_challenge_refuses_frozen_fields(buyer, field):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="cannot be amended"):
        amend_challenge(challenge=challenge, by=buyer["member"], changes={field: 10}, summary="Change.")

    assert not Amendment.objects.exists()


def test_amend_challenge_refuses_a_challenge_closed_one_second_ago(buyer):
    challenge = PublishedChallengeFactory(
        owner=buyer["organisation"],
        questions_deadline=None,
        submission_deadline=timezone.now() - timedelta(seconds=1),
    )

    with pytest.raises(ChallengeStateError, match="open for proposals"):
        amend_challenge(challenge=challenge, by=buyer["member"], changes={"summary": "New."}, summary="Why.")


def test_amend_challenge_refuses_when_nothing_changed(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="Nothing has changed"):
        amend_challenge(
            challenge=challenge, by=buyer["member"], changes={"summary": challenge.summary}, summary="Why."
        )


def test_amend_challenge_requires_a_summary_and_a_valid_email(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="Say what changed"):
        amend_challenge(challenge=challenge, by=buyer["member"], changes={"summary": "New."}, summary="")
    with pytest.raises(ChallengeStateError, match="contact email"):
        amend_challenge(
            challenge=challenge,
            by=buyer["member"],
            changes={"contact_email": "not an address"},
            summary="New.",
        )


def test_amend_challenge_refuses_another_buyer(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError):
        amend_challenge(
            challenge=challenge, by=MembershipFactory().user, changes={"summary": "X"}, summary="Y"
        )


# Deadlines


def test_extend_deadline_later_is_an_amendment_followers_hear_of(buyer, django_capture_on_commit_callbacks):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])
    follower = FollowFactory(challenge=challenge).user
    old_submission, old_questions = challenge.submission_deadline, challenge.questions_deadline
    new_submission = old_submission + timedelta(days=7)

    with django_capture_on_commit_callbacks(execute=True):
        amendment = extend_deadline(
            challenge=challenge,
            by=buyer["member"],
            submission_deadline=new_submission,
            questions_deadline=None,
        )

    challenge.refresh_from_db()
    assert challenge.submission_deadline == new_submission
    assert challenge.questions_deadline == old_questions
    assert amendment.changes == {
        "submission_deadline": {"from": old_submission.isoformat(), "to": new_submission.isoformat()}
    }
    assert _kinds(follower) == [kinds.AMENDED.key]
    assert "Deadline for proposals" in mail.outbox[0].body


def test_extend_deadline_earlier_is_refused_with_a_clear_message(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])
    earlier = challenge.submission_deadline - timedelta(hours=1)

    with pytest.raises(ChallengeStateError) as raised:
        extend_deadline(challenge=challenge, by=buyer["member"], submission_deadline=earlier)

    assert str(raised.value) == (
        "Deadlines can only be extended: the new deadline for proposals is before the current one."
    )
    assert not Amendment.objects.exists()


def test_extend_deadline_refuses_an_earlier_questions_deadline(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="deadline for questions is before"):
        extend_deadline(
            challenge=challenge,
            by=buyer["member"],
            submission_deadline=challenge.submission_deadline,
            questions_deadline=challenge.questions_deadline - timedelta(days=1),
        )


def test_extend_deadline_refuses_questions_after_proposals(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="must not be after"):
        extend_deadline(
            challenge=challenge,
            by=buyer["member"],
            submission_deadline=challenge.submission_deadline,
            questions_deadline=challenge.submission_deadline + timedelta(days=1),
        )


def test_extend_deadline_refuses_no_change(buyer):
    challenge = PublishedChallengeFactory(owner=buyer["organisation"])

    with pytest.raises(ChallengeStateError, match="Nothing has changed"):
        extend_deadline(
            challenge=challenge, by=buyer["member"], submission_deadline=challenge.submission_deadline
        )


def test_extend_deadline_refuses_a_closed_challenge(buyer):
    challenge = PublishedChallengeFactory(
        owner=buyer["organisation"],
        questions_deadline=None,
        submission_deadline=timezone.now() - timedelta(seconds=1),
    )

    with pytest.raises(ChallengeStateError):
        extend_deadline(
            challenge=challenge, by=buyer["member"], submission_deadline=timezone.now() + timedelta(days=7)
        )


# Concurrency: the row lock decides


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approve_challenge_twice_at_once_publishes_once():
    import threading

    from django.db import connection

    organisation = BuyerFactory()
    submitter = MembershipFactory(organisation=organisation).user
    reviewers = [AdminMembershipFactory(organisation=organisation).user, ProgrammeStaffFactory()]
    challenge = ChallengeFactory(
        owner=organisation,
        status=ChallengeStatus.IN_REVIEW,
        submitted_for_review_by=submitter,
        submitted_for_review_at=timezone.now(),
    )
    barrier = threading.Barrier(len(reviewers))
    outcomes = []

    def review(reviewer):
        try:
            barrier.wait()
            approve_challenge(challenge=challenge, by=reviewer)
            outcomes.append("published")
        except ChallengeStateError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=[reviewer]) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["published", "refused"]
    assert Review.objects.filter(challenge=challenge).count() == 1
    assert AuditEvent.objects.filter(action="challenge.published").count() == 1


def test_submit_for_review_asks_for_what_the_editor_asks_for(buyer):
    challenge = ChallengeFactory(owner=buyer["organisation"], contact_email="")
    challenge.cpv_codes.clear()

    with pytest.raises(IncompleteChallengeError) as raised:
        submit_for_review(challenge=challenge, by=buyer["member"])

    assert raised.value.missing == [
        "Choose at least one CPV code.",
        "Name a contact person with an email address.",
    ]
