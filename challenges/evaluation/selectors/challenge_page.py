"""What evaluation's panels on the public challenge page read (templates/evaluation/_award_notice.html and
_challenge_panel.html), in the page's own query of the challenge.

Challenges knows nothing of evaluation: its detail selector (challenges.selectors.discovery.
challenge_for_detail) names `with_challenge_page_facts` by its dotted path, as its view names our templates,
and lets it add to the challenge's row what the panels would otherwise each read with a query of their own.
The readers (award_notice_for, feedback_proposals_for, panel_has_trial_stage, panel_role_on) use those
facts when the challenge carries them, and query as before when it does not."""

from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from challenges.models import Challenge
from portal.accounts.models import User
from suppliers.models import Proposal

from ..models import BidderFeedback, Evaluator


def with_challenge_page_facts(challenges: QuerySet[Challenge], user: User) -> QuerySet[Challenge]:
    """The challenges with, in the same row: the award (`award`, None before the outcome) and its number of
    bids (`award_bid_count`: a bidder's feedback row each), the panel's settings (`panel`), and, for a
    signed-in user, their place on the panel (`evaluation_is_chair`: True, False, or None when they are not
    an active member) and how many of their organisations' bids have feedback on the award
    (`own_feedback_count`) and the first of them (`own_feedback_first_pk`)."""
    bids = (
        BidderFeedback.objects.filter(award__challenge=OuterRef("pk"))
        .order_by()
        .values("award")
        .annotate(count=Count("pk"))
        .values("count")
    )
    challenges = challenges.select_related("award", "panel").annotate(
        award_bid_count=Coalesce(Subquery(bids, output_field=IntegerField()), 0)
    )
    if not user.is_authenticated:
        return challenges
    role = Evaluator.objects.filter(challenge=OuterRef("pk"), user=user, removed_at__isnull=True)
    challenges = challenges.annotate(evaluation_is_chair=Subquery(role.values("is_chair")[:1]))
    if user.organisation_ids:
        own_bids = (
            Proposal.objects.of_organisations(user.organisation_ids)
            .filter(challenge=OuterRef("pk"), feedback__isnull=False)
            .order_by()
            .values("challenge")
        )
        challenges = challenges.annotate(
            own_feedback_count=Coalesce(
                Subquery(
                    own_bids.annotate(n=Count("pk", distinct=True)).values("n"), output_field=IntegerField()
                ),
                0,
            ),
            own_feedback_first_pk=Subquery(own_bids.annotate(first=Min("pk")).values("first")),
        )
    return challenges


def panel_role_on(*, challenge: Challenge, user: User) -> dict | None:
    """The user's place on the challenge's panel, {"is_chair": bool}, or None when they are not an active
    member: from the challenge's row when it carries it (with_challenge_page_facts), else one query."""
    if not user.is_authenticated:
        return None
    if hasattr(challenge, "evaluation_is_chair"):
        is_chair = challenge.evaluation_is_chair
    else:
        is_chair = (
            Evaluator.objects.filter(challenge=challenge, user=user, removed_at__isnull=True)
            .values_list("is_chair", flat=True)
            .first()
        )
    return None if is_chair is None else {"is_chair": is_chair}
