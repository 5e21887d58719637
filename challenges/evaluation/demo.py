"""Demo data for evaluation and award, on the demo challenges that have sealed bids (suppliers/demo.py):

- the challenge under evaluation gets a panel (the owner's procurer chairs it, a colleague evaluates, an
  external expert is invited and has not accepted yet), a scoring deadline ahead, "no conflict"
  declarations, both sheets submitted for one bid and a draft sheet for the other;
- the awarded challenge gets the whole story: panel, declarations, submitted sheets, consensus, a
  proof-of-value trial that was a go, and a final award with feedback to the bidder.

Everything goes through the evaluation's services, as the panel's clicks would, so the audit trail and the
notifications match the rows. The panel is the owning organisation's (the services allow no one else):
both challenges belong to Gemeente Rotterdam, so procurer@rotterdam.example.org chairs them. Loading twice
changes nothing: a challenge that already has a panel or an award is left alone."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from portal.accounts.models import User
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal

from .enums import AwardDecision, TrialDecision
from .models import (
    Award,
    BidderFeedback,
    ConflictDeclaration,
    ConsensusScore,
    Evaluator,
    Panel,
    ScoreSheet,
    Trial,
)
from .selectors.panel import undeclared_organisations
from .selectors.scoring import criteria_of
from .services.award import AwardedBid, decide_award, finalise_award
from .services.panel import (
    appoint_evaluator,
    declare_conflicts,
    invite_external_expert,
    set_chair,
    update_panel,
)
from .services.scoring import record_consensus, save_scores, submit_sheet
from .services.trials import MeasuredResult, decide_trial, record_trial_results, shortlist_for_trial

CLOUDBURSTS = "Keeping streets and cellars dry during cloudbursts"
REUSE = "Reusing construction materials from demolished municipal buildings"
EXTERNAL_EXPERT = "hydrology.expert@waterboard.example.org"

# (score, justification) per criterion, in the criteria's order (the demo's default three: impact on the
# outcomes, feasibility, cost and value), by challenge, bidder and evaluator. None: not scored yet.
SHEETS = {
    CLOUDBURSTS: {
        "Fjordlys Analytics AS": {
            "procurer": [
                (
                    4,
                    "A street-level flood model fed by the rain radar. The Askøy reference gave "
                    "25–40 minutes of warning, which meets our 30-minute target; fewer flooded homes "
                    "depends on our own follow-up with residents.",
                ),
                (
                    4,
                    "A small but experienced team and a realistic two-district pilot. The main risk is the "
                    "quality of our sewer data, which they rely on.",
                ),
                (3, "The price is within budget; licence costs after the pilot are not fully clear."),
            ],
            "colleague": [
                (4, "A credible route to earlier warnings; less convincing on keeping water out of cellars."),
                (3, "Four people for two districts is thin, and the plan has no slack for a wet summer."),
                (4, "Good value against the cost of a single flooded tunnel; running costs are modest."),
            ],
        },
        "Emajõe Robotics OÜ": {
            # A draft: the chair has started but not finished, so the scoring page shows it unsubmitted.
            "procurer": [
                (
                    3,
                    "Inspection robots find blocked drains before a storm; the effect on warning time is "
                    "indirect.",
                ),
                (4, "Proven hardware from Tartu's culvert inspections."),
                (None, ""),
            ],
        },
    },
    REUSE: {
        "Maasbouw Circulair B.V.": {
            "procurer": [
                (
                    4,
                    "Material passports for every building before demolition; the Delft reference "
                    "reached 28% reuse by weight, close to our 30% target.",
                ),
                (
                    4,
                    "They have audited demolitions at our scale, and the certification of reused steel "
                    "is clear.",
                ),
                (3, "A modest price, but storing harvested materials between projects would fall to us."),
            ],
            "colleague": [
                (
                    5,
                    "The most convincing plan we have seen to get timber and steel back into our own "
                    "projects.",
                ),
                (4, "Works with the demolition contractors we already use."),
                (3, "Storage and transport between sites still need to be agreed."),
            ],
        },
    },
}
CONSENSUS = [
    (4, "Close to the 30% target on a comparable building; the trial will show whether it holds here."),
    (4, "An experienced team with a clear certification route for reused materials."),
    (3, "Good value for the price; the cost of storage between projects is still open."),
]
TRIAL_RESULT = (
    "34%",
    "Two demolished schools in IJsselmonde, weighed at the materials yard over three months.",
)
TRIAL_SUMMARY = (
    "Reuse reached 34% by weight on two buildings, above the 30% target, and our project managers could "
    "plan with the material passports. Go."
)
AWARD_PUBLIC_SUMMARY = (
    "One proposal was received and evaluated against the published criteria by a panel of two. It met the "
    "reuse target in a four-month trial (34% of materials reused against a 30% target) and is awarded."
)
AWARD_RATIONALE = (
    "Maasbouw Circulair's proposal ranked first on the panel's consensus scores, strongest on the impact "
    "on our outcome and on feasibility, and its proof-of-value trial on two demolished schools reached 34% "
    "reuse by weight against a target of 30%."
)
FEEDBACK_NOTE = (
    "Thank you for a clear proposal and a well-run trial. Before the contract starts we want to agree how "
    "harvested materials are stored between projects; that is where your score on cost and value was lost."
)


def _panel_users(challenge: Challenge) -> tuple[User, User]:
    """The owner's procurer (an admin: chairs the panel) and colleague (a member), from portal/web/demo.py."""
    city = challenge.owner.city.lower()
    return (
        User.objects.get(email=f"procurer@{city}.example.org"),
        User.objects.get(email=f"colleague@{city}.example.org"),
    )


def _bids(challenge: Challenge) -> dict[str, Proposal]:
    submitted = Proposal.objects.filter(challenge=challenge, status=ProposalStatus.SUBMITTED)
    return {
        proposal.supplier.name: proposal for proposal in submitted.select_related("supplier", "challenge")
    }


def _untouched(title: str, status: str) -> Challenge | None:
    """The demo challenge, if it is in the state the challenges' demo left it in, has bids and has no panel
    yet (else a second load, or a person's clicks since, are left alone)."""
    challenge = Challenge.objects.select_related("owner").filter(title=title, status=status).first()
    if challenge is None or not _bids(challenge):
        return None
    if (
        Evaluator.objects.filter(challenge=challenge).exists()
        or Award.objects.filter(challenge=challenge).exists()
    ):
        return None
    return challenge


def _evaluator(challenge: Challenge, user: User) -> Evaluator:
    return Evaluator.objects.select_related("challenge").get(
        challenge=challenge, user=user, removed_at__isnull=True
    )


def _appoint_panel(challenge: Challenge, chair: User, colleague: User) -> dict[str, Evaluator]:
    appoint_evaluator(challenge=challenge, by=chair, user=chair)
    appoint_evaluator(challenge=challenge, by=chair, user=colleague)
    set_chair(evaluator=_evaluator(challenge, chair), by=chair)
    evaluators = {"procurer": _evaluator(challenge, chair), "colleague": _evaluator(challenge, colleague)}
    for evaluator in evaluators.values():
        pending = undeclared_organisations(evaluator=evaluator)
        declare_conflicts(
            evaluator=evaluator,
            by=evaluator.user,
            answers={organisation.pk: (False, "") for organisation in pending},
        )
    return evaluators


def _score(challenge: Challenge, evaluators: dict[str, Evaluator], bids: dict[str, Proposal]) -> None:
    criteria = criteria_of(challenge=challenge)
    for bidder, sheets in SHEETS[challenge.title].items():
        for role, rows in sheets.items():
            evaluator = evaluators[role]
            values = {
                criterion.pk: (value, text)
                for criterion, (value, text) in zip(criteria, rows, strict=False)
                if value is not None
            }
            complete = len(values) == len(criteria)
            write = submit_sheet if complete else save_scores
            write(evaluator=evaluator, proposal=bids[bidder], by=evaluator.user, values=values)


def _under_evaluation() -> bool:
    challenge = _untouched(CLOUDBURSTS, ChallengeStatus.UNDER_EVALUATION)
    if challenge is None:
        return False
    chair, colleague = _panel_users(challenge)
    local = timezone.now().astimezone(challenge.deadline_zone) + timedelta(days=10)
    update_panel(
        challenge=challenge,
        by=chair,
        scoring_deadline=local.replace(hour=12, minute=0, second=0, microsecond=0),
        has_trial_stage=False,
    )
    evaluators = _appoint_panel(challenge, chair, colleague)
    invite_external_expert(challenge=challenge, by=chair, email=EXTERNAL_EXPERT)
    _score(challenge, evaluators, _bids(challenge))
    return True


def _turn_back_clock(challenge: Challenge, span: timedelta) -> None:
    """Move every evaluation row of the challenge `span` into the past, keeping their order (declared,
    scored, agreed, trialled, awarded), so the award's standstill is over and it can be made final. Only
    the award needs it; moving it alone would date the award before the scores it rests on. The audit
    trail and the notifications keep their real times: they are append-only."""

    def shift(queryset, *fields: str) -> None:
        queryset.update(**{name: F(name) - span for name in fields})

    shift(Panel.objects.filter(challenge=challenge), "created_at", "updated_at", "scoring_deadline")
    shift(Evaluator.objects.filter(challenge=challenge), "appointed_at", "accepted_at")
    shift(ConflictDeclaration.objects.filter(evaluator__challenge=challenge), "declared_at")
    shift(
        ScoreSheet.objects.filter(evaluator__challenge=challenge), "created_at", "updated_at", "submitted_at"
    )
    shift(ConsensusScore.objects.filter(proposal__challenge=challenge), "decided_at")
    shift(Trial.objects.filter(proposal__challenge=challenge), "shortlisted_at", "decided_at")
    shift(Award.objects.filter(challenge=challenge), "decided_at", "standstill_ends_at")
    shift(BidderFeedback.objects.filter(award__challenge=challenge), "sent_at")


def _awarded() -> bool:
    challenge = _untouched(REUSE, ChallengeStatus.AWARDED)
    if challenge is None:
        return False
    chair, colleague = _panel_users(challenge)
    # The challenges' demo records the outcome directly, as before awards existed. The panel, the scores
    # and the award need the evaluation under way, so the status goes back to "under evaluation" (no
    # service turns an outcome back); decide_award then records the outcome again, through the service.
    Challenge.objects.filter(pk=challenge.pk).update(status=ChallengeStatus.UNDER_EVALUATION)
    challenge.refresh_from_db()
    standstill = settings.AWARD_MIN_STANDSTILL_DAYS
    update_panel(
        challenge=challenge,
        by=chair,
        scoring_deadline=timezone.now() + timedelta(days=1),
        has_trial_stage=True,
    )
    evaluators = _appoint_panel(challenge, chair, colleague)
    bids = _bids(challenge)
    _score(challenge, evaluators, bids)
    winner = bids["Maasbouw Circulair B.V."]
    criteria = criteria_of(challenge=challenge)
    record_consensus(
        proposal=winner,
        by=chair,
        values={criterion.pk: row for criterion, row in zip(criteria, CONSENSUS, strict=False)},
    )
    trial = shortlist_for_trial(proposal=winner, by=chair)
    measured, note = TRIAL_RESULT
    record_trial_results(
        trial=trial,
        by=chair,
        results=[MeasuredResult(outcome.pk, measured, note) for outcome in challenge.outcomes.all()],
    )
    decide_trial(trial=trial, by=chair, decision=TrialDecision.GO, summary=TRIAL_SUMMARY)
    award = decide_award(
        challenge=challenge,
        by=chair,
        decision=AwardDecision.AWARD,
        rationale=AWARD_RATIONALE,
        public_summary=AWARD_PUBLIC_SUMMARY,
        standstill_days=standstill,
        awarded=[AwardedBid(proposal_id=winner.pk, value=winner.price or Decimal("0"))],
        notes={winner.pk: FEEDBACK_NOTE},
    )
    # The standstill ended yesterday: the award is final, as the periodic task would have made it. (With
    # the default 10-day standstill the evaluation lands after the challenge closed, 14 days ago.)
    _turn_back_clock(challenge, timedelta(days=standstill + 1))
    finalise_award(award_id=award.pk)
    return True


@transaction.atomic
def load_evaluation_demo() -> int:
    """Give the demo's challenges under evaluation and awarded their evaluation. Returns how many
    challenges it filled in (0 when loaded before)."""
    return sum([_under_evaluation(), _awarded()])


def evaluation_demo_chair() -> Evaluator | None:
    """The demo panel's chair on the challenge under evaluation (with user and organisation), to print
    the login that shows scoring and moderation."""
    return (
        Evaluator.objects.select_related("user", "challenge__owner")
        .filter(challenge__title=CLOUDBURSTS, is_chair=True, removed_at__isnull=True)
        .first()
    )
