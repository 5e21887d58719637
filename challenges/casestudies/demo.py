# ruff: noqa: E501 -- demo prose reads better unwrapped
"""Demo case studies: one for each demo challenge that ended (Rotterdam's awarded reuse of construction
materials, Trondheim's falls at home that were not awarded, Bergen's cancelled indoor climate in old
schools), written and published through the services as the owner's procurer would, each tagged with the
capability it illustrates so the capability self-assessment can suggest it. The exchange demo publishes
Turku's reflection report as a case study itself; this tags it too. Loading twice changes nothing."""

from dataclasses import dataclass

from django.db import transaction

from challenges.models import Challenge
from portal.accounts.models import User

from .enums import Capability, CaseSource
from .models import CaseStudy
from .services import case_study_prefill, create_case_study, publish_case_study, update_case_study


@dataclass
class DemoCaseStudy:
    challenge_title: str
    author: str
    capability: str
    market_engagement: str
    result: str
    indicators: str
    lessons: str
    would_do_differently: str
    contacts: str


CASE_STUDIES = [
    DemoCaseStudy(
        challenge_title="Reusing construction materials from demolished municipal buildings",
        author="procurer@rotterdam.example.org",
        capability=Capability.SUPPLIER_DIALOGUE,
        market_engagement="Two open market days at a demolition site, then a competitive procedure with negotiation: three rounds of dialogue with the four bidders, each round on one building we were about to take down.",
        result="A four-year contract with Maasbouw Circulair B.V.: a materials passport for every building before demolition, harvesting of reusable elements, and a city-owned materials depot that our own projects order from.",
        indicators="- More materials are reused.\n  Indicator: share of materials reused by weight; baseline 5%; target 30%.\n  What it showed: 22% in the proof-of-value trial on two buildings, rising to 31% on the second as the depot filled up.",
        lessons="Show bidders the real buildings: the site visits changed every proposal\nA materials depot is what makes reuse possible; without storage, timing kills it\nPut reuse targets in the contract as outcomes, not as a list of techniques\nThe proof-of-value trial convinced our project managers more than any report",
        would_do_differently="Involve our own project managers in the dialogue from the start: they order the materials, and they were sceptical until the trial.",
        contacts="Procurement team, Gemeente Rotterdam: procurer@rotterdam.example.org",
    ),
    DemoCaseStudy(
        challenge_title="Færre fallulykker blant hjemmeboende eldre",
        author="procurer@trondheim.example.org",
        capability=Capability.INTERNAL_COLLABORATION,
        market_engagement="Ett dialogmøte med åtte leverandører og en åpen runde med spørsmål og svar på portalen. Ingen hjemmebesøk sammen med leverandørene.",
        result="Ingen kontrakt. De to tilbudene vi fikk løste ikke behovet innenfor budsjettet; vi lærte hva markedet kan levere i dag og hva vi selv må ha på plass først.",
        indicators="- Færre fall i hjemmet.\n  Indikator: registrerte fall per 100 brukere per år; utgangspunkt 22; mål 15.\n  Hva den viste: ikke målt, fordi ingen pilot ble startet.",
        lessons="Hjemmetjenesten må eie behovet, ikke bare innkjøp\nLeverandørene trengte data om fallene vi ikke hadde samlet\nBudsjettet må dekke drift etter piloten, ikke bare piloten",
        would_do_differently="Samle falldata i et halvt år før utlysningen, og la hjemmetjenesten og IT-avdelingen skrive behovet sammen med innkjøp.",
        contacts="Innkjøpsavdelingen i Trondheim kommune: procurer@trondheim.example.org",
    ),
    DemoCaseStudy(
        challenge_title="Bedre inneklima i eldre skolebygg",
        author="procurer@bergen.example.org",
        capability=Capability.MANAGEMENT_ANCHORING,
        market_engagement="Utlysningen fikk elleve spørsmål fra leverandører på tre uker; vi holdt et digitalt informasjonsmøte.",
        result="Konkurransen ble avlyst: kommunens eget byggeprogram tok inn ventilasjon i de samme skolene. Vi lærte at behovet var reelt, men at det allerede var dekket et annet sted i kommunen.",
        indicators="- Bedre luft i klasserommene.\n  Indikator: timer med CO₂ over 1 000 ppm per uke; utgangspunkt 14; mål 2.\n  Hva den viste: måles nå i byggeprogrammet.",
        lessons="Sjekk kommunens investeringsplaner før du lyser ut\nLedelsen må stå bak behovet før markedet inviteres\nEn avlyst konkurranse koster leverandørene tid: si tidlig fra",
        would_do_differently="Forankre utfordringen i kommunedirektørens ledergruppe før publisering, så kryssende planer kommer fram tidlig.",
        contacts="Innkjøpsavdelingen i Bergen kommune: procurer@bergen.example.org",
    ),
]

EXCHANGE_CAPABILITY = Capability.MUNICIPAL_COLLABORATION


def _write(spec: DemoCaseStudy) -> bool:
    challenge = (
        Challenge.objects.prefetch_related("outcomes", "themes", "cpv_codes")
        .filter(title=spec.challenge_title)
        .first()
    )
    author = User.objects.filter(email=spec.author).first()
    if challenge is None or author is None or CaseStudy.objects.filter(challenge=challenge).exists():
        return False
    values = case_study_prefill(challenge=challenge)
    values.update(
        capability=spec.capability,
        market_engagement=spec.market_engagement,
        result=spec.result,
        outcome_against_indicators=spec.indicators,
        lessons=spec.lessons,
        would_do_differently=spec.would_do_differently,
        contacts=spec.contacts,
    )
    case_study = create_case_study(challenge=challenge, by=author, **values)
    publish_case_study(case_study=case_study, by=author)
    return True


def _tag_exchange_case_studies() -> None:
    staff = User.objects.filter(email="staff@programme.example.org").first()
    for case_study in CaseStudy.objects.filter(source=CaseSource.EXCHANGE, capability=""):
        update_case_study(case_study=case_study, by=staff, capability=EXCHANGE_CAPABILITY)


@transaction.atomic
def load_case_study_demo() -> int:
    """Write the demo case studies that do not exist yet; returns how many it wrote."""
    made = sum(_write(spec) for spec in CASE_STUDIES)
    _tag_exchange_case_studies()
    return made
