"""Writes of the notifications backbone: notify(), the outbox, read state and preferences."""

import contextvars
import logging
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail, signing
from django.db import connection as db_connection
from django.db import models, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .enums import OutboxStatus
from .kinds import Kind, get_kind
from .models import EmailPreference, Notification, OutboxMail

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# How many mails one delivery task sends over one SMTP connection.
DELIVERY_BATCH_SIZE = 100
# A claim older than this is taken to belong to a worker that died; the sweep hands the mail out again.
CLAIM_LEASE = timedelta(minutes=10)
# A delivery still sending after this long renews the claims on the rest of its batch.
CLAIM_RENEWAL = timedelta(minutes=1)
# Mails younger than this are left to their own after-commit hand-off, not the sweep.
SWEEP_GRACE = timedelta(seconds=30)
MAX_ATTEMPTS = 8


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Returns (user id, kind key); raises signing.BadSignature for anything forged or malformed."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        raise signing.BadSignature("Malformed unsubscribe token.")
    return data["u"], data["k"]


def _render_plain(template_name: str, context: dict[str, Any]) -> str:
    # Subjects and plain-text bodies are not HTML: "Smith & Sons" must not arrive as "Smith &amp; Sons".
    # (The subject is also the in-app title, which the page escapes when it shows it.)
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _render_mail(*, kind: Kind, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject = " ".join(_render_plain(f"{kind.template_prefix}.subject.txt", context).split())[:300]
        text = _render_plain(f"{kind.template_prefix}.txt", context).strip() + "\n"
        html = render_to_string(f"{kind.template_prefix}.html", {**context, "subject": subject})
    return subject, text, html


def _mail_headers(*, unsubscribe_url: str) -> dict[str, str]:
    if not unsubscribe_url:
        return {}
    # RFC 8058 one-click unsubscribe: mail clients POST to this address.
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def notify(
    *,
    recipients: Iterable,
    kind: "Kind | str",
    context: dict[str, Any] | None = None,
    target: models.Model | None = None,
    url: str = "",
) -> list[Notification]:
    """Store an in-app notification for each recipient and, unless they switched this kind off, an outbox
    mail, in the caller's transaction. The mails are handed to Celery after the commit (and by the periodic
    sweep, if the broker was unreachable then)."""
    return notify_each(entries=[(user, context) for user in recipients], kind=kind, target=target, url=url)


def notify_each(
    *,
    entries: Iterable[tuple[Any, dict[str, Any] | None]],
    kind: "Kind | str",
    target: models.Model | None = None,
    url: str = "",
) -> list[Notification]:
    """notify() for recipients who each get a context of their own, as (user, context) pairs, in a fixed
    number of queries however many there are (a fan-out telling each person which of their saved searches
    matched). A user named twice is told once, with their first context."""
    kind = get_kind(kind)
    unique: dict[int, tuple[Any, dict[str, Any] | None]] = {}
    for user, context in entries:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, (user, context))
    if not unique:
        return []
    users = [user for user, _context in unique.values()]
    opted_out = set()
    if not kind.mandatory:
        opted_out = set(
            EmailPreference.objects.filter(user__in=users, kind=kind.key, email_enabled=False).values_list(
                "user_id", flat=True
            )
        )
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_url = url or (target.get_absolute_url() if hasattr(target, "get_absolute_url") else "")
    preferences_url = absolute_url(reverse("notifications:preferences"))
    notifications, mails = [], []
    for user, context in unique.values():
        unsubscribe_url = (
            ""
            if kind.mandatory
            else absolute_url(
                reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk, kind=kind.key)])
            )
        )
        mail_context = {
            **(context or {}),
            "recipient": user,
            "target": target,
            "target_url": absolute_url(target_url),
            "portal_name": settings.PORTAL_NAME,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": preferences_url,
        }
        subject, text, html = _render_mail(kind=kind, context=mail_context, language=user.language)
        notifications.append(
            Notification(
                recipient=user,
                kind=kind.key,
                title=subject,
                url=target_url,
                target_type=target_type,
                target_id=str(target.pk) if target is not None else "",
            )
        )
        if user.pk not in opted_out:
            mails.append(
                OutboxMail(
                    recipient=user,
                    to_email=user.email,
                    kind=kind.key,
                    subject=subject,
                    body_text=text,
                    body_html=html,
                    headers=_mail_headers(unsubscribe_url=unsubscribe_url),
                )
            )
    with transaction.atomic():
        created = Notification.objects.bulk_create(notifications)
        queued = OutboxMail.objects.bulk_create(mails)
        queue_outbox_mails(mail_ids=[mail.pk for mail in queued])
    return created


def mail_address(*, to_email: str, kind: "Kind | str", context: dict[str, Any], language: str) -> OutboxMail:
    """Queue a mail to an address that may have no account yet (an invitation), in the caller's
    transaction. There is no in-app notification and, the kind being mandatory, no unsubscribe link."""
    kind = get_kind(kind)
    mail_context = {**context, "portal_name": settings.PORTAL_NAME, "site_url": settings.SITE_URL}
    subject, text, html = _render_mail(kind=kind, context=mail_context, language=language)
    return queue_mail(to_email=to_email, kind=kind, subject=subject, body_text=text, body_html=html)


def queue_mail(
    *, to_email: str, kind: "Kind | str", subject: str, body_text: str, body_html: str = ""
) -> OutboxMail:
    """Queue an already rendered mail (e.g. allauth's account mails) through the outbox, in the caller's
    transaction, so it survives a broker or mail server that is down."""
    kind = get_kind(kind)
    with transaction.atomic():
        outbox_mail = OutboxMail.objects.create(
            to_email=to_email, kind=kind.key, subject=subject[:300], body_text=body_text, body_html=body_html
        )
        queue_outbox_mails(mail_ids=[outbox_mail.pk])
    return outbox_mail


# The mail ids collected by an outbox_batch() block, if one is open in this context.
_collected_mail_ids: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "collected_outbox_mail_ids", default=None
)


@contextmanager
def outbox_batch() -> Iterator[None]:
    """Collect the mails that notify() and queue_mail() queue inside the block and hand them to Celery
    together, in batches of DELIVERY_BATCH_SIZE, once the transaction commits: a fan-out that notifies
    people one by one still sends its mails over one SMTP connection per batch, not one per mail. Open it
    inside the transaction (`with transaction.atomic(), outbox_batch():`). If the block raises, nothing
    is handed over (the transaction rolls back)."""
    ids: list[int] = []
    token = _collected_mail_ids.set(ids)
    try:
        yield
    finally:
        _collected_mail_ids.reset(token)
    queue_outbox_mails(mail_ids=ids)


def queue_outbox_mails(*, mail_ids: Sequence[int]) -> None:
    """Hand the mails to Celery once the current transaction commits (or to the open outbox_batch())."""
    if not mail_ids:
        return
    collected = _collected_mail_ids.get()
    if collected is not None:
        collected.extend(mail_ids)
        return
    ids = list(mail_ids)
    transaction.on_commit(lambda: enqueue_delivery(mail_ids=ids))


def enqueue_delivery(*, mail_ids: Sequence[int]) -> bool:
    """Publish delivery tasks in batches. Never raises: if the broker is down or hanging (publishing is
    bounded by short socket timeouts and not retried), the mails stay pending and the sweep sends them
    once the broker is back. Returns whether every batch was published."""
    from .tasks import deliver_outbox_task, publish

    ids = list(mail_ids)
    for start in range(0, len(ids), DELIVERY_BATCH_SIZE):
        batch = ids[start : start + DELIVERY_BATCH_SIZE]
        try:
            publish(deliver_outbox_task, mail_ids=batch)
        except Exception:  # the broker's failures come in many types (kombu, redis, socket); all mean "later"
            logger.warning(
                "Could not queue %d outbox mail(s); the sweep will retry.", len(ids) - start, exc_info=True
            )
            return False
    return True


def _claim_batch(mail_ids: Sequence[int], claim_token: str) -> list[OutboxMail]:
    """Claim, in one conditional UPDATE (one commit), every mail of the batch that is still to be sent:
    pending ones, ones whose claim outlived CLAIM_LEASE (their worker died), and, for a delivery that runs
    again under the same token (its worker was killed mid-batch and the broker handed the task out again),
    the ones it had claimed itself, at once rather than after the lease. Returns them in the given order."""
    stale = timezone.now() - CLAIM_LEASE
    claimable = Q(status=OutboxStatus.PENDING) | Q(status=OutboxStatus.SENDING, claimed_at__lt=stale)
    claimable |= Q(status=OutboxStatus.SENDING, claimed_by=claim_token)
    OutboxMail.objects.filter(claimable, pk__in=mail_ids, attempts__lt=MAX_ATTEMPTS).update(
        status=OutboxStatus.SENDING,
        claimed_at=timezone.now(),
        claimed_by=claim_token,
        attempts=F("attempts") + 1,
    )
    claimed = OutboxMail.objects.filter(pk__in=mail_ids, status=OutboxStatus.SENDING, claimed_by=claim_token)
    by_pk = {outbox_mail.pk: outbox_mail for outbox_mail in claimed}
    return [by_pk[pk] for pk in dict.fromkeys(mail_ids) if pk in by_pk]


def _mark_sent(mail_id: int) -> None:
    OutboxMail.objects.filter(pk=mail_id).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_by="", last_error=""
    )


@contextmanager
def _commits_without_waiting_for_disk() -> Iterator[None]:
    """On PostgreSQL, outside a transaction: the commits inside the block do not wait for the disk
    (synchronous_commit off for this connection until the block ends), about 0.3 ms each instead of 5 on
    this machine. Used for marking mails sent: only a crash of the database server itself within a
    fraction of a second could lose a mark (the mail would then go again after CLAIM_LEASE); a worker
    killed at any point loses nothing the database had acknowledged."""
    if db_connection.vendor != "postgresql" or db_connection.in_atomic_block:
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with db_connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # the database went away: nothing may reuse this session's setting
            db_connection.close()


def _unclaim(mail_ids: Sequence[int], claim_token: str) -> None:
    """Give back claimed mails that were not tried after all, as if never claimed, for the sweep."""
    OutboxMail.objects.filter(pk__in=mail_ids, status=OutboxStatus.SENDING, claimed_by=claim_token).update(
        status=OutboxStatus.PENDING, claimed_at=None, claimed_by="", attempts=F("attempts") - 1
    )


def _message(outbox_mail: OutboxMail, connection) -> mail.EmailMultiAlternatives:
    message = mail.EmailMultiAlternatives(
        subject=outbox_mail.subject,
        body=outbox_mail.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbox_mail.to_email],
        headers={**outbox_mail.headers, "X-Portal-Mail-Id": str(outbox_mail.pk)},
        connection=connection,
    )
    if outbox_mail.body_html:
        message.attach_alternative(outbox_mail.body_html, "text/html")
    return message


def _release(mail_id: int, attempts: int, error: Exception, claim_token: str) -> None:
    """Put a mail whose sending failed back for a later attempt, or give up on it after MAX_ATTEMPTS. Only
    while the claim is still ours: one the sweep has handed on belongs to the delivery sending it now."""
    OutboxMail.objects.filter(pk=mail_id, status=OutboxStatus.SENDING, claimed_by=claim_token).update(
        status=OutboxStatus.FAILED if attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING,
        claimed_at=None,
        claimed_by="",
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    logger.warning("Outbox mail %s not sent: %s", mail_id, error)


def deliver_outbox_mails(*, mail_ids: Sequence[int], claim_token: str = "") -> int:
    """Send the given outbox mails that are still unsent, over one SMTP connection. The batch is claimed
    in one conditional UPDATE before sending and each mail is marked sent just after the mail server took
    it, so a second run, or a concurrent one, sends nothing twice. claim_token names this delivery (the
    Celery task's id; a fresh one when not given): when the same delivery runs again because its worker was
    killed mid-batch, it takes back the mails it had claimed but not finished instead of leaving them to
    the sweep after CLAIM_LEASE; a delivery that stalled past CLAIM_LEASE skips the mails the sweep has
    handed on meanwhile. (A worker killed after the mail server accepted a mail but before it was
    marked sent makes that one mail go twice: the at-least-once window every outbox has, about a
    millisecond wide here.) If the mail server cannot be reached, the rest of the batch is given back
    untried for the sweep. Returns how many were sent."""
    claim_token = claim_token or uuid.uuid4().hex
    claimed = _claim_batch(mail_ids, claim_token)
    if not claimed:
        return 0
    with _commits_without_waiting_for_disk():
        return _send_claimed(claimed, claim_token)


def _clock() -> tuple[float, float]:
    return time.monotonic(), time.time()


def _seconds_since(then: tuple[float, float]) -> float:
    # The monotonic clock ignores the wall clock being set, but stops while the machine is suspended; the
    # lease is judged on wall-clock time (claimed_at), so whichever says more time has passed counts.
    return max(time.monotonic() - then[0], time.time() - then[1])


def _renew_claims(mail_ids: Sequence[int], claim_token: str) -> set[int]:
    """Renew this delivery's claims on the given mails and return the ones it still holds. A claim this
    worker let outlive CLAIM_LEASE (it stalled: a hung mail server, a paused machine) may have been handed
    by the sweep to another delivery, which sends that mail itself."""
    held = OutboxMail.objects.filter(pk__in=mail_ids, status=OutboxStatus.SENDING, claimed_by=claim_token)
    held.update(claimed_at=timezone.now())
    return set(held.values_list("pk", flat=True))


def _send_claimed(claimed: list[OutboxMail], claim_token: str) -> int:
    sent = 0
    connection = None
    # Every mail is sent within CLAIM_RENEWAL of the moment its claim was taken or last renewed and found
    # still ours, far inside CLAIM_LEASE, so no mail goes out under a claim the sweep has handed on.
    renewed, held = _clock(), {outbox_mail.pk for outbox_mail in claimed}
    try:
        for index, outbox_mail in enumerate(claimed):
            if connection is None:
                # Opened explicitly: a backend's send_messages() opens (and closes) a connection of its
                # own per call when none is open, which would mean one SMTP session per mail.
                try:
                    connection = mail.get_connection()
                    connection.open()
                except Exception as error:  # server down or refusing us: every mail would fail alike
                    connection = None
                    _release(outbox_mail.pk, outbox_mail.attempts, error, claim_token)
                    _unclaim([later.pk for later in claimed[index + 1 :]], claim_token)
                    break
            if _seconds_since(renewed) > CLAIM_RENEWAL.total_seconds():
                # Checked after opening the connection, which may itself have hung: two small queries, at
                # most once a minute, renew the claims on the rest of the batch and say which are still ours.
                held = _renew_claims([later.pk for later in claimed[index:]], claim_token)
                renewed = _clock()
            if outbox_mail.pk not in held:
                logger.info("Outbox mail %s not sent here: another delivery has claimed it.", outbox_mail.pk)
                continue
            try:
                connection.send_messages([_message(outbox_mail, connection)])
            except Exception as error:  # SMTP and network errors: keep the mail for a later attempt
                _release(outbox_mail.pk, outbox_mail.attempts, error, claim_token)
                # The session may be broken (a disconnect) or merely have refused one recipient; start a
                # fresh one for the next mail either way.
                connection.close()
                connection = None
                continue
            _mark_sent(outbox_mail.pk)
            sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent


def sweep_outbox() -> int:
    """Hand out again what was never queued (broker down at commit time) or whose worker died. Returns
    how many mails it handed out. A mail whose claim expired after its last attempt (its worker died every
    time: a poison message) is marked failed instead of being handed out for ever."""
    now = timezone.now()
    OutboxMail.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=now - CLAIM_LEASE, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=OutboxStatus.FAILED, claimed_at=None, last_error="Gave up: no worker finished sending it."
    )
    ids = list(
        OutboxMail.objects.filter(
            Q(status=OutboxStatus.PENDING, created_at__lt=now - SWEEP_GRACE)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    if ids:
        enqueue_delivery(mail_ids=ids)
    return len(ids)


def mark_notification_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )


def mark_all_notifications_read(*, user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def set_email_preference(*, user, kind: "Kind | str", enabled: bool) -> None:
    kind = get_kind(kind)
    if kind.mandatory:
        return
    EmailPreference.objects.update_or_create(user=user, kind=kind.key, defaults={"email_enabled": enabled})


def set_email_preferences(*, user, enabled: dict[str, bool]) -> None:
    with transaction.atomic():
        for key, value in enabled.items():
            set_email_preference(user=user, kind=key, enabled=value)


def claim_reminders(*, users: Iterable, key: str) -> list:
    """Record that the reminder `key` goes to these users and return those who had not had it yet. Safe
    against a schedule that runs twice, or twice at once: inserting the unique (user, key) row is the
    claim, one INSERT … ON CONFLICT DO NOTHING RETURNING for all of them (a concurrent insert of the same
    row waits for ours and then inserts nothing)."""
    from .models import ReminderRecord

    candidates = {user.pk: user for user in users}
    if not candidates:
        return []
    table = db_connection.ops.quote_name(ReminderRecord._meta.db_table)
    user_column = db_connection.ops.quote_name(ReminderRecord._meta.get_field("user").column)
    key_column = db_connection.ops.quote_name(ReminderRecord._meta.get_field("key").column)
    sent_column = db_connection.ops.quote_name(ReminderRecord._meta.get_field("sent_at").column)
    sent_at = db_connection.ops.adapt_datetimefield_value(timezone.now())
    ids = list(candidates)
    claimed_ids: set[int] = set()
    with transaction.atomic(), db_connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"INSERT INTO {table} ({user_column}, {key_column}, {sent_column}) "  # noqa: S608
                f"VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))} "
                f"ON CONFLICT ({user_column}, {key_column}) DO NOTHING RETURNING {user_column}",
                [value for pk in chunk for value in (pk, key, sent_at)],
            )
            claimed_ids.update(row[0] for row in cursor.fetchall())
    return [user for pk, user in candidates.items() if pk in claimed_ids]
