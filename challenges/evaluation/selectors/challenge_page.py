"""What evaluation's panels on the public challenge page read (templates/evaluation/_award_notice.html and
_challenge_panel.html), in the page's own query of the challenge.

Challenges knows nothing of evaluation: its detail selector (challenges.selectors.discovery.
challenge_for_detail) names `with_challenge_page_facts` by its dotted path, as its view names our templates,
and lets it add to the challenge's row what the panels would otherwise each read with a query of their own.
The readers (award_notice_for, feedback_proposals_for, panel_has_trial_stage, panel_role_on) use those
facts when the challenge carries them, and query as before when it does not."""

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from challenges.models import Challenge
from portal.accounts.models import Organisation, User
from portal.subqueries import correlated_count, correlated_values
from suppliers.models import Proposal

from ..models import BidderFeedback, Evaluator


def with_challenge_page_facts(challenges: QuerySet[Challenge], user: User) -> QuerySet[Challenge]:
    """The challenges with, in the same row: the award (`award`, None before the outcome) and its number of
    bids (`award_bid_count`: a bidder's feedback row each), the panel's settings (`panel`), and, for a
    signed-in user, their place on the panel (`evaluation_is_chair`: True, False, or None when they are not
    an active member) and, for a member of an organisation, its bids (as lead or accepted partner) that have
    feedback on the award (`own_feedback_bids`: read them with own_feedback_bids_on_row).

    However many organisations the user belongs to, their bids come in the challenge's row: a member of two
    bidding organisations reads the page with as many queries as a member of one."""
    bids = BidderFeedback.objects.filter(award__challenge=OuterRef("pk"))
    challenges = challenges.select_related("award", "panel").annotate(
        award_bid_count=correlated_count(bids, by="award")
    )
    if not user.is_authenticated:
        return challenges
    role = Evaluator.objects.filter(challenge=OuterRef("pk"), user=user, removed_at__isnull=True)
    challenges = challenges.annotate(evaluation_is_chair=Subquery(role.values("is_chair")[:1]))
    if user.organisation_ids:
        with_feedback = Proposal.objects.of_organisations(user.organisation_ids).filter(
            Exists(BidderFeedback.objects.filter(proposal=OuterRef("pk"))), challenge=OuterRef("pk")
        )
        challenges = challenges.annotate(
            own_feedback_bids=correlated_values(
                with_feedback, by="challenge", fields=["pk", "supplier_id", "title", "supplier__name"]
            )
        )
    return challenges


def own_feedback_bids_on_row(challenge: Challenge) -> list[Proposal] | None:
    """The bids with feedback that the challenge's row carries for its reader (`own_feedback_bids`, see
    with_challenge_page_facts), in the order of their ids; None when the row does not carry them. Each has
    its id, title and lead organisation's name (what the award notice shows of it); any other field is read
    from the database if asked for (deferred), never guessed."""
    if not hasattr(challenge, "own_feedback_bids"):
        return None
    bids = []
    for pk, supplier_pk, title, supplier_name in sorted(challenge.own_feedback_bids or []):
        bid = _as_read(Proposal, id=pk, supplier_id=supplier_pk, title=title)
        bid.supplier = _as_read(Organisation, id=supplier_pk, name=supplier_name)
        bids.append(bid)
    return bids


def _as_read(model, **values):
    """An instance of `model` as if read from the database with only these fields (the others deferred)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(model.objects.db, names, [values[name] for name in names])


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
