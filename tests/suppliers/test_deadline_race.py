"""The deadline race, on PostgreSQL: submissions just before and just after the deadline, two submissions
of one proposal at once, and a submission that starts before the deadline but gets the row lock after it.
Each thread has its own database connection, as concurrent requests do."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections

from challenges.models import Challenge
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal, Receipt
from suppliers.services.submission import (
    AlreadySubmittedError,
    DeadlinePassedError,
    submit_proposal,
)

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
