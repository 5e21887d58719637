"""Issue 8, part 4: the broker is down (stopped) or hanging (it accepts connections and answers nothing)
while a supplier submits a proposal. The submission succeeds within a second, its receipt mails wait in
the outbox, and once the broker is back a real worker delivers each of them exactly once (counted at a
real SMTP server). The broker is a redis-server of the test's own, so stopping it disturbs nobody."""

import os
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.notifications.enums import OutboxStatus
from portal.notifications.models import OutboxMail
from portal.notifications.services import SWEEP_GRACE
from portal.notifications.tasks import publish, sweep_outbox_task
from suppliers.enums import ProposalStatus
from suppliers.models import Proposal
from tests.factories.accounts import MembershipFactory
from tests.factories.challenges import PublishedChallengeFactory
from tests.factories.suppliers import ProposalFactory
from tests.faults.support import wait_for
from tests.suppliers.test_submission_services import make_complete

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def submit_as_the_lead(client) -> tuple[Proposal, float]:
    """POST the submission as the lead would; returns the proposal and the request's seconds."""
    challenge = PublishedChallengeFactory()
    proposal = make_complete(ProposalFactory(challenge=challenge))
    lead = MembershipFactory(organisation=proposal.supplier).user
    MembershipFactory(organisation=proposal.supplier)  # a colleague, who gets the receipt too
    client.force_login(lead)
    client.get("/")  # the first request of a process loads every URL module: not what is measured
    started = time.monotonic()
    response = client.post(reverse("suppliers:proposal-submit", args=[proposal.pk]), {"confirm": "on"})
    seconds = time.monotonic() - started
    assert response.status_code == 302, response.content[:1000]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    return proposal, seconds


@pytest.mark.parametrize("outage", ["stopped", "hanging"])
def test_a_submission_during_a_broker_outage_succeeds_fast_and_mails_once_when_it_is_back(
    client, outage, broker, queue, private_redis, smtp_sink, start_worker, handing_over
):
    redis_server = private_redis()
    sink = smtp_sink()
    broker(redis_server.url)
    worker = start_worker(queue=queue, broker_url=redis_server.url, smtp_port=sink.port)
    if outage == "stopped":
        redis_server.stop()
    else:
        redis_server.pause()

    _proposal, seconds = submit_as_the_lead(client)

    print(
        f"\nsubmission with the broker {outage}: {seconds * 1000:.0f} ms, of which handing the mails to "
        f"the broker {sum(handing_over) * 1000:.0f} ms (load {os.getloadavg()[0]:.1f})"
    )
    assert len(handing_over) == 1  # it did try the broker, after the commit
    assert sum(handing_over) < 0.75  # bounded: one attempt with 0.5 s socket timeouts, no retries
    # Within a second, on a machine with its cores to itself; more when others' work oversubscribes them.
    assert seconds < 1 * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    mails = list(OutboxMail.objects.values_list("pk", flat=True))
    assert len(mails) >= 2  # the receipt, to the lead and to the colleague
    assert set(OutboxMail.objects.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    assert sink.messages == 0

    if outage == "stopped":
        redis_server.start()  # on the same port
    else:
        redis_server.resume()
    # The periodic sweep (every minute, by beat) hands out mails older than SWEEP_GRACE; run it now, as
    # the worker would, rather than wait.
    OutboxMail.objects.update(created_at=timezone.now() - SWEEP_GRACE - timedelta(seconds=1))
    publish(sweep_outbox_task)

    def all_sent() -> bool:
        assert worker.alive(), worker.log()
        return OutboxMail.objects.filter(status=OutboxStatus.SENT).count() == len(mails)

    wait_for(all_sent, timeout=60, interval=0.2, message=worker.log)
    wait_for(lambda: sink.messages == len(mails), timeout=10)
    # The sweep runs again (as it will, every minute): nothing goes twice.
    publish(sweep_outbox_task)
    time.sleep(2)
    assert sorted(sink.by_mail_id) == sorted(str(pk) for pk in mails)
    assert sink.duplicates() == {}
    assert sink.messages == len(mails)
