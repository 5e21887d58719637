"""A small, deliberate world for the dashboard tests, every figure of which is computed by hand in the tests.

Dates are fixed, so no test depends on the day it runs: the `today` fixture (which `world` uses) moves
the clock to TODAY, in NOW; LAST is the year before (most data), BEFORE the year before that. All times are
UTC 10:00 or 07:00, so they fall in the same year in the portal's time zone and durations are whole days.
The database's clock (which decides whether a deadline has passed or an event has started) is not moved:
it is later than TODAY, so what must still be ahead for it (c6's deadline, E5) lies in FAR.

The programme follows Alpha and Beta; Gamma is a buyer outside it whose data must count nowhere.

Challenges (owner, innovative, currency, published → deadline → decision, awarded value):
  c1 Alpha  innovative  EUR  LAST-03-01 → 04-01 → award 05-01 (61 days), 60 000 + 40 000 to p1 and p2
  c2 Alpha  innovative  NOK  LAST-06-01 → 06-15 → award 07-01 (30 days), 50 000 NOK (other currency)
  c3 Beta   innovative  NOK  LAST-02-01 → 02-10 → award 02-21 (20 days), 300 000 NOK
  c4 Alpha  not innov.  EUR  LAST-07-02 → 07-20 → award 08-01 (30 days), 999 EUR; no bids
  c7 Alpha  innovative  EUR  LAST-08-01 → 09-01 → no award
  c5 Gamma  innovative  EUR  LAST-03-01 → 04-01 → award 05-01 (outside the programme)
  c6 Beta   published NOW, open (deadline in FAR) with a bid p8 submitted NOW: sealed, never counted
  d1 Alpha  a draft created LAST-01-15

Bids: p1 on c1, small SME, first-time (snapshot False), consortium with 2 accepted partners (+1 declined);
p2 on c1, large, not first-time; p3 on c1 withdrawn; p4 on c1 draft; p5 on c2, micro, no snapshot but its
profile says first-time; p6 on c3, medium, not first-time; p7 on c7, large, not first-time; p8 on c6
(sealed); p9 on c5 (Gamma). A trial for p1, shortlisted LAST-04-15.
Clarifications: 3 on c1, 1 on c3, 2 on c5 (Gamma).
Volumes: Alpha LAST 20 / 1 000 000 EUR; Beta LAST 30 / 2 000 000 NOK; Beta BEFORE 10 / 500 000 EUR.
Ideas: Alpha 2 published LAST (+1 pending, and 3 published LAST but since rejected, merged and withdrawn),
Beta 1 published LAST, Gamma 1 published LAST.
Exchanges in LAST: E1 of the programme's exchange programme (host Delta, completed) with both surveys:
confirmed 2 Alpha + 1 Beta + 1 Delta (+1 Alpha cancelled, +1 Gamma waitlisted); the pre-survey (named)
has 3 submitted responses from confirmed participants, + 1 from the cancelled one's person, + 1 from
someone not registered, + 1 draft; the reflection survey (anonymous) 2 submitted with ratings 4 and 5
(+ a draft rating 1, + a 0-10 answer of 10). E2 hosted by Alpha (another exchange programme, reflected),
no surveys, 1 Beta confirmed. E3 in planning and E4 of another programme hosted by Gamma (1 Alpha
confirmed): not counted for the programme. E5 in FAR: not counted."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from challenges.enums import ChallengeStatus
from challenges.evaluation.enums import AwardDecision
from challenges.ideas.enums import IdeaStatus
from challenges.ideas.models import Idea
from challenges.models import Challenge
from exchanges.enums import EventStatus, RegistrationStatus
from exchanges.surveys.enums import QuestionKind, SurveyKind
from portal.accounts.enums import SMESize
from suppliers.enums import PartnerStatus, ProposalStatus
from tests.factories.accounts import (
    AdminMembershipFactory,
    BuyerFactory,
    MembershipFactory,
    SupplierFactory,
    TOTPAuthenticatorFactory,
    UserFactory,
)
from tests.factories.challenges import ChallengeFactory, ClarificationFactory
from tests.factories.evaluation import AwardedProposalFactory, AwardFactory, TrialFactory
from tests.factories.exchanges import ExchangeEventFactory, ExchangeProgrammeFactory, RegistrationFactory
from tests.factories.insight import ProcurementVolumeFactory, ProgrammeFactory
from tests.factories.suppliers import (
    AcceptedPartnerFactory,
    ConsortiumPartnerFactory,
    ProposalFactory,
    SubmittedProposalFactory,
    SupplierProfileFactory,
)
from tests.factories.surveys import (
    AnswerFactory,
    OpenSurveyFactory,
    QuestionFactory,
    ResponseFactory,
    SubmittedResponseFactory,
)

TODAY = datetime(2025, 6, 16, 10, tzinfo=UTC)
NOW = TODAY.year
LAST = NOW - 1
BEFORE = NOW - 2
# Ahead of the database's clock, whenever the tests run.
FAR = 2099


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def challenge(owner, *, published, deadline, status, innovative=True, currency="EUR", created=None):
    item = ChallengeFactory(
        owner=owner,
        status=status,
        is_innovative=innovative,
        currency=currency,
        published_at=published,
        questions_deadline=deadline - timedelta(days=5),
        submission_deadline=deadline,
    )
    Challenge.objects.filter(pk=item.pk).update(created_at=created or published - timedelta(days=10))
    return item


def bid(challenge, *, size=SMESize.SMALL, had_sales=True, status=ProposalStatus.SUBMITTED, submitted=None):
    supplier = SupplierFactory(sme_size=size)
    factory = SubmittedProposalFactory if status == ProposalStatus.SUBMITTED else ProposalFactory
    extra = {}
    if status != ProposalStatus.DRAFT:
        extra["submitted_at"] = submitted or challenge.submission_deadline - timedelta(days=2)
    if status == ProposalStatus.WITHDRAWN:
        extra["withdrawn_at"] = extra["submitted_at"]
    return factory(
        challenge=challenge, supplier=supplier, status=status, had_public_sector_sales=had_sales, **extra
    )


def award(challenge, *, decided, values=(), decision=AwardDecision.AWARD):
    item = AwardFactory(challenge=challenge, decision=decision, decided_at=decided)
    for proposal, value in values:
        AwardedProposalFactory(award=item, proposal=proposal, value=Decimal(value))
    return item


def idea(city, *, published=None, status=IdeaStatus.PUBLISHED, **extra):
    return Idea.objects.create(
        city=city,
        display_name="Resident",
        title="Dark crossing",
        problem="It is dark.",
        status=status,
        published_at=published,
        **extra,
    )


def survey_with_answers(*, kind, respondents, drafts: int, ratings=(), draft_rating=None, anonymous=False):
    """A survey with a submitted response from each of `respondents` (users; None for an anonymous
    response) and `drafts` drafts."""
    survey = OpenSurveyFactory(kind=kind, is_anonymous=anonymous)
    scale = QuestionFactory(survey=survey, kind=QuestionKind.SCALE, scale_min=1, scale_max=5)
    wide = QuestionFactory(survey=survey, kind=QuestionKind.SCALE, scale_min=0, scale_max=10)
    responses = [SubmittedResponseFactory(survey=survey, respondent=user) for user in respondents]
    for response, rating in zip(responses, ratings, strict=False):
        AnswerFactory(response=response, question=scale, value=rating)
    if ratings:
        AnswerFactory(response=responses[0], question=wide, value=10)
    for _n in range(drafts):
        draft = ResponseFactory(survey=survey)
        if draft_rating is not None:
            AnswerFactory(response=draft, question=scale, value=draft_rating)
    return survey


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.alpha = BuyerFactory(name="Alpha kommune", slug="alpha")
    w.beta = BuyerFactory(name="Beta kommune", slug="beta")
    w.gamma = BuyerFactory(name="Gamma kommune", slug="gamma")
    w.delta = BuyerFactory(name="Delta kommune", slug="delta")
    w.programme = ProgrammeFactory(buyers=[w.alpha, w.beta], innovative_share_target=Decimal("10"))

    awarded, not_awarded = ChallengeStatus.AWARDED, ChallengeStatus.NOT_AWARDED
    w.c1 = challenge(w.alpha, published=at(LAST, 3, 1), deadline=at(LAST, 4, 1), status=awarded)
    w.c2 = challenge(
        w.alpha, published=at(LAST, 6, 1), deadline=at(LAST, 6, 15), status=awarded, currency="NOK"
    )
    w.c3 = challenge(
        w.beta, published=at(LAST, 2, 1), deadline=at(LAST, 2, 10), status=awarded, currency="NOK"
    )
    w.c4 = challenge(
        w.alpha, published=at(LAST, 7, 2), deadline=at(LAST, 7, 20), status=awarded, innovative=False
    )
    w.c7 = challenge(w.alpha, published=at(LAST, 8, 1), deadline=at(LAST, 9, 1), status=not_awarded)
    w.c5 = challenge(w.gamma, published=at(LAST, 3, 1), deadline=at(LAST, 4, 1), status=awarded)
    w.c6 = challenge(
        w.beta,
        published=at(NOW, 6, 1),
        deadline=at(FAR, 1, 10),
        status=ChallengeStatus.PUBLISHED,
        created=at(NOW, 5, 20),
    )
    w.d1 = ChallengeFactory(owner=w.alpha, status=ChallengeStatus.DRAFT)
    Challenge.objects.filter(pk=w.d1.pk).update(created_at=at(LAST, 1, 15))

    w.p1 = bid(w.c1, size=SMESize.SMALL, had_sales=False)
    AcceptedPartnerFactory(proposal=w.p1)
    AcceptedPartnerFactory(proposal=w.p1)
    ConsortiumPartnerFactory(proposal=w.p1, status=PartnerStatus.DECLINED)
    w.p2 = bid(w.c1, size=SMESize.LARGE, had_sales=True)
    w.p3 = bid(w.c1, size=SMESize.SMALL, had_sales=False, status=ProposalStatus.WITHDRAWN)
    w.p4 = bid(w.c1, size=SMESize.SMALL, had_sales=None, status=ProposalStatus.DRAFT)
    w.p5 = bid(w.c2, size=SMESize.MICRO, had_sales=None)
    SupplierProfileFactory(organisation=w.p5.supplier, has_public_sector_sales=False)
    w.p6 = bid(w.c3, size=SMESize.MEDIUM, had_sales=True)
    w.p7 = bid(w.c7, size=SMESize.LARGE, had_sales=True)
    w.p8 = bid(w.c6, size=SMESize.SMALL, had_sales=False, submitted=at(NOW, 6, 10))
    w.p9 = bid(w.c5, size=SMESize.SMALL, had_sales=False)
    trial = TrialFactory(proposal=w.p1)
    type(trial).objects.filter(pk=trial.pk).update(shortlisted_at=at(LAST, 4, 15))

    award(w.c1, decided=at(LAST, 5, 1), values=[(w.p1, "60000"), (w.p2, "40000")])
    award(w.c2, decided=at(LAST, 7, 1), values=[(w.p5, "50000")])
    award(w.c3, decided=at(LAST, 2, 21), values=[(w.p6, "300000")])
    award(
        w.c4,
        decided=at(LAST, 8, 1),
        values=[(bid(w.c4, size=SMESize.LARGE, status=ProposalStatus.WITHDRAWN), "999")],
    )
    award(w.c7, decided=at(LAST, 10, 1), decision=AwardDecision.NO_AWARD)
    award(w.c5, decided=at(LAST, 5, 1), values=[(w.p9, "70000")])

    for _n in range(3):
        ClarificationFactory(challenge=w.c1)
    ClarificationFactory(challenge=w.c3)
    ClarificationFactory(challenge=w.c5)
    ClarificationFactory(challenge=w.c5)

    ProcurementVolumeFactory(
        organisation=w.alpha, year=LAST, procurement_count=20, procurement_value="1000000", currency="EUR"
    )
    ProcurementVolumeFactory(
        organisation=w.beta, year=LAST, procurement_count=30, procurement_value="2000000", currency="NOK"
    )
    ProcurementVolumeFactory(
        organisation=w.beta, year=BEFORE, procurement_count=10, procurement_value="500000", currency="EUR"
    )
    ProcurementVolumeFactory(
        organisation=w.gamma, year=LAST, procurement_count=5, procurement_value="100000", currency="EUR"
    )

    idea(w.alpha, published=at(LAST, 11, 5))
    idea(w.alpha, published=None, status=IdeaStatus.PENDING)
    # Published in LAST, then taken down, merged into the first or withdrawn: none counts.
    first = idea(w.alpha, published=at(LAST, 1, 5))
    idea(w.alpha, published=at(LAST, 3, 5), status=IdeaStatus.REJECTED, rejection_reason="A duplicate.")
    idea(w.alpha, published=at(LAST, 3, 5), status=IdeaStatus.MERGED, merged_into=first)
    idea(w.alpha, published=at(LAST, 3, 5), status=IdeaStatus.WITHDRAWN)
    idea(w.beta, published=at(LAST, 2, 5))
    idea(w.gamma, published=at(LAST, 2, 5))

    exchange_programme = ExchangeProgrammeFactory(organiser=w.programme.organisation)
    other_programme = ExchangeProgrammeFactory()
    w.e1 = ExchangeEventFactory(
        programme=exchange_programme,
        host=w.delta,
        starts_at=at(LAST, 9, 10, 7),
        status=EventStatus.COMPLETED,
        registration_opens_at=at(LAST, 6, 1),
    )
    confirmed = [RegistrationFactory(event=w.e1, organisation=o) for o in (w.alpha, w.alpha, w.beta, w.delta)]
    cancelled = RegistrationFactory(event=w.e1, organisation=w.alpha, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=w.e1, organisation=w.gamma, status=RegistrationStatus.WAITLISTED)
    w.e1.pre_survey = survey_with_answers(
        kind=SurveyKind.PRE_EXCHANGE,
        respondents=[*(r.user for r in confirmed[:3]), cancelled.user, UserFactory()],
        drafts=1,
    )
    w.e1.reflection_survey = survey_with_answers(
        kind=SurveyKind.REFLECTION,
        respondents=[None, None],
        drafts=1,
        ratings=(4, 5),
        draft_rating=1,
        anonymous=True,
    )
    w.e1.save(update_fields=["pre_survey", "reflection_survey"])
    w.e2 = ExchangeEventFactory(
        programme=other_programme,
        host=w.alpha,
        starts_at=at(LAST, 11, 3, 7),
        status=EventStatus.REFLECTED,
        registration_opens_at=at(LAST, 6, 1),
    )
    RegistrationFactory(event=w.e2, organisation=w.beta)
    e3 = ExchangeEventFactory(
        programme=exchange_programme,
        host=w.delta,
        starts_at=at(LAST, 5, 3, 7),
        status=EventStatus.PLANNING,
        registration_opens_at=at(LAST, 1, 1),
    )
    RegistrationFactory(event=e3, organisation=w.alpha)
    e4 = ExchangeEventFactory(
        programme=other_programme,
        host=w.gamma,
        starts_at=at(LAST, 5, 3, 7),
        status=EventStatus.COMPLETED,
        registration_opens_at=at(LAST, 1, 1),
    )
    RegistrationFactory(event=e4, organisation=w.alpha)
    e5 = ExchangeEventFactory(programme=exchange_programme, host=w.alpha, starts_at=at(FAR, 5, 3, 7))
    RegistrationFactory(event=e5, organisation=w.alpha)
    return w


@pytest.fixture
def today():
    """The clock at TODAY (and moving on from there), for everything the test does."""
    with time_machine.travel(TODAY, tick=True):
        yield TODAY


@pytest.fixture
def world(db, today):
    return build_world()


@pytest.fixture
def actors(world):
    """The permission grid around Alpha: a member, its admin, the admin of another organisation (Gamma),
    a supplier and programme staff (with the authenticator app staff must have)."""
    supplier = MembershipFactory(organisation=SupplierFactory()).user
    return {
        "anonymous": None,
        "member": MembershipFactory(organisation=world.alpha).user,
        "admin": AdminMembershipFactory(organisation=world.alpha).user,
        "other_admin": AdminMembershipFactory(organisation=world.gamma).user,
        "supplier": supplier,
        "staff": TOTPAuthenticatorFactory().user,
    }
