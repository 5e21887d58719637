"""The outbox pieces the fault tests rely on, without real services: a delivery that runs again under its
own token takes back its claims at once; one that stalled past the lease leaves alone the mails the sweep
handed on meanwhile; outbox_batch() hands a fan-out's mails over in one go; notify_each() gives each
recipient their own context in a fixed number of queries; claim_reminders() claims in one statement and
never twice."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from django.utils import timezone

from portal.accounts.kinds import ROLE_CHANGED
from portal.notifications import services
from portal.notifications.enums import OutboxStatus
from portal.notifications.models import Notification, OutboxMail
from portal.notifications.services import (
    DELIVERY_BATCH_SIZE,
    claim_reminders,
    deliver_outbox_mails,
    notify,
    notify_each,
    outbox_batch,
)
from tests.factories.accounts import OrganisationFactory, UserFactory
from tests.factories.notifications import OutboxMailFactory

pytestmark = pytest.mark.django_db


def claimed_by(token: str, **kwargs) -> OutboxMail:
    return OutboxMailFactory(
        status=OutboxStatus.SENDING, claimed_at=timezone.now(), claimed_by=token, attempts=1, **kwargs
    )


def test_a_delivery_run_again_under_its_token_takes_back_its_claim_at_once():
    mine = claimed_by("task-1")

    assert deliver_outbox_mails(mail_ids=[mine.pk], claim_token="task-1") == 1

    mine.refresh_from_db()
    assert (mine.status, mine.attempts, mine.claimed_by) == (OutboxStatus.SENT, 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("token", ["task-2", ""])
def test_another_delivery_leaves_a_fresh_claim_alone(token):
    theirs = claimed_by("task-1")

    assert deliver_outbox_mails(mail_ids=[theirs.pk], claim_token=token) == 0

    theirs.refresh_from_db()
    assert (theirs.status, theirs.claimed_by) == (OutboxStatus.SENDING, "task-1")
    assert mail.outbox == []


def test_the_rest_of_a_batch_is_given_back_untried_when_the_mail_server_is_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    first, second = OutboxMailFactory.create_batch(2)

    assert deliver_outbox_mails(mail_ids=[first.pk, second.pk], claim_token="task-1") == 0

    assert sorted(OutboxMail.objects.values_list("status", "attempts", "claimed_by")) == [
        (OutboxStatus.PENDING, 0, ""),
        (OutboxStatus.PENDING, 1, ""),
    ]


def test_outbox_batch_hands_a_fanouts_mails_over_once_after_the_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    handed_over = []
    monkeypatch.setattr(services, "enqueue_delivery", lambda *, mail_ids: handed_over.append(list(mail_ids)))
    organisation = OrganisationFactory()
    users = UserFactory.create_batch(3)

    context = {"organisation": organisation, "role": "x"}

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
        outbox_batch(),
    ):
        for user in users:  # one by one, as a fan-out with a context per person does
            notify(recipients=[user], kind=ROLE_CHANGED, context=context)
        assert handed_over == []

    assert len(callbacks) == 1
    assert handed_over == [list(OutboxMail.objects.order_by("pk").values_list("pk", flat=True))]


def test_outbox_batch_hands_over_nothing_when_the_block_fails(
    monkeypatch, django_capture_on_commit_callbacks
):
    handed_over = []
    monkeypatch.setattr(services, "enqueue_delivery", lambda *, mail_ids: handed_over.append(list(mail_ids)))
    context = {"organisation": None, "role": "x"}

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
        outbox_batch(),
    ):
        notify(recipients=[UserFactory()], kind=ROLE_CHANGED, context=context)
        1 / 0  # noqa: B018

    assert handed_over == []
    assert OutboxMail.objects.count() == 0


def test_delivery_batches_stay_at_the_batch_size(monkeypatch):
    published = []
    monkeypatch.setattr(
        "portal.notifications.tasks.publish", lambda task, *, mail_ids: published.append(mail_ids)
    )

    assert services.enqueue_delivery(mail_ids=list(range(DELIVERY_BATCH_SIZE * 2 + 1)))

    assert [len(batch) for batch in published] == [DELIVERY_BATCH_SIZE, DELIVERY_BATCH_SIZE, 1]


def test_notify_each_gives_each_recipient_their_own_context_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    first = OrganisationFactory(name="First Oy")
    second = OrganisationFactory(name="Second AS")
    one, two = UserFactory.create_batch(2)
    entries = [
        (one, {"organisation": first, "role": "Administrator"}),
        (two, {"organisation": second, "role": "Member"}),
        (one, {"organisation": second, "role": "ignored: told once, with the first context"}),
    ]

    with django_assert_max_num_queries(8):
        created = notify_each(entries=entries, kind=ROLE_CHANGED, target=first)

    assert len(created) == 2
    bodies = dict(OutboxMail.objects.values_list("recipient_id", "body_text"))
    assert "First Oy" in bodies[one.pk] and "Second AS" not in bodies[one.pk]
    assert "Second AS" in bodies[two.pk]
    assert Notification.objects.count() == 2


def test_claim_reminders_claims_each_once_in_one_statement(django_assert_max_num_queries):
    users = UserFactory.create_batch(3)
    claim_reminders(users=users[:1], key="k")

    with django_assert_max_num_queries(3):  # savepoint, INSERT … ON CONFLICT DO NOTHING RETURNING, release
        claimed = claim_reminders(users=users, key="k")

    assert claimed == users[1:]
    assert claim_reminders(users=users, key="k") == []
    assert claim_reminders(users=users, key="other") == users
    assert claim_reminders(users=[], key="k") == []


def test_a_stale_claim_of_another_delivery_is_taken_over():
    abandoned = claimed_by("task-dead")
    OutboxMail.objects.filter(pk=abandoned.pk).update(
        claimed_at=timezone.now() - services.CLAIM_LEASE - timedelta(seconds=1)
    )

    assert deliver_outbox_mails(mail_ids=[abandoned.pk], claim_token="task-new") == 1


class StallingBackend(locmem.EmailBackend):
    """The mail server hangs on the first mail for longer than the claim lease; meanwhile the sweep hands
    the rest of the batch to another delivery, which sends it (stall() is what happens in those minutes)."""

    stall = None

    def send_messages(self, messages):
        stall, StallingBackend.stall = StallingBackend.stall, None
        if stall is not None:
            stall()
        return super().send_messages(messages)


def test_a_delivery_that_stalled_past_the_lease_skips_the_mails_handed_on_meanwhile(settings):
    settings.EMAIL_BACKEND = f"{__name__}.StallingBackend"
    first, second, third = OutboxMailFactory.create_batch(3)
    later = timezone.now() + services.CLAIM_LEASE + timedelta(minutes=1)
    traveller = time_machine.travel(later, tick=False)

    def stall():
        traveller.start()
        # What the sweep and another worker do while this one hangs: the stale claims are taken over.
        assert deliver_outbox_mails(mail_ids=[second.pk, third.pk], claim_token="task-2") == 2

    StallingBackend.stall = stall
    try:
        sent = deliver_outbox_mails(mail_ids=[first.pk, second.pk, third.pk], claim_token="task-1")
    finally:
        traveller.stop()

    assert sent == 1
    ids = sorted(message.extra_headers["X-Portal-Mail-Id"] for message in mail.outbox)
    assert ids == sorted(str(outbox_mail.pk) for outbox_mail in (first, second, third))  # each once
    assert set(OutboxMail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
