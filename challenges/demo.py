# ruff: noqa: E501 -- demo prose reads better unwrapped
"""Demo challenges in every state, in English and Norwegian. Transitions go through the services, as a
procurer's would; only the clock is turned back (deadlines set in the past) for the ones already closed."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import Organisation, User

from .enums import ChallengeStatus, ProcurementRoute
from .models import Challenge, CPVCode, Criterion, Outcome, Theme
from .search import refresh_search_vector
from .services.lifecycle import (
    approve_challenge,
    cancel_challenge,
    close_challenge,
    record_outcome,
    start_evaluation,
    submit_for_review,
)
from .services.qa import answer_question, ask_question


@dataclass
class DemoChallenge:
    city: str
    language: str
    title: str
    summary: str
    current_situation: str
    affected: str
    why_now: str
    outcomes: list[tuple[str, str, str, str]]
    themes: list[str]
    cpv: list[str]
    route: str
    budget: tuple[int, int, str]
    state: str
    constraints: str = ""
    out_of_scope: str = ""
    criteria: list[tuple[str, str, int]] = field(
        default_factory=lambda: [
            ("Impact on the outcomes", "How far and how convincingly the proposal reaches the outcomes.", 50),
            ("Feasibility", "Team, plan, risks and readiness for a pilot in our organisation.", 30),
            ("Cost and value", "Total cost of ownership against the expected benefit.", 20),
        ]
    )


NB_CRITERIA = [
    ("Effekt på målene", "Hvor langt og hvor overbevisende løsningen når de ønskede resultatene.", 50),
    ("Gjennomførbarhet", "Team, plan, risiko og modenhet for en pilot hos oss.", 30),
    ("Kostnad og nytte", "Totale kostnader sett mot forventet nytte.", 20),
]

CHALLENGES = [
    DemoChallenge(
        city="Rotterdam",
        language="en",
        state="under_evaluation",
        title="Keeping streets and cellars dry during cloudbursts",
        summary="Heavy rain floods streets, tunnels and cellars more often every year. We want to know earlier where water will gather and to keep it out of homes.",
        current_situation="Sewers are designed for rain that now falls several times a year. Residents report flooding through the city's contact centre after the fact.",
        affected="Residents of low-lying neighbourhoods, shop owners, public transport and emergency services.",
        why_now="Cloudbursts of over 40 mm an hour have tripled in ten years.",
        outcomes=[
            ("Fewer homes flooded in heavy rain.", "Flood reports from homes per cloudburst", "120", "40"),
            ("Earlier warning for residents.", "Minutes of warning before water gathers", "0", "30"),
        ],
        themes=["water-and-environment", "climate-and-energy"],
        cpv=["45232130"],
        route=ProcurementRoute.INNOVATION_PARTNERSHIP,
        budget=(300_000, 1_000_000, "EUR"),
    ),
    DemoChallenge(
        city="Turku",
        language="en",
        state="published",
        title="Reducing loneliness among elderly residents living alone",
        summary="A third of our residents over 75 who live alone say they often feel lonely. We want fewer of "
        "them to, and we want to know it is working.",
        current_situation="About 6,500 residents over 75 live alone. Home-care visits are short and task-"
        "focused; day centres reach about 10% of them. Volunteers are willing but hard to match.",
        affected="Older residents living alone, especially after losing a partner; their families; home-care "
        "staff who see loneliness but have no time to address it.",
        why_now="The number of residents over 85 doubles by 2035, and loneliness is linked to earlier need "
        "for round-the-clock care.",
        outcomes=[
            (
                "Fewer older residents living alone feel lonely.",
                "Share who say they often feel lonely (annual survey)",
                "33%",
                "25% within two years",
            ),
            (
                "More weekly social contact.",
                "Residents with at least three social contacts a week",
                "41%",
                "60%",
            ),
        ],
        constraints="Personal data stays in the EEA (GDPR). Services must meet WCAG 2.1 AA and work for people "
        "with low digital skills. Must fit alongside the existing home-care service.",
        out_of_scope="Replacing home-care staff or day centres.",
        themes=["ageing-and-loneliness", "health-and-care"],
        cpv=["85000000", "85310000"],
        route=ProcurementRoute.INNOVATION_PARTNERSHIP,
        budget=(150_000, 600_000, "EUR"),
    ),
    DemoChallenge(
        city="Trondheim",
        language="nb",
        state="published",
        title="Tryggere skolevei for barn som går og sykler",
        summary="Foreldre kjører barna til skolen fordi de opplever skoleveien som utrygg. Vi vil at flere "
        "barn skal gå eller sykle, og at færre skal bli skadet.",
        current_situation="Ved 12 av 50 barneskoler kjøres over halvparten av elevene. Trafikken rundt skolene "
        "om morgenen skaper farlige situasjoner, og foreldreundersøkelser peker på de samme kryssene år etter år.",
        affected="Barn på vei til skolen, foreldre, naboer langs skoleveiene og skolenes ansatte.",
        why_now="Kommunen har vedtatt at 80 % av elevene skal gå eller sykle til skolen innen 2028.",
        outcomes=[
            (
                "Flere barn går eller sykler til skolen.",
                "Andel elever som går eller sykler (telling to ganger i året)",
                "54 %",
                "80 % innen 2028",
            ),
            (
                "Færre farlige situasjoner rundt skolene.",
                "Registrerte nestenulykker per skole per måned",
                "6",
                "2",
            ),
        ],
        constraints="Løsningen må følge personvernregelverket; barn skal ikke kunne identifiseres. Tiltak i "
        "veien må godkjennes av vegeier.",
        out_of_scope="Ombygging av hovedveier.",
        themes=["road-safety", "mobility-and-transport", "education"],
        cpv=["34990000", "71311200"],
        route=ProcurementRoute.COMPETITIVE_DIALOGUE,
        budget=(500_000, 3_000_000, "NOK"),
    ),
    DemoChallenge(
        city="Bergen",
        language="nb",
        title="Mindre matsvinn i kommunens kjøkken",
        summary="Sykehjem og barnehager kaster store mengder mat. Vi vil halvere matsvinnet uten at beboere og "
        "barn får dårligere måltider.",
        current_situation="Kommunens 40 produksjonskjøkken lager 9 000 måltider om dagen. Vi anslår at en "
        "fjerdedel kastes, men vi måler det ikke systematisk.",
        affected="Beboere på sykehjem, barn i barnehager, kjøkkenansatte og kommunens økonomi.",
        why_now="Kommunen har sluttet seg til bransjeavtalen om matsvinn med mål om halvering innen 2030.",
        outcomes=[
            ("Mindre mat kastes.", "Kilo kastet mat per servert måltid", "0,12 kg", "0,06 kg innen 2027"),
            (
                "Beboerne er like fornøyde med måltidene.",
                "Tilfredshet i brukerundersøkelsen (1–5)",
                "4,1",
                "minst 4,1",
            ),
        ],
        themes=["food", "circular-economy"],
        cpv=["55520000", "90500000"],
        route=ProcurementRoute.PROOF_OF_VALUE,
        budget=(300_000, 1_200_000, "NOK"),
        state="in_review",
    ),
    DemoChallenge(
        city="Birmingham",
        language="en",
        state="closed",
        title="Predicting road maintenance needs before potholes appear",
        summary="We repair roads after they fail. We want to know where they are about to fail, so we can "
        "plan repairs that cost less and disrupt less.",
        current_situation="Inspectors walk or drive 2,500 km of roads on a fixed cycle; most repairs follow "
        "complaints. Repairs done reactively cost about three times planned ones.",
        affected="Residents, cyclists and bus passengers; contractors; the highways team.",
        why_now="The maintenance backlog has grown for five years and the budget will not grow with it.",
        outcomes=[
            ("More repairs are planned rather than reactive.", "Share of planned repairs", "35%", "70%"),
            ("Fewer injury claims caused by road defects.", "Claims per year", "410", "250"),
        ],
        themes=["buildings-and-infrastructure", "mobility-and-transport"],
        cpv=["45233141", "71631450"],
        route=ProcurementRoute.PRE_COMMERCIAL,
        budget=(250_000, 900_000, "GBP"),
    ),
    DemoChallenge(
        city="Rotterdam",
        language="en",
        state="awarded",
        title="Reusing construction materials from demolished municipal buildings",
        summary="Materials from buildings we demolish end up as waste. We want them to be reused in our own "
        "new buildings and public spaces.",
        current_situation="We demolish about 20 municipal buildings a year. Less than 5% of the materials are "
        "reused; the rest is downcycled or landfilled.",
        affected="Project managers, demolition and construction contractors, and residents near sites.",
        why_now="The city aims for a fully circular economy by 2050, halfway by 2030.",
        outcomes=[("More materials are reused.", "Share of materials reused by weight", "5%", "30%")],
        themes=["circular-economy", "buildings-and-infrastructure"],
        cpv=["45110000"],
        route=ProcurementRoute.COMPETITIVE_NEGOTIATION,
        budget=(400_000, 1_500_000, "EUR"),
    ),
    DemoChallenge(
        city="Tartu",
        language="en",
        state="draft",
        title="Helping newcomers find the public services they need",
        summary="People who move to Tartu struggle to find out which services they can use and how.",
        current_situation="Information is spread over many sites, mostly in Estonian.",
        affected="New residents, especially those who do not speak Estonian; front-desk staff.",
        why_now="The number of newcomers has tripled in three years.",
        outcomes=[
            ("Newcomers find services faster.", "Median days from arrival to first GP visit", "40", "14")
        ],
        themes=["digital-services"],
        cpv=["72000000"],
        route=ProcurementRoute.MARKET_CONSULTATION,
        budget=(50_000, 150_000, "EUR"),
    ),
    DemoChallenge(
        city="Bergen",
        language="nb",
        state="cancelled",
        title="Bedre inneklima i eldre skolebygg",
        summary="Mange elever har hodepine og konsentrasjonsvansker i klasserom med dårlig luft.",
        current_situation="30 skolebygg fra før 1980 har ikke balansert ventilasjon.",
        affected="Elever og lærere.",
        why_now="Inneklimaforskriften skjerpes fra 2027.",
        outcomes=[("Bedre luft i klasserommene.", "Timer med CO₂ over 1 000 ppm per uke", "14", "2")],
        themes=["education", "climate-and-energy"],
        cpv=["45331210"],
        route=ProcurementRoute.OPEN_WITH_VARIANTS,
        budget=(1_000_000, 5_000_000, "NOK"),
    ),
    DemoChallenge(
        city="Trondheim",
        language="nb",
        state="not_awarded",
        title="Færre fallulykker blant hjemmeboende eldre",
        summary="Fall er den vanligste årsaken til at eldre mister evnen til å bo hjemme.",
        current_situation="Hjemmetjenesten registrerer rundt 900 fall i året blant sine brukere.",
        affected="Hjemmeboende eldre, pårørende og hjemmetjenesten.",
        why_now="Antallet over 80 år øker med 60 % de neste ti årene.",
        outcomes=[("Færre fall i hjemmet.", "Registrerte fall per 100 brukere per år", "22", "15")],
        themes=["health-and-care", "ageing-and-loneliness"],
        cpv=["85000000"],
        route=ProcurementRoute.PROOF_OF_VALUE,
        budget=(200_000, 800_000, "NOK"),
    ),
]


def _procurer(city: str) -> User:
    return User.objects.get(email=f"procurer@{city.lower()}.example.org")


def _colleague(city: str) -> User:
    return User.objects.get(email=f"colleague@{city.lower()}.example.org")


ZONES = {"NO": "Europe/Oslo", "FI": "Europe/Helsinki", "EE": "Europe/Tallinn", "NL": "Europe/Amsterdam"}


def _noon_in(days: int, zone: str) -> datetime:
    """Noon on the buyer's clocks, `days` from today: deadlines as a procurer would set them."""
    local = timezone.now().astimezone(ZoneInfo(zone)) + timedelta(days=days)
    return local.replace(hour=12, minute=0, second=0, microsecond=0)


def _create_draft(spec: DemoChallenge, owner: Organisation, author: User) -> Challenge:
    now = timezone.now()
    zone = ZONES.get(str(owner.country), "Europe/London")
    low, high, currency = spec.budget
    challenge = Challenge.objects.create(
        owner=owner,
        created_by=author,
        language=spec.language,
        title=spec.title,
        summary=spec.summary,
        current_situation=spec.current_situation,
        affected=spec.affected,
        why_now=spec.why_now,
        constraints=spec.constraints,
        out_of_scope=spec.out_of_scope,
        budget_min=Decimal(low),
        budget_max=Decimal(high),
        currency=currency,
        questions_deadline=_noon_in(21, zone),
        submission_deadline=_noon_in(35, zone),
        deadline_timezone=zone,
        decision_date=(now + timedelta(days=70)).date(),
        pilot_start=(now + timedelta(days=90)).date(),
        pilot_end=(now + timedelta(days=270)).date(),
        route=spec.route,
        contact_name=author.full_name,
        contact_email=author.email,
    )
    for position, (description, indicator, baseline, target) in enumerate(spec.outcomes):
        Outcome.objects.create(
            challenge=challenge,
            position=position,
            description=description,
            indicator=indicator,
            baseline=baseline,
            target=target,
        )
    criteria = NB_CRITERIA if spec.language == "nb" else spec.criteria
    for position, (name, description, weight) in enumerate(criteria):
        Criterion.objects.create(
            challenge=challenge, position=position, name=name, description=description, weight=weight
        )
    challenge.themes.set(Theme.objects.filter(slug__in=spec.themes))
    challenge.cpv_codes.set(CPVCode.objects.filter(code__in=spec.cpv))
    return challenge


def _turn_back_clock(challenge: Challenge, days: int) -> None:
    now = timezone.now()
    Challenge.objects.filter(pk=challenge.pk).update(
        questions_deadline=now - timedelta(days=days + 10),
        submission_deadline=now - timedelta(days=days),
        published_at=now - timedelta(days=days + 40),
    )
    challenge.refresh_from_db()


@transaction.atomic
def load_demo_challenges() -> int:
    """Create the demo challenges that do not exist yet (matched by title). Returns how many it made."""
    made = 0
    for spec in CHALLENGES:
        owner = Organisation.objects.get(kind="buyer", city=spec.city)
        if Challenge.objects.filter(owner=owner, title=spec.title).exists():
            continue
        author, reviewer = _procurer(spec.city), _colleague(spec.city)
        challenge = _create_draft(spec, owner, author)
        made += 1
        if spec.state != "draft":
            submit_for_review(challenge=challenge, by=author)
        if spec.state not in {"draft", "in_review"}:
            approve_challenge(challenge=challenge, by=reviewer, comment="Clear need, measurable outcomes.")
        if spec.state == "published" and spec.city == "Turku":
            supplier_user = User.objects.get(email="sme2@suppliers.example.org")
            clarification = ask_question(
                challenge=challenge,
                by=supplier_user,
                question="Can a proposal involve residents' families and volunteers, not only the residents?",
            )
            answer_question(
                clarification=clarification,
                by=author,
                publish=True,
                answer="Yes. Families and volunteers are part of the picture; tell us how you would involve them.",
            )
        if spec.state in {"closed", "under_evaluation", "awarded", "not_awarded"}:
            _turn_back_clock(challenge, days=14)
            close_challenge(challenge=challenge)
        if spec.state in {"under_evaluation", "awarded", "not_awarded"}:
            start_evaluation(challenge=challenge, by=author)
        if spec.state in {"awarded", "not_awarded"}:
            outcome = ChallengeStatus.AWARDED if spec.state == "awarded" else ChallengeStatus.NOT_AWARDED
            record_outcome(challenge=challenge, by=author, outcome=outcome)
        if spec.state == "cancelled":
            cancel_challenge(
                challenge=challenge, by=author, reason="Our own building programme will cover this."
            )
        refresh_search_vector(challenge_id=challenge.pk)
    return made
