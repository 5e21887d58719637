"""The scoring list and the moderation page are kept per person under the version of the rows they are
rendered from (portal/web/fragments.py, SCORING_ROWS, MODERATION_ROWS): on PostgreSQL, in a read-only
snapshot of their own, never inside another transaction, which is why these tests commit
(transaction=True). A write that bypasses the services and their signals (a bulk UPDATE, a bulk insert)
still shows at once, because the database gives the rows their version."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
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
from portal.accounts.enums import MembershipRole
from portal.accounts.models import Membership, Organisation, User
from portal.web.fragments import FRAGMENTS_CACHE, snapshot
from suppliers.enums import PartnerStatus
from suppliers.models import ConsortiumPartner, Proposal
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.challenges import ChallengeFactory
from tests.factories.suppliers import SubmittedProposalFactory

from .conftest import evaluator_of
from .test_scoring_views import _panel_with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# What every signed-in page reads for its layout, before and around the view: the session, their second
# factors and their unread notifications. The pages themselves read none of them. (The person's own row is
# read too; they are on the panel, whose members' rows the version covers.)
LAYOUT_TABLES = {"django_session", "mfa_authenticator", "notifications_notification"}


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

    # the session, the person; in the snapshot (BEGIN, its isolation, COMMIT): the version, the roles, the
    # challenge with the chair's row; the unread count
    with django_assert_num_queries(9):
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


def test_a_partners_new_name_shows_at_once(client):
    ev = _chair_signed_in(client, rows=1)
    partner = _accepted_partner(ev, "Partner Before Oy")
    ConflictDeclaration.objects.bulk_create(
        [
            ConflictDeclaration(evaluator=evaluator_of(ev, actor), organisation=partner, has_conflict=False)
            for actor in ("chair", "other")
        ]
    )
    assert "Partner Before Oy" in _page(client, ev)

    Organisation.objects.filter(pk=partner.pk).update(name="Partner After Oy")

    assert "Partner After Oy" in _page(client, ev)


def _accepted_partner(ev, name: str):
    """A partner of the bid, accepted, written in bulk (no signal)."""
    partner = SupplierFactory(name=name)
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
    return partner


def _add_partner(ev):
    _accepted_partner(ev, "Bulk Partner AS")
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
    with snapshot():
        before = scoring_version(challenge_id=challenge.pk, user_id=ev["chair"].pk)

    time.sleep(1.2)

    with snapshot():
        assert scoring_version(challenge_id=challenge.pk, user_id=ev["chair"].pk) != before


def test_a_version_only_in_a_snapshot_of_its_own():
    # Inside a transaction that may have written, a row written twice keeps its xmin, and the transaction may
    # roll back: the pages are then rendered every time.
    ev = _panel_with(1)
    mine = {"challenge_id": ev["challenge"].pk, "user_id": ev["chair"].pk}
    assert scoring_version(**mine) is None
    with transaction.atomic(), snapshot():
        assert scoring_version(**mine) is None
    with snapshot():
        assert scoring_version(**mine) is not None


def test_the_version_follows_the_persons_memberships_only():
    ev = _panel_with(1)
    mine = {"challenge_id": ev["challenge"].pk, "user_id": ev["chair"].pk}
    with snapshot():
        before = scoring_version(**mine)

    MembershipFactory(user=ev["other"])
    with snapshot():
        assert scoring_version(**mine) == before
    Membership.objects.filter(user=ev["chair"]).update(role=MembershipRole.ADMIN)
    with snapshot():
        assert scoring_version(**mine) != before


@pytest.mark.parametrize("name", ["scoring", "moderation"])
def test_the_version_and_everything_the_page_shows_are_read_in_one_snapshot(client, name):
    ev = _chair_signed_in(client, rows=1)
    caches[FRAGMENTS_CACHE].clear()

    with CaptureQueriesContext(connection) as queries:
        _page(client, ev, name)

    sqls = [query["sql"] for query in queries]
    begin = sqls.index("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    end = sqls.index("COMMIT", begin)
    shown = ("accounts_membership", "challenges_challenge", "evaluation_evaluator", "suppliers_proposal")
    reading = [i for i, sql in enumerate(sqls) if any(f'"{table}"' in sql for table in shown)]
    version = next(i for i, sql in enumerate(sqls) if sql.startswith("WITH challenge AS MATERIALIZED"))
    assert reading and all(begin < i < end for i in [*reading, version])


def test_the_version_is_read_for_panel_members_only(client):
    # A signed-in supplier asking for a challenge's scoring list is refused before the version (which grows
    # with the challenge's bids) is read.
    ev = _chair_signed_in(client, rows=1)
    client.force_login(MembershipFactory(organisation=SupplierFactory()).user)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(ev)).status_code == 404

    assert not any(query["sql"].startswith("WITH challenge AS") for query in queries)


def test_sealed_bids_are_not_in_the_version():
    ev = _panel_with(1)
    challenge = ev["challenge"]
    Challenge.objects.filter(pk=challenge.pk).update(submission_deadline=timezone.now() + timedelta(days=1))
    mine = {"challenge_id": challenge.pk, "user_id": ev["chair"].pk}
    with snapshot():
        before = scoring_version(**mine)

    SubmittedProposalFactory(challenge=challenge)

    with snapshot():
        assert scoring_version(**mine) == before


@pytest.mark.parametrize("name", ["scoring", "moderation"])
def test_a_challenge_that_does_not_exist_or_has_no_deadline_is_a_404(client, name):
    ev = _chair_signed_in(client, rows=1)
    draft = ChallengeFactory(owner=ev["challenge"].owner, submission_deadline=None)

    assert client.get(reverse(f"evaluation:{name}", kwargs={"pk": 987654})).status_code == 404
    assert client.get(reverse(f"evaluation:{name}", kwargs={"pk": draft.pk})).status_code == 404


def test_people_whom_only_their_account_tells_apart_get_their_own_lists(client):
    # Without memberships, and both signed in already (signing in writes the person's row), the chair's and
    # the other evaluator's rows are the same to the version: only the key's person keeps their lists apart.
    ev = _chair_signed_in(client, rows=1)
    other = Client()
    other.force_login(ev["other"])
    Membership.objects.filter(user__in=[ev["chair"], ev["other"]]).delete()

    chairs = _page(client, ev)
    others = _page(other, ev)

    assert "The panel's sheets" in chairs
    assert "The panel's sheets" not in others


def test_each_page_of_the_list_is_kept_apart_and_other_queries_are_not_kept(client):
    ev = _chair_signed_in(client, rows=51)
    titles = list(Proposal.objects.filter(challenge=ev["challenge"]).order_by("submitted_at", "pk"))
    first = _page(client, ev)

    second = client.get(_url(ev) + "?page=2").content.decode()

    assert titles[0].title in first and titles[50].title not in first
    assert titles[50].title in second and titles[0].title not in second
    kept = len(caches[FRAGMENTS_CACHE]._cache)
    for made_up in ("?page=2&x=1", "?x=1", "?page=last", "?page=0002", "?page=1&page=2"):
        assert client.get(_url(ev) + made_up).status_code == 200
    assert len(caches[FRAGMENTS_CACHE]._cache) == kept


def test_no_version_is_read_with_the_cache_turned_off(settings):
    ev = _panel_with(1)
    settings.PRIVATE_FRAGMENT_CACHE_SECONDS = 0

    with snapshot():
        assert scoring_version(challenge_id=ev["challenge"].pk, user_id=ev["chair"].pk) is None
