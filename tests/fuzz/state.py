"""What the demo data set does not show the crawled roles, added on top of it for the fuzz suite, so that
every form of the portal is on some page the crawler walks.

The demo is a story told once: its evaluation is half scored, its trial decided, its questions answered.
Many forms appear only in the moments in between, so this module adds those moments, through the same
services a person's clicks go through (their guards, deadlines and sealing rules hold; only the clock is
turned back, as the demo does, to close a challenge that took bids):

- Trondheim (buyer-admin, buyer-member) has a challenge under evaluation with a proof-of-value stage: the
  procurer chairs the panel, has declared, scored and agreed both bids, and shortlisted one for a trial
  that has no results yet (shortlist, results and decision forms); the colleague joined the panel late and
  has not declared yet (declaration form). A second challenge has closed with its panel ready to open.
- An unanswered clarification question on Trondheim's open challenge (the answer form), where the first
  SME has submitted a bid (withdraw form) and the second has a complete draft (submit form), and the second
  SME has written to the partner-board post there (a conversation).
- The second SME's consortium draft on Turku's challenge has invited the first SME (its response form)
  and someone by email (the emailed link's response form).
- Programme staff have a survey in draft, with one choice question, that belongs to no exchange (the
  question editor, and the exchange planning page's "use a survey from the builder" form).
- The buyer-member also belongs to Bergen (the "acting for" switch).

`build_fuzz_state()` returns, per role, the pages that show those forms: the crawl starts from them, so
each takes its kind of page's one visit (a locked score sheet and an open one are the same kind of page
to the crawler)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.evaluation.models import Evaluator
from challenges.evaluation.selectors.panel import undeclared_organisations
from challenges.evaluation.selectors.scoring import criteria_of
from challenges.evaluation.services.panel import (
    appoint_evaluator,
    declare_conflicts,
    open_evaluation,
    set_chair,
    update_panel,
)
from challenges.evaluation.services.scoring import record_consensus, submit_sheet
from challenges.evaluation.services.trials import shortlist_for_trial
from challenges.models import Challenge
from challenges.services.lifecycle import close_challenge
from challenges.services.qa import ask_question
from exchanges.models import ExchangeEvent
from exchanges.surveys.enums import QuestionKind
from exchanges.surveys.services import add_question, create_survey
from portal.accounts.enums import MembershipRole
from portal.accounts.models import Membership, Organisation, User
from suppliers import receipts
from suppliers.demo import _complete_answers
from suppliers.enums import ProposalStatus
from suppliers.models import PartnerPost, Proposal, Receipt
from suppliers.services.board import reply_to_partner_post
from suppliers.services.consortia import invite_partner_by_email, invite_partner_organisation
from suppliers.services.proposals import save_proposal, start_proposal
from suppliers.services.submission import submit_proposal
from tests.factories.challenges import PublishedChallengeFactory

TRONDHEIM_OPEN = "Tryggere skolevei for barn som går og sykler"  # the demo's, published
TURKU_OPEN = "Reducing loneliness among elderly residents living alone"  # the demo's, with a consortium draft


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _bid(challenge: Challenge, organisation: Organisation, *, submit: bool) -> Proposal:
    """A complete proposal of the organisation (the demo's answers), submitted or left a draft."""
    author = organisation.memberships.filter(role=MembershipRole.ADMIN).get().user
    # The demo's answers to every question of a challenge: its recipe for a proposal with no gaps.
    proposal, _new = start_proposal(challenge=challenge, organisation=organisation, by=author)
    save_proposal(
        proposal=proposal,
        by=author,
        values=_complete_answers(proposal, price=Decimal("120000")),
        base_revision=proposal.revision,
    )
    if submit:
        submit_proposal(proposal=proposal, by=author)
    return proposal


def _closed_challenge(
    title: str, owner: Organisation, procurer: User, bidders: list[Organisation]
) -> Challenge:
    """A challenge of the owner that took the bidders' bids while open and has closed since: the bids are
    submitted through the services before the deadline, then the clock is turned back (deadline, and the
    submissions with their receipts' digests, as suppliers/demo.py does) and the closing service closes
    it."""
    now = timezone.now()
    challenge = PublishedChallengeFactory(
        owner=owner,
        created_by=procurer,
        title=title,
        questions_deadline=now + timedelta(hours=1),
        submission_deadline=now + timedelta(hours=2),
    )
    bids = [_bid(challenge, organisation, submit=True) for organisation in bidders]
    deadline = now - timedelta(days=1)
    Challenge.objects.filter(pk=challenge.pk).update(
        questions_deadline=deadline - timedelta(days=7), submission_deadline=deadline
    )
    moment = deadline - timedelta(days=2)
    for proposal in bids:
        Proposal.objects.filter(pk=proposal.pk).update(submitted_at=moment)
        proposal.refresh_from_db()
        Receipt.objects.filter(proposal=proposal).update(
            submitted_at=moment, digest=receipts.digest(proposal, moment)
        )
    challenge.refresh_from_db()
    assert close_challenge(challenge=challenge), "the fuzz state's challenge did not close"
    challenge.refresh_from_db()
    return challenge


def _panel(challenge: Challenge, chair: User, *, has_trial_stage: bool) -> Evaluator:
    update_panel(
        challenge=challenge,
        by=chair,
        scoring_deadline=timezone.now() + timedelta(days=10),
        has_trial_stage=has_trial_stage,
    )
    evaluator = appoint_evaluator(challenge=challenge, by=chair, user=chair)
    return set_chair(evaluator=evaluator, by=chair)


def _evaluations(seeds: dict[str, list[str]]) -> None:
    """Trondheim's challenge under evaluation (with a trial pending and a late evaluator) and its closed
    challenge whose panel is ready to open."""
    trondheim = _organisation("Trondheim kommune")
    procurer, colleague = _user("procurer@trondheim.example.org"), _user("colleague@trondheim.example.org")
    bidders = [_organisation("Fjordlys Analytics AS"), _organisation("Kotiapu Digital Oy")]

    challenge = _closed_challenge("Fuzz: a challenge with a trial stage", trondheim, procurer, bidders)
    chair = _panel(challenge, procurer, has_trial_stage=True)
    challenge = open_evaluation(challenge=challenge, by=procurer)
    chair = Evaluator.objects.select_related("challenge", "user").get(pk=chair.pk)
    declare_conflicts(
        evaluator=chair,
        by=procurer,
        answers={organisation.pk: (False, "") for organisation in undeclared_organisations(evaluator=chair)},
    )
    criteria = criteria_of(challenge=challenge)
    bids = list(Proposal.objects.filter(challenge=challenge).order_by("pk"))
    for proposal in bids:
        values = {criterion.pk: (4, "Meets the outcome indicators.") for criterion in criteria}
        submit_sheet(evaluator=chair, proposal=proposal, by=procurer, values=values)
        record_consensus(proposal=proposal, by=procurer, values=values)
    trial = shortlist_for_trial(proposal=bids[0], by=procurer)
    # Appointed once the others had scored, the colleague is asked to declare before any bid opens.
    appoint_evaluator(challenge=challenge, by=procurer, user=colleague)
    seeds["buyer-admin"] += [
        reverse("evaluation:trial-list", kwargs={"pk": challenge.pk}),
        reverse("evaluation:trial-detail", kwargs={"pk": trial.pk}),
        reverse("evaluation:trial-decide", kwargs={"pk": trial.pk}),
    ]
    seeds["buyer-member"].append(reverse("evaluation:declarations", kwargs={"pk": challenge.pk}))

    ready = _closed_challenge("Fuzz: a closed challenge", trondheim, procurer, bidders[:1])
    _panel(ready, procurer, has_trial_stage=False)
    seeds["buyer-admin"].append(reverse("evaluation:panel", kwargs={"pk": ready.pk}))


def _rotterdam_sheets(seeds: dict[str, list[str]]) -> None:
    """The demo's panel member has not scored Emajõe's bid yet: that sheet is open to them."""
    proposal = Proposal.objects.get(
        challenge__title="Keeping streets and cellars dry during cloudbursts",
        supplier__name="Emajõe Robotics OÜ",
    )
    seeds["panel-member"].append(reverse("evaluation:sheet", kwargs={"pk": proposal.pk}))


def _open_challenge(seeds: dict[str, list[str]]) -> None:
    """On Trondheim's open challenge: a question, a submitted bid, a complete draft, a board conversation."""
    challenge = Challenge.objects.get(title=TRONDHEIM_OPEN, status=ChallengeStatus.PUBLISHED)
    fjordlys, kotiapu = _organisation("Fjordlys Analytics AS"), _organisation("Kotiapu Digital Oy")
    sme1, sme2 = _user("sme1@suppliers.example.org"), _user("sme2@suppliers.example.org")
    ask_question(
        challenge=challenge,
        by=sme1,
        organisation=fjordlys,
        question="May the pilot include the school's own traffic wardens?",
    )
    submitted = _bid(challenge, fjordlys, submit=True)
    draft = _bid(challenge, kotiapu, submit=False)
    post = PartnerPost.objects.get(challenge=challenge)
    conversation = reply_to_partner_post(
        post=post, organisation=kotiapu, by=sme2, body="We work with parents' groups in Finland."
    )
    seeds["buyer-admin"].append(reverse("challenges:question-list", kwargs={"pk": challenge.pk}))
    seeds["supplier"] += [
        reverse("suppliers:proposal-withdraw", kwargs={"pk": submitted.pk}),
        reverse("suppliers:board-post-detail", kwargs={"pk": post.pk}),
    ]
    seeds["supplier-2"] += [
        reverse("suppliers:proposal-submit", kwargs={"pk": draft.pk}),
        reverse("suppliers:board-conversation", kwargs={"pk": conversation.pk}),
    ]


def _consortium(seeds: dict[str, list[str]]) -> None:
    """Kotiapu's consortium draft (the demo's) invites Fjordlys, and someone by email."""
    proposal = Proposal.objects.get(
        challenge__title=TURKU_OPEN, supplier__name="Kotiapu Digital Oy", status=ProposalStatus.DRAFT
    )
    sme2 = _user("sme2@suppliers.example.org")
    invitation = invite_partner_organisation(
        proposal=proposal,
        by=sme2,
        organisation=_organisation("Fjordlys Analytics AS"),
        role="Data on who is at home alone",
        work_share=Decimal("20"),
    )
    _partner, token = invite_partner_by_email(
        proposal=proposal,
        by=sme2,
        email="volunteers@fuzz.example.org",
        role="Volunteer network",
        work_share=Decimal("10"),
    )
    seeds["supplier"] += [
        reverse("suppliers:partner-invitation-detail", kwargs={"pk": invitation.pk}),
        reverse("suppliers:partner-invitation-token", kwargs={"token": token}),
    ]
    # The organisation search fills the "invite an organisation" form; without a query it is not shown.
    consortium = reverse("suppliers:consortium", kwargs={"pk": proposal.pk})
    seeds["supplier-2"].append(f"{consortium}?q=Emaj")


def _surveys(seeds: dict[str, list[str]]) -> None:
    staff = _user("staff@programme.example.org")
    survey = create_survey(title="Fuzz: a survey in the builder", by=staff)
    # A choice question, so that the next question's condition has options to choose from.
    add_question(
        survey=survey,
        kind=QuestionKind.SINGLE,
        key="role",
        text="What is your role?",
        choices=[("buyer", "Buyer"), ("supplier", "Supplier")],
        by=staff,
    )
    # An event with an empty survey slot offers the builder's surveys on its planning page.
    event = (
        ExchangeEvent.objects.filter(Q(pre_survey__isnull=True) | Q(reflection_survey__isnull=True))
        .order_by("pk")
        .first()
    )
    seeds["programme-staff"] += [
        reverse("surveys:question-create", kwargs={"pk": survey.pk}),
        reverse("exchanges:event-planning", kwargs={"pk": event.pk}),
    ]


def _second_organisation() -> None:
    Membership.objects.create(
        user=_user("colleague@trondheim.example.org"),
        organisation=_organisation("Bergen kommune"),
        role=MembershipRole.MEMBER,
    )


def build_fuzz_state() -> dict[str, list[str]]:
    """Add the state above to the loaded demo (inside the caller's transaction); the pages that show it,
    by role."""
    seeds: dict[str, list[str]] = defaultdict(list)
    _evaluations(seeds)
    _rotterdam_sheets(seeds)
    _open_challenge(seeds)
    _consortium(seeds)
    _surveys(seeds)
    _second_organisation()
    return dict(seeds)
