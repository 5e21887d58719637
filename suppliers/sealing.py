"""What "sealed" means for rows outside this app that point at a bid: audit events and notifications whose
target is a proposal (or a consortium partnership) of a challenge that has not passed its deadline.

Programme staff read the whole audit log and superusers read the admin, so these rows would tell them who
is bidding before the deadline. `sealed_targets()` gives the filter that hides them; the owning
organisation's admins still see their own audit entries (portal/audit/models.py)."""

from django.db.models import CharField, Q
from django.db.models.functions import Cast, Now

from challenges.models import Challenge

from .models import OPENABLE_CHALLENGE_STATUSES, ConsortiumPartner, Proposal


def unsealed(prefix: str = "") -> Q:
    """Proposals (or, with a prefix such as "proposal__", their rows) whose challenge has passed its
    deadline and was not cancelled: the only ones the admin may show."""
    return Q(
        **{
            f"{prefix}challenge__status__in": OPENABLE_CHALLENGE_STATUSES,
            f"{prefix}challenge__submission_deadline__lte": Now(),
        }
    )


def sealed_targets(*, type_field: str = "target_type", id_field: str = "target_id") -> Q:
    """Rows whose generic target (content type + text id) is a proposal or a consortium partnership that
    is still sealed. The deadline is read by the database clock, as everywhere else for bids."""
    sealed_proposals = (
        Proposal.objects.exclude(unsealed()).annotate(key=Cast("pk", CharField())).values("key")
    )
    sealed_partners = (
        ConsortiumPartner.objects.exclude(unsealed("proposal__"))
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )

    def about(model, keys) -> Q:
        # Matched through the content type's natural key, in the same query (no content-type lookup first).
        meta = model._meta
        return Q(
            **{
                f"{type_field}__app_label": meta.app_label,
                f"{type_field}__model": meta.model_name,
                f"{id_field}__in": keys,
            }
        )

    return about(Proposal, sealed_proposals) | about(ConsortiumPartner, sealed_partners)


# Notifications about a challenge whose recipients tell who is bidding: deadline reminders skip the
# organisations that have submitted, amendment notices also go to every organisation with a proposal.
BID_REVEALING_CHALLENGE_KINDS = ("challenges.deadline_reminder", "challenges.amended")


def sealed_notifications() -> Q:
    """Notifications an operator may not list before the deadline: those about a sealed bid, and those
    whose recipients reveal the bidders of a challenge that is still open."""
    open_challenges = (
        Challenge.objects.filter(submission_deadline__gt=Now())
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    return sealed_targets() | Q(
        kind__in=BID_REVEALING_CHALLENGE_KINDS,
        target_type__app_label="challenges",
        target_type__model="challenge",
        target_id__in=open_challenges,
    )
