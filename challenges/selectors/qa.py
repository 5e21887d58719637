"""Reads for clarification questions and answers. Who asked is for the buyer's eyes only: the public
read returns the question as published and the answer, nothing that identifies the asker."""

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from portal.accounts.models import User

from ..enums import ClarificationStatus
from ..models import Challenge, Clarification

# May use a challenge's questions as a supplier: see what their organisation asked and, while questions
# are open, ask (challenges.ask_question adds the deadline). A supplier keeps seeing their private answers
# after the questions deadline.


def public_clarifications_for(*, challenge: Challenge) -> QuerySet[Clarification]:
    """The clarifications published to everyone, oldest answer first, for
    templates/challenges/qa/_clarifications.html. Loads only what the public may read. One query, none
    when the challenge was read knowing it has none (`has_public_clarifications`, challenge_for_detail)."""
    if getattr(challenge, "has_public_clarifications", None) is False:
        return Clarification.objects.none()
    return (
        Clarification.objects.filter(challenge=challenge, status=ClarificationStatus.PUBLIC)
        .only("pk", "challenge_id", "public_question", "answer", "answered_at")
        .order_by("answered_at", "pk")
    )


def clarifications_for_owner(*, challenge: Challenge) -> QuerySet[Clarification]:
    """The buyer's inbox: questions waiting for an answer first (oldest first), then the answered ones
    (latest answer first), with who asked for which organisation."""
    return (
        Clarification.objects.filter(challenge=challenge)
        .select_related("asked_by", "asked_by_organisation", "answered_by")
        .annotate(
            pending_first=Case(
                When(status=ClarificationStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", F("answered_at").desc(nulls_last=True), "asked_at", "pk")
    )


def clarification_for_owner(*, challenge: Challenge, pk: int) -> Clarification:
    return clarifications_for_owner(challenge=challenge).get(pk=pk)


def _asked_by_own_organisation(user: User) -> Q:
    # The asker's organisation sees a private answer; the asker sees theirs even if they left it.
    return Q(asked_by_organisation_id__in=user.supplier_organisation_ids) | Q(asked_by=user)


def questions_for_supplier(*, user: User, challenge: Challenge | None = None) -> QuerySet[Clarification]:
    """The questions a supplier's organisations asked (on one challenge, or on every challenge they may
    see), latest first, with their answers, public or private."""
    if not user.is_authenticated:
        return Clarification.objects.none()
    questions = Clarification.objects.filter(_asked_by_own_organisation(user))
    if challenge is not None:
        questions = questions.filter(challenge=challenge)
    else:
        questions = questions.filter(challenge__in=Challenge.objects.visible_to(user))
    return questions.select_related("challenge", "asked_by", "asked_by_organisation").order_by(
        "-asked_at", "-pk"
    )


def pending_question_count(*, challenge: Challenge) -> int:
    return Clarification.objects.filter(challenge=challenge, status=ClarificationStatus.PENDING).count()
