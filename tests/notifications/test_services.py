import smtplib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.kinds import INVITATION, ROLE_CHANGED
from portal.notifications.enums import OutboxStatus
from portal.notifications.kinds import UnknownKind
from portal.notifications.models import EmailPreference, Notification, OutboxMail
from portal.notifications.services import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    SWEEP_GRACE,
    UNSUBSCRIBE_SALT,
    deliver_outbox_mails,
    mail_address,
    mark_all_notifications_read,
    notify,
    read_unsubscribe_token,
    set_email_preference,
    sweep_outbox,
    unsubscribe_token,
)
from tests.factories.accounts import OrganisationFactory, UserFactory
from tests.factories.notifications import EmailPreferenceFactory, NotificationFactory, OutboxMailFactory

pytestmark = pytest.mark.django_db


class SmtpLikeBackend(BaseEmailBackend):
    """Stands in for the SMTP server (the outside world). Like Django's SMTP backend, send_messages() opens
    a connection of its own, and closes it again, unless one is open already."""

    opened = 0
    delivered: list = []
    refuse_open = False
    refused_recipients: set = set()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = None

    @classmethod
    def reset(cls) -> None:
        cls.opened, cls.delivered, cls.refuse_open, cls.refused_recipients = 0, [], False, set()

    def open(self):
        if self.connection is not None:
            return False
        if SmtpLikeBackend.refuse_open:
            raise ConnectionRefusedError(111, "Connection refused")
        SmtpLikeBackend.opened += 1
        self.connection = object()
        return True

    def close(self):
        self.connection = None

    def send_messages(self, email_messages):
        new_connection = self.open()
        try:
            for message in email_messages:
                refused = set(message.to) & SmtpLikeBackend.refused_recipients
                if refused:
                    raise smtplib.SMTPRecipientsRefused(
                        {address: (550, b"No such user") for address in refused}
                    )
                SmtpLikeBackend.delivered.append(message)
        finally:
            if new_connection:
                self.close()
        return len(email_messages)


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SmtpLikeBackend"
    SmtpLikeBackend.reset()
    yield SmtpLikeBackend
    SmtpLikeBackend.reset()


def notify_role_changed(recipients, *, organisation=None):
    organisation = organisation or OrganisationFactory()
    return notify(
        recipients=recipients,
        kind=ROLE_CHANGED,
        context={"organisation": organisation, "role": "Administrator"},
        target=organisation,
    )


def notify_invitation(recipients):
    organisation = OrganisationFactory()
    return notify(
        recipients=recipients,
        kind=INVITATION,
        context={
            "organisation": organisation,
            "invited_by": UserFactory(full_name="Ada Admin"),
            "role": "Member",
            "accept_url": "http://testserver/invitations/abc/",
            "expires_at": timezone.now() + timedelta(days=14),
        },
    )


def age(outbox_mail: OutboxMail, by: timedelta) -> None:
    OutboxMail.objects.filter(pk=outbox_mail.pk).update(created_at=timezone.now() - by)


# notify()


def test_notify_creates_one_notification_and_one_mail_per_distinct_active_recipient():
    first, second = UserFactory(), UserFactory()
    inactive = UserFactory(is_active=False)

    notify_role_changed([first, second, first, inactive, None])

    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )
    assert sorted(OutboxMail.objects.values_list("to_email", flat=True)) == sorted(
        [first.email, second.email]
    )
    assert set(OutboxMail.objects.values_list("status", flat=True)) == {OutboxStatus.PENDING}


def test_notify_without_active_recipients_stores_nothing():
    result = notify_role_changed([UserFactory(is_active=False)])

    assert result == []
    assert Notification.objects.count() == 0
    assert OutboxMail.objects.count() == 0


def test_notify_unknown_kind_is_refused():
    with pytest.raises(UnknownKind):
        notify(recipients=[UserFactory()], kind="nobody.registered_this")


def test_notify_stores_target_and_links_to_it():
    user, organisation = UserFactory(), OrganisationFactory(name="Trondheim kommune")

    (notification,) = notify_role_changed([user], organisation=organisation)

    outbox_mail = OutboxMail.objects.get()
    assert notification.title == "You are now Administrator in Trondheim kommune"
    assert notification.url == organisation.get_absolute_url()
    assert notification.target_type.model_class() is type(organisation)
    assert notification.target_id == str(organisation.pk)
    assert outbox_mail.subject == notification.title
    assert f"http://testserver{organisation.get_absolute_url()}" in outbox_mail.body_text


def test_notify_opted_out_user_gets_notification_but_no_mail():
    opted_out, other = UserFactory(), UserFactory()
    EmailPreferenceFactory(user=opted_out, kind=ROLE_CHANGED.key, email_enabled=False)

    notify_role_changed([opted_out, other])

    assert Notification.objects.filter(recipient=opted_out).count() == 1
    assert list(OutboxMail.objects.values_list("to_email", flat=True)) == [other.email]


def test_notify_opt_out_of_another_kind_still_mails():
    user = UserFactory()
    EmailPreferenceFactory(user=user, kind="accounts.member_joined", email_enabled=False)

    notify_role_changed([user])

    assert OutboxMail.objects.filter(to_email=user.email).count() == 1


def test_notify_optional_kind_mail_has_one_click_unsubscribe_link():
    user = UserFactory()

    notify_role_changed([user])

    outbox_mail = OutboxMail.objects.get()
    token = unsubscribe_token(user_id=user.pk, kind=ROLE_CHANGED.key)
    unsubscribe_url = f"http://testserver{reverse('notifications:unsubscribe', args=[token])}"
    assert outbox_mail.headers == {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert unsubscribe_url in outbox_mail.body_text
    assert unsubscribe_url in outbox_mail.body_html


def test_notify_mandatory_kind_ignores_opt_out_and_has_no_unsubscribe_link():
    user = UserFactory()
    # set_email_preference() refuses mandatory kinds; a row stored anyway must not stop the mail.
    EmailPreferenceFactory(user=user, kind=INVITATION.key, email_enabled=False)

    notify_invitation([user])

    outbox_mail = OutboxMail.objects.get()
    assert outbox_mail.to_email == user.email
    assert "List-Unsubscribe" not in outbox_mail.headers
    assert "/notifications/unsubscribe/" not in outbox_mail.body_text
    assert "/notifications/unsubscribe/" not in outbox_mail.body_html


def test_notify_mandatory_kind_delivered_message_has_no_list_unsubscribe_header(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        notify_invitation([user])

    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.message()
    assert "List-Unsubscribe-Post" not in message.message()


def test_notify_renders_mail_in_recipient_language():
    # No Norwegian catalogue of our own exists yet, so the assertion is on what translation.override()
    # changes regardless: the language the HTML mail declares.
    norwegian, english = UserFactory(language="nb"), UserFactory(language="en")

    notify_role_changed([norwegian, english])

    assert '<html lang="nb">' in OutboxMail.objects.get(to_email=norwegian.email).body_html
    assert '<html lang="en">' in OutboxMail.objects.get(to_email=english.email).body_html


def test_mail_address_renders_dates_in_recipient_language():
    # Django's own Norwegian locale formats dates, so this shows the override is active while rendering.
    organisation = OrganisationFactory()
    context = {
        "organisation": organisation,
        "invited_by": UserFactory(),
        "role": "Member",
        "accept_url": "http://testserver/invitations/abc/",
        "expires_at": datetime(2030, 3, 5, 12, 0, tzinfo=UTC),
    }

    norwegian = mail_address(to_email="ola@example.org", kind=INVITATION, context=context, language="nb")
    english = mail_address(to_email="ann@example.org", kind=INVITATION, context=context, language="en")

    assert "5. mars 2030" in norwegian.body_text
    assert "March 5, 2030" in english.body_text


def test_notify_plain_text_and_subject_are_not_html_escaped():
    user, organisation = UserFactory(), OrganisationFactory(name="Smith & Sons <Trondheim>")

    (notification,) = notify_role_changed([user], organisation=organisation)

    outbox_mail = OutboxMail.objects.get()
    assert outbox_mail.subject == "You are now Administrator in Smith & Sons <Trondheim>"
    assert notification.title == outbox_mail.subject
    assert "of Smith & Sons <Trondheim> changed" in outbox_mail.body_text
    assert "Smith &amp; Sons &lt;Trondheim&gt;" in outbox_mail.body_html
    assert (
        "<title>You are now Administrator in Smith &amp; Sons &lt;Trondheim&gt;</title>"
        in outbox_mail.body_html
    )


def test_mail_address_queues_mail_without_notification_or_unsubscribe_link():
    outbox_mail = mail_address(
        to_email="invitee@example.org",
        kind=INVITATION,
        context={
            "organisation": OrganisationFactory(),
            "invited_by": UserFactory(),
            "role": "Member",
            "accept_url": "http://testserver/invitations/abc/",
            "expires_at": timezone.now(),
        },
        language="en",
    )

    assert outbox_mail.status == OutboxStatus.PENDING
    assert outbox_mail.recipient is None
    assert outbox_mail.headers == {}
    assert "http://testserver/invitations/abc/" in outbox_mail.body_text
    assert Notification.objects.count() == 0


# After commit


def test_notify_delivers_mail_only_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        notify_role_changed([user])
        assert mail.outbox == []

    assert [message.to for message in mail.outbox] == [[user.email]]
    assert OutboxMail.objects.get().status == OutboxStatus.SENT


def test_notify_mails_nothing_when_transaction_rolls_back(django_capture_on_commit_callbacks):
    user = UserFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_role_changed([user])
        raise RuntimeError("the change that caused the notification failed")

    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == 0
    assert OutboxMail.objects.count() == 0


# deliver_outbox_mails()


def test_deliver_sends_each_mail_once_when_run_twice():
    first, second = OutboxMailFactory(), OutboxMailFactory()
    ids = [first.pk, second.pk]

    sent_first = deliver_outbox_mails(mail_ids=ids)
    sent_again = deliver_outbox_mails(mail_ids=ids)

    assert (sent_first, sent_again) == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([first.to_email, second.to_email])
    for outbox_mail in OutboxMail.objects.all():
        assert outbox_mail.status == OutboxStatus.SENT
        assert outbox_mail.attempts == 1
        assert outbox_mail.sent_at is not None


def test_deliver_skips_mail_claimed_by_another_worker():
    claimed = OutboxMailFactory(status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=1)

    sent = deliver_outbox_mails(mail_ids=[claimed.pk])

    claimed.refresh_from_db()
    assert sent == 0
    assert mail.outbox == []
    assert (claimed.status, claimed.attempts) == (OutboxStatus.SENDING, 1)


def test_deliver_takes_over_claim_of_a_worker_that_died():
    abandoned = OutboxMailFactory(
        status=OutboxStatus.SENDING,
        claimed_at=timezone.now() - CLAIM_LEASE - timedelta(minutes=1),
        attempts=1,
    )

    sent = deliver_outbox_mails(mail_ids=[abandoned.pk])

    abandoned.refresh_from_db()
    assert sent == 1
    assert (abandoned.status, abandoned.attempts) == (OutboxStatus.SENT, 2)


@pytest.mark.parametrize("status", [OutboxStatus.SENT, OutboxStatus.FAILED])
def test_deliver_leaves_finished_mails_alone(status):
    finished = OutboxMailFactory(status=status)

    sent = deliver_outbox_mails(mail_ids=[finished.pk])

    assert sent == 0
    assert mail.outbox == []


def test_deliver_message_has_plain_text_and_html_alternatives():
    outbox_mail = OutboxMailFactory(
        body_text="Plain words\n",
        body_html="<p>Rich words</p>",
        headers={"List-Unsubscribe": "<http://x/u/>"},
    )

    deliver_outbox_mails(mail_ids=[outbox_mail.pk])

    (message,) = mail.outbox
    assert message.body == "Plain words\n"
    assert message.alternatives == [("<p>Rich words</p>", "text/html")]
    mime = message.message()
    assert mime.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mime.get_payload()] == ["text/plain", "text/html"]
    assert mime["List-Unsubscribe"] == "<http://x/u/>"
    assert mime["X-Portal-Mail-Id"] == str(outbox_mail.pk)
    assert message.subject == outbox_mail.subject


def test_deliver_uses_one_connection_for_the_whole_batch(smtp):
    mails = OutboxMailFactory.create_batch(3)

    sent = deliver_outbox_mails(mail_ids=[outbox_mail.pk for outbox_mail in mails])

    assert sent == 3
    assert len(smtp.delivered) == 3
    assert smtp.opened == 1


def test_deliver_opens_no_connection_when_nothing_is_left_to_send(smtp):
    sent_already = OutboxMailFactory(status=OutboxStatus.SENT)

    deliver_outbox_mails(mail_ids=[sent_already.pk])

    assert smtp.opened == 0


def test_deliver_keeps_mail_pending_when_smtp_is_unreachable(smtp):
    smtp.refuse_open = True
    outbox_mail = OutboxMailFactory()

    sent = deliver_outbox_mails(mail_ids=[outbox_mail.pk])

    outbox_mail.refresh_from_db()
    assert sent == 0
    assert outbox_mail.status == OutboxStatus.PENDING
    assert outbox_mail.attempts == 1
    assert outbox_mail.claimed_at is None
    assert outbox_mail.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_deliver_stops_the_batch_when_smtp_is_unreachable(smtp):
    # The rest of the batch is left unclaimed for the sweep, instead of waiting out a timeout per mail.
    smtp.refuse_open = True
    first, *rest = OutboxMailFactory.create_batch(3)

    deliver_outbox_mails(mail_ids=[first.pk] + [outbox_mail.pk for outbox_mail in rest])

    assert OutboxMail.objects.get(pk=first.pk).attempts == 1
    assert [(m.status, m.attempts) for m in OutboxMail.objects.exclude(pk=first.pk)] == [
        (OutboxStatus.PENDING, 0),
        (OutboxStatus.PENDING, 0),
    ]


def test_deliver_sends_the_rest_when_one_recipient_is_refused(smtp):
    refused, first, second = OutboxMailFactory.create_batch(3)
    smtp.refused_recipients = {refused.to_email}

    sent = deliver_outbox_mails(mail_ids=[refused.pk, first.pk, second.pk])

    refused.refresh_from_db()
    assert sent == 2
    assert sorted(message.to[0] for message in smtp.delivered) == sorted([first.to_email, second.to_email])
    assert (refused.status, refused.attempts) == (OutboxStatus.PENDING, 1)
    assert refused.last_error.startswith("SMTPRecipientsRefused")


def test_deliver_gives_up_after_max_attempts(smtp):
    smtp.refuse_open = True
    outbox_mail = OutboxMailFactory(attempts=MAX_ATTEMPTS - 1)

    deliver_outbox_mails(mail_ids=[outbox_mail.pk])
    deliver_outbox_mails(mail_ids=[outbox_mail.pk])

    outbox_mail.refresh_from_db()
    assert outbox_mail.status == OutboxStatus.FAILED
    assert outbox_mail.attempts == MAX_ATTEMPTS
    assert outbox_mail.last_error.startswith("ConnectionRefusedError")


def test_deliver_retries_until_max_attempts(smtp):
    smtp.refuse_open = True
    outbox_mail = OutboxMailFactory()

    for _ in range(MAX_ATTEMPTS - 1):
        deliver_outbox_mails(mail_ids=[outbox_mail.pk])

    outbox_mail.refresh_from_db()
    assert (outbox_mail.status, outbox_mail.attempts) == (OutboxStatus.PENDING, MAX_ATTEMPTS - 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deliver_run_concurrently_sends_each_mail_once():
    mails = OutboxMailFactory.create_batch(20)
    ids = [outbox_mail.pk for outbox_mail in mails]
    start, results = threading.Barrier(2), []

    def worker(order):
        try:
            start.wait()
            results.append(deliver_outbox_mails(mail_ids=order))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(order,)) for order in (ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sum(results) == 20
    assert sorted(int(message.extra_headers["X-Portal-Mail-Id"]) for message in mail.outbox) == sorted(ids)
    assert set(OutboxMail.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}


# sweep_outbox()


def test_sweep_hands_out_old_pending_mails_and_stale_claims_only():
    old_pending = OutboxMailFactory()
    age(old_pending, SWEEP_GRACE + timedelta(seconds=5))
    fresh_pending = OutboxMailFactory()
    stale_claim = OutboxMailFactory(
        status=OutboxStatus.SENDING,
        claimed_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=5),
        attempts=1,
    )
    age(stale_claim, CLAIM_LEASE * 2)
    fresh_claim = OutboxMailFactory(status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=1)
    age(fresh_claim, CLAIM_LEASE * 2)
    for status in (OutboxStatus.SENT, OutboxStatus.FAILED):
        age(OutboxMailFactory(status=status), CLAIM_LEASE * 2)

    handed_out = sweep_outbox()

    # Tasks run in-process under the test settings, so what was handed out has been delivered.
    assert handed_out == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [old_pending.to_email, stale_claim.to_email]
    )
    fresh_pending.refresh_from_db()
    fresh_claim.refresh_from_db()
    assert fresh_pending.status == OutboxStatus.PENDING
    assert fresh_claim.status == OutboxStatus.SENDING


def test_sweep_gives_up_on_stale_claims_that_used_every_attempt():
    # A mail whose worker died on every attempt (a poison message) must not be handed out for ever.
    abandoned = OutboxMailFactory(
        status=OutboxStatus.SENDING,
        claimed_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=5),
        attempts=MAX_ATTEMPTS,
    )

    handed_out = sweep_outbox()

    abandoned.refresh_from_db()
    assert handed_out == 0
    assert mail.outbox == []
    assert abandoned.status == OutboxStatus.FAILED
    assert abandoned.last_error != ""


def test_sweep_with_nothing_due_hands_out_nothing():
    OutboxMailFactory()

    assert sweep_outbox() == 0
    assert mail.outbox == []


# Unsubscribe tokens and preferences


def test_unsubscribe_token_round_trips():
    token = unsubscribe_token(user_id=42, kind=ROLE_CHANGED.key)

    assert read_unsubscribe_token(token) == (42, ROLE_CHANGED.key)


def test_unsubscribe_token_tampered_is_rejected():
    token = unsubscribe_token(user_id=42, kind=ROLE_CHANGED.key)
    value, signature = token.rsplit(":", 1)
    forged = f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"

    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(forged)


def test_unsubscribe_token_for_another_user_cannot_be_made_by_editing_the_payload():
    token = unsubscribe_token(user_id=42, kind=ROLE_CHANGED.key)
    other_payload = signing.dumps({"u": 43, "k": ROLE_CHANGED.key}, salt=UNSUBSCRIBE_SALT, compress=True)
    forged = f"{other_payload.rsplit(':', 1)[0]}:{token.rsplit(':', 1)[1]}"

    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(forged)


@pytest.mark.parametrize(
    "token",
    [
        signing.dumps({"u": 42, "k": "accounts.role_changed"}, salt="another.purpose"),
        signing.dumps(["not", "a", "dict"], salt=UNSUBSCRIBE_SALT),
        signing.dumps({"u": "42", "k": "accounts.role_changed"}, salt=UNSUBSCRIBE_SALT),
        "garbage",
    ],
    # Signed tokens carry a timestamp: fixed ids keep the test names equal across xdist workers.
    ids=["other-salt", "not-a-dict", "user-id-not-int", "garbage"],
)
def test_unsubscribe_token_signed_for_another_purpose_or_malformed_is_rejected(token):
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(token)


def test_set_email_preference_cannot_switch_off_mandatory_kind():
    user = UserFactory()

    set_email_preference(user=user, kind=INVITATION, enabled=False)

    assert EmailPreference.objects.count() == 0


def test_set_email_preference_switches_kind_off_and_on():
    user = UserFactory()

    set_email_preference(user=user, kind=ROLE_CHANGED, enabled=False)
    set_email_preference(user=user, kind=ROLE_CHANGED.key, enabled=True)

    assert list(EmailPreference.objects.values_list("user_id", "kind", "email_enabled")) == [
        (user.pk, ROLE_CHANGED.key, True)
    ]


def test_mark_all_notifications_read_leaves_other_users_alone():
    user, other = UserFactory(), UserFactory()
    NotificationFactory.create_batch(2, recipient=user)
    theirs = NotificationFactory(recipient=other)

    marked = mark_all_notifications_read(user=user)

    theirs.refresh_from_db()
    assert marked == 2
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0
    assert theirs.read_at is None
