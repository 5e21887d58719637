"""From close to award with two evaluators: the procurer appoints the panel and its chair and opens the
evaluation; each evaluator declares their conflicts and scores both proposals blind (the second evaluator
sees the chair's scores only after submitting her own); the chair moderates and records the consensus;
the ranking follows from the published weights; the procurer decides the award. Driven through a real
Chromium with the locators a screen-reader user relies on (labels and roles)."""

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


def _declare_no_conflicts(page, checks: PageChecks, organisations: list[str]) -> None:
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
    SubmittedProposalFactory(
        challenge=challenge,
        title="Island taxi pool",
        supplier=SupplierFactory(name="Øytaxi AS"),
        price=70_000,
    )
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

    # 3. The second evaluator scores blind: the chair's justification appears only after she submits.
    ingrid = new_page("ingrid")
    _sign_in(ingrid, checks, "ingrid@hitra.example")
    ingrid.goto(f"/evaluation/challenges/{challenge.pk}/scoring/")
    checks.arrived(ingrid, "Proposals to score")
    _declare_no_conflicts(ingrid, checks, bidders)
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
    jon.goto(f"/evaluation/challenges/{challenge.pk}/moderation/")
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

    # 5. The procurer reads the report and decides the award on the award page.
    procurer.goto(f"/evaluation/challenges/{challenge.pk}/report/")
    checks.arrived(procurer, "Evaluation report")
    expect(procurer.get_by_role("main")).to_contain_text(CHAIR_SECRET)
    procurer.goto(f"/evaluation/challenges/{challenge.pk}/panel/")
    checks.arrived(procurer, "Evaluation panel")
    procurer.get_by_role("link", name="Award", exact=True).click()
    checks.arrived(procurer, "Award")
    procurer.get_by_role("radio", name="Award the contract to the bidder(s) chosen below").check()
    _field(procurer, "Rationale").fill("The highest weighted total and a credible plan with the hospital.")
    procurer.get_by_role("checkbox", name="Award to Fjord Data AS").check()
    _field(procurer, "Contract value for Fjord Data AS").fill("90000")
    procurer.get_by_role("button", name="Record the decision and send the feedback").click()
    checks.arrived(procurer, "Award")
    expect(procurer.get_by_role("status")).to_contain_text("The award decision is recorded")

    noticed = [*checks.problems, *console_errors]
    assert noticed == [], f"on {len(checks.visited)} pages:\n" + "\n".join(noticed)
