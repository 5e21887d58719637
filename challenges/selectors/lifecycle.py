"""Reads for a challenge's lifecycle: who hears about it, what it still lacks before review, its
amendments, and which challenges the periodic tasks have to act on."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from portal.accounts.models import User

from ..enums import ChallengeStatus
from ..models import Amendment, Challenge

# The fields an amendment may show, besides the amendable ones: deadlines (extend_deadline) and the status
# (a cancellation of a public challenge is recorded as an amendment, so its reason is visible).
DATETIME_FIELDS = frozenset({"submission_deadline", "questions_deadline"})


def followers_of_challenge(*, challenge: Challenge) -> QuerySet[User]:
    """The active users who follow this challenge (not its buying organisation: those hear about new
    publications, from discovery)."""
    return User.objects.filter(follows__challenge=challenge, is_active=True).order_by("pk")


def members_of_owner(*, challenge: Challenge) -> QuerySet[User]:
    return User.objects.filter(memberships__organisation_id=challenge.owner_id, is_active=True).order_by("pk")


def programme_staff() -> QuerySet[User]:
    return User.objects.filter(is_programme_staff=True, is_active=True).order_by("pk")


def review_blockers(*, challenge: Challenge, now: datetime | None = None) -> list[str]:
    """What a statement still lacks before it may go to review (or be published), in words its authors
    can act on; empty when it is complete. Two queries: outcomes and criteria."""
    now = now or timezone.now()
    missing = []
    if not challenge.title.strip():
        missing.append(_("Give the challenge a title."))
    if not challenge.summary.strip():
        missing.append(_("Write a short summary."))
    if not challenge.current_situation.strip():
        missing.append(_("Describe today's situation."))
    if not challenge.affected.strip():
        missing.append(_("Say who is affected and how."))
    if not challenge.why_now.strip():
        missing.append(_("Say why it matters now."))

    outcomes = list(challenge.outcomes.all())
    if not outcomes:
        missing.append(_("Add at least one outcome, with an indicator and a target."))
    for number, outcome in enumerate(outcomes, start=1):
        if not outcome.indicator.strip():
            missing.append(_("Outcome %(number)s has no indicator.") % {"number": number})
        if not outcome.target.strip():
            missing.append(_("Outcome %(number)s has no target.") % {"number": number})

    if challenge.submission_deadline is None:
        missing.append(_("Set the deadline for proposals."))
    elif challenge.submission_deadline <= now:
        missing.append(_("The deadline for proposals has passed: choose a later one."))
    if challenge.questions_deadline is not None and challenge.questions_deadline <= now:
        missing.append(_("The deadline for questions has passed: choose a later one."))
    if (
        challenge.questions_deadline is not None
        and challenge.submission_deadline is not None
        and challenge.questions_deadline > challenge.submission_deadline
    ):
        missing.append(_("The deadline for questions must not be after the deadline for proposals."))

    # The same two the editor's review step asks for (selectors/authoring.missing_for_submission).
    if not challenge.cpv_codes.all():
        missing.append(_("Choose at least one CPV code."))
    if not challenge.contact_name.strip() or not challenge.contact_email.strip():
        missing.append(_("Name a contact person with an email address."))

    weights = [criterion.weight for criterion in challenge.criteria.all()]
    if not weights:
        missing.append(_("Add the evaluation criteria, with weights that add up to 100."))
    elif sum(weights) != 100:
        missing.append(
            _("The criteria's weights add up to %(total)s; they must add up to 100.")
            % {"total": sum(weights)}
        )
    return missing


@dataclass(frozen=True)
class AmendmentChange:
    label: str
    before: Any
    after: Any
    is_datetime: bool = False


def _field_label(name: str) -> str:
    if name == "status":
        return _("status")
    if name == "documents":
        return _("documents")
    if name == "criteria":
        return _("evaluation criteria")
    try:
        return str(Challenge._meta.get_field(name).verbose_name)
    except Exception:  # a field renamed since the amendment was recorded: show its stored name
        return name


def _value(name: str, value: Any) -> Any:
    if name in DATETIME_FIELDS and isinstance(value, str):
        return parse_datetime(value) or value
    if name == "status" and value in ChallengeStatus.values:
        return ChallengeStatus(value).label
    return value


def amendment_changes(amendment: Amendment) -> list[AmendmentChange]:
    """An amendment's stored diff ({field: {"from", "to"}}) as rows with labels in the reader's language."""
    return [
        AmendmentChange(
            label=_field_label(name),
            before=_value(name, change.get("from")),
            after=_value(name, change.get("to")),
            is_datetime=name in DATETIME_FIELDS,
        )
        for name, change in (amendment.changes or {}).items()
        if isinstance(change, dict)
    ]


def amendments_for_challenge(*, challenge: Challenge) -> list[Amendment]:
    """A challenge's amendments, newest first, each with `change_rows`, for
    templates/challenges/lifecycle/_amendments.html. One query, or none when the caller prefetched
    `amendments` or read the challenge knowing it has none (`has_amendments`, challenge_for_detail)."""
    if getattr(challenge, "has_amendments", None) is False:
        return []
    amendments = sorted(
        challenge.amendments.all(), key=lambda amendment: (amendment.created_at, amendment.pk)
    )
    amendments.reverse()
    for amendment in amendments:
        amendment.change_rows = amendment_changes(amendment)
    return amendments


def challenges_due_for_closing() -> QuerySet[Challenge]:
    """Published challenges whose deadline for proposals has passed by the database's clock."""
    return (
        Challenge.objects.filter(status=ChallengeStatus.PUBLISHED, submission_deadline__lte=Now())
        .only("pk")
        .order_by("pk")
    )


def challenges_closing_between(*, after: timedelta, until: timedelta) -> QuerySet[Challenge]:
    """Published challenges whose deadline for proposals falls in (now + after, now + until]."""
    now = timezone.now()
    return Challenge.objects.filter(
        status=ChallengeStatus.PUBLISHED,
        submission_deadline__gt=now + after,
        submission_deadline__lte=now + until,
    ).order_by("pk")
