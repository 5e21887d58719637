"""Reads for writing challenge statements: the editor's challenge, a buyer's own list, the CPV picker's
search, the statement as the public sees it, and what a draft still lacks before it can be submitted."""

from dataclasses import dataclass

from django.db.models import Case, Prefetch, Q, QuerySet, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..enums import ReviewDecision
from ..models import Challenge, ChallengeDocument, CPVCode, Review

# The steps of the editor, in order, with their headings.
STEPS: list[tuple[str, Promise]] = [
    ("problem", _("The problem")),
    ("outcomes", _("Outcomes")),
    ("constraints", _("Constraints")),
    ("practicalities", _("Practicalities")),
    ("criteria", _("Evaluation criteria")),
    ("documents", _("Documents")),
    ("review", _("Review")),
]
STEP_NAMES = [name for name, _label in STEPS]

CPV_PAGE_SIZE = 20
CPV_MAX_PAGE = 50
CPV_MAX_WORDS = 5


def statement_queryset() -> QuerySet[Challenge]:
    """Everything templates/challenges/authoring/_statement.html shows, in a fixed number of queries
    (the public detail page uses it too)."""
    return Challenge.objects.select_related("owner").prefetch_related(
        "outcomes",
        "criteria",
        "cpv_codes",
        "themes",
        Prefetch("documents", queryset=ChallengeDocument.objects.order_by("created_at", "pk")),
    )


def challenge_for_editor(*, user, pk: int) -> Challenge:
    """The challenge with its statement, if the user may see it; DoesNotExist otherwise (a 404)."""
    return statement_queryset().visible_to(user).get(pk=pk)


def last_return_from_review(*, challenge: Challenge) -> Review | None:
    """The reviewer's comments if the latest review returned the challenge to its authors."""
    latest = challenge.reviews.order_by("-created_at", "-pk").first()
    return latest if latest is not None and latest.decision == ReviewDecision.RETURNED else None


def challenges_for_organisation(*, organisation) -> QuerySet[Challenge]:
    """A buyer organisation's challenges in every status, the most recently changed first."""
    return (
        Challenge.objects.filter(owner=organisation)
        .only("pk", "title", "status", "owner_id", "submission_deadline", "deadline_timezone", "updated_at")
        .order_by("-updated_at", "-pk")
    )


def documents_visible_to(user) -> QuerySet[ChallengeDocument]:
    """Documents of the challenges the user may see: those of public challenges for everyone, a draft's
    only for its owner's members."""
    return ChallengeDocument.objects.filter(
        challenge__in=Challenge.objects.visible_to(user).values("pk")
    ).select_related("challenge")


def search_cpv_codes(*, query: str, page: int = 1) -> tuple[list[CPVCode], bool]:
    """CPV codes whose code starts with the digits typed, or whose label contains every word typed; one
    page of them and whether there are more. An empty or one-character query finds nothing."""
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return [], False
    page = min(max(page, 1), CPV_MAX_PAGE)
    digits = query.replace("-", "").replace(" ", "")
    codes = CPVCode.objects.all()
    if digits.isdigit():
        codes = codes.filter(code__startswith=digits[:8]).order_by("code")
    else:
        words = [word for word in query.split(" ") if len(word) > 1][:CPV_MAX_WORDS]
        if not words:
            return [], False
        condition = Q()
        for word in words:
            condition &= Q(label__icontains=word)
        # Labels that begin with what was typed first ("social work" finds "Social work services" before
        # "Construction work for ... social services"), then by code.
        codes = codes.filter(condition).order_by(
            Case(
                When(label__istartswith=query, then=0), When(label__istartswith=words[0], then=1), default=2
            ),
            "code",
        )
    offset = (page - 1) * CPV_PAGE_SIZE
    rows = list(codes[offset : offset + CPV_PAGE_SIZE + 1])
    return rows[:CPV_PAGE_SIZE], len(rows) > CPV_PAGE_SIZE


@dataclass(frozen=True)
class Gap:
    """Something a challenge needs before it can be submitted for review, and the step where it is fixed."""

    step: str
    message: str


def missing_for_submission(challenge: Challenge) -> list[Gap]:
    """What the statement still lacks before it can be submitted for review, step by step. Reads only what
    statement_queryset() prefetched, so it adds no queries."""
    gaps: list[Gap] = []

    def missing(step: str, message) -> None:
        gaps.append(Gap(step=step, message=str(message)))

    for field, message in [
        ("title", _("Give the challenge a title.")),
        ("summary", _("Write a short summary.")),
        ("current_situation", _("Describe today's situation.")),
        ("affected", _("Say who is affected and how.")),
        ("why_now", _("Say why it matters now.")),
    ]:
        if not getattr(challenge, field).strip():
            missing("problem", message)

    outcomes = list(challenge.outcomes.all())
    if not outcomes:
        missing("outcomes", _("Add at least one outcome."))
    for number, outcome in enumerate(outcomes, start=1):
        if not outcome.indicator.strip():
            missing("outcomes", _("Outcome %(number)s needs a measurable indicator.") % {"number": number})
        if not outcome.target.strip():
            missing("outcomes", _("Outcome %(number)s needs a target.") % {"number": number})

    now = timezone.now()
    if challenge.submission_deadline is None:
        missing("practicalities", _("Set the deadline for proposals."))
    elif challenge.submission_deadline <= now:
        missing("practicalities", _("The deadline for proposals has passed; choose a later one."))
    if challenge.questions_deadline is not None and challenge.questions_deadline <= now:
        missing("practicalities", _("The deadline for questions has passed; choose a later one."))
    if not challenge.cpv_codes.all():
        missing("practicalities", _("Choose at least one CPV code."))
    if not challenge.contact_name.strip() or not challenge.contact_email.strip():
        missing("practicalities", _("Name a contact person with an email address."))

    criteria = list(challenge.criteria.all())
    if not criteria:
        missing("criteria", _("Add the evaluation criteria."))
    else:
        total = sum(criterion.weight for criterion in criteria)
        if total != 100:
            missing(
                "criteria",
                ngettext(
                    "The criteria's weights add up to %(total)s point; they must add up to 100.",
                    "The criteria's weights add up to %(total)s points; they must add up to 100.",
                    total,
                )
                % {"total": total},
            )
    return gaps
