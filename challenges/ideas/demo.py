# ruff: noqa: E501 -- demo prose reads better unwrapped
"""Demo citizen ideas: a few residents, ideas in every status for the demo cities, supports, a duplicate
merged into the idea it repeats, and one idea already turned into a challenge draft. Everything goes
through the services, as residents and procurers would. Loading twice changes nothing (ideas are matched
by city and title). Needs portal.web.demo.load_demo first (the cities and their procurers)."""

from dataclasses import dataclass, field

from django.db import transaction

from challenges.models import Theme
from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User
from portal.web.demo import _user

from .enums import IdeaStatus
from .models import Idea
from .services import (
    convert_idea_to_challenge,
    merge_idea,
    publish_idea,
    reject_idea,
    submit_idea,
    support_idea,
    withdraw_idea,
)

# email, full name, language, the name shown with their ideas
RESIDENTS = [
    ("ingrid@residents.example.org", "Ingrid Solberg", "nb", "Ingrid"),
    ("ola@residents.example.org", "Ola Haugen", "nb", "Ola fra Lademoen"),
    ("aino@residents.example.org", "Aino Virtanen", "en", "Aino"),
    ("maarten@residents.example.org", "Maarten de Vries", "en", "Maarten"),
    ("sam@residents.example.org", "Sam Patel", "en", "Sam P."),
]


@dataclass
class DemoIdea:
    city: str
    author: str  # a resident's email
    language: str
    title: str
    problem: str
    affected: str
    location: str
    themes: list[str]
    # pending, published, rejected, merged (into `merge_into`, a title), converted (into a challenge) or
    # withdrawn (by its author, after publication)
    state: str
    supporters: list[str] = field(default_factory=list)
    reason: str = ""
    merge_into: str = ""


ICY = "Glatte fortau mellom bussholdeplassen og helsestasjonen"

IDEAS = [
    DemoIdea(
        city="Trondheim",
        author="ingrid@residents.example.org",
        language="nb",
        title=ICY,
        problem="Hver vinter er fortauene mellom bussholdeplassen og helsestasjonen på Lademoen glatte i ukevis. Eldre pasienter faller, eller blir hjemme og går glipp av timene sine.\n\nStrøing skjer, men ofte først etter at de fleste har gått til morgentimene.",
        affected="Eldre pasienter, foreldre med barnevogn, folk i rullestol og de ansatte på helsestasjonen.",
        location="Lademoen, fra bussholdeplassen til helsestasjonen",
        themes=["health-and-care", "road-safety"],
        state="converted",
        supporters=[
            "ola@residents.example.org",
            "aino@residents.example.org",
            "colleague@bergen.example.org",
        ],
    ),
    DemoIdea(
        city="Trondheim",
        author="ola@residents.example.org",
        language="nb",
        title="Isete fortau på Lademoen om morgenen",
        problem="Fortauene på Lademoen er så glatte om morgenen at mange eldre ikke tør å gå ut.",
        affected="Eldre beboere.",
        location="Lademoen",
        themes=["road-safety"],
        state="merged",
        merge_into=ICY,
        supporters=[],
    ),
    DemoIdea(
        city="Trondheim",
        author="ingrid@residents.example.org",
        language="nb",
        title="For lite lys på gangveien langs Nidelva",
        problem="Gangveien langs Nidelva er mørk store deler av vinteren. Mange velger å gå langs bilveien i stedet, eller lar være å gå.",
        affected="Skolebarn, pendlere og turgåere.",
        location="Gangveien langs Nidelva mellom Bakklandet og Elgeseter",
        themes=["mobility-and-transport", "safety-and-emergency"],
        state="pending",
    ),
    DemoIdea(
        city="Trondheim",
        author="ola@residents.example.org",
        language="nb",
        title="Vi trenger en app for å melde hull i veien",
        problem="Det tar lang tid før hull i veien blir reparert. Vi trenger en app der alle kan melde fra.",
        affected="Syklister og bilister.",
        location="",
        themes=["digital-services"],
        state="rejected",
        reason="Kommunen har allerede en tjeneste for å melde fra om hull i veien (Meld en feil på kommunens nettsider). Beskriv gjerne hva som ikke fungerer med den i en ny idé.",
    ),
    DemoIdea(
        city="Bergen",
        author="ola@residents.example.org",
        language="nb",
        title="Overfylte søppelkasser i sentrum etter helgene",
        problem="Søppelkassene rundt Bryggen og Torgallmenningen er fulle allerede lørdag kveld. Søppel blåser ut i gatene og havner i sjøen.",
        affected="Beboere, turister og fuglene i Vågen.",
        location="Bryggen og Torgallmenningen",
        themes=["circular-economy", "water-and-environment"],
        state="published",
        supporters=["ingrid@residents.example.org", "maarten@residents.example.org"],
    ),
    DemoIdea(
        city="Turku",
        author="aino@residents.example.org",
        language="en",
        title="Older residents do not hear about activities that suit them",
        problem="There are many clubs, walks and courses for older people in Turku, but the people who would enjoy them most rarely hear of them. Information is spread over many websites and notice boards.",
        affected="Older residents living alone, and the volunteers who run the activities.",
        location="The whole city, especially Varissuo and Runosmäki",
        themes=["ageing-and-loneliness"],
        state="published",
        supporters=[
            "sam@residents.example.org",
            "maarten@residents.example.org",
            "ingrid@residents.example.org",
        ],
    ),
    DemoIdea(
        city="Turku",
        author="aino@residents.example.org",
        language="en",
        title="Children walk to school along a road without a pavement",
        problem="On Ravattulantie children walk to school on the edge of the road, where cars pass at 50 km/h.",
        affected="Schoolchildren and their parents.",
        location="Ravattulantie",
        themes=["road-safety"],
        state="pending",
    ),
    DemoIdea(
        city="Rotterdam",
        author="maarten@residents.example.org",
        language="en",
        title="Delivery vans block cycle lanes in the morning",
        problem="Between 7 and 10 in the morning delivery vans park on the cycle lanes of the Witte de Withstraat. Cyclists swerve into traffic.",
        affected="Cyclists, shop owners waiting for deliveries, and the drivers themselves.",
        location="Witte de Withstraat and Nieuwe Binnenweg",
        themes=["mobility-and-transport", "road-safety"],
        state="published",
        supporters=["aino@residents.example.org"],
    ),
    DemoIdea(
        city="Birmingham",
        author="sam@residents.example.org",
        language="en",
        title="Flooded underpass on the way to the station",
        problem="After heavy rain the underpass under the ring road is flooded for a day or two, and people with wheelchairs or prams cannot reach the station.",
        affected="Wheelchair users, parents with prams, commuters.",
        location="The underpass between Digbeth and Moor Street station",
        themes=["water-and-environment", "mobility-and-transport"],
        state="pending",
    ),
    DemoIdea(
        city="Birmingham",
        author="sam@residents.example.org",
        language="en",
        title="Bus shelter timetables are out of date",
        problem="The printed timetables at the bus shelters on the Stratford Road still show last year's times, so people wait for buses that no longer run.",
        affected="Bus passengers without a smartphone.",
        location="Stratford Road",
        themes=["mobility-and-transport"],
        state="withdrawn",
    ),
]


def _procurer(city: str) -> User:
    return User.objects.get(email=f"procurer@{city.lower()}.example.org")


@transaction.atomic
def load_ideas_demo() -> int:
    """Create the demo ideas that do not exist yet. Returns how many it made."""
    residents = {
        email: (_user(email, full_name, language=language), display_name)
        for email, full_name, language, display_name in RESIDENTS
    }
    made = 0
    for spec in IDEAS:
        city = Organisation.objects.get(kind=OrganisationKind.BUYER, city=spec.city)
        if Idea.objects.filter(city=city, title=spec.title).exists():
            continue
        author, display_name = residents[spec.author]
        idea = submit_idea(
            author=author,
            city=city,
            title=spec.title,
            problem=spec.problem,
            affected=spec.affected,
            location=spec.location,
            display_name=display_name,
            themes=Theme.objects.filter(slug__in=spec.themes),
            language=spec.language,
        )
        made += 1
        moderator = _procurer(spec.city)
        if spec.state in {"published", "converted", "withdrawn"}:
            publish_idea(idea=idea, by=moderator)
        elif spec.state == "rejected":
            reject_idea(idea=idea, by=moderator, reason=spec.reason)
        elif spec.state == "merged":
            target = Idea.objects.get(city=city, title=spec.merge_into, status=IdeaStatus.PUBLISHED)
            merge_idea(idea=idea, into=target, by=moderator)
        for email in spec.supporters:
            supporter = residents[email][0] if email in residents else User.objects.get(email=email)
            support_idea(idea=idea, user=supporter)
        if spec.state == "converted":
            convert_idea_to_challenge(idea=idea, by=moderator)
        elif spec.state == "withdrawn":
            withdraw_idea(idea=idea, by=author)
    return made
