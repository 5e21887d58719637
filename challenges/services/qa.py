"""Writes for clarification questions: suppliers ask privately until the questions deadline; the buyer
answers either to everyone (the question as published may be edited, and never names the asker) or to the
asker's organisation only."""

from django.db import transaction
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.models import Organisation, User
from portal.audit.services import record_audit
from portal.notifications.services import notify

from .. import kinds
from ..enums import ChallengeStatus, ClarificationStatus
from ..models import Challenge, Clarification
from ..rules import is_owner_member
from ..selectors.lifecycle import followers_of_challenge, members_of_owner

QUESTION_MAX_LENGTH = 4000


class ClarificationError(Exception):
    """A question or answer the rules do not allow; the message is meant for the person who tried."""


def _asking_organisation(by: User, organisation: Organisation | None) -> Organisation:
    supplier_ids = by.supplier_organisation_ids
    if organisation is not None:
        if organisation.pk not in supplier_ids:
            raise ClarificationError(_("You can ask only for a supplier organisation you belong to."))
        return organisation
    if not supplier_ids:
        raise ClarificationError(_("Only members of a supplier organisation can ask questions."))
    return Organisation.objects.get(pk=min(supplier_ids))


def ask_question(
    *, challenge: Challenge, by: User, question: str, organisation: Organisation | None = None
) -> Clarification:
    """A supplier's private question, until the questions deadline (by the database's clock), for
    `organisation` (the asker's active supplier organisation; their first if not given). Notifies the
    buying organisation's members."""
    question = (question or "").strip()
    if not question:
        raise ClarificationError(_("Write your question."))
    if len(question) > QUESTION_MAX_LENGTH:
        raise ClarificationError(
            _("Keep the question under %(limit)s characters.") % {"limit": QUESTION_MAX_LENGTH}
        )
    organisation = _asking_organisation(by, organisation)
    with transaction.atomic():
        # Locked so that the deadline check and the question are one step against an extension or closing.
        challenge = Challenge.objects.select_for_update().annotate(db_now=Now()).get(pk=challenge.pk)
        if is_owner_member(by, challenge):
            raise ClarificationError(
                _("The buying organisation does not ask questions about its own challenge.")
            )
        deadline = challenge.questions_deadline or challenge.submission_deadline
        if challenge.status != ChallengeStatus.PUBLISHED or deadline is None or deadline <= challenge.db_now:
            raise ClarificationError(_("The deadline for questions has passed."))
        clarification = Clarification.objects.create(
            challenge=challenge, asked_by=by, asked_by_organisation=organisation, question=question
        )
        record_audit(
            actor=by,
            action="clarification.asked",
            target=clarification,
            organisation=organisation,
            data={"challenge": challenge.pk},
        )
        notify(
            recipients=members_of_owner(challenge=challenge),
            kind=kinds.QUESTION_ASKED,
            context={"challenge": challenge, "clarification": clarification},
            target=challenge,
            url=reverse("challenges:question-list", kwargs={"pk": challenge.pk}),
        )
    return clarification


def answer_question(
    *, clarification: Clarification, by: User, answer: str, publish: bool, public_question: str = ""
) -> Clarification:
    """Answer a pending question. Published: everyone sees `public_question` (the question as asked,
    unless edited to remove what identifies the asker) and the answer; followers and the asker are
    notified. Private: only the asker's organisation sees it; the asker is notified."""
    answer = (answer or "").strip()
    if not answer:
        raise ClarificationError(_("Write the answer."))
    with transaction.atomic():
        clarification = (
            Clarification.objects.select_for_update(of=("self",))
            .select_related("challenge__owner", "asked_by")
            .annotate(db_now=Now())
            .get(pk=clarification.pk)
        )
        challenge = clarification.challenge
        if not is_owner_member(by, challenge):
            raise ClarificationError(_("Only members of the buying organisation can answer its questions."))
        if not challenge.is_public:
            raise ClarificationError(_("Questions can be answered only on a published challenge."))
        if clarification.status != ClarificationStatus.PENDING:
            raise ClarificationError(_("This question has already been answered."))
        clarification.answer = answer
        clarification.answered_by = by
        clarification.answered_at = clarification.db_now
        if publish:
            clarification.public_question = (public_question or "").strip() or clarification.question
            clarification.status = ClarificationStatus.PUBLIC
        else:
            clarification.status = ClarificationStatus.PRIVATE
        clarification.save(
            update_fields=["answer", "answered_by", "answered_at", "public_question", "status"]
        )
        record_audit(
            actor=by,
            action="clarification.answered",
            target=clarification,
            organisation=challenge.owner,
            data={"challenge": challenge.pk, "public": bool(publish)},
        )
        asker = clarification.asked_by
        if publish:
            followers = followers_of_challenge(challenge=challenge)
            if asker is not None:
                followers = followers.exclude(pk=asker.pk)
            notify(
                recipients=followers,
                kind=kinds.CLARIFICATION_PUBLISHED,
                context={"challenge": challenge, "clarification": clarification},
                target=challenge,
            )
        notify(
            recipients=[asker],
            kind=kinds.QUESTION_ANSWERED,
            context={"challenge": challenge, "clarification": clarification, "public": bool(publish)},
            target=challenge,
            url=reverse("challenges:question-ask", kwargs={"pk": challenge.pk}),
        )
    return clarification
