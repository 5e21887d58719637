"""The scoring list is kept per person under the version of the rows it is rendered from
(portal/web/fragments.py, SCORING_ROWS): on PostgreSQL, outside a transaction, which is why these tests
commit (transaction=True). A write that bypasses the services and their signals (a bulk UPDATE, a bulk
insert) still shows at once, because the database gives the rows their version."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.evaluation.models import (
    ConflictDeclaration,
    ConsensusScore,
    Evaluator,
    Panel,
    Score,
    ScoreSheet,
)
from challenges.evaluation.selectors.scoring import MODERATION_ROWS, SCORING_ROWS, scoring_version
from challenges.models import Challenge
from portal.accounts.models import Organisation, User
from portal.web.fragments import FRAGMENTS_CACHE
from suppliers.enums import PartnerStatus
from suppliers.models import ConsortiumPartner, Proposal
from tests.factories.accounts import SupplierFactory

from .conftest import evaluator_of
from .test_scoring_views import _panel_with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# What every signed-in page reads for its layout, before and around the view: the session, the person, their
# second factors and their unread notifications. The list itself reads none of them.
LAYOUT_TABLES = {"django_session", "accounts_user", "mfa_authenticator", "notifications_notification"}


def _url(ev, name="scoring") -> str:
    return reverse(f"evaluation:{name}", kwargs={"pk": ev["challenge"].pk})


def _page(client, ev, name="scoring") -> str:
    response = client.get(_url(ev, name))
    assert response.status_code == 200
    # The layout's forms carry a fresh CSRF token on every response; the list carries none.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _chair_signed_in(client, rows: int = 3):
    ev = _panel_with(rows)
    client.force_login(ev["chair"])
    return ev


@pytest.mark.parametrize(("name", "rows"), [("scoring", SCORING_ROWS), ("moderation", MODERATION_ROWS)])
def test_the_version_covers_every_table_the_page_reads(client, name, rows):
    ev = _chair_signed_in(client)
    caches[FRAGMENTS_CACHE].clear()

    with CaptureQueriesContext(connection) as queries:
        _page(client, ev, name)

    # Tables named by the ORM (quoted); the version's own query names them unquoted.
    read = {table for query in queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"])}
    covered = {source.model._meta.db_table for source in rows}
    assert "suppliers_proposal" in read and "evaluation_scoresheet" in read  # the page was rendered
    assert read - LAYOUT_TABLES <= covered, f"not covered: {sorted(read - LAYOUT_TABLES - covered)}"


@pytest.mark.parametrize("rows", [1, 50])
def test_a_kept_list_is_served_in_the_same_few_queries(client, django_assert_num_queries, rows):
    ev = _chair_signed_in(client, rows)
    first = _page(client, ev)

    # the session, the person, the version, the challenge with the chair's row, the roles, the unread count
    with django_assert_num_queries(6):
        again = _page(client, ev)

    assert again == first
    assert all(bid.title in again for bid in Proposal.objects.filter(challenge=ev["challenge"])[:50])


def _bid(ev) -> Proposal:
    return Proposal.objects.filter(challenge=ev["challenge"]).select_related("supplier").get()


def _rename_bid(ev):
    Proposal.objects.filter(pk=_bid(ev).pk).update(title="A renamed proposal")
    return lambda page: "A renamed proposal" in page


def _rename_bidder(ev):
    Organisation.objects.filter(pk=_bid(ev).supplier_id).update(name="Renamed Supplier Oy")
    return lambda page: "Renamed Supplier Oy" in page


def _declare_conflict(ev):
    title = _bid(ev).title
    ConflictDeclaration.objects.filter(
        evaluator=evaluator_of(ev, "chair"), organisation_id=_bid(ev).supplier_id
    ).update(has_conflict=True)
    return lambda page: title not in page


def _reopen_own_sheet(ev):
    ScoreSheet.objects.filter(evaluator=evaluator_of(ev, "chair")).update(submitted_at=None)
    return lambda page: "Draft" in page and "1 of 2 sheets submitted" in page


def _reopen_others_sheet(ev):
    ScoreSheet.objects.filter(evaluator=evaluator_of(ev, "other")).update(submitted_at=None)
    return lambda page: "1 of 2 sheets submitted" in page


def _add_partner(ev):
    partner = SupplierFactory(name="Bulk Partner AS")
    ConsortiumPartner.objects.bulk_create(
        [
            ConsortiumPartner(
                proposal=_bid(ev),
                organisation=partner,
                status=PartnerStatus.ACCEPTED,
                role="Data",
                work_share=20,
            )
        ]
    )
    # A new bidding organisation: nobody has declared about it, so the list asks for the declarations.
    return lambda page: "Declare conflicts" in page


def _set_scoring_deadline(ev):
    # The panel's settings row is written on first use: inserted here in bulk.
    deadline = timezone.now() + timedelta(days=3)
    Panel.objects.bulk_create([Panel(challenge=ev["challenge"], scoring_deadline=deadline)])
    return lambda page: "Scoring deadline:" in page


def _rename_challenge(ev):
    Challenge.objects.filter(pk=ev["challenge"].pk).update(title="A renamed challenge")
    return lambda page: "A renamed challenge" in page


@pytest.mark.parametrize(
    "change",
    [
        _rename_bid,
        _rename_bidder,
        _declare_conflict,
        _reopen_own_sheet,
        _reopen_others_sheet,
        _add_partner,
        _set_scoring_deadline,
        _rename_challenge,
    ],
)
def test_a_write_that_bypasses_the_services_shows_at_once(client, change):
    ev = _chair_signed_in(client, rows=1)
    before = _page(client, ev)

    shows = change(ev)

    assert not shows(before)
    assert shows(_page(client, ev))


def _change_a_score(ev):
    Score.objects.filter(sheet__evaluator=evaluator_of(ev, "other")).update(justification="Changed in bulk")
    return lambda page: "Changed in bulk" in page


def _rename_an_evaluator(ev):
    User.objects.filter(pk=ev["other"].pk).update(full_name="Renamed Evaluator")
    return lambda page: "Renamed Evaluator" in page


def _record_consensus(ev):
    bid = _bid(ev)
    ConsensusScore.objects.bulk_create(
        [
            ConsensusScore(
                proposal=bid, criterion=criterion, value=5, rationale="Agreed in bulk", decided_by=ev["chair"]
            )
            for criterion in ev["challenge"].criteria.all()
        ]
    )
    return lambda page: "Agreed in bulk" in page


@pytest.mark.parametrize(
    "change", [_change_a_score, _rename_an_evaluator, _record_consensus, _declare_conflict]
)
def test_a_write_that_bypasses_the_services_shows_on_moderation_at_once(client, change):
    ev = _chair_signed_in(client, rows=1)
    before = _page(client, ev, "moderation")

    shows = change(ev)

    assert not shows(before)
    assert shows(_page(client, ev, "moderation"))


def test_a_member_removed_from_the_panel_is_refused_at_once(client):
    ev = _chair_signed_in(client, rows=1)
    _page(client, ev)

    Evaluator.objects.filter(pk=evaluator_of(ev, "chair").pk).update(removed_at=timezone.now())

    assert client.get(_url(ev)).status_code == 404


def test_each_person_is_served_their_own_list(client):
    ev = _chair_signed_in(client, rows=2)
    chairs = _page(client, ev)
    client.force_login(ev["other"])

    others = _page(client, ev)

    assert "The panel's sheets" in chairs
    assert "The panel's sheets" not in others
    client.force_login(ev["chair"])
    assert "The panel's sheets" in _page(client, ev)


def test_the_version_moves_on_when_the_deadline_passes():
    ev = _panel_with(1)
    challenge = ev["challenge"]
    Challenge.objects.filter(pk=challenge.pk).update(
        submission_deadline=timezone.now() + timedelta(seconds=1)
    )
    before = scoring_version(challenge_id=challenge.pk, user_id=ev["chair"].pk)

    time.sleep(1.2)

    assert scoring_version(challenge_id=challenge.pk, user_id=ev["chair"].pk) != before


def test_no_version_inside_a_transaction():
    # A row written twice in one transaction keeps its xmin, and a transaction may roll back: the list is
    # then rendered every time.
    ev = _panel_with(1)
    with transaction.atomic():
        assert scoring_version(challenge_id=ev["challenge"].pk, user_id=ev["chair"].pk) is None
    assert scoring_version(challenge_id=ev["challenge"].pk, user_id=ev["chair"].pk) is not None
