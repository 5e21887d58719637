"""Writes for a challenge's evaluation panel: its settings, appointing members and inviting external
experts, the chair, removals, opening the evaluation and the evaluators' conflict declarations.

Opening the evaluation is a deliberate step by an admin of the owning organisation once the challenge has
closed (not automatic at the deadline): it needs a chair, moves the challenge to "under evaluation"
(challenges.services.lifecycle.start_evaluation), excludes automatically every evaluator who is a member
of a bidding organisation, and asks the panel to declare their conflicts. Every change is audited."""

import hashlib
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from challenges.services.lifecycle import ChallengeStateError, start_evaluation
from portal.accounts.models import Membership, User
from portal.audit.services import record_audit
from portal.notifications.services import absolute_url, mail_address, notify

from .. import kinds
from ..models import ConflictDeclaration, Evaluator, Panel
from ..rules import PANEL_EDITABLE_STATUSES, is_owner_admin
from ..selectors.panel import bidding_organisation_ids


class PanelError(Exception):
    """A panel change the challenge's state or the person's role does not allow; its message is meant
    for the person who tried."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lock_challenge(challenge: Challenge) -> Challenge:
    return Challenge.objects.select_for_update(of=("self",)).select_related("owner").get(pk=challenge.pk)


def _require_admin(challenge: Challenge, by: User) -> None:
    if not is_owner_admin(by, challenge):
        raise PanelError(_("Only an administrator of the buying organisation can change the panel."))


def _require_editable(challenge: Challenge) -> None:
    if challenge.status not in PANEL_EDITABLE_STATUSES:
        raise PanelError(
            _("The panel can be changed from publication until the outcome; this challenge is %(status)s.")
            % {"status": str(ChallengeStatus(challenge.status).label).lower()}
        )


def _audit(by: User | None, action: str, challenge: Challenge, target, data: dict | None = None) -> None:
    record_audit(actor=by, action=action, target=target, organisation=challenge.owner, data=data or {})


def scoring_url(challenge: Challenge) -> str:
    return reverse("evaluation:scoring", kwargs={"pk": challenge.pk})


def update_panel(
    *, challenge: Challenge, by: User, scoring_deadline: datetime | None, has_trial_stage: bool
) -> Panel:
    """Set the scoring deadline and whether a proof-of-value stage follows (audited)."""
    with transaction.atomic():
        challenge = _lock_challenge(challenge)
        _require_admin(challenge, by)
        _require_editable(challenge)
        panel, _created = Panel.objects.get_or_create(challenge=challenge)
        panel.scoring_deadline, panel.has_trial_stage = scoring_deadline, has_trial_stage
        panel.save(update_fields=["scoring_deadline", "has_trial_stage", "updated_at"])
        _audit(
            by,
            "evaluation.panel_updated",
            challenge,
            panel,
            {
                "scoring_deadline": scoring_deadline.isoformat() if scoring_deadline else None,
                "has_trial_stage": has_trial_stage,
            },
        )
    return panel


def _exclude_automatically(evaluator: Evaluator) -> list[ConflictDeclaration]:
    """Record a conflict, without asking, for every bidding organisation the evaluator is a member of."""
    if evaluator.user_id is None:
        return []
    bidders = bidding_organisation_ids(challenge=evaluator.challenge)
    member_of = set(
        Membership.objects.filter(user_id=evaluator.user_id, organisation_id__in=bidders).values_list(
            "organisation_id", flat=True
        )
    )
    already = set(
        ConflictDeclaration.objects.filter(evaluator=evaluator, organisation_id__in=member_of).values_list(
            "organisation_id", flat=True
        )
    )
    created = [
        ConflictDeclaration.objects.create(
            evaluator=evaluator,
            organisation_id=organisation_id,
            has_conflict=True,
            is_automatic=True,
            reason=_("Member of the bidding organisation."),
        )
        for organisation_id in sorted(member_of - already)
    ]
    for declaration in created:
        _audit(
            None,
            "evaluation.conflict_excluded",
            evaluator.challenge,
            evaluator,
            {"organisation": declaration.organisation_id, "automatic": True},
        )
    return created


def _ask_for_declarations(evaluators: list[Evaluator], challenge: Challenge) -> None:
    recipients = [evaluator.user for evaluator in evaluators if evaluator.user_id]
    if recipients:
        notify(
            recipients=recipients,
            kind=kinds.CONFLICTS_TO_DECLARE,
            context={"challenge": challenge},
            target=challenge,
            url=reverse("evaluation:declarations", kwargs={"pk": challenge.pk}),
        )


def appoint_evaluator(*, challenge: Challenge, by: User, user: User) -> Evaluator:
    """Appoint a member of the owning organisation to the panel and tell them. Appointed while the
    evaluation is under way, they are excluded from their own organisation's bids and asked to declare."""
    with transaction.atomic():
        challenge = _lock_challenge(challenge)
        _require_admin(challenge, by)
        _require_editable(challenge)
        if not Membership.objects.filter(user=user, organisation_id=challenge.owner_id).exists():
            raise PanelError(
                _("Only members of %(organisation)s can be appointed; invite others as external experts.")
                % {"organisation": challenge.owner.name}
            )
        if Evaluator.objects.filter(challenge=challenge, user=user, removed_at__isnull=True).exists():
            raise PanelError(_("%(name)s is already on the panel.") % {"name": user})
        evaluator = Evaluator.objects.create(
            challenge=challenge, user=user, appointed_by=by, accepted_at=timezone.now()
        )
        _audit(by, "evaluation.evaluator_appointed", challenge, evaluator, {"user": user.pk})
        notify(
            recipients=[user],
            kind=kinds.APPOINTED,
            context={"challenge": challenge, "appointed_by": by, "external": False},
            target=challenge,
            url=scoring_url(challenge),
        )
        if challenge.status == ChallengeStatus.UNDER_EVALUATION:
            _exclude_automatically(evaluator)
            _ask_for_declarations([evaluator], challenge)
    return evaluator


def invite_external_expert(*, challenge: Challenge, by: User, email: str) -> Evaluator:
    """Invite someone outside the organisation by email: the mail's link (its token stored as SHA-256)
    lets whoever signs in with that address join the panel. An earlier pending invitation of the same
    address is replaced."""
    email = (email or "").strip()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        challenge = _lock_challenge(challenge)
        _require_admin(challenge, by)
        _require_editable(challenge)
        if Evaluator.objects.filter(
            challenge=challenge, user__email__iexact=email, removed_at__isnull=True
        ).exists():
            raise PanelError(_("%(email)s is already on the panel.") % {"email": email})
        now = timezone.now()
        Evaluator.objects.filter(
            challenge=challenge, email__iexact=email, user__isnull=True, removed_at__isnull=True
        ).update(removed_at=now, token_digest="")
        evaluator = Evaluator.objects.create(
            challenge=challenge,
            email=email,
            is_external=True,
            appointed_by=by,
            token_digest=token_digest(token),
        )
        existing = User.objects.filter(email__iexact=email).only("language").first()
        mail_address(
            to_email=email,
            kind=kinds.APPOINTED,
            context={
                "challenge": challenge,
                "appointed_by": by,
                "external": True,
                "accept_url": absolute_url(
                    reverse("evaluation:evaluator-invitation", kwargs={"token": token})
                ),
            },
            language=existing.language if existing else by.language,
        )
        _audit(by, "evaluation.expert_invited", challenge, evaluator, {"email": email})
    return evaluator


def accept_expert_invitation(*, evaluator: Evaluator, user: User) -> Evaluator:
    """The invited expert joins the panel: the user must have verified the invited address. The link
    works once."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        challenge = _lock_challenge(evaluator.challenge)
        evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
        if evaluator.user_id is not None or evaluator.removed_at is not None or not evaluator.token_digest:
            raise PanelError(_("This invitation has already been used or withdrawn."))
        if challenge.status not in PANEL_EDITABLE_STATUSES:
            raise PanelError(_("The evaluation of this challenge is over."))
        if not EmailAddress.objects.filter(user=user, email__iexact=evaluator.email, verified=True).exists():
            raise PanelError(
                _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
                % {"email": evaluator.email}
            )
        if Evaluator.objects.filter(challenge=challenge, user=user, removed_at__isnull=True).exists():
            raise PanelError(_("You are already on this panel."))
        evaluator.user, evaluator.accepted_at, evaluator.token_digest = user, timezone.now(), ""
        evaluator.challenge = challenge
        evaluator.save(update_fields=["user", "accepted_at", "token_digest"])
        _audit(user, "evaluation.expert_accepted", challenge, evaluator, {"email": evaluator.email})
        if challenge.status == ChallengeStatus.UNDER_EVALUATION:
            _exclude_automatically(evaluator)
            _ask_for_declarations([evaluator], challenge)
    return evaluator


def set_chair(*, evaluator: Evaluator, by: User) -> Evaluator:
    """Make this panel member the chair (there is exactly one; the previous chair stays on the panel)."""
    with transaction.atomic():
        challenge = _lock_challenge(evaluator.challenge)
        _require_admin(challenge, by)
        _require_editable(challenge)
        evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
        if evaluator.removed_at is not None or evaluator.user_id is None:
            raise PanelError(_("Only a panel member who has accepted can chair the panel."))
        if evaluator.is_chair:
            return evaluator
        Evaluator.objects.filter(challenge=challenge, is_chair=True, removed_at__isnull=True).update(
            is_chair=False
        )
        evaluator.is_chair = True
        evaluator.save(update_fields=["is_chair"])
        _audit(by, "evaluation.chair_set", challenge, evaluator, {"user": evaluator.user_id})
    return evaluator


def remove_evaluator(*, evaluator: Evaluator, by: User, reason: str = "") -> Evaluator:
    """Take a member (or a pending invitation) off the panel, with the reason in the audit trail. Their
    declarations and sheets stay on record but no longer count; the panel may now be complete."""
    from .scoring import notify_if_all_scores_in

    with transaction.atomic():
        challenge = _lock_challenge(evaluator.challenge)
        _require_admin(challenge, by)
        _require_editable(challenge)
        evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
        if evaluator.removed_at is not None:
            raise PanelError(_("This evaluator has already been removed."))
        was_complete = _scoring_complete(challenge)
        evaluator.removed_at, evaluator.token_digest = timezone.now(), ""
        evaluator.save(update_fields=["removed_at", "token_digest"])
        _audit(
            by,
            "evaluation.evaluator_removed",
            challenge,
            evaluator,
            {"user": evaluator.user_id, "email": evaluator.email, "reason": (reason or "").strip()},
        )
        if not was_complete:
            notify_if_all_scores_in(challenge=challenge)
    return evaluator


def _scoring_complete(challenge: Challenge) -> bool:
    from ..selectors.scoring import scoring_complete

    return challenge.status == ChallengeStatus.UNDER_EVALUATION and scoring_complete(challenge=challenge)


def open_evaluation(*, challenge: Challenge, by: User) -> Challenge:
    """Closed → under evaluation: needs a chair. Excludes every evaluator who is a member of a bidding
    organisation and asks the whole panel to declare their conflicts before any proposal opens to them."""
    with transaction.atomic():
        locked = _lock_challenge(challenge)
        _require_admin(locked, by)
        evaluators = list(
            Evaluator.objects.filter(
                challenge=locked, removed_at__isnull=True, user__isnull=False
            ).select_related("user", "challenge")
        )
        if not any(evaluator.is_chair for evaluator in evaluators):
            raise PanelError(_("Choose the panel's chair before opening the evaluation."))
        try:
            challenge = start_evaluation(challenge=locked, by=by)
        except ChallengeStateError as error:
            raise PanelError(str(error)) from None
        for evaluator in evaluators:
            evaluator.challenge = challenge
            _exclude_automatically(evaluator)
        _audit(by, "evaluation.opened", challenge, challenge, {"evaluators": len(evaluators)})
        _ask_for_declarations(evaluators, challenge)
    return challenge


def declare_conflicts(*, evaluator: Evaluator, by: User, answers: dict[int, tuple[bool, str]]) -> list:
    """Record the evaluator's declarations, one per bidding organisation not declared yet: {organisation
    id: (has conflict, reason)}. Every pending organisation must be answered, and a conflict needs its
    reason (PanelError otherwise; nothing is saved). Declarations are final and audited."""
    from .scoring import notify_if_all_scores_in

    with transaction.atomic():
        challenge = _lock_challenge(evaluator.challenge)
        evaluator = (
            Evaluator.objects.select_for_update(of=("self",)).select_related("user").get(pk=evaluator.pk)
        )
        if evaluator.user_id != by.pk or evaluator.removed_at is not None:
            raise PanelError(_("Only the evaluator can declare their own conflicts."))
        if challenge.status != ChallengeStatus.UNDER_EVALUATION:
            raise PanelError(_("Conflicts are declared once the evaluation has been opened."))
        declared = set(evaluator.declarations.values_list("organisation_id", flat=True))
        pending = bidding_organisation_ids(challenge=challenge) - declared
        if set(answers) - pending:
            raise PanelError(_("You have already declared about some of these organisations."))
        if pending - set(answers):
            raise PanelError(_("Answer for every bidding organisation."))
        for has_conflict, reason in answers.values():
            if has_conflict and not (reason or "").strip():
                raise PanelError(_("Say what the conflict of interest is."))
        was_complete = _scoring_complete(challenge)
        created = []
        for organisation_id in sorted(answers):
            has_conflict, reason = answers[organisation_id]
            try:
                with transaction.atomic():
                    declaration = ConflictDeclaration.objects.create(
                        evaluator=evaluator,
                        organisation_id=organisation_id,
                        has_conflict=has_conflict,
                        reason=(reason or "").strip() if has_conflict else "",
                    )
            except IntegrityError:
                raise PanelError(_("You have already declared about some of these organisations.")) from None
            created.append(declaration)
            _audit(
                by,
                "evaluation.conflict_declared",
                challenge,
                evaluator,
                {"organisation": organisation_id, "has_conflict": has_conflict},
            )
        if not was_complete:
            notify_if_all_scores_in(challenge=challenge)
    return created
