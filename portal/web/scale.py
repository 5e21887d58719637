"""The scale data set for the benchmark (bench/README.md): a large, realistic portal on PostgreSQL.

At scale 1: 60 buying organisations, 5,000 suppliers, 10,000 challenges (published, closed, under
evaluation, awarded, not awarded, cancelled), 100,000 submitted proposals with receipts (sealed for open
challenges, opened for closed ones), one challenge under evaluation with exactly 500 proposals and a panel
that has declared and scored, 300 exchange events with published agendas, 15,000 registrations and as many
pre-exchange survey responses, and 20,000 citizen ideas with supports.

Everything is written with bulk_create in large batches straight into the real models (no services: no
mails, notifications or audit entries for data nobody typed), then the challenges' search vectors are
built in one UPDATE and the tables are analysed. Text is drawn from word pools with a seeded random
generator, so full-text search has something to find and two builds are identical. It refuses to run on a
database that already holds organisations or challenges.

bench_targets() signs in the benchmark's users (server-side sessions, as a login would make them) and
names the URLs the load script requests.
"""

import hashlib
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

SEED = 20261204
BATCH = 5000
BUYER_STAFF = 8  # members per buying organisation (the first is its admin)
OUTCOMES_PER_CHALLENGE = 2
CRITERIA = [("Value for residents", 40), ("Feasibility and risk", 35), ("Price and running costs", 25)]
SESSIONS_PER_EVENT = 8
TAG_NAMES = [
    "computer vision", "route optimisation", "digital twin", "sensor networks", "machine learning",
    "citizen engagement", "accessibility", "circular materials", "energy management", "telecare",
    "open data", "geospatial analysis", "mobile apps", "chatbots", "predictive maintenance", "e-learning",
    "water monitoring", "waste logistics", "building retrofit", "heat pumps", "micromobility",
    "booking systems", "indoor climate", "noise monitoring", "air quality", "food logistics",
    "cybersecurity", "identity", "payments", "remote monitoring",
]  # fmt: skip


class ScaleDataError(Exception):
    pass


@dataclass(frozen=True)
class Sizes:
    buyers: int
    suppliers: int
    challenges: int
    proposals: int
    bench_bids: int
    events: int
    registrations: int
    ideas: int
    citizens: int

    @classmethod
    def for_scale(cls, scale: float) -> "Sizes":
        def n(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))

        suppliers = n(5000, 3)
        challenges = n(10_000, 6)
        bench_bids = min(suppliers, n(500, 2))
        events = n(300, 2)
        per_event = min(50, n(15_000, 2) // events or 1)
        return cls(
            buyers=n(60, 2),
            suppliers=suppliers,
            challenges=challenges,
            proposals=max(n(100_000, 6), bench_bids + challenges - 1),
            bench_bids=bench_bids,
            events=events,
            registrations=per_event * events,
            ideas=n(20_000, 4),
            citizens=n(2000, 2),
        )


# --- Text -------------------------------------------------------------------------------------------------

PLACES = [
    "the harbour district", "the old town", "suburban estates", "rural villages", "the university quarter",
    "the industrial park", "the city centre", "coastal neighbourhoods", "the northern districts",
    "new housing areas", "the river banks", "school campuses", "the central station", "the market square",
]  # fmt: skip
PEOPLE = [
    "older residents living alone", "parents of small children", "cyclists", "wheelchair users",
    "home care nurses", "school pupils", "bus drivers", "shop owners", "newcomers to the city",
    "people with dementia", "teachers", "tenants in social housing", "commuters", "caretakers",
    "emergency responders", "library visitors", "farmers", "tourists", "young job seekers",
]  # fmt: skip
PROBLEMS = [
    "loneliness", "traffic congestion", "flooding after heavy rain", "slippery pavements in winter",
    "food waste in school kitchens", "high heating costs", "poor indoor air", "noise at night",
    "missed medication", "long waiting times", "unsafe crossings", "empty buses", "littering",
    "falls at home", "energy losses in old buildings", "lost property", "overflowing bins",
    "construction waste", "drinking water leaks", "heat stress in summer", "scarce parking",
    "digital exclusion", "paperwork for permits", "vandalism", "invasive plants", "algae blooms",
]  # fmt: skip
CAUSES = [
    "the information arrives too late", "nobody owns the problem across departments",
    "the data sits in separate systems", "staff spend their time on manual checks",
    "the service is hard to reach by phone", "the buildings are more than fifty years old",
    "demand peaks are hard to predict", "the current contracts reward volume, not results",
    "the routes were planned decades ago", "residents do not know the service exists",
]  # fmt: skip
OUTCOME_TEXT = [
    ("fewer {problem} incidents reported", "reported incidents per month", "120", "60"),
    ("{people} feel safer", "share of {people} who feel safe (survey)", "55 %", "75 %"),
    ("lower energy use", "kWh per square metre and year", "210", "150"),
    ("shorter response times", "median minutes from report to action", "95", "30"),
    ("less waste sent to incineration", "tonnes per year", "800", "500"),
    ("more residents use the service", "monthly active users", "1 200", "5 000"),
]  # fmt: skip
NB_WORDS = [
    "eldre", "skolene", "kommunen", "beboere", "trafikk", "overvann", "energibruk", "hjemmetjenesten",
    "sykkelveier", "avfall", "matsvinn", "innbyggere", "ensomhet", "universell utforming", "luftkvalitet",
]  # fmt: skip
FIRST_NAMES = [
    "Aino", "Mart", "Sanne", "Ingrid", "Oliver", "Liisa", "Jonas", "Emma", "Pieter", "Kari", "Mikko",
    "Triin", "Noah", "Sofia", "Lars", "Eva", "Joris", "Hanna", "Amir", "Fatima", "Leon", "Maja",
]  # fmt: skip
LAST_NAMES = [
    "Virtanen", "Tamm", "de Vries", "Hansen", "Smith", "Korhonen", "Saar", "Jansen", "Olsen", "Brown",
    "Nieminen", "Kask", "Bakker", "Larsen", "Taylor", "Mäkinen", "Mets", "Visser", "Berg", "Khan",
]  # fmt: skip
COUNTRIES = [
    ("FI", "Europe/Helsinki", ["Turku", "Tampere", "Oulu", "Espoo", "Vantaa", "Lahti", "Kuopio", "Pori"]),
    ("EE", "Europe/Tallinn", ["Tartu", "Tallinn", "Pärnu", "Narva", "Viljandi", "Rakvere"]),
    ("NL", "Europe/Amsterdam", ["Rotterdam", "Utrecht", "Eindhoven", "Groningen", "Leiden", "Delft"]),
    ("NO", "Europe/Oslo", ["Trondheim", "Bergen", "Stavanger", "Bodø", "Tromsø", "Drammen", "Asker"]),
    ("GB", "Europe/London", ["Birmingham", "Leeds", "Bristol", "Sheffield", "Glasgow", "Cardiff"]),
    ("SE", "Europe/Stockholm", ["Malmö", "Umeå", "Uppsala", "Lund", "Göteborg", "Västerås"]),
]  # fmt: skip
COMPANY_WORDS = [
    "Nordic", "Baltic", "Green", "Urban", "Smart", "Bright", "Harbour", "North", "Open", "Clear", "Blue",
    "Civic", "Fjord", "River", "Polder", "Aurora", "Lumen", "Vita", "Terra", "Mosaic", "Pulse", "Atlas",
]  # fmt: skip
COMPANY_KINDS = [
    "Analytics", "Robotics", "Care Tech", "Mobility", "Energy", "Water", "Sensors", "Software", "Labs",
    "Circular", "Health", "Logistics", "Data", "Design", "Systems", "Solutions", "Studio", "Works",
]  # fmt: skip
LEGAL = {"FI": "Oy", "EE": "OÜ", "NL": "B.V.", "NO": "AS", "GB": "Ltd", "SE": "AB"}


class Text:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, items):
        return self.rng.choice(items)

    def need(self) -> tuple[str, str, str]:
        problem, people, place = self.pick(PROBLEMS), self.pick(PEOPLE), self.pick(PLACES)
        return problem, people, place

    def title(self, problem: str, people: str, place: str) -> str:
        forms = [
            f"Less {problem} for {people} in {place}",
            f"How can we reduce {problem} in {place}?",
            f"Helping {people} cope with {problem}",
            f"Tackling {problem} in {place}",
        ]
        return self.pick(forms)[:200]

    def paragraph(self, problem: str, people: str, place: str, sentences: int = 3) -> str:
        parts = [
            f"In {place}, {people} face {problem}.",
            f"Today {self.pick(CAUSES)}, so {self.pick(PEOPLE)} are affected too.",
            f"We see {self.pick(PROBLEMS)} alongside {problem}, especially in {self.pick(PLACES)}.",
            f"Last year the city recorded {self.rng.randint(40, 900)} complaints about {problem}.",
            f"Because {self.pick(CAUSES)}, the current service does not reach {people}.",
        ]
        self.rng.shuffle(parts)
        return " ".join(parts[:sentences])

    def person(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"


# --- The builder ------------------------------------------------------------------------------------------


@dataclass
class BuildReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _bulk(model, rows: list, report: BuildReport, label: str | None = None) -> list:
    created = []
    for start in range(0, len(rows), BATCH):
        created.extend(model.objects.bulk_create(rows[start : start + BATCH]))
    key = label or model._meta.label
    report.counts[key] = report.counts.get(key, 0) + len(rows)
    return created


def database_is_empty() -> bool:
    from challenges.models import Challenge
    from portal.accounts.models import Organisation

    return not Organisation.objects.exists() and not Challenge.objects.exists()


def build_scale_data(*, scale: float = 1.0, log=print) -> BuildReport:
    """Build the data set at `scale` (1 = the full size). Raises ScaleDataError on a non-empty database or
    on anything but PostgreSQL."""
    if connection.vendor != "postgresql":
        raise ScaleDataError("The scale data set is for PostgreSQL (its search and its plans are the point).")
    if scale <= 0 or scale > 1:
        raise ScaleDataError("The scale must be more than 0 and at most 1.")
    if not database_is_empty():
        raise ScaleDataError(
            "The database already holds organisations or challenges: build the scale data set into an "
            "empty, migrated database (drop and re-create it to build again)."
        )
    builder = _Builder(Sizes.for_scale(scale), log=log)
    builder.run()
    return builder.report


class _Builder:
    def __init__(self, sizes: Sizes, *, log):
        self.sizes = sizes
        self.log = log
        self.rng = random.Random(SEED)
        self.text = Text(self.rng)
        self.now = timezone.now().replace(microsecond=0)
        self.report = BuildReport()
        self.password = make_password("scale-data-not-for-login-2026")

    def step(self, name: str, function) -> None:
        started = time.monotonic()
        with transaction.atomic():
            function()
        elapsed = time.monotonic() - started
        self.report.seconds[name] = elapsed
        self.log(f"  {name}: {elapsed:.1f} s")

    def run(self) -> None:
        self.step("organisations and people", self.organisations)
        self.step("supplier profiles", self.profiles)
        self.step("challenges", self.challenges)
        self.step("proposals and receipts", self.proposals)
        self.step("awards", self.awards)
        self.step("evaluation panel (500 proposals)", self.panel)
        self.step("exchanges, agendas, registrations, surveys", self.exchanges)
        self.step("citizen ideas", self.ideas)
        self.step("dashboard figures", self.dashboard)
        self.step("search vectors", self.search_vectors)
        started = time.monotonic()
        # Outside any transaction: the search vectors' UPDATE left a dead copy of every challenge behind.
        with connection.cursor() as cursor:
            # VACUUM cannot run in a transaction (a test's): ANALYZE alone then.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.report.seconds["vacuum analyze"] = time.monotonic() - started
        self.log(f"  vacuum analyze: {self.report.seconds['vacuum analyze']:.1f} s")

    # People and organisations

    def _user(self, email: str, name: str, **extra):
        from portal.accounts.models import User

        return User(email=email, full_name=name, password=self.password, **extra)

    def organisations(self) -> None:
        from allauth.account.models import EmailAddress

        from portal.accounts.enums import MembershipRole, OrganisationKind, SMESize
        from portal.accounts.models import Membership, Organisation, User

        rng, sizes = self.rng, self.sizes
        buyers = []
        for index in range(sizes.buyers):
            country, _zone, cities = COUNTRIES[index % len(COUNTRIES)]
            city = cities[(index // len(COUNTRIES)) % len(cities)]
            suffix = f" {index // (len(COUNTRIES) * len(cities)) + 1}" if index >= 36 else ""
            name = f"City of {city}{suffix}"
            buyers.append(
                Organisation(
                    name=name,
                    slug=f"scale-buyer-{index + 1}",
                    kind=OrganisationKind.BUYER,
                    country=country,
                    city=city,
                    region=f"{city} region",
                    identifier=f"B{index + 1:05d}",
                )
            )
        self.buyers = _bulk(Organisation, buyers, self.report)
        self.zones = {buyer.pk: COUNTRIES[i % len(COUNTRIES)][1] for i, buyer in enumerate(self.buyers)}
        sme_sizes = [SMESize.MICRO, SMESize.SMALL, SMESize.SMALL, SMESize.MEDIUM, SMESize.LARGE]
        suppliers = []
        for index in range(sizes.suppliers):
            country, _zone, cities = rng.choice(COUNTRIES)
            name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {index + 1} {LEGAL[country]}"
            suppliers.append(
                Organisation(
                    name=name,
                    slug=f"scale-supplier-{index + 1}",
                    kind=OrganisationKind.SUPPLIER,
                    sme_size=rng.choice(sme_sizes),
                    country=country,
                    city=rng.choice(cities),
                    identifier=f"S{index + 1:06d}",
                    website=f"https://supplier-{index + 1}.example.com",
                )
            )
        self.suppliers = _bulk(Organisation, suppliers, self.report)
        (self.programme_org,) = _bulk(
            Organisation,
            [
                Organisation(
                    name="Scale exchange programme",
                    slug="scale-programme",
                    kind=OrganisationKind.PROGRAMME,
                    country="NL",
                    city="Rotterdam",
                )
            ],
            self.report,
        )

        users = []
        for index in range(len(self.buyers)):
            for member in range(BUYER_STAFF):
                users.append(
                    self._user(f"staff{member + 1}@buyer{index + 1}.scale.example.org", self.text.person())
                )
        for index in range(sizes.citizens):
            users.append(self._user(f"resident{index + 1}@scale.example.org", self.text.person()))
        users.append(self._user("staff@scale.example.org", "Scale Programme Staff", is_programme_staff=True))
        users.append(self._user("founder@supplier1.scale.example.org", "Founder of supplier 1"))
        created = _bulk(User, users, self.report)
        self.buyer_staff = {
            buyer.pk: created[i * BUYER_STAFF : (i + 1) * BUYER_STAFF] for i, buyer in enumerate(self.buyers)
        }
        offset = len(self.buyers) * BUYER_STAFF
        self.citizens = created[offset : offset + sizes.citizens]
        self.staff_user = created[-2]
        self.supplier_user = created[-1]
        memberships = [
            Membership(
                user=user,
                organisation_id=buyer_id,
                role=MembershipRole.ADMIN if position == 0 else MembershipRole.MEMBER,
            )
            for buyer_id, members in self.buyer_staff.items()
            for position, user in enumerate(members)
        ]
        memberships.append(
            Membership(user=self.staff_user, organisation=self.programme_org, role=MembershipRole.ADMIN)
        )
        memberships.append(
            Membership(user=self.supplier_user, organisation=self.suppliers[0], role=MembershipRole.ADMIN)
        )
        _bulk(Membership, memberships, self.report)
        _bulk(
            EmailAddress,
            [EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in created],
            self.report,
        )
        # Programme staff must have an authenticator (RequireStaffMFAMiddleware); a random secret nobody
        # knows: the benchmark signs in with a server-side session, not a code.
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(self.staff_user, generate_totp_secret())

    def profiles(self) -> None:
        from challenges.models import CPVCode
        from suppliers.models import CapabilityTag, SupplierProfile, SupplierReference

        rng = self.rng
        tags = _bulk(
            CapabilityTag,
            [CapabilityTag(name=name, slug=name.replace(" ", "-")) for name in TAG_NAMES],
            self.report,
        )
        self.cpv_codes = list(
            CPVCode.objects.filter(code__regex=r"^(48|72|90|85|45|34|31|50)").values_list("pk", flat=True)
        )
        profiles = []
        for organisation in self.suppliers:
            problem, people, place = self.text.need()
            profiles.append(
                SupplierProfile(
                    organisation=organisation,
                    description=(
                        f"We help cities with {problem} and {rng.choice(PROBLEMS)}. "
                        f"Our team has worked with {people} in {place} since {rng.randint(1995, 2024)}."
                    ),
                    capabilities=", ".join(rng.sample(TAG_NAMES, 3)),
                    countries_served=[organisation.country, rng.choice(COUNTRIES)[0]],
                    regions_served="Northern Europe",
                    has_public_sector_sales=rng.random() < 0.6,
                    is_listed=rng.random() < 0.85,
                )
            )
        profiles = _bulk(SupplierProfile, profiles, self.report)
        tag_through = SupplierProfile.capability_tags.through
        _bulk(
            tag_through,
            [
                tag_through(supplierprofile_id=profile.pk, capabilitytag_id=tag.pk)
                for profile in profiles
                for tag in rng.sample(tags, 3)
            ],
            self.report,
            "suppliers.SupplierProfile_capability_tags",
        )
        if self.cpv_codes:
            cpv_through = SupplierProfile.cpv_codes.through
            _bulk(
                cpv_through,
                [
                    cpv_through(supplierprofile_id=profile.pk, cpvcode_id=code)
                    for profile in profiles
                    for code in rng.sample(self.cpv_codes, 2)
                ],
                self.report,
                "suppliers.SupplierProfile_cpv_codes",
            )
        _bulk(
            SupplierReference,
            [
                SupplierReference(
                    profile=profile,
                    title=f"{rng.choice(TAG_NAMES).capitalize()} pilot",
                    client=f"City of {rng.choice(rng.choice(COUNTRIES)[2])}",
                    is_public_sector=True,
                    year=rng.randint(2015, 2025),
                    description="A twelve-month pilot with measured results.",
                )
                for profile in profiles[::2]
            ],
            self.report,
        )

    # Challenges

    def challenges(self) -> None:
        from challenges.enums import ChallengeStatus, ProcurementRoute
        from challenges.models import Challenge, Criterion, Outcome, Theme

        rng, sizes, now = self.rng, self.sizes, self.now
        themes = list(Theme.objects.values_list("pk", flat=True))
        routes = [value for value, _label in ProcurementRoute.choices]
        # The bench challenge first: under evaluation, its deadline past, 500 proposals and a panel.
        plan = [ChallengeStatus.UNDER_EVALUATION]
        weights = [
            (ChallengeStatus.PUBLISHED, 30),
            (ChallengeStatus.CLOSED, 12),
            (ChallengeStatus.UNDER_EVALUATION, 10),
            (ChallengeStatus.AWARDED, 35),
            (ChallengeStatus.NOT_AWARDED, 8),
            (ChallengeStatus.CANCELLED, 5),
        ]
        statuses, cumulative = zip(*weights, strict=True)
        plan += rng.choices(statuses, weights=cumulative, k=sizes.challenges - 1)
        rows = []
        for index, status in enumerate(plan):
            owner = self.buyers[0] if index == 0 else rng.choice(self.buyers)
            problem, people, place = self.text.need()
            if status == ChallengeStatus.PUBLISHED:
                published = now - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
                deadline = now + timedelta(days=rng.randint(3, 90), hours=rng.randint(0, 23))
            else:
                published = now - timedelta(days=rng.randint(60, 1100), hours=rng.randint(0, 23))
                deadline = published + timedelta(days=rng.randint(30, 50))
                if index == 0:
                    published, deadline = now - timedelta(days=50), now - timedelta(days=10)
            budget_max = Decimal(rng.choice([40_000, 150_000, 250_000, 600_000, 1_500_000]))
            language = "nb" if owner.country == "NO" and rng.random() < 0.7 else "en"
            summary = f"{people.capitalize()} in {place} need help with {problem}."
            if language == "nb":
                summary += " " + " ".join(rng.sample(NB_WORDS, 4))
            rows.append(
                Challenge(
                    owner=owner,
                    created_by=self.buyer_staff[owner.pk][0],
                    status=status,
                    language=language,
                    title=(
                        f"Bench: {self.text.title(problem, people, place)}"
                        if index == 0
                        else self.text.title(problem, people, place)
                    )[:200],
                    summary=summary[:500],
                    current_situation=self.text.paragraph(problem, people, place),
                    affected=f"{people.capitalize()} and {rng.choice(PEOPLE)}.",
                    why_now=self.text.paragraph(problem, people, place, sentences=2),
                    constraints="GDPR, WCAG 2.1 AA, open interfaces.",
                    budget_min=budget_max / 4,
                    budget_max=budget_max,
                    questions_deadline=deadline - timedelta(days=7),
                    submission_deadline=deadline,
                    deadline_timezone=self.zones[owner.pk],
                    route=rng.choice(routes),
                    contact_name=self.text.person(),
                    contact_email=f"procurement@{owner.slug}.example.org",
                    is_innovative=rng.random() < 0.8,
                    published_at=published,
                    closed_at=None if status == ChallengeStatus.PUBLISHED else deadline,
                    cancelled_at=deadline + timedelta(days=3)
                    if status == ChallengeStatus.CANCELLED
                    else None,
                    submitted_for_review_at=published - timedelta(days=2),
                )
            )
        self.challenge_rows = _bulk(Challenge, rows, self.report)
        self.bench_challenge = self.challenge_rows[0]
        outcomes, criteria, theme_links = [], [], []
        through = Challenge.themes.through
        cpv_through = Challenge.cpv_codes.through
        cpv_links = []
        for challenge in self.challenge_rows:
            for position, (description, indicator, baseline, target) in enumerate(
                rng.sample(OUTCOME_TEXT, OUTCOMES_PER_CHALLENGE)
            ):
                problem, people = rng.choice(PROBLEMS), rng.choice(PEOPLE)
                outcomes.append(
                    Outcome(
                        challenge=challenge,
                        position=position,
                        description=description.format(problem=problem, people=people),
                        indicator=indicator.format(problem=problem, people=people),
                        baseline=baseline,
                        target=target,
                    )
                )
            for position, (name, weight) in enumerate(CRITERIA):
                criteria.append(Criterion(challenge=challenge, position=position, name=name, weight=weight))
            theme_links.append(through(challenge_id=challenge.pk, theme_id=rng.choice(themes)))
            if self.cpv_codes:
                cpv_links.append(
                    cpv_through(challenge_id=challenge.pk, cpvcode_id=rng.choice(self.cpv_codes))
                )
        self.outcomes = _bulk(Outcome, outcomes, self.report)
        criteria = _bulk(Criterion, criteria, self.report)
        self.criteria = {}
        for criterion in criteria:
            self.criteria.setdefault(criterion.challenge_id, []).append(criterion)
        _bulk(through, theme_links, self.report, "challenges.Challenge_themes")
        _bulk(cpv_through, cpv_links, self.report, "challenges.Challenge_cpv_codes")

    def proposals(self) -> None:
        from suppliers.enums import ProposalStatus
        from suppliers.models import Proposal, Receipt

        rng, sizes = self.rng, self.sizes
        others = self.challenge_rows[1:]
        remaining = sizes.proposals - sizes.bench_bids
        base, extra = divmod(remaining, len(others)) if others else (0, 0)
        per_challenge = [(self.bench_challenge, sizes.bench_bids)] + [
            (challenge, min(sizes.suppliers, base + (1 if i < extra else 0)))
            for i, challenge in enumerate(others)
        ]
        rows = []
        for challenge, count in per_challenge:
            deadline = challenge.submission_deadline
            for supplier in rng.sample(self.suppliers, count):
                problem, people, place = self.text.need()
                submitted = min(deadline, self.now) - timedelta(
                    days=rng.randint(0, 20), minutes=rng.randint(1, 900)
                )
                rows.append(
                    Proposal(
                        challenge=challenge,
                        supplier=supplier,
                        status=ProposalStatus.SUBMITTED,
                        title=f"{rng.choice(COMPANY_WORDS)} {rng.choice(TAG_NAMES)} for {problem}"[:200],
                        summary=f"We reduce {problem} for {people} in {place}.",
                        approach=self.text.paragraph(problem, people, place, sentences=2),
                        team="A project lead, two developers and a service designer.",
                        timeline="Discovery in month 1, pilot in months 2 to 6, evaluation in month 7.",
                        price=Decimal(rng.randint(20, 900) * 1000),
                        currency=challenge.currency,
                        revision=1,
                        submitted_at=submitted,
                        had_public_sector_sales=rng.random() < 0.6,
                    )
                )
        self.proposal_rows = _bulk(Proposal, rows, self.report)
        receipts = []
        for proposal in self.proposal_rows:
            digest = hashlib.sha256(f"{proposal.pk}:{proposal.title}".encode()).hexdigest()
            receipts.append(
                Receipt(
                    proposal=proposal,
                    number=1,
                    submitted_at=proposal.submitted_at,
                    digest=digest,
                    manifest={"lead": proposal.supplier_id, "partners": [], "documents": []},
                )
            )
        _bulk(Receipt, receipts, self.report)
        self.proposals_by_challenge: dict[int, list] = {}
        for proposal in self.proposal_rows:
            self.proposals_by_challenge.setdefault(proposal.challenge_id, []).append(proposal)

    def awards(self) -> None:
        from challenges.enums import ChallengeStatus
        from challenges.evaluation.enums import AwardDecision, AwardStatus
        from challenges.evaluation.models import Award, AwardedProposal

        rng = self.rng
        decided = [
            c
            for c in self.challenge_rows
            if c.status in (ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED)
        ]
        awards = []
        for challenge in decided:
            decided_at = challenge.submission_deadline + timedelta(days=rng.randint(20, 60))
            decided_at = min(decided_at, self.now - timedelta(days=11))
            is_award = challenge.status == ChallengeStatus.AWARDED
            awards.append(
                Award(
                    challenge=challenge,
                    decision=AwardDecision.AWARD if is_award else AwardDecision.NO_AWARD,
                    rationale="The panel's consensus scores and the published weights decided the ranking.",
                    public_summary="Awarded after evaluation against the published criteria."
                    if is_award
                    else "No proposal met the minimum quality; the need will be re-published.",
                    status=AwardStatus.FINAL,
                    decided_by=self.buyer_staff[challenge.owner_id][0],
                    decided_at=decided_at,
                    standstill_ends_at=decided_at + timedelta(days=10),
                    final_at=decided_at + timedelta(days=10),
                )
            )
        awards = _bulk(Award, awards, self.report)
        awarded = []
        for award, challenge in zip(awards, decided, strict=True):
            bids = self.proposals_by_challenge.get(challenge.pk)
            if challenge.status == ChallengeStatus.AWARDED and bids:
                winner = rng.choice(bids)
                awarded.append(AwardedProposal(award=award, proposal=winner, value=winner.price))
        _bulk(AwardedProposal, awarded, self.report)

    def panel(self) -> None:
        from challenges.evaluation.models import ConflictDeclaration, Evaluator, Panel, Score, ScoreSheet

        rng, challenge = self.rng, self.bench_challenge
        staff = self.buyer_staff[challenge.owner_id]
        _bulk(
            Panel, [Panel(challenge=challenge, scoring_deadline=self.now + timedelta(days=14))], self.report
        )
        # The chair is a member, not an admin, of the buyer: it reads the bids as an evaluator.
        evaluators = _bulk(
            Evaluator,
            [
                Evaluator(
                    challenge=challenge,
                    user=user,
                    is_chair=position == 0,
                    appointed_by=staff[0],
                    accepted_at=self.now - timedelta(days=9),
                )
                for position, user in enumerate(staff[1:4])
            ],
            self.report,
        )
        self.chair_user = staff[1]
        bids = self.proposals_by_challenge[challenge.pk]
        declarations = [
            ConflictDeclaration(
                evaluator=evaluator,
                organisation_id=bid.supplier_id,
                has_conflict=position > 0 and index % 97 == 0,
                reason="A former employer." if position > 0 and index % 97 == 0 else "",
            )
            for position, evaluator in enumerate(evaluators)
            for index, bid in enumerate(bids)
        ]
        _bulk(ConflictDeclaration, declarations, self.report)
        criteria = self.criteria[challenge.pk]
        sheets = []
        for position, evaluator in enumerate(evaluators):
            share = (0.3, 0.7, 0.5)[position]
            for index, bid in enumerate(bids):
                if position > 0 and index % 97 == 0:
                    continue  # declared a conflict
                if rng.random() < share:
                    sheets.append(
                        ScoreSheet(
                            evaluator=evaluator,
                            proposal=bid,
                            submitted_at=self.now - timedelta(days=rng.randint(1, 5))
                            if rng.random() < 0.8
                            else None,
                        )
                    )
        sheets = _bulk(ScoreSheet, sheets, self.report)
        _bulk(
            Score,
            [
                Score(
                    sheet=sheet,
                    criterion=criterion,
                    value=rng.randint(0, 5),
                    justification=f"{rng.choice(['Convincing', 'Partly convincing', 'Weak'])} evidence on "
                    f"{criterion.name.lower()}.",
                )
                for sheet in sheets
                for criterion in criteria
            ],
            self.report,
        )

    # Exchanges

    def exchanges(self) -> None:
        from exchanges.enums import EventStatus, ExchangeRole, RegistrationStatus, SessionKind
        from exchanges.models import AgendaSession, ExchangeEvent, ExchangeProgramme, Registration
        from exchanges.surveys.enums import QuestionKind, SurveyKind, SurveyStatus
        from exchanges.surveys.models import Answer, Choice, Completion, Question, Response, Survey

        rng, sizes, now = self.rng, self.sizes, self.now
        programmes = _bulk(
            ExchangeProgramme,
            [
                ExchangeProgramme(
                    name=f"Scale exchanges {year}",
                    slug=f"scale-exchanges-{year}",
                    description="Staff exchanges between cities that buy innovation.",
                    organiser=self.programme_org,
                )
                for year in (2024, 2025, 2026, 2027)
            ],
            self.report,
        )
        surveys = _bulk(
            Survey,
            [
                Survey(
                    title=f"Before exchange {index + 1}",
                    intro="Tell the host what you want to learn.",
                    kind=SurveyKind.PRE_EXCHANGE,
                    status=SurveyStatus.CLOSED,
                    created_by=self.staff_user,
                )
                for index in range(sizes.events)
            ],
            self.report,
        )
        questions = []
        for survey in surveys:
            questions += [
                Question(
                    survey=survey, position=position, key=key, kind=kind, text=text, required=position == 0
                )
                for position, (key, kind, text) in enumerate(
                    [
                        ("topic", QuestionKind.SINGLE, "Which topic matters most to you?"),
                        ("formats", QuestionKind.MULTIPLE, "Which formats do you like?"),
                        (
                            "experience",
                            QuestionKind.SCALE,
                            "How experienced are you with innovation procurement?",
                        ),
                        ("hopes", QuestionKind.TEXT, "What do you hope to take home?"),
                    ]
                )
            ]
        questions = _bulk(Question, questions, self.report)
        topics = ["market-dialogue", "needs", "evaluation", "contracts"]
        formats = ["real-case", "site-visit", "discussion"]
        choices = []
        for question in questions:
            values = topics if question.key == "topic" else formats if question.key == "formats" else []
            choices += [
                Choice(question=question, position=i, value=value, label=value.replace("-", " ").capitalize())
                for i, value in enumerate(values)
            ]
        _bulk(Choice, choices, self.report)
        events = []
        buyers = self.buyers
        for index in range(sizes.events):
            host = buyers[index % len(buyers)]
            past = index < sizes.events * 0.6
            start = now + timedelta(days=(-20 - 7 * index) if past else (10 + 5 * index))
            start = start.replace(hour=8, minute=0, second=0)
            events.append(
                ExchangeEvent(
                    programme=programmes[min(3, index * 4 // sizes.events)],
                    title=f"Exchange {index + 1}: {host.city} on {rng.choice(PROBLEMS)}",
                    host=host,
                    city=host.city,
                    timezone=self.zones[host.pk],
                    starts_at=start,
                    ends_at=start + timedelta(days=1, hours=6),
                    venue="City hall",
                    address=f"Main square {index + 1}, {host.city}",
                    capacity=60,
                    target_groups=["procurement_staff"],
                    description=self.text.paragraph(*self.text.need()),
                    registration_opens_at=start - timedelta(days=60),
                    registration_closes_at=start - timedelta(days=5),
                    status=EventStatus.COMPLETED if past else EventStatus.REGISTRATION_OPEN,
                    pre_survey=surveys[index],
                    agenda_published_at=start - timedelta(days=15),
                    created_by=self.staff_user,
                )
            )
        events = _bulk(ExchangeEvent, events, self.report)
        self.events = events
        kinds = [
            SessionKind.PRESENTATION, SessionKind.DISCUSSION, SessionKind.REAL_CASE, SessionKind.FREE_TIME,
            SessionKind.SITE_VISIT, SessionKind.PRESENTATION, SessionKind.DISCUSSION, SessionKind.TRAVEL,
        ]  # fmt: skip
        sessions = []
        for event in events:
            for position in range(SESSIONS_PER_EVENT):
                day, slot = divmod(position, 5)
                starts = event.starts_at + timedelta(days=day, minutes=75 * slot)
                problem, people, place = self.text.need()
                sessions.append(
                    AgendaSession(
                        event=event,
                        kind=kinds[position % len(kinds)],
                        title=f"{problem.capitalize()}: what {people} told us",
                        description=self.text.paragraph(problem, people, place, sentences=2),
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=60),
                        place="Room " + str(position + 1),
                        speaker_names=self.text.person(),
                        published=True,
                    )
                )
        sessions = _bulk(AgendaSession, sessions, self.report)
        challenge_through = AgendaSession.challenges.through
        _bulk(
            challenge_through,
            [
                challenge_through(
                    agendasession_id=session.pk, challenge_id=rng.choice(self.challenge_rows).pk
                )
                for session in sessions[::4]
            ],
            self.report,
            "exchanges.AgendaSession_challenges",
        )
        # Registrations: buyer staff from every city, several events each.
        people = [(user, buyer_id) for buyer_id, members in self.buyer_staff.items() for user in members]
        per_event = sizes.registrations // max(1, sizes.events)
        registrations = []
        for event in events:
            for user, buyer_id in rng.sample(people, min(per_event, len(people))):
                registrations.append(
                    Registration(
                        event=event,
                        user=user,
                        organisation_id=buyer_id,
                        role=rng.choice([ExchangeRole.PARTICIPANT] * 6 + [ExchangeRole.PRESENTER]),
                        dietary=rng.choice(["", "", "vegetarian", "no nuts"]),
                        consent_to_list=rng.random() < 0.7,
                        status=RegistrationStatus.CONFIRMED,
                    )
                )
        registrations = _bulk(Registration, registrations, self.report)
        # One submitted pre-exchange response per registration.
        questions_by_survey: dict[int, list] = {}
        for question in questions:
            questions_by_survey.setdefault(question.survey_id, []).append(question)
        survey_of_event = {event.pk: event.pre_survey_id for event in events}
        responses, completions, answers = [], [], []
        for registration in registrations:
            survey_id = survey_of_event[registration.event_id]
            submitted = now - timedelta(days=rng.randint(1, 400))
            response = Response(
                survey_id=survey_id, respondent_id=registration.user_id, submitted_at=submitted
            )
            responses.append(response)
            completions.append(
                Completion(survey_id=survey_id, user_id=registration.user_id, completed_at=submitted)
            )
            for question in questions_by_survey[survey_id]:
                value = {
                    "topic": rng.choice(topics),
                    "formats": rng.sample(formats, rng.randint(1, 3)),
                    "experience": rng.randint(1, 5),
                    "hopes": f"How other cities handle {rng.choice(PROBLEMS)}.",
                }[question.key]
                answers.append(Answer(response=response, question=question, value=value))
        _bulk(Response, responses, self.report)
        _bulk(Completion, completions, self.report)
        _bulk(Answer, answers, self.report)

    # Ideas

    def ideas(self) -> None:
        from challenges.ideas.enums import IdeaStatus
        from challenges.ideas.models import Idea, IdeaSupport
        from challenges.models import Theme

        rng, sizes, now = self.rng, self.sizes, self.now
        themes = list(Theme.objects.values_list("pk", flat=True))
        statuses = rng.choices(
            [IdeaStatus.PUBLISHED, IdeaStatus.PENDING, IdeaStatus.REJECTED, IdeaStatus.WITHDRAWN],
            weights=[75, 12, 8, 5],
            k=sizes.ideas,
        )
        rows = []
        for index, status in enumerate(statuses):
            city = self.buyers[index % len(self.buyers)]
            author = self.citizens[index % len(self.citizens)]
            problem, people, place = self.text.need()
            created = now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1440))
            moderated = status in (IdeaStatus.PUBLISHED, IdeaStatus.REJECTED)
            rows.append(
                Idea(
                    city=city,
                    author=author,
                    display_name=author.full_name.split()[0],
                    title=self.text.title(problem, people, place)[:150],
                    problem=self.text.paragraph(problem, people, place),
                    affected=f"{people.capitalize()}.",
                    location=place,
                    language="nb" if city.country == "NO" and rng.random() < 0.5 else "en",
                    status=status,
                    rejection_reason="It names a private person." if status == IdeaStatus.REJECTED else "",
                    moderated_by=self.buyer_staff[city.pk][0] if moderated else None,
                    moderated_at=created + timedelta(days=2) if moderated else None,
                    published_at=created + timedelta(days=2) if status == IdeaStatus.PUBLISHED else None,
                )
            )
        ideas = _bulk(Idea, rows, self.report)
        through = Idea.themes.through
        _bulk(
            through,
            [through(idea_id=idea.pk, theme_id=rng.choice(themes)) for idea in ideas],
            self.report,
            "ideas.Idea_themes",
        )
        supports = []
        for idea in ideas:
            if idea.status != IdeaStatus.PUBLISHED:
                continue
            for user in rng.sample(self.citizens, min(len(self.citizens), rng.choice([0, 0, 1, 2, 3, 5, 8]))):
                if user.pk != idea.author_id:
                    supports.append(IdeaSupport(idea=idea, user=user))
        _bulk(IdeaSupport, supports, self.report)

    # Dashboard

    def dashboard(self) -> None:
        from challenges.casestudies.enums import Capability
        from portal.insight.models import CapabilityAssessment, ProcurementVolume, Programme

        rng = self.rng
        (programme,) = _bulk(Programme, [Programme(organisation=self.programme_org)], self.report)
        programme.buyers.set(self.buyers)
        this_year = self.now.year
        _bulk(
            ProcurementVolume,
            [
                ProcurementVolume(
                    organisation=buyer,
                    year=year,
                    procurement_count=rng.randint(200, 3000),
                    procurement_value=Decimal(rng.randint(20, 900) * 1_000_000),
                    recorded_by=self.buyer_staff[buyer.pk][0],
                )
                for buyer in self.buyers
                for year in range(this_year - 3, this_year)
            ],
            self.report,
        )
        _bulk(
            CapabilityAssessment,
            [
                CapabilityAssessment(
                    organisation=buyer,
                    year=year,
                    submitted_by=self.buyer_staff[buyer.pk][0],
                    **{key: rng.randint(1, 5) for key in Capability.values},
                )
                for buyer in self.buyers
                for year in range(this_year - 2, this_year)
            ],
            self.report,
        )

    def search_vectors(self) -> None:
        """The challenges' search vectors in one UPDATE: the same weighted tsvector that
        challenges.search.refresh_search_vector builds for one challenge."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE challenges_challenge AS c SET search_vector =
                    setweight(to_tsvector(cfg.name,
                        coalesce(c.title, '') || ' ' || coalesce(c.summary, '')), 'A')
                    || setweight(to_tsvector(cfg.name, coalesce(c.current_situation, '') || ' '
                        || coalesce(c.affected, '') || ' ' || coalesce(c.why_now, '')), 'B')
                    || setweight(to_tsvector(cfg.name, coalesce(o.text, '')), 'C')
                FROM (
                    SELECT id, (CASE language WHEN 'en' THEN 'english' WHEN 'nb' THEN 'norwegian'
                                ELSE 'simple' END)::regconfig AS name
                    FROM challenges_challenge
                ) AS cfg
                LEFT JOIN (
                    SELECT challenge_id,
                        string_agg(description || ' ' || indicator, ' ' ORDER BY position, id) AS text
                    FROM challenges_outcome GROUP BY challenge_id
                ) AS o ON o.challenge_id = cfg.id
                WHERE c.id = cfg.id
                """
            )


# --- What the benchmark requests ---------------------------------------------------------------------------


def _session_for(user) -> str:
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def bench_targets() -> dict:
    """Fresh sessions for the signed-in pages and the URLs the load script requests (the data set must
    exist). Sessions are signed with SECRET_KEY: run this with the same settings as the server."""
    from django.conf import settings
    from django.urls import reverse

    from challenges.enums import ChallengeStatus
    from challenges.evaluation.models import Evaluator
    from challenges.models import Challenge
    from exchanges.models import ExchangeEvent
    from portal.accounts.models import User
    from portal.insight.models import Programme

    chair = (
        Evaluator.objects.filter(
            is_chair=True, removed_at__isnull=True, challenge__title__startswith="Bench: "
        )
        .select_related("user", "challenge")
        .first()
    )
    if chair is None:
        raise ScaleDataError("No scale data set here: run build_scale_data first.")
    staff = User.objects.get(email="staff@scale.example.org")
    programme = Programme.objects.select_related("organisation").get(organisation__slug="scale-programme")
    detail = (
        Challenge.objects.filter(status=ChallengeStatus.AWARDED)
        .order_by("pk")
        .values_list("pk", flat=True)[100]
        if Challenge.objects.filter(status=ChallengeStatus.AWARDED).count() > 100
        else Challenge.objects.filter(status=ChallengeStatus.AWARDED).values_list("pk", flat=True).first()
    )
    event = ExchangeEvent.objects.filter(agenda_published_at__isnull=False).order_by("pk").first()
    cookie = settings.SESSION_COOKIE_NAME
    chair_cookie = f"{cookie}={_session_for(chair.user)}"
    staff_cookie = f"{cookie}={_session_for(staff)}"
    pages = [
        ("floor", "/bench/floor/", None),
        ("home", reverse("web:home"), None),
        ("challenge list", reverse("challenges:challenge-list"), None),
        ("search", reverse("challenges:challenge-list") + "?q=flooding+residents&status=all", None),
        ("challenge detail", reverse("challenges:challenge-detail", kwargs={"pk": detail}), None),
        ("supplier directory", reverse("suppliers:directory"), None),
        (
            "evaluation table (500)",
            reverse("evaluation:scoring", kwargs={"pk": chair.challenge_id}),
            chair_cookie,
        ),
        (
            "moderation (500)",
            reverse("evaluation:moderation", kwargs={"pk": chair.challenge_id}),
            chair_cookie,
        ),
        (
            "dashboard",
            reverse("insight:dashboard", kwargs={"slug": programme.organisation.slug}),
            staff_cookie,
        ),
        ("OCDS bulk page", reverse("open_data:releases") + "?page=2", None),
        ("agenda", reverse("exchanges:event-agenda", kwargs={"pk": event.pk}), None),
    ]
    deep = [
        ("challenge list", reverse("challenges:challenge-list") + "?status=all"),
        ("supplier directory", reverse("suppliers:directory")),
        ("ideas list", reverse("ideas:idea-list")),
        ("open-data list", reverse("open_data:index")),
    ]
    return {
        "pages": [{"name": n, "path": p, "cookie": c} for n, p, c in pages],
        "deep": [{"name": n, "path": p} for n, p in deep],
        "bench_challenge": chair.challenge_id,
        "bench_challenge_proposals": chair.challenge.proposals.count(),
    }
