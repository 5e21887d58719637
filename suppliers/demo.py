"""Demo data for the selling side: profiles for the demo SMEs, a consortium drafting a proposal to an open
challenge, a notice on the partner board, and sealed bids on the challenges that have closed. Everything
goes through the same services a person's clicks would; only the clock is turned back, as the challenges'
demo does, to submit bids to challenges that have closed since. Loading twice changes nothing."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge, CPVCode
from portal.accounts.models import Organisation, User

from . import receipts
from .enums import ProposalStatus
from .models import Proposal, Receipt, SupplierProfile
from .selectors.completeness import criterion_field, outcome_field
from .services.board import save_partner_post
from .services.consortia import accept_partner_invitation, invite_partner_organisation
from .services.profiles import update_supplier_profile
from .services.proposals import save_proposal, start_proposal
from .services.submission import submit_proposal

PROFILES = {
    "Fjordlys Analytics AS": {
        "description": "Data analytics for municipal infrastructure: we turn sensor and inspection data into "
        "maintenance plans that engineers trust.",
        "capabilities": "Predictive maintenance models, hydrological modelling, dashboards for field crews.",
        "tags": ["Predictive maintenance", "Data analytics", "Hydrology"],
        "cpv": ["72316000", "71351500"],
        "countries": ["NO", "SE"],
        "regions": "Vestland, Rogaland",
        "public_sector": True,
        "references": [("Stormwater model for Askøy", "Askøy kommune", True, 2024)],
    },
    "Kotiapu Digital Oy": {
        "description": "Digital services that help older people live at home longer and less alone.",
        "capabilities": "Service design with older residents, volunteer matching, accessible mobile apps.",
        "tags": ["Service design", "Ageing well", "Accessibility"],
        "cpv": ["72212000", "85312000"],
        "countries": ["FI", "EE"],
        "regions": "Southwest Finland, Uusimaa",
        "public_sector": False,
        "references": [("Neighbour-help app pilot", "Kaarina parish", False, 2025)],
    },
    "Emajõe Robotics OÜ": {
        "description": "Small robots and sensors for inspection in places people should not have to go.",
        "capabilities": "Pipe and culvert inspection robots, computer vision, ruggedised hardware.",
        "tags": ["Robotics", "Computer vision", "Inspection"],
        "cpv": ["42997000", "38430000"],
        "countries": ["EE", "LV", "FI"],
        "regions": "Baltic states",
        "public_sector": True,
        "references": [("Culvert inspection", "Tartu linn", True, 2023)],
    },
    "Maasbouw Circulair B.V.": {
        "description": "Circular construction: we harvest, test and certify materials from demolition.",
        "capabilities": "Material passports, demolition audits, certified reuse of steel and timber.",
        "tags": ["Circular economy", "Construction"],
        "cpv": ["45110000", "90500000"],
        "countries": ["NL", "BE"],
        "regions": "South Holland",
        "public_sector": True,
        "references": [("Material passport for a school", "Gemeente Delft", True, 2024)],
    },
    "Canal Street Care Tech Ltd": {
        "description": "Care technology that families and home-care staff actually use.",
        "capabilities": "Home sensors, family apps, integration with care records.",
        "tags": ["Ageing well", "Sensors"],
        "cpv": ["33195000", "72212000"],
        "countries": ["GB"],
        "regions": "West Midlands",
        "public_sector": False,
        "references": [],
    },
}

TURKU = "Reducing loneliness among elderly residents living alone"
TRONDHEIM = "Tryggere skolevei for barn som går og sykler"
CLOSED_BIDS = {
    # challenge title → the organisations that bid on it before it closed
    "Keeping streets and cellars dry during cloudbursts": ["Fjordlys Analytics AS", "Emajõe Robotics OÜ"],
    "Predicting road maintenance needs before potholes appear": ["Fjordlys Analytics AS"],
    "Reusing construction materials from demolished municipal buildings": ["Maasbouw Circulair B.V."],
}


def _admin_of(organisation: Organisation) -> User:
    return User.objects.filter(memberships__organisation=organisation, memberships__role="admin").first()


def _profiles() -> None:
    for name, spec in PROFILES.items():
        organisation = Organisation.objects.get(name=name)
        if SupplierProfile.objects.filter(organisation=organisation).exists():
            continue
        update_supplier_profile(
            organisation=organisation,
            by=_admin_of(organisation),
            description=spec["description"],
            capabilities=spec["capabilities"],
            countries_served=spec["countries"],
            regions_served=spec["regions"],
            has_public_sector_sales=spec["public_sector"],
            is_listed=True,
            sme_size=organisation.sme_size,
            website=f"https://{organisation.slug}.example.com",
            cpv_codes=list(CPVCode.objects.filter(code__in=spec["cpv"])),
            capability_tags=spec["tags"],
            references=[
                {
                    "title": title,
                    "client": client,
                    "is_public_sector": public,
                    "year": year,
                    "description": "",
                }
                for title, client, public, year in spec["references"]
            ],
        )


def _complete_answers(proposal: Proposal, *, price: Decimal) -> dict:
    challenge = proposal.challenge
    values = {
        "title": f"{proposal.supplier.name}: a pilot for {challenge.owner.city}",
        "summary": "A six-month pilot with the people affected, measured against your indicators.",
        "approach": "Co-design in the first month, a pilot in two districts, then an honest evaluation.",
        "team": "A project lead, two specialists and a researcher who measures the outcomes.",
        "timeline": "Months 1–2 co-design; months 3–8 pilot; month 9 evaluation and decision.",
        "price": price,
        "price_lines": [("Co-design and set-up", price * Decimal("0.3")), ("Pilot", price * Decimal("0.7"))],
    }
    for outcome in challenge.outcomes.all():
        values[outcome_field(outcome.pk)] = f"We measure “{outcome.indicator}” monthly and report to you."
    for criterion in challenge.criteria.all():
        values[criterion_field(criterion.pk)] = f"On “{criterion.name}”: see our approach and references."
    return values


def _consortium_draft() -> None:
    """Kotiapu Digital leads a draft to Turku's challenge with Canal Street Care Tech as partner."""
    challenge = Challenge.objects.filter(title=TURKU, status=ChallengeStatus.PUBLISHED).first()
    if challenge is None or Proposal.objects.filter(challenge=challenge).exists():
        return
    lead = Organisation.objects.get(name="Kotiapu Digital Oy")
    partner = Organisation.objects.get(name="Canal Street Care Tech Ltd")
    author = _admin_of(lead)
    proposal, _ = start_proposal(challenge=challenge, organisation=lead, by=author)
    values = _complete_answers(proposal, price=Decimal("90000"))
    del values["timeline"]  # still to write: the editor shows what is missing
    save_proposal(proposal=proposal, by=author, values=values, base_revision=proposal.revision)
    invitation = invite_partner_organisation(
        proposal=proposal,
        by=author,
        organisation=partner,
        role="Home sensors and the family app",
        work_share=Decimal("40"),
        message="Your family app would fit our volunteer service well. Join us?",
    )
    accept_partner_invitation(partner=invitation, by=_admin_of(partner))


def _partner_post() -> None:
    challenge = Challenge.objects.filter(title=TRONDHEIM, status=ChallengeStatus.PUBLISHED).first()
    if challenge is None:
        return
    organisation = Organisation.objects.get(name="Emajõe Robotics OÜ")
    if challenge.partner_posts.filter(organisation=organisation).exists():
        return
    save_partner_post(
        challenge=challenge,
        organisation=organisation,
        by=_admin_of(organisation),
        brings="Sensors and computer vision that count and classify traffic near schools.",
        seeks="A partner who works with schools and parents in Norway, for the behavioural side.",
    )


def _sealed_bids() -> None:
    """Bids on challenges that have closed: submitted while the challenge was open (the clock is turned
    back for the submission only), so the buyer's admins and the panel have proposals to open."""
    for title, bidders in CLOSED_BIDS.items():
        challenge = Challenge.objects.filter(title=title).first()
        if challenge is None or challenge.proposals.exists():
            continue
        saved = {
            "status": challenge.status,
            "submission_deadline": challenge.submission_deadline,
            "closed_at": challenge.closed_at,
        }
        Challenge.objects.filter(pk=challenge.pk).update(
            status=ChallengeStatus.PUBLISHED, submission_deadline=timezone.now() + timedelta(hours=1)
        )
        challenge.refresh_from_db()
        for index, name in enumerate(bidders):
            organisation = Organisation.objects.get(name=name)
            author = _admin_of(organisation)
            proposal, _ = start_proposal(challenge=challenge, organisation=organisation, by=author)
            price = Decimal(150000 + 25000 * index)
            save_proposal(
                proposal=proposal,
                by=author,
                values=_complete_answers(proposal, price=price),
                base_revision=proposal.revision,
            )
            submit_proposal(proposal=proposal, by=author)
        Challenge.objects.filter(pk=challenge.pk).update(**saved)
        # Turn the clock back on the submissions too, keeping each receipt verifiable: its time and digest
        # are recomputed together, as if it had been submitted two days before the deadline.
        moment = saved["submission_deadline"] - timedelta(days=2)
        for proposal in Proposal.objects.filter(challenge=challenge, status=ProposalStatus.SUBMITTED):
            Proposal.objects.filter(pk=proposal.pk).update(submitted_at=moment)
            Receipt.objects.filter(proposal=proposal).update(
                submitted_at=moment, digest=receipts.digest(proposal, moment)
            )


@transaction.atomic
def load_supplier_demo() -> None:
    _profiles()
    _consortium_draft()
    _partner_post()
    _sealed_bids()
