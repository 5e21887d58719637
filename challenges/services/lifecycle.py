"""Writes for a challenge's lifecycle: review, publication, amendments and deadlines, closing, cancelling,
deadline reminders, and the minimal steps into evaluation and its outcome (evaluation proper comes later).

Every function locks the challenge's row and reads the database's clock in the same statement, so two
people (or a person and the closing task) acting at once are decided one after the other, by one clock."""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.models import Membership, User
from portal.accounts.rules import is_programme_staff
from portal.audit.services import record_audit
from portal.notifications.services import claim_reminders, notify

from .. import kinds
from ..enums import ChallengeStatus, ReviewDecision
from ..models import Amendment, Challenge, Review
from ..rules import is_owner_admin, is_owner_member
from ..search import refresh_search_vector
from ..selectors.lifecycle import (
    amendment_changes,
    challenges_closing_between,
    challenges_due_for_closing,
    followers_of_challenge,
    members_of_owner,
    programme_staff,
    review_blockers,
)
from ..uploads import removed_if_not_saved

logger = logging.getLogger(__name__)

# What an open challenge's owner may change by amendment. Criteria, weights and the scoring scale are
# frozen at publication (suppliers write to them): only amend_criteria changes them, and it reopens the
# submission period. The title identifies the challenge; documents are added through authoring.
AMENDABLE_FIELDS = (
    "summary",
    "current_situation",
    "affected",
    "why_now",
    "constraints",
    "out_of_scope",
    "contact_name",
    "contact_email",
)

# An amendment that changes the criteria, their weights or the scoring scale reopens the submission period:
# the new deadline for proposals is at least this many days ahead, so every supplier has time to rework
# (or withdraw and resubmit) a proposal written against the old criteria.
CRITERIA_AMENDMENT_MIN_DAYS = 10

CANCELLABLE_STATUSES = frozenset(
    {
        ChallengeStatus.DRAFT,
        ChallengeStatus.IN_REVIEW,
        ChallengeStatus.PUBLISHED,
        ChallengeStatus.CLOSED,
        ChallengeStatus.UNDER_EVALUATION,
    }
)

# (key, window): a reminder goes out once the deadline for proposals is within the window, and not
# within the next stage's window (a challenge published three days before its deadline gets the "7d"
# reminder, which names the date, not the number of days).
REMINDER_STAGES = (
    ("7d", timedelta(days=1), timedelta(days=7)),
    ("1d", timedelta(0), timedelta(days=1)),
)


class ChallengeStateError(Exception):
    """A lifecycle step that the challenge's state, the clock or the person's role does not allow. Its
    message is meant for the person who tried."""


class IncompleteChallengeError(ChallengeStateError):
    """The statement lacks what review (or publication) needs; `missing` says what, one item each."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(_("The challenge is not complete yet: %(missing)s") % {"missing": " ".join(missing)})


def _lock(challenge: Challenge) -> Challenge:
    """The challenge's row, locked until the transaction ends, with the database's clock as `db_now`."""
    return (
        Challenge.objects.select_for_update(of=("self",))
        .select_related("owner", "submitted_for_review_by")
        .annotate(db_now=Now())
        .get(pk=challenge.pk)
    )


def _is_open(challenge: Challenge) -> bool:
    return (
        challenge.status == ChallengeStatus.PUBLISHED
        and challenge.submission_deadline is not None
        and challenge.submission_deadline > challenge.db_now
    )


def _is_due(challenge: Challenge) -> bool:
    return (
        challenge.status == ChallengeStatus.PUBLISHED
        and challenge.submission_deadline is not None
        and challenge.submission_deadline <= challenge.db_now
    )


def _require_owner_member(challenge: Challenge, by: User) -> None:
    if not is_owner_member(by, challenge):
        raise ChallengeStateError(_("Only members of the buying organisation can do this."))


def _require_open(challenge: Challenge) -> None:
    if not _is_open(challenge):
        raise ChallengeStateError(
            _("Only a challenge that is open for proposals can be changed this way; this one is %(status)s.")
            % {"status": str(ChallengeStatus(_status_at_lock(challenge)).label).lower()}
        )


def _status_at_lock(challenge: Challenge) -> str:
    return ChallengeStatus.CLOSED if _is_due(challenge) else challenge.status


def _queue_publication_fanout(*, challenge_id: int) -> None:
    """Hand the news of a publication to discovery (followers of the buyer, matching saved searches),
    which queues its own task after the commit."""
    try:
        from .discovery import queue_publication_fanout
    except ImportError:
        # Discovery is written alongside this module; until it is there, publishing must still work.
        logger.warning("challenges.services.discovery.queue_publication_fanout is missing: no fan-out.")
        return
    queue_publication_fanout(challenge_id=challenge_id)


# Review and publication


def submit_for_review(*, challenge: Challenge, by: User) -> Challenge:
    """Draft → in review, once the statement is complete (IncompleteChallengeError lists what is missing).
    Asks the owning organisation's other members to review it, or programme staff when the submitter is
    its only member (nobody approves their own submission)."""
    with transaction.atomic():
        challenge = _lock(challenge)
        _require_owner_member(challenge, by)
        if challenge.status != ChallengeStatus.DRAFT:
            raise ChallengeStateError(_("Only a draft can be submitted for review."))
        missing = review_blockers(challenge=challenge, now=challenge.db_now)
        if missing:
            raise IncompleteChallengeError(missing)
        challenge.status = ChallengeStatus.IN_REVIEW
        challenge.submitted_for_review_at = challenge.db_now
        challenge.submitted_for_review_by = by
        challenge.save(
            update_fields=["status", "submitted_for_review_at", "submitted_for_review_by", "updated_at"]
        )
        record_audit(
            actor=by, action="challenge.submitted_for_review", target=challenge, organisation=challenge.owner
        )
        reviewers = list(members_of_owner(challenge=challenge).exclude(pk=by.pk))
        notify(
            recipients=reviewers or programme_staff().exclude(pk=by.pk),
            kind=kinds.REVIEW_REQUESTED,
            context={"challenge": challenge, "submitted_by": by},
            target=challenge,
            url=reverse("challenges:challenge-review", kwargs={"pk": challenge.pk}),
        )
    return challenge


def _require_reviewer(challenge: Challenge, by: User) -> None:
    if challenge.status != ChallengeStatus.IN_REVIEW:
        raise ChallengeStateError(_("Only a challenge in review can be approved or returned."))
    if by.pk in {challenge.submitted_for_review_by_id, challenge.created_by_id}:
        raise ChallengeStateError(
            _("Nobody may review their own submission: a colleague or programme staff must do it.")
        )
    if not (is_owner_member(by, challenge) or is_programme_staff(by)):
        raise ChallengeStateError(
            _("Only members of the buying organisation or programme staff can review this challenge.")
        )


def approve_challenge(*, challenge: Challenge, by: User, comment: str = "") -> Challenge:
    """In review → published: records the review, sets the publication time by the database's clock and
    freezes the criteria (from now on only drafts are edited, and amendments leave them alone; the audit
    entry keeps them as published). Notifies the submitter, and hands the news to discovery (followers of
    the buyer and matching saved searches)."""
    with transaction.atomic():
        challenge = _lock(challenge)
        _require_reviewer(challenge, by)
        missing = review_blockers(challenge=challenge, now=challenge.db_now)
        if missing:
            raise IncompleteChallengeError(missing)
        Review.objects.create(
            challenge=challenge, reviewer=by, decision=ReviewDecision.APPROVED, comment=comment.strip()
        )
        challenge.status = ChallengeStatus.PUBLISHED
        challenge.published_at = challenge.db_now
        challenge.save(update_fields=["status", "published_at", "updated_at"])
        record_audit(
            actor=by,
            action="challenge.published",
            target=challenge,
            organisation=challenge.owner,
            data={
                "scoring_scale": challenge.scoring_scale,
                "criteria": list(challenge.criteria.order_by("position", "pk").values("name", "weight")),
            },
        )
        notify(
            recipients=[challenge.submitted_for_review_by],
            kind=kinds.REVIEW_APPROVED,
            context={"challenge": challenge, "reviewer": by, "comment": comment.strip()},
            target=challenge,
        )
        # Searchable from the moment it is public, whatever happens to the fan-out task.
        refresh_search_vector(challenge_id=challenge.pk)
        _queue_publication_fanout(challenge_id=challenge.pk)
    return challenge


def return_challenge(*, challenge: Challenge, by: User, comment: str) -> Challenge:
    """In review → draft, with the reviewer's comments (required: the authors must know what to change).
    Notifies the submitter."""
    comment = (comment or "").strip()
    if not comment:
        raise ChallengeStateError(_("Say what must change before the challenge can be published."))
    with transaction.atomic():
        challenge = _lock(challenge)
        _require_reviewer(challenge, by)
        Review.objects.create(
            challenge=challenge, reviewer=by, decision=ReviewDecision.RETURNED, comment=comment
        )
        challenge.status = ChallengeStatus.DRAFT
        challenge.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=by,
            action="challenge.returned",
            target=challenge,
            organisation=challenge.owner,
            data={"comment": comment},
        )
        notify(
            recipients=[challenge.submitted_for_review_by],
            kind=kinds.REVIEW_RETURNED,
            context={"challenge": challenge, "reviewer": by, "comment": comment},
            target=challenge,
        )
    return challenge


# Closing


def _close_locked(challenge: Challenge) -> None:
    # It closed at its deadline, to the second, whenever the task got to it.
    challenge.status = ChallengeStatus.CLOSED
    challenge.closed_at = challenge.submission_deadline
    challenge.save(update_fields=["status", "closed_at", "updated_at"])
    record_audit(actor=None, action="challenge.closed", target=challenge, organisation=challenge.owner)
    notify(
        recipients=followers_of_challenge(challenge=challenge),
        kind=kinds.CLOSED,
        context={"challenge": challenge},
        target=challenge,
    )


def close_challenge(*, challenge: Challenge) -> bool:
    """Published → closed, if its deadline for proposals has passed by the database's clock. Notifies its
    followers. Returns whether it closed it: a challenge closed already, or not due yet (e.g. its deadline
    was just extended), is left alone, so the periodic task may run any number of times."""
    with transaction.atomic():
        challenge = _lock(challenge)
        if not _is_due(challenge):
            return False
        _close_locked(challenge)
    return True


def close_due_challenges() -> int:
    """Close every published challenge whose deadline has passed, each in its own transaction, so one
    that fails does not keep the others open. Returns how many it closed."""
    closed = 0
    for challenge in challenges_due_for_closing():
        try:
            closed += close_challenge(challenge=challenge)
        except Exception:  # logged and retried on the next run; the others must still close
            logger.exception("Could not close challenge %s", challenge.pk)
    return closed


# Cancelling, evaluation, outcome


def cancel_challenge(*, challenge: Challenge, by: User, reason: str) -> Challenge:
    """Cancel a challenge that has no outcome yet (owner organisation's admins only), with a reason. For a
    public challenge the reason is recorded as a visible amendment. Notifies its followers."""
    reason = (reason or "").strip()
    if not reason:
        raise ChallengeStateError(_("Say why the challenge is cancelled."))
    with transaction.atomic():
        challenge = _lock(challenge)
        if not is_owner_admin(by, challenge):
            raise ChallengeStateError(_("Only an administrator of the buying organisation can cancel it."))
        if challenge.status not in CANCELLABLE_STATUSES:
            raise ChallengeStateError(
                _("A challenge that is %(status)s can no longer be cancelled.")
                % {"status": str(ChallengeStatus(challenge.status).label).lower()}
            )
        was_public = challenge.is_public
        previous = challenge.status
        challenge.status = ChallengeStatus.CANCELLED
        challenge.cancelled_at = challenge.db_now
        challenge.save(update_fields=["status", "cancelled_at", "updated_at"])
        if was_public:
            Amendment.objects.create(
                challenge=challenge,
                summary=reason,
                changes={"status": {"from": previous, "to": ChallengeStatus.CANCELLED}},
                created_by=by,
            )
        record_audit(
            actor=by,
            action="challenge.cancelled",
            target=challenge,
            organisation=challenge.owner,
            data={"reason": reason, "previous_status": previous},
        )
        notify(
            recipients=followers_of_challenge(challenge=challenge),
            kind=kinds.CANCELLED,
            context={"challenge": challenge, "reason": reason},
            target=challenge,
        )
    return challenge


def start_evaluation(*, challenge: Challenge, by: User) -> Challenge:
    """Closed → under evaluation (owner organisation's members). A published challenge past its deadline
    that the closing task has not reached yet is closed first, with its notifications."""
    with transaction.atomic():
        challenge = _lock(challenge)
        _require_owner_member(challenge, by)
        if _is_due(challenge):
            _close_locked(challenge)
        if challenge.status != ChallengeStatus.CLOSED:
            raise ChallengeStateError(_("Evaluation can start only once the challenge has closed."))
        challenge.status = ChallengeStatus.UNDER_EVALUATION
        challenge.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=by, action="challenge.evaluation_started", target=challenge, organisation=challenge.owner
        )
    return challenge


def record_outcome(*, challenge: Challenge, by: User, outcome: str) -> Challenge:
    """Under evaluation → awarded or not awarded (owner organisation's admins). The award itself, its
    rationale and feedback belong to the evaluation issue; this records the end state."""
    if outcome not in {ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED}:
        raise ChallengeStateError(_("The outcome is either awarded or not awarded."))
    with transaction.atomic():
        challenge = _lock(challenge)
        if not is_owner_admin(by, challenge):
            raise ChallengeStateError(
                _("Only an administrator of the buying organisation can record the outcome.")
            )
        if challenge.status != ChallengeStatus.UNDER_EVALUATION:
            raise ChallengeStateError(_("The outcome can be recorded only for a challenge under evaluation."))
        challenge.status = outcome
        challenge.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=by,
            action="challenge.outcome_recorded",
            target=challenge,
            organisation=challenge.owner,
            data={"outcome": outcome},
        )
    return challenge


# Amendments and deadlines


def _record_amendment(
    *,
    challenge: Challenge,
    by: User,
    summary: str,
    changes: dict[str, dict[str, Any]],
    also_notify: Iterable[User] = (),
) -> Amendment:
    amendment = Amendment.objects.create(challenge=challenge, summary=summary, changes=changes, created_by=by)
    record_audit(
        actor=by,
        action="challenge.amended",
        target=challenge,
        organisation=challenge.owner,
        data={"amendment": amendment.pk, "fields": sorted(changes)},
    )
    notify(
        recipients=[*followers_of_challenge(challenge=challenge), *also_notify],
        kind=kinds.AMENDED,
        context={"challenge": challenge, "amendment": amendment, "changes": amendment_changes(amendment)},
        target=challenge,
    )
    return amendment


def amend_challenge(*, challenge: Challenge, by: User, changes: dict[str, Any], summary: str) -> Amendment:
    """Change public text of an open challenge (AMENDABLE_FIELDS only: criteria, weights and the scale are
    frozen) and record a dated, visible amendment with what changed. Refreshes the challenge's search
    index and notifies its followers."""
    summary = (summary or "").strip()
    if not summary:
        raise ChallengeStateError(_("Say what changed and why: suppliers read it with the amendment."))
    refused = sorted(set(changes) - set(AMENDABLE_FIELDS))
    if refused:
        raise ChallengeStateError(
            _(
                "These cannot be amended: %(fields)s. Criteria, weights and the scoring scale are frozen "
                "once a challenge is published."
            )
            % {"fields": ", ".join(refused)}
        )
    with transaction.atomic():
        challenge = _lock(challenge)
        _require_owner_member(challenge, by)
        _require_open(challenge)
        diff = {}
        for name, value in changes.items():
            field = Challenge._meta.get_field(name)
            try:
                value = field.clean(value, challenge)
            except ValidationError as error:
                raise ChallengeStateError(f"{field.verbose_name}: {' '.join(error.messages)}") from None
            if getattr(challenge, name) != value:
                diff[name] = {"from": getattr(challenge, name), "to": value}
                setattr(challenge, name, value)
        if not diff:
            raise ChallengeStateError(_("Nothing has changed: edit the text you want to amend."))
        challenge.save(update_fields=[*diff, "updated_at"])
        # The amended text is what search must find (PostgreSQL; a no-op on SQLite).
        refresh_search_vector(challenge_id=challenge.pk)
        amendment = _record_amendment(challenge=challenge, by=by, summary=summary, changes=diff)
    return amendment


def _criteria_text(rows: Iterable[dict[str, Any]]) -> str:
    return "; ".join(f"{row['name']} ({row['weight']} %)" for row in rows)


def amend_criteria(
    *,
    challenge: Challenge,
    by: User,
    criteria: Iterable[dict[str, Any]],
    scoring_scale: int,
    submission_deadline: datetime,
    summary: str,
) -> Amendment:
    """The one way to change an open challenge's published criteria (name, description, weight of each
    existing one) or its scoring scale after publication. It reopens the submission period: the new
    deadline for proposals must be at least CRITERIA_AMENDMENT_MIN_DAYS ahead by the database's clock (and
    never earlier than the current one). Records a visible amendment with the criteria before and after,
    audits the criteria as now published, and notifies the challenge's followers and every member of an
    organisation with a proposal to it (draft, submitted or withdrawn; lead or accepted partner).

    Criteria are edited, not added or removed, so proposals' answers stay attached to them. Submitted
    proposals stay submitted: their bidders are told, and may withdraw, rework and resubmit before the new
    deadline."""
    from ..enums import ScoringScale
    from ..models import Criterion

    summary = (summary or "").strip()
    if not summary:
        raise ChallengeStateError(_("Say what changed and why: suppliers read it with the amendment."))
    if scoring_scale not in ScoringScale.values:
        raise ChallengeStateError(_("Choose a scoring scale of 0 to 5 or 0 to 10."))
    rows = {int(row["id"]): row for row in criteria}
    with transaction.atomic():
        challenge = _lock(challenge)
        _require_owner_member(challenge, by)
        _require_open(challenge)
        current = list(
            Criterion.objects.select_for_update().filter(challenge=challenge).order_by("position", "pk")
        )
        if set(rows) != {criterion.pk for criterion in current}:
            raise ChallengeStateError(_("The criteria changed while you were editing them: start again."))
        weights = [int(rows[criterion.pk]["weight"]) for criterion in current]
        if any(not 1 <= weight <= 100 for weight in weights) or sum(weights) != 100:
            raise ChallengeStateError(
                _("Each weight is between 1 and 100, and the weights add up to 100 (now %(total)s).")
                % {"total": sum(weights)}
            )
        before = [{"name": c.name, "description": c.description, "weight": c.weight} for c in current]
        after = [
            {
                "name": str(rows[c.pk]["name"]).strip(),
                "description": str(rows[c.pk].get("description") or "").strip(),
                "weight": int(rows[c.pk]["weight"]),
            }
            for c in current
        ]
        if any(not row["name"] for row in after):
            raise ChallengeStateError(_("Every criterion needs a name."))
        diff: dict[str, dict[str, Any]] = {}
        if before != after:
            diff["criteria"] = {"from": _criteria_text(before), "to": _criteria_text(after)}
        if scoring_scale != challenge.scoring_scale:
            diff["scoring_scale"] = {"from": challenge.scoring_scale, "to": scoring_scale}
        if not diff:
            raise ChallengeStateError(_("Nothing has changed: change a criterion, a weight or the scale."))
        earliest = challenge.db_now + timedelta(days=CRITERIA_AMENDMENT_MIN_DAYS)
        if submission_deadline < max(earliest, challenge.submission_deadline):
            raise ChallengeStateError(
                _(
                    "Changing the criteria reopens the submission period: the new deadline for proposals "
                    "must be at least %(days)s days from now, and not before the current one."
                )
                % {"days": CRITERIA_AMENDMENT_MIN_DAYS}
            )
        for criterion, row in zip(current, after, strict=True):
            criterion.name, criterion.description, criterion.weight = (
                row["name"],
                row["description"],
                row["weight"],
            )
        Criterion.objects.bulk_update(current, ["name", "description", "weight"])
        if submission_deadline != challenge.submission_deadline:
            diff["submission_deadline"] = {
                "from": challenge.submission_deadline.isoformat(),
                "to": submission_deadline.isoformat(),
            }
        challenge.scoring_scale = scoring_scale
        challenge.submission_deadline = submission_deadline
        challenge.save(update_fields=["scoring_scale", "submission_deadline", "updated_at"])
        record_audit(
            actor=by,
            action="challenge.criteria_amended",
            target=challenge,
            organisation=challenge.owner,
            data={"scoring_scale": scoring_scale, "criteria": after, "previous_criteria": before},
        )
        amendment = _record_amendment(
            challenge=challenge,
            by=by,
            summary=summary,
            changes=diff,
            also_notify=_members_with_proposals(challenge),
        )
    return amendment


def add_amendment_document(*, challenge: Challenge, by: User, title: str, file, summary: str) -> Amendment:
    """Publish a new document on an open challenge as a dated, visible amendment; followers are told. The
    file is checked by its content like a draft's documents (ValidationError if refused)."""
    from .authoring import prepare_challenge_document

    summary, title = (summary or "").strip(), (title or "").strip()
    if not summary:
        raise ChallengeStateError(_("Say what changed and why: suppliers read it with the amendment."))
    document = prepare_challenge_document(challenge=challenge, by=by, title=title, file=file)
    with removed_if_not_saved(document), transaction.atomic():
        challenge = _lock(challenge)
        _require_owner_member(challenge, by)
        _require_open(challenge)
        document.save()
        amendment = _record_amendment(
            challenge=challenge,
            by=by,
            summary=summary,
            changes={"documents": {"from": None, "to": title}},
        )
    return amendment


def extend_deadline(
    *,
    challenge: Challenge,
    by: User,
    submission_deadline: datetime,
    questions_deadline: datetime | None = None,
    summary: str = "",
) -> Amendment:
    """Move an open challenge's deadlines later (never earlier: suppliers plan on them), recorded as a
    visible amendment. A questions deadline of None keeps the current one. Notifies its followers."""
    with transaction.atomic():
        challenge = _lock(challenge)
        _require_owner_member(challenge, by)
        _require_open(challenge)
        current_submission, current_questions = challenge.submission_deadline, challenge.questions_deadline
        new_questions = questions_deadline if questions_deadline is not None else current_questions
        if submission_deadline < current_submission:
            raise ChallengeStateError(
                _("Deadlines can only be extended: the new deadline for proposals is before the current one.")
            )
        # With no questions deadline, questions are open until the submission deadline: that is the
        # deadline a new questions deadline must not come before.
        if new_questions is not None and new_questions < (current_questions or current_submission):
            raise ChallengeStateError(
                _("Deadlines can only be extended: the new deadline for questions is before the current one.")
            )
        if new_questions is not None and new_questions > submission_deadline:
            raise ChallengeStateError(
                _("The deadline for questions must not be after the deadline for proposals.")
            )
        diff = {}
        if submission_deadline != current_submission:
            diff["submission_deadline"] = {
                "from": current_submission.isoformat(),
                "to": submission_deadline.isoformat(),
            }
        if new_questions != current_questions:
            diff["questions_deadline"] = {
                "from": current_questions.isoformat() if current_questions else None,
                "to": new_questions.isoformat(),
            }
        if not diff:
            raise ChallengeStateError(_("Nothing has changed: choose a later deadline."))
        challenge.submission_deadline = submission_deadline
        challenge.questions_deadline = new_questions
        challenge.save(update_fields=["submission_deadline", "questions_deadline", "updated_at"])
        amendment = _record_amendment(
            challenge=challenge, by=by, summary=(summary or "").strip(), changes=diff
        )
    return amendment


# Reminders


def _members_of_bidders(challenge: Challenge) -> set[int]:
    """The users who belong to an organisation that has submitted a proposal to the challenge, as lead or
    accepted consortium partner. Suppliers build on challenges, so their models are named, not imported."""
    proposal_model = apps.get_model("suppliers", "Proposal")
    partner_model = apps.get_model("suppliers", "ConsortiumPartner")
    submitted = proposal_model.objects.filter(challenge=challenge, status="submitted")
    bidders = (
        submitted.order_by()
        .values("supplier_id")
        .union(
            partner_model.objects.filter(proposal__in=submitted, status="accepted")
            .order_by()
            .values("organisation_id")
        )
    )
    return set(
        Membership.objects.filter(organisation_id__in=[row["supplier_id"] for row in bidders]).values_list(
            "user_id", flat=True
        )
    )


def _members_with_proposals(challenge: Challenge) -> list[User]:
    """The active members of every organisation with a proposal to the challenge in any state (draft,
    submitted, withdrawn), as lead or accepted consortium partner: they must hear when the criteria they
    write to change. Named by string, like _members_of_bidders."""
    proposal_model = apps.get_model("suppliers", "Proposal")
    partner_model = apps.get_model("suppliers", "ConsortiumPartner")
    proposals = proposal_model.objects.filter(challenge=challenge)
    organisation_ids = set(proposals.values_list("supplier_id", flat=True)) | set(
        partner_model.objects.filter(proposal__in=proposals, status="accepted").values_list(
            "organisation_id", flat=True
        )
    )
    return list(
        User.objects.filter(memberships__organisation_id__in=organisation_ids, is_active=True)
        .distinct()
        .order_by("pk")
    )


def deadline_reminder_key(*, challenge: Challenge, stage: str) -> str:
    """The reminder's claim key. It names the deadline itself, so after an extension the followers are
    reminded again of the new date, and never twice of the same one."""
    deadline = challenge.submission_deadline.astimezone(UTC)
    return f"challenge:{challenge.pk}:deadline-{stage}:{deadline:%Y%m%dT%H%M%SZ}"


def send_deadline_reminders() -> int:
    """Remind the followers of challenges closing within 7 days, and again within 1 day, who have not
    submitted. Each stage reaches each person once, however often this runs (claim_reminders). Returns
    how many reminders it sent."""
    sent = 0
    for stage, after, until in REMINDER_STAGES:
        for challenge in challenges_closing_between(after=after, until=until):
            with transaction.atomic():
                bidders = _members_of_bidders(challenge)
                followers = [
                    user for user in followers_of_challenge(challenge=challenge) if user.pk not in bidders
                ]
                recipients = claim_reminders(
                    users=followers, key=deadline_reminder_key(challenge=challenge, stage=stage)
                )
                if recipients:
                    notify(
                        recipients=recipients,
                        kind=kinds.DEADLINE_REMINDER,
                        context={"challenge": challenge, "deadline": challenge.submission_deadline},
                        target=challenge,
                    )
                sent += len(recipients)
    return sent
