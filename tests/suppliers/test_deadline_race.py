"""The deadline race, on PostgreSQL: submissions just before and just after the deadline, two submissions
of one proposal at once, a submission that starts before the deadline but gets the row lock after it, the
same through the web (two POSTs around the deadline, a double click), and two bids that share a supplier
submitted at once. Each thread has its own database connection, as concurrent requests do."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from challenges.models import Challenge
from portal.accounts.enums import MembershipRole
from portal.audit.models import AuditEvent
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal, Receipt
from suppliers.services.consortia import accept_partner_invitation, invite_partner_organisation
from suppliers.services.proposals import start_proposal
from suppliers.services.submission import (
    AlreadySubmittedError,
    BidsTwiceError,
    DeadlinePassedError,
    submit_proposal,
)
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.suppliers import ProposalFactory

from .test_submission_services import make_complete

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _database_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        return cursor.fetchone()[0]


def _deadline_in(challenge, delta: timedelta):
    """Set the deadline relative to the database's clock (the one the service decides by)."""
    deadline = _database_now() + delta
    Challenge.objects.filter(pk=challenge.pk).update(questions_deadline=None, submission_deadline=deadline)
    return deadline


def _sleep_past(deadline):
    while _database_now() <= deadline:
        time.sleep(0.05)


@pytest.fixture
def bid(actors):
    actors["proposal"] = make_complete(actors["proposal"])
    return actors


def test_submission_a_moment_before_the_deadline_is_accepted(bid):
    deadline = _deadline_in(bid["challenge"], timedelta(seconds=1))

    receipt = submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert receipt.submitted_at < deadline
    assert Proposal.objects.get(pk=bid["proposal"].pk).status == ProposalStatus.SUBMITTED


def test_submission_a_moment_after_the_deadline_is_refused(bid):
    deadline = _deadline_in(bid["challenge"], timedelta(milliseconds=200))
    _sleep_past(deadline)

    with pytest.raises(DeadlinePassedError):
        submit_proposal(proposal=bid["proposal"], by=bid["lead"])

    assert Receipt.objects.count() == 0
    assert Proposal.objects.get(pk=bid["proposal"].pk).status == ProposalStatus.DRAFT


def _run_in_threads(target, args_list):
    outcomes = []

    def run(*args):
        try:
            outcomes.append(target(*args))
        except Exception as error:  # recorded for the assertions
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_submissions_of_one_proposal_at_once_give_exactly_one_receipt(bid):
    barrier = threading.Barrier(2)

    def submit(user):
        barrier.wait()
        return submit_proposal(proposal=bid["proposal"], by=user)

    outcomes = _run_in_threads(submit, [(bid["lead"],), (bid["lead_admin"],)])

    receipts = [outcome for outcome in outcomes if isinstance(outcome, Receipt)]
    already = [outcome for outcome in outcomes if isinstance(outcome, AlreadySubmittedError)]
    assert (len(receipts), len(already)) == (1, 1), outcomes
    assert already[0].receipt == receipts[0]
    assert Receipt.objects.count() == 1
    assert Receipt.objects.get().number == 1


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_a_submission_that_gets_the_lock_after_the_deadline_is_refused(bid):
    """The request arrives before the deadline, waits for the proposal's row (a colleague's save holds it)
    and gets it after the deadline: the clock read after the lock decides, so it is refused."""
    proposal = bid["proposal"]
    deadline = _deadline_in(bid["challenge"], timedelta(seconds=2))
    started = []
    holder = connections.create_connection("default")  # the colleague's connection, holding the row

    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM suppliers_proposal WHERE id = %s FOR UPDATE", [proposal.pk])

            def submit():
                started.append(_database_now())
                return submit_proposal(proposal=proposal, by=bid["lead"])

            thread_outcomes: list = []
            thread = threading.Thread(target=lambda: thread_outcomes.extend(_run_in_threads(submit, [()])))
            thread.start()
            for _ in range(100):
                if _waiting_for_a_lock():
                    break
                time.sleep(0.05)
            assert _waiting_for_a_lock(), "the submission should be waiting for the row lock"
            _sleep_past(deadline)
            cursor.execute("COMMIT")
        thread.join(timeout=30)
    finally:
        holder.close()

    assert started and started[0] < deadline
    assert len(thread_outcomes) == 1 and isinstance(thread_outcomes[0], DeadlinePassedError), thread_outcomes
    assert Receipt.objects.count() == 0
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_a_submission_that_gets_the_lock_before_the_deadline_is_accepted(bid):
    """The same wait, released before the deadline: accepted, with the time it got the lock."""
    proposal = bid["proposal"]
    deadline = _deadline_in(bid["challenge"], timedelta(seconds=5))
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM suppliers_proposal WHERE id = %s FOR UPDATE", [proposal.pk])
            thread_outcomes: list = []
            thread = threading.Thread(
                target=lambda: thread_outcomes.extend(
                    _run_in_threads(lambda: submit_proposal(proposal=proposal, by=bid["lead"]), [()])
                )
            )
            thread.start()
            for _ in range(100):
                if _waiting_for_a_lock():
                    break
                time.sleep(0.05)
            time.sleep(0.5)
            released = _database_now()
            cursor.execute("COMMIT")
        thread.join(timeout=30)
    finally:
        holder.close()

    assert len(thread_outcomes) == 1 and isinstance(thread_outcomes[0], Receipt), thread_outcomes
    # Its time is the database's after the lock was granted, not when the request started to wait.
    assert released <= thread_outcomes[0].submitted_at < deadline


# Through the web: requests in threads, each with its own client and database connection


def _second_complete_bid(challenge):
    """Another supplier's complete draft to the same challenge, and a member of it."""
    proposal = make_complete(ProposalFactory(challenge=challenge))
    return proposal, MembershipFactory(organisation=proposal.supplier, role=MembershipRole.ADMIN).user


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submit_url(proposal) -> str:
    return reverse("suppliers:proposal-submit", kwargs={"pk": proposal.pk})


def test_two_posts_around_the_deadline_only_the_one_before_it_submits(bid):
    """Two suppliers press "Submit" around the deadline: the request before it gets its receipt, the one a
    moment after it is refused with the reason, and its proposal stays a draft."""
    early_client = _signed_in(bid["lead"])
    late_proposal, late_user = _second_complete_bid(bid["challenge"])
    late_client = _signed_in(late_user)
    deadline = _deadline_in(bid["challenge"], timedelta(seconds=1))
    barrier = threading.Barrier(2)

    def post(client, proposal, after_deadline):
        barrier.wait()
        if after_deadline:
            _sleep_past(deadline)
        return client.post(_submit_url(proposal), {"confirm": "on"})

    outcomes = _run_in_threads(
        lambda name, *args: (name, post(*args)),
        [("early", early_client, bid["proposal"], False), ("late", late_client, late_proposal, True)],
    )

    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    early, late = dict(outcomes)["early"], dict(outcomes)["late"]

    receipt = Receipt.objects.get()
    assert receipt.proposal_id == bid["proposal"].pk
    assert receipt.submitted_at < deadline
    assert (early.status_code, early["Location"]) == (302, receipt.get_absolute_url())
    assert late.status_code == 200
    assert "The deadline for proposals to this challenge has passed" in late.content.decode()
    assert Proposal.objects.get(pk=late_proposal.pk).status == ProposalStatus.DRAFT


def test_a_double_click_before_the_deadline_submits_once(bid):
    """Two POSTs from the same browser at once: one submission, one receipt, and both answers lead to it."""
    first = _signed_in(bid["lead"])
    second = Client()
    second.cookies = first.cookies  # the same session, as a second click sends
    _deadline_in(bid["challenge"], timedelta(seconds=30))
    barrier = threading.Barrier(2)

    def post(client):
        barrier.wait()
        return client.post(_submit_url(bid["proposal"]), {"confirm": "on"})

    responses = _run_in_threads(post, [(first,), (second,)])

    receipt = Receipt.objects.get()
    assert [response.status_code for response in responses] == [302, 302], responses
    assert {response["Location"] for response in responses} == {receipt.get_absolute_url()}
    assert receipt.number == 1
    assert Proposal.objects.get(pk=bid["proposal"].pk).status == ProposalStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="proposal.submitted").count() == 1


# One supplier, one bid, when its two bids are submitted at the same moment


def test_two_bids_sharing_a_supplier_submitted_at_once_give_one_submission(bid):
    """An organisation with its own complete bid has also joined the lead's consortium (it joined while its
    own draft was empty). Both are submitted in the same moment: the challenge's lock decides them one
    after the other, and the second is refused."""
    organisation = SupplierFactory(name="Twice Bidding AS")
    own_user = MembershipFactory(organisation=organisation, role=MembershipRole.ADMIN).user
    own, _created = start_proposal(challenge=bid["challenge"], organisation=organisation, by=own_user)
    partner = invite_partner_organisation(
        proposal=bid["proposal"], by=bid["lead_admin"], organisation=organisation, role="Data", work_share=10
    )
    accept_partner_invitation(partner=partner, by=own_user)
    Proposal.objects.filter(pk=bid["proposal"].pk).update(lead_share=Decimal("60"))
    Proposal.objects.filter(pk=own.pk).update(summary="S", approach="A", team="T", timeline="T", price=1000)
    own = make_complete(Proposal.objects.get(pk=own.pk))
    consortium = Proposal.objects.get(pk=bid["proposal"].pk)
    barrier = threading.Barrier(2)

    def submit(proposal, user):
        barrier.wait()
        return submit_proposal(proposal=proposal, by=user)

    outcomes = _run_in_threads(submit, [(own, own_user), (consortium, bid["lead"])])

    receipts = [outcome for outcome in outcomes if isinstance(outcome, Receipt)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, BidsTwiceError)]
    assert (len(receipts), len(refused)) == (1, 1), outcomes
    assert refused[0].organisation == organisation
    assert Proposal.objects.filter(status=ProposalStatus.SUBMITTED).count() == 1
    assert Receipt.objects.count() == 1
