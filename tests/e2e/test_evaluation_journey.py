"""From close to award with two evaluators: the procurer appoints the panel and its chair and opens the
evaluation; each evaluator declares their conflicts and scores both proposals blind (the second evaluator
sees the chair's scores only after submitting her own); the chair moderates and records the consensus;
the ranking follows from the published weights; the procurer reads the report and decides the award; an
unsuccessful bidder follows the notification to their feedback and reads the public notice; a visitor
reads the notice. Everyone moves by the links a person would click (only the first page of each visit is
typed), driven through a real Chromium with the locators a screen-reader user relies on (labels and
roles)."""

import re
from datetime import timedelta

from django.utils import timezone

from tests.factories.accounts import (
    PASSWORD,
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
)
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.suppliers import SubmittedProposalFactory

from .journey import PageChecks
from .journey import field as _field

TITLE = "Islanders reach their hospital appointments on time"
IMPACT, FEASIBILITY = "Impact on the outcomes", "Feasibility and cost"
CHAIR_SECRET = "Convincing ferry-delay data from two islands"
RATIONALE_ONLY = "the taxi pool depends on drivers the islands do not have"
PUBLIC_SUMMARY = "The contract goes to the proposal that best fits the ferry timetable, within the budget."


def _sign_in(page, checks: PageChecks, email: str) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    checks.arrived(page, "Sign In")
    _field(page, "Email").fill(email)
    _field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _open_challenge(page, checks: PageChecks, challenge) -> None:
    page.goto(challenge.get_absolute_url())
    checks.arrived(page, TITLE)


def _open_notification(page, checks: PageChecks, title: str) -> None:
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    checks.arrived(page, "Notifications")
    page.get_by_role("link", name=re.compile(re.escape(title))).click()


def _declare_no_conflicts(page, checks: PageChecks, organisations: list[str], *, from_list=True) -> None:
    if from_list:
        page.get_by_role("link", name="Declare conflicts").click()
    checks.arrived(page, "Conflicts of interest")
    for name in organisations:
        group = page.get_by_role("group", name=re.compile(re.escape(name)))
        group.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Record my declarations").click()
    checks.arrived(page, "Proposals to score")


def _score(page, checks: PageChecks, proposal_title: str, impact: int, feasibility: int, why: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("row", name=re.compile(re.escape(proposal_title))).get_by_role(
        "link", name="Score"
    ).click()
    checks.arrived(page, "Score sheet")
    _field(page, f"Score for “{IMPACT}” (0 to 5)").fill(str(impact))
    _field(page, f"Justification for “{IMPACT}”").fill(why)
    _field(page, f"Score for “{FEASIBILITY}” (0 to 5)").fill(str(feasibility))
    page.get_by_role("button", name="Submit and lock").click()
    # A missing justification is refused at its field, and what was typed stays.
    checks.arrived(page, "Score sheet")
    expect(page.get_by_role("alert")).to_contain_text("Justify the score.")
    expect(_field(page, f"Score for “{IMPACT}” (0 to 5)")).to_have_value(str(impact))
    _field(page, f"Justification for “{FEASIBILITY}”").fill(f"{why} (cost)")
    page.get_by_role("button", name="Submit and lock").click()
    checks.arrived(page, "Score sheet")
    expect(page.get_by_role("status")).to_contain_text("Your scores are submitted and locked.")


def test_evaluation_journey_from_close_to_award(new_page, console_errors):
    from playwright.sync_api import expect

    buyer = BuyerFactory(name="Hitra kommune")
    marit = AdminMembershipFactory(
        organisation=buyer, user__email="marit@hitra.example", user__full_name="Marit Strand"
    ).user
    MembershipFactory(organisation=buyer, user__email="jon@hitra.example", user__full_name="Jon Berg")
    MembershipFactory(organisation=buyer, user__email="ingrid@hitra.example", user__full_name="Ingrid Lie")
    challenge = PublishedChallengeFactory(owner=buyer, title=TITLE, scoring_scale=5)
    SubmittedProposalFactory(
        challenge=challenge,
        title="Ferry-aware booking",
        supplier=SupplierFactory(name="Fjord Data AS"),
        price=90_000,
    )
    taxi = SupplierFactory(name="Øytaxi AS")
    SubmittedProposalFactory(challenge=challenge, title="Island taxi pool", supplier=taxi, price=70_000)
    MembershipFactory(organisation=taxi, user__email="siv@oytaxi.example", user__full_name="Siv Hansen")
    challenge.submission_deadline = timezone.now() - timedelta(minutes=5)
    challenge.questions_deadline = challenge.submission_deadline - timedelta(days=1)
    challenge.status = "closed"
    challenge.save()
    checks = PageChecks()
    bidders = ["Fjord Data AS", "Øytaxi AS"]

    # 1. The procurer appoints two colleagues, makes Jon the chair and opens the evaluation.
    procurer = new_page("marit")
    _sign_in(procurer, checks, marit.email)
    _open_challenge(procurer, checks, challenge)
    procurer.get_by_role("link", name="Evaluation panel").click()
    checks.arrived(procurer, "Evaluation panel")
    for person in ("Jon Berg <jon@hitra.example>", "Ingrid Lie <ingrid@hitra.example>"):
        _field(procurer, "Member of your organisation").select_option(label=person)
        procurer.get_by_role("button", name="Appoint").click()
        checks.arrived(procurer, "Evaluation panel")
    procurer.get_by_role("row", name=re.compile("Jon Berg")).get_by_role("button", name="Make chair").click()
    checks.arrived(procurer, "Evaluation panel")
    expect(procurer.get_by_role("row", name=re.compile("Jon Berg"))).to_contain_text("Chair")
    procurer.get_by_role("button", name="Open the evaluation").click()
    checks.arrived(procurer, "Evaluation panel")
    expect(procurer.get_by_role("status")).to_contain_text("The evaluation is open.")

    # 2. The chair declares no conflicts and scores both proposals.
    jon = new_page("jon")
    _sign_in(jon, checks, "jon@hitra.example")
    _open_challenge(jon, checks, challenge)
    jon.get_by_role("link", name="Proposals to score").click()
    checks.arrived(jon, "Proposals to score")
    _declare_no_conflicts(jon, checks, bidders)
    _score(jon, checks, "Ferry-aware booking", 5, 3, CHAIR_SECRET)
    jon.get_by_role("link", name="Proposals to score").click()
    _score(jon, checks, "Island taxi pool", 3, 4, "Works only where taxis exist")

    # 3. The second evaluator follows her notification and scores blind: the chair's justification appears
    # only after she submits.
    ingrid = new_page("ingrid")
    _sign_in(ingrid, checks, "ingrid@hitra.example")
    _open_notification(ingrid, checks, "Declare your conflicts of interest")
    _declare_no_conflicts(ingrid, checks, bidders, from_list=False)
    ingrid.get_by_role("row", name=re.compile("Ferry-aware booking")).get_by_role(
        "link", name="Score"
    ).click()
    checks.arrived(ingrid, "Score sheet")
    expect(ingrid.get_by_role("main")).not_to_contain_text(CHAIR_SECRET)
    ingrid.get_by_role("link", name="Proposals to score").click()
    checks.arrived(ingrid, "Proposals to score")
    _score(ingrid, checks, "Ferry-aware booking", 4, 3, "Solid plan with the hospital")
    expect(ingrid.get_by_role("region", name="The other evaluators' scores")).to_contain_text(CHAIR_SECRET)
    ingrid.get_by_role("link", name="Proposals to score").click()
    _score(ingrid, checks, "Island taxi pool", 3, 3, "Depends on drivers")

    # 4. The chair moderates: spreads, then the consensus per proposal; the ranking follows.
    jon.get_by_role("link", name="Proposals to score").click()
    checks.arrived(jon, "Proposals to score")
    jon.get_by_role("region", name="The panel's progress").get_by_role("link", name="Moderation").click()
    checks.arrived(jon, "Moderation")
    for title, values in (("Ferry-aware booking", (5, 3)), ("Island taxi pool", (3, 4))):
        jon.get_by_role("region", name=re.compile(re.escape(title))).get_by_role(
            "link", name="Record the consensus"
        ).click()
        checks.arrived(jon, "Consensus scores")
        _field(jon, f"Consensus score for “{IMPACT}” (0 to 5)").fill(str(values[0]))
        _field(jon, f"Rationale for “{IMPACT}”").fill("Agreed after discussion")
        _field(jon, f"Consensus score for “{FEASIBILITY}” (0 to 5)").fill(str(values[1]))
        _field(jon, f"Rationale for “{FEASIBILITY}”").fill("Agreed after discussion")
        jon.get_by_role("button", name="Record the consensus").click()
        checks.arrived(jon, "Moderation")
    ranking = jon.get_by_role("region", name="Ranking").get_by_role("row")
    # Ferry: 60*5/5 + 40*3/5 = 84; taxi: 60*3/5 + 40*4/5 = 68.
    expect(ranking.nth(1)).to_contain_text("84.000")
    expect(ranking.nth(2)).to_contain_text("68.000")

    # 5. The procurer reads the report from the challenge page and decides the award on the award page.
    procurer.get_by_role("link", name=TITLE).first.click()
    checks.arrived(procurer, TITLE)
    procurer.get_by_role("link", name="Evaluation report").click()
    checks.arrived(procurer, "Evaluation report")
    expect(procurer.get_by_role("main")).to_contain_text(CHAIR_SECRET)
    expect(procurer.get_by_role("region", name="Audit trail")).to_contain_text("Consensus recorded")
    procurer.get_by_role("main").get_by_role("link", name=TITLE).click()
    checks.arrived(procurer, TITLE)
    procurer.get_by_role("region", name="Evaluation").get_by_role("link", name="Award", exact=True).click()
    checks.arrived(procurer, "Award")
    procurer.get_by_role("radio", name="Award the contract to the bidder(s) chosen below").check()
    _field(procurer, "Rationale").fill(f"The highest weighted total; {RATIONALE_ONLY}.")
    _field(procurer, "Public summary").fill(PUBLIC_SUMMARY)
    procurer.get_by_role("checkbox", name="Award to Fjord Data AS").check()
    _field(procurer, "Contract value for Fjord Data AS").fill("90000")
    procurer.get_by_role("button", name="Record the decision and send the feedback").click()
    checks.arrived(procurer, "Award")
    expect(procurer.get_by_role("status")).to_contain_text("The award decision is recorded")

    # 6. The unsuccessful bidder follows the notification to her feedback, then reads the public notice,
    # which links back to it.
    siv = new_page("siv")
    _sign_in(siv, checks, "siv@oytaxi.example")
    _open_notification(siv, checks, "Award decision and your feedback")
    checks.arrived(siv, "Your feedback")
    feedback = siv.get_by_role("main")
    expect(feedback).to_contain_text("Your proposal was not awarded the contract.")
    expect(feedback).to_contain_text("2 of 2 bids")
    expect(feedback).to_contain_text("84.000")  # the winning total
    expect(feedback).to_contain_text(RATIONALE_ONLY)  # the rationale is the bidders'
    expect(feedback).not_to_contain_text(CHAIR_SECRET)  # never an evaluator's own words
    feedback.get_by_role("link", name=TITLE).click()
    checks.arrived(siv, TITLE)
    notice = siv.get_by_role("region", name="Award notice")
    expect(notice).to_contain_text("Fjord Data AS")
    expect(notice).to_contain_text(PUBLIC_SUMMARY)
    expect(notice).not_to_contain_text(RATIONALE_ONLY)
    notice.get_by_role("link", name="Your feedback on the award").click()
    checks.arrived(siv, "Your feedback")

    # 7. A visitor reads the public notice: the winner and the summary, never the losing bidder.
    visitor = new_page("visitor")
    _open_challenge(visitor, checks, challenge)
    notice = visitor.get_by_role("region", name="Award notice")
    expect(notice).to_contain_text("Fjord Data AS")
    expect(notice).to_contain_text(PUBLIC_SUMMARY)
    expect(notice).not_to_contain_text("Øytaxi AS")
    expect(notice).not_to_contain_text(RATIONALE_ONLY)
    expect(notice.get_by_role("link", name="Your feedback on the award")).to_have_count(0)

    noticed = [*checks.problems, *console_errors]
    assert noticed == [], f"on {len(checks.visited)} pages:\n" + "\n".join(noticed)
