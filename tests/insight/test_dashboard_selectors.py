"""Every dashboard figure against the hand-computed world of conftest.py."""

from decimal import Decimal

import pytest

from exchanges.enums import EventStatus
from exchanges.surveys.enums import SurveyKind
from portal.insight import selectors
from portal.insight.selectors import Period
from tests.factories.accounts import BuyerFactory
from tests.factories.exchanges import ExchangeEventFactory, RegistrationFactory
from tests.factories.insight import ProcurementVolumeFactory

from .conftest import BEFORE, LAST, NOW, at, survey_with_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

PERIOD = Period(BEFORE, NOW)


def _row(rows, year, organisation):
    matches = [row for row in rows if row.year == year and row.organisation == organisation]
    assert len(matches) == 1
    return matches[0]


def _programme_scope(world):
    return selectors.scope_for_programme(
        selectors.programme_for_dashboard(slug=world.programme.organisation.slug)
    )


def test_default_period_is_this_year_and_the_two_before():
    assert selectors.default_period() == Period(NOW - 2, NOW)


def test_innovative_share_per_organisation_and_programme(world):
    rows = selectors.innovative_share(scope=_programme_scope(world), period=PERIOD)

    alpha = _row(rows, LAST, world.alpha)
    # c1 and c2 (c4 is not innovative, c7 not awarded); 2 of 20 procurements.
    assert (alpha.innovative_count, alpha.procurement_count, alpha.count_share) == (2, 20, Decimal("10.0"))
    # c1's 60 000 + 40 000 EUR of 1 000 000 EUR; c2's NOK award is not converted, only counted.
    assert (alpha.innovative_value, alpha.currency, alpha.value_share) == (
        Decimal("100000"),
        "EUR",
        Decimal("10.0"),
    )
    assert alpha.other_currency_awards == 1

    beta = _row(rows, LAST, world.beta)
    assert (beta.innovative_count, beta.procurement_count, beta.count_share) == (1, 30, Decimal("3.3"))
    assert (beta.innovative_value, beta.value_share, beta.other_currency_awards) == (
        Decimal("300000"),
        Decimal("15.0"),
        0,
    )

    programme = _row(rows, LAST, None)
    # 3 of 50; Alpha records EUR and Beta NOK: no value share.
    assert (programme.innovative_count, programme.procurement_count, programme.count_share) == (
        3,
        50,
        Decimal("6.0"),
    )
    assert (programme.value_share, programme.organisations_recorded, programme.other_currency_awards) == (
        None,
        2,
        1,
    )


def test_innovative_share_not_recorded_is_not_zero(world):
    rows = selectors.innovative_share(scope=_programme_scope(world), period=PERIOD)

    alpha_before = _row(rows, BEFORE, world.alpha)
    assert (alpha_before.recorded, alpha_before.count_share, alpha_before.value_share) == (False, None, None)
    beta_before = _row(rows, BEFORE, world.beta)
    assert (beta_before.count_share, beta_before.value_share) == (Decimal("0.0"), Decimal("0.0"))
    # The programme row of BEFORE counts Beta only: one currency, so it has a value share.
    programme_before = _row(rows, BEFORE, None)
    assert (programme_before.organisations_recorded, programme_before.procurement_count) == (1, 10)
    assert (programme_before.count_share, programme_before.value_share) == (Decimal("0.0"), Decimal("0.0"))
    programme_now = _row(rows, NOW, None)
    assert (programme_now.organisations_recorded, programme_now.count_share) == (0, None)


def test_innovative_share_leaves_out_organisations_outside_the_programme(world):
    rows = selectors.innovative_share(scope=_programme_scope(world), period=PERIOD)

    assert {row.organisation for row in rows} == {world.alpha, world.beta, None}


def _alpha_scope(world):
    programme = selectors.programmes_of_organisation(organisation=world.alpha)[0]
    return selectors.scope_for_organisation(world.alpha, programme)


SECTIONS = (selectors.innovative_share, selectors.funnel, selectors.sme_participation, selectors.timing)


def test_organisation_scope_shows_only_its_own_rows_and_the_programme(world):
    scope = _alpha_scope(world)

    for section in SECTIONS:
        rows = section(scope=scope, period=PERIOD)
        assert {row.organisation for row in rows} == {world.alpha, None}


def test_organisation_scope_of_a_two_buyer_programme_has_no_programme_figures(world):
    """The programme's row minus Alpha's own would be Beta's: Alpha sees no programme figure at all."""
    scope = _alpha_scope(world)

    for section in SECTIONS:
        for row in section(scope=scope, period=PERIOD):
            if row.organisation is None:
                assert row.too_few
    share = _row(selectors.innovative_share(scope=scope, period=PERIOD), LAST, None)
    assert (share.innovative_count, share.procurement_count, share.procurement_value) == (0, None, None)
    assert (share.innovative_value, share.count_share, share.organisations_recorded) == (None, None, 0)
    funnel = _row(selectors.funnel(scope=scope, period=PERIOD), LAST, None)
    assert funnel.counts == {}
    timing = _row(selectors.timing(scope=scope, period=PERIOD), LAST, None)
    assert (timing.counts, timing.average_days) == ({}, None)
    exchanges = next(
        row for row in selectors.exchange_participation(scope=scope, period=PERIOD) if row.year == LAST
    )
    assert (exchanges.confirmed_from_buyers, exchanges.buyers_too_few) == (None, True)
    # Alpha's own figures are still there.
    assert _row(selectors.funnel(scope=scope, period=PERIOD), LAST, world.alpha)["drafted"] == 5


def _more_buyers(world, *volumes):
    """Buyers joining the programme; each with a LAST volume (count, value in EUR), or None for none."""
    for index, volume in enumerate(volumes):
        buyer = BuyerFactory(name=f"Other kommune {index}")
        world.programme.buyers.add(buyer)
        if volume is not None:
            ProcurementVolumeFactory(
                organisation=buyer, year=LAST, procurement_count=volume[0], procurement_value=volume[1]
            )


def test_organisation_scope_with_three_others_compares_with_the_programme_average(world):
    # Beta, and two more: 3 other buyers, all with a volume for LAST.
    _more_buyers(world, (10, "100000"), (20, "400000"))
    scope = _alpha_scope(world)

    share = selectors.innovative_share(scope=scope, period=PERIOD)
    programme = _row(share, LAST, None)
    # 3 innovative awards (c1, c2, c3) of 20 + 30 + 10 + 20 = 80 procurements; EUR and NOK: no value share.
    assert (programme.too_few, programme.organisations_recorded) == (False, 4)
    assert (programme.innovative_count, programme.procurement_count, programme.count_share) == (
        3,
        80,
        Decimal("3.8"),
    )
    assert programme.value_share is None
    # BEFORE: only Beta recorded a volume.
    assert _row(share, BEFORE, None).too_few

    funnel = _row(selectors.funnel(scope=scope, period=PERIOD), LAST, None)
    # The programme's totals (ideas 3, drafted 6, published 5, proposals 5, trials 1, awards 4) over 4.
    assert funnel.average_over == 4
    assert [funnel.shown(key) for key, _label in selectors.FUNNEL_STAGES] == [
        Decimal("0.8"),
        Decimal("1.5"),
        Decimal("1.3"),
        Decimal("1.3"),
        Decimal("0.3"),
        Decimal("1.0"),
    ]
    sme = _row(selectors.sme_participation(scope=scope, period=PERIOD), LAST, None)
    # 5 challenges and 5 bids over 4; the shares are the programme's, not averages of shares.
    assert (sme.shown("challenges"), sme.shown("bids"), sme.sme_share, sme.consortium_size) == (
        Decimal("1.3"),
        Decimal("1.3"),
        Decimal("60.0"),
        Decimal("3.0"),
    )
    timing = _row(selectors.timing(scope=scope, period=PERIOD), LAST, None)
    assert (timing.shown("timed_awards"), timing.average_days, timing.shown("questions")) == (
        Decimal("1.0"),
        Decimal("35.3"),
        Decimal("1.0"),
    )
    exchanges = next(
        row for row in selectors.exchange_participation(scope=scope, period=PERIOD) if row.year == LAST
    )
    # 4 confirmed from the programme's buyers (E1: 2 Alpha, 1 Beta; E2: 1 Beta) over 4 buyers.
    assert (exchanges.confirmed_from_buyers, exchanges.confirmed_from_buyers_shown) == (4, Decimal("1.0"))


def test_organisation_scope_share_needs_three_others_with_a_volume(world):
    # 3 other buyers, but only 2 of them (Beta and one more) recorded a volume for LAST.
    _more_buyers(world, (10, "100000"), None)
    scope = _alpha_scope(world)

    assert _row(selectors.innovative_share(scope=scope, period=PERIOD), LAST, None).too_few
    assert not _row(selectors.funnel(scope=scope, period=PERIOD), LAST, None).too_few


def test_organisation_scope_with_two_others_has_no_programme_figures(world):
    _more_buyers(world, (10, "100000"))
    scope = _alpha_scope(world)

    assert _row(selectors.innovative_share(scope=scope, period=PERIOD), LAST, None).too_few
    assert _row(selectors.funnel(scope=scope, period=PERIOD), LAST, None).too_few


def test_programme_scope_keeps_totals(world):
    _more_buyers(world, (10, "100000"), (20, "400000"))

    funnel = _row(selectors.funnel(scope=_programme_scope(world), period=PERIOD), LAST, None)

    assert (funnel.average_over, funnel.shown("drafted"), funnel.shown("ideas")) == (0, 6, 3)


def test_organisation_without_programme_sees_itself_alone(world):
    scope = selectors.scope_for_organisation(world.gamma, None)

    rows = selectors.innovative_share(scope=scope, period=PERIOD)

    assert {row.organisation for row in rows} == {world.gamma}
    gamma = _row(rows, LAST, world.gamma)
    # c5: 70 000 of 100 000 EUR, 1 of 5.
    assert (gamma.count_share, gamma.value_share) == (Decimal("20.0"), Decimal("70.0"))


def test_funnel(world):
    rows = selectors.funnel(scope=_programme_scope(world), period=PERIOD)

    alpha = _row(rows, LAST, world.alpha)
    # ideas: 2 published (the pending one has no publication); drafted: c1 c2 c4 c7 d1; published: c1 c2
    # c4 c7; proposals: p1 p2 p5 p7 (p3 withdrawn, p4 draft); trials: p1; awards: c1 c2 c4 (c7 no award).
    assert alpha.counts == {
        "ideas": 2,
        "drafted": 5,
        "published": 4,
        "proposals": 4,
        "trials": 1,
        "awards": 3,
    }
    beta = _row(rows, LAST, world.beta)
    assert beta.counts == {"ideas": 1, "drafted": 1, "published": 1, "proposals": 1, "trials": 0, "awards": 1}
    programme = _row(rows, LAST, None)
    assert programme.counts == {
        "ideas": 3,
        "drafted": 6,
        "published": 5,
        "proposals": 5,
        "trials": 1,
        "awards": 4,
    }


def test_funnel_never_counts_a_sealed_bid(world):
    rows = selectors.funnel(scope=_programme_scope(world), period=PERIOD)

    # This year Beta drafted and published c6, which has a submitted bid (p8) before its deadline.
    beta_now = _row(rows, NOW, world.beta)
    assert (beta_now["drafted"], beta_now["published"], beta_now["proposals"]) == (1, 1, 0)
    assert _row(rows, NOW, None)["proposals"] == 0


def test_sme_participation(world):
    rows = selectors.sme_participation(scope=_programme_scope(world), period=PERIOD)

    alpha = _row(rows, LAST, world.alpha)
    # Deadlines passed: c1 c2 c4 c7. Bids p1 p2 p5 p7; SMEs p1 (small) p5 (micro); first-time p1 (at
    # submission) p5 (profile, no snapshot); one consortium: p1 with 2 accepted partners (declined left out).
    assert alpha.counts == {
        "challenges": 4,
        "bids": 4,
        "sme_bids": 2,
        "first_time_bids": 2,
        "consortium_bids": 1,
        "consortium_partners": 2,
    }
    assert (alpha.bidders_per_challenge, alpha.sme_share, alpha.first_time_share, alpha.consortium_size) == (
        Decimal("1.0"),
        Decimal("50.0"),
        Decimal("50.0"),
        Decimal("3.0"),
    )
    beta = _row(rows, LAST, world.beta)
    assert (
        beta["challenges"],
        beta["bids"],
        beta.sme_share,
        beta.first_time_share,
        beta.consortium_size,
    ) == (
        1,
        1,
        Decimal("100.0"),
        Decimal("0.0"),
        None,
    )
    programme = _row(rows, LAST, None)
    assert (
        programme["bids"],
        programme.sme_share,
        programme.first_time_share,
        programme.consortium_size,
    ) == (
        5,
        Decimal("60.0"),
        Decimal("40.0"),
        Decimal("3.0"),
    )


def test_sme_participation_excludes_open_challenges(world):
    rows = selectors.sme_participation(scope=_programme_scope(world), period=PERIOD)

    beta_now = _row(rows, NOW, world.beta)
    assert (beta_now["challenges"], beta_now["bids"], beta_now.sme_share) == (0, 0, None)


def test_time_to_award_and_questions(world):
    rows = selectors.timing(scope=_programme_scope(world), period=PERIOD)

    alpha = _row(rows, LAST, world.alpha)
    # c1 61 days, c2 30, c4 30: 121 / 3; questions 3 over 4 published challenges.
    assert (alpha["timed_awards"], alpha.average_days) == (3, Decimal("40.3"))
    assert (alpha["published"], alpha["questions"], alpha.questions_per_challenge) == (4, 3, Decimal("0.8"))
    beta = _row(rows, LAST, world.beta)
    assert (beta.average_days, beta.questions_per_challenge) == (Decimal("20.0"), Decimal("1.0"))
    programme = _row(rows, LAST, None)
    # 141 days / 4 awards = 35.25; 4 questions / 5 challenges.
    assert (programme.average_days, programme.questions_per_challenge) == (Decimal("35.3"), Decimal("0.8"))
    assert _row(rows, BEFORE, None).average_days is None


def _year(rows, year):
    return next(row for row in rows if row.year == year)


def test_exchange_participation(world):
    rows = selectors.exchange_participation(scope=_programme_scope(world), period=PERIOD)

    last = _year(rows, LAST)
    # E1 and E2 (E3 in planning, E4 neither the programme's nor its buyers', E5 not yet held).
    assert (last.events, last.confirmed, last.confirmed_from_buyers, last.confirmed_from_organisation) == (
        2,
        5,
        4,
        None,
    )
    # Only E1 has surveys: of its 4 confirmed, 3 answered the (named) pre-exchange survey; the responses
    # of the person who cancelled and of someone not registered do not count. 2 answered the anonymous
    # reflection survey.
    assert (last.pre_responses, last.pre_registrations, last.pre_rate) == (3, 4, Decimal("75.0"))
    assert (last.reflection_responses, last.reflection_registrations, last.reflection_rate) == (
        2,
        4,
        Decimal("50.0"),
    )
    # Ratings 4 and 5 (the draft's 1 and the 0–10 answer are left out).
    assert (last.ratings, last.average_rating) == (2, Decimal("4.50"))
    before = _year(rows, BEFORE)
    assert (before.events, before.pre_rate, before.average_rating) == (0, None, None)


def test_exchange_participation_of_an_organisation(world):
    rows = selectors.exchange_participation(scope=_alpha_scope(world), period=PERIOD)

    # Alpha's 2 confirmed at E1 (its cancelled registration is not attendance).
    assert _year(rows, LAST).confirmed_from_organisation == 2


def test_exchange_participation_of_an_organisation_without_programme_counts_attendance_only(world):
    """Gamma is waitlisted at E1: that is no attendance, so E1 is not among its exchanges; it hosted E4."""
    rows = selectors.exchange_participation(
        scope=selectors.scope_for_organisation(world.gamma, None), period=PERIOD
    )

    last = _year(rows, LAST)
    # E4 only, with its 1 confirmed participant (from Alpha).
    assert (last.events, last.confirmed, last.confirmed_from_organisation) == (1, 1, 0)


def test_anonymous_survey_response_rate_is_capped_at_each_exchange(world):
    """Two more exchanges of the programme in LAST with anonymous pre-exchange surveys: one with 3 responses
    for 2 confirmed participants (counted as 2, not 3), one with 1 response for 2 (counted as 1)."""
    for responses in (3, 1):
        event = ExchangeEventFactory(
            programme=world.e1.programme,
            host=world.delta,
            starts_at=at(LAST, 10, 1, 7),
            status=EventStatus.COMPLETED,
            registration_opens_at=at(LAST, 6, 1),
            pre_survey=survey_with_answers(
                kind=SurveyKind.PRE_EXCHANGE, respondents=[None] * responses, drafts=0, anonymous=True
            ),
        )
        RegistrationFactory.create_batch(2, event=event, organisation=world.delta)

    last = _year(selectors.exchange_participation(scope=_programme_scope(world), period=PERIOD), LAST)

    # E1: 3 of 4; the new ones: 2 of 2 (capped) and 1 of 2. Uncapped it would be 7 of 8.
    assert (last.pre_responses, last.pre_registrations, last.pre_rate) == (6, 8, Decimal("75.0"))
