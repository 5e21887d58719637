"""Every dashboard figure against the hand-computed world of conftest.py."""

from decimal import Decimal

import pytest

from portal.insight import selectors
from portal.insight.selectors import Period

from .conftest import BEFORE, LAST, NOW

pytestmark = pytest.mark.django_db

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


def test_organisation_scope_shows_only_its_own_rows_and_the_programme(world):
    programme = selectors.programmes_of_organisation(organisation=world.alpha)[0]
    scope = selectors.scope_for_organisation(world.alpha, programme)

    for section in (
        selectors.innovative_share,
        selectors.funnel,
        selectors.sme_participation,
        selectors.timing,
    ):
        rows = section(scope=scope, period=PERIOD)
        assert {row.organisation for row in rows} == {world.alpha, None}
    # The programme's figures are still over both organisations.
    rows = selectors.innovative_share(scope=scope, period=PERIOD)
    assert _row(rows, LAST, None).count_share == Decimal("6.0")


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


def test_exchange_participation(world):
    programme = _programme_scope(world).programme
    scope = selectors.scope_for_organisation(world.alpha, programme)

    rows = selectors.exchange_participation(scope=scope, period=PERIOD)

    last = next(row for row in rows if row.year == LAST)
    # E1 and E2 (E3 in planning, E4 neither the programme's nor its buyers', E5 not yet held).
    assert (last.events, last.confirmed, last.confirmed_from_buyers, last.confirmed_from_organisation) == (
        2,
        5,
        4,
        2,
    )
    # Only E1 has surveys: 3 of its 4 confirmed answered the pre-exchange survey, 2 the reflection.
    assert (last.pre_responses, last.pre_registrations, last.pre_rate) == (3, 4, Decimal("75.0"))
    assert (last.reflection_responses, last.reflection_registrations, last.reflection_rate) == (
        2,
        4,
        Decimal("50.0"),
    )
    # Ratings 4 and 5 (the draft's 1 and the 0–10 answer are left out).
    assert (last.ratings, last.average_rating) == (2, Decimal("4.50"))
    before = next(row for row in rows if row.year == BEFORE)
    assert (before.events, before.pre_rate, before.average_rating) == (0, None, None)
