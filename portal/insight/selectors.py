"""What the dashboards show, computed in the database: each section is a handful of grouped queries (one
row per organisation and year), whatever the number of organisations, challenges or bids; Python only
divides and sums those rows. Every function returns plain rows, so the pages, the CSV files and the tests
read the same figures.

Sealed bids: proposals are counted only once their challenge's submission deadline has passed (by the
database clock) and the challenge is in a status whose bids may be opened (suppliers.models
.OPENABLE_CHALLENGE_STATUSES) — a bid on an open challenge is never counted, so no figure can reveal it.

An organisation's dashboard (its admins) shows its own rows and the programme's, never another
organisation's; and a programme figure only when at least MIN_OTHERS_FOR_AVERAGE other organisations
contribute to it (Scope.compares), since the programme's figure minus one's own would otherwise give away
another's. There the count sections compare with the programme's average per organisation.

Dashboards read everything and nothing reads them (STYLE.md), so this module imports the feature apps'
models freely."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, ExtractYear, Least, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.evaluation.enums import AwardDecision
from challenges.evaluation.models import Award, Trial
from challenges.ideas.enums import IdeaStatus
from challenges.ideas.models import Idea
from challenges.models import Challenge
from exchanges.enums import EventStatus, RegistrationStatus
from exchanges.models import ExchangeEvent, Registration
from exchanges.surveys.enums import QuestionKind
from exchanges.surveys.models import Answer, Response
from portal.accounts.enums import OrganisationKind, SMESize
from portal.accounts.models import Organisation
from portal.subqueries import correlated_count
from suppliers.enums import PartnerStatus, ProposalStatus
from suppliers.models import OPENABLE_CHALLENGE_STATUSES, Proposal

from .models import FIRST_YEAR, LAST_YEAR, ProcurementVolume, Programme
from .selectors_assessment import MIN_OTHERS_FOR_AVERAGE

DEFAULT_YEARS = 3
MAX_YEARS = 15
SME_SIZES = [SMESize.MICRO, SMESize.SMALL, SMESize.MEDIUM]
# The reflection survey rates each agenda session from 1 to 5 (exchanges.services.surveys); scale questions
# on another scale are left out of the average rather than mixed into it.
RATING_MIN, RATING_MAX = 1, 5

ONE_DECIMAL = Decimal("0.1")
CENTS = Decimal("0.01")


# --- Periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole calendar years, first to last, in the portal's time zone."""

    first: int
    last: int

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        return datetime(self.first, 1, 1, tzinfo=zone), datetime(self.last + 1, 1, 1, tzinfo=zone)

    def q(self, field_name: str) -> Q:
        """The rows whose datetime field falls in the period (a range, so an index on it is used)."""
        start, end = self.bounds()
        return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def default_period(*, today=None) -> Period:
    """The current year and the two before it."""
    year = (today or timezone.localdate()).year
    return Period(year - DEFAULT_YEARS + 1, year)


def valid_period_bounds() -> tuple[int, int]:
    return FIRST_YEAR, LAST_YEAR


# --- Arithmetic ----------------------------------------------------------------------------------------


def percent(numerator, denominator) -> Decimal | None:
    """numerator / denominator as a percentage with one decimal, or None when there is nothing to divide."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def ratio(numerator, denominator) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _days(duration: timedelta | int | None) -> Decimal:
    """A summed duration in days (SQLite may hand back microseconds where PostgreSQL gives an interval)."""
    if duration is None:
        return Decimal(0)
    if isinstance(duration, timedelta):
        seconds = Decimal(duration.days * 86400 + duration.seconds) + Decimal(duration.microseconds) / 10**6
    else:
        seconds = Decimal(duration) / 10**6
    return seconds / 86400


# --- Scope: which organisations a dashboard reads ------------------------------------------------------


@dataclass
class Scope:
    """The buying organisations of a dashboard (a programme's, or one organisation's alone), the programme
    (if any) and the organisation whose own figures are shown beside the programme's (if any)."""

    buyers: list[Organisation]
    programme: Programme | None = None
    organisation: Organisation | None = None

    @property
    def buyer_ids(self) -> list[int]:
        return [buyer.pk for buyer in self.buyers]

    @property
    def target(self) -> Decimal:
        return self.programme.innovative_share_target if self.programme else Decimal("10")

    def shows(self, organisation_id: int) -> bool:
        """Whether an organisation's own rows may be shown: all of them on the programme dashboard, only
        the organisation's own on its dashboard (never another organisation's)."""
        return self.organisation is None or organisation_id == self.organisation.pk

    def is_other(self, organisation_id: int) -> bool:
        return self.organisation is None or organisation_id != self.organisation.pk

    @property
    def other_buyers(self) -> int:
        """How many buyers the programme follows besides the dashboard's organisation."""
        return sum(1 for buyer in self.buyers if self.is_other(buyer.pk))

    def compares(self, others: int) -> bool:
        """Whether a programme figure made from `others` other organisations' data may be shown. Always on
        the programme dashboard (programme staff see every organisation's rows anyway); on an
        organisation's dashboard only with at least MIN_OTHERS_FOR_AVERAGE others, as for the capability
        self-assessment: the programme's figure minus one's own would otherwise give away another
        organisation's figure (in a two-buyer programme, exactly the other's)."""
        return self.organisation is None or others >= MIN_OTHERS_FOR_AVERAGE

    @property
    def average_over(self) -> int:
        """On an organisation's dashboard the count sections compare the organisation with the programme's
        average per organisation (the sum over the number of buyers it follows); 0 on the programme
        dashboard, which shows totals."""
        return len(self.buyers) if self.organisation is not None and self.programme is not None else 0


def programmes_for_list() -> QuerySet[Programme]:
    return Programme.objects.select_related("organisation").annotate(buyer_count=Count("buyers"))


def programme_for_dashboard(*, slug: str) -> Programme:
    """The programme with its buyers (ordered by name) prefetched; raises Programme.DoesNotExist."""
    return (
        Programme.objects.select_related("organisation")
        .prefetch_related("buyers")
        .get(organisation__slug=slug)
    )


def programmes_of_organisation(*, organisation: Organisation) -> list[Programme]:
    """The programmes that follow an organisation, with all their buyers, by the programme's name."""
    return list(
        Programme.objects.filter(buyers=organisation)
        .select_related("organisation")
        .prefetch_related("buyers")
        .order_by("organisation__name", "pk")
    )


def buyer_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.BUYER).order_by("name", "pk")


def programme_organisations_without_programme() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.PROGRAMME, insight_programme__isnull=True)


def scope_for_programme(programme: Programme) -> Scope:
    return Scope(buyers=sorted(programme.buyers.all(), key=lambda o: (o.name, o.pk)), programme=programme)


def scope_for_organisation(organisation: Organisation, programme: Programme | None) -> Scope:
    """An organisation's dashboard: its programme's buyers (for the programme's figures), showing only its
    own rows; without a programme, itself alone."""
    buyers = sorted(programme.buyers.all(), key=lambda o: (o.name, o.pk)) if programme else [organisation]
    return Scope(buyers=buyers, programme=programme, organisation=organisation)


# --- Innovative share -----------------------------------------------------------------------------------


@dataclass
class ShareRow:
    """One organisation's (or, with organisation None, the programme's) innovative share in a year."""

    year: int
    organisation: Organisation | None
    innovative_count: int = 0
    # In the currency of the year's procurement volume; None when no volume is recorded.
    innovative_value: Decimal | None = None
    procurement_count: int | None = None
    procurement_value: Decimal | None = None
    currency: str = ""
    # Innovative awards whose challenge is in another currency than the volume: not converted, not summed.
    other_currency_awards: int = 0
    # For the programme row: how many organisations recorded a volume (and so count in the row).
    organisations_recorded: int = 0
    # For the programme row on an organisation's dashboard: too few other organisations recorded a volume
    # that year to show the row's figures without giving theirs away (the row then holds none).
    too_few: bool = False

    @property
    def is_programme(self) -> bool:
        return self.organisation is None

    @property
    def recorded(self) -> bool:
        return self.procurement_count is not None

    @property
    def count_share(self) -> Decimal | None:
        return percent(self.innovative_count, self.procurement_count) if self.recorded else None

    @property
    def value_share(self) -> Decimal | None:
        if not self.recorded or self.innovative_value is None:
            return None
        return percent(self.innovative_value, self.procurement_value)


def _innovative_awards(scope: Scope, period: Period) -> QuerySet:
    return Award.objects.filter(
        period.q("decided_at"),
        decision=AwardDecision.AWARD,
        challenge__owner_id__in=scope.buyer_ids,
        challenge__is_innovative=True,
    )


def innovative_share(*, scope: Scope, period: Period) -> list[ShareRow]:
    """Per year: the programme's row, then each organisation's. Numerator: the organisation's innovative
    challenges (BT-776) whose award decision is an award, decided in the year; value: the sum of their
    awarded contract values in the currency of the year's procurement volume. Denominator: the
    procurement volume the organisation recorded for the year (no volume: "not recorded", never 0%).
    The programme row sums the organisations that recorded a volume that year. Two queries."""
    volumes = {
        (volume.organisation_id, volume.year): volume
        for volume in ProcurementVolume.objects.filter(
            organisation_id__in=scope.buyer_ids, year__in=period.years
        )
    }
    # One grouped query per organisation, year and currency: the awards (whether or not they name a
    # contract value), the sum of their awarded values and the challenges that have any.
    counts: dict[tuple[int, int], int] = defaultdict(int)
    values: dict[tuple[int, int], dict[str, tuple[Decimal, int]]] = defaultdict(dict)
    has_value = Q(awarded__isnull=False)
    for row in (
        _innovative_awards(scope, period)
        .annotate(year=ExtractYear("decided_at"))
        .values("challenge__owner_id", "year", "challenge__currency")
        .annotate(
            n=Count("pk", distinct=True),
            total=Sum("awarded__value"),
            challenges=Count("challenge_id", filter=has_value, distinct=True),
        )
    ):
        key = (row["challenge__owner_id"], row["year"])
        counts[key] += row["n"]
        if row["challenges"]:
            values[key][row["challenge__currency"]] = (
                # SQLite's sum forgets the column's two decimals; PostgreSQL keeps them.
                Decimal(row["total"] or 0).quantize(CENTS),
                row["challenges"],
            )

    rows: list[ShareRow] = []
    for year in period.years:
        organisation_rows = []
        for buyer in scope.buyers:
            row = ShareRow(year=year, organisation=buyer, innovative_count=counts.get((buyer.pk, year), 0))
            volume = volumes.get((buyer.pk, year))
            by_currency = values.get((buyer.pk, year), {})
            if volume is not None:
                row.procurement_count = volume.procurement_count
                row.procurement_value = volume.procurement_value
                row.currency = volume.currency
                row.innovative_value = by_currency.get(volume.currency, (Decimal("0.00"), 0))[0]
                row.other_currency_awards = sum(
                    n for cur, (_t, n) in by_currency.items() if cur != volume.currency
                )
            organisation_rows.append(row)
        if scope.programme is not None:
            rows.append(_programme_share_row(scope, year, organisation_rows))
        rows.extend(row for row in organisation_rows if scope.shows(row.organisation.pk))
    return rows


def _programme_share_row(scope: Scope, year: int, organisation_rows: list[ShareRow]) -> ShareRow:
    """The sum over the organisations that recorded a volume for the year (the dashboard's own included);
    on an organisation's dashboard, nothing unless at least MIN_OTHERS_FOR_AVERAGE others recorded one."""
    recorded = [row for row in organisation_rows if row.recorded]
    if not scope.compares(sum(1 for row in recorded if scope.is_other(row.organisation.pk))):
        return ShareRow(year=year, organisation=None, too_few=True)
    programme = ShareRow(year=year, organisation=None, organisations_recorded=len(recorded))
    if not recorded:
        return programme
    programme.innovative_count = sum(row.innovative_count for row in recorded)
    programme.procurement_count = sum(row.procurement_count for row in recorded)
    programme.other_currency_awards = sum(row.other_currency_awards for row in recorded)
    currencies = {row.currency for row in recorded}
    if len(currencies) == 1:
        # Values in different currencies are not added up: only a single-currency year has a value share.
        programme.currency = currencies.pop()
        programme.innovative_value = sum((row.innovative_value for row in recorded), Decimal(0))
        programme.procurement_value = sum((row.procurement_value for row in recorded), Decimal(0))
    return programme


# --- Funnel ---------------------------------------------------------------------------------------------

FUNNEL_STAGES = [
    ("ideas", _("Citizen ideas published")),
    ("drafted", _("Challenges drafted")),
    ("published", _("Challenges published")),
    ("proposals", _("Proposals submitted")),
    ("trials", _("Trials")),
    ("awards", _("Awards")),
]


@dataclass
class CountsRow:
    """Counts of one organisation (or the programme, organisation None) in a year, keyed by name. The
    programme's row holds the sums over its organisations; on an organisation's dashboard it is shown as
    the average per organisation (average_over: the number of buyers the programme follows), and holds
    nothing (too_few) when the programme follows fewer than MIN_OTHERS_FOR_AVERAGE other buyers."""

    year: int
    organisation: Organisation | None
    counts: dict[str, int] = field(default_factory=dict)
    average_over: int = 0
    too_few: bool = False

    @property
    def is_programme(self) -> bool:
        return self.organisation is None

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)

    def shown(self, key: str) -> int | Decimal | None:
        """The figure a table shows: the count, or the programme's average per organisation (one
        decimal) on an organisation's dashboard."""
        if self.average_over:
            return ratio(self[key], self.average_over)
        return self[key]


def _grouped(queryset: QuerySet, owner: str, when: str, **aggregates) -> dict[tuple[int, int], dict]:
    """{(organisation id, year): {aggregate: value}} from one grouped query."""
    return {
        (row[owner], row["year"]): row
        for row in queryset.annotate(year=ExtractYear(when)).values(owner, "year").annotate(**aggregates)
    }


def _grouped_counts(parts: dict[str, tuple[QuerySet, str, str]]) -> dict[str, dict[tuple[int, int], dict]]:
    """{name: {(organisation id, year): {"n": count}}} for several (queryset, organisation field, datetime
    field) parts, in one query: a UNION ALL of one grouped count per part, told apart by their index."""
    selects = [
        queryset.order_by()
        .annotate(part=Value(index), owner_key=F(owner), year=ExtractYear(when))
        .values("part", "owner_key", "year")
        .annotate(n=Count("pk"))
        .values_list("part", "owner_key", "year", "n")
        for index, (queryset, owner, when) in enumerate(parts.values())
    ]
    names = list(parts)
    grouped: dict[str, dict[tuple[int, int], dict]] = {name: {} for name in names}
    for index, organisation_id, year, n in selects[0].union(*selects[1:], all=True):
        grouped[names[index]][(organisation_id, year)] = {"n": n}
    return grouped


def _programme_counts_row(scope: Scope, row_class, year: int, organisation_rows: list, **extra):
    """The programme's row of a count section: the sums over all its organisations (the dashboard's own
    included), or nothing when too few others contribute."""
    if not scope.compares(scope.other_buyers):
        return row_class(year=year, organisation=None, too_few=True)
    total: dict[str, int] = defaultdict(int)
    for row in organisation_rows:
        for key, value in row.counts.items():
            total[key] += value
    return row_class(
        year=year, organisation=None, counts=dict(total), average_over=scope.average_over, **extra
    )


def _counts_rows(
    scope: Scope, period: Period, grouped: dict[str, dict], keys: list[str], row_class=CountsRow
) -> list[CountsRow]:
    """Rows per year: the programme's (sums over all its organisations) and each shown organisation's."""
    rows = []
    for year in period.years:
        organisation_rows = []
        for buyer in scope.buyers:
            counts = {}
            for key in keys:
                source, _sep, aggregate = key.partition(":")
                counts[aggregate or source] = (grouped[source].get((buyer.pk, year)) or {}).get(
                    aggregate or "n"
                ) or 0
            organisation_rows.append(row_class(year=year, organisation=buyer, counts=counts))
        if scope.programme is not None:
            rows.append(_programme_counts_row(scope, row_class, year, organisation_rows))
        rows.extend(row for row in organisation_rows if scope.shows(row.organisation.pk))
    return rows


def _opened_proposals() -> QuerySet:
    """Live submitted bids whose challenge's deadline has passed: the only bids any figure counts."""
    return Proposal.objects.opened()


def funnel(*, scope: Scope, period: Period) -> list[CountsRow]:
    """Per year: citizen ideas published (addressed to the organisations, and still published: an idea
    later rejected, merged or withdrawn drops out) → challenges drafted (created) → published →
    proposals submitted (opened bids only, by submission date) → trials (shortlisted) → awards (decided,
    to award). One query (a UNION of one grouped count per stage)."""
    ids = scope.buyer_ids
    grouped = _grouped_counts(
        {
            "ideas": (
                Idea.objects.filter(period.q("published_at"), city_id__in=ids, status=IdeaStatus.PUBLISHED),
                "city_id",
                "published_at",
            ),
            "drafted": (
                Challenge.objects.filter(period.q("created_at"), owner_id__in=ids),
                "owner_id",
                "created_at",
            ),
            "published": (
                Challenge.objects.filter(period.q("published_at"), owner_id__in=ids),
                "owner_id",
                "published_at",
            ),
            "proposals": (
                _opened_proposals().filter(period.q("submitted_at"), challenge__owner_id__in=ids),
                "challenge__owner_id",
                "submitted_at",
            ),
            "trials": (
                Trial.objects.filter(period.q("shortlisted_at"), proposal__challenge__owner_id__in=ids),
                "proposal__challenge__owner_id",
                "shortlisted_at",
            ),
            "awards": (
                Award.objects.filter(
                    period.q("decided_at"), decision=AwardDecision.AWARD, challenge__owner_id__in=ids
                ),
                "challenge__owner_id",
                "decided_at",
            ),
        }
    )
    return _counts_rows(scope, period, grouped, [key for key, _label in FUNNEL_STAGES])


# --- SME participation ------------------------------------------------------------------------------------


@dataclass
class ParticipationRow(CountsRow):
    @property
    def bidders_per_challenge(self) -> Decimal | None:
        return ratio(self["bids"], self["challenges"])

    @property
    def sme_share(self) -> Decimal | None:
        return percent(self["sme_bids"], self["bids"])

    @property
    def first_time_share(self) -> Decimal | None:
        return percent(self["first_time_bids"], self["bids"])

    @property
    def consortium_size(self) -> Decimal | None:
        """Average members of a consortium bid: its lead and its accepted partners."""
        return ratio(self["consortium_bids"] + self["consortium_partners"], self["consortium_bids"])


def sme_participation(*, scope: Scope, period: Period) -> list[ParticipationRow]:
    """Per year, over the challenges whose submission deadline passed in the year: challenges, live bids
    (submitted, or resubmitted after a withdrawal; a withdrawn or draft proposal is no bid), bids led by an
    SME (micro, small, medium), bids from first-time public-sector suppliers (the lead had not sold to the
    public sector, as its profile said when it submitted; for bids from before that was recorded, as its
    profile says now), consortium bids and their accepted partners. One query."""
    live = Q(proposals__status=ProposalStatus.SUBMITTED)
    first_time = Q(proposals__had_public_sector_sales=False) | Q(
        proposals__had_public_sector_sales__isnull=True,
        proposals__supplier__supplier_profile__has_public_sector_sales=False,
    )
    accepted = Q(proposals__partners__status=PartnerStatus.ACCEPTED)
    challenges = Challenge.objects.filter(
        period.q("submission_deadline"),
        owner_id__in=scope.buyer_ids,
        status__in=OPENABLE_CHALLENGE_STATUSES,
        submission_deadline__lte=Now(),
    )
    grouped = {
        "c": _grouped(
            challenges,
            "owner_id",
            "submission_deadline",
            challenges=Count("pk", distinct=True),
            bids=Count("proposals", filter=live, distinct=True),
            sme_bids=Count(
                "proposals", filter=live & Q(proposals__supplier__sme_size__in=SME_SIZES), distinct=True
            ),
            first_time_bids=Count("proposals", filter=live & first_time, distinct=True),
            consortium_bids=Count("proposals", filter=live & accepted, distinct=True),
            consortium_partners=Count("proposals__partners", filter=live & accepted, distinct=True),
        )
    }
    keys = ["challenges", "bids", "sme_bids", "first_time_bids", "consortium_bids", "consortium_partners"]
    return _counts_rows(scope, period, grouped, [f"c:{key}" for key in keys], ParticipationRow)


# --- Time to award and clarification questions ----------------------------------------------------------


@dataclass
class TimingRow(CountsRow):
    days_total: Decimal = Decimal(0)

    @property
    def average_days(self) -> Decimal | None:
        if not self["timed_awards"]:
            return None
        return (self.days_total / self["timed_awards"]).quantize(ONE_DECIMAL, ROUND_HALF_UP)

    @property
    def questions_per_challenge(self) -> Decimal | None:
        return ratio(self["questions"], self["published"])


def timing(*, scope: Scope, period: Period) -> list[TimingRow]:
    """Per year: awards decided (to award) and the average days from the challenge's publication to the
    decision; challenges published and the clarification questions asked about them. Two queries."""
    ids = scope.buyer_ids
    awards = _grouped(
        Award.objects.filter(
            period.q("decided_at"),
            decision=AwardDecision.AWARD,
            challenge__owner_id__in=ids,
            challenge__published_at__isnull=False,
        ),
        "challenge__owner_id",
        "decided_at",
        timed_awards=Count("pk"),
        duration=Sum(
            ExpressionWrapper(F("decided_at") - F("challenge__published_at"), output_field=DurationField())
        ),
    )
    published = _grouped(
        Challenge.objects.filter(period.q("published_at"), owner_id__in=ids),
        "owner_id",
        "published_at",
        published=Count("pk", distinct=True),
        questions=Count("clarifications", distinct=True),
    )
    rows = []
    for year in period.years:
        organisation_rows = []
        for buyer in scope.buyers:
            award = awards.get((buyer.pk, year)) or {}
            challenge = published.get((buyer.pk, year)) or {}
            organisation_rows.append(
                TimingRow(
                    year=year,
                    organisation=buyer,
                    counts={
                        "timed_awards": award.get("timed_awards") or 0,
                        "published": challenge.get("published") or 0,
                        "questions": challenge.get("questions") or 0,
                    },
                    days_total=_days(award.get("duration")),
                )
            )
        if scope.programme is not None:
            rows.append(
                _programme_counts_row(
                    scope,
                    TimingRow,
                    year,
                    organisation_rows,
                    days_total=sum((row.days_total for row in organisation_rows), Decimal(0)),
                )
            )
        rows.extend(row for row in organisation_rows if scope.shows(row.organisation.pk))
    return rows


# --- Exchange participation -----------------------------------------------------------------------------


@dataclass
class ExchangeRow:
    year: int
    events: int = 0
    confirmed: int = 0
    # From the programme's organisations (on an organisation's dashboard: None when the programme follows
    # fewer than MIN_OTHERS_FOR_AVERAGE other buyers, as the count sections).
    confirmed_from_buyers: int | None = 0
    confirmed_from_organisation: int | None = None
    # On an organisation's dashboard: the programme's buyers, to show their average per organisation.
    average_over: int = 0
    pre_registrations: int = 0
    pre_responses: int = 0
    reflection_registrations: int = 0
    reflection_responses: int = 0
    ratings: int = 0
    rating_total: float = 0.0

    @property
    def buyers_too_few(self) -> bool:
        return self.confirmed_from_buyers is None

    @property
    def confirmed_from_buyers_shown(self) -> int | Decimal | None:
        """From the programme's organisations: the total, or on an organisation's dashboard the average per
        organisation of the programme."""
        if self.confirmed_from_buyers is None or not self.average_over:
            return self.confirmed_from_buyers
        return ratio(self.confirmed_from_buyers, self.average_over)

    @property
    def pre_rate(self) -> Decimal | None:
        return percent(self.pre_responses, self.pre_registrations)

    @property
    def reflection_rate(self) -> Decimal | None:
        return percent(self.reflection_responses, self.reflection_registrations)

    @property
    def average_rating(self) -> Decimal | None:
        if not self.ratings:
            return None
        return (Decimal(str(self.rating_total)) / self.ratings).quantize(Decimal("0.01"), ROUND_HALF_UP)


CONFIRMED = Q(status=RegistrationStatus.CONFIRMED)


def _events(scope: Scope, period: Period) -> QuerySet[ExchangeEvent]:
    """The exchanges held in the period: run by the programme or hosted by one of its organisations (an
    organisation without a programme: hosted by it, or attended, i.e. with a confirmed registration of
    its own; a cancelled or waitlisted one is no attendance), started by now, and announced (an event
    still in planning never took place)."""
    if scope.programme is not None:
        whose = Q(programme__organiser_id=scope.programme.organisation_id) | Q(host_id__in=scope.buyer_ids)
    else:
        whose = Q(host_id__in=scope.buyer_ids) | Q(
            pk__in=Registration.objects.filter(CONFIRMED, organisation_id__in=scope.buyer_ids).values(
                "event_id"
            )
        )
    return ExchangeEvent.objects.filter(whose, period.q("starts_at"), starts_at__lte=Now()).exclude(
        status=EventStatus.PLANNING
    )


def _counted_responses(survey: str):
    """The submitted responses to an event's survey ("pre_survey" or "reflection_survey") that count
    towards its response rate, capped at its confirmed registrations (a correlated subquery on the
    event). A named survey counts only the responses of people with a confirmed registration for the
    event; an anonymous one cannot tell who answered, so all its responses count, up to 100 %."""
    registered = Registration.objects.filter(
        CONFIRMED, event_id=OuterRef(OuterRef("pk")), user_id=OuterRef("respondent_id")
    )
    responses = Response.objects.filter(
        survey_id=OuterRef(f"{survey}_id"), submitted_at__isnull=False
    ).filter(Q(survey__is_anonymous=True) | Exists(registered))
    confirmed = Registration.objects.filter(CONFIRMED, event_id=OuterRef("pk"))
    return Least(correlated_count(responses, by="survey_id"), correlated_count(confirmed, by="event_id"))


def exchange_participation(*, scope: Scope, period: Period) -> list[ExchangeRow]:
    """Per year of the events' start: events held, confirmed participants (all; from the programme's
    organisations; from the dashboard's organisation), the pre-exchange and reflection survey response
    rates (counted responses, see _counted_responses / confirmed registrations of the events that have
    that survey) and the average rating given in the reflection surveys (1-to-5 scale answers). One
    query."""
    confirmed = Registration.objects.filter(CONFIRMED, event_id=OuterRef("pk"))
    own = (
        {"own": Sum(correlated_count(confirmed.filter(organisation_id=scope.organisation.pk), by="event_id"))}
        if scope.organisation
        else {}
    )
    ratings = Answer.objects.filter(
        response__survey_id=OuterRef("reflection_survey_id"),
        response__submitted_at__isnull=False,
        question__kind=QuestionKind.SCALE,
        question__scale_min=RATING_MIN,
        question__scale_max=RATING_MAX,
    )
    rating_total = Subquery(
        ratings.order_by()
        .values("response__survey_id")
        .annotate(total=Sum(Cast("value", FloatField())))
        .values("total")[:1],
        output_field=FloatField(),
    )
    # One grouped query over the events; what each event adds up (its confirmed registrations, counted
    # responses and ratings) comes from correlated subqueries, so no join multiplies another's rows.
    by_events = {
        row["year"]: row
        for row in _events(scope, period)
        .annotate(year=ExtractYear("starts_at"))
        .values("year")
        .annotate(
            n=Count("pk"),
            pre=Sum(_counted_responses("pre_survey"), filter=Q(pre_survey__isnull=False)),
            reflection=Sum(
                _counted_responses("reflection_survey"), filter=Q(reflection_survey__isnull=False)
            ),
            confirmed=Sum(correlated_count(confirmed, by="event_id")),
            buyers=Sum(
                correlated_count(confirmed.filter(organisation_id__in=scope.buyer_ids), by="event_id")
            ),
            pre_registrations=Sum(
                correlated_count(confirmed, by="event_id"), filter=Q(pre_survey__isnull=False)
            ),
            reflection_registrations=Sum(
                correlated_count(confirmed, by="event_id"), filter=Q(reflection_survey__isnull=False)
            ),
            ratings=Sum(
                correlated_count(ratings, by="response__survey_id"), filter=Q(reflection_survey__isnull=False)
            ),
            rating_total=Sum(rating_total, filter=Q(reflection_survey__isnull=False)),
            **own,
        )
    }
    # The programme's organisations as a whole: on an organisation's dashboard only with enough others.
    buyers_shown = scope.programme is None or scope.compares(scope.other_buyers)
    rows = []
    for year in period.years:
        event = by_events.get(year) or {}
        rows.append(
            ExchangeRow(
                year=year,
                events=event.get("n") or 0,
                confirmed=event.get("confirmed") or 0,
                confirmed_from_buyers=(event.get("buyers") or 0) if buyers_shown else None,
                confirmed_from_organisation=(event.get("own") or 0) if scope.organisation else None,
                average_over=scope.average_over,
                pre_registrations=event.get("pre_registrations") or 0,
                pre_responses=event.get("pre") or 0,
                reflection_registrations=event.get("reflection_registrations") or 0,
                reflection_responses=event.get("reflection") or 0,
                ratings=event.get("ratings") or 0,
                rating_total=event.get("rating_total") or 0.0,
            )
        )
    return rows
